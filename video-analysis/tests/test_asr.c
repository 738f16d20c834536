/*
 * test_asr.c — ASR planning and engine selection: utterance plans from VAD segments, the
 * "unavailable" answers (Korean without a whisper model, a missing model file), a file that is
 * not a whisper model (a clear error, not a crash), and an invalid language.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asr.h"
#include "fixtures.h"

#define SR 16000

Test(asr_plan, joins_pads_and_splits)
{
    size_t n = 70 * SR;
    float *pcm = calloc(n, sizeof *pcm);
    for (size_t i = 0; i < n; i++) /* loud everywhere except a quiet stretch at 21-21.2 s */
        pcm[i] = (i >= 21 * SR && i < (size_t)(21.2 * SR)) ? 0.0f : (float)sin(i * 0.1) * 0.5f;
    struct kc_vad_segment seg[4] = {{1.0, 2.0}, {2.3, 3.0}, {5.0, 6.0}, {8.0, 48.0}};
    struct kc_vad_segments s = {seg, 4}, plan;
    cr_assert_eq(kc_asr_plan(pcm, n, &s, &plan, NULL), 0);
    /* [1,3] joined (0.3 s gap), [5,6], and [8,48] cut at the quiet point 21.1 s, then again */
    cr_assert_geq(plan.n, 4, "%zu utterances", plan.n);
    cr_expect_float_eq(plan.seg[0].start, 1.0 - KC_ASR_PAD_S, 1e-9);
    cr_expect_float_eq(plan.seg[0].end, 3.0 + KC_ASR_PAD_S, 1e-9);
    cr_expect_float_eq(plan.seg[1].start, 5.0 - KC_ASR_PAD_S, 1e-9);
    cr_expect_float_eq(plan.seg[2].start, 8.0 - KC_ASR_PAD_S, 1e-9);
    cr_expect_float_eq(plan.seg[2].end, 21.1, 0.06, "cut at %f", plan.seg[2].end);
    for (size_t i = 0; i < plan.n; i++) {
        cr_expect_leq(plan.seg[i].end - plan.seg[i].start, KC_ASR_MAX_UTT_S + 1e-9);
        if (i) cr_expect_geq(plan.seg[i].start, plan.seg[i - 1].end - 1e-9);
    }
    cr_expect_float_eq(plan.seg[plan.n - 1].end, 48.0 + KC_ASR_PAD_S, 1e-9);
    kc_vad_segments_free(&plan);
    /* without VAD: the whole audio, split into pieces no longer than the maximum */
    cr_assert_eq(kc_asr_plan(pcm, n, NULL, &plan, NULL), 0);
    cr_expect_geq(plan.n, 3);
    cr_expect_float_eq(plan.seg[0].start, 0, 1e-9);
    cr_expect_float_eq(plan.seg[plan.n - 1].end, 70.0, 1e-9);
    kc_vad_segments_free(&plan);
    free(pcm);
}

static int transcribe(const char *lang, const char *model, struct kc_err *err)
{
    float pcm[SR] = {0};
    struct kc_asr_opts o = {.language = lang, .whisper_model = model};
    struct kc_transcript t;
    int rc = kc_asr_transcribe(pcm, SR, NULL, &o, &t, err);
    if (rc == 0) kc_transcript_free(&t);
    return rc;
}

Test(asr, korean_without_model_is_unavailable)
{
    unsetenv("KOCRUIT_WHISPER_MODEL");
    struct kc_err err = {0};
    cr_expect_eq(transcribe("ko", NULL, &err), -1);
    cr_expect_eq(err.code, KC_E_UNAVAILABLE);
    cr_expect_str_eq(err.message, "no Korean ASR model configured: set KOCRUIT_WHISPER_MODEL");
    setenv("KOCRUIT_WHISPER_MODEL", "", 1); /* empty means not configured */
    cr_expect_eq(transcribe("ko", NULL, &err), -1);
    cr_expect_eq(err.code, KC_E_UNAVAILABLE);
}

Test(asr, whisper_model_missing_is_unavailable)
{
    setenv("KOCRUIT_WHISPER_MODEL", "/nonexistent/ggml-small.bin", 1);
    struct kc_err err = {0};
    cr_expect_eq(transcribe("ko", NULL, &err), -1);
    cr_expect_eq(err.code, KC_E_UNAVAILABLE);
    cr_expect_not_null(strstr(err.message, "/nonexistent/ggml-small.bin"), "%s", err.message);
    cr_expect_eq(transcribe("en", NULL, &err), -1, "a configured model is not silently skipped");
    unsetenv("KOCRUIT_WHISPER_MODEL");
}

Test(asr, bad_whisper_model_file_is_a_clear_error)
{
    const char *dir = kc_fixture_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/ggml-bad.bin", dir);
    cr_assert_eq(kc_fixture_write(path, "definitely not a ggml model", 27), 0);
    struct kc_err err = {0};
    cr_expect_eq(transcribe("ko", path, &err), -1);
    /* with libwhisper present: the model does not load (422); without it: unavailable (503) */
    cr_expect(err.code == KC_E_UNPROCESSABLE || err.code == KC_E_UNAVAILABLE, "%d: %s", err.code,
              err.message);
    if (err.code == KC_E_UNPROCESSABLE)
        cr_expect_not_null(strstr(err.message, "could not load"), "%s", err.message);
    cr_log_info("bad whisper model: %s", err.message);
    remove(path);
    rmdir(dir);
}

Test(asr, invalid_language)
{
    struct kc_err err = {0};
    cr_expect_eq(transcribe("fr", NULL, &err), -1);
    cr_expect_eq(err.code, KC_E_INVALID);
    cr_expect_str_eq(err.field, "language");
}

Test(asr, english_silence_gives_no_words)
{
    unsetenv("KOCRUIT_WHISPER_MODEL");
    float *pcm = calloc(2 * SR, sizeof *pcm);
    struct kc_asr_opts o = {.language = "en", .threads = 1};
    struct kc_transcript t;
    struct kc_err err = {0};
    cr_assert_eq(kc_asr_transcribe(pcm, 2 * SR, NULL, &o, &t, &err), 0, "%s", err.message);
    cr_expect_leq(t.n, 1, "%zu words from digital silence", t.n);
    cr_expect_str_eq(t.engine, "pocketsphinx 5prealpha (en-us)");
    kc_transcript_free(&t);
    /* a missing pocketsphinx model directory is unavailable, not a crash */
    o.ps_model_dir = "/nonexistent/en-us";
    cr_expect_eq(kc_asr_transcribe(pcm, 2 * SR, NULL, &o, &t, &err), -1);
    cr_expect_eq(err.code, KC_E_UNAVAILABLE);
    free(pcm);
}
