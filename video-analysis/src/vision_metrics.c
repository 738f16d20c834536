/*
 * vision_metrics.c — the vision metrics over a time span, the emotion summary (policy on only)
 * and the per-second timelines, from the per-frame records of vision_run.c.
 *
 * Whole-recording references are computed once (kc_vision_data_init): the blink list (against
 * the person's EAR baseline), the nod list, the smile baseline and the shoulder-width baseline.
 * A span's metric then counts the frames, blinks and nods inside [t0, t1) — so a question's
 * smile ratio is measured against the same personal neutral as the whole interview.
 *
 * Uncertainty (vision_stats.h): seconds are the independent samples. A ratio p measured over
 * frames spread across s distinct seconds has sqrt(p (1 - p) / s); a mean has the standard
 * deviation of its per-second means over sqrt(s) (NaN with a single second); a rate of events
 * has the Poisson sqrt(count) per observed minute. Counts (nods) have none (NaN): their error
 * is the detector's, not a sampling error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head_pose.h"
#include "timeline.h"
#include "vision_internal.h"
#include "vision_stats.h"

#define MIN_FACE_FRAMES    15 /* a second of landmarks at 15 fps */
#define MIN_IRIS_FRAMES    5  /* a second of iris at 5 fps */
#define MIN_EMOTION_FRAMES 3
#define MIN_BLINK_FACE_S   10.0 /* face time for a blink rate (~3 blinks at a typical rate) */
#define BLINK_MIN_FPS      15.0
#define FPS_TOLERANCE      0.97 /* 29.97 fps sources sampled at 15 give 14.985 */

/* ---- per-second blocks -------------------------------------------------------------------- */

struct blocked {
    long sec;   /* current second, -1 before the first sample */
    double sum; /* of the current second */
    long cnt;
    struct kc_vision_acc all;   /* every sample */
    struct kc_vision_acc means; /* per-second means */
};

static void blk_init(struct blocked *b)
{
    memset(b, 0, sizeof *b);
    b->sec = -1;
}

static void blk_flush(struct blocked *b)
{
    if (b->cnt) kc_vision_acc_add(&b->means, b->sum / (double)b->cnt);
    b->sum = 0;
    b->cnt = 0;
}

static void blk_add(struct blocked *b, double t, double v)
{
    long s = (long)floor(t);
    if (s != b->sec) {
        blk_flush(b);
        b->sec = s;
    }
    b->sum += v;
    b->cnt++;
    kc_vision_acc_add(&b->all, v);
}

static double ratio_se(const struct blocked *b)
{
    double p = b->all.mean;
    return b->means.n > 0 ? sqrt(p * (1 - p) / (double)b->means.n) : NAN;
}

static double mean_se(const struct blocked *b)
{
    return b->means.n > 1 ? kc_vision_acc_sd(&b->means) / sqrt((double)b->means.n) : NAN;
}

/* ---- definitions -------------------------------------------------------------------------- */

static const char def_presence[] =
    "Analysed frames in which a face was found (BlazeFace detection, then FaceMesh face "
    "probability >= 0.5 while tracking) divided by all analysed frames.";
static const char def_contact[] =
    "Among analysed frames with an iris measurement: the fraction in which the head faces the "
    "camera (|yaw| <= 15 deg and |pitch| <= 15 deg, relative to the line of sight) AND both irises "
    "are centred in the eye (mean iris offset from the eye centre <= 0.10 eye widths horizontally "
    "and <= 0.12 vertically). A proxy for looking at the camera, not a gaze direction.";
static const char def_blinks[] =
    "Blinks per minute of face time. A blink is a dip of the eye aspect ratio (FaceMesh eyelid "
    "points, both eyes averaged) below 0.75 x the person's median, back above 0.85 x within "
    "0.05-0.5 s. Needs an eye track of >= 15 analysed frames per second and >= 10 s of face.";
static const char def_smile[] =
    "Fraction of face frames with a smile as a physical mouth movement (not an emotion): mouth "
    "width / inter-ocular distance >= 1.10 x the person's own neutral AND mouth corners raised "
    ">= 0.02 inter-ocular distances relative to the upper lip centre above neutral, measured in "
    "the head's frame; neutral = 20th percentile of each over the whole recording.";
static const char def_yaw[] =
    "Head yaw from a PnP fit of a canonical 3D face to 12 FaceMesh landmarks (pinhole camera "
    "with an assumed 65 deg field of view), relative to the line of sight; > 0 turned to the "
    "image's right. Mean over face frames; spread_sd is the standard deviation.";
static const char def_pitch[] =
    "Head pitch from the same PnP fit; > 0 chin up, relative to the line of sight. Mean over face "
    "frames; spread_sd is the standard deviation.";
static const char def_roll[] =
    "Head roll from the same PnP fit; > 0 tilted clockwise in the image. Mean over face frames; "
    "spread_sd is the standard deviation.";
static const char def_nods[] =
    "Number of nods: the head pitch (3-frame median) goes down and back up by >= 4 deg each way, "
    "the dip lasting <= 1 s at half depth.";

/* ---- availability ------------------------------------------------------------------------- */

static const char *const needs_names[KC_VM_COUNT] = {"BlazeFace", "FaceMesh", "Iris", "Emotion",
                                                     "PoseNet"};

/* Marks m unavailable when one of the models in `mask` (1 << model) is not usable. */
static bool needs(const struct kc_vision_data *d, struct kc_metric *m, unsigned mask)
{
    for (int i = 0; i < KC_VM_COUNT; i++) {
        if (!(mask & (1u << i)) || d->catalog->usable[i]) continue;
        kc_metric_unavailable(m, "needs %s: %s", needs_names[i],
                              d->catalog->reason[i][0] ? d->catalog->reason[i] : "not loaded");
        return false;
    }
    return true;
}

#define NEED_FACE (1u << KC_VM_BLAZEFACE)
#define NEED_MESH (NEED_FACE | (1u << KC_VM_FACEMESH))
#define NEED_IRIS (NEED_MESH | (1u << KC_VM_IRIS))

static int add(json_t *obj, const struct kc_metric *m, const char *extra, double extra_v)
{
    json_t *j = kc_metric_to_json(m);
    if (!j) return -1;
    if (extra && m->status == KC_METRIC_OK && isfinite(extra_v))
        json_object_set_new(j, extra, json_real(extra_v));
    return json_object_set_new(obj, m->name, j);
}

static struct kc_metric behavioural(const char *name, const char *unit, const char *def)
{
    struct kc_metric m = kc_metric_init(name, unit, def);
    m.not_scored = true;
    return m;
}

/* ---- the metrics -------------------------------------------------------------------------- */

struct span {
    struct blocked presence, contact, smile, yaw, pitch, roll;
    long mesh, head;
    size_t blinks, nods;
};

static void gather(const struct kc_vision_data *d, double t0, double t1, struct span *s)
{
    memset(s, 0, sizeof *s);
    blk_init(&s->presence), blk_init(&s->contact), blk_init(&s->smile);
    blk_init(&s->yaw), blk_init(&s->pitch), blk_init(&s->roll);
    for (size_t i = 0; i < d->n; i++) {
        const struct kc_vision_frame *f = &d->f[i];
        if (f->t < t0 || f->t >= t1) continue;
        blk_add(&s->presence, f->t, (f->flags & KC_VF_FACE) ? 1 : 0);
        if (f->flags & KC_VF_MESH) {
            s->mesh++;
            if (isfinite(d->smile.width_ratio))
                blk_add(&s->smile, f->t, kc_smile_is(&f->mouth, &d->smile) ? 1 : 0);
        }
        if (f->flags & KC_VF_HEAD) {
            s->head++;
            blk_add(&s->yaw, f->t, f->yaw);
            blk_add(&s->pitch, f->t, f->pitch);
            blk_add(&s->roll, f->t, f->roll);
            if (f->flags & KC_VF_IRIS)
                blk_add(&s->contact, f->t, kc_eyes_contact(f->yaw, f->pitch, &f->gaze) ? 1 : 0);
        }
    }
    struct blocked *all[] = {&s->presence, &s->contact, &s->smile, &s->yaw, &s->pitch, &s->roll};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) blk_flush(all[k]);
    for (size_t i = 0; i < d->n_blinks; i++)
        s->blinks += d->blinks[i].start >= t0 && d->blinks[i].start < t1;
    for (size_t i = 0; i < d->n_nods; i++) s->nods += d->nods[i] >= t0 && d->nods[i] < t1;
}

static void ratio_metric(struct kc_metric *m, const struct blocked *b, long need)
{
    if (b->all.n < need) {
        m->samples = b->all.n;
        kc_metric_insufficient(m, "%ld frames measured, %ld needed", b->all.n, need);
        return;
    }
    kc_metric_set(m, b->all.mean, b->all.n, ratio_se(b));
}

static int angle_metric(json_t *out, const struct kc_vision_data *d, const char *name,
                        const char *def, const struct blocked *b)
{
    struct kc_metric m = behavioural(name, "deg", def);
    if (needs(d, &m, NEED_MESH)) {
        if (b->all.n < MIN_FACE_FRAMES) {
            m.samples = b->all.n;
            kc_metric_insufficient(&m, "%ld face frames, %d needed", b->all.n, MIN_FACE_FRAMES);
        } else {
            kc_metric_set(&m, b->all.mean, b->all.n, mean_se(b));
        }
    }
    return add(out, &m, "spread_sd", kc_vision_acc_sd(&b->all));
}

static int blink_metric(json_t *out, const struct kc_vision_data *d, const struct span *s)
{
    struct kc_metric m = behavioural("blinks_per_minute", "blinks/min", def_blinks);
    if (!needs(d, &m, NEED_MESH)) return add(out, &m, NULL, 0);
    double face_s = d->eye_track_fps > 0 ? (double)s->mesh / d->eye_track_fps : 0;
    m.samples = s->mesh;
    if (d->eye_track_fps < BLINK_MIN_FPS * FPS_TOLERANCE) {
        kc_metric_insufficient(&m, "eye track at %.1f analysed fps; blinks need >= %.0f",
                               d->eye_track_fps, BLINK_MIN_FPS);
    } else if (face_s < MIN_BLINK_FACE_S) {
        kc_metric_insufficient(&m, "%.1f s of face, %.0f s needed", face_s, MIN_BLINK_FACE_S);
    } else {
        double minutes = face_s / 60.0;
        kc_metric_set(&m, (double)s->blinks / minutes, s->mesh,
                      sqrt(fmax(1.0, (double)s->blinks)) / minutes);
    }
    json_t *j = kc_metric_to_json(&m);
    if (!j) return -1;
    if (m.status == KC_METRIC_OK) {
        json_object_set_new(j, "count", json_integer((json_int_t)s->blinks));
        json_object_set_new(j, "face_time_s", json_real(round(face_s * 100) / 100));
        json_object_set_new(j, "eye_track_fps", json_real(round(d->eye_track_fps * 100) / 100));
        json_object_set_new(j, "ear_baseline", json_real(round(d->ear_baseline * 1e4) / 1e4));
    }
    return json_object_set_new(out, m.name, j);
}

static int nod_metric(json_t *out, const struct kc_vision_data *d, const struct span *s)
{
    struct kc_metric m = behavioural("nods", "count", def_nods);
    double per_min = NAN;
    if (needs(d, &m, NEED_MESH)) {
        if (s->head < MIN_FACE_FRAMES) {
            m.samples = s->head;
            kc_metric_insufficient(&m, "%ld face frames, %d needed", s->head, MIN_FACE_FRAMES);
        } else {
            kc_metric_set(&m, (double)s->nods, s->head, NAN);
            if (d->eye_track_fps > 0) per_min = (double)s->nods / (s->head / d->eye_track_fps / 60);
        }
    }
    return add(out, &m, "per_minute", per_min);
}

static int posture_metrics(json_t *out, const struct kc_vision_data *d, double t0, double t1)
{
    struct kc_metric tilt = kc_posture_metric_tilt(), lean = kc_posture_metric_lean(),
                     energy = kc_posture_metric_energy();
    double sd_t = NAN, sd_l = NAN, sd_e = NAN;
    unsigned need = 1u << KC_VM_POSENET;
    bool ok = needs(d, &tilt, need);
    ok = needs(d, &lean, need) && ok;
    ok = needs(d, &energy, need) && ok;
    if (ok) {
        kc_posture_metrics(d->pose, d->n_pose, t0, t1, d->shoulder_width, &tilt, &sd_t, &lean,
                           &sd_l, &energy, &sd_e);
    }
    int rc = add(out, &tilt, "spread_sd", sd_t);
    rc |= add(out, &lean, "spread_sd", sd_l);
    rc |= add(out, &energy, "spread_sd", sd_e);
    return rc;
}

json_t *kc_vision_metrics_json(const struct kc_vision_data *d, double t0, double t1)
{
    struct span s;
    json_t *out = json_object();
    if (!out) return NULL;
    gather(d, t0, t1, &s);
    struct kc_metric m = behavioural("face_presence_ratio", "ratio", def_presence);
    if (needs(d, &m, NEED_FACE)) {
        if (s.presence.all.n == 0)
            kc_metric_insufficient(&m, "no analysed frames in this span");
        else
            kc_metric_set(&m, s.presence.all.mean, s.presence.all.n, ratio_se(&s.presence));
    }
    int rc = add(out, &m, NULL, 0);
    m = behavioural("eye_contact_ratio", "ratio", def_contact);
    if (needs(d, &m, NEED_IRIS)) ratio_metric(&m, &s.contact, MIN_IRIS_FRAMES);
    rc |= add(out, &m, NULL, 0);
    rc |= blink_metric(out, d, &s);
    m = behavioural("smile_ratio", "ratio", def_smile);
    if (needs(d, &m, NEED_MESH)) {
        if (!isfinite(d->smile.width_ratio)) {
            m.samples = (long)d->smile.frames;
            kc_metric_insufficient(&m,
                                   "%zu face frames in the recording; the neutral baseline "
                                   "needs %d",
                                   d->smile.frames, KC_SMILE_MIN_FRAMES);
        } else {
            ratio_metric(&m, &s.smile, MIN_FACE_FRAMES);
        }
    }
    rc |= add(out, &m, NULL, 0);
    rc |= angle_metric(out, d, "head_yaw_deg", def_yaw, &s.yaw);
    rc |= angle_metric(out, d, "head_pitch_deg", def_pitch, &s.pitch);
    rc |= angle_metric(out, d, "head_roll_deg", def_roll, &s.roll);
    rc |= nod_metric(out, d, &s);
    rc |= posture_metrics(out, d, t0, t1);
    if (rc) {
        json_decref(out);
        return NULL;
    }
    return out;
}
