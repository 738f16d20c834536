/*
 * vision_run.c — the vision pipeline's threads: the calling thread decodes, W workers run the
 * models (vision.h, "Threads").
 *
 * Why this split: FaceMesh tracking is sequential (each crop comes from the previous frame's
 * landmarks), and one FaceMesh stream at 15 fps is more than one core's share of the budget,
 * so the landmark track itself must be spread over the cores. Splitting the video into two
 * time halves would need a second decoder that decodes (and discards) the first half, since
 * the media layer cannot seek; instead frame k goes to worker k mod W, each worker tracks the
 * face through its own frames (1/W of the rate — a face moves little in 2/15 s) and re-detects
 * at least once a second of video. Decoding (~1 ms a frame) runs on the calling thread in
 * parallel. Every worker has a ring of RING frame buffers: the decoder blocks when the target
 * worker's ring is full, a worker blocks when its ring is empty (counted as worker_idle), and
 * memory stays at W * RING frames however long the video is.
 *
 * Records: the decoder appends one struct kc_vision_frame (and a kc_posture_sample when PoseNet
 * is planned) per frame to block-allocated stores, so the pointer it hands a worker stays valid
 * while later blocks are added; the worker fills the record. After the join the stores are
 * flattened into the arrays of struct kc_vision_run.
 *
 * Start-up: every worker opens its own model set (in parallel), reports to the calling thread
 * and waits for "go"; the calling thread merges which models every worker could open (a model
 * is usable only if all opened it) before any frame is planned or processed.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face_track.h"
#include "head_pose.h"
#include "vision_internal.h"

#define RING        8
#define STORE_BLOCK 4096

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Stage costs are the thread's CPU time (robust to other load on the machine); waiting and the
 * whole run are wall-clock time. */
static double cpu_ms(void)
{
    return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

static double wall_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* ---- block store -------------------------------------------------------------------------- */

struct store {
    char **blocks;
    size_t n_blocks, n, elem;
};

static void *store_push(struct store *s)
{
    if (s->n == s->n_blocks * STORE_BLOCK) {
        char **b = realloc(s->blocks, (s->n_blocks + 1) * sizeof *b);
        if (!b) return NULL;
        s->blocks = b;
        b[s->n_blocks] = calloc(STORE_BLOCK, s->elem);
        if (!b[s->n_blocks]) return NULL;
        s->n_blocks++;
    }
    void *p = s->blocks[s->n / STORE_BLOCK] + (s->n % STORE_BLOCK) * s->elem;
    s->n++;
    return p;
}

static void *store_flatten(const struct store *s)
{
    char *out = malloc(s->n ? s->n * s->elem : 1);
    for (size_t i = 0; out && i < s->n_blocks; i++) {
        size_t k = s->n - i * STORE_BLOCK < STORE_BLOCK ? s->n - i * STORE_BLOCK : STORE_BLOCK;
        memcpy(out + i * STORE_BLOCK * s->elem, s->blocks[i], k * s->elem);
    }
    return out;
}

static void store_free(struct store *s)
{
    for (size_t i = 0; i < s->n_blocks; i++) free(s->blocks[i]);
    free(s->blocks);
    memset(s, 0, sizeof *s);
}

/* ---- workers ------------------------------------------------------------------------------ */

struct slot {
    struct kc_image img;
    size_t cap;
    struct kc_vision_frame *rec;
    struct kc_posture_sample *pose;
};

struct shared;

struct worker {
    struct shared *sh;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled, freed;
    struct slot ring[RING];
    int head, count;
    bool end;
    struct kc_vision_models models;
    char reasons[KC_VM_COUNT][512];
    struct kc_face_track *track;
    struct kc_face_obs obs; /* ~10 KB of landmarks, reused for every frame */
    double iris_ms, emotion_ms, pose_ms, math_ms, idle_ms, load_ms;
    bool failed;
    struct kc_err err;
};

struct shared {
    struct kc_vision_run *run;
    pthread_mutex_t mu; /* guards loaded and go */
    pthread_cond_t cv;
    int loaded; /* workers that finished opening their models */
    bool go;    /* availability merged: start */
    atomic_bool abort;
    int n_workers;
};

/* Landmark-derived per-frame values: head pose, EAR, mouth. */
static void landmark_math(struct worker *w, const struct slot *s, const struct kc_face_obs *o)
{
    struct kc_vision_frame *r = s->rec;
    struct kc_head_pose hp;
    struct kc_head_pose_camera cam = kc_head_pose_webcam(s->img.w, s->img.h);
    double t0 = cpu_ms();
    if (kc_head_pose_from_mesh((const float(*)[2])o->mesh.image, &cam, &hp) == 0) {
        r->yaw = hp.yaw, r->pitch = hp.pitch, r->roll = hp.roll;
        r->flags |= KC_VF_HEAD;
    }
    r->ear = kc_eyes_ear_mean((const float(*)[2])o->mesh.image);
    if (isfinite(r->ear) && kc_expression_mouth((const float(*)[3])o->mesh.points, &r->mouth) == 0)
        r->flags |= KC_VF_MESH;
    w->math_ms += cpu_ms() - t0;
}

/* A model error other than a degenerate input is fatal for the run. */
static int soft_error(struct kc_err *e)
{
    return e->code == KC_E_UNPROCESSABLE;
}

static int face_models(struct worker *w, const struct slot *s, const struct kc_face_obs *o)
{
    struct kc_vision_frame *r = s->rec;
    const float(*mesh)[2] = (const float(*)[2])o->mesh.image;
    struct kc_err e = {0};
    if ((r->flags & KC_VF_WANT_IRIS) && w->models.iris) {
        double t0 = cpu_ms();
        int rc = kc_eyes_iris(w->models.iris, &s->img, mesh, &r->gaze, &e);
        w->iris_ms += cpu_ms() - t0;
        if (rc == 0) r->flags |= KC_VF_IRIS;
        if (rc != 0 && !soft_error(&e)) {
            w->err = e;
            return -1;
        }
    }
    if ((r->flags & KC_VF_WANT_EMOTION) && w->models.emotion) {
        double t0 = cpu_ms();
        int rc = kc_expression_emotion(w->models.emotion, &s->img, mesh, r->emotion, &e);
        w->emotion_ms += cpu_ms() - t0;
        if (rc != 0) {
            w->err = e;
            return -1;
        }
        r->flags |= KC_VF_EMOTION;
    }
    return 0;
}

static int process(struct worker *w, const struct slot *s)
{
    struct kc_vision_frame *r = s->rec;
    if (w->track) {
        struct kc_face_obs *o = &w->obs;
        int rc = kc_face_track_step(w->track, &s->img, o, &w->err);
        if (rc < 0) return -1;
        if (o->detected) r->flags |= KC_VF_DETECTED;
        if (rc == 1) {
            r->flags |= KC_VF_FACE;
            if (o->has_mesh) {
                landmark_math(w, s, o);
                if (face_models(w, s, o) != 0) return -1;
            }
        }
    }
    if (s->pose && w->models.pose) {
        double t0 = cpu_ms();
        int rc = kc_posenet_run_image(w->models.pose, &s->img, &s->pose->pose, &w->err);
        w->pose_ms += cpu_ms() - t0;
        if (rc != 0) return -1;
        r->flags |= KC_VF_POSE;
    }
    return 0;
}

/* Drop the models the calling thread found unusable (some worker could not open them). */
static void keep_usable(struct worker *w, const struct kc_vision_catalog *c)
{
    if (!c->usable[KC_VM_BLAZEFACE]) kc_blazeface_free(w->models.bf), w->models.bf = NULL;
    if (!c->usable[KC_VM_FACEMESH]) kc_facemesh_free(w->models.fm), w->models.fm = NULL;
    if (!c->usable[KC_VM_IRIS]) kc_iris_free(w->models.iris), w->models.iris = NULL;
    if (!c->usable[KC_VM_EMOTION]) kc_emotion_free(w->models.emotion), w->models.emotion = NULL;
    if (!c->usable[KC_VM_POSENET]) kc_posenet_free(w->models.pose), w->models.pose = NULL;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    double t0 = wall_ms();
    kc_vision_models_open(&w->models, sh->run->catalog, w->reasons);
    w->load_ms = wall_ms() - t0;
    pthread_mutex_lock(&sh->mu); /* report, then wait until availability is merged */
    sh->loaded++;
    pthread_cond_broadcast(&sh->cv);
    while (!sh->go) pthread_cond_wait(&sh->cv, &sh->mu);
    pthread_mutex_unlock(&sh->mu);
    keep_usable(w, sh->run->catalog);
    if (w->models.bf) {
        /* re-detect about once per second of video (this worker sees 1/W of the frames) */
        struct kc_face_track_options to = {.redetect_every =
                                               (int)ceil(sh->run->opt.mesh_fps / sh->n_workers)};
        w->track = kc_face_track_new(w->models.bf, w->models.fm, &to, &w->err);
        if (!w->track) w->failed = true, atomic_store(&sh->abort, true);
    }
    for (;;) {
        pthread_mutex_lock(&w->mu);
        double idle0 = wall_ms();
        while (w->count == 0 && !w->end) pthread_cond_wait(&w->filled, &w->mu);
        w->idle_ms += wall_ms() - idle0;
        if (w->count == 0) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        struct slot *s = &w->ring[w->head];
        pthread_mutex_unlock(&w->mu);
        if (!w->failed && !atomic_load(&sh->abort) && process(w, s) != 0) {
            w->failed = true;
            atomic_store(&sh->abort, true);
        }
        pthread_mutex_lock(&w->mu);
        w->head = (w->head + 1) % RING;
        w->count--;
        pthread_cond_signal(&w->freed);
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

/* ---- the decoding (calling) thread -------------------------------------------------------- */

struct plan {
    double t_first;
    long last_iris, last_emotion, last_pose; /* sampling slots already served */
};

/* Does a rate-limited model run on the frame at t? One run per 1/fps slot, first frame first. */
static bool due(double t, double fps, long *last)
{
    long slot = (long)floor(t * fps + 1e-6);
    if (slot <= *last) return false;
    *last = slot;
    return true;
}

static int copy_frame(struct slot *s, const struct kc_media_frame *f)
{
    size_t row = (size_t)f->width * 3, need = row * (size_t)f->height;
    if (need > s->cap) {
        uint8_t *p = realloc(s->img.data, need);
        if (!p) return -1;
        s->img.data = p;
        s->cap = need;
    }
    for (int y = 0; y < f->height; y++)
        memcpy(s->img.data + (size_t)y * row, f->rgb + (size_t)y * (size_t)f->stride, row);
    s->img.w = f->width;
    s->img.h = f->height;
    s->img.stride = row;
    return 0;
}

struct decoder {
    struct kc_vision_run *r;
    struct shared *sh;
    struct worker *w;
    struct store frames, poses;
    struct plan plan;
    double last_progress;
};

/* Plan, record and hand one frame to its worker. 0, or -1 out of memory. */
static int dispatch(struct decoder *d, const struct kc_media_frame *f)
{
    struct kc_vision_run *r = d->r;
    const struct kc_vision_catalog *c = r->catalog;
    struct kc_vision_frame *rec = store_push(&d->frames);
    if (!rec) return -1;
    double rel = f->t - d->plan.t_first;
    rec->t = f->t;
    if (c->usable[KC_VM_IRIS] && due(rel, r->opt.iris_fps, &d->plan.last_iris))
        rec->flags |= KC_VF_WANT_IRIS;
    if (c->usable[KC_VM_EMOTION] && due(rel, r->opt.emotion_fps, &d->plan.last_emotion))
        rec->flags |= KC_VF_WANT_EMOTION;
    struct kc_posture_sample *pose = NULL;
    if (c->usable[KC_VM_POSENET] && due(rel, r->opt.pose_fps, &d->plan.last_pose)) {
        rec->flags |= KC_VF_WANT_POSE;
        pose = store_push(&d->poses);
        if (!pose) return -1;
        pose->t = f->t;
    }
    struct worker *w = &d->w[f->index % d->sh->n_workers];
    pthread_mutex_lock(&w->mu);
    while (w->count == RING) pthread_cond_wait(&w->freed, &w->mu);
    struct slot *s = &w->ring[(w->head + w->count) % RING];
    pthread_mutex_unlock(&w->mu);
    double t0 = cpu_ms();
    int rc = copy_frame(s, f);
    r->timings.decode += cpu_ms() - t0;
    if (rc != 0) return -1;
    s->rec = rec;
    s->pose = pose;
    pthread_mutex_lock(&w->mu);
    w->count++;
    pthread_cond_signal(&w->filled);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static void report_progress(struct decoder *d, double t)
{
    const struct kc_media_info *info = kc_media_info(d->r->media);
    if (!d->r->progress || !(info->duration_s > 0)) return;
    double fr = fmin(0.97, fmax(0.0, t / info->duration_s));
    if (fr - d->last_progress < 0.01) return;
    d->last_progress = fr;
    d->r->progress(fr, d->r->ctx);
}

/* The decode loop. 0 ok (decode_failed set when the stream ended on an error), -1 no memory. */
static int decode_all(struct decoder *d, struct kc_media_video *v)
{
    struct kc_vision_run *r = d->r;
    for (;;) {
        struct kc_media_frame f;
        struct kc_err e = {0};
        double t0 = cpu_ms();
        int rc = kc_media_video_next(v, &f, &e);
        r->timings.decode += cpu_ms() - t0;
        if (rc == 0) return 0;
        if (rc < 0) {
            r->decode_failed = true;
            snprintf(r->decode_reason, sizeof r->decode_reason, "%s", e.message);
            return 0;
        }
        if (atomic_load(&d->sh->abort)) return 0;
        if (d->frames.n == 0) d->plan.t_first = f.t;
        if (dispatch(d, &f) != 0) return -1;
        report_progress(d, f.t);
    }
}

/* After the first barrier: usable = opened by every worker; the first reason wins. */
static void merge_availability(struct kc_vision_catalog *c, struct worker *w, int n)
{
    for (int i = 0; i < KC_VM_COUNT; i++) {
        for (int k = 0; k < n && c->usable[i]; k++) {
            if (!w[k].reasons[i][0]) continue;
            c->usable[i] = false;
            snprintf(c->reason[i], sizeof c->reason[i], "%s", w[k].reasons[i]);
        }
    }
}

static void collect(struct kc_vision_run *r, struct worker *w, int n)
{
    for (int k = 0; k < n; k++) {
        struct kc_face_track_stats ts = {0};
        if (w[k].track) kc_face_track_stats(w[k].track, &ts);
        r->timings.detect += ts.detect_ms;
        r->timings.mesh += ts.mesh_ms;
        r->timings.iris += w[k].iris_ms;
        r->timings.emotion += w[k].emotion_ms;
        r->timings.pose += w[k].pose_ms;
        r->timings.landmark_math += w[k].math_ms;
        r->timings.worker_idle += w[k].idle_ms;
        r->timings.load = fmax(r->timings.load, w[k].load_ms);
    }
}

static void workers_free(struct worker *w, int n)
{
    for (int k = 0; k < n; k++) {
        kc_face_track_free(w[k].track);
        kc_vision_models_close(&w[k].models);
        for (int i = 0; i < RING; i++) free(w[k].ring[i].img.data);
        pthread_mutex_destroy(&w[k].mu);
        pthread_cond_destroy(&w[k].filled);
        pthread_cond_destroy(&w[k].freed);
    }
    free(w);
}

static int start_workers(struct shared *sh, struct worker *w, int n)
{
    for (int k = 0; k < n; k++) {
        w[k].sh = sh;
        pthread_mutex_init(&w[k].mu, NULL);
        pthread_cond_init(&w[k].filled, NULL);
        pthread_cond_init(&w[k].freed, NULL);
    }
    int started = 0;
    while (started < n && pthread_create(&w[started].thread, NULL, worker_main, &w[started]) == 0)
        started++;
    return started;
}

/* Wait for the started workers to open their models, merge, and let them go. */
static void release_workers(struct shared *sh, struct worker *w, int started)
{
    pthread_mutex_lock(&sh->mu);
    while (sh->loaded < started) pthread_cond_wait(&sh->cv, &sh->mu);
    merge_availability(sh->run->catalog, w, started);
    sh->go = true;
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

static int finish(struct kc_vision_run *r, struct decoder *d, struct worker *w, int n,
                  int allocated, int rc, struct kc_err *err)
{
    for (int k = 0; k < n; k++) {
        pthread_mutex_lock(&w[k].mu);
        w[k].end = true;
        pthread_cond_signal(&w[k].filled);
        pthread_mutex_unlock(&w[k].mu);
    }
    for (int k = 0; k < n; k++) pthread_join(w[k].thread, NULL);
    collect(r, w, n);
    for (int k = 0; k < n && rc == 0; k++) {
        if (!w[k].failed) continue;
        *err = w[k].err;
        kc_err_prefix(err, "vision model");
        rc = -1;
    }
    if (rc == 0) {
        r->frames = store_flatten(&d->frames);
        r->poses = store_flatten(&d->poses);
        r->n_frames = d->frames.n;
        r->n_poses = d->poses.n;
        if (!r->frames || !r->poses) rc = kc_err_set(err, KC_E_NOMEM, "out of memory");
    }
    store_free(&d->frames);
    store_free(&d->poses);
    workers_free(w, allocated);
    return rc;
}

int kc_vision_run(struct kc_vision_run *r, struct kc_err *err)
{
    double wall0 = wall_ms();
    int n = r->opt.threads;
    struct shared sh = {
        .run = r, .n_workers = n, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct decoder d = {.r = r, .sh = &sh, .plan = {0, -1, -1, -1}};
    d.frames.elem = sizeof(struct kc_vision_frame);
    d.poses.elem = sizeof(struct kc_posture_sample);
    struct kc_media_video *v = kc_media_video_open(r->media, r->opt.mesh_fps, r->opt.max_side, err);
    if (!v) return -1;
    struct worker *w = calloc((size_t)n, sizeof *w);
    if (!w) {
        kc_media_video_close(v);
        return kc_err_set(err, KC_E_NOMEM, "out of memory for the vision workers");
    }
    d.w = w;
    int started = start_workers(&sh, w, n);
    if (started < n) atomic_store(&sh.abort, true);
    release_workers(&sh, w, started);
    int rc = 0;
    if (started < n)
        rc = kc_err_set(err, KC_E_INTERNAL, "cannot start %d vision worker threads", n);
    else if (decode_all(&d, v) != 0)
        rc = kc_err_set(err, KC_E_NOMEM, "out of memory for frame records");
    kc_media_video_stats(v, &r->video_stats);
    kc_media_video_close(v);
    rc = finish(r, &d, w, started, n, rc, err);
    r->timings.wall = wall_ms() - wall0;
    return rc;
}

void kc_vision_run_free(struct kc_vision_run *r)
{
    free(r->frames);
    free(r->poses);
    r->frames = NULL;
    r->poses = NULL;
    r->n_frames = r->n_poses = 0;
}
