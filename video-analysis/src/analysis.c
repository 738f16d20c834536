/*
 * analysis.c — kc_analysis_run: probe the recording, run the vision and speech pipelines in
 * parallel or in turn, assemble the report (analysis.h).
 *
 * Threads: each pipeline already keeps both cores of the target machine busy (vision: frame
 * decoding plus one model worker per core; ASR: one decoder per core over the VAD segments).
 * With a transcript to make, the vision part therefore runs first and the speech part after
 * it on the calling thread: measured on the 60 s 720p benchmark this costs little wall time
 * but keeps the two parts' models from being resident at once (peak RSS ~350 MB instead of
 * ~425 MB; the target is < 400 MB). Without ASR the speech part is small (VAD and acoustic
 * features, well under a second per minute of audio), so it runs on a second thread beside
 * the vision part. Progress from both is combined under a mutex into one non-decreasing
 * fraction: 0.02 after the probe, then 0.02 + 0.93 x the mean of the running parts'
 * fractions, 0.97 while the report is assembled, 1.0 at the end.
 *
 * Speech stage timings: kc_speech_analyze reports progress 0.25 after VAD and 0.9 after ASR
 * (speech.c); the times of those marks split its wall time into vad / asr / audio_features.
 * A speech result carrying its own "timings_ms" object takes precedence (analysis_report.c).
 *
 * Transcript on purpose off ("asr": false, or language "auto" for which no language
 * identification exists): the speech pipeline is asked for Korean with no Whisper model,
 * which makes ASR unavailable without decoding anything; analysis_report.c then replaces that
 * reason with the real one in the transcript and in every word-based metric.
 */
#include "analysis.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis_private.h"
#include "media.h"
#include "speech.h"

struct run {
    const char *path;
    const struct kc_analysis_opts *o;
    const struct kc_analysis_hooks *h;
    const struct kc_media *media;
    struct kc_analysis_parts parts;
    pthread_mutex_t mu;
    bool run_vision, run_speech;
    double fv, fs, last;
    double speech_t0, vad_done, asr_done;
    const char *active; /* stage name: "vision", "speech" or "vision+speech" */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Report the overall fraction; caller holds r->mu. */
static void emit(struct run *r, double f, const char *stage)
{
    if (f < r->last) f = r->last;
    r->last = f;
    if (r->h && r->h->progress) r->h->progress(r->h->ctx, f, stage);
}

static void combined(struct run *r)
{
    int n = (int)r->run_vision + (int)r->run_speech;
    double sum = (r->run_vision ? r->fv : 0) + (r->run_speech ? r->fs : 0);
    emit(r, 0.02 + 0.93 * (n ? sum / n : 1.0), r->active);
}

static void vision_progress(double fraction, void *ctx)
{
    struct run *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->fv = fmin(fmax(fraction, 0), 1);
    combined(r);
    pthread_mutex_unlock(&r->mu);
}

static void speech_progress(void *ctx, double fraction)
{
    struct run *r = ctx;
    double t = now_ms();
    pthread_mutex_lock(&r->mu);
    if (fraction >= 0.25 && isnan(r->vad_done)) r->vad_done = t;
    if (fraction >= 0.9 && isnan(r->asr_done)) r->asr_done = t;
    r->fs = fmin(fmax(fraction, 0), 1);
    combined(r);
    pthread_mutex_unlock(&r->mu);
}

static void *vision_main(void *arg)
{
    struct run *r = arg;
    double t0 = now_ms();
    kc_analysis_vision_run(r->media, r->o, r->parts.emotion_ran, vision_progress, r,
                           &r->parts.vision);
    r->parts.vision.ms = now_ms() - t0;
    return NULL;
}

static void set_active(struct run *r, const char *stage)
{
    pthread_mutex_lock(&r->mu);
    r->active = stage;
    pthread_mutex_unlock(&r->mu);
}

static void set_part(struct kc_analysis_part *p, enum kc_part_status st, const char *reason)
{
    p->status = st;
    snprintf(p->reason, sizeof p->reason, "%s", reason);
}

static void speech_run(struct run *r)
{
    struct kc_analysis_part *p = &r->parts.speech;
    struct kc_err err = {0};
    struct kc_audio audio = {0};
    double t0 = now_ms();
    if (kc_media_read_audio(r->media, &audio, &err)) {
        set_part(p, KC_PART_UNAVAILABLE, err.message);
        return;
    }
    r->parts.audio_decode_ms = now_ms() - t0;
    const struct kc_analysis_opts *o = r->o;
    struct kc_speech_question *qs = NULL;
    if (o->n_questions) qs = calloc(o->n_questions, sizeof *qs);
    for (size_t i = 0; qs && i < o->n_questions; i++)
        qs[i] = (struct kc_speech_question){o->questions[i].id, o->questions[i].start,
                                            o->questions[i].end};
    struct kc_speech_opts so = {.language = o->language,
                                .threads = 2,
                                .questions = qs,
                                .n_questions = qs ? o->n_questions : 0,
                                .progress = speech_progress,
                                .progress_ctx = r};
    if (r->parts.asr_off_reason) {
        so.language = "ko"; /* see the top of this file */
        so.whisper_model = "";
    }
    r->speech_t0 = now_ms();
    p->result = kc_speech_analyze(audio.samples, audio.count, &so, &err);
    double t1 = now_ms();
    p->ms = t1 - t0;
    free(qs);
    kc_audio_free(&audio);
    if (!p->result) {
        set_part(p, KC_PART_UNAVAILABLE, err.message);
        return;
    }
    p->status = KC_PART_OK;
    double vad_end = isnan(r->vad_done) ? NAN : r->vad_done;
    double asr_end = isnan(r->asr_done) ? NAN : r->asr_done;
    r->parts.vad_ms = vad_end - r->speech_t0;
    r->parts.asr_ms = asr_end - vad_end;
    r->parts.features_ms = t1 - asr_end;
}

/* Decide which parts run and why the others do not. */
static void plan(struct run *r, const struct kc_media_info *info)
{
    const struct kc_analysis_opts *o = r->o;
    struct kc_analysis_parts *pp = &r->parts;
    if (!o->consent_video)
        set_part(&pp->vision, KC_PART_NOT_RUN, "no consent for video behaviour analysis");
    else if (!info->video.available)
        set_part(&pp->vision, KC_PART_UNAVAILABLE, info->video.reason);
    else
        r->run_vision = true;
    if (!o->consent_speech)
        set_part(&pp->speech, KC_PART_NOT_RUN, "no consent for speech analysis");
    else if (!info->audio.available)
        set_part(&pp->speech, KC_PART_UNAVAILABLE, info->audio.reason);
    else
        r->run_speech = true;
    pp->emotion_ran = kc_analysis_emotion_allowed(o, &pp->emotion_reason) && r->run_vision;
    if (!pp->emotion_ran && !pp->emotion_reason)
        pp->emotion_reason = "the video behaviour analysis did not run";
    if (!o->asr)
        pp->asr_off_reason = "transcription was not requested (\"asr\": false)";
    else if (!strcmp(o->language, "auto"))
        pp->asr_off_reason = "language \"auto\": no language identification model is "
                             "available here; pass \"en\" or \"ko\" to get a transcript";
}

json_t *kc_analysis_run(const char *path, const struct kc_analysis_opts *o, const char *id,
                        const struct kc_analysis_hooks *hooks, struct kc_err *err)
{
    double t0 = now_ms();
    struct kc_media *m = kc_media_open(path, NULL, err);
    if (!m) return NULL;
    struct run r = {.path = path, .o = o, .h = hooks, .media = m};
    r.parts = (struct kc_analysis_parts){.opts = o, .id = id, .info = kc_media_info(m)};
    r.vad_done = r.asr_done = NAN;
    r.parts.vad_ms = r.parts.asr_ms = r.parts.features_ms = NAN;
    pthread_mutex_init(&r.mu, NULL);
    plan(&r, r.parts.info);
    pthread_mutex_lock(&r.mu);
    emit(&r, 0.02, "probe");
    pthread_mutex_unlock(&r.mu);

    /* With a transcript, the parts run one after the other (see the top of this file). */
    pthread_t vt;
    bool parallel = r.run_vision && r.run_speech && r.parts.asr_off_reason != NULL;
    r.active = parallel ? "vision+speech" : "vision";
    bool threaded = parallel && pthread_create(&vt, NULL, vision_main, &r) == 0;
    if (r.run_vision && !threaded) vision_main(&r);
    if (!threaded) set_active(&r, "speech");
    if (r.run_speech) speech_run(&r);
    if (threaded) pthread_join(vt, NULL);

    pthread_mutex_lock(&r.mu);
    emit(&r, 0.97, "report");
    pthread_mutex_unlock(&r.mu);
    r.parts.wall_ms = now_ms() - t0;
    json_t *report = kc_report_assemble(&r.parts);
    json_decref(r.parts.vision.result);
    json_decref(r.parts.speech.result);
    kc_media_close(m);
    if (!report) {
        pthread_mutex_destroy(&r.mu);
        kc_err_set(err, KC_E_NOMEM, "out of memory assembling the report");
        return NULL;
    }
    pthread_mutex_lock(&r.mu);
    emit(&r, 1.0, "done");
    pthread_mutex_unlock(&r.mu);
    pthread_mutex_destroy(&r.mu);
    return report;
}
