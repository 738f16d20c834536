/*
 * asr.h — speech recognition with word timestamps and confidences.
 *
 * Engines
 *   whisper.cpp   used whenever a model is configured (opts.whisper_model, else environment
 *                 KOCRUIT_WHISPER_MODEL); Korean and English. libwhisper.so is loaded at run
 *                 time (dlopen), so binaries start without it: opts.whisper_lib, else
 *                 KOCRUIT_WHISPER_LIB, else $KOCRUIT_ASSETS/whisper-build/{src,bin,.}/
 *                 libwhisper.so. A configured but missing model → KC_E_UNAVAILABLE; a file that
 *                 does not load as a model → KC_E_UNPROCESSABLE. No silent fallback to another
 *                 engine when a configured model fails.
 *   pocketsphinx  English only (Debian's en-us acoustic model, LM and dictionary under
 *                 /usr/share/pocketsphinx/model/en-us), used for "en" when no whisper model is
 *                 configured. One decoder per worker thread; utterances are decoded in parallel.
 *   Korean without a whisper model → KC_E_UNAVAILABLE "no Korean ASR model configured: set
 *   KOCRUIT_WHISPER_MODEL".
 *
 * Utterances: the VAD segments (or, without VAD, the whole audio) are turned into utterances:
 * segments closer than KC_ASR_JOIN_GAP_S are joined, each utterance is padded by
 * KC_ASR_PAD_S, and anything longer than KC_ASR_MAX_UTT_S is cut at the quietest 100 ms between
 * KC_ASR_MIN_CUT_S and KC_ASR_MAX_UTT_S from its start. Word times are in seconds of file
 * time; words are returned in time order.
 *
 * Confidence: pocketsphinx — the word's lattice posterior (ps_seg_prob → logmath_exp), 0..1;
 * whisper — the mean token probability of the word's tokens, 0..1.
 *
 * Thread-safety: kc_asr_transcribe may be called from several threads at once (each call owns
 * its decoders). Ownership: the transcript and its strings are owned by the caller
 * (kc_transcript_free).
 */
#ifndef KC_ASR_H
#define KC_ASR_H

#include <stddef.h>

#include "core/err.h"
#include "fillers.h"
#include "vad.h"

#define KC_ASR_JOIN_GAP_S   0.5
#define KC_ASR_PAD_S        0.15
#define KC_ASR_MAX_UTT_S    28.0 /* < whisper's 30 s window; keeps pocketsphinx searches short */
#define KC_ASR_MIN_CUT_S    10.0
#define KC_ASR_PS_MODEL_DIR "/usr/share/pocketsphinx/model/en-us"

struct kc_asr_opts {
    const char *language;      /* "en" or "ko" (NULL = "en") */
    int threads;               /* pocketsphinx decoders / whisper threads; <= 0 = 2 */
    const char *whisper_model; /* NULL = env KOCRUIT_WHISPER_MODEL (unset/empty = none) */
    const char *whisper_lib;   /* NULL = env KOCRUIT_WHISPER_LIB or the asset cache */
    const char *ps_model_dir;  /* NULL = KC_ASR_PS_MODEL_DIR */
    void (*progress)(void *ctx, double fraction); /* may be NULL; called from the caller's
                                                     thread or a worker, serialised */
    void *progress_ctx;
};

struct kc_transcript {
    struct kc_word *words; /* words[i].w is owned by the transcript */
    size_t n;
    char language[8];  /* "en" / "ko" */
    char engine[96];   /* e.g. "pocketsphinx 5prealpha (en-us)", "whisper.cpp (ggml-base.bin)" */
    size_t utterances; /* number of decoded utterances */
    double audio_s;    /* seconds of audio decoded */
    double decode_s;   /* wall-clock decode time, s (for real-time factor reports) */
};

/* Transcribe pcm[0..n) (16 kHz mono). speech = VAD segments, or NULL to decode everything.
 * 0 ok; -1 with KC_E_UNAVAILABLE (engine/model missing, message says which and how to fix),
 * KC_E_UNPROCESSABLE (model file unusable), KC_E_INVALID (language). */
int kc_asr_transcribe(const float *pcm, size_t n, const struct kc_vad_segments *speech,
                      const struct kc_asr_opts *opts, struct kc_transcript *out,
                      struct kc_err *err);
void kc_transcript_free(struct kc_transcript *t);

/* Utterance plan (exposed for tests): fills *out (caller frees with kc_vad_segments_free). */
int kc_asr_plan(const float *pcm, size_t n, const struct kc_vad_segments *speech,
                struct kc_vad_segments *out, struct kc_err *err);

#endif
