/*
 * kernels_dw.c — depthwise convolution and pooling, vectorised over channels (NHWC).
 *
 * Depthwise: for one output row and one chunk of 16/8/4 channels, the loop runs along x; in
 * the interior of a 3x3 window (the common case) the nine weight vectors stay in registers and
 * each output vector costs nine loads and nine FMAs. Border pixels and other kernel sizes take
 * the checked path. Channels left over after the vector chunks (c % 4) go through scalar code.
 * The same source is compiled three times with GCC vector extensions — for AVX-512, AVX2+FMA
 * and baseline SSE2 — and the widest the CPU supports is picked at run time
 * (__builtin_cpu_supports), so the binary stays portable. A channel multiplier above 1 (not used
 * by the shipped models) takes a plain scalar loop.
 * Pooling is a plain loop with the channels innermost, which gcc -O3 vectorises.
 */
#include "ml/kernels.h"

#include <math.h>
#include <string.h>

/* Unaligned, aliasing-safe vector views of float arrays (plain loads/stores, no calls). */
typedef float v16f __attribute__((vector_size(64), aligned(4), may_alias));
typedef float v8f __attribute__((vector_size(32), aligned(4), may_alias));
typedef float v4f __attribute__((vector_size(16), aligned(4), may_alias));

/* One output row of a depthwise conv. */
struct dwrow {
    const struct kc_tconv *p;
    const float *x; /* this batch's input image */
    int64_t h, w, oy, ow;
    float *y; /* output row */
    const float *wt;
    int ky0, ky1;   /* valid kernel rows */
    int64_t lo, hi; /* ox in [lo, hi) has every kx inside the image */
};

#define DW_WIDTH(NAME, VT, ATTR)                                                                   \
    ATTR static void NAME##_pix(const struct dwrow *q, int64_t ox, int64_t c0)                     \
    {                                                                                              \
        const struct kc_tconv *p = q->p;                                                           \
        int64_t C = p->cin;                                                                        \
        VT acc = {0};                                                                              \
        for (int ky = q->ky0; ky < q->ky1; ky++) {                                                 \
            int64_t iy = q->oy * p->sh - p->pt + (int64_t)ky * p->dh;                              \
            for (int kx = 0; kx < p->kw; kx++) {                                                   \
                int64_t ix = ox * p->sw - p->pl + (int64_t)kx * p->dw;                             \
                if (ix < 0 || ix >= q->w) continue;                                                \
                acc += (*(const VT *)(q->x + (iy * q->w + ix) * C + c0)) *                         \
                       (*(const VT *)(q->wt + ((int64_t)ky * p->kw + kx) * C + c0));               \
            }                                                                                      \
        }                                                                                          \
        *(VT *)(q->y + ox * C + c0) = acc;                                                         \
    }                                                                                              \
    ATTR static void NAME##_3x3(const struct dwrow *q, int64_t c0)                                 \
    {                                                                                              \
        const struct kc_tconv *p = q->p;                                                           \
        int64_t C = p->cin, sx = (int64_t)p->sw * C, dx = (int64_t)p->dw * C;                      \
        const float *wt = q->wt + c0;                                                              \
        VT w0 = (*(const VT *)(wt)), w1 = (*(const VT *)(wt + C)),                                 \
           w2 = (*(const VT *)(wt + 2 * C));                                                       \
        VT w3 = (*(const VT *)(wt + 3 * C)), w4 = (*(const VT *)(wt + 4 * C)),                     \
           w5 = (*(const VT *)(wt + 5 * C));                                                       \
        VT w6 = (*(const VT *)(wt + 6 * C)), w7 = (*(const VT *)(wt + 7 * C)),                     \
           w8 = (*(const VT *)(wt + 8 * C));                                                       \
        int64_t iy = q->oy * p->sh - p->pt;                                                        \
        const float *r0 = q->x + iy * q->w * C + c0;                                               \
        const float *r1 = r0 + (int64_t)p->dh * q->w * C, *r2 = r1 + (int64_t)p->dh * q->w * C;    \
        for (int64_t ox = q->lo; ox < q->hi; ox++) {                                               \
            int64_t o = ox * sx - (int64_t)p->pl * C;                                              \
            /* one FMA chain in TF.js's order (ky, kx): same rounding as its kernels */            \
            VT s = (*(const VT *)(r0 + o)) * w0;                                                   \
            s += (*(const VT *)(r0 + o + dx)) * w1;                                                \
            s += (*(const VT *)(r0 + o + 2 * dx)) * w2;                                            \
            s += (*(const VT *)(r1 + o)) * w3;                                                     \
            s += (*(const VT *)(r1 + o + dx)) * w4;                                                \
            s += (*(const VT *)(r1 + o + 2 * dx)) * w5;                                            \
            s += (*(const VT *)(r2 + o)) * w6;                                                     \
            s += (*(const VT *)(r2 + o + dx)) * w7;                                                \
            s += (*(const VT *)(r2 + o + 2 * dx)) * w8;                                            \
            *(VT *)(q->y + ox * C + c0) = s;                                                       \
        }                                                                                          \
    }                                                                                              \
    ATTR static void NAME##_chunk(const struct dwrow *q, int64_t c0)                               \
    {                                                                                              \
        const struct kc_tconv *p = q->p;                                                           \
        int fast = p->kh == 3 && p->kw == 3 && q->ky0 == 0 && q->ky1 == 3;                         \
        for (int64_t ox = 0; ox < q->lo && ox < q->ow; ox++) NAME##_pix(q, ox, c0);                \
        if (fast)                                                                                  \
            NAME##_3x3(q, c0);                                                                     \
        else                                                                                       \
            for (int64_t ox = q->lo; ox < q->hi; ox++) NAME##_pix(q, ox, c0);                      \
        for (int64_t ox = q->hi > q->lo ? q->hi : q->lo; ox < q->ow; ox++) NAME##_pix(q, ox, c0);  \
    }

/* Scalar remainder channels and the reference path for channel multipliers. */
static void dw_scalar(const struct dwrow *q, int64_t c0, int64_t c1)
{
    const struct kc_tconv *p = q->p;
    int64_t C = p->cin, M = p->mult;
    for (int64_t ox = 0; ox < q->ow; ox++)
        for (int64_t c = c0; c < c1; c++)
            for (int64_t m = 0; m < M; m++) {
                float acc = 0.f;
                for (int ky = q->ky0; ky < q->ky1; ky++) {
                    int64_t iy = q->oy * p->sh - p->pt + (int64_t)ky * p->dh;
                    for (int kx = 0; kx < p->kw; kx++) {
                        int64_t ix = ox * p->sw - p->pl + (int64_t)kx * p->dw;
                        if (ix < 0 || ix >= q->w) continue;
                        acc += q->x[(iy * q->w + ix) * C + c] *
                               q->wt[(((int64_t)ky * p->kw + kx) * C + c) * M + m];
                    }
                }
                q->y[ox * C * M + c * M + m] = acc;
            }
}

#define DW_FAMILY(SUF, ATTR)                                                                       \
    DW_WIDTH(w16##SUF, v16f, ATTR)                                                                 \
    DW_WIDTH(w8##SUF, v8f, ATTR)                                                                   \
    DW_WIDTH(w4##SUF, v4f, ATTR)                                                                   \
    ATTR static void dwrow##SUF(const struct dwrow *q)                                             \
    {                                                                                              \
        int64_t C = q->p->cin, c = 0;                                                              \
        for (; c + 16 <= C; c += 16) w16##SUF##_chunk(q, c);                                       \
        for (; c + 8 <= C; c += 8) w8##SUF##_chunk(q, c);                                          \
        for (; c + 4 <= C; c += 4) w4##SUF##_chunk(q, c);                                          \
        if (c < C) dw_scalar(q, c, C);                                                             \
    }

DW_FAMILY(_avx512, __attribute__((target("avx512f,avx512vl,avx2,fma"))))
DW_FAMILY(_avx2, __attribute__((target("avx2,fma"))))
DW_FAMILY(_base, )

static void (*pick_dwrow(void))(const struct dwrow *)
{
    if (__builtin_cpu_supports("avx512f")) return dwrow_avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return dwrow_avx2;
    return dwrow_base;
}

/* Valid kernel rows for output row oy, and the ox range whose whole window is inside. */
static void dw_setup(struct dwrow *q, const struct kc_tconv *p, int64_t h, int64_t w)
{
    q->ky0 = 0, q->ky1 = p->kh;
    int64_t iy0 = q->oy * p->sh - p->pt;
    while (q->ky0 < p->kh && iy0 + (int64_t)q->ky0 * p->dh < 0) q->ky0++;
    while (q->ky1 > q->ky0 && iy0 + (int64_t)(q->ky1 - 1) * p->dh >= h) q->ky1--;
    int64_t span = (int64_t)(p->kw - 1) * p->dw;
    q->lo = (p->pl + p->sw - 1) / p->sw; /* first ox with ox*sw - pl >= 0 */
    q->hi = w - 1 - span + p->pl >= 0 ? (w - 1 - span + p->pl) / p->sw + 1 : 0;
    if (q->lo > q->ow) q->lo = q->ow;
    if (q->hi > q->ow) q->hi = q->ow;
    if (q->hi < q->lo) q->hi = q->lo;
}

void kc_k_dw_rows(const struct kc_tconv *p, const float *x, int64_t h, int64_t w, const float *wt,
                  float *y, int64_t oh, int64_t ow, int64_t r0, int64_t r1, int portable)
{
    void (*row)(const struct dwrow *) = portable ? dwrow_base : pick_dwrow();
    for (int64_t r = r0; r < r1; r++) {
        struct dwrow q = {.p = p, .h = h, .w = w, .oy = r % oh, .ow = ow, .wt = wt};
        q.x = x + (r / oh) * h * w * p->cin;
        q.y = y + (r - r0) * ow * p->cout;
        dw_setup(&q, p, h, w);
        if (p->mult != 1)
            dw_scalar(&q, 0, p->cin);
        else
            row(&q);
    }
}

void kc_k_dwconv(const struct kc_kwin *a, int64_t r0, int64_t r1)
{
    int64_t rowlen = a->ow * a->p->cout;
    for (int64_t r = r0; r < r1; r++) {
        float *y = a->y + r * rowlen;
        kc_k_dw_rows(a->p, a->x, a->h, a->w, a->wt, y, a->oh, a->ow, r, r + 1, a->portable);
        kc_k_epilogue(y, a->epi.residual ? a->epi.residual + r * rowlen : NULL, a->ow, a->p->cout,
                      &a->epi);
    }
}

/* ---- pooling ---------------------------------------------------------------------------- */

static void pool(const struct kc_kwin *a, int64_t r0, int64_t r1, int is_max)
{
    const struct kc_tconv *p = a->p;
    int64_t C = p->cin;
    for (int64_t r = r0; r < r1; r++) {
        int64_t b = r / a->oh, oy = r % a->oh;
        for (int64_t ox = 0; ox < a->ow; ox++) {
            float *restrict y = a->y + (r * a->ow + ox) * C;
            int cnt = 0;
            for (int64_t c = 0; c < C; c++) y[c] = is_max ? -INFINITY : 0.f;
            for (int ky = 0; ky < p->kh; ky++) {
                int64_t iy = oy * p->sh - p->pt + ky;
                if (iy < 0 || iy >= a->h) continue;
                for (int kx = 0; kx < p->kw; kx++) {
                    int64_t ix = ox * p->sw - p->pl + kx;
                    if (ix < 0 || ix >= a->w) continue;
                    const float *restrict x = a->x + ((b * a->h + iy) * a->w + ix) * C;
                    cnt++;
                    if (is_max)
                        for (int64_t c = 0; c < C; c++) y[c] = x[c] > y[c] ? x[c] : y[c];
                    else
                        for (int64_t c = 0; c < C; c++) y[c] += x[c];
                }
            }
            if (!is_max && cnt)
                for (int64_t c = 0; c < C; c++) y[c] /= (float)cnt;
        }
    }
}

void kc_k_maxpool(const struct kc_kwin *a, int64_t r0, int64_t r1)
{
    pool(a, r0, r1, 1);
}

void kc_k_avgpool(const struct kc_kwin *a, int64_t r0, int64_t r1)
{
    pool(a, r0, r1, 0);
}
