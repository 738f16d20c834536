/*
 * test_posture.c — shoulder tilt, lean and movement energy on synthetic PoseNet keypoints
 * (posture.h), including low-confidence keypoints and too few samples.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "posture.h"

/* An upper body: shoulders `width` apart centred at (cx, cy), the subject's left shoulder
 * (keypoint 5, image right) `drop` px lower; head and arms placed relative to the centre. */
static void body(struct kc_posture_sample *s, double t, float cx, float cy, float width, float drop)
{
    memset(s, 0, sizeof *s);
    s->t = t;
    const float rel[11][2] = {{0, -90}, {15, -100}, {-15, -100}, {30, -95}, {-30, -95}, {0, 0},
                              {0, 0},   {60, 80},   {-60, 80},   {70, 160}, {-70, 160}};
    for (int k = 0; k < 11; k++) {
        s->pose.keypoints[k].x = cx + rel[k][0] * width / 100;
        s->pose.keypoints[k].y = cy + rel[k][1] * width / 100;
        s->pose.keypoints[k].score = 0.9f;
    }
    s->pose.keypoints[5].x = cx + width / 2;
    s->pose.keypoints[5].y = cy + drop / 2;
    s->pose.keypoints[6].x = cx - width / 2;
    s->pose.keypoints[6].y = cy - drop / 2;
    for (int k = 11; k < 17; k++) s->pose.keypoints[k].score = 0.1f; /* hips etc. unseen */
}

static void run(const struct kc_posture_sample *s, size_t n, double t0, double t1,
                struct kc_metric *tilt, struct kc_metric *lean, struct kc_metric *energy,
                double sd[3])
{
    float base;
    cr_assert_eq(kc_posture_baseline(s, n, &base), 0);
    *tilt = kc_posture_metric_tilt();
    *lean = kc_posture_metric_lean();
    *energy = kc_posture_metric_energy();
    kc_posture_metrics(s, n, t0, t1, base, tilt, &sd[0], lean, &sd[1], energy, &sd[2]);
}

Test(posture, tilt_and_still_body)
{
    struct kc_posture_sample s[10];
    struct kc_metric tilt, lean, energy;
    double sd[3];
    float drop = 200 * tanf(6 * (float)M_PI / 180); /* 6 degrees */
    for (int i = 0; i < 10; i++) body(&s[i], i, 640, 500, 200, drop);
    run(s, 10, 0, 100, &tilt, &lean, &energy, sd);
    cr_assert_eq(tilt.status, KC_METRIC_OK);
    cr_assert_float_eq(tilt.value, 6.0, 1e-3);
    cr_assert_eq(tilt.samples, 10);
    cr_assert(tilt.not_scored);
    cr_assert_float_eq(lean.value, 0.0, 1e-6);
    cr_assert_float_eq(energy.value, 0.0, 1e-6);
    cr_assert_eq(energy.samples, 9);
    /* the other way round: the right shoulder lower is a negative tilt */
    for (int i = 0; i < 10; i++) body(&s[i], i, 640, 500, 200, -drop);
    run(s, 10, 0, 100, &tilt, &lean, &energy, sd);
    cr_assert_float_eq(tilt.value, -6.0, 1e-3);
}

Test(posture, lean_against_own_baseline)
{
    /* shoulder width 200 px for 6 samples, then 230 px (15 % nearer) for 4 */
    struct kc_posture_sample s[10];
    struct kc_metric tilt, lean, energy;
    double sd[3];
    for (int i = 0; i < 10; i++) body(&s[i], i, 640, 500, i < 6 ? 200 : 230, 0);
    run(s, 10, 0, 100, &tilt, &lean, &energy, sd);
    cr_assert_eq(lean.status, KC_METRIC_OK);
    cr_assert_float_eq(lean.value, 4 * 0.15 / 10, 1e-4); /* baseline = median = 200 */
    cr_assert_gt(sd[1], 0.05);
    /* over the leaning stretch only */
    run(s, 10, 6, 10, &tilt, &lean, &energy, sd);
    cr_assert_float_eq(lean.value, 0.15, 1e-4);
}

Test(posture, movement_energy)
{
    /* the body drifts 20 px per second with shoulders 200 px apart: 0.1 shoulder widths/s */
    struct kc_posture_sample s[8];
    struct kc_metric tilt, lean, energy;
    double sd[3];
    for (int i = 0; i < 8; i++) body(&s[i], i * 1.0, 500 + 20.0f * (float)i, 500, 200, 0);
    run(s, 8, 0, 100, &tilt, &lean, &energy, sd);
    cr_assert_eq(energy.status, KC_METRIC_OK);
    cr_assert_float_eq(energy.value, 0.1, 1e-4);
    cr_assert_str_eq(energy.unit, "shoulder_widths/s");
    /* a gap longer than KC_POSTURE_MAX_GAP_S is not a movement sample */
    s[4].t += 10;
    for (int i = 5; i < 8; i++) s[i].t += 10;
    run(s, 8, 0, 100, &tilt, &lean, &energy, sd);
    cr_assert_eq(energy.samples, 6);
}

Test(posture, low_confidence_and_too_few)
{
    struct kc_posture_sample s[10];
    struct kc_metric tilt, lean, energy;
    double sd[3];
    for (int i = 0; i < 10; i++) {
        body(&s[i], i, 640, 500, 200, 0);
        if (i >= 2) s[i].pose.keypoints[6].score = 0.2f; /* right shoulder lost */
    }
    run(s, 10, 0, 100, &tilt, &lean, &energy, sd);
    cr_assert_eq(tilt.status, KC_METRIC_INSUFFICIENT);
    cr_assert_eq(tilt.samples, 2);
    cr_assert(isnan(tilt.value));
    cr_assert_eq(lean.status, KC_METRIC_INSUFFICIENT);
    cr_assert_eq(energy.status, KC_METRIC_INSUFFICIENT);
    cr_assert_eq(kc_posture_shoulders(&s[5].pose, NULL, NULL), false);
    float w;
    cr_assert_eq(kc_posture_baseline(s, 0, &w), 0);
    cr_assert(isnan(w));
}
