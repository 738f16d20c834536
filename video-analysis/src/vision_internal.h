/*
 * vision_internal.h — what the parts of the vision pipeline share (not a public API):
 *
 *   vision.c          entry point, options, result assembly
 *   vision_run.c      decoding thread + model workers -> per-frame records
 *   vision_models.c   opening the models of one worker, availability, file hashes
 *   vision_metrics.c  metrics / emotion summary over a time span, timelines
 *
 * Data layout: one struct kc_vision_frame per analysed frame, in time order, and one
 * struct kc_posture_sample per PoseNet run. Flags say which parts of a record are valid; a
 * value whose flag is clear is never read.
 *
 * Thread-safety: kc_vision_run owns its threads (see vision_run.c); every other function here
 * works on data owned by one call of kc_vision_analyze and is called from its thread only.
 */
#ifndef KC_VISION_INTERNAL_H
#define KC_VISION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "expression.h"
#include "eyes.h"
#include "media.h"
#include "posture.h"
#include "vision.h"

#include "ml/models/blazeface.h"
#include "ml/models/emotion.h"
#include "ml/models/facemesh.h"
#include "ml/models/iris.h"
#include "ml/models/posenet.h"

enum kc_vision_model {
    KC_VM_BLAZEFACE,
    KC_VM_FACEMESH,
    KC_VM_IRIS,
    KC_VM_EMOTION,
    KC_VM_POSENET,
    KC_VM_COUNT,
};

/* Frame flags: WANT_* are set by the decoder (sampling plan), the rest by the worker. */
enum {
    KC_VF_WANT_IRIS = 1u << 0,
    KC_VF_WANT_EMOTION = 1u << 1,
    KC_VF_WANT_POSE = 1u << 2,
    KC_VF_FACE = 1u << 3,     /* a face is present (BlazeFace / FaceMesh agree) */
    KC_VF_MESH = 1u << 4,     /* landmarks: ear and mouth valid */
    KC_VF_HEAD = 1u << 5,     /* yaw, pitch, roll valid */
    KC_VF_IRIS = 1u << 6,     /* gaze valid */
    KC_VF_EMOTION = 1u << 7,  /* emotion valid */
    KC_VF_POSE = 1u << 8,     /* PoseNet ran; the sample is in the pose array */
    KC_VF_DETECTED = 1u << 9, /* BlazeFace ran on this frame */
};

struct kc_vision_frame {
    double t; /* s of file time */
    unsigned flags;
    float yaw, pitch, roll; /* degrees (head_pose.h) */
    float ear;              /* mean eye aspect ratio */
    struct kc_mouth mouth;
    struct kc_eye_gaze gaze;
    float emotion[KC_EMOTION_CLASSES];
};

struct kc_vision_models {
    struct kc_blazeface *bf;
    struct kc_facemesh *fm;
    struct kc_iris *iris;
    struct kc_emotion *emotion;
    struct kc_posenet *pose;
};

/* Resolved file paths of the models (assets_dir or $KOCRUIT_ASSETS) and why any is missing. */
struct kc_vision_catalog {
    bool wanted[KC_VM_COUNT]; /* emotion only under the policy */
    bool usable[KC_VM_COUNT]; /* opened by every worker */
    char path[KC_VM_COUNT][1024];
    char reason[KC_VM_COUNT][512];
};

extern const char *const kc_vision_model_names[KC_VM_COUNT];

/* Fill paths and wanted[]; usable[] starts equal to wanted[]. */
void kc_vision_catalog_init(struct kc_vision_catalog *c, const char *assets_dir,
                            bool emotion_enabled);
/* Open every wanted model of one worker. A model that fails to open is left NULL and its
 * reason written to reasons[i] (a missing or invalid file is not an error of this call). */
void kc_vision_models_open(struct kc_vision_models *m, const struct kc_vision_catalog *c,
                           char reasons[KC_VM_COUNT][512]);
void kc_vision_models_close(struct kc_vision_models *m);
/* {"blazeface": {"file": ..., "sha256": ..., ["weights_sha256": ...]}, ...} for usable models.
 * NULL on allocation failure. */
json_t *kc_vision_models_json(const struct kc_vision_catalog *c);

/* ---- the run ------------------------------------------------------------------------------ */

/* Milliseconds. wall, load (the slowest worker's model loading) and worker_idle (summed over
 * workers) are wall-clock; the stages are CPU time summed over the threads that ran them. */
struct kc_vision_timings {
    double wall, load, worker_idle;
    double decode, detect, mesh, iris, emotion, pose, landmark_math, model_hash, metrics;
};

struct kc_vision_run {
    /* inputs */
    const struct kc_media *media;
    struct kc_vision_options opt;
    struct kc_vision_catalog *catalog;
    void (*progress)(double, void *);
    void *ctx;
    /* outputs (owned; kc_vision_run_free) */
    struct kc_vision_frame *frames;
    size_t n_frames;
    struct kc_posture_sample *poses;
    size_t n_poses;
    struct kc_media_video_stats video_stats;
    bool decode_failed;      /* the video pass ended with an error */
    char decode_reason[512]; /* its message */
    struct kc_vision_timings timings;
};

/* Decode and analyse. 0 ok (also when decoding ended early: decode_failed says so), -1 with err
 * on a model error, no memory, or a video pass that cannot start. */
int kc_vision_run(struct kc_vision_run *r, struct kc_err *err);
void kc_vision_run_free(struct kc_vision_run *r);

/* ---- metrics ------------------------------------------------------------------------------ */

/* Whole-recording quantities the per-span metrics refer to. */
struct kc_vision_data {
    const struct kc_vision_frame *f;
    size_t n;
    const struct kc_posture_sample *pose;
    size_t n_pose;
    const struct kc_vision_catalog *catalog;
    double eye_track_fps; /* effective analysed fps of the landmark track */
    float ear_baseline;
    struct kc_blink *blinks; /* owned by kc_vision_data_free */
    size_t n_blinks;
    double *nods; /* trough times; owned */
    size_t n_nods;
    struct kc_smile_baseline smile;
    float shoulder_width; /* baseline, px */
};

int kc_vision_data_init(struct kc_vision_data *d, const struct kc_vision_run *r,
                        struct kc_err *err);
void kc_vision_data_free(struct kc_vision_data *d);

/* The metrics object over frames with t in [t0, t1). NULL on allocation failure. */
json_t *kc_vision_metrics_json(const struct kc_vision_data *d, double t0, double t1);
/* The emotion summary over [t0, t1) (only called with the policy on). */
json_t *kc_vision_emotion_json(const struct kc_vision_data *d, double t0, double t1);
/* The timelines object over [0, duration). */
json_t *kc_vision_timelines_json(const struct kc_vision_data *d, double duration, bool emotion);

#endif
