/*
 * test_kernels_ops.c — the non-window ops of the TF.js runner against hand-computed or naive
 * results: broadcasting Add/AddV2/BiasAdd/Sub/Mul/Prelu (per-channel, scalar, row, full and
 * reversed operand order), Relu/Relu6/Sigmoid/Tanh, Softmax, Mean (keep_dims both ways),
 * ConcatV2 on several axes, Pad/PadV2, Reshape with -1, constant folding, and dequantisation of
 * uint8/uint16 (q*scale+min) and float16 weights (normals, subnormals, signed zero, max).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/tensor_ref.h"

static float *seq(size_t n, float scale, float off)
{
    float *p = malloc(n * sizeof(float));
    cr_assert_not_null(p);
    for (size_t i = 0; i < n; i++) p[i] = off + scale * (float)((i * 37) % 23) / 23.f;
    return p;
}

static void expect_close(const float *got, const float *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-5 * (1.0 + fabs(want[i]))))
            cr_assert_fail("%s: value %zu is %.7g, expected %.7g", what, i, got[i], want[i]);
}

static struct kc_tfjs_model *load_run(struct kc_ref_model *b, const float *x, size_t nx)
{
    struct kc_err err = {0};
    struct kc_tfjs_model *m = kc_ref_load(b, 1, &err);
    cr_assert_not_null(m, "load failed: %s", err.message);
    cr_assert_eq(kc_tfjs_run(m, x, nx, &err), 0, "run failed: %s", err.message);
    return m;
}

static const float *out_y(struct kc_tfjs_model *m, size_t expect_n)
{
    int64_t s[4];
    int r;
    const float *y = kc_tfjs_output(m, "y", s, &r);
    cr_assert_not_null(y);
    size_t n = 1;
    for (int i = 0; i < r; i++) n *= (size_t)s[i];
    cr_assert_eq(n, expect_n);
    return y;
}

/* x (input, xd) op c (const, cd) — or c op x when const_first. */
static void binary_case(const char *op, char ref_op, const int64_t *xd, int xr, const int64_t *cd,
                        int cr, int const_first)
{
    struct kc_ref_model b;
    kc_ref_init(&b);
    size_t nx = 1, nc = 1;
    for (int i = 0; i < xr; i++) nx *= (size_t)xd[i];
    for (int i = 0; i < cr; i++) nc *= (size_t)cd[i];
    float *x = seq(nx, 2.f, -1.f), *c = seq(nc, -1.5f, 0.7f);
    kc_ref_input(&b, "x", xd, xr);
    kc_ref_const(&b, "c", cd, cr, c);
    const char *in1[] = {"x", "c", NULL}, *in2[] = {"c", "x", NULL};
    kc_ref_node(&b, "y", op, const_first ? in2 : in1);
    int64_t yd[4];
    int yr;
    float *want = const_first ? kc_ref_binary(ref_op, c, cd, cr, x, xd, xr, yd, &yr)
                              : kc_ref_binary(ref_op, x, xd, xr, c, cd, cr, yd, &yr);
    size_t ny = 1;
    for (int i = 0; i < yr; i++) ny *= (size_t)yd[i];
    struct kc_tfjs_model *m = load_run(&b, x, nx);
    expect_close(out_y(m, ny), want, ny, op);
    kc_tfjs_free(m);
    free(x), free(c), free(want);
    kc_ref_free(&b);
}

Test(ops, broadcasting_binary)
{
    int64_t x4[4] = {1, 4, 5, 6}, c1[1] = {6}, c3[3] = {1, 1, 6}, s0[1] = {1},
            row[4] = {1, 4, 1, 1}, mid[3] = {4, 1, 6}, full[4] = {1, 4, 5, 6}, x2[2] = {3, 1},
            c2[2] = {1, 7};
    binary_case("AddV2", '+', x4, 4, c1, 1, 0);
    binary_case("Add", '+', x4, 4, c3, 3, 1);
    binary_case("BiasAdd", '+', x4, 4, c1, 1, 0);
    binary_case("Mul", '*', x4, 4, s0, 1, 0);
    binary_case("Sub", '-', x4, 4, row, 4, 0);
    binary_case("Sub", '-', x4, 4, row, 4, 1);
    binary_case("Sub", '-', x4, 4, mid, 3, 1);
    binary_case("Mul", '*', x4, 4, full, 4, 1);
    binary_case("Prelu", 'p', x4, 4, c3, 3, 0);
    binary_case("AddV2", '+', x2, 2, c2, 2, 0); /* both sides broadcast: [3,1] + [1,7] */
}

static void unary_case(const char *op, float (*f)(float))
{
    struct kc_ref_model b;
    kc_ref_init(&b);
    int64_t xd[2] = {3, 17};
    float *x = seq(51, 16.f, -8.f), want[51];
    for (int i = 0; i < 51; i++) want[i] = f(x[i]);
    kc_ref_input(&b, "x", xd, 2);
    const char *in[] = {"x", NULL};
    kc_ref_node(&b, "y", op, in);
    struct kc_tfjs_model *m = load_run(&b, x, 51);
    expect_close(out_y(m, 51), want, 51, op);
    kc_tfjs_free(m);
    free(x);
    kc_ref_free(&b);
}

static float relu(float v)
{
    return v > 0 ? v : 0;
}
static float relu6(float v)
{
    return v < 0 ? 0 : v > 6 ? 6 : v;
}
static float sigm(float v)
{
    return 1.f / (1.f + expf(-v));
}

Test(ops, unary)
{
    unary_case("Relu", relu);
    unary_case("Relu6", relu6);
    unary_case("Sigmoid", sigm);
    unary_case("Tanh", tanhf);
}

Test(ops, softmax_and_mean)
{
    struct kc_ref_model b;
    kc_ref_init(&b);
    int64_t xd[4] = {1, 3, 4, 5}, ad[1] = {2};
    int32_t axes[2] = {1, 2};
    float *x = seq(60, 6.f, -3.f);
    kc_ref_input(&b, "x", xd, 4);
    kc_ref_const_int(&b, "axes", ad, 1, axes);
    const char *in_mean[] = {"x", "axes", NULL}, *in_sm[] = {"m", NULL};
    kc_ref_node(&b, "m", "Mean", in_mean);
    kc_ref_node(&b, "y", "Softmax", in_sm);
    float mean[5] = {0}, want[5], sum = 0;
    for (int i = 0; i < 60; i++) mean[i % 5] += x[i] / 12.f;
    float mx = mean[0];
    for (int i = 1; i < 5; i++) mx = fmaxf(mx, mean[i]);
    for (int i = 0; i < 5; i++) sum += want[i] = expf(mean[i] - mx);
    for (int i = 0; i < 5; i++) want[i] /= sum;
    struct kc_tfjs_model *m = load_run(&b, x, 60);
    int64_t s[4];
    int r;
    cr_assert_not_null(kc_tfjs_output(m, "y", s, &r));
    cr_assert(r == 2 && s[0] == 1 && s[1] == 5, "mean without keep_dims drops the axes");
    expect_close(out_y(m, 5), want, 5, "mean+softmax");
    kc_tfjs_free(m);
    kc_ref_free(&b);

    /* keep_dims and a negative axis: mean over the last axis, shape [1,3,4,1] */
    kc_ref_init(&b);
    int32_t last[1] = {-1};
    int64_t one[1] = {1};
    kc_ref_input(&b, "x", xd, 4);
    kc_ref_const_int(&b, "axes", one, 1, last);
    json_t *attr = kc_ref_node(&b, "y", "Mean", in_mean);
    json_object_set_new(attr, "keep_dims", json_pack("{s:b}", "b", 1));
    float w2[12] = {0};
    for (int i = 0; i < 60; i++) w2[i / 5] += x[i] / 5.f;
    m = load_run(&b, x, 60);
    cr_assert_not_null(kc_tfjs_output(m, "y", s, &r));
    cr_assert(r == 4 && s[3] == 1 && s[2] == 4);
    expect_close(out_y(m, 12), w2, 12, "mean keep_dims");
    kc_tfjs_free(m);
    kc_ref_free(&b);
    free(x);
}

Test(ops, concat_pad_reshape)
{
    for (int axis = -1; axis < 4; axis++) {
        struct kc_ref_model b;
        kc_ref_init(&b);
        int64_t xd[4] = {1, 2, 3, 4}, cd[4] = {1, 2, 3, 4}, sd[1] = {1}, pd[2] = {4, 2};
        int ax = axis < 0 ? 3 : axis;
        cd[ax] = ax == 0 ? 1 : 2 + ax;
        size_t nc = (size_t)(cd[0] * cd[1] * cd[2] * cd[3]);
        float *x = seq(24, 1.f, 0.f), *c = seq(nc, -2.f, 5.f);
        int32_t av[1] = {axis}, pads[8] = {0, 0, 1, 0, 0, 2, 3, 1};
        kc_ref_input(&b, "x", xd, 4);
        kc_ref_const(&b, "c", cd, 4, c);
        kc_ref_const_int(&b, "axis", sd, 0, av);
        kc_ref_const_int(&b, "p", pd, 2, pads);
        const char *in_cat[] = {"x", "c", "axis", NULL}, *in_pad[] = {"k", "p", NULL};
        kc_ref_node(&b, "k", "ConcatV2", in_cat);
        kc_ref_node(&b, "y", "Pad", in_pad);
        int64_t kd[4] = {1, 2, 3, 4};
        kd[ax] += cd[ax];
        size_t nk = (size_t)(kd[0] * kd[1] * kd[2] * kd[3]);
        float *k = malloc(nk * sizeof(float));
        size_t outer = 1, inner = 1, o = 0;
        for (int d = 0; d < ax; d++) outer *= (size_t)kd[d];
        for (int d = ax + 1; d < 4; d++) inner *= (size_t)kd[d];
        for (size_t r = 0; r < outer; r++) {
            size_t lx = (size_t)xd[ax] * inner, lc = (size_t)cd[ax] * inner;
            memcpy(k + o, x + r * lx, lx * sizeof(float)), o += lx;
            memcpy(k + o, c + r * lc, lc * sizeof(float)), o += lc;
        }
        int64_t yd[4] = {kd[0], kd[1] + 1, kd[2] + 2, kd[3] + 4};
        size_t ny = (size_t)(yd[0] * yd[1] * yd[2] * yd[3]);
        float *want = calloc(ny, sizeof(float));
        for (int64_t i0 = 0; i0 < kd[0]; i0++)
            for (int64_t i1 = 0; i1 < kd[1]; i1++)
                for (int64_t i2 = 0; i2 < kd[2]; i2++)
                    for (int64_t i3 = 0; i3 < kd[3]; i3++)
                        want[((i0 * yd[1] + i1 + 1) * yd[2] + i2) * yd[3] + i3 + 3] =
                            k[((i0 * kd[1] + i1) * kd[2] + i2) * kd[3] + i3];
        struct kc_tfjs_model *m = load_run(&b, x, 24);
        expect_close(out_y(m, ny), want, ny, "concat+pad");
        kc_tfjs_free(m);
        free(x), free(c), free(k), free(want);
        kc_ref_free(&b);
    }
}

Test(ops, padv2_reshape_identity_and_folding)
{
    struct kc_ref_model b;
    kc_ref_init(&b);
    int64_t xd[4] = {1, 2, 2, 3}, pd[2] = {4, 2}, sd[1] = {2}, one[1] = {1}, cd[1] = {3};
    int32_t pads[8] = {0, 0, 1, 1, 0, 0, 0, 0}, shape[2] = {-1, 6};
    float val[1] = {-7.5f}, c1[3] = {1, 2, 3}, c2[3] = {10, 20, 30};
    kc_ref_input(&b, "x", xd, 4);
    kc_ref_const_int(&b, "p", pd, 2, pads);
    kc_ref_const(&b, "v", one, 0, val);
    kc_ref_const_int(&b, "s", sd, 1, shape);
    kc_ref_const(&b, "c1", cd, 1, c1);
    kc_ref_const(&b, "c2", cd, 1, c2);
    const char *in_c[] = {"c1", "c2", NULL}, *in_pad[] = {"x", "p", "v", NULL},
               *in_add[] = {"q", "cc", NULL}, *in_r[] = {"a", "s", NULL}, *in_id[] = {"r", NULL};
    kc_ref_node(&b, "cc", "Mul", in_c); /* folded to a Const at load */
    kc_ref_node(&b, "q", "PadV2", in_pad);
    kc_ref_node(&b, "a", "AddV2", in_add);
    kc_ref_node(&b, "r", "Reshape", in_r);
    kc_ref_node(&b, "y", "Identity", in_id);
    float x[12], want[24];
    for (int i = 0; i < 12; i++) x[i] = (float)i;
    for (int i = 0; i < 24; i++) {
        int row = i / 6, ch = i % 3;
        float v = row == 0 || row == 3 ? -7.5f : x[(row - 1) * 6 + i % 6];
        want[i] = v + c1[ch] * c2[ch];
    }
    struct kc_tfjs_model *m = load_run(&b, x, 12);
    int64_t s[4];
    int r;
    cr_assert_not_null(kc_tfjs_output(m, "y", s, &r));
    cr_assert(r == 2 && s[0] == 4 && s[1] == 6, "reshape [-1,6] of 24 values");
    expect_close(out_y(m, 24), want, 24, "padv2+folded mul+reshape");
    kc_tfjs_free(m);
    kc_ref_free(&b);
}

/* Mul(ones, q) returns the dequantised constant itself. */
static void dequant_case(const char *qd, const void *bytes, size_t nb, size_t n, double min,
                         double scale, const float *want)
{
    struct kc_ref_model b;
    kc_ref_init(&b);
    int64_t d[1] = {(int64_t)n};
    float ones[16];
    for (size_t i = 0; i < n; i++) ones[i] = 1.f;
    kc_ref_input(&b, "x", d, 1);
    kc_ref_const_q(&b, "q", d, 1, bytes, nb, qd, min, scale);
    const char *in[] = {"x", "q", NULL};
    kc_ref_node(&b, "y", "Mul", in);
    struct kc_tfjs_model *m = load_run(&b, ones, n);
    const float *y = out_y(m, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(y[i] == want[i] || (isnan(want[i]) && isnan(y[i])),
                  "%s value %zu: %.9g, expected %.9g", qd, i, y[i], want[i]);
    cr_assert_eq(kc_tfjs_weight_bytes(m), n * sizeof(float));
    kc_tfjs_free(m);
    kc_ref_free(&b);
}

Test(ops, dequantisation)
{
    uint8_t q8[5] = {0, 1, 127, 200, 255};
    float w8[5];
    for (int i = 0; i < 5; i++) w8[i] = (float)(q8[i] * 0.0123 + -1.5);
    dequant_case("uint8", q8, 5, 5, -1.5, 0.0123, w8);

    uint16_t q16[4] = {0, 1, 40000, 65535};
    unsigned char b16[8];
    float w16[4];
    for (int i = 0; i < 4; i++) {
        b16[2 * i] = (unsigned char)(q16[i] & 255), b16[2 * i + 1] = (unsigned char)(q16[i] >> 8);
        w16[i] = (float)(q16[i] * 3.1e-5 + 0.25);
    }
    dequant_case("uint16", b16, 8, 4, 0.25, 3.1e-5, w16);

    /* 1, -2, 65504 (max), 2^-24 (smallest subnormal), -0, 0.333251953125 */
    uint16_t h[6] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x3555};
    unsigned char hb[12];
    for (int i = 0; i < 6; i++)
        hb[2 * i] = (unsigned char)(h[i] & 255), hb[2 * i + 1] = (unsigned char)(h[i] >> 8);
    float wh[6] = {1.f, -2.f, 65504.f, ldexpf(1.f, -24), -0.f, 0.333251953125f};
    dequant_case("float16", hb, 12, 6, 0, 0, wh);
}
