/*
 * silero_vad.h — voice activity detection with Silero VAD v5 (ONNX), as a stateful stream.
 *
 * Model (ASSETS.md): "input" [1, 64+512] float32 at 16 kHz — the last 64 samples of the
 * previous chunk (zeros at the start) followed by the new 512 — "state" [2,1,128] carried from
 * one chunk to the next, "sr" int64 scalar 16000; outputs "output" [1,1] (speech probability)
 * and "stateN" (the next state).
 *
 * Usage: feed consecutive 512-sample chunks (32 ms) of 16 kHz mono audio scaled to [-1,1];
 * each call returns the probability 0..1 that the chunk contains speech. kc_silero_vad_reset()
 * starts a new, unrelated stream (zero state and context).
 *
 * Thread-safety: one stream per thread (it owns its state and an ORT session).
 */
#ifndef KC_ML_MODELS_SILERO_VAD_H
#define KC_ML_MODELS_SILERO_VAD_H

#include "core/err.h"

#define KC_SILERO_VAD_RATE    16000 /* Hz */
#define KC_SILERO_VAD_CHUNK   512   /* samples per call (32 ms) */
#define KC_SILERO_VAD_CONTEXT 64    /* samples of the previous chunk the model sees */
#define KC_SILERO_VAD_FILE    "silero_vad_v5.onnx"

struct kc_silero_vad;

/* NULL path = $KOCRUIT_ASSETS/models/KC_SILERO_VAD_FILE. KC_E_UNAVAILABLE naming the file when
 * it or ONNX Runtime is missing. Caller frees with kc_silero_vad_free(). */
struct kc_silero_vad *kc_silero_vad_open(const char *model_path, struct kc_err *err);
void kc_silero_vad_free(struct kc_silero_vad *v);

/* Process the next KC_SILERO_VAD_CHUNK samples; *prob receives the speech probability. */
int kc_silero_vad_process(struct kc_silero_vad *v, const float *chunk, float *prob,
                          struct kc_err *err);
void kc_silero_vad_reset(struct kc_silero_vad *v);

#endif
