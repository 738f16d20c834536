/*
 * vision.c — the entry point of the vision pipeline (vision.h): options and question checks,
 * the run (vision_run.c), and the assembly of the result object from the metrics
 * (vision_metrics.c), the emotion summary and timelines (vision_data.c), rates, model hashes
 * and stage timings.
 *
 * Policy: the emotion model is only put into the catalog when emotion_enabled is set; with it
 * off no worker opens it, no frame is planned for it, and the only trace in the result is
 * "emotion": {"status": "disabled by policy"} (tests/test_vision.c walks the whole result to
 * check that no emotion number or label appears anywhere else).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vision_internal.h"

#define MAX_THREADS 8

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct kc_vision_options kc_vision_options_default(void)
{
    struct kc_vision_options o = {.mesh_fps = 15,
                                  .iris_fps = 5,
                                  .pose_fps = 1,
                                  .emotion_enabled = 0,
                                  .emotion_fps = 5,
                                  .threads = 0,
                                  .assets_dir = NULL,
                                  .max_side = 1280};
    return o;
}

static int rate(double *v, double def, double max, const char *name, struct kc_err *err)
{
    if (*v == 0) *v = def;
    if (!isfinite(*v) || *v < 0.01 || *v > 1000)
        return kc_err_field(err, KC_E_INVALID, name, "%s must be a rate in frames per second",
                            name);
    if (*v > max) *v = max; /* a model cannot run on more frames than are analysed */
    return 0;
}

static int normalise(const struct kc_vision_options *in, struct kc_vision_options *o,
                     struct kc_err *err)
{
    *o = in ? *in : kc_vision_options_default();
    if (o->mesh_fps == 0) o->mesh_fps = 15;
    if (!isfinite(o->mesh_fps) || o->mesh_fps < 1 || o->mesh_fps > 120)
        return kc_err_field(err, KC_E_INVALID, "mesh_fps", "mesh_fps must be within 1..120");
    if (rate(&o->iris_fps, 5, o->mesh_fps, "iris_fps", err) ||
        rate(&o->pose_fps, 1, o->mesh_fps, "pose_fps", err) ||
        rate(&o->emotion_fps, 5, o->mesh_fps, "emotion_fps", err))
        return -1;
    if (o->threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        o->threads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
    }
    if (o->threads > 64) return kc_err_field(err, KC_E_INVALID, "threads", "threads above 64");
    if (o->max_side <= 0) o->max_side = 1280;
    if (o->max_side < 64) return kc_err_field(err, KC_E_INVALID, "max_side", "max_side below 64");
    o->emotion_enabled = o->emotion_enabled != 0;
    return 0;
}

static int check_questions(const struct kc_speech_question *q, size_t nq, struct kc_err *err)
{
    if (nq > 0 && !q) return kc_err_field(err, KC_E_INVALID, "questions", "questions missing");
    for (size_t i = 0; i < nq; i++) {
        json_t *id = q[i].id ? json_string(q[i].id) : NULL; /* NULL: absent or not UTF-8 */
        json_decref(id);
        if (!id || strlen(q[i].id) > 256)
            return kc_err_field(err, KC_E_INVALID, "questions",
                                "question %zu: id missing, longer than 256 bytes or not UTF-8", i);
        if (!isfinite(q[i].start) || !isfinite(q[i].end) || q[i].start < 0 ||
            q[i].end <= q[i].start)
            return kc_err_field(err, KC_E_INVALID, "questions",
                                "question %zu: needs 0 <= start < end (seconds)", i);
    }
    return 0;
}

/* ---- result parts ------------------------------------------------------------------------- */

static json_t *media_json(const struct kc_media_info *info, const struct kc_vision_run *r)
{
    json_t *o = json_pack("{s:f,s:i,s:i,s:f,s:s}", "duration_s", info->duration_s, "width",
                          info->video.width, "height", info->video.height, "source_fps",
                          info->video.fps, "codec", info->video.codec);
    if (o && r) {
        json_object_set_new(o, "analysed_frames", json_integer((json_int_t)r->n_frames));
        json_object_set_new(o, "decode_errors", json_integer(r->video_stats.errors));
        json_object_set_new(o, "read_error", json_boolean(r->video_stats.read_error));
        json_object_set_new(o, "skipped_non_reference_frames",
                            json_boolean(r->video_stats.skipped_nonref));
    }
    return o;
}

static json_t *rates_json(const struct kc_vision_options *o, const struct kc_vision_data *d)
{
    long face = 0, iris = 0, emo = 0, pose = 0;
    for (size_t i = 0; i < d->n; i++) {
        face += (d->f[i].flags & KC_VF_FACE) != 0;
        iris += (d->f[i].flags & KC_VF_IRIS) != 0;
        emo += (d->f[i].flags & KC_VF_EMOTION) != 0;
        pose += (d->f[i].flags & KC_VF_POSE) != 0;
    }
    double span = d->n >= 2 ? d->f[d->n - 1].t - d->f[0].t : 0;
    double face_s = d->eye_track_fps > 0 ? face / d->eye_track_fps : 0;
    json_t *req = json_pack("{s:f,s:f,s:f}", "mesh_fps", o->mesh_fps, "iris_fps", o->iris_fps,
                            "pose_fps", o->pose_fps);
    json_t *eff = json_pack("{s:f}", "mesh_fps", round(d->eye_track_fps * 100) / 100);
    json_object_set_new(eff, "iris_fps_over_face_time",
                        face_s > 0 ? json_real(round(iris / face_s * 100) / 100) : json_null());
    json_object_set_new(eff, "pose_fps",
                        span > 0 ? json_real(round(pose / span * 100) / 100) : json_null());
    if (o->emotion_enabled) {
        json_object_set_new(req, "emotion_fps", json_real(o->emotion_fps));
        json_object_set_new(eff, "emotion_fps_over_face_time",
                            face_s > 0 ? json_real(round(emo / face_s * 100) / 100) : json_null());
    }
    return json_pack("{s:o,s:o,s:i}", "requested", req, "effective", eff, "threads", o->threads);
}

static json_t *ms(double v)
{
    return json_real(round(v * 10) / 10);
}

/* {"wall", "load_wall", "worker_idle_wall", "cpu": {stage: ms, ..., "total"}} */
static json_t *timings_json(const struct kc_vision_timings *t, bool emotion)
{
    const struct {
        const char *name;
        double v;
    } rows[] = {{"decode", t->decode},
                {"detect", t->detect},
                {"mesh", t->mesh},
                {"iris", t->iris},
                {"emotion", t->emotion},
                {"pose", t->pose},
                {"landmark_math", t->landmark_math},
                {"model_hash", t->model_hash},
                {"metrics", t->metrics}};
    json_t *cpu = json_object();
    double total = 0;
    for (size_t i = 0; cpu && i < sizeof rows / sizeof rows[0]; i++) {
        if (!emotion && !strcmp(rows[i].name, "emotion")) continue;
        json_object_set_new(cpu, rows[i].name, ms(rows[i].v));
        total += rows[i].v;
    }
    json_object_set_new(cpu, "total", ms(total));
    return json_pack("{s:o,s:o,s:o,s:o}", "wall", ms(t->wall), "load_wall", ms(t->load),
                     "worker_idle_wall", ms(t->worker_idle), "cpu", cpu);
}

static json_t *per_question(const struct kc_vision_data *d, const struct kc_speech_question *q,
                            size_t nq, bool emotion)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < nq; i++) {
        json_t *o = json_pack("{s:s,s:f,s:f,s:o}", "id", q[i].id, "start", q[i].start, "end",
                              q[i].end, "metrics", kc_vision_metrics_json(d, q[i].start, q[i].end));
        if (o && emotion)
            json_object_set_new(o, "emotion", kc_vision_emotion_json(d, q[i].start, q[i].end));
        if (!o || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* Status, reason and the list of unavailable models. Partial: a model is missing, decoding
 * stopped on an error, the file was cut short, or the frames end > 1 s before the recording
 * does (a damaged or truncated video track). */
static void status_json(json_t *res, const struct kc_vision_run *r, double duration)
{
    const struct kc_vision_catalog *c = r->catalog;
    json_t *un = json_object();
    for (int i = 0; i < KC_VM_COUNT; i++)
        if (c->wanted[i] && !c->usable[i])
            json_object_set_new(un, kc_vision_model_names[i], json_string(c->reason[i]));
    double last = r->n_frames ? r->frames[r->n_frames - 1].t : 0;
    bool short_track = r->n_frames && last + 1.0 < duration;
    bool partial =
        json_object_size(un) > 0 || r->decode_failed || r->video_stats.read_error || short_track;
    json_object_set_new(res, "status", json_string(partial ? "partial" : "ok"));
    if (json_object_size(un) > 0)
        json_object_set_new(res, "unavailable", un);
    else
        json_decref(un);
    if (r->decode_failed)
        json_object_set_new(res, "reason",
                            json_sprintf("video decoding stopped early: %s", r->decode_reason));
    else if (r->video_stats.read_error)
        json_object_set_new(
            res, "reason", json_string("the file ended early (truncated); analysed what was read"));
    else if (short_track)
        json_object_set_new(res, "reason",
                            json_sprintf("video frames end at %.1f s of the %.1f s recording "
                                         "(damaged or truncated video); analysed what was read",
                                         last, duration));
}

/* Metrics, emotion, timelines and per-question parts into res. -1 on allocation failure. */
static int assemble(json_t *res, const struct kc_vision_data *d, const struct kc_vision_options *o,
                    double duration, const struct kc_speech_question *q, size_t nq)
{
    json_t *parts[4] = {kc_vision_metrics_json(d, -INFINITY, INFINITY),
                        o->emotion_enabled ? kc_vision_emotion_json(d, -INFINITY, INFINITY)
                                           : json_pack("{s:s}", "status", "disabled by policy"),
                        kc_vision_timelines_json(d, duration, o->emotion_enabled),
                        per_question(d, q, nq, o->emotion_enabled)};
    static const char *const keys[4] = {"metrics", "emotion", "timelines", "per_question"};
    int rc = 0;
    for (int i = 0; i < 4; i++) rc |= parts[i] ? json_object_set_new(res, keys[i], parts[i]) : -1;
    return rc ? -1 : 0;
}

/* No usable video: every metric unavailable with the media's reason. */
static json_t *no_video(json_t *res, const struct kc_media_info *info,
                        const struct kc_vision_options *o, const struct kc_speech_question *q,
                        size_t nq)
{
    struct kc_vision_catalog c;
    struct kc_vision_data d;
    kc_vision_catalog_init(&c, o->assets_dir, o->emotion_enabled);
    for (int i = 0; i < KC_VM_COUNT; i++) {
        c.usable[i] = false;
        snprintf(c.reason[i], sizeof c.reason[i], "no usable video stream: %s",
                 info->video.reason[0] ? info->video.reason : "none");
    }
    memset(&d, 0, sizeof d);
    d.catalog = &c;
    json_object_set_new(res, "status", json_string("unavailable"));
    json_object_set_new(res, "reason", json_string(c.reason[0]));
    if (assemble(res, &d, o, 1.0, q, nq) != 0) {
        json_decref(res);
        return NULL;
    }
    return res;
}

json_t *kc_vision_analyze_media(const struct kc_media *m, const struct kc_vision_options *opt,
                                const struct kc_speech_question *q, size_t nq,
                                void (*progress)(double fraction, void *ctx), void *ctx,
                                struct kc_err *err)
{
    double t0 = clock_ms(CLOCK_MONOTONIC);
    struct kc_vision_options o;
    if (!m) return kc_err_set(err, KC_E_INVALID, "no media"), NULL;
    if (normalise(opt, &o, err) != 0 || check_questions(q, nq, err) != 0) return NULL;
    const struct kc_media_info *info = kc_media_info(m);
    json_t *res = json_object();
    if (!res) return kc_err_set(err, KC_E_NOMEM, "out of memory"), NULL;
    if (!info->video.available) {
        json_object_set_new(res, "media", media_json(info, NULL));
        res = no_video(res, info, &o, q, nq);
        if (!res) kc_err_set(err, KC_E_NOMEM, "out of memory");
        return res;
    }
    struct kc_vision_catalog catalog;
    kc_vision_catalog_init(&catalog, o.assets_dir, o.emotion_enabled);
    struct kc_vision_run r = {
        .media = m, .opt = o, .catalog = &catalog, .progress = progress, .ctx = ctx};
    struct kc_vision_data d;
    if (kc_vision_run(&r, err) != 0 || kc_vision_data_init(&d, &r, err) != 0) {
        kc_vision_run_free(&r);
        json_decref(res);
        return NULL;
    }
    double tm = clock_ms(CLOCK_THREAD_CPUTIME_ID);
    double duration =
        info->duration_s > 0 ? info->duration_s : (r.n_frames ? r.frames[r.n_frames - 1].t + 1 : 1);
    status_json(res, &r, duration);
    if (r.n_frames == 0) {
        json_object_set_new(res, "status", json_string("unavailable"));
        json_object_set_new(res, "reason",
                            json_sprintf("no video frame could be decoded%s%s",
                                         r.decode_failed ? ": " : "", r.decode_reason));
    }
    json_object_set_new(res, "media", media_json(info, &r));
    int rc = assemble(res, &d, &o, duration, q, nq);
    json_object_set_new(res, "rates", rates_json(&o, &d));
    r.timings.metrics = clock_ms(CLOCK_THREAD_CPUTIME_ID) - tm;
    tm = clock_ms(CLOCK_THREAD_CPUTIME_ID);
    json_object_set_new(res, "models", kc_vision_models_json(&catalog));
    r.timings.model_hash = clock_ms(CLOCK_THREAD_CPUTIME_ID) - tm;
    r.timings.wall = clock_ms(CLOCK_MONOTONIC) - t0;
    json_object_set_new(res, "timings_ms", timings_json(&r.timings, o.emotion_enabled));
    kc_vision_data_free(&d);
    kc_vision_run_free(&r);
    if (rc != 0) {
        json_decref(res);
        return kc_err_set(err, KC_E_NOMEM, "out of memory assembling the result"), NULL;
    }
    if (progress) progress(1.0, ctx);
    return res;
}

json_t *kc_vision_analyze(const char *path, const struct kc_vision_options *o,
                          const struct kc_speech_question *questions, size_t nq,
                          void (*progress)(double fraction, void *ctx), void *ctx,
                          struct kc_err *err)
{
    struct kc_media_opts mo = {.threads = 1};
    if (!path) return kc_err_set(err, KC_E_INVALID, "no media path"), NULL;
    struct kc_media *m = kc_media_open(path, &mo, err);
    if (!m) return NULL;
    json_t *res = kc_vision_analyze_media(m, o, questions, nq, progress, ctx, err);
    kc_media_close(m);
    return res;
}
