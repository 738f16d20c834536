/*
 * bench_ml.c — inference latency of lib/ml's models on this machine (driven by bench/ml/run).
 *
 * TF.js graph models through the kocruit runner (facemesh 192, iris 64, emotion 64, posenet
 * 385, blazeface 256) and, when lib/ml/ort.h is present, the ONNX models through ONNX Runtime
 * (BlazeFace front 128, Silero VAD v5 per 512-sample chunk with its state carried over).
 * Each model: load once, 5 warm-up runs, then --runs timed runs of one inference each
 * (CLOCK_MONOTONIC around the call; outputs are ready when it returns). Input: the hash
 * pattern u[i] = ((i * 2654435761) mod 2^32 mod 1000) / 1000, mapped to the model's range —
 * the same as bench/ml/peer_tfjs_wasm.js. One line per model:
 *   ml name=N runtime=R threads=T status=ok median_ms=X min_ms=X p90_ms=X runs=N [memory]
 * or status=unavailable reason="..." when a model file or ONNX Runtime is missing.
 * --profile prints the median time of every planned step of each TF.js model.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ml/tfjs.h"
#if __has_include("ml/ort.h")
#include "ml/ort.h"
#define HAVE_ORT 1
#else
#define HAVE_ORT 0
#endif

struct opts {
    int runs, threads, profile;
    const char *assets;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts t; prints the summary fields. */
static void summary(double *t, int n, char *buf, size_t cap)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    double med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    snprintf(buf, cap, "median_ms=%.3f min_ms=%.3f p90_ms=%.3f runs=%d", med, t[0],
             t[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1], n);
}

static void fill_input(float *x, size_t n, int signed_range)
{
    for (size_t i = 0; i < n; i++) {
        float u = (float)((uint32_t)(i * 2654435761u) % 1000) / 1000.f;
        x[i] = signed_range ? 2.f * u - 1.f : u;
    }
}

static void profile(struct kc_tfjs_model *m, const float *x, size_t n, int runs)
{
    size_t ns = kc_tfjs_step_count(m);
    double *t = calloc(ns * (size_t)runs, sizeof(double)),
           *col = calloc((size_t)runs, sizeof(double));
    struct kc_err err = {0};
    if (!t || !col) return;
    for (int r = 0; r < runs; r++) kc_tfjs_run_profiled(m, x, n, t + (size_t)r * ns, &err);
    for (size_t k = 0; k < ns; k++) {
        char d[200];
        for (int r = 0; r < runs; r++) col[r] = t[(size_t)r * ns + k];
        qsort(col, (size_t)runs, sizeof(double), cmp_double);
        printf("  step %3zu %8.4f ms  %s\n", k, col[runs / 2],
               kc_tfjs_step_desc(m, k, d, sizeof d));
    }
    free(t), free(col);
}

static void bench_tfjs(const struct opts *o, const char *name, int signed_range)
{
    char path[2048], sum[200];
    snprintf(path, sizeof path, "%s/models/tfjs/%s.json", o->assets, name);
    struct kc_err err = {0};
    struct kc_tfjs_options topt = {.threads = o->threads};
    struct kc_tfjs_model *m = kc_tfjs_load(path, &topt, &err);
    if (!m) {
        printf("ml name=%s runtime=kocruit-tfjs threads=%d status=unavailable reason=\"%s\"\n",
               name, o->threads, err.message);
        return;
    }
    int64_t s[4];
    kc_tfjs_input_shape(m, s);
    size_t n = (size_t)(s[0] * s[1] * s[2] * s[3]);
    float *x = malloc(n * sizeof(float));
    double *t = malloc((size_t)o->runs * sizeof(double));
    fill_input(x, n, signed_range);
    for (int i = 0; i < 5; i++) kc_tfjs_run(m, x, n, &err);
    for (int i = 0; i < o->runs; i++) {
        double t0 = now_ms();
        kc_tfjs_run(m, x, n, &err);
        t[i] = now_ms() - t0;
    }
    summary(t, o->runs, sum, sizeof sum);
    size_t wb = kc_tfjs_weight_bytes(m), ab = kc_tfjs_arena_bytes(m), tb = kc_tfjs_memory_bytes(m);
    printf("ml name=%s runtime=kocruit-tfjs threads=%d status=ok %s input=%ldx%ldx%ld "
           "weight_bytes=%zu arena_bytes=%zu memory_bytes=%zu memory_ratio=%.2f\n",
           name, o->threads, sum, (long)s[1], (long)s[2], (long)s[3], wb, ab, tb,
           (double)tb / (double)wb);
    if (o->profile) profile(m, x, n, o->runs);
    free(x), free(t);
    kc_tfjs_free(m);
}

#if HAVE_ORT
static void bench_blazeface_onnx(const struct opts *o)
{
    char path[2048], sum[200];
    snprintf(path, sizeof path, "%s/models/face_detection_front_128x128_barracuda.onnx", o->assets);
    struct kc_err err = {0};
    struct kc_ort_options oo = {.intra_threads = o->threads};
    struct kc_ort_session *s = kc_ort_session_open(path, &oo, &err);
    if (!s) {
        printf("ml name=blazeface128_onnx runtime=onnxruntime threads=%d status=unavailable "
               "reason=\"%s\"\n",
               o->threads, err.message);
        return;
    }
    static float x[128 * 128 * 3], o0[512], o1[384], o2[512 * 16], o3[384 * 16];
    fill_input(x, sizeof x / sizeof x[0], 1);
    int64_t shape[4] = {1, 128, 128, 3};
    struct kc_ort_input in = {"input:0", KC_ORT_FLOAT, x, shape, 4};
    struct kc_ort_output out[4] = {{"Identity:0", o0, 512, {0}, 0},
                                   {"Identity_1:0", o1, 384, {0}, 0},
                                   {"Identity_2:0", o2, 8192, {0}, 0},
                                   {"Identity_3:0", o3, 6144, {0}, 0}};
    double *t = malloc((size_t)o->runs * sizeof(double));
    int rc = 0;
    for (int i = 0; i < 5 && !rc; i++) rc = kc_ort_run(s, &in, 1, out, 4, &err);
    for (int i = 0; i < o->runs && !rc; i++) {
        double t0 = now_ms();
        rc = kc_ort_run(s, &in, 1, out, 4, &err);
        t[i] = now_ms() - t0;
    }
    if (rc) {
        printf("ml name=blazeface128_onnx runtime=onnxruntime threads=%d status=unavailable "
               "reason=\"run failed: %s\"\n",
               o->threads, err.message);
    } else {
        summary(t, o->runs, sum, sizeof sum);
        printf("ml name=blazeface128_onnx runtime=onnxruntime-%s threads=%d status=ok %s\n",
               kc_ort_version(), o->threads, sum);
    }
    free(t);
    kc_ort_session_free(s);
}

static void bench_vad(const struct opts *o)
{
    char path[2048], sum[200];
    snprintf(path, sizeof path, "%s/models/silero_vad_v5.onnx", o->assets);
    struct kc_err err = {0};
    struct kc_ort_options oo = {.intra_threads = o->threads};
    struct kc_ort_session *s = kc_ort_session_open(path, &oo, &err);
    if (!s) {
        printf(
            "ml name=vad_chunk runtime=onnxruntime threads=%d status=unavailable reason=\"%s\"\n",
            o->threads, err.message);
        return;
    }
    static float win[576], state[256], prob[1];
    int64_t rate = 16000, wshape[2] = {1, 576}, sshape[3] = {2, 1, 128};
    struct kc_ort_input in[3] = {{"input", KC_ORT_FLOAT, win, wshape, 2},
                                 {"state", KC_ORT_FLOAT, state, sshape, 3},
                                 {"sr", KC_ORT_INT64, &rate, NULL, 0}};
    struct kc_ort_output out[2] = {{"output", prob, 1, {0}, 0}, {"stateN", state, 256, {0}, 0}};
    double *t = malloc((size_t)o->runs * sizeof(double));
    int rc = 0;
    for (int i = 0; i < o->runs + 5 && !rc; i++) {
        /* a 220 Hz tone with a little hash noise, chunk after chunk, context carried over */
        memmove(win, win + 512, 64 * sizeof(float));
        for (int k = 0; k < 512; k++) {
            long g = (long)i * 512 + k;
            win[64 + k] = 0.3f * (float)sin(6.283185307179586 * 220.0 * (double)g / 16000.0) +
                          0.01f * (float)((uint32_t)(g * 2654435761u) % 1000) / 1000.f;
        }
        double t0 = now_ms();
        rc = kc_ort_run(s, in, 3, out, 2, &err);
        if (i >= 5) t[i - 5] = now_ms() - t0;
    }
    if (rc) {
        printf("ml name=vad_chunk runtime=onnxruntime threads=%d status=unavailable "
               "reason=\"run failed: %s\"\n",
               o->threads, err.message);
    } else {
        summary(t, o->runs, sum, sizeof sum);
        printf("ml name=vad_chunk runtime=onnxruntime-%s threads=%d status=ok %s chunk=512\n",
               kc_ort_version(), o->threads, sum);
    }
    free(t);
    kc_ort_session_free(s);
}
#endif

int main(int argc, char **argv)
{
    struct opts o = {.runs = 100, .threads = 1, .assets = getenv("KOCRUIT_ASSETS")};
    if (!o.assets) o.assets = KC_DEFAULT_ASSETS;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            o.runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            o.threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--assets") && i + 1 < argc)
            o.assets = argv[++i];
        else if (!strcmp(argv[i], "--profile"))
            o.profile = 1;
        else {
            fprintf(stderr,
                    "usage: bench_ml [--runs N] [--threads T] [--assets DIR] [--profile]\n");
            return 2;
        }
    }
    if (o.runs < 1) o.runs = 1;
    bench_tfjs(&o, "facemesh", 0);
    bench_tfjs(&o, "iris", 0);
    bench_tfjs(&o, "emotion", 1);
    bench_tfjs(&o, "posenet", 1);
    bench_tfjs(&o, "blazeface", 1);
#if HAVE_ORT
    bench_blazeface_onnx(&o);
    bench_vad(&o);
#else
    printf("ml name=blazeface128_onnx runtime=onnxruntime threads=%d status=unavailable "
           "reason=\"lib/ml/ort.h not present at build time\"\n",
           o.threads);
    printf("ml name=vad_chunk runtime=onnxruntime threads=%d status=unavailable "
           "reason=\"lib/ml/ort.h not present at build time\"\n",
           o.threads);
#endif
    return 0;
}
