/*
 * test_speech_metric.c — the metric record's JSON: value null unless ok, reason only when not
 * ok, NaN uncertainty as null, flags, and UTF-8-safe truncation of long Korean reasons.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "metric.h"

Test(metric, ok_record)
{
    struct kc_metric m = kc_metric_init("pitch_mean_hz", "Hz", "Mean F0.");
    m.not_scored = true;
    kc_metric_set(&m, 182.5, 240, 1.25);
    json_t *j = kc_metric_to_json(&m);
    cr_assert_not_null(j);
    cr_expect_float_eq(json_real_value(json_object_get(j, "value")), 182.5, 1e-12);
    cr_expect_str_eq(json_string_value(json_object_get(j, "unit")), "Hz");
    cr_expect_eq(json_integer_value(json_object_get(j, "samples")), 240);
    cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "ok");
    cr_expect_str_eq(json_string_value(json_object_get(j, "definition")), "Mean F0.");
    cr_expect_float_eq(json_real_value(json_object_get(j, "uncertainty")), 1.25, 1e-12);
    cr_expect_null(json_object_get(j, "reason"));
    cr_expect(json_is_true(json_object_get(j, "not_scored")));
    cr_expect_null(json_object_get(j, "estimate"));
    json_decref(j);
}

Test(metric, unavailable_and_insufficient)
{
    struct kc_metric m = kc_metric_init("speaking_time_ratio", "ratio", "VAD speech / duration.");
    json_t *j = kc_metric_to_json(&m);
    cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "unavailable");
    cr_expect_str_eq(json_string_value(json_object_get(j, "reason")), "not computed");
    json_decref(j);
    kc_metric_set(&m, 0.5, 10, NAN);
    kc_metric_unavailable(&m, "Silero VAD model file not found at %s", "/x/y.onnx");
    j = kc_metric_to_json(&m);
    cr_expect(json_is_null(json_object_get(j, "value")));
    cr_expect(json_is_null(json_object_get(j, "uncertainty")));
    cr_expect_str_eq(json_string_value(json_object_get(j, "reason")),
                     "Silero VAD model file not found at /x/y.onnx");
    cr_expect_eq(json_integer_value(json_object_get(j, "samples")), 10);
    json_decref(j);
    kc_metric_insufficient(&m, "3 frames");
    j = kc_metric_to_json(&m);
    cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "insufficient_data");
    json_decref(j);
}

Test(metric, nan_uncertainty_and_nonfinite_value)
{
    struct kc_metric m = kc_metric_init("x", "count", "d");
    m.estimate = true;
    kc_metric_set(&m, 3, 3, NAN);
    json_t *j = kc_metric_to_json(&m);
    cr_expect(json_is_null(json_object_get(j, "uncertainty")));
    cr_expect(json_is_true(json_object_get(j, "estimate")));
    json_decref(j);
    kc_metric_set(&m, INFINITY, 3, 1);
    j = kc_metric_to_json(&m);
    cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "unavailable");
    cr_expect(json_is_null(json_object_get(j, "value")));
    char *s = json_dumps(j, 0);
    cr_expect_not_null(s, "still serialisable");
    free(s);
    json_decref(j);
}

Test(metric, long_korean_reason_stays_valid_utf8)
{
    struct kc_metric m = kc_metric_init("x", "count", "d");
    char reason[400] = "";
    for (int i = 0; i < 60; i++) strcat(reason, "음성");
    kc_metric_unavailable(&m, "%s", reason);
    cr_expect_lt(strlen(m.reason), sizeof m.reason);
    json_t *j = kc_metric_to_json(&m);
    const char *r = json_string_value(json_object_get(j, "reason"));
    cr_assert_not_null(r);
    cr_expect_eq(strlen(r) % 3, 0, "no half character at the end");
    json_decref(j);
}

Test(metric, add_uses_the_name_as_key)
{
    json_t *o = json_object();
    struct kc_metric m = kc_metric_init("pause_count", "count", "d");
    kc_metric_set(&m, 4, 12, 2);
    cr_expect_eq(kc_metric_add(o, &m), 0);
    cr_expect_not_null(json_object_get(o, "pause_count"));
    json_decref(o);
}
