/*
 * expression.c — mouth geometry, the smile baseline and rule, the emotion face crop
 * (expression.h). Vectors are float[3] in FaceMesh crop pixels.
 */
#include "expression.h"

#include <math.h>
#include <stdlib.h>

#include "face_track.h"
#include "vision_stats.h"

static void sub3(const float *a, const float *b, float *d)
{
    d[0] = a[0] - b[0], d[1] = a[1] - b[1], d[2] = a[2] - b[2];
}

static float dot3(const float *a, const float *b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static float norm3(const float *a)
{
    return sqrtf(dot3(a, a));
}

int kc_expression_mouth(const float (*p)[3], struct kc_mouth *out)
{
    float ex[3], ey[3], mw[3], d[3], mid[3];
    if (!p || !out) return -1;
    sub3(p[263], p[33], ex);
    float iod = norm3(ex);
    if (!(iod > 1e-6f)) return -1;
    for (int k = 0; k < 3; k++) ex[k] /= iod;
    sub3(p[152], p[10], ey);
    float along = dot3(ey, ex);
    for (int k = 0; k < 3; k++) ey[k] -= along * ex[k];
    float h = norm3(ey);
    if (!(h > 1e-6f)) return -1;
    for (int k = 0; k < 3; k++) ey[k] /= h;
    sub3(p[291], p[61], mw);
    for (int k = 0; k < 3; k++) mid[k] = (p[61][k] + p[291][k]) / 2;
    sub3(p[13], mid, d);
    out->width_ratio = norm3(mw) / iod;
    out->corner_lift = dot3(d, ey) / iod;
    return isfinite(out->width_ratio) && isfinite(out->corner_lift) ? 0 : -1;
}

int kc_smile_baseline(const struct kc_mouth *m, size_t n, struct kc_smile_baseline *out)
{
    out->width_ratio = out->corner_lift = NAN;
    out->frames = 0;
    if (!m || n == 0) return 0;
    float *v = malloc(n * sizeof *v);
    if (!v) return -1;
    size_t good = 0;
    for (size_t i = 0; i < n; i++) good += isfinite(m[i].width_ratio) != 0;
    int rc = 0;
    if (good >= KC_SMILE_MIN_FRAMES) {
        for (size_t i = 0; i < n; i++) v[i] = m[i].width_ratio;
        rc |= kc_vision_quantile(v, n, KC_SMILE_BASELINE_Q, &out->width_ratio);
        for (size_t i = 0; i < n; i++) v[i] = m[i].corner_lift;
        rc |= kc_vision_quantile(v, n, KC_SMILE_BASELINE_Q, &out->corner_lift);
    }
    out->frames = good;
    free(v);
    return rc ? -1 : 0;
}

bool kc_smile_is(const struct kc_mouth *m, const struct kc_smile_baseline *b)
{
    if (!m || !b || !isfinite(b->width_ratio) || !isfinite(b->corner_lift)) return false;
    return m->width_ratio >= (1.0f + KC_SMILE_WIDTH_GAIN) * b->width_ratio &&
           m->corner_lift >= b->corner_lift + KC_SMILE_LIFT_GAIN;
}

struct kc_affine kc_expression_face_box(const float (*mesh)[2], int size)
{
    return kc_face_track_crop_from_mesh(mesh, 1.0f, size);
}

int kc_expression_emotion(struct kc_emotion *model, const struct kc_image *img,
                          const float (*mesh)[2], float probs[KC_EMOTION_CLASSES],
                          struct kc_err *err)
{
    if (!model || !img || !mesh) return kc_err_set(err, KC_E_INVALID, "emotion: no input");
    struct kc_affine box = kc_expression_face_box(mesh, KC_EMOTION_SIZE);
    return kc_emotion_run_image(model, img, &box, probs, err);
}
