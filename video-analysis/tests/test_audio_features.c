/*
 * test_audio_features.c — acoustic measurements on synthetic signals with known answers:
 * loudness of a known-amplitude sine (±0.5 dB), YIN F0 of sines and sawtooths (±2 %), pauses
 * from given segments, syllable nuclei of an amplitude-modulated voiced signal, and the
 * behaviour without VAD (VAD metrics unavailable, loudness and pitch still computed).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio_features.h"

#define SR 16000

static float *sine(double seconds, double f0, double amp)
{
    size_t n = (size_t)(seconds * SR);
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = (float)(amp * sin(2 * M_PI * f0 * i / SR));
    return x;
}

static float *sawtooth(double seconds, double f0, double amp)
{
    size_t n = (size_t)(seconds * SR);
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        double ph = fmod(f0 * i / SR, 1.0);
        x[i] = (float)(amp * (2 * ph - 1));
    }
    return x;
}

static struct kc_vad_segments whole(double seconds)
{
    struct kc_vad_segments s = {malloc(sizeof(struct kc_vad_segment)), 1};
    s.seg[0] = (struct kc_vad_segment){0, seconds};
    return s;
}

Test(audio_features, dbfs_of_known_sine)
{
    float *x = sine(1.0, 440, 0.5);
    double expect = 20 * log10(0.5 / sqrt(2.0)); /* -9.03 dBFS */
    cr_expect_float_eq(kc_af_dbfs(x, SR), expect, 0.01);
    float zero[100] = {0};
    cr_expect(isinf(kc_af_dbfs(zero, 100)) && kc_af_dbfs(zero, 100) < 0);
    free(x);
}

Test(audio_features, loudness_of_known_sine_within_half_db)
{
    const double amps[] = {0.9, 0.1, 0.01};
    for (size_t k = 0; k < 3; k++) {
        float *x = sine(3.0, 300, amps[k]);
        struct kc_vad_segments s = whole(3.0);
        struct kc_audio_features f;
        kc_audio_features_compute(x, 3 * SR, &s, NULL, &f);
        double expect = 20 * log10(amps[k] / sqrt(2.0));
        cr_assert_eq(f.loudness_mean_dbfs.status, KC_METRIC_OK, "%s", f.loudness_mean_dbfs.reason);
        cr_expect_float_eq(f.loudness_mean_dbfs.value, expect, 0.5, "amp %g: %f dBFS vs %f",
                           amps[k], f.loudness_mean_dbfs.value, expect);
        cr_expect_lt(f.loudness_spread_db.value, 0.1);
        cr_expect_eq(f.loudness_mean_dbfs.samples, 30);
        cr_expect(f.loudness_mean_dbfs.not_scored);
        kc_vad_segments_free(&s);
        free(x);
    }
}

static void check_pitch(float *(*gen)(double, double, double), double f0)
{
    float *x = gen(2.0, f0, 0.4);
    struct kc_vad_segments s = whole(2.0);
    struct kc_audio_features f;
    kc_audio_features_compute(x, 2 * SR, &s, NULL, &f);
    cr_assert_eq(f.pitch_mean_hz.status, KC_METRIC_OK, "%g Hz: %s", f0, f.pitch_mean_hz.reason);
    cr_expect(fabs(f.pitch_mean_hz.value - f0) <= 0.02 * f0, "F0 %g Hz measured %f", f0,
              f.pitch_mean_hz.value);
    cr_expect_lt(f.pitch_spread_hz.value, 0.01 * f0);
    cr_expect_geq(f.pitch_mean_hz.samples, 90);
    /* single window, directly */
    double ap;
    double one = kc_af_yin(x + 1000, 640, SR, 60, 500, &ap);
    cr_expect(fabs(one - f0) <= 0.02 * f0, "window F0 %f for %g", one, f0);
    cr_expect_lt(ap, 0.1);
    kc_vad_segments_free(&s);
    free(x);
}

Test(audio_features, pitch_of_sines)
{
    check_pitch(sine, 100);
    check_pitch(sine, 220);
    check_pitch(sine, 440);
}
Test(audio_features, pitch_of_sawtooths)
{
    check_pitch(sawtooth, 85);
    check_pitch(sawtooth, 150);
    check_pitch(sawtooth, 310);
}

Test(audio_features, noise_is_not_voiced)
{
    size_t n = 2 * SR;
    float *x = malloc(n * sizeof *x);
    uint32_t r = 1;
    for (size_t i = 0; i < n; i++) {
        r = r * 1664525u + 1013904223u;
        x[i] = ((float)(r >> 8) / (1 << 24) - 0.5f) * 0.5f;
    }
    struct kc_vad_segments s = whole(2.0);
    struct kc_audio_features f;
    kc_audio_features_compute(x, n, &s, NULL, &f);
    cr_expect_eq(f.pitch_mean_hz.status, KC_METRIC_INSUFFICIENT, "white noise gave F0 %f from %ld",
                 f.pitch_mean_hz.value, f.pitch_mean_hz.samples);
    kc_vad_segments_free(&s);
    free(x);
}

Test(audio_features, pauses_and_speaking_ratio_from_segments)
{
    float *x = sine(5.0, 200, 0.3);
    struct kc_vad_segment seg[3] = {{1.0, 2.0}, {2.5, 3.0}, {3.1, 4.0}};
    struct kc_vad_segments s = {seg, 3};
    struct kc_audio_features f;
    kc_audio_features_compute(x, 5 * SR, &s, NULL, &f);
    cr_assert_eq(f.speaking_time_ratio.status, KC_METRIC_OK);
    cr_expect_float_eq(f.speaking_time_ratio.value, 2.4 / 5.0, 1e-9);
    cr_expect_float_eq(f.speaking_time_s, 2.4, 1e-9);
    cr_expect_gt(f.speaking_time_ratio.uncertainty, 0);
    cr_expect_float_eq(f.pause_count.value, 1, 1e-9, "0.1 s gap is below the pause minimum");
    cr_expect_float_eq(f.pause_mean_s.value, 0.5, 1e-9);
    free(x);
}

Test(audio_features, no_pause_and_no_speech)
{
    float *x = sine(3.0, 200, 0.3);
    struct kc_vad_segments s = whole(3.0);
    struct kc_audio_features f;
    kc_audio_features_compute(x, 3 * SR, &s, NULL, &f);
    cr_expect_eq(f.pause_count.status, KC_METRIC_OK);
    cr_expect_float_eq(f.pause_count.value, 0, 1e-9);
    cr_expect_eq(f.pause_mean_s.status, KC_METRIC_INSUFFICIENT);
    struct kc_vad_segments none = {NULL, 0};
    kc_audio_features_compute(x, 3 * SR, &none, NULL, &f);
    cr_expect_float_eq(f.speaking_time_ratio.value, 0, 1e-9);
    cr_expect_eq(f.pause_count.status, KC_METRIC_INSUFFICIENT);
    cr_expect_eq(f.loudness_mean_dbfs.status, KC_METRIC_INSUFFICIENT);
    cr_expect_eq(f.pitch_mean_hz.status, KC_METRIC_INSUFFICIENT);
    kc_vad_segments_free(&s);
    free(x);
}

Test(audio_features, without_vad_loudness_and_pitch_still_compute)
{
    /* 1 s silence, 2 s of 180 Hz sawtooth, 1 s silence */
    size_t n = 4 * SR;
    float *x = calloc(n, sizeof *x);
    float *v = sawtooth(2.0, 180, 0.3);
    memcpy(x + SR, v, 2 * SR * sizeof *x);
    struct kc_audio_features f;
    kc_audio_features_compute(x, n, NULL, "Silero VAD model file not found at /x", &f);
    cr_expect_eq(f.speaking_time_ratio.status, KC_METRIC_UNAVAILABLE);
    cr_expect_not_null(strstr(f.speaking_time_ratio.reason, "not found"), "%s",
                       f.speaking_time_ratio.reason);
    cr_expect_eq(f.pause_count.status, KC_METRIC_UNAVAILABLE);
    cr_assert_eq(f.loudness_mean_dbfs.status, KC_METRIC_OK, "%s", f.loudness_mean_dbfs.reason);
    double expect = 20 * log10(0.3 / sqrt(3.0)); /* RMS of a sawtooth = A/sqrt(3) */
    cr_expect_float_eq(f.loudness_mean_dbfs.value, expect, 0.5);
    cr_expect_eq(f.loudness_mean_dbfs.samples, 20, "active frames %ld",
                 f.loudness_mean_dbfs.samples);
    cr_expect_not_null(strstr(f.loudness_mean_dbfs.definition, "VAD unavailable"));
    cr_assert_eq(f.pitch_mean_hz.status, KC_METRIC_OK);
    cr_expect_float_eq(f.pitch_mean_hz.value, 180, 180 * 0.02);
    cr_expect(isnan(f.speaking_time_s));
    free(v);
    free(x);
}

Test(audio_features, syllable_nuclei_of_modulated_voice)
{
    /* 5 s of a 140 Hz sawtooth with a raised-cosine envelope at 4 bursts/s: 20 nuclei */
    size_t n = 5 * SR;
    float *x = sawtooth(5.0, 140, 0.4);
    for (size_t i = 0; i < n; i++) {
        double env = 0.5 - 0.5 * cos(2 * M_PI * 4.0 * i / SR);
        x[i] *= (float)(env * env);
    }
    struct kc_vad_segments s = whole(5.0);
    struct kc_audio_features f;
    kc_audio_features_compute(x, n, &s, NULL, &f);
    cr_expect(f.syllables >= 19 && f.syllables <= 21, "%ld nuclei", f.syllables);
    cr_assert_eq(f.syllable_rate.status, KC_METRIC_OK);
    cr_expect(f.syllable_rate.estimate);
    cr_expect_float_eq(f.syllable_rate.value, 240, 15, "%f syl/min", f.syllable_rate.value);
    kc_vad_segments_free(&s);
    free(x);
}

Test(audio_features, short_audio_is_insufficient)
{
    float x[8000] = {0};
    struct kc_audio_features f;
    kc_audio_features_compute(x, 8000, NULL, "no model", &f);
    cr_expect_eq(f.loudness_mean_dbfs.status, KC_METRIC_INSUFFICIENT);
    cr_expect_eq(f.speaking_time_ratio.status, KC_METRIC_INSUFFICIENT);
}

Test(audio_features, timeline)
{
    size_t n = (size_t)(3.5 * SR);
    float *x = calloc(n, sizeof *x);
    float *v = sine(1.0, 300, 0.5);
    memcpy(x + SR, v, SR * sizeof *x);
    double *tl;
    size_t k;
    cr_assert_eq(kc_af_timeline(x, n, 1.0, &tl, &k), 0);
    cr_assert_eq(k, 4);
    cr_expect(isnan(tl[0]));
    cr_expect_float_eq(tl[1], 20 * log10(0.5 / sqrt(2.0)), 0.05);
    cr_expect(isnan(tl[2]) && isnan(tl[3]));
    free(tl);
    free(v);
    free(x);
}
