/*
 * test_models_silero_vad.c — Silero VAD stream (lib/ml/models/silero_vad.c).
 *
 * Golden: the wrapper against a direct ONNX Runtime loop written here (own context window and
 * state handling) on a formula-generated signal; ORT's numbers are the reference, so any
 * difference is our stream bookkeeping. Semantic: speech synthesised with espeak-ng and
 * resampled by sox scores high, digital silence and white noise score low.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ml/models/silero_vad.h"
#include "ml/ort.h"

static const char *assets(void)
{
    const char *a = getenv("KOCRUIT_ASSETS");
    return a && *a ? a : KC_DEFAULT_ASSETS;
}

static void need_assets(void)
{
    struct stat st;
    if (stat(assets(), &st) != 0) cr_skip_test("asset directory %s is missing", assets());
}

static struct kc_silero_vad *open_vad(void)
{
    struct kc_err err = {0};
    struct kc_silero_vad *v = kc_silero_vad_open(NULL, &err);
    cr_assert_not_null(v, "%s", err.message);
    return v;
}

/* A deterministic test signal: a gliding tone with harmonics and an amplitude envelope. */
static float formula(size_t i)
{
    double t = (double)i / 16000.0;
    double f0 = 120 + 40 * sin(2 * M_PI * 0.7 * t);
    double env = 0.5 + 0.5 * sin(2 * M_PI * 3.0 * t);
    return (float)(0.25 * env * (sin(2 * M_PI * f0 * t) + 0.5 * sin(4 * M_PI * f0 * t)));
}

Test(silero_vad, missing_model_is_unavailable)
{
    struct kc_err err = {0};
    cr_assert_null(kc_silero_vad_open("/nonexistent/vad.onnx", &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert_not_null(strstr(err.message, "/nonexistent/vad.onnx"), "%s", err.message);
}

Test(silero_vad, golden_against_direct_ort_loop_and_reset)
{
    need_assets();
    enum { CHUNKS = 20 };
    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s", assets(), KC_SILERO_VAD_FILE);
    struct kc_err err = {0};
    struct kc_ort_session *s = kc_ort_session_open(path, NULL, &err);
    cr_assert_not_null(s, "%s", err.message);
    float ref[CHUNKS], x[576] = {0}, state[256] = {0}, next[256];
    int64_t sr = 16000, xs[2] = {1, 576}, ss[3] = {2, 1, 128};
    for (int k = 0; k < CHUNKS; k++) {
        for (int i = 0; i < 576; i++) { /* 64 samples before this chunk, then the chunk */
            long at = (long)k * 512 - 64 + i;
            x[i] = at < 0 ? 0.0f : formula((size_t)at);
        }
        struct kc_ort_input in[3] = {{"input", KC_ORT_FLOAT, x, xs, 2},
                                     {"state", KC_ORT_FLOAT, state, ss, 3},
                                     {"sr", KC_ORT_INT64, &sr, NULL, 0}};
        struct kc_ort_output out[2] = {{.name = "output", .data = &ref[k], .capacity = 1},
                                       {.name = "stateN", .data = next, .capacity = 256}};
        cr_assert_eq(kc_ort_run(s, in, 3, out, 2, &err), 0, "%s", err.message);
        memcpy(state, next, sizeof state);
    }
    kc_ort_session_free(s);

    struct kc_silero_vad *v = open_vad();
    float chunk[512], p;
    for (int pass = 0; pass < 2; pass++) { /* the second pass checks reset() */
        for (int k = 0; k < CHUNKS; k++) {
            for (int i = 0; i < 512; i++) chunk[i] = formula((size_t)k * 512 + i);
            cr_assert_eq(kc_silero_vad_process(v, chunk, &p, &err), 0, "%s", err.message);
            cr_assert_float_eq(p, ref[k], 1e-6, "pass %d chunk %d: %f vs %f", pass, k, p, ref[k]);
            cr_assert(p >= 0 && p <= 1);
        }
        kc_silero_vad_reset(v);
    }
    kc_silero_vad_free(v);
}

/* Read a 16-bit mono PCM WAV (walks the RIFF chunks). Returns samples in [-1,1]. */
static float *read_wav(const char *path, size_t *n, int *rate)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    uint8_t h[12];
    cr_assert_eq(fread(h, 1, 12, f), 12);
    cr_assert(!memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WAVE", 4));
    float *out = NULL;
    for (;;) {
        uint8_t ch[8];
        if (fread(ch, 1, 8, f) != 8) break;
        uint32_t len = ch[4] | ch[5] << 8 | ch[6] << 16 | (uint32_t)ch[7] << 24;
        if (!memcmp(ch, "fmt ", 4)) {
            uint8_t fmt[16];
            cr_assert_eq(fread(fmt, 1, 16, f), 16);
            cr_assert_eq(fmt[2] | fmt[3] << 8, 1, "mono");
            cr_assert_eq(fmt[14] | fmt[15] << 8, 16, "16-bit");
            *rate = fmt[4] | fmt[5] << 8 | fmt[6] << 16 | fmt[7] << 24;
            fseek(f, (long)len - 16, SEEK_CUR);
        } else if (!memcmp(ch, "data", 4)) {
            *n = len / 2;
            out = malloc(*n * sizeof(float));
            for (size_t i = 0; i < *n; i++) {
                uint8_t s[2];
                if (fread(s, 1, 2, f) != 2) {
                    *n = i;
                    break;
                }
                out[i] = (int16_t)(s[0] | s[1] << 8) / 32768.0f;
            }
            break;
        } else {
            fseek(f, (long)(len + (len & 1)), SEEK_CUR);
        }
    }
    fclose(f);
    cr_assert_not_null(out, "no data chunk in %s", path);
    return out;
}

/* Probabilities of all whole chunks of `x`; returns the count written into p. */
static size_t run_stream(struct kc_silero_vad *v, const float *x, size_t n, float *p, size_t cap)
{
    struct kc_err err = {0};
    size_t k = 0;
    kc_silero_vad_reset(v);
    for (size_t off = 0; off + 512 <= n && k < cap; off += 512, k++) {
        cr_assert_eq(kc_silero_vad_process(v, x + off, &p[k], &err), 0, "%s", err.message);
    }
    return k;
}

Test(silero_vad, speech_high_silence_and_noise_low)
{
    need_assets();
    char dir[] = "/tmp/kc_vad_XXXXXX", cmd[1024], wav[512];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "espeak-ng -v en-us -w %s/f.wav \"Thank you for inviting me to this interview. "
             "I have worked as a software engineer for five years.\" && "
             "sox %s/f.wav -r 16000 -c 1 -b 16 %s/g.wav",
             dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "espeak-ng/sox failed: %s", cmd);
    snprintf(wav, sizeof wav, "%s/g.wav", dir);
    size_t n = 0;
    int rate = 0;
    float *speech = read_wav(wav, &n, &rate);
    cr_assert_eq(rate, 16000);
    cr_assert_gt(n, 16000u * 2, "speech is %zu samples", n);

    struct kc_silero_vad *v = open_vad();
    static float p[4096];
    size_t k = run_stream(v, speech, n, p, 4096), high = 0;
    float max = 0;
    for (size_t i = 0; i < k; i++) {
        if (p[i] > 0.5f) high++;
        if (p[i] > max) max = p[i];
    }
    cr_log_info("speech: %zu of %zu chunks > 0.5, max %.3f", high, k, max);
    cr_assert_gt(max, 0.9f, "max speech probability %f", max);
    cr_assert_gt((double)high / k, 0.5, "%zu of %zu chunks > 0.5", high, k);

    static float quiet[16000 * 3];
    memset(quiet, 0, sizeof quiet);
    k = run_stream(v, quiet, 16000 * 3, p, 4096);
    for (size_t i = 0; i < k; i++) cr_assert_lt(p[i], 0.1f, "silence chunk %zu: %f", i, p[i]);

    uint32_t seed = 12345; /* white noise from a fixed LCG, about -26 dBFS */
    for (size_t i = 0; i < 16000 * 3; i++) {
        seed = seed * 1664525u + 1013904223u;
        quiet[i] = 0.1f * ((float)(seed >> 8) / (float)(1u << 24) * 2.0f - 1.0f);
    }
    k = run_stream(v, quiet, 16000 * 3, p, 4096);
    double mean = 0;
    for (size_t i = 0; i < k; i++) mean += p[i] / k;
    cr_log_info("white noise: mean probability %.3f over %zu chunks", mean, k);
    cr_assert_lt(mean, 0.2, "noise mean probability %f", mean);

    kc_silero_vad_free(v);
    free(speech);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
