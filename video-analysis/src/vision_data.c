/*
 * vision_data.c — whole-recording references (blinks, nods, smile and shoulder baselines), the
 * per-second timelines and the emotion summary.
 *
 * The emotion functions are only ever called when the company policy enabled the model
 * (vision.c); with the policy off no record carries KC_VF_EMOTION and nothing here runs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "head_pose.h"
#include "timeline.h"
#include "vision_internal.h"

#define MIN_EMOTION_FRAMES 3
#define NOD_MAX_GAP_S      0.5 /* a longer hole in the face track restarts the nod filter */

static const char def_emotion[] =
    "Descriptive output of a 7-class facial-expression classifier (mini-Xception, FER-2013 "
    "classes) on the eye-levelled face crop, sampled at the emotion rate: the mean probability "
    "of each class over the sampled face frames and the class with the highest mean. Enabled by "
    "company policy; expressions are not emotions and this never feeds any score.";

/* Collect t and one float of the frames that have all `flags`. */
static size_t series(const struct kc_vision_run *r, unsigned flags, double *t, float *v, int which)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_frames; i++) {
        const struct kc_vision_frame *f = &r->frames[i];
        if ((f->flags & flags) != flags) continue;
        t[n] = f->t;
        v[n++] = which == 0 ? f->ear : f->pitch;
    }
    return n;
}

static int references(struct kc_vision_data *d, const struct kc_vision_run *r, double *t, float *v)
{
    size_t n = series(r, KC_VF_MESH, t, v, 0);
    struct kc_blink_params bp = kc_blink_params_default();
    bp.max_gap_s = d->eye_track_fps > 0 ? 2.5 / d->eye_track_fps : bp.max_gap_s;
    d->blinks = malloc((n / 2 + 1) * sizeof *d->blinks);
    if (!d->blinks) return -1;
    size_t nb = kc_eyes_blinks(t, v, n, &bp, d->blinks, n / 2 + 1, &d->ear_baseline);
    if (nb == (size_t)-1) return -1;
    d->n_blinks = nb;
    n = series(r, KC_VF_HEAD, t, v, 1);
    d->nods = malloc((n / 2 + 1) * sizeof *d->nods);
    if (!d->nods) return -1;
    d->n_nods = kc_head_pose_nods(t, v, n, NOD_MAX_GAP_S, d->nods, n / 2 + 1);
    struct kc_mouth *m = malloc((r->n_frames + 1) * sizeof *m);
    if (!m) return -1;
    size_t nm = 0;
    for (size_t i = 0; i < r->n_frames; i++)
        if (r->frames[i].flags & KC_VF_MESH) m[nm++] = r->frames[i].mouth;
    int rc = kc_smile_baseline(m, nm, &d->smile);
    free(m);
    return rc;
}

int kc_vision_data_init(struct kc_vision_data *d, const struct kc_vision_run *r, struct kc_err *err)
{
    memset(d, 0, sizeof *d);
    d->f = r->frames;
    d->n = r->n_frames;
    d->pose = r->poses;
    d->n_pose = r->n_poses;
    d->catalog = r->catalog;
    d->ear_baseline = NAN;
    d->shoulder_width = NAN;
    if (d->n >= 2 && d->f[d->n - 1].t > d->f[0].t)
        d->eye_track_fps = (double)(d->n - 1) / (d->f[d->n - 1].t - d->f[0].t);
    double *t = malloc((d->n + 1) * sizeof *t);
    float *v = malloc((d->n + 1) * sizeof *v);
    int rc = t && v ? references(d, r, t, v) : -1;
    free(t);
    free(v);
    if (rc == 0) rc = kc_posture_baseline(r->poses, r->n_poses, &d->shoulder_width);
    if (rc != 0) {
        kc_vision_data_free(d);
        return kc_err_set(err, KC_E_NOMEM, "out of memory for the vision metrics");
    }
    return 0;
}

void kc_vision_data_free(struct kc_vision_data *d)
{
    free(d->blinks);
    free(d->nods);
    d->blinks = NULL;
    d->nods = NULL;
}

/* ---- emotion (policy on) ------------------------------------------------------------------ */

json_t *kc_vision_emotion_json(const struct kc_vision_data *d, double t0, double t1)
{
    const struct kc_vision_catalog *c = d->catalog;
    json_t *o = json_pack("{s:b,s:s,s:s}", "not_scored", 1, "policy",
                          "enabled by the company's administrator; descriptive only", "definition",
                          def_emotion);
    if (!o) return NULL;
    if (!c->usable[KC_VM_EMOTION]) {
        json_object_set_new(o, "status", json_string("unavailable"));
        json_object_set_new(o, "reason", json_string(c->reason[KC_VM_EMOTION]));
        return o;
    }
    double sum[KC_EMOTION_CLASSES] = {0};
    long n = 0, face = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct kc_vision_frame *f = &d->f[i];
        if (f->t < t0 || f->t >= t1) continue;
        face += (f->flags & KC_VF_FACE) != 0;
        if (!(f->flags & KC_VF_EMOTION)) continue;
        for (int k = 0; k < KC_EMOTION_CLASSES; k++) sum[k] += f->emotion[k];
        n++;
    }
    json_object_set_new(o, "samples", json_integer(n));
    json_object_set_new(o, "unit", json_string("probability"));
    if (n < MIN_EMOTION_FRAMES) {
        json_object_set_new(o, "status", json_string("insufficient_data"));
        json_object_set_new(o, "reason", json_string("fewer than 3 face frames were classified"));
        return o;
    }
    json_t *per = json_object();
    int best = 0;
    for (int k = 0; k < KC_EMOTION_CLASSES; k++) {
        json_object_set_new(per, kc_emotion_labels[k], json_real(round(sum[k] / n * 1e4) / 1e4));
        if (sum[k] > sum[best]) best = k;
    }
    json_object_set_new(o, "status", json_string("ok"));
    json_object_set_new(o, "dominant", json_string(kc_emotion_labels[best]));
    json_object_set_new(o, "per_class_mean", per);
    if (face > 0 && d->eye_track_fps > 0)
        json_object_set_new(o, "rate_fps", json_real(n / (face / d->eye_track_fps)));
    return o;
}

/* ---- timelines ---------------------------------------------------------------------------- */

enum { TL_CONTACT, TL_YAW, TL_PITCH, TL_SMILE, TL_EMOTION, TL_COUNT = TL_EMOTION + 7 };

static void fill(const struct kc_vision_data *d, struct kc_timeline *tl)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct kc_vision_frame *f = &d->f[i];
        if (f->flags & KC_VF_HEAD) {
            kc_timeline_add(&tl[TL_YAW], f->t, f->yaw);
            kc_timeline_add(&tl[TL_PITCH], f->t, f->pitch);
            if (f->flags & KC_VF_IRIS)
                kc_timeline_add(&tl[TL_CONTACT], f->t,
                                kc_eyes_contact(f->yaw, f->pitch, &f->gaze) ? 1 : 0);
        }
        if ((f->flags & KC_VF_MESH) && isfinite(d->smile.width_ratio))
            kc_timeline_add(&tl[TL_SMILE], f->t, kc_smile_is(&f->mouth, &d->smile) ? 1 : 0);
        if (f->flags & KC_VF_EMOTION)
            for (int k = 0; k < KC_EMOTION_CLASSES; k++)
                kc_timeline_add(&tl[TL_EMOTION + k], f->t, f->emotion[k]);
    }
}

static json_t *emotion_timeline(const struct kc_timeline *tl)
{
    json_t *labels = json_array(), *probs = json_array();
    for (int k = 0; k < KC_EMOTION_CLASSES; k++)
        json_array_append_new(labels, json_string(kc_emotion_labels[k]));
    for (size_t s = 0; s < tl[TL_EMOTION].n; s++) {
        if (!isfinite(kc_timeline_mean(&tl[TL_EMOTION], s))) {
            json_array_append_new(probs, json_null());
            continue;
        }
        json_t *row = json_array();
        for (int k = 0; k < KC_EMOTION_CLASSES; k++)
            json_array_append_new(
                row, json_real(round(kc_timeline_mean(&tl[TL_EMOTION + k], s) * 1000) / 1000));
        json_array_append_new(probs, row);
    }
    return json_pack("{s:o,s:o}", "labels", labels, "probabilities", probs);
}

json_t *kc_vision_timelines_json(const struct kc_vision_data *d, double duration, bool emotion)
{
    struct kc_timeline tl[TL_COUNT];
    int ok = 1;
    for (int i = 0; i < TL_COUNT; i++) ok &= kc_timeline_init(&tl[i], duration, 1.0) == 0;
    json_t *o = ok ? json_object() : NULL;
    if (o) {
        const bool *u = d->catalog->usable;
        bool mesh = u[KC_VM_BLAZEFACE] && u[KC_VM_FACEMESH];
        fill(d, tl);
        json_object_set_new(o, "step_s", json_real(1.0));
        json_object_set_new(o, "eye_contact",
                            mesh && u[KC_VM_IRIS] ? kc_timeline_json(&tl[TL_CONTACT], 3)
                                                  : json_null());
        json_object_set_new(o, "head_yaw", mesh ? kc_timeline_json(&tl[TL_YAW], 1) : json_null());
        json_object_set_new(o, "head_pitch",
                            mesh ? kc_timeline_json(&tl[TL_PITCH], 1) : json_null());
        json_object_set_new(o, "smile", mesh ? kc_timeline_json(&tl[TL_SMILE], 3) : json_null());
        if (emotion)
            json_object_set_new(o, "emotion",
                                u[KC_VM_EMOTION] && mesh ? emotion_timeline(tl) : json_null());
    }
    for (int i = 0; i < TL_COUNT; i++) kc_timeline_free(&tl[i]);
    return o;
}
