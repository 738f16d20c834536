/*
 * test_tfjs_real.c — the five shipped TF.js models (facemesh, iris, emotion, posenet,
 * blazeface) through the optimised runner versus the naive evaluator of tensor_ref_eval.c,
 * which parses the same files independently and computes every op one element at a time.
 *
 * Input: the hash pattern u[i] = ((i * 2654435761) mod 2^32 mod 1000) / 1000 mapped to the
 * model's range. Every output value must satisfy |runner - naive| <= 1e-4 * max(1, max|naive|)
 * (summation order differs, so bit equality is not expected). Three runner configurations:
 * 1 thread, 2 threads, and 1 thread with the portable kernels (OpenBLAS + SSE2); a second run
 * on the same model must reproduce the first exactly (no stale state between runs).
 * Models come from $KOCRUIT_ASSETS/models/tfjs; when absent the test is skipped, saying why.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ml/tensor_ref.h"

#define MAX_OUT 8

static int model_path(const char *name, char *buf, size_t cap)
{
    const char *assets = getenv("KOCRUIT_ASSETS");
    snprintf(buf, cap, "%s/models/tfjs/%s.json", assets ? assets : KC_DEFAULT_ASSETS, name);
    return access(buf, R_OK);
}

static void check_config(const char *name, const char *path, const float *x, size_t n,
                         struct kc_tfjs_options opt, float **refs, size_t *nrefs)
{
    struct kc_err err = {0};
    struct kc_tfjs_model *m = kc_tfjs_load(path, &opt, &err);
    cr_assert_not_null(m, "%s: %s", name, err.message);
    cr_assert_eq(kc_tfjs_run(m, x, n, &err), 0, "%s", err.message);
    size_t nout = kc_tfjs_output_count(m);
    cr_assert(nout > 0 && nout <= MAX_OUT);
    for (size_t k = 0; k < nout; k++) {
        const char *on = kc_tfjs_output_name(m, k);
        int64_t os[4];
        int rank;
        const float *y = kc_tfjs_output(m, on, os, &rank);
        size_t ny = 1;
        for (int i = 0; i < rank; i++) ny *= (size_t)os[i];
        if (!refs[k]) refs[k] = kc_ref_eval_model(path, x, on, &nrefs[k]);
        cr_assert_not_null(refs[k], "%s: naive evaluation of %s failed", name, on);
        cr_assert_eq(ny, nrefs[k], "%s %s: %zu values, naive %zu", name, on, ny, nrefs[k]);
        double mx = 1.0, worst = 0;
        for (size_t i = 0; i < ny; i++) mx = fmax(mx, fabs(refs[k][i]));
        for (size_t i = 0; i < ny; i++) worst = fmax(worst, fabs(y[i] - refs[k][i]));
        cr_expect_leq(worst, 1e-4 * mx,
                      "%s %s (threads %d, portable %d): max |diff| %.3g > 1e-4 * %.3g", name, on,
                      opt.threads, opt.portable, worst, mx);
    }
    /* a second run must reproduce the first exactly */
    const char *on = kc_tfjs_output_name(m, 0);
    size_t ny = nrefs[0];
    float *first = malloc(ny * sizeof(float));
    memcpy(first, kc_tfjs_output(m, on, NULL, NULL), ny * sizeof(float));
    cr_assert_eq(kc_tfjs_run(m, x, n, &err), 0);
    cr_assert_eq(memcmp(first, kc_tfjs_output(m, on, NULL, NULL), ny * sizeof(float)), 0,
                 "%s %s: run 2 differs", name, on);
    free(first);
    kc_tfjs_free(m);
}

static void check_model(const char *name, int signed_range)
{
    char path[1024];
    if (model_path(name, path, sizeof path))
        cr_skip_test("model unavailable: %s not found (run scripts/bootstrap)", path);
    struct kc_err err = {0};
    struct kc_tfjs_model *m = kc_tfjs_load(path, NULL, &err);
    cr_assert_not_null(m, "%s: %s", name, err.message);
    int64_t s[4];
    cr_assert_eq(kc_tfjs_input_shape(m, s), 0);
    kc_tfjs_free(m);
    size_t n = (size_t)(s[0] * s[1] * s[2] * s[3]);
    float *x = malloc(n * sizeof(float)), *refs[MAX_OUT] = {0};
    size_t nrefs[MAX_OUT] = {0};
    for (size_t i = 0; i < n; i++) {
        float u = (float)((uint32_t)(i * 2654435761u) % 1000) / 1000.f;
        x[i] = signed_range ? 2.f * u - 1.f : u;
    }
    struct kc_tfjs_options cfg[3] = {{.threads = 1}, {.threads = 2}, {.threads = 1, .portable = 1}};
    for (int c = 0; c < 3; c++) check_config(name, path, x, n, cfg[c], refs, nrefs);
    for (int k = 0; k < MAX_OUT; k++) free(refs[k]);
    free(x);
}

Test(tfjs_real, facemesh)
{
    check_model("facemesh", 0);
}
Test(tfjs_real, iris)
{
    check_model("iris", 0);
}
Test(tfjs_real, emotion)
{
    check_model("emotion", 1);
}
Test(tfjs_real, posenet)
{
    check_model("posenet", 1);
}
Test(tfjs_real, blazeface)
{
    check_model("blazeface", 1);
}
