/*
 * test_vad.c — the hysteresis segmenter on hand-made probability tracks (unit), and Silero VAD
 * v5 on generated speech with known silences: speaking time within 10 % of the truth measured
 * when the fixture was built. A missing model is an "unavailable" error, never a guess.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fixtures.h"
#include "vad.h"

#define CH 0.032

/* probs for [0,total) with p=hi inside the given [start,end) runs, lo elsewhere */
static float *track(size_t n, const double (*runs)[2], size_t nruns, float hi, float lo)
{
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        double t = i * CH;
        p[i] = lo;
        for (size_t r = 0; r < nruns; r++)
            if (t >= runs[r][0] && t < runs[r][1]) p[i] = hi;
    }
    return p;
}

Test(vad_segmenter, two_runs_with_padding)
{
    const double runs[2][2] = {{1.0, 2.0}, {3.0, 4.5}};
    size_t n = (size_t)(6.0 / CH);
    float *p = track(n, runs, 2, 0.9f, 0.05f);
    struct kc_vad_segments s;
    cr_assert_eq(kc_vad_segment(p, n, CH, 6.0, NULL, &s, NULL), 0);
    cr_assert_eq(s.n, 2);
    cr_expect_float_eq(s.seg[0].start, 1.0 - KC_VAD_PAD_S, CH + 1e-9);
    cr_expect_float_eq(s.seg[0].end, 2.0 + KC_VAD_PAD_S, CH + 1e-9);
    cr_expect_float_eq(s.seg[1].start, 3.0 - KC_VAD_PAD_S, CH + 1e-9);
    cr_expect_float_eq(s.seg[1].end, 4.5 + KC_VAD_PAD_S, CH + 1e-9);
    cr_expect_float_eq(kc_vad_speech_time(&s), 2.5 + 4 * KC_VAD_PAD_S, 2 * CH);
    kc_vad_segments_free(&s);
    free(p);
}

Test(vad_segmenter, short_dip_is_bridged_and_short_blip_dropped)
{
    /* a 64 ms dip (< 100 ms min silence) inside speech; a 96 ms blip (< 250 ms min speech) */
    const double runs[3][2] = {{1.0, 1.8}, {1.864, 2.6}, {4.0, 4.096}};
    size_t n = (size_t)(5.0 / CH);
    float *p = track(n, runs, 3, 0.8f, 0.1f);
    struct kc_vad_segments s;
    cr_assert_eq(kc_vad_segment(p, n, CH, 5.0, NULL, &s, NULL), 0);
    cr_assert_eq(s.n, 1, "%zu segments", s.n);
    cr_expect_float_eq(s.seg[0].end, 2.6 + KC_VAD_PAD_S, CH + 1e-9);
    kc_vad_segments_free(&s);
    free(p);
}

Test(vad_segmenter, hysteresis_keeps_speech_between_thresholds)
{
    /* p falls to 0.4 (between off 0.35 and on 0.5) for a second: still speech */
    size_t n = (size_t)(4.0 / CH);
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        double t = i * CH;
        p[i] = t < 0.5 ? 0.0f : t < 1.0 ? 0.9f : t < 2.0 ? 0.4f : t < 2.5 ? 0.9f : 0.0f;
    }
    struct kc_vad_segments s;
    cr_assert_eq(kc_vad_segment(p, n, CH, 4.0, NULL, &s, NULL), 0);
    cr_assert_eq(s.n, 1);
    cr_expect_float_eq(s.seg[0].start, 0.5 - KC_VAD_PAD_S, CH);
    cr_expect_float_eq(s.seg[0].end, 2.5 + KC_VAD_PAD_S, CH);
    kc_vad_segments_free(&s);
    /* and a track that never reaches on_threshold has no speech */
    for (size_t i = 0; i < n; i++) p[i] = 0.45f;
    cr_assert_eq(kc_vad_segment(p, n, CH, 4.0, NULL, &s, NULL), 0);
    cr_expect_eq(s.n, 0);
    kc_vad_segments_free(&s);
    free(p);
}

Test(vad_segmenter, speech_until_the_end_and_close_neighbours)
{
    const double runs[2][2] = {{0.0, 1.0}, {1.15, 3.0}};
    size_t n = (size_t)(3.0 / CH);
    float *p = track(n, runs, 2, 0.9f, 0.0f);
    struct kc_vad_segments s;
    cr_assert_eq(kc_vad_segment(p, n, CH, 3.0, NULL, &s, NULL), 0);
    cr_assert_eq(s.n, 2);
    cr_expect_float_eq(s.seg[0].start, 0.0, 1e-9);
    cr_expect_leq(s.seg[0].end, s.seg[1].start);
    cr_expect_leq(s.seg[1].end, 3.0);
    cr_expect_float_eq(s.seg[1].end, 3.0, CH + 1e-9);
    kc_vad_segments_free(&s);
    free(p);
}

Test(vad_segmenter, rejects_bad_params)
{
    float p[4] = {0};
    struct kc_vad_params bad = kc_vad_default_params();
    bad.off_threshold = 0.9f;
    struct kc_vad_segments s;
    struct kc_err err = {0};
    cr_expect_eq(kc_vad_segment(p, 4, CH, 1.0, &bad, &s, &err), -1);
    cr_expect_eq(err.code, KC_E_INVALID);
    cr_expect_eq(kc_vad_segment(p, 4, 0.0, 1.0, NULL, &s, &err), -1);
}

Test(vad_model, missing_model_is_unavailable)
{
    float pcm[1600] = {0};
    float *probs = NULL;
    size_t n = 0;
    struct kc_err err = {0};
    cr_expect_eq(
        kc_vad_probs("/nonexistent/silero_vad_v5.onnx", pcm, 1600, &probs, &n, NULL, NULL, &err),
        -1);
    cr_expect_eq(err.code, KC_E_UNAVAILABLE, "%d %s", err.code, err.message);
    cr_expect_null(probs);
}

Test(vad_model, not_a_model_file)
{
    const char *dir = kc_fixture_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/bad.onnx", dir);
    cr_assert_eq(kc_fixture_write(path, "this is not an onnx model", 25), 0);
    float pcm[1600] = {0};
    float *probs = NULL;
    size_t n = 0;
    struct kc_err err = {0};
    cr_expect_eq(kc_vad_probs(path, pcm, 1600, &probs, &n, NULL, NULL, &err), -1);
    cr_expect(err.code == KC_E_UNPROCESSABLE || err.code == KC_E_UNAVAILABLE, "%d %s", err.code,
              err.message);
    remove(path);
    rmdir(dir);
}

static void check_speech_time(const char *wav, const char *truth)
{
    size_t n;
    int rate;
    float *pcm = kc_fixture_read_wav(kc_fixture(wav), &n, &rate);
    cr_assert_not_null(pcm, "read %s", wav);
    cr_assert_eq(rate, 16000);
    FILE *f = fopen(kc_fixture(truth), "r");
    cr_assert_not_null(f);
    double a, b, truth_s = 0, first = -1;
    int nutt = 0;
    while (fscanf(f, "%lf %lf", &a, &b) == 2) {
        truth_s += b - a;
        if (first < 0) first = a;
        nutt++;
    }
    fclose(f);
    float *probs;
    size_t np;
    struct kc_err err = {0};
    int rc = kc_vad_probs(NULL, pcm, n, &probs, &np, NULL, NULL, &err);
    cr_assert_eq(rc, 0, "VAD: %s", err.message);
    cr_expect_eq(np, (n + 511) / 512);
    struct kc_vad_segments s;
    cr_assert_eq(kc_vad_segment(probs, np, 512.0 / 16000, n / 16000.0, NULL, &s, &err), 0);
    double st = kc_vad_speech_time(&s);
    cr_expect(fabs(st - truth_s) <= 0.10 * truth_s, "%s: VAD speech %.2f s vs truth %.2f s", wav,
              st, truth_s);
    cr_expect_geq(s.n, (size_t)nutt, "%zu segments for %d utterances", s.n, nutt);
    /* nothing in the leading silence */
    cr_expect_geq(s.seg[0].start, first - 0.1, "first segment starts at %.2f, speech at %.2f",
                  s.seg[0].start, first);
    cr_log_info("%s: VAD speech %.3f s in %zu segments, truth %.3f s in %d utterances", wav, st,
                s.n, truth_s, nutt);
    kc_vad_segments_free(&s);
    free(probs);
    free(pcm);
}

Test(vad_model, english_speech_time)
{
    check_speech_time("speech_en.wav", "speech_en.truth");
}
Test(vad_model, korean_speech_time)
{
    check_speech_time("speech_ko.wav", "speech_ko.truth");
}
