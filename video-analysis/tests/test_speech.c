/*
 * test_speech.c — the speech pipeline end to end on generated speech: VAD, features, ASR,
 * fillers, timeline and per-question windows; and its degraded modes: no VAD model (VAD
 * metrics unavailable, loudness and pitch still computed), Korean without a whisper model
 * (transcript metrics unavailable with the reason), invalid questions.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "media.h"
#include "speech.h"

struct prog {
    double last;
    int calls;
    bool monotone;
};

static void on_progress(void *ctx, double f)
{
    struct prog *p = ctx;
    if (f < p->last - 1e-9 || f < 0 || f > 1) p->monotone = false;
    p->last = f;
    p->calls++;
}

static float *load(const char *name, size_t *n)
{
    int rate;
    float *pcm = kc_fixture_read_wav(kc_fixture(name), n, &rate);
    cr_assert_not_null(pcm, "%s", name);
    cr_assert_eq(rate, 16000);
    return pcm;
}

static double truth_speech(const char *name)
{
    FILE *f = fopen(kc_fixture(name), "r");
    cr_assert_not_null(f);
    double a, b, t = 0;
    while (fscanf(f, "%lf %lf", &a, &b) == 2) t += b - a;
    fclose(f);
    return t;
}

static json_t *metric(json_t *res, const char *name)
{
    json_t *m = json_object_get(json_object_get(res, "metrics"), name);
    cr_assert_not_null(m, "metric %s missing", name);
    return m;
}

static const char *status(json_t *m)
{
    return json_string_value(json_object_get(m, "status"));
}

static double value(json_t *m)
{
    return json_number_value(json_object_get(m, "value"));
}

Test(speech, english_pipeline)
{
    unsetenv("KOCRUIT_WHISPER_MODEL");
    size_t n;
    float *pcm = load("speech_en.wav", &n);
    struct kc_speech_question q[2] = {{"q1", 0.0, 5.0}, {"q2", 5.0, 30.0}};
    struct prog pr = {0, 0, true};
    struct kc_speech_opts o = {.language = "en",
                               .threads = 2,
                               .questions = q,
                               .n_questions = 2,
                               .progress = on_progress,
                               .progress_ctx = &pr};
    struct kc_err err = {0};
    json_t *res = kc_speech_analyze(pcm, n, &o, &err);
    cr_assert_not_null(res, "%s", err.message);
    char *dump = json_dumps(res, JSON_COMPACT);
    cr_assert_not_null(dump);
    cr_log_info("%.1500s", dump);
    free(dump);

    double dur = n / 16000.0, truth = truth_speech("speech_en.truth");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(res, "vad"), "status")),
                     "ok");
    json_t *ratio = metric(res, "speaking_time_ratio");
    cr_assert_str_eq(status(ratio), "ok");
    cr_expect(fabs(value(ratio) * dur - truth) <= 0.1 * truth, "speech %.2f s vs %.2f s",
              value(ratio) * dur, truth);
    cr_expect(json_is_true(json_object_get(ratio, "not_scored")));
    json_t *pauses = metric(res, "pause_count");
    cr_expect_geq(value(pauses), 2, "the 2.0 s and 1.5 s silences are pauses");
    cr_expect_geq(value(metric(res, "pause_mean_s")), 0.25);
    cr_expect_str_eq(status(metric(res, "loudness_mean_dbfs")), "ok");
    json_t *pitch = metric(res, "pitch_mean_hz");
    cr_expect_str_eq(status(pitch), "ok");
    cr_expect(value(pitch) > 60 && value(pitch) < 300, "espeak voice F0 %f", value(pitch));
    json_t *syl = metric(res, "speech_rate_syllables_per_min");
    cr_expect(json_is_true(json_object_get(syl, "estimate")));

    json_t *tr = json_object_get(res, "transcript");
    cr_expect_str_eq(json_string_value(json_object_get(tr, "status")), "ok");
    cr_expect_str_eq(json_string_value(json_object_get(tr, "engine")),
                     "pocketsphinx 5prealpha (en-us)");
    json_t *words = json_object_get(tr, "words");
    cr_expect_geq(json_array_size(words), 20, "%zu words", json_array_size(words));
    double prev = -1;
    for (size_t i = 0; i < json_array_size(words); i++) {
        double s = json_number_value(json_object_get(json_array_get(words, i), "start"));
        cr_expect_geq(s, prev);
        prev = s;
    }
    json_t *wpm = metric(res, "speech_rate_wpm");
    cr_expect_str_eq(status(wpm), "ok");
    /* 40 words in 13.5 s of speech (espeak at 150 wpm); pocketsphinx finds 28 of them */
    cr_expect(value(wpm) > 80 && value(wpm) < 260, "wpm %f", value(wpm));
    cr_expect_str_eq(status(metric(res, "filler_count")), "ok");

    json_t *tl = json_object_get(json_object_get(res, "loudness_timeline"), "values");
    cr_expect_eq(json_array_size(tl), (size_t)ceil(dur));
    cr_expect(json_is_null(json_array_get(tl, 0)), "first second is digital silence");

    json_t *qs = json_object_get(res, "questions");
    cr_assert_eq(json_array_size(qs), 2);
    json_t *q1 = json_array_get(qs, 0), *q2 = json_array_get(qs, 1);
    cr_expect_str_eq(json_string_value(json_object_get(q1, "id")), "q1");
    json_t *r1 = json_object_get(q1, "word_range"), *r2 = json_object_get(q2, "word_range");
    cr_expect_eq(json_integer_value(json_array_get(r1, 1)),
                 json_integer_value(json_array_get(r2, 0)));
    cr_expect_eq(json_integer_value(json_array_get(r2, 1)), (json_int_t)json_array_size(words));
    json_t *q1ratio = json_object_get(json_object_get(q1, "metrics"), "speaking_time_ratio");
    cr_expect_float_eq(value(q1ratio), (3.958 - 1.0) / 5.0, 0.08, "q1 ratio %f", value(q1ratio));
    cr_expect(pr.monotone && pr.calls >= 3 && fabs(pr.last - 1.0) < 1e-9, "progress %d calls",
              pr.calls);
    json_decref(res);
    free(pcm);
}

Test(speech, without_vad_model)
{
    unsetenv("KOCRUIT_WHISPER_MODEL");
    size_t n;
    float *pcm = load("speech_en.wav", &n);
    struct kc_speech_opts o = {.language = "en", .vad_model = "/nonexistent/silero_vad_v5.onnx"};
    struct kc_err err = {0};
    json_t *res = kc_speech_analyze(pcm, n, &o, &err);
    cr_assert_not_null(res, "%s", err.message);
    json_t *vad = json_object_get(res, "vad");
    cr_expect_str_eq(json_string_value(json_object_get(vad, "status")), "unavailable");
    cr_expect_not_null(strstr(json_string_value(json_object_get(vad, "reason")), "/nonexistent"));
    const char *vad_metrics[] = {"speaking_time_ratio", "pause_count", "pause_mean_s"};
    for (int i = 0; i < 3; i++) {
        json_t *m = metric(res, vad_metrics[i]);
        cr_expect_str_eq(status(m), "unavailable", "%s", vad_metrics[i]);
        cr_expect(json_is_null(json_object_get(m, "value")));
        cr_expect_not_null(strstr(json_string_value(json_object_get(m, "reason")), "not found"));
    }
    const char *still[] = {"loudness_mean_dbfs", "loudness_spread_db", "pitch_mean_hz",
                           "pitch_spread_hz"};
    for (int i = 0; i < 4; i++) {
        json_t *m = metric(res, still[i]);
        cr_expect_str_eq(status(m), "ok", "%s", still[i]);
        cr_expect_not_null(
            strstr(json_string_value(json_object_get(m, "definition")), "VAD unavailable"),
            "%s says how frames were chosen", still[i]);
    }
    /* the transcript still comes (whole-audio decoding); its rate says how time was measured */
    cr_expect_str_eq(
        json_string_value(json_object_get(json_object_get(res, "transcript"), "status")), "ok");
    json_decref(res);
    free(pcm);
}

Test(speech, korean_without_whisper_model)
{
    unsetenv("KOCRUIT_WHISPER_MODEL");
    size_t n;
    float *pcm = load("speech_ko.wav", &n);
    struct kc_speech_opts o = {.language = "ko"};
    struct kc_err err = {0};
    json_t *res = kc_speech_analyze(pcm, n, &o, &err);
    cr_assert_not_null(res, "%s", err.message);
    json_t *tr = json_object_get(res, "transcript");
    cr_expect_str_eq(json_string_value(json_object_get(tr, "status")), "unavailable");
    cr_expect_str_eq(json_string_value(json_object_get(tr, "reason")),
                     "no Korean ASR model configured: set KOCRUIT_WHISPER_MODEL");
    cr_expect_eq(json_array_size(json_object_get(tr, "words")), 0);
    const char *asr_metrics[] = {"speech_rate_wpm", "filler_count", "fillers_per_min"};
    for (int i = 0; i < 3; i++) {
        json_t *m = metric(res, asr_metrics[i]);
        cr_expect_str_eq(status(m), "unavailable");
        cr_expect_str_eq(json_string_value(json_object_get(m, "reason")),
                         "no Korean ASR model configured: set KOCRUIT_WHISPER_MODEL");
    }
    cr_expect_str_eq(status(metric(res, "speaking_time_ratio")), "ok");
    cr_expect_str_eq(status(metric(res, "speech_rate_syllables_per_min")), "ok");
    json_decref(res);
    free(pcm);
}

Test(speech, invalid_input)
{
    float pcm[16000] = {0};
    struct kc_err err = {0};
    struct kc_speech_question bad[1] = {{"q1", 5.0, 2.0}};
    struct kc_speech_opts o = {.questions = bad, .n_questions = 1};
    cr_expect_null(kc_speech_analyze(pcm, 16000, &o, &err));
    cr_expect_eq(err.code, KC_E_INVALID);
    cr_expect_str_eq(err.field, "questions");
    struct kc_speech_opts fr = {.language = "fr"};
    cr_expect_null(kc_speech_analyze(pcm, 16000, &fr, &err));
    cr_expect_eq(err.code, KC_E_INVALID);
    cr_expect_null(kc_speech_analyze(pcm, 0, NULL, &err));
    cr_expect_eq(err.code, KC_E_UNPROCESSABLE);
}

Test(speech, from_a_video_file)
{
    unsetenv("KOCRUIT_WHISPER_MODEL");
    kc_media_quiet_logs();
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open(kc_fixture("speech.mp4"), NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    struct kc_audio a;
    cr_assert_eq(kc_media_read_audio(m, &a, &err), 0, "%s", err.message);
    struct kc_speech_opts o = {.language = "en"};
    json_t *res = kc_speech_analyze(a.samples, a.count, &o, &err);
    cr_assert_not_null(res, "%s", err.message);
    double truth = truth_speech("speech_en.truth");
    json_t *ratio = metric(res, "speaking_time_ratio");
    cr_expect(fabs(value(ratio) * a.duration_s - truth) <= 0.1 * truth, "AAC round trip: %.2f s",
              value(ratio) * a.duration_s);
    json_decref(res);
    kc_audio_free(&a);
    kc_media_close(m);
}
