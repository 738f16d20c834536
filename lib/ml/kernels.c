/*
 * kernels.c — convolutions through OpenBLAS sgemm, epilogues, and the whole-tensor ops.
 *
 * Convolution strategy (see kernels.h): rows of the output are processed in bands sized so the
 * band's im2col/depthwise scratch and output stay in L2 (BAND_FLOATS); each band is one sgemm
 * followed at once by the fused epilogue while the band is still cache-resident.
 *   1x1, stride 1, no padding: A = the input itself ([pixels x cin], lda = cin), no copy.
 *   1x1, strided, no padding:  one sgemm per output row, lda = stride_w * cin.
 *   k x k (or padded 1x1):     im2col of the band into scratch ([pixels x kh*kw*cin]), sgemm.
 *   depthwise + 1x1 fused:     depthwise of the band into scratch (+ its epilogue), sgemm.
 * Each band's product goes to kc_k_gemm (kernels_gemm.c: AVX-512, weights packed at load,
 * epilogue in registers) when the step has packed weights, else to OpenBLAS cblas_sgemm followed
 * by kc_k_epilogue (CPUs without AVX-512, or kc_tfjs_options.portable). HWIO weights
 * [kh][kw][cin][cout] are already the [K x cout] row-major matrix sgemm needs, in the im2col
 * column order (ky, kx, c).
 * Depthwise and pooling kernels live in kernels_dw.c (explicitly vectorised).
 */
#include "ml/kernels.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#define BAND_FLOATS (48 * 1024) /* ~192 KiB of scratch or output per band */

/* ---- activations and epilogue ------------------------------------------------------------- */

static void act_row(float *restrict v, int64_t c, enum kc_act kind, const float *restrict alpha,
                    float leaky)
{
    switch (kind) {
    case KC_ACT_NONE: return;
    case KC_ACT_RELU:
        for (int64_t i = 0; i < c; i++) v[i] = v[i] > 0.f ? v[i] : 0.f;
        return;
    case KC_ACT_RELU6:
        for (int64_t i = 0; i < c; i++) {
            float t = v[i] > 0.f ? v[i] : 0.f;
            v[i] = t < 6.f ? t : 6.f;
        }
        return;
    case KC_ACT_PRELU:
        for (int64_t i = 0; i < c; i++) v[i] = v[i] > 0.f ? v[i] : v[i] * alpha[i];
        return;
    case KC_ACT_LEAKY:
        for (int64_t i = 0; i < c; i++) v[i] = v[i] > 0.f ? v[i] : v[i] * leaky;
        return;
    case KC_ACT_SIGMOID:
        for (int64_t i = 0; i < c; i++) v[i] = 1.f / (1.f + expf(-v[i]));
        return;
    case KC_ACT_TANH:
        for (int64_t i = 0; i < c; i++) v[i] = tanhf(v[i]);
        return;
    }
}

void kc_k_epilogue(float *y, const float *residual, int64_t rows, int64_t c,
                   const struct kc_kepi *e)
{
    for (int64_t r = 0; r < rows; r++) {
        float *restrict v = y + r * c;
        if (e->bias)
            for (int64_t i = 0; i < c; i++) v[i] += e->bias[i];
        act_row(v, c, e->act, e->alpha, e->leaky);
        if (residual) {
            const float *restrict res = residual + r * c;
            for (int64_t i = 0; i < c; i++) v[i] += res[i];
        }
        act_row(v, c, e->act2, e->alpha2, e->leaky2);
    }
}

static int epi_is_noop(const struct kc_kepi *e)
{
    return !e->bias && e->act == KC_ACT_NONE && !e->residual && e->act2 == KC_ACT_NONE;
}

/* ---- convolution ------------------------------------------------------------------------- */

static int is_pointwise(const struct kc_tconv *p)
{
    return p->kh == 1 && p->kw == 1 && !p->pt && !p->pb && !p->pl && !p->pr;
}

static int64_t row_floats(const struct kc_kwin *a)
{
    const struct kc_tconv *p = a->p;
    if (a->pre) return a->ow * p->cin;
    if (is_pointwise(p)) return a->ow * p->cout;
    return a->ow * (int64_t)p->kh * p->kw * p->cin;
}

size_t kc_k_conv_band(const struct kc_kwin *a)
{
    int64_t per = row_floats(a), rows = BAND_FLOATS / (per > 0 ? per : 1);
    return (size_t)(rows < 1 ? 1 : rows);
}

size_t kc_k_conv_scratch(const struct kc_kwin *a)
{
    if (!a->pre && is_pointwise(a->p)) return 0;
    int64_t rows = (int64_t)kc_k_conv_band(a), total = a->n * a->oh;
    return (size_t)((rows < total ? rows : total) * row_floats(a));
}

static void gemm(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *B,
                 float *C)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, A,
                (int)lda, B, (int)n, 0.0f, C, (int)n);
}

static inline void copy_floats(float *restrict dst, const float *restrict src, int64_t n)
{
    for (int64_t i = 0; i < n; i++) dst[i] = src[i]; /* short runs: cheaper than a memcpy call */
}

/* im2col of output rows [r0, r1) into col: one row of kh*kw*cin per output pixel, in the
 * (ky, kx, c) order of the HWIO filter. With dilation 1 a kernel row whose taps are all inside
 * the image is one contiguous run of kw*cin floats. */
static void im2col(const struct kc_kwin *a, int64_t r0, int64_t r1, float *col)
{
    const struct kc_tconv *p = a->p;
    int64_t cin = p->cin, run = (int64_t)p->kw * cin, kcols = (int64_t)p->kh * run;
    for (int64_t r = r0; r < r1; r++) {
        int64_t b = r / a->oh, oy = r % a->oh;
        for (int64_t ox = 0; ox < a->ow; ox++) {
            float *dst = col + ((r - r0) * a->ow + ox) * kcols;
            int64_t ix0 = ox * p->sw - p->pl, ixl = ix0 + (int64_t)(p->kw - 1) * p->dw;
            int inside = ix0 >= 0 && ixl < a->w && p->dw == 1;
            for (int ky = 0; ky < p->kh; ky++, dst += run) {
                int64_t iy = oy * p->sh - p->pt + (int64_t)ky * p->dh;
                const float *src = a->x + ((b * a->h + iy) * a->w + ix0) * cin;
                if (iy < 0 || iy >= a->h) {
                    for (int64_t i = 0; i < run; i++) dst[i] = 0.f;
                } else if (inside) {
                    copy_floats(dst, src, run);
                } else {
                    for (int kx = 0; kx < p->kw; kx++) {
                        int64_t ix = ix0 + (int64_t)kx * p->dw;
                        if (ix < 0 || ix >= a->w)
                            for (int64_t i = 0; i < cin; i++) dst[kx * cin + i] = 0.f;
                        else
                            copy_floats(dst + kx * cin, src + (int64_t)kx * p->dw * cin, cin);
                    }
                }
            }
        }
    }
}

/* C = A * W for a band, through the packed AVX-512 kernel (epilogue included) or sgemm. */
static void band_gemm(const struct kc_kwin *a, int64_t m, const float *A, int64_t lda, int64_t k,
                      float *y, const float *res)
{
    int64_t cout = a->p->cout;
    if (a->packed) {
        kc_k_gemm(m, cout, k, A, lda, a->packed, y, cout, res, &a->epi);
        return;
    }
    gemm(m, cout, k, A, lda, a->wt, y);
    kc_k_epilogue(y, res, m, cout, &a->epi);
}

static void conv_band(const struct kc_kwin *a, int64_t r0, int64_t r1, float *scratch)
{
    const struct kc_tconv *p = a->p;
    int64_t pix = (r1 - r0) * a->ow, cout = p->cout, off = r0 * a->ow * cout;
    float *y = a->y + off;
    const float *res = a->epi.residual ? a->epi.residual + off : NULL;
    if (a->pre) {
        kc_k_dw_rows(a->pre, a->x, a->pre_h, a->pre_w, a->pre_wt, scratch, a->oh, a->ow, r0, r1,
                     a->portable);
        if (!epi_is_noop(&a->pre_epi)) kc_k_epilogue(scratch, NULL, pix, p->cin, &a->pre_epi);
        band_gemm(a, pix, scratch, p->cin, p->cin, y, res);
    } else if (is_pointwise(p) && p->sh == 1 && p->sw == 1) {
        band_gemm(a, pix, a->x + r0 * a->w * p->cin, p->cin, p->cin, y, res);
    } else if (is_pointwise(p)) {
        for (int64_t r = r0; r < r1; r++) {
            int64_t b = r / a->oh, iy = (r % a->oh) * p->sh, o = (r - r0) * a->ow * cout;
            band_gemm(a, a->ow, a->x + (b * a->h + iy) * a->w * p->cin, (int64_t)p->sw * p->cin,
                      p->cin, y + o, res ? res + o : NULL);
        }
    } else {
        int64_t kcols = (int64_t)p->kh * p->kw * p->cin;
        im2col(a, r0, r1, scratch);
        band_gemm(a, pix, scratch, kcols, kcols, y, res);
    }
}

void kc_k_conv(const struct kc_kwin *a, int64_t r0, int64_t r1, float *scratch)
{
    int64_t band = (int64_t)kc_k_conv_band(a);
    for (int64_t r = r0; r < r1; r += band) conv_band(a, r, r + band < r1 ? r + band : r1, scratch);
}

/* ---- whole-tensor ops ------------------------------------------------------------------- */

static void strides_of(const struct kc_tshape *s, int rank, int64_t st[KC_T_MAX_RANK],
                       const struct kc_tshape *ys)
{
    /* Align s to rank `rank` (leading 1s); broadcast dims get stride 0. */
    int64_t acc = 1;
    for (int i = rank - 1; i >= 0; i--) {
        int si = i - (rank - s->rank);
        int64_t d = si >= 0 ? s->dim[si] : 1;
        st[i] = (d == 1 && ys->dim[i] != 1) ? 0 : acc;
        acc *= d;
    }
}

static float binop(enum kc_top op, float x, float y)
{
    switch (op) {
    case KC_OP_ADD: return x + y;
    case KC_OP_SUB: return x - y;
    case KC_OP_MUL: return x * y;
    default: return x > 0.f ? x : x * y; /* PRELU */
    }
}

void kc_k_binary(enum kc_top op, const float *a, const struct kc_tshape *as, const float *b,
                 const struct kc_tshape *bs, float *y, const struct kc_tshape *ys)
{
    size_t n = kc_tshape_count(ys), na = kc_tshape_count(as), nb = kc_tshape_count(bs);
    if (na == n && nb == n) {
        for (size_t i = 0; i < n; i++) y[i] = binop(op, a[i], b[i]);
        return;
    }
    int64_t c = ys->rank ? ys->dim[ys->rank - 1] : 1;
    if (na == n && (nb == 1 || (nb == (size_t)c && bs->rank >= 1 && bs->dim[bs->rank - 1] == c))) {
        for (size_t i = 0; i < n; i += (size_t)c) /* per-channel or scalar constant */
            for (int64_t k = 0; k < c; k++) y[i + k] = binop(op, a[i + k], b[nb == 1 ? 0 : k]);
        return;
    }
    int r = ys->rank;
    int64_t sa[KC_T_MAX_RANK], sb[KC_T_MAX_RANK], d[KC_T_MAX_RANK] = {1, 1, 1, 1};
    strides_of(as, r, sa, ys), strides_of(bs, r, sb, ys);
    for (int i = 0; i < r; i++) d[i] = ys->dim[i];
    /* iterate as a 4-D loop over the (right-aligned) output dims */
    int64_t D[4] = {1, 1, 1, 1}, A[4] = {0}, B[4] = {0};
    for (int i = 0; i < r; i++) D[4 - r + i] = d[i], A[4 - r + i] = sa[i], B[4 - r + i] = sb[i];
    size_t o = 0;
    for (int64_t i0 = 0; i0 < D[0]; i0++)
        for (int64_t i1 = 0; i1 < D[1]; i1++)
            for (int64_t i2 = 0; i2 < D[2]; i2++)
                for (int64_t i3 = 0; i3 < D[3]; i3++, o++)
                    y[o] = binop(op, a[i0 * A[0] + i1 * A[1] + i2 * A[2] + i3 * A[3]],
                                 b[i0 * B[0] + i1 * B[1] + i2 * B[2] + i3 * B[3]]);
}

void kc_k_unary(enum kc_top op, const float *x, float *y, size_t n)
{
    if (x != y) memcpy(y, x, n * sizeof(float));
    enum kc_act k = op == KC_OP_RELU      ? KC_ACT_RELU
                    : op == KC_OP_RELU6   ? KC_ACT_RELU6
                    : op == KC_OP_SIGMOID ? KC_ACT_SIGMOID
                    : op == KC_OP_TANH    ? KC_ACT_TANH
                                          : KC_ACT_NONE;
    act_row(y, (int64_t)n, k, NULL, 0.f);
}

void kc_k_mean(const float *x, const struct kc_tshape *xs, int axes_mask, float *y)
{
    int64_t D[4] = {1, 1, 1, 1}, S[4] = {0}, acc = 1, count = 1;
    int r = xs->rank;
    for (int i = r - 1; i >= 0; i--) {
        D[4 - r + i] = xs->dim[i];
        if (axes_mask >> i & 1) {
            S[4 - r + i] = 0;
            count *= xs->dim[i];
        } else {
            S[4 - r + i] = acc;
            acc *= xs->dim[i];
        }
    }
    /* accumulate straight into y (no allocation during a run), then divide */
    for (int64_t o = 0; o < acc; o++) y[o] = 0.f;
    size_t i = 0;
    for (int64_t i0 = 0; i0 < D[0]; i0++)
        for (int64_t i1 = 0; i1 < D[1]; i1++)
            for (int64_t i2 = 0; i2 < D[2]; i2++)
                for (int64_t i3 = 0; i3 < D[3]; i3++, i++)
                    y[i0 * S[0] + i1 * S[1] + i2 * S[2] + i3 * S[3]] += x[i];
    for (int64_t o = 0; o < acc; o++) y[o] /= (float)count;
}

void kc_k_softmax(const float *x, float *y, size_t rows, size_t c)
{
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * c;
        float *yr = y + r * c, m = -INFINITY, s = 0.f;
        for (size_t k = 0; k < c; k++) m = xr[k] > m ? xr[k] : m;
        for (size_t k = 0; k < c; k++) s += (yr[k] = expf(xr[k] - m));
        for (size_t k = 0; k < c; k++) yr[k] /= s;
    }
}

void kc_k_pad(const float *x, const struct kc_tshape *xs, int pads[][2], float value, float *y,
              const struct kc_tshape *ys)
{
    size_t n = kc_tshape_count(ys);
    for (size_t i = 0; i < n; i++) y[i] = value;
    int r = xs->rank;
    int64_t D[4] = {1, 1, 1, 1}, Y[4] = {1, 1, 1, 1}, P[4] = {0};
    for (int i = 0; i < r; i++)
        D[4 - r + i] = xs->dim[i], Y[4 - r + i] = ys->dim[i], P[4 - r + i] = pads[i][0];
    size_t inner = (size_t)D[3];
    for (int64_t i0 = 0; i0 < D[0]; i0++)
        for (int64_t i1 = 0; i1 < D[1]; i1++)
            for (int64_t i2 = 0; i2 < D[2]; i2++) {
                const float *src = x + ((i0 * D[1] + i1) * D[2] + i2) * D[3];
                float *dst =
                    y + (((i0 + P[0]) * Y[1] + i1 + P[1]) * Y[2] + i2 + P[2]) * Y[3] + P[3];
                memcpy(dst, src, inner * sizeof(float));
            }
}

void kc_k_concat(const float *const *xs, const struct kc_tshape *const *shapes, int n, int axis,
                 float *y, const struct kc_tshape *ys)
{
    size_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= (size_t)ys->dim[d];
    for (int d = axis + 1; d < ys->rank; d++) inner *= (size_t)ys->dim[d];
    for (size_t o = 0; o < outer; o++)
        for (int i = 0; i < n; i++) {
            size_t len = (size_t)shapes[i]->dim[axis] * inner;
            memcpy(y, xs[i] + o * len, len * sizeof(float));
            y += len;
        }
}
