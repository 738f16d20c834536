/*
 * posture.c — shoulder tilt, lean and movement energy from PoseNet samples (posture.h).
 *
 * Keypoint indices are PoseNet's COCO order (ml/models/posenet.h): 5 = left shoulder,
 * 6 = right shoulder; the upper-body set for movement is 0..10.
 */
#include "posture.h"

#include <math.h>
#include <stdlib.h>

#include "vision_stats.h"

#define KP_LEFT_SHOULDER  5
#define KP_RIGHT_SHOULDER 6
#define KP_UPPER_BODY     11 /* nose .. right wrist */
#define MIN_MOVING_POINTS 3

static const char def_tilt[] =
    "Angle of the line from the right to the left shoulder (PoseNet keypoints with score >= 0.5, "
    "sampled at the pose rate), degrees from horizontal; > 0 when the subject's left shoulder is "
    "lower in the image. Mean over samples; spread_sd is the standard deviation.";
static const char def_lean[] =
    "Shoulder width relative to the person's own baseline (median shoulder width over the whole "
    "recording), w / w_base - 1: > 0 nearer the camera than usual (leaning in), < 0 further "
    "(leaning back). Mean over pose samples; spread_sd is the standard deviation.";
static const char def_energy[] =
    "Mean displacement of the confident upper-body keypoints (nose, eyes, ears, shoulders, "
    "elbows, wrists) between consecutive pose samples <= 2.5 s apart, divided by the shoulder "
    "width and the time between samples: shoulder widths per second. At ~1 pose sample per "
    "second it captures posture shifts and sustained gestures, not fast fidgeting.";

struct kc_metric kc_posture_metric_tilt(void)
{
    struct kc_metric m = kc_metric_init("shoulder_tilt_deg", "deg", def_tilt);
    m.not_scored = true;
    return m;
}

struct kc_metric kc_posture_metric_lean(void)
{
    struct kc_metric m = kc_metric_init("lean", "ratio", def_lean);
    m.not_scored = true;
    return m;
}

struct kc_metric kc_posture_metric_energy(void)
{
    struct kc_metric m = kc_metric_init("movement_energy", "shoulder_widths/s", def_energy);
    m.not_scored = true;
    return m;
}

bool kc_posture_shoulders(const struct kc_posenet_pose *p, float *tilt_deg, float *width)
{
    const struct kc_posenet_keypoint *l = &p->keypoints[KP_LEFT_SHOULDER];
    const struct kc_posenet_keypoint *r = &p->keypoints[KP_RIGHT_SHOULDER];
    if (l->score < KC_POSTURE_MIN_SCORE || r->score < KC_POSTURE_MIN_SCORE) return false;
    float w = hypotf(l->x - r->x, l->y - r->y);
    if (!(w > 1e-3f)) return false;
    if (tilt_deg) *tilt_deg = (float)(atan2(l->y - r->y, l->x - r->x) * 180.0 / M_PI);
    if (width) *width = w;
    return true;
}

int kc_posture_baseline(const struct kc_posture_sample *s, size_t n, float *width)
{
    *width = NAN;
    if (!s || n == 0) return 0;
    float *w = malloc(n * sizeof *w);
    if (!w) return -1;
    for (size_t i = 0; i < n; i++)
        if (!kc_posture_shoulders(&s[i].pose, NULL, &w[i])) w[i] = NAN;
    int rc = kc_vision_median(w, n, width);
    free(w);
    return rc;
}

/* Movement between two samples, shoulder widths per second; NaN when not measurable. */
static double movement(const struct kc_posture_sample *a, const struct kc_posture_sample *b)
{
    float wa, wb;
    double dt = b->t - a->t;
    if (!(dt > 0) || dt > KC_POSTURE_MAX_GAP_S) return NAN;
    if (!kc_posture_shoulders(&a->pose, NULL, &wa) || !kc_posture_shoulders(&b->pose, NULL, &wb))
        return NAN;
    double sum = 0;
    int k = 0;
    for (int i = 0; i < KP_UPPER_BODY; i++) {
        const struct kc_posenet_keypoint *p = &a->pose.keypoints[i], *q = &b->pose.keypoints[i];
        if (p->score < KC_POSTURE_MIN_SCORE || q->score < KC_POSTURE_MIN_SCORE) continue;
        sum += hypot(q->x - p->x, q->y - p->y);
        k++;
    }
    if (k < MIN_MOVING_POINTS) return NAN;
    return sum / k / ((wa + wb) / 2) / dt;
}

static void finish(struct kc_metric *m, const struct kc_vision_acc *a, long need, double *sd)
{
    *sd = kc_vision_acc_sd(a);
    if (a->n < need) {
        m->samples = a->n;
        kc_metric_insufficient(m, "%ld usable pose samples, %ld needed", a->n, need);
        return;
    }
    kc_metric_set(m, a->mean, a->n, *sd / sqrt((double)a->n));
}

void kc_posture_metrics(const struct kc_posture_sample *s, size_t n, double t0, double t1,
                        float base_width, struct kc_metric *tilt, double *tilt_sd,
                        struct kc_metric *lean, double *lean_sd, struct kc_metric *energy,
                        double *energy_sd)
{
    struct kc_vision_acc at = {0}, al = {0}, ae = {0};
    const struct kc_posture_sample *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i].t < t0 || s[i].t >= t1) continue;
        float tl, w;
        if (kc_posture_shoulders(&s[i].pose, &tl, &w)) {
            kc_vision_acc_add(&at, tl);
            if (isfinite(base_width) && base_width > 0) kc_vision_acc_add(&al, w / base_width - 1);
        }
        if (prev) {
            double e = movement(prev, &s[i]);
            if (isfinite(e)) kc_vision_acc_add(&ae, e);
        }
        prev = &s[i];
    }
    finish(tilt, &at, KC_POSTURE_MIN_SAMPLES, tilt_sd);
    finish(lean, &al, KC_POSTURE_MIN_SAMPLES, lean_sd);
    finish(energy, &ae, 2, energy_sd);
}
