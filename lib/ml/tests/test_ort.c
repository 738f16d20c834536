/*
 * test_ort.c — the ONNX Runtime binding (lib/ml/ort.c).
 *
 * Criterion runs every test in its own process, so a test may point KOCRUIT_ORT_LIB at a bogus
 * path before the first kc_ort_init() of that process to exercise the "library missing" path.
 * Tests that need the runtime or a model skip (with the reason) only when the asset directory
 * does not exist at all; with assets present every failure is a real failure.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void model_path(char *buf, size_t n, const char *file)
{
    snprintf(buf, n, "%s/models/%s", assets(), file);
}

Test(ort, missing_library_is_unavailable)
{
    setenv("KOCRUIT_ORT_LIB", "/nonexistent/dir/libonnxruntime.so.1", 1);
    struct kc_err err = {0};
    cr_assert_eq(kc_ort_init(&err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert_not_null(strstr(err.message, "ONNX Runtime library not found at /nonexistent/dir"),
                       "%s", err.message);
    cr_assert_null(kc_ort_version());
    kc_err_clear(&err);
    cr_assert_null(kc_ort_session_open("/x.onnx", NULL, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
}

Test(ort, non_library_file_is_unavailable)
{
    char path[] = "/tmp/kc_ort_fake_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "not an ELF file\n", 16), 16);
    close(fd);
    setenv("KOCRUIT_ORT_LIB", path, 1);
    struct kc_err err = {0};
    cr_assert_eq(kc_ort_init(&err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    unlink(path);
}

static void *init_thread(void *arg)
{
    *(int *)arg = kc_ort_init(NULL);
    return NULL;
}

Test(ort, init_is_idempotent_and_threadsafe)
{
    need_assets();
    enum { N = 4 };
    pthread_t t[N];
    int rc[N];
    for (int i = 0; i < N; i++) cr_assert_eq(pthread_create(&t[i], NULL, init_thread, &rc[i]), 0);
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(rc[i], 0);
    }
    struct kc_err err = {0};
    cr_assert_eq(kc_ort_init(&err), 0, "%s", err.message);
    cr_assert_not_null(kc_ort_version());
    cr_assert_eq(kc_ort_version()[0], '1', "version %s", kc_ort_version());
}

Test(ort, missing_and_corrupt_models)
{
    need_assets();
    struct kc_err err = {0};
    cr_assert_null(kc_ort_session_open("/nonexistent/model.onnx", NULL, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert_not_null(strstr(err.message, "/nonexistent/model.onnx"), "%s", err.message);
    char path[] = "/tmp/kc_ort_model_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_eq(write(fd, "garbage garbage garbage", 23), 23);
    close(fd);
    kc_err_clear(&err);
    cr_assert_null(kc_ort_session_open(path, NULL, &err));
    cr_assert_eq(err.code, KC_E_UNPROCESSABLE, "%s", err.message);
    cr_assert_not_null(strstr(err.message, path), "%s", err.message);
    unlink(path);
}

/* BlazeFace on a constant input: checks shapes, copying and the element-count guard. */
Test(ort, run_blazeface_raw)
{
    need_assets();
    char path[1024];
    model_path(path, sizeof path, "face_detection_front_128x128_barracuda.onnx");
    struct kc_err err = {0};
    struct kc_ort_options opt = {.intra_threads = 1};
    struct kc_ort_session *s = kc_ort_session_open(path, &opt, &err);
    cr_assert_not_null(s, "%s", err.message);
    static float in[128 * 128 * 3], sc0[512], sc1[384], bx0[512 * 16], bx1[384 * 16];
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) in[i] = -0.2f;
    int64_t shape[4] = {1, 128, 128, 3};
    struct kc_ort_input inp = {"input:0", KC_ORT_FLOAT, in, shape, 4};
    struct kc_ort_output out[4] = {{.name = "Identity:0", .data = sc0, .capacity = 512},
                                   {.name = "Identity_1:0", .data = sc1, .capacity = 384},
                                   {.name = "Identity_2:0", .data = bx0, .capacity = 512 * 16},
                                   {.name = "Identity_3:0", .data = bx1, .capacity = 384 * 16}};
    sc0[0] = NAN;
    cr_assert_eq(kc_ort_run(s, &inp, 1, out, 4, &err), 0, "%s", err.message);
    cr_assert_eq(out[0].rank, 3);
    cr_assert_eq(out[0].shape[1], 512);
    cr_assert_eq(out[3].shape[2], 16);
    cr_assert(isfinite(sc0[0]));
    /* same input twice: same output */
    float first = sc1[100];
    cr_assert_eq(kc_ort_run(s, &inp, 1, out, 4, &err), 0, "%s", err.message);
    cr_assert_eq(first, sc1[100]);
    /* wrong capacity */
    out[0].capacity = 100;
    cr_assert_eq(kc_ort_run(s, &inp, 1, out, 1, &err), -1);
    cr_assert_not_null(strstr(err.message, "512 elements, expected 100"), "%s", err.message);
    /* wrong input name: ORT's own message comes through */
    out[0].capacity = 512;
    inp.name = "no_such_input";
    kc_err_clear(&err);
    cr_assert_eq(kc_ort_run(s, &inp, 1, out, 1, &err), -1);
    cr_assert_not_null(strstr(err.message, "no_such_input"), "%s", err.message);
    /* wrong input shape */
    inp.name = "input:0";
    int64_t bad[4] = {1, 64, 64, 3};
    inp.shape = bad;
    cr_assert_eq(kc_ort_run(s, &inp, 1, out, 1, &err), -1);
    kc_ort_session_free(s);
}

struct vad_job {
    struct kc_ort_session *s;
    float prob[8];
    int rc;
};

/* Silero VAD: float + int64 (scalar) inputs; one session per thread, run concurrently. */
static void *vad_thread(void *arg)
{
    struct vad_job *j = arg;
    static const int64_t xs[2] = {1, 576}, ss[3] = {2, 1, 128};
    float x[576], state[256] = {0}, state_out[256], p = 0;
    int64_t sr = 16000;
    for (int k = 0; k < 8 && j->rc == 0; k++) {
        for (int i = 0; i < 576; i++) x[i] = 0.3f * sinf(0.05f * (float)(i + k * 512));
        struct kc_ort_input in[3] = {{"input", KC_ORT_FLOAT, x, xs, 2},
                                     {"state", KC_ORT_FLOAT, state, ss, 3},
                                     {"sr", KC_ORT_INT64, &sr, NULL, 0}};
        struct kc_ort_output out[2] = {{.name = "output", .data = &p, .capacity = 1},
                                       {.name = "stateN", .data = state_out, .capacity = 256}};
        j->rc = kc_ort_run(j->s, in, 3, out, 2, NULL);
        memcpy(state, state_out, sizeof state);
        j->prob[k] = p;
    }
    return NULL;
}

Test(ort, run_silero_int64_scalar_concurrently)
{
    need_assets();
    char path[1024];
    model_path(path, sizeof path, "silero_vad_v5.onnx");
    struct kc_err err = {0};
    struct vad_job jobs[2] = {{0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        jobs[i].s = kc_ort_session_open(path, &(struct kc_ort_options){.intra_threads = 1}, &err);
        cr_assert_not_null(jobs[i].s, "%s", err.message);
    }
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, vad_thread, &jobs[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(jobs[i].rc, 0);
        kc_ort_session_free(jobs[i].s);
    }
    for (int k = 0; k < 8; k++) {
        cr_assert(jobs[0].prob[k] >= 0 && jobs[0].prob[k] <= 1, "p=%f", jobs[0].prob[k]);
        cr_assert_eq(jobs[0].prob[k], jobs[1].prob[k], "independent sessions agree");
    }
}
