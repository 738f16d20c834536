/*
 * test_kernels.c — every op of the TF.js runner against a naive reference (tensor_ref.c).
 *
 * Each case builds a tiny model.json in memory (tensor_ref.h builder), loads it with
 * kc_tfjs_load_mem, runs it on deterministic pseudo-random input and compares each value with
 * the naive implementation: |got - want| <= 1e-4 * (1 + |want|). Cases sweep kernel sizes,
 * strides, dilations, SAME/VALID/EXPLICIT padding, channel counts that exercise the 16/8/4-wide
 * vector chunks and the scalar tails, fused activations, the fusion of depthwise + 1x1 conv +
 * residual Add + Prelu, 1 and 2 threads, and quantised/float16 weights.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/tensor_ref.h"

static uint32_t rng_state = 12345;

static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.f - 1.f;
}

static float *rand_buf(size_t n)
{
    float *p = malloc(n * sizeof(float));
    cr_assert_not_null(p);
    for (size_t i = 0; i < n; i++) p[i] = frand();
    return p;
}

static void expect_close(const float *got, const float *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        double tol = 1e-4 * (1.0 + fabs(want[i]));
        if (!(fabs(got[i] - want[i]) <= tol))
            cr_assert_fail("%s: value %zu is %.7g, reference %.7g", what, i, got[i], want[i]);
    }
}

/* Load the built model, run it on x and return output "y" (owned by the model). */
/* Every third case runs with the portable kernels (OpenBLAS sgemm, SSE2 depthwise), so the path
 * taken on CPUs without AVX-512 is tested on this one too. */
static int variant;

static const float *run_model(struct kc_ref_model *b, int threads, const float *x, size_t nx,
                              size_t expect_n, struct kc_tfjs_model **out)
{
    struct kc_err err = {0};
    struct kc_tfjs_options opt = {.threads = threads, .portable = variant++ % 3 == 2};
    struct kc_tfjs_model *m = kc_ref_load_opts(b, &opt, &err);
    cr_assert_not_null(m, "load failed: %s", err.message);
    cr_assert_eq(kc_tfjs_run(m, x, nx, &err), 0, "run failed: %s", err.message);
    int64_t shape[4];
    int rank;
    const float *y = kc_tfjs_output(m, "y", shape, &rank);
    cr_assert_not_null(y);
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)shape[i];
    cr_assert_eq(n, expect_n, "output has %zu values, expected %zu", n, expect_n);
    *out = m;
    return y;
}

static void set_window(json_t *attr, const struct kc_ref_conv *p, int pool)
{
    int s[4] = {1, p->sh, p->sw, 1}, d[4] = {1, p->dh, p->dw, 1}, k[4] = {1, p->kh, p->kw, 1};
    kc_ref_attr_ints(attr, "strides", s, 4);
    if (pool)
        kc_ref_attr_ints(attr, "ksize", k, 4);
    else
        kc_ref_attr_ints(attr, "dilations", d, 4);
    kc_ref_attr_str(attr, "data_format", "NHWC");
    if (p->pad == KC_REF_EXPLICIT) {
        int e[8] = {0, 0, p->pt, p->pb, p->pl, p->pr, 0, 0};
        kc_ref_attr_str(attr, "padding", "EXPLICIT");
        kc_ref_attr_ints(attr, "explicit_paddings", e, 8);
    } else {
        kc_ref_attr_str(attr, "padding", p->pad == KC_REF_SAME ? "SAME" : "VALID");
    }
}

/* One conv (or depthwise) case: random weights, optional bias and activation. */
static void conv_case(int h, int w, int c, int cout, struct kc_ref_conv p, int bias, int threads)
{
    struct kc_ref_model b;
    kc_ref_init(&b);
    int64_t xd[4] = {1, h, w, c};
    int wcols = p.depthwise ? p.mult : cout, oc = p.depthwise ? c * p.mult : cout;
    int64_t wd[4] = {p.kh, p.kw, c, wcols}, bd[1] = {oc}, ad[3] = {1, 1, oc};
    size_t nx = (size_t)h * w * c, nw = (size_t)p.kh * p.kw * c * wcols;
    float *x = rand_buf(nx), *wt = rand_buf(nw), *bv = rand_buf((size_t)oc),
          *al = rand_buf((size_t)oc);
    kc_ref_input(&b, "x", xd, 4);
    kc_ref_const(&b, "w", wd, 4, wt);
    kc_ref_const(&b, "b", bd, 1, bv);
    kc_ref_const(&b, "a", ad, 3, al);
    const char *fused_in[] = {"x", "w", "b", "a", NULL}, *plain_in[] = {"x", "w", NULL};
    int fused = bias || p.act != KC_REF_NONE;
    const char *op = p.depthwise ? (fused ? "FusedDepthwiseConv2dNative" : "DepthwiseConv2dNative")
                                 : (fused ? "_FusedConv2D" : "Conv2D");
    if (fused) bias = 1; /* fused_ops always start with BiasAdd here */
    json_t *attr = kc_ref_node(&b, "y", op, fused ? fused_in : plain_in);
    set_window(attr, &p, 0);
    if (fused) {
        const char *acts[] = {NULL, "Relu", "Relu6", "Prelu"};
        const char *list[] = {"BiasAdd", acts[p.act], NULL};
        kc_ref_attr_strs(attr, "fused_ops", list);
        kc_ref_attr_int(attr, "num_args", p.act == KC_REF_PRELU ? 2 : 1);
    }
    int oh, ow;
    float *want = kc_ref_conv2d(x, 1, h, w, c, wt, cout, &p, bias ? bv : NULL,
                                p.act == KC_REF_PRELU ? al : NULL, &oh, &ow);
    struct kc_tfjs_model *m;
    const float *got = run_model(&b, threads, x, nx, (size_t)oh * ow * oc, &m);
    char what[200];
    snprintf(what, sizeof what, "%s %dx%dx%d->%d k%dx%d s%d,%d d%d,%d pad%d act%d mult%d", op, h, w,
             c, oc, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pad, p.act, p.mult);
    expect_close(got, want, (size_t)oh * ow * oc, what);
    kc_tfjs_free(m);
    free(x), free(wt), free(bv), free(al), free(want);
    kc_ref_free(&b);
}

Test(kernels, conv_sizes_strides_dilations_paddings)
{
    static const int ks[] = {1, 2, 3, 5}, cins[] = {1, 3, 17, 32}, couts[] = {1, 16, 24, 33};
    int n = 0;
    for (int ki = 0; ki < 4; ki++)
        for (int s = 1; s <= 3; s++)
            for (int d = 1; d <= 2; d++)
                for (int pad = 0; pad < 3; pad++, n++) {
                    struct kc_ref_conv p = {.kh = ks[ki],
                                            .kw = ks[(ki + n) % 4],
                                            .sh = s,
                                            .sw = 1 + (s + n) % 3,
                                            .dh = d,
                                            .dw = 1 + n % 2,
                                            .pad = pad,
                                            .pt = n % 3,
                                            .pb = 1,
                                            .pl = 2,
                                            .pr = n % 2,
                                            .mult = 1,
                                            .act = n % 4};
                    if (s > 1 && d > 1) p.dh = p.dw = 1; /* TF forbids both */
                    if (p.sw > 1) p.dw = 1;
                    conv_case(9 + n % 5, 11 - n % 3, cins[n % 4], couts[(n / 4) % 4], p, n % 3 != 0,
                              1 + n % 2);
                }
}

Test(kernels, conv_pointwise_and_first_layer_shapes)
{
    struct kc_ref_conv one = {.kh = 1,
                              .kw = 1,
                              .sh = 1,
                              .sw = 1,
                              .dh = 1,
                              .dw = 1,
                              .pad = KC_REF_VALID,
                              .mult = 1,
                              .act = KC_REF_PRELU};
    conv_case(12, 12, 64, 32, one, 1, 1); /* 1x1 stride 1: direct sgemm */
    conv_case(40, 40, 24, 24, one, 1, 2); /* several bands, 2 threads */
    one.sh = one.sw = 2;
    conv_case(13, 14, 16, 48, one, 1, 1); /* strided 1x1 */
    struct kc_ref_conv first = {.kh = 3,
                                .kw = 3,
                                .sh = 2,
                                .sw = 2,
                                .dh = 1,
                                .dw = 1,
                                .pad = KC_REF_SAME,
                                .mult = 1,
                                .act = KC_REF_RELU6};
    conv_case(33, 31, 3, 24, first, 1, 1); /* image stem */
    first.kh = first.kw = 5;
    conv_case(32, 32, 3, 24, first, 1, 2);
}

Test(kernels, depthwise_channels_multipliers_strides)
{
    static const int cs[] = {1, 3, 4, 8, 13, 16, 24, 33, 40};
    for (int n = 0; n < 36; n++) {
        struct kc_ref_conv p = {.kh = n % 3 == 0 ? 5 : 3,
                                .kw = n % 4 == 0 ? 1 : 3,
                                .sh = 1 + n % 2,
                                .sw = 1 + (n / 2) % 2,
                                .dh = 1,
                                .dw = 1,
                                .pad = n % 3,
                                .pt = 1,
                                .pb = 0,
                                .pl = 1,
                                .pr = 2,
                                .depthwise = 1,
                                .mult = n % 5 == 4 ? 2 : 1,
                                .act = n % 4};
        if (p.sh == 1 && p.sw == 1 && n % 3 == 1) p.dh = p.dw = 2;
        conv_case(8 + n % 7, 9 + n % 4, cs[n % 9], 0, p, n % 2, 1 + (n / 9) % 2);
    }
}

/* x -> depthwise 3x3 -> 1x1 conv (+bias) -> AddV2(residual) -> Prelu: the runner fuses all of
 * it into one step; the result must equal the unfused composition. */
static void fused_block(int h, int w, int c, int residual_is_input, int threads)
{
    struct kc_ref_model b;
    kc_ref_init(&b);
    int64_t xd[4] = {1, h, w, c}, dwd[4] = {3, 3, c, 1}, pwd[4] = {1, 1, c, c}, bd[1] = {c},
            ad[3] = {1, 1, c};
    size_t nx = (size_t)h * w * c;
    float *x = rand_buf(nx), *dw = rand_buf((size_t)9 * c), *pw = rand_buf((size_t)c * c),
          *bv = rand_buf((size_t)c), *al = rand_buf((size_t)c);
    kc_ref_input(&b, "x", xd, 4);
    kc_ref_const(&b, "dw", dwd, 4, dw);
    kc_ref_const(&b, "pw", pwd, 4, pw);
    kc_ref_const(&b, "b", bd, 1, bv);
    kc_ref_const(&b, "a", ad, 3, al);
    struct kc_ref_conv p3 = {.kh = 3,
                             .kw = 3,
                             .sh = 1,
                             .sw = 1,
                             .dh = 1,
                             .dw = 1,
                             .pad = KC_REF_SAME,
                             .depthwise = 1,
                             .mult = 1};
    struct kc_ref_conv p1 = {
        .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .pad = KC_REF_VALID, .mult = 1};
    const char *in_dw[] = {"x", "dw", NULL}, *in_pw[] = {"d", "pw", "b", NULL};
    const char *in_add[] = {residual_is_input ? "x" : "r", "c", NULL}, *in_pr[] = {"s", "a", NULL};
    const char *in_r[] = {"x", NULL}, *bias_only[] = {"BiasAdd", NULL};
    set_window(kc_ref_node(&b, "d", "DepthwiseConv2dNative", in_dw), &p3, 0);
    json_t *attr = kc_ref_node(&b, "c", "_FusedConv2D", in_pw);
    set_window(attr, &p1, 0);
    kc_ref_attr_strs(attr, "fused_ops", bias_only);
    kc_ref_attr_int(attr, "num_args", 1);
    if (!residual_is_input) kc_ref_node(&b, "r", "Relu", in_r);
    kc_ref_node(&b, "s", "AddV2", in_add);
    kc_ref_node(&b, "y", "Prelu", in_pr);

    int oh, ow, yd_r;
    int64_t yd[4];
    float *d = kc_ref_conv2d(x, 1, h, w, c, dw, 0, &p3, NULL, NULL, &oh, &ow);
    float *cv = kc_ref_conv2d(d, 1, h, w, c, pw, c, &p1, bv, NULL, &oh, &ow);
    float *r = malloc(nx * sizeof(float));
    for (size_t i = 0; i < nx; i++) r[i] = residual_is_input ? x[i] : fmaxf(x[i], 0.f);
    float *s = kc_ref_binary('+', r, xd, 4, cv, xd, 4, yd, &yd_r);
    float *want = kc_ref_binary('p', s, xd, 4, al, ad, 3, yd, &yd_r);
    struct kc_tfjs_model *m;
    const float *got = run_model(&b, threads, x, nx, nx, &m);
    expect_close(got, want, nx, "dw+pw+add+prelu");
    cr_assert_lt(kc_tfjs_step_count(m), 3u, "expected the block fused, got %zu steps",
                 kc_tfjs_step_count(m));
    kc_tfjs_free(m);
    free(x), free(dw), free(pw), free(bv), free(al), free(d), free(cv), free(r), free(s),
        free(want);
    kc_ref_free(&b);
}

Test(kernels, fused_block_equals_composition)
{
    fused_block(16, 16, 16, 1, 1);
    fused_block(21, 19, 24, 0, 2);
    fused_block(7, 5, 33, 1, 2);
}

static void pool_case(int h, int w, int c, struct kc_ref_conv p, int is_max)
{
    struct kc_ref_model b;
    kc_ref_init(&b);
    int64_t xd[4] = {1, h, w, c};
    size_t nx = (size_t)h * w * c;
    float *x = rand_buf(nx);
    kc_ref_input(&b, "x", xd, 4);
    const char *in[] = {"x", NULL};
    set_window(kc_ref_node(&b, "y", is_max ? "MaxPool" : "AvgPool", in), &p, 1);
    int oh, ow;
    float *want = kc_ref_pool(x, 1, h, w, c, is_max, &p, &oh, &ow);
    struct kc_tfjs_model *m;
    const float *got = run_model(&b, 1, x, nx, (size_t)oh * ow * c, &m);
    expect_close(got, want, (size_t)oh * ow * c, is_max ? "maxpool" : "avgpool");
    kc_tfjs_free(m);
    free(x), free(want);
    kc_ref_free(&b);
}

Test(kernels, pools)
{
    for (int n = 0; n < 16; n++) {
        struct kc_ref_conv p = {.kh = 2 + n % 2,
                                .kw = 2 + (n / 2) % 2,
                                .sh = 1 + n % 2,
                                .sw = 2,
                                .pad = (n / 4) % 2 ? KC_REF_SAME : KC_REF_VALID};
        pool_case(7 + n % 3, 8 + n % 2, 1 + n * 3, p, n % 2);
    }
}
