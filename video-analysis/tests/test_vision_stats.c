/*
 * test_vision_stats.c — the small shared pieces of the vision metrics: quantiles, the Welford
 * accumulator (vision_stats.h) and per-second timelines (timeline.h).
 */
#include <criterion/criterion.h>
#include <math.h>

#include "timeline.h"
#include "vision_stats.h"

Test(vision_stats, quantiles_ignore_non_finite)
{
    float v[] = {5, 1, NAN, 3, 2, INFINITY, 4};
    float q;
    cr_assert_eq(kc_vision_median(v, 7, &q), 0);
    cr_assert_float_eq(q, 3.0f, 1e-6);
    kc_vision_quantile(v, 7, 0.0, &q);
    cr_assert_float_eq(q, 1.0f, 1e-6);
    kc_vision_quantile(v, 7, 1.0, &q);
    cr_assert_float_eq(q, 5.0f, 1e-6);
    kc_vision_quantile(v, 7, 0.2, &q); /* position 0.8 between 1 and 2 */
    cr_assert_float_eq(q, 1.8f, 1e-5);
    float none[] = {NAN, NAN};
    cr_assert_eq(kc_vision_median(none, 2, &q), 0);
    cr_assert(isnan(q));
    cr_assert_eq(kc_vision_median(v, 0, &q), 0);
    cr_assert(isnan(q));
    kc_vision_quantile(v, 7, 1.5, &q);
    cr_assert(isnan(q));
}

Test(vision_stats, welford)
{
    struct kc_vision_acc a = {0};
    cr_assert(isnan(kc_vision_acc_sd(&a)));
    double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    for (int i = 0; i < 8; i++) kc_vision_acc_add(&a, x[i]);
    cr_assert_float_eq(a.mean, 5.0, 1e-12);
    cr_assert_float_eq(kc_vision_acc_sd(&a), sqrt(32.0 / 7), 1e-12);
}

Test(vision_stats, timeline_buckets)
{
    struct kc_timeline tl;
    cr_assert_eq(kc_timeline_init(&tl, 3.2, 1.0), 0);
    cr_assert_eq(tl.n, 4u);
    kc_timeline_add(&tl, 0.1, 1);
    kc_timeline_add(&tl, 0.9, 0);
    kc_timeline_add(&tl, 2.5, 0.25);
    kc_timeline_add(&tl, 3.99, 7);
    kc_timeline_add(&tl, 4.0, 100);  /* outside: ignored */
    kc_timeline_add(&tl, -0.1, 100); /* outside: ignored */
    kc_timeline_add(&tl, 1.5, NAN);  /* not a value: ignored */
    json_t *a = kc_timeline_json(&tl, 2);
    cr_assert_eq(json_array_size(a), 4u);
    cr_assert_float_eq(json_real_value(json_array_get(a, 0)), 0.5, 1e-9);
    cr_assert(json_is_null(json_array_get(a, 1)), "an empty second is null, not 0");
    cr_assert_float_eq(json_real_value(json_array_get(a, 2)), 0.25, 1e-9);
    cr_assert_float_eq(json_real_value(json_array_get(a, 3)), 7.0, 1e-9);
    json_decref(a);
    kc_timeline_free(&tl);
    cr_assert_eq(kc_timeline_init(&tl, NAN, 1.0), -1);
    cr_assert_eq(kc_timeline_init(&tl, 10, 0), -1);
    cr_assert_eq(kc_timeline_init(&tl, 0, 1.0), 0);
    cr_assert_eq(tl.n, 1u);
    kc_timeline_free(&tl);
}
