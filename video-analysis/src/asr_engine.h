/*
 * asr_engine.h — internal interface between asr.c (planning, dispatch) and the engines
 * (asr_sphinx.c, asr_whisper.c). Not for use outside the ASR module.
 *
 * An engine decodes a list of utterances of one audio buffer and appends words (file time,
 * strings owned by the transcript) through kc_asr_add_word. Words of different utterances may
 * be appended in any order; asr.c sorts them afterwards.
 */
#ifndef KC_ASR_ENGINE_H
#define KC_ASR_ENGINE_H

#include "asr.h"

struct kc_asr_job {
    const float *pcm; /* whole audio, 16 kHz */
    size_t n;
    const struct kc_vad_segments *utts; /* utterances to decode */
    const struct kc_asr_opts *opts;
    const char *language;
    struct kc_transcript *out;
};

/* Append a word (text copied). Not thread-safe: engines serialise calls. 0 or -1 (no memory). */
int kc_asr_add_word(struct kc_transcript *t, const char *w, double start, double end, double conf);

/* Report progress (done of total utterances); serialised by the engines. */
void kc_asr_progress(const struct kc_asr_job *job, size_t done);

int kc_asr_sphinx_run(const struct kc_asr_job *job, struct kc_err *err);
int kc_asr_whisper_run(const struct kc_asr_job *job, const char *model, struct kc_err *err);

#endif
