/*
 * eyes.c — EAR, blink detection, iris offsets and the eye-contact rule (eyes.h).
 *
 * The landmark tables below are FaceMesh indices; "image-left"/"image-right" corners are for a
 * frontal face. The blink detector is a two-threshold state machine over the EAR series; it
 * keeps only indices, so it needs no memory beyond the baseline's scratch copy.
 */
#include "eyes.h"

#include <math.h>

#include "vision_stats.h"

/* p1..p6 of the EAR formula for each eye (enum kc_eye order). */
static const int ear_points[2][6] = {{33, 160, 158, 133, 153, 144}, {362, 385, 387, 263, 373, 380}};
/* image-left corner, image-right corner, upper lid centre, lower lid centre */
static const int eye_frame[2][4] = {{33, 133, 159, 145}, {362, 263, 386, 374}};

static float dist(const float *a, const float *b)
{
    return hypotf(a[0] - b[0], a[1] - b[1]);
}

float kc_eyes_ear(const float (*mesh)[2], enum kc_eye eye)
{
    if (!mesh || (eye != KC_EYE_RIGHT && eye != KC_EYE_LEFT)) return NAN;
    const int *p = ear_points[eye];
    float w = dist(mesh[p[0]], mesh[p[3]]);
    if (!(w > 1e-6f)) return NAN;
    return (dist(mesh[p[1]], mesh[p[5]]) + dist(mesh[p[2]], mesh[p[4]])) / (2.0f * w);
}

float kc_eyes_ear_mean(const float (*mesh)[2])
{
    return 0.5f * (kc_eyes_ear(mesh, KC_EYE_RIGHT) + kc_eyes_ear(mesh, KC_EYE_LEFT));
}

int kc_eyes_gaze_offset(const float (*mesh)[2], enum kc_eye eye, float iris_x, float iris_y,
                        struct kc_eye_gaze *out)
{
    if (!mesh || !out || (eye != KC_EYE_RIGHT && eye != KC_EYE_LEFT)) return -1;
    const int *f = eye_frame[eye];
    const float *a = mesh[f[0]], *b = mesh[f[1]], *up = mesh[f[2]], *lo = mesh[f[3]];
    float w = dist(a, b);
    if (!(w > 1e-6f) || !isfinite(iris_x) || !isfinite(iris_y)) return -1;
    float ex = (b[0] - a[0]) / w, ey = (b[1] - a[1]) / w; /* eye axis; its normal (-ey, ex) */
    float dx = iris_x - (a[0] + b[0]) / 2, dy = iris_y - (a[1] + b[1]) / 2;
    out->h = (dx * ex + dy * ey) / w;
    dx = iris_x - (up[0] + lo[0]) / 2;
    dy = iris_y - (up[1] + lo[1]) / 2;
    out->v = (-dx * ey + dy * ex) / w;
    return 0;
}

int kc_eyes_iris(struct kc_iris *model, const struct kc_image *img, const float (*mesh)[2],
                 struct kc_eye_gaze *out, struct kc_err *err)
{
    struct kc_eye_gaze g[2];
    static struct kc_iris_result zero; /* read-only template */
    for (int e = 0; e < 2; e++) {
        const int *f = eye_frame[e];
        struct kc_iris_result r = zero;
        struct kc_affine crop = kc_iris_eye_crop(mesh[f[0]][0], mesh[f[0]][1], mesh[f[1]][0],
                                                 mesh[f[1]][1], e == KC_EYE_RIGHT);
        if (kc_iris_run_image(model, img, &crop, &r, err) != 0) return -1;
        if (kc_eyes_gaze_offset(mesh, (enum kc_eye)e, r.iris_image[0][0], r.iris_image[0][1],
                                &g[e]) != 0) {
            return kc_err_set(err, KC_E_UNPROCESSABLE, "degenerate eye landmarks");
        }
    }
    out->h = 0.5f * (g[0].h + g[1].h);
    out->v = 0.5f * (g[0].v + g[1].v);
    return 0;
}

bool kc_eyes_contact(float yaw_deg, float pitch_deg, const struct kc_eye_gaze *g)
{
    return g && fabsf(yaw_deg) <= KC_EYE_CONTACT_MAX_YAW &&
           fabsf(pitch_deg) <= KC_EYE_CONTACT_MAX_PITCH && fabsf(g->h) <= KC_EYE_CONTACT_MAX_H &&
           fabsf(g->v) <= KC_EYE_CONTACT_MAX_V;
}

struct kc_blink_params kc_blink_params_default(void)
{
    struct kc_blink_params p = {0.75f, 0.85f, 0.05, 0.5, 0.25};
    return p;
}

size_t kc_eyes_blinks(const double *t, const float *ear, size_t n, const struct kc_blink_params *p,
                      struct kc_blink *out, size_t cap, float *baseline)
{
    struct kc_blink_params d = kc_blink_params_default();
    if (!p) p = &d;
    if (!out) cap = 0;
    float base = NAN;
    if (baseline) *baseline = NAN;
    if (!t || !ear || n == 0) return 0;
    if (kc_vision_median(ear, n, &base) != 0) return (size_t)-1;
    if (baseline) *baseline = base;
    if (!isfinite(base)) return 0;
    float close = p->close_ratio * base, reopen = p->reopen_ratio * base;
    size_t count = 0, start = 0;
    int in_blink = 0, armed = 0; /* armed: an open-eye sample was seen since the last gap */
    float min_ear = 0;
    for (size_t i = 0; i < n; i++) {
        if ((i > 0 && t[i] - t[i - 1] > p->max_gap_s) || !isfinite(ear[i])) {
            in_blink = armed = 0; /* a hole in the track: the closure's start is unknown */
            continue;
        }
        if (!in_blink) {
            if (armed && ear[i] < close) in_blink = 1, start = i, min_ear = ear[i];
            if (ear[i] >= reopen) armed = 1;
            continue;
        }
        if (ear[i] < min_ear) min_ear = ear[i];
        if (ear[i] < reopen) continue;
        in_blink = 0;
        double dur = t[i] - t[start];
        if (dur < p->min_s || dur > p->max_s) continue;
        if (count < cap) {
            out[count].start = t[start];
            out[count].end = t[i];
            out[count].min_ear = min_ear;
        }
        count++;
    }
    return count;
}
