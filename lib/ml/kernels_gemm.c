/*
 * kernels_gemm.c — AVX-512 GEMM micro-kernels for convolutions, with the epilogue in registers.
 *
 * C[M x N] = A[M x K] * B[K x N], then per element act2(act(c + bias) + residual), stored once.
 * A is read in place (rows of pixels: the input itself for 1x1 convs, a depthwise or im2col
 * band otherwise; row stride lda), so nothing is copied per call. B (the conv weights) is packed
 * once at load into column panels of up to 64 columns (NV = 1..4 vectors of 16), each panel
 * stored k-major and zero-padded to whole vectors: panel p holds K x (16*NV_p) floats.
 * A register block is MR rows x NV vectors of accumulators (MR*NV <= 24 of the 32 zmm
 * registers); each k step loads NV vectors of B and broadcasts MR values of A. Rows past M in
 * the last block re-read row 0 and are not stored; columns past N are masked on store.
 * Sigmoid/Tanh epilogues (not in the shipped models' convs) are left to the caller.
 *
 * Why not OpenBLAS here: for the shapes of these models (N = 16..128 channels, M = a band of
 * pixels) sgemm spends much of its time packing A and B on every call and the epilogue needs a
 * second pass over C; measured numbers are in bench/ml/README.md. OpenBLAS remains the path on
 * CPUs without AVX-512 (kernels.c).
 */
#include "ml/kernels.h"

#include <immintrin.h>
#include <string.h>

#define PANEL_COLS 64

int kc_k_gemm_available(void)
{
    return __builtin_cpu_supports("avx512f") != 0;
}

static int panel_nv(int64_t n, int64_t col)
{
    int64_t rem = n - col;
    return rem >= PANEL_COLS ? 4 : (int)((rem + 15) / 16);
}

size_t kc_k_packed_floats(int64_t k, int64_t n)
{
    int64_t padded = (n + 15) / 16 * 16;
    return (size_t)(k * padded);
}

void kc_k_pack_b(const float *b, int64_t k, int64_t n, float *packed)
{
    for (int64_t col = 0; col < n; col += PANEL_COLS) {
        int w = panel_nv(n, col) * 16;
        for (int64_t kk = 0; kk < k; kk++)
            for (int j = 0; j < w; j++) *packed++ = col + j < n ? b[kk * n + col + j] : 0.f;
    }
}

#define TARGET __attribute__((target("avx512f")))

TARGET static inline __m512 act_v(__m512 v, enum kc_act kind, const float *alpha, float leaky)
{
    const __m512 zero = _mm512_setzero_ps();
    switch (kind) {
    case KC_ACT_RELU: return _mm512_max_ps(v, zero);
    case KC_ACT_RELU6: return _mm512_min_ps(_mm512_max_ps(v, zero), _mm512_set1_ps(6.f));
    case KC_ACT_PRELU: {
        __mmask16 neg = _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ);
        return _mm512_mask_mul_ps(v, neg, v, _mm512_loadu_ps(alpha));
    }
    case KC_ACT_LEAKY: {
        __mmask16 neg = _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ);
        return _mm512_mask_mul_ps(v, neg, v, _mm512_set1_ps(leaky));
    }
    default: return v;
    }
}

/* Per-column epilogue arrays may be shorter than a padded vector: read them masked. */
TARGET static inline __m512 ld_cols(const float *p, __mmask16 m)
{
    return _mm512_maskz_loadu_ps(m, p);
}

struct gemm_args {
    int64_t k, lda, ldc;
    const float *a; /* row 0 of this block */
    const float *bp;
    float *c;
    const float *res; /* residual row 0 of this block, same ldc, or NULL */
    const struct kc_kepi *e;
    int64_t col; /* first column of the panel (for bias/alpha) */
    int cols;    /* valid columns in this panel */
    int mr;      /* valid rows in this block */
};

TARGET static inline void store_row(const struct gemm_args *g, int r, __m512 *acc, int nv)
{
    const struct kc_kepi *e = g->e;
    float *c = g->c + r * g->ldc;
    const float *res = g->res ? g->res + r * g->ldc : NULL;
    for (int v = 0; v < nv; v++) {
        int left = g->cols - v * 16;
        __mmask16 m = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
        int64_t col = g->col + v * 16;
        __m512 x = acc[v];
        if (e->bias) x = _mm512_add_ps(x, ld_cols(e->bias + col, m));
        if (e->act == KC_ACT_PRELU) {
            __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
            x = _mm512_mask_mul_ps(x, neg, x, ld_cols(e->alpha + col, m));
        } else {
            x = act_v(x, e->act, NULL, e->leaky);
        }
        if (res) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, res + v * 16));
        if (e->act2 == KC_ACT_PRELU) {
            __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
            x = _mm512_mask_mul_ps(x, neg, x, ld_cols(e->alpha2 + col, m));
        } else {
            x = act_v(x, e->act2, NULL, e->leaky2);
        }
        _mm512_mask_storeu_ps(c + v * 16, m, x);
    }
}

/* One MR x (16*NV) block. MR and NV are compile-time constants in each instantiation. */
#define UKERNEL(MR, NV)                                                                            \
    TARGET static void uk_##MR##x##NV(const struct gemm_args *g)                                   \
    {                                                                                              \
        __m512 acc[MR][NV];                                                                        \
        const float *ar[MR];                                                                       \
        for (int r = 0; r < MR; r++) {                                                             \
            ar[r] = g->a + (r < g->mr ? r : 0) * g->lda;                                           \
            for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps();                          \
        }                                                                                          \
        const float *bp = g->bp;                                                                   \
        for (int64_t kk = 0; kk < g->k; kk++, bp += 16 * NV) {                                     \
            __m512 b[NV];                                                                          \
            for (int v = 0; v < NV; v++) b[v] = _mm512_load_ps(bp + 16 * v);                       \
            for (int r = 0; r < MR; r++) {                                                         \
                __m512 av = _mm512_set1_ps(ar[r][kk]);                                             \
                for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(av, b[v], acc[r][v]);     \
            }                                                                                      \
        }                                                                                          \
        for (int r = 0; r < MR && r < g->mr; r++) store_row(g, r, acc[r], NV);                     \
    }

UKERNEL(6, 4)
UKERNEL(8, 3)
UKERNEL(12, 2)
UKERNEL(16, 1)

static const int mr_of_nv[5] = {0, 16, 12, 8, 6};

/* C rows [0, m) of an M x N product with the epilogue. Packed B must be 64-byte aligned. */
TARGET void kc_k_gemm(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                      const float *packed, float *c, int64_t ldc, const float *residual,
                      const struct kc_kepi *e)
{
    for (int64_t col = 0, poff = 0; col < n; col += PANEL_COLS) {
        int nv = panel_nv(n, col), mr = mr_of_nv[nv];
        struct gemm_args g = {.k = k,
                              .lda = lda,
                              .ldc = ldc,
                              .bp = packed + poff,
                              .e = e,
                              .col = col,
                              .cols = (int)(n - col < 16 * nv ? n - col : 16 * nv)};
        for (int64_t row = 0; row < m; row += mr) {
            g.a = a + row * lda;
            g.c = c + row * ldc + col;
            g.res = residual ? residual + row * ldc + col : NULL;
            g.mr = (int)(m - row < mr ? m - row : mr);
            switch (nv) {
            case 4: uk_6x4(&g); break;
            case 3: uk_8x3(&g); break;
            case 2: uk_12x2(&g); break;
            default: uk_16x1(&g); break;
            }
        }
        poff += k * 16 * nv;
    }
}
