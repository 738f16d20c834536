/*
 * vad.h — voice activity detection: Silero VAD v5 speech probabilities → speech segments.
 *
 * Two layers:
 *   1. kc_vad_probs(): runs Silero VAD v5 (lib/ml/models/silero_vad.h) over 16 kHz mono audio in
 *      512-sample chunks (32 ms) and returns one speech probability per chunk. When ONNX Runtime
 *      or the model file is missing this fails with KC_E_UNAVAILABLE and a reason; there is no
 *      energy-based substitute (metrics that need VAD then report "unavailable").
 *   2. kc_vad_segment(): a pure segmenter over a probability array with hysteresis and minimum
 *      durations (Silero's own reference post-processing, re-expressed):
 *        - speech starts at a chunk with p >= on_threshold,
 *        - a speech run ends only when p stays < off_threshold for min_silence_s (shorter dips
 *          are bridged),
 *        - runs shorter than min_speech_s are dropped,
 *        - each segment is widened by pad_s on both sides (clamped to the audio and never
 *          overlapping its neighbour).
 *      Chunk k covers [k, k+1) * chunk_s seconds.
 *
 * Units: seconds of file time (sample 0 = 0 s), probabilities 0..1.
 * Thread-safety: kc_vad_segment and kc_vad_speech_time are pure. kc_vad_probs opens its own
 * model session per call, so concurrent calls are safe.
 */
#ifndef KC_VAD_H
#define KC_VAD_H

#include <stddef.h>

#include "core/err.h"

#define KC_VAD_CHUNK 512   /* samples per model step (32 ms at 16 kHz) */
#define KC_VAD_RATE  16000 /* Hz; the model's only supported rate here */

/* Documented defaults (Silero VAD's reference values, min_speech raised to drop clicks). */
#define KC_VAD_ON_THRESHOLD  0.5f  /* p to enter speech */
#define KC_VAD_OFF_THRESHOLD 0.35f /* p below which silence is counted (on - 0.15) */
#define KC_VAD_MIN_SPEECH_S  0.25  /* shorter speech runs are discarded */
#define KC_VAD_MIN_SILENCE_S 0.10  /* shorter silences inside speech are bridged */
#define KC_VAD_PAD_S         0.03  /* padding added to both ends of a segment */

struct kc_vad_params {
    float on_threshold, off_threshold;
    double min_speech_s, min_silence_s, pad_s;
};

struct kc_vad_segment {
    double start, end; /* s, start < end */
};

struct kc_vad_segments {
    struct kc_vad_segment *seg; /* ordered, non-overlapping; owned, kc_vad_segments_free */
    size_t n;
};

/* The defaults above. */
struct kc_vad_params kc_vad_default_params(void);

/* Speech probability per 512-sample chunk of `pcm` (n samples at 16 kHz; a final partial chunk
 * is zero-padded). model_path NULL = $KOCRUIT_ASSETS/models/silero_vad_v5.onnx (lib/ml's
 * default). On success *probs (caller frees) holds *n_probs values.
 * progress (may be NULL) is called with 0..1 now and then. Errors: KC_E_UNAVAILABLE (no ONNX
 * Runtime, no model), KC_E_UNPROCESSABLE (model does not load or run). */
int kc_vad_probs(const char *model_path, const float *pcm, size_t n, float **probs, size_t *n_probs,
                 void (*progress)(void *ctx, double fraction), void *ctx, struct kc_err *err);

/* Segment a probability array (chunk k = [k*chunk_s, (k+1)*chunk_s)), clamped to total_s.
 * params NULL = defaults. 0 ok, -1 on allocation failure or invalid params (KC_E_INVALID). */
int kc_vad_segment(const float *probs, size_t n, double chunk_s, double total_s,
                   const struct kc_vad_params *params, struct kc_vad_segments *out,
                   struct kc_err *err);

/* Total duration of the segments, s. */
double kc_vad_speech_time(const struct kc_vad_segments *s);

void kc_vad_segments_free(struct kc_vad_segments *s);

#endif
