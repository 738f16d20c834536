/*
 * kernels.h — NHWC float32 compute kernels of the TF.js runner (internal to lib/ml).
 *
 * Window ops (conv, depthwise, pooling) compute a range of output rows [r0, r1), where a row
 * is one (batch, y) pair, so the caller can split an op across threads or bands; each call
 * gets its own scratch of kc_k_conv_scratch() floats. Everything else is whole-tensor.
 *
 * Convolutions: a 1x1 stride-1 conv is one sgemm on the input as a [pixels x cin] matrix; a
 * strided 1x1 conv is one sgemm per output row with a strided lda; k x k convs use im2col of a
 * band of output pixels into scratch, then sgemm; a depthwise conv is a direct loop with the
 * channels innermost (vectorised, AVX-512/AVX2 when the CPU has them). A depthwise conv fused in
 * front of a 1x1 conv ("pre") is computed band by band into scratch and fed to the sgemm while
 * it is cache-resident. Bias, activation, residual add and a second activation are applied in
 * one pass over each band right after it is computed (the epilogue).
 *
 * Weights are HWIO as TF.js stores them ([kh][kw][cin][cout] is already the im2col-ordered
 * [K x cout] matrix; depthwise [kh][kw][c][mult]). Thread-safety: pure functions of their
 * arguments; concurrent calls on disjoint output rows are safe.
 */
#ifndef KC_ML_KERNELS_H
#define KC_ML_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "ml/tensor.h"

/* Epilogue: y = act2(act(y + bias) + residual). Pointers may be NULL when unused. */
struct kc_kepi {
    const float *bias;
    enum kc_act act;
    const float *alpha;
    float leaky;
    const float *residual; /* same layout as the output */
    enum kc_act act2;
    const float *alpha2;
    float leaky2;
};

/* A window op: geometry from tensor.h's kc_tconv (kh..pr, cin, cout, mult). */
struct kc_kwin {
    const struct kc_tconv *p;
    const float *x;
    int64_t n, h, w; /* input dims (channels are p->cin) */
    float *y;
    int64_t oh, ow;      /* output dims (channels are p->cout) */
    const float *wt;     /* filter (conv, depthwise) */
    const float *packed; /* conv filter packed by kc_k_pack_b (use kc_k_gemm), or NULL */
    int portable;        /* 1: baseline SSE2 depthwise (tests of the portable path) */
    struct kc_kepi epi;
    /* conv with a fused depthwise in front: x is the depthwise's input (h, w, pre->cin) and the
     * depthwise output (oh, ow, pre->cout == p->cin) only ever exists in scratch. */
    const struct kc_tconv *pre;
    const float *pre_wt;
    struct kc_kepi pre_epi;
    int64_t pre_h, pre_w; /* the depthwise's input dims */
};

/* Apply an epilogue to `rows` pixels of `c` channels starting at y (residual at the same
 * offset is e->residual + (y - y_base)). */
void kc_k_epilogue(float *y, const float *residual, int64_t rows, int64_t c,
                   const struct kc_kepi *e);

size_t kc_k_conv_scratch(const struct kc_kwin *a); /* floats per thread */
size_t kc_k_conv_band(const struct kc_kwin *a);    /* preferred rows per task */
void kc_k_conv(const struct kc_kwin *a, int64_t r0, int64_t r1, float *scratch);
void kc_k_dwconv(const struct kc_kwin *a, int64_t r0, int64_t r1);
void kc_k_maxpool(const struct kc_kwin *a, int64_t r0, int64_t r1);
void kc_k_avgpool(const struct kc_kwin *a, int64_t r0, int64_t r1);

/* Broadcasting binary op (ADD, SUB, MUL, PRELU) on shapes of equal rank (pad with 1s). */
void kc_k_binary(enum kc_top op, const float *a, const struct kc_tshape *as, const float *b,
                 const struct kc_tshape *bs, float *y, const struct kc_tshape *ys);
void kc_k_unary(enum kc_top op, const float *x, float *y, size_t n);
void kc_k_mean(const float *x, const struct kc_tshape *xs, int axes_mask, float *y);
void kc_k_softmax(const float *x, float *y, size_t rows, size_t c);
void kc_k_pad(const float *x, const struct kc_tshape *xs, int pads[][2], float value, float *y,
              const struct kc_tshape *ys);
/* Concatenate n inputs along axis (inputs share all other dims). */
void kc_k_concat(const float *const *xs, const struct kc_tshape *const *shapes, int n, int axis,
                 float *y, const struct kc_tshape *ys);

/* kernels_gemm.c: AVX-512 GEMM with packed B and the epilogue in registers (no Sigmoid/Tanh).
 * Only call kc_k_gemm when kc_k_gemm_available(). `packed` holds kc_k_packed_floats(k, n)
 * floats, 64-byte aligned, filled by kc_k_pack_b from the row-major [k x n] matrix b. */
int kc_k_gemm_available(void);
size_t kc_k_packed_floats(int64_t k, int64_t n);
void kc_k_pack_b(const float *b, int64_t k, int64_t n, float *packed);
void kc_k_gemm(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *packed,
               float *c, int64_t ldc, const float *residual, const struct kc_kepi *e);

/* Depthwise conv (no epilogue) of output rows [r0, r1) with channels innermost; y points at
 * where row r0 goes (row stride ow*cout). Used by kc_k_dwconv and the fused path. */
void kc_k_dw_rows(const struct kc_tconv *p, const float *x, int64_t h, int64_t w, const float *wt,
                  float *y, int64_t oh, int64_t ow, int64_t r0, int64_t r1, int portable);

#endif
