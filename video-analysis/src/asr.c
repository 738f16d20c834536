/*
 * asr.c — engine choice, utterance planning and the transcript container (see asr.h).
 *
 * Planning works on a copy of the speech segments: join close ones, pad, split long ones at
 * the quietest 100 ms. Utterances never overlap (padding is limited to half the gap), so a word
 * cannot be recognised twice. Engines append words in any order; the result is sorted by start.
 */
#include "asr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asr_engine.h"

#define RATE       16000
#define QUIET_WIN  1600 /* 100 ms */
#define QUIET_STEP 800

static int push(struct kc_vad_segments *s, size_t *cap, double a, double b)
{
    if (s->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        struct kc_vad_segment *ns = realloc(s->seg, nc * sizeof *ns);
        if (!ns) return -1;
        s->seg = ns;
        *cap = nc;
    }
    s->seg[s->n++] = (struct kc_vad_segment){a, b};
    return 0;
}

/* Start time of the quietest 100 ms window centre in [a, b] seconds. */
static double quietest(const float *pcm, size_t n, double a, double b)
{
    size_t i0 = (size_t)(a * RATE), i1 = (size_t)(b * RATE);
    double best_t = (a + b) / 2, best = INFINITY;
    if (i1 > n) i1 = n;
    for (size_t i = i0; i + QUIET_WIN <= i1; i += QUIET_STEP) {
        double e = 0;
        for (size_t k = i; k < i + QUIET_WIN; k++) e += (double)pcm[k] * pcm[k];
        if (e < best) {
            best = e;
            best_t = (i + QUIET_WIN / 2) / (double)RATE;
        }
    }
    return best_t;
}

/* Cut [a, b] into pieces of at most KC_ASR_MAX_UTT_S at quiet points. */
static int push_split(const float *pcm, size_t n, struct kc_vad_segments *s, size_t *cap, double a,
                      double b)
{
    while (b - a > KC_ASR_MAX_UTT_S) {
        double cut = quietest(pcm, n, a + KC_ASR_MIN_CUT_S, a + KC_ASR_MAX_UTT_S);
        if (push(s, cap, a, cut) < 0) return -1;
        a = cut;
    }
    return b - a > 0.05 ? push(s, cap, a, b) : 0;
}

int kc_asr_plan(const float *pcm, size_t n, const struct kc_vad_segments *speech,
                struct kc_vad_segments *out, struct kc_err *err)
{
    double dur = (double)n / RATE;
    struct kc_vad_segment whole = {0, dur};
    const struct kc_vad_segment *in = speech ? speech->seg : &whole;
    size_t n_in = speech ? speech->n : (n > 0 ? 1 : 0), cap = 0;
    struct kc_vad_segments joined = {NULL, 0};
    out->seg = NULL;
    out->n = 0;
    for (size_t i = 0; i < n_in; i++) { /* join close segments while short enough */
        double a = in[i].start, b = in[i].end;
        while (i + 1 < n_in && in[i + 1].start - b < KC_ASR_JOIN_GAP_S &&
               in[i + 1].end - a <= KC_ASR_MAX_UTT_S)
            b = in[++i].end;
        if (push(&joined, &cap, a, b) < 0) goto nomem;
    }
    cap = 0;
    for (size_t i = 0; i < joined.n; i++) { /* pad by at most half of each gap, then split */
        double a = joined.seg[i].start, b = joined.seg[i].end;
        double left = i ? (a - joined.seg[i - 1].end) / 2 : a;
        double right = i + 1 < joined.n ? (joined.seg[i + 1].start - b) / 2 : dur - b;
        a -= fmax(0, fmin(KC_ASR_PAD_S, left));
        b += fmax(0, fmin(KC_ASR_PAD_S, right));
        if (push_split(pcm, n, out, &cap, a, b) < 0) goto nomem;
    }
    kc_vad_segments_free(&joined);
    return 0;
nomem:
    kc_vad_segments_free(&joined);
    kc_vad_segments_free(out);
    return kc_err_set(err, KC_E_NOMEM, "out of memory");
}

int kc_asr_add_word(struct kc_transcript *t, const char *w, double start, double end, double conf)
{
    /* capacity is 64, then doubles: grow when n is 0 or a power of two >= 64 */
    if (t->n == 0 || (t->n >= 64 && (t->n & (t->n - 1)) == 0)) {
        size_t nc = t->n ? 2 * t->n : 64;
        struct kc_word *nw = realloc(t->words, nc * sizeof *nw);
        if (!nw) return -1;
        t->words = nw;
    }
    char *copy = strdup(w);
    if (!copy) return -1;
    t->words[t->n++] = (struct kc_word){copy, start, end, conf};
    return 0;
}

void kc_asr_progress(const struct kc_asr_job *job, size_t done)
{
    if (job->opts && job->opts->progress && job->utts->n)
        job->opts->progress(job->opts->progress_ctx, (double)done / (double)job->utts->n);
}

static int cmp_word(const void *a, const void *b)
{
    const struct kc_word *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *configured(const char *opt, const char *env)
{
    const char *v = opt ? opt : getenv(env);
    return v && *v ? v : NULL;
}

int kc_asr_transcribe(const float *pcm, size_t n, const struct kc_vad_segments *speech,
                      const struct kc_asr_opts *opts, struct kc_transcript *out, struct kc_err *err)
{
    struct kc_asr_opts o = opts ? *opts : (struct kc_asr_opts){0};
    const char *lang = o.language ? o.language : "en";
    memset(out, 0, sizeof *out);
    if (strcmp(lang, "en") && strcmp(lang, "ko"))
        return kc_err_field(err, KC_E_INVALID, "language",
                            "speech recognition supports \"en\" and \"ko\", not \"%s\"", lang);
    snprintf(out->language, sizeof out->language, "%s", lang);
    const char *model = configured(o.whisper_model, "KOCRUIT_WHISPER_MODEL");
    if (!model && !strcmp(lang, "ko"))
        return kc_err_set(err, KC_E_UNAVAILABLE,
                          "no Korean ASR model configured: set KOCRUIT_WHISPER_MODEL");
    struct kc_vad_segments utts;
    if (kc_asr_plan(pcm, n, speech, &utts, err) < 0) return -1;
    struct kc_asr_job job = {pcm, n, &utts, &o, lang, out};
    double t0 = now_s();
    int rc = model ? kc_asr_whisper_run(&job, model, err) : kc_asr_sphinx_run(&job, err);
    out->decode_s = now_s() - t0;
    out->utterances = utts.n;
    for (size_t i = 0; i < utts.n; i++) out->audio_s += utts.seg[i].end - utts.seg[i].start;
    kc_vad_segments_free(&utts);
    if (rc < 0) {
        kc_transcript_free(out);
        return -1;
    }
    if (out->n > 1) qsort(out->words, out->n, sizeof *out->words, cmp_word);
    return 0;
}

void kc_transcript_free(struct kc_transcript *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) free((char *)t->words[i].w);
    free(t->words);
    t->words = NULL;
    t->n = 0;
}
