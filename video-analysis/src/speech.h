/*
 * speech.h — the speech analysis pipeline of an interview recording.
 *
 *   16 kHz mono audio ─► Silero VAD ─► speech segments ─┬─► acoustic features (audio_features.h)
 *                                                      └─► ASR (asr.h) ─► filler words (fillers.h)
 *   ─► one JSON object of metrics (metric.h), transcript, loudness timeline, per-question parts.
 *
 * Every stage that cannot run (no VAD model, no ASR model for the language) makes its metrics
 * "unavailable" with the reason; the others still run. Behavioural metrics are flagged
 * "not_scored" (descriptive only, DESIGN.md).
 *
 * Result JSON (caller owns it, json_decref):
 * {
 *   "duration_s": 19.0,
 *   "language": "en",
 *   "vad": {"status": "ok"|"unavailable", "reason"?: "...", "model": "silero_vad_v5",
 *           "segments": [[start, end], ...]},
 *   "metrics": {                                   each a metric record (metric.h)
 *     "speaking_time_ratio", "speech_rate_wpm", "speech_rate_syllables_per_min" (estimate),
 *     "pause_count", "pause_mean_s", "loudness_mean_dbfs", "loudness_spread_db",
 *     "pitch_mean_hz", "pitch_spread_hz", "filler_count", "fillers_per_min" },
 *   "transcript": {"status": "ok"|"unavailable", "reason"?: "...", "language": "en",
 *                  "engine": "...", "words": [{"w": "hello", "start": 1.2, "end": 1.5,
 *                  "conf": 0.93}, ...], "text": "...", "mean_confidence": 0.8 | null,
 *                  "low_confidence": false, "fillers": [{"index": 4, "words": 1,
 *                  "kind": "um"}, ...]},
 *   "loudness_timeline": {"step_s": 1.0, "unit": "dBFS", "values": [-23.1, null, ...]},
 *   "questions": [{"id": "q1", "start": 0, "end": 60, "word_range": [0, 120], "text": "...",
 *                  "metrics": {same keys as above, computed inside the question's window}}]
 * }
 * Times are seconds of file time. "low_confidence" is true when mean_confidence is below
 * KC_SPEECH_LOW_CONFIDENCE or the transcript has no words although speech was detected.
 *
 * Thread-safety: kc_speech_analyze is reentrant (each call owns all its state); progress is
 * called from the calling thread or an ASR worker, never concurrently.
 */
#ifndef KC_SPEECH_H
#define KC_SPEECH_H

#include <stddef.h>
#include <jansson.h>

#include "core/err.h"

#define KC_SPEECH_LOW_CONFIDENCE 0.5 /* mean word confidence below this flags the transcript */
#define KC_SPEECH_MIN_WORDS      5   /* fewer words: word-based rates are insufficient_data */

struct kc_speech_question {
    const char *id;    /* caller's question id (UTF-8) */
    double start, end; /* s of file time; end > start */
};

struct kc_speech_opts {
    const char *language;      /* "en" or "ko"; NULL = "en" */
    const char *vad_model;     /* NULL = $KOCRUIT_ASSETS/models/silero_vad_v5.onnx */
    const char *whisper_model; /* NULL = KOCRUIT_WHISPER_MODEL */
    const char *whisper_lib;   /* NULL = default search (asr.h) */
    const char *ps_model_dir;  /* NULL = Debian's en-us model */
    int threads;               /* ASR threads; <= 0 = 2 */
    double timeline_step_s;    /* loudness timeline step; <= 0 = 1 s */
    const struct kc_speech_question *questions; /* may be NULL */
    size_t n_questions;
    void (*progress)(void *ctx, double fraction); /* 0..1, may be NULL */
    void *progress_ctx;
};

/* Analyse pcm[0..n) (16 kHz mono, sample 0 = file time 0). Returns the result object, or NULL
 * with err set for invalid options (KC_E_INVALID: language, question times), empty audio
 * (KC_E_UNPROCESSABLE) or no memory. Missing models are not errors (see top). */
json_t *kc_speech_analyze(const float *pcm, size_t n, const struct kc_speech_opts *opts,
                          struct kc_err *err);

#endif
