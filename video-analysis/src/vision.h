/*
 * vision.h — the vision half of the interview analysis: one call runs the whole pipeline over a
 * recording and returns the result JSON.
 *
 *   FFmpeg frames at mesh_fps ─► face tracking: BlazeFace detection, FaceMesh landmarks, next
 *   crop from the landmarks (face_track.h) ─► per frame: head pose (head_pose.h), eye aspect
 *   ratio (eyes.h), mouth geometry (expression.h); on a subset: Iris (iris_fps), Emotion
 *   (emotion_fps, only under the policy), PoseNet (pose_fps, whole frame) ─► one record per
 *   analysed frame ─► metrics over the whole recording and per question, per-second timelines.
 *
 * Policy (DESIGN.md): with emotion_enabled = 0 (the default) the emotion model is neither
 * loaded nor run and the result holds only "emotion": {"status": "disabled by policy"} — no
 * emotion number, label or timeline anywhere. The caller (the service) decides the policy:
 * enabled by a company administrator, never for an EU jurisdiction. Every metric here is
 * behavioural and carries "not_scored": true.
 *
 * Result (caller owns it, json_decref):
 * {
 *   "status": "ok" | "partial" | "unavailable",  "reason"?: "...",
 *   "unavailable"?: {"posenet": "PoseNet model file not found at ...", ...},
 *   "media": {"duration_s", "width", "height", "source_fps", "codec", "analysed_frames",
 *             "decode_errors", "read_error"},
 *   "metrics": {face_presence_ratio, eye_contact_ratio, blinks_per_minute, smile_ratio,
 *               head_yaw_deg, head_pitch_deg, head_roll_deg, nods, shoulder_tilt_deg, lean,
 *               movement_energy}                   each a metric record (metric.h), some with
 *                                                  extra fields (spread_sd, count, ...)
 *   "emotion": {"status": "disabled by policy"} | {"status": "ok", "dominant": "happy",
 *              "per_class_mean": {...}, "samples", "rate_fps", "definition", "not_scored"},
 *   "timelines": {"step_s": 1, "eye_contact": [..], "head_yaw": [..], "head_pitch": [..],
 *                 "smile": [..], "emotion"?: {"labels": [...], "probabilities": [[7]|null]}},
 *   "per_question": [{"id", "start", "end", "metrics": {...}, "emotion"?: {...}}],
 *   "rates": {"requested": {...}, "effective": {"mesh_fps", "iris_fps", "pose_fps", ...}},
 *   "models": {"blazeface": {"file", "sha256"}, "facemesh": {"file", "sha256",
 *              "weights_sha256"}, ...}            (only models that were loaded)
 *   "timings_ms": {"wall", "load_wall", "worker_idle_wall",
 *                  "cpu": {"decode", "detect", "mesh", "iris", "emotion"?, "pose",
 *                          "landmark_math", "model_hash", "metrics", "total"}}
 * }
 * Stage timings are CPU milliseconds summed over the threads that ran the stage (meaningful
 * on a loaded machine); wall, model loading and worker idle time are wall-clock. "status" is
 * "partial" when a model is missing, decoding stopped on an error, or the frames end more than
 * a second before the recording does (truncated or damaged video), with "reason".
 * A missing model makes only the metrics that depend on it "unavailable" with the reason
 * (no posenet -> posture; no iris -> eye contact; no facemesh -> everything but
 * face_presence_ratio; no BlazeFace / ONNX Runtime -> every face metric); the rest are
 * computed. Media without usable video gives status "unavailable" with every metric
 * unavailable (the speech half may still work).
 *
 * Threads: `threads` workers (<= 0: the number of online CPUs, at most 8) each own one set of
 * models; the calling thread decodes and hands frame k to worker k mod threads (a bounded ring
 * of frames per worker), so decoding overlaps inference and both cores work. Each worker
 * follows the face through its own frames (every threads-th frame) and re-detects at least
 * once a second. Results are deterministic for a given thread count. The progress callback runs
 * on the calling thread. kc_vision_analyze is reentrant (all state is per call).
 */
#ifndef KC_VISION_H
#define KC_VISION_H

#include <stddef.h>
#include <jansson.h>

#include "core/err.h"
#include "media.h"
#include "speech.h" /* struct kc_speech_question: the question spans shared with speech */

struct kc_vision_options {
    double mesh_fps;        /* eye track / landmarks, analysed frames per second (1..120, 0 = 15);
                               below 15 blinks_per_minute is insufficient_data */
    double iris_fps;        /* 0 = 5; model rates above mesh_fps are capped to it */
    double pose_fps;        /* 0 = 1 */
    int emotion_enabled;    /* company policy; default 0 = model never loaded or run */
    double emotion_fps;     /* 0 = 5 (only with emotion_enabled) */
    int threads;            /* worker threads; <= 0 = online CPUs (max 8) */
    const char *assets_dir; /* model cache; NULL = $KOCRUIT_ASSETS (ASSETS.md layout) */
    int max_side;           /* frames are scaled so no side exceeds this; <= 0 = 1280 */
};

/* The defaults above (mesh 15, iris 5, pose 1, emotion off / 5, threads 0, assets NULL). */
struct kc_vision_options kc_vision_options_default(void);

/* Analyse a media file. o NULL = defaults. questions may be NULL (nq 0). Returns the result
 * object, or NULL with err: KC_E_INVALID for bad options or question spans (field "questions"
 * / the option name), the media errors of kc_media_open (KC_E_NOT_FOUND, KC_E_UNPROCESSABLE,
 * ...), KC_E_INTERNAL / KC_E_NOMEM when a model run or an allocation fails. progress (may be
 * NULL) receives fractions 0..1. */
json_t *kc_vision_analyze(const char *path, const struct kc_vision_options *o,
                          const struct kc_speech_question *questions, size_t nq,
                          void (*progress)(double fraction, void *ctx), void *ctx,
                          struct kc_err *err);

/* The same on an already opened recording (the service opens it once for both halves). */
json_t *kc_vision_analyze_media(const struct kc_media *m, const struct kc_vision_options *o,
                                const struct kc_speech_question *questions, size_t nq,
                                void (*progress)(double fraction, void *ctx), void *ctx,
                                struct kc_err *err);

#endif
