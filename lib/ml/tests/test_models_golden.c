/*
 * test_models_golden.c — the TF.js model wrappers (FaceMesh, Iris, Emotion, PoseNet) and the
 * graph runner under them against reference outputs of TensorFlow.js itself.
 *
 * References: lib/ml/tests/ref/<model>.json, made by ref/make_refs.js (TF.js 4, pure-JS CPU
 * backend) from two formula-generated inputs ("hash" and "smooth") that this file rebuilds
 * bit-exactly; see make_refs.js for the formulas and what is stored. Every stored value must
 * match within 1e-4 absolute, relative (1e-4 * |v|) for |v| > 1: two float32 implementations
 * that sum in a different order (OpenBLAS with FMA vs TF.js's JS loops) drift by a few ulp per
 * layer, and at PoseNet's offsets (|v| ~ 30, ulp 2e-6) 1e-4 absolute would be ~50 ulp after 14
 * layers — observed 1.2e-4 at 27.9. The stored sum and sum of squares (over all n values) must
 * be within the bound that this per-value tolerance implies. PoseNet's keypoints are decoded
 * independently in JavaScript and compared with our decoder's. Tests skip only when the asset
 * directory is missing.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ml/models/emotion.h"
#include "ml/models/facemesh.h"
#include "ml/models/iris.h"
#include "ml/models/posenet.h"
#include "ml/tfjs.h"

#define TOL 1e-4

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

static json_t *load_ref(const char *model)
{
    const char *src = getenv("KC_SOURCE_DIR");
    char path[1024];
    json_error_t je;
    snprintf(path, sizeof path, "%s/lib/ml/tests/ref/%s.json", src ? src : ".", model);
    json_t *j = json_load_file(path, 0, &je);
    cr_assert_not_null(j, "%s: %s (line %d)", path, je.text, je.line);
    return j;
}

/* The formula inputs of make_refs.js, element for element. */
static float *make_input(const char *kind, int h, int w, int c, int signed_range)
{
    size_t n = (size_t)h * w * c;
    float *a = malloc(n * sizeof(float));
    cr_assert_not_null(a);
    for (size_t i = 0; i < n; i++) {
        float u;
        if (!strcmp(kind, "hash")) {
            u = (float)((double)((uint64_t)i * 2654435761ULL % 1000ULL) / 1000.0);
        } else {
            double ch = (double)(i % (size_t)c), x = (double)(i / (size_t)c % (size_t)w);
            double y = (double)(i / ((size_t)c * (size_t)w));
            u = (float)(0.5 + 0.5 * sin(0.11 * x + 0.07 * y + 1.3 * ch) * cos(0.05 * (x - y)));
        }
        a[i] = signed_range ? (float)(2.0 * (double)u - 1.0) : u;
    }
    return a;
}

static double tol(double v)
{
    return TOL * fmax(1.0, fabs(v));
}

/* Compare one output against its stored summary; returns the largest value deviation. */
static double check_output(json_t *ref, const float *d, size_t n, const char *what)
{
    cr_assert_not_null(ref, "%s: no reference", what);
    cr_assert_eq((size_t)json_integer_value(json_object_get(ref, "n")), n, "%s: size", what);
    json_t *idx = json_object_get(ref, "index"), *val = json_object_get(ref, "value");
    double maxdev = 0, sum = 0, sumsq = 0, sumtol = 0, sumabstol = 0;
    for (size_t k = 0; k < json_array_size(idx); k++) {
        size_t i = (size_t)json_integer_value(json_array_get(idx, k));
        double want = json_number_value(json_array_get(val, k));
        cr_assert_lt(i, n);
        double dev = fabs(d[i] - want);
        cr_assert_leq(dev, tol(want), "%s[%zu] = %.6f, TF.js %.6f", what, i, d[i], want);
        if (dev > maxdev) maxdev = dev;
    }
    for (size_t i = 0; i < n; i++) {
        sum += d[i];
        sumsq += (double)d[i] * d[i];
        sumtol += tol(d[i]);
        sumabstol += 2 * fabs(d[i]) * tol(d[i]) + tol(d[i]) * tol(d[i]);
    }
    double rsum = json_number_value(json_object_get(ref, "sum"));
    double rsq = json_number_value(json_object_get(ref, "sumsq"));
    cr_assert_leq(fabs(sum - rsum), sumtol, "%s: sum %.6f vs %.6f", what, sum, rsum);
    cr_assert_leq(fabs(sumsq - rsq), sumabstol, "%s: sumsq %.6f vs %.6f", what, sumsq, rsq);
    return maxdev;
}

static json_t *ref_output(json_t *ref, const char *kind, const char *output)
{
    json_t *c = json_object_get(json_object_get(ref, "cases"), kind);
    return json_object_get(json_object_get(c, "outputs"), output);
}

/* Every stored output of `model`, straight from the graph runner. */
static void golden_raw(const char *model)
{
    need_assets();
    json_t *ref = load_ref(model);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", assets(),
             json_string_value(json_object_get(ref, "model")));
    struct kc_err err = {0};
    struct kc_tfjs_model *m = kc_tfjs_load(path, NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    json_t *shape = json_object_get(ref, "input");
    int h = (int)json_integer_value(json_array_get(shape, 1));
    int w = (int)json_integer_value(json_array_get(shape, 2));
    int c = (int)json_integer_value(json_array_get(shape, 3));
    int sgn = !strcmp(json_string_value(json_object_get(ref, "range")), "signed");
    const char *kind;
    json_t *cas;
    json_object_foreach(json_object_get(ref, "cases"), kind, cas)
    {
        float *in = make_input(kind, h, w, c, sgn);
        cr_assert_eq(kc_tfjs_run(m, in, (size_t)h * w * c, &err), 0, "%s", err.message);
        const char *name;
        json_t *out;
        json_object_foreach(json_object_get(cas, "outputs"), name, out)
        {
            int64_t s[4];
            int rank = 0;
            const float *d = kc_tfjs_output(m, name, s, &rank);
            cr_assert_not_null(d, "%s: no output %s", model, name);
            size_t n = 1;
            for (int i = 0; i < rank; i++) n *= (size_t)s[i];
            char what[256];
            snprintf(what, sizeof what, "%s/%s/%s", model, kind, name);
            double dev = check_output(out, d, n, what);
            cr_log_info("%s: max deviation from TF.js %.2e", what, dev);
        }
        free(in);
    }
    kc_tfjs_free(m);
    json_decref(ref);
}

Test(golden, facemesh_raw)
{
    golden_raw("facemesh");
}
Test(golden, iris_raw)
{
    golden_raw("iris");
}
Test(golden, emotion_raw)
{
    golden_raw("emotion");
}
Test(golden, posenet_raw)
{
    golden_raw("posenet");
}

/* The wrappers' own outputs (layout, copying, decode) on the same inputs. */
Test(golden, facemesh_iris_emotion_wrappers)
{
    need_assets();
    struct kc_err err = {0};
    json_t *rf = load_ref("facemesh"), *ri = load_ref("iris"), *re = load_ref("emotion");
    struct kc_facemesh *fm = kc_facemesh_open(NULL, 1, &err);
    cr_assert_not_null(fm, "%s", err.message);
    struct kc_iris *ir = kc_iris_open(NULL, 1, &err);
    cr_assert_not_null(ir, "%s", err.message);
    struct kc_emotion *em = kc_emotion_open(NULL, 1, &err);
    cr_assert_not_null(em, "%s", err.message);
    static struct kc_facemesh_result fr;
    static struct kc_iris_result irr;
    static const char *kinds[2] = {"hash", "smooth"};
    for (int k = 0; k < 2; k++) {
        float *in = make_input(kinds[k], 192, 192, 3, 0);
        cr_assert_eq(kc_facemesh_run(fm, in, &fr, &err), 0, "%s", err.message);
        check_output(ref_output(rf, kinds[k], "Identity_2"), &fr.points[0][0], 1404, "mesh");
        check_output(ref_output(rf, kinds[k], "Identity_1"), &fr.face_flag, 1, "face flag");
        free(in);

        in = make_input(kinds[k], 64, 64, 3, 0);
        cr_assert_eq(kc_iris_run(ir, in, &irr, &err), 0, "%s", err.message);
        float flat[228];
        memcpy(flat, irr.contour, sizeof irr.contour);
        memcpy(flat + 213, irr.iris, sizeof irr.iris);
        check_output(ref_output(ri, kinds[k], "Identity"), flat, 228, "iris");
        free(in);

        in = make_input(kinds[k], 64, 64, 1, 1);
        float p[7];
        cr_assert_eq(kc_emotion_run(em, in, p, &err), 0, "%s", err.message);
        check_output(ref_output(re, kinds[k], "Identity"), p, 7, "emotion");
        free(in);
    }
    kc_facemesh_free(fm);
    kc_iris_free(ir);
    kc_emotion_free(em);
    json_decref(rf);
    json_decref(ri);
    json_decref(re);
}

Test(golden, posenet_keypoints_match_js_decode)
{
    need_assets();
    struct kc_err err = {0};
    json_t *ref = load_ref("posenet");
    struct kc_posenet *m = kc_posenet_open(NULL, 1, &err);
    cr_assert_not_null(m, "%s", err.message);
    static const char *kinds[2] = {"hash", "smooth"};
    for (int k = 0; k < 2; k++) {
        float *in = make_input(kinds[k], 385, 385, 3, 1);
        struct kc_posenet_pose pose;
        cr_assert_eq(kc_posenet_run(m, in, &pose, &err), 0, "%s", err.message);
        json_t *kp =
            json_object_get(json_object_get(json_object_get(ref, "cases"), kinds[k]), "keypoints");
        cr_assert_eq(json_array_size(kp), 17);
        for (int i = 0; i < 17; i++) {
            json_t *p = json_array_get(kp, (size_t)i);
            double x = json_number_value(json_object_get(p, "x"));
            double y = json_number_value(json_object_get(p, "y"));
            cr_assert_float_eq(pose.keypoints[i].x, x, tol(x), "%s %s x", kinds[k],
                               kc_posenet_names[i]);
            cr_assert_float_eq(pose.keypoints[i].y, y, tol(y), "%s %s y", kinds[k],
                               kc_posenet_names[i]);
            cr_assert_float_eq(pose.keypoints[i].score,
                               json_number_value(json_object_get(p, "score")), TOL);
        }
        free(in);
    }
    kc_posenet_free(m);
    json_decref(ref);
}

/* The decoder alone on a hand-made 3x4 grid. */
Test(golden, posenet_decode_by_hand)
{
    enum { GH = 3, GW = 4, K = 17 };
    float hm[GH * GW * K], off[GH * GW * 2 * K];
    for (int i = 0; i < GH * GW * K; i++) hm[i] = -5;
    for (int i = 0; i < GH * GW * 2 * K; i++) off[i] = 0.25f * (float)(i % 7);
    /* keypoint 3 peaks at row 2, col 1 (cell 9); keypoint 0 ties at cells 4 and 7: first wins */
    hm[9 * K + 3] = 2.0f;
    off[9 * 2 * K + 3] = -3.0f;    /* y offset */
    off[9 * 2 * K + K + 3] = 5.0f; /* x offset */
    hm[4 * K + 0] = hm[7 * K + 0] = 1.0f;
    struct kc_posenet_pose pose;
    kc_posenet_decode(hm, off, GH, GW, &pose);
    cr_assert_float_eq(pose.keypoints[3].y, 2 * 16 - 3.0, 1e-6);
    cr_assert_float_eq(pose.keypoints[3].x, 1 * 16 + 5.0, 1e-6);
    cr_assert_float_eq(pose.keypoints[3].score, 1 / (1 + exp(-2.0)), 1e-6);
    cr_assert_float_eq(pose.keypoints[0].y, 1 * 16 + off[4 * 2 * K + 0], 1e-6); /* cell 4 */
    cr_assert_float_eq(pose.keypoints[0].x, 0 * 16 + off[4 * 2 * K + K], 1e-6);
    double mean = 0;
    for (int i = 0; i < K; i++) mean += pose.keypoints[i].score / K;
    cr_assert_float_eq(pose.score, mean, 1e-6);
}
