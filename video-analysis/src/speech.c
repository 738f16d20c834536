/*
 * speech.c — the speech pipeline (see speech.h for the result shape).
 *
 * Order of work: VAD (progress 0–0.15) → ASR over the VAD segments (0.25–0.9) → fillers →
 * acoustic features and metrics of the whole recording and of each question window, JSON
 * (0.9–1). The VAD and ASR outcomes are kept
 * as status + reason so that each metric can say why it is missing. Per-question metrics reuse
 * the same functions on a window: the audio slice, the VAD segments clipped to the window and
 * shifted to its start, and the words whose start lies inside it.
 */
#include "speech.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asr.h"
#include "audio_features.h"
#include "fillers.h"
#include "metric.h"
#include "vad.h"

#define RATE 16000

static const char DEF_WPM_VAD[] = "Recognised words per minute of VAD speaking time.";
static const char DEF_WPM_WORDS[] =
    "Recognised words per minute of speaking time, where speaking time (VAD unavailable) is the "
    "span of the recognised words with gaps shorter than 0.25 s bridged.";
static const char DEF_FILLERS[] = "Filler words in the transcript (en: um, uh, er, ah, hmm, like "
                                  "and you know / I mean when used as fillers; ko: 음, 어, 이제, "
                                  "뭐, and 그/저 in hesitation context).";
static const char DEF_FILLER_RATE[] = "Filler words per minute of speaking time.";

struct stage {
    const struct kc_speech_opts *o;
    double base, span;
};

static void stage_cb(void *ctx, double f)
{
    const struct stage *s = ctx;
    if (s->o->progress) s->o->progress(s->o->progress_ctx, s->base + s->span * f);
}

static void report(const struct kc_speech_opts *o, double f)
{
    if (o->progress) o->progress(o->progress_ctx, f);
}

/* Everything computed once for the whole recording. */
struct analysis {
    const float *pcm;
    size_t n;
    const char *lang;
    bool have_vad, have_asr;
    char vad_reason[512], asr_reason[512];
    struct kc_vad_segments segs;
    struct kc_transcript tr;
    struct kc_fillers fl;
};

/* VAD segments inside [t0, t1), shifted so that t0 becomes 0. */
static int clip_segments(const struct kc_vad_segments *in, double t0, double t1,
                         struct kc_vad_segments *out)
{
    out->n = 0;
    out->seg = malloc((in->n ? in->n : 1) * sizeof *out->seg);
    if (!out->seg) return -1;
    for (size_t i = 0; i < in->n; i++) {
        double a = fmax(in->seg[i].start, t0), b = fmin(in->seg[i].end, t1);
        if (b > a) out->seg[out->n++] = (struct kc_vad_segment){a - t0, b - t0};
    }
    return 0;
}

/* Speaking time of words [w0, w1) when VAD is unavailable: word spans, short gaps bridged. */
static double word_span_time(const struct kc_word *w, size_t w0, size_t w1)
{
    double total = 0, a = 0, b = -1;
    for (size_t i = w0; i < w1; i++) {
        if (b >= 0 && w[i].start - b < KC_AF_PAUSE_MIN_S) {
            b = fmax(b, w[i].end);
            continue;
        }
        if (b >= 0) total += b - a;
        a = w[i].start;
        b = w[i].end;
    }
    return b >= 0 ? total + (b - a) : 0;
}

/* Word-based metrics for words [w0, w1) over `speaking_s` seconds of speech. */
static void word_metrics(const struct analysis *an, size_t w0, size_t w1, double speaking_s,
                         struct kc_metric *wpm, struct kc_metric *fcount, struct kc_metric *frate)
{
    *wpm =
        kc_metric_init("speech_rate_wpm", "words/min", an->have_vad ? DEF_WPM_VAD : DEF_WPM_WORDS);
    *fcount = kc_metric_init("filler_count", "count", DEF_FILLERS);
    *frate = kc_metric_init("fillers_per_min", "fillers/min", DEF_FILLER_RATE);
    wpm->not_scored = fcount->not_scored = frate->not_scored = true;
    if (!an->have_asr) {
        kc_metric_unavailable(wpm, "%s", an->asr_reason);
        kc_metric_unavailable(fcount, "%s", an->asr_reason);
        kc_metric_unavailable(frate, "%s", an->asr_reason);
        return;
    }
    long words = (long)(w1 - w0), fillers = 0;
    for (size_t i = 0; i < an->fl.n; i++)
        if (an->fl.hits[i].index >= w0 && an->fl.hits[i].index < w1) fillers++;
    if (!an->have_vad) speaking_s = word_span_time(an->tr.words, w0, w1);
    double minutes = speaking_s / 60.0;
    kc_metric_set(fcount, (double)fillers, words, sqrt((double)fillers));
    if (words < KC_SPEECH_MIN_WORDS || minutes <= 0) {
        kc_metric_insufficient(wpm, "%ld words recognised; at least %d needed", words,
                               KC_SPEECH_MIN_WORDS);
        kc_metric_insufficient(frate, "%ld words recognised; at least %d needed", words,
                               KC_SPEECH_MIN_WORDS);
        wpm->samples = frate->samples = words;
        return;
    }
    kc_metric_set(wpm, words / minutes, words, sqrt((double)words) / minutes);
    kc_metric_set(frate, fillers / minutes, words, sqrt((double)fillers) / minutes);
}

/* All metrics of the window [t0, t1) into a new JSON object. */
static json_t *window_metrics(const struct analysis *an, double t0, double t1, size_t w0, size_t w1)
{
    size_t i0 = (size_t)(t0 * RATE), i1 = (size_t)(t1 * RATE);
    if (i1 > an->n) i1 = an->n;
    if (i0 > i1) i0 = i1;
    struct kc_vad_segments clipped = {NULL, 0};
    if (an->have_vad && clip_segments(&an->segs, t0, t1, &clipped) < 0) return NULL;
    struct kc_audio_features af;
    kc_audio_features_compute(an->pcm + i0, i1 - i0, an->have_vad ? &clipped : NULL, an->vad_reason,
                              &af);
    kc_vad_segments_free(&clipped);
    struct kc_metric wpm, fcount, frate;
    word_metrics(an, w0, w1, af.speaking_time_s, &wpm, &fcount, &frate);
    const struct kc_metric *all[] = {&af.speaking_time_ratio,
                                     &wpm,
                                     &af.syllable_rate,
                                     &af.pause_count,
                                     &af.pause_mean_s,
                                     &af.loudness_mean_dbfs,
                                     &af.loudness_spread_db,
                                     &af.pitch_mean_hz,
                                     &af.pitch_spread_hz,
                                     &fcount,
                                     &frate};
    json_t *m = json_object();
    for (size_t i = 0; m && i < sizeof all / sizeof *all; i++) {
        if (kc_metric_add(m, all[i]) < 0) {
            json_decref(m);
            m = NULL;
        }
    }
    return m;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Transcript text of words [w0, w1): words joined by single spaces. */
static json_t *text_of(const struct analysis *an, size_t w0, size_t w1)
{
    size_t len = 1;
    for (size_t i = w0; i < w1; i++) len += strlen(an->tr.words[i].w) + 1;
    char *s = malloc(len), *p = s;
    if (!s) return NULL;
    *p = '\0';
    for (size_t i = w0; i < w1; i++) p += sprintf(p, "%s%s", i > w0 ? " " : "", an->tr.words[i].w);
    json_t *j = json_string(s); /* NULL if an engine produced invalid UTF-8 */
    free(s);
    return j ? j : json_string("");
}

static json_t *transcript_json(const struct analysis *an)
{
    json_t *t = json_object();
    json_object_set_new(t, "status", json_string(an->have_asr ? "ok" : "unavailable"));
    if (!an->have_asr) json_object_set_new(t, "reason", json_string(an->asr_reason));
    json_object_set_new(t, "language", json_string(an->lang));
    json_object_set_new(t, "engine", json_string(an->have_asr ? an->tr.engine : ""));
    json_t *words = json_array(), *fl = json_array();
    double csum = 0;
    long cn = 0;
    for (size_t i = 0; an->have_asr && i < an->tr.n; i++) {
        const struct kc_word *w = &an->tr.words[i];
        json_t *s = json_string(w->w);
        json_array_append_new(words,
                              json_pack("{s:o,s:o,s:o,s:o}", "w", s ? s : json_string(""), "start",
                                        num(w->start), "end", num(w->end), "conf", num(w->conf)));
        if (isfinite(w->conf)) {
            csum += w->conf;
            cn++;
        }
    }
    for (size_t i = 0; an->have_asr && i < an->fl.n; i++)
        json_array_append_new(
            fl, json_pack("{s:I,s:I,s:s}", "index", (json_int_t)an->fl.hits[i].index, "words",
                          (json_int_t)an->fl.hits[i].n_words, "kind", an->fl.hits[i].kind));
    double mean = cn ? csum / cn : NAN;
    bool low = an->have_asr && ((cn && mean < KC_SPEECH_LOW_CONFIDENCE) ||
                                (an->tr.n == 0 && an->have_vad && an->segs.n > 0));
    json_object_set_new(t, "words", words);
    json_object_set_new(t, "text", an->have_asr ? text_of(an, 0, an->tr.n) : json_string(""));
    json_object_set_new(t, "mean_confidence", num(mean));
    json_object_set_new(t, "low_confidence", json_boolean(low));
    json_object_set_new(t, "fillers", fl);
    return t;
}

static json_t *vad_json(const struct analysis *an)
{
    json_t *v = json_object(), *segs = json_array();
    json_object_set_new(v, "status", json_string(an->have_vad ? "ok" : "unavailable"));
    if (!an->have_vad) json_object_set_new(v, "reason", json_string(an->vad_reason));
    json_object_set_new(v, "model", json_string("silero_vad_v5"));
    for (size_t i = 0; an->have_vad && i < an->segs.n; i++)
        json_array_append_new(segs, json_pack("[f,f]", an->segs.seg[i].start, an->segs.seg[i].end));
    json_object_set_new(v, "segments", segs);
    return v;
}

static json_t *timeline_json(const struct analysis *an, double step)
{
    double *tl;
    size_t k;
    if (kc_af_timeline(an->pcm, an->n, step, &tl, &k) < 0) return NULL;
    json_t *vals = json_array();
    for (size_t i = 0; i < k; i++) json_array_append_new(vals, num(tl[i]));
    free(tl);
    return json_pack("{s:f,s:s,s:o}", "step_s", step, "unit", "dBFS", "values", vals);
}

static json_t *questions_json(const struct analysis *an, const struct kc_speech_opts *o)
{
    json_t *arr = json_array();
    double dur = (double)an->n / RATE;
    for (size_t q = 0; q < o->n_questions; q++) {
        const struct kc_speech_question *qs = &o->questions[q];
        double a = fmin(qs->start, dur), b = fmin(qs->end, dur);
        size_t w0 = 0, w1 = 0;
        if (an->have_asr) {
            while (w0 < an->tr.n && an->tr.words[w0].start < a) w0++;
            w1 = w0;
            while (w1 < an->tr.n && an->tr.words[w1].start < b) w1++;
        }
        json_t *id = json_string(qs->id);
        json_t *j =
            json_pack("{s:o,s:f,s:f,s:[I,I],s:o,s:o}", "id", id ? id : json_string(""), "start",
                      qs->start, "end", qs->end, "word_range", (json_int_t)w0, (json_int_t)w1,
                      "text", an->have_asr ? text_of(an, w0, w1) : json_string(""), "metrics",
                      window_metrics(an, a, b, w0, w1));
        if (!j) {
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, j);
    }
    return arr;
}

static int validate(const float *pcm, size_t n, const struct kc_speech_opts *o, const char *lang,
                    struct kc_err *err)
{
    if (!pcm || n == 0) return kc_err_set(err, KC_E_UNPROCESSABLE, "no audio to analyse");
    if (strcmp(lang, "en") && strcmp(lang, "ko"))
        return kc_err_field(err, KC_E_INVALID, "language",
                            "speech analysis supports \"en\" and \"ko\", not \"%s\"", lang);
    for (size_t q = 0; q < o->n_questions; q++) {
        const struct kc_speech_question *qs = &o->questions[q];
        if (!qs->id || !isfinite(qs->start) || !isfinite(qs->end) || qs->start < 0 ||
            qs->end <= qs->start)
            return kc_err_field(err, KC_E_INVALID, "questions",
                                "question %zu needs an id and 0 <= start < end", q);
    }
    return 0;
}

static void run_vad(struct analysis *an, const struct kc_speech_opts *o)
{
    struct stage st = {o, 0.0, 0.15};
    struct kc_err e = {0};
    float *probs = NULL;
    size_t np = 0;
    if (kc_vad_probs(o->vad_model, an->pcm, an->n, &probs, &np, stage_cb, &st, &e) == 0 &&
        kc_vad_segment(probs, np, KC_VAD_CHUNK / (double)KC_VAD_RATE, (double)an->n / RATE, NULL,
                       &an->segs, &e) == 0) {
        an->have_vad = true;
    } else {
        snprintf(an->vad_reason, sizeof an->vad_reason, "%s", e.message);
    }
    free(probs);
}

static void run_asr(struct analysis *an, const struct kc_speech_opts *o)
{
    struct stage st = {o, 0.25, 0.65};
    struct kc_asr_opts ao = {
        an->lang, o->threads, o->whisper_model, o->whisper_lib, o->ps_model_dir, stage_cb, &st};
    struct kc_err e = {0};
    if (kc_asr_transcribe(an->pcm, an->n, an->have_vad ? &an->segs : NULL, &ao, &an->tr, &e) < 0) {
        snprintf(an->asr_reason, sizeof an->asr_reason, "%s", e.message);
        return;
    }
    if (kc_fillers_find(an->tr.words, an->tr.n, an->lang, &an->fl, &e) < 0) {
        snprintf(an->asr_reason, sizeof an->asr_reason, "%s", e.message);
        kc_transcript_free(&an->tr);
        return;
    }
    an->have_asr = true;
}

json_t *kc_speech_analyze(const float *pcm, size_t n, const struct kc_speech_opts *opts,
                          struct kc_err *err)
{
    struct kc_speech_opts o = opts ? *opts : (struct kc_speech_opts){0};
    struct analysis an = {.pcm = pcm, .n = n, .lang = o.language ? o.language : "en"};
    if (validate(pcm, n, &o, an.lang, err) < 0) return NULL;
    report(&o, 0.0);
    run_vad(&an, &o);
    report(&o, 0.25);
    run_asr(&an, &o);
    report(&o, 0.9);
    double dur = (double)n / RATE;
    json_t *res = json_pack("{s:f,s:s,s:o,s:o,s:o,s:o,s:o}", "duration_s", dur, "language", an.lang,
                            "vad", vad_json(&an), "metrics",
                            window_metrics(&an, 0, dur, 0, an.have_asr ? an.tr.n : 0), "transcript",
                            transcript_json(&an), "loudness_timeline",
                            timeline_json(&an, o.timeline_step_s > 0 ? o.timeline_step_s : 1.0),
                            "questions", questions_json(&an, &o));
    kc_vad_segments_free(&an.segs);
    kc_transcript_free(&an.tr);
    kc_fillers_free(&an.fl);
    if (!res) {
        kc_err_set(err, KC_E_NOMEM, "out of memory building the speech result");
        return NULL;
    }
    report(&o, 1.0);
    return res;
}
