/*
 * tensor_shape.c — shape inference for every op of the TF.js runner.
 *
 * kc_tgraph_infer(g, n) sets n->shape from the shapes of n's inputs (already inferred: nodes are
 * visited in topological order) and reads the integer constants that configure n (Reshape
 * target, Pad amounts, Mean axes, Concat axis) into the node. It rejects what the kernels cannot
 * run: non-constant filters or configuration inputs, int32 tensors where floats flow, channel
 * mismatches, shapes that do not broadcast, empty outputs, tensors above MAX_TENSOR elements.
 * Padding follows TensorFlow: SAME pads (out-1)*stride + dilated_kernel - in in total, the
 * smaller half before; VALID pads nothing; EXPLICIT takes the file's numbers.
 */
#include "ml/tensor.h"

#include <stdio.h>
#include <string.h>

#define MAX_TENSOR ((int64_t)1 << 26) /* elements; 256 MiB of floats */

static int bad(struct kc_err *err, const struct kc_tnode *n, const char *what)
{
    return kc_err_set(err, KC_E_UNPROCESSABLE, "node '%.200s' (%s): %s", n->name, n->op_name, what);
}

static int shape_mismatch(struct kc_err *err, const struct kc_tnode *n, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof msg, "shape mismatch: %s", what);
    return bad(err, n, msg);
}

int64_t kc_tconv_out(int64_t in, int k, int s, int d, int mode, int *before, int *after)
{
    int64_t ke = (int64_t)(k - 1) * d + 1, out;
    if (mode == KC_PAD_SAME) {
        out = (in + s - 1) / s;
        int64_t total = (out - 1) * s + ke - in;
        if (total < 0) total = 0;
        *before = (int)(total / 2), *after = (int)(total - total / 2);
    } else {
        if (mode == KC_PAD_VALID) *before = *after = 0;
        int64_t span = in + *before + *after - ke;
        out = span < 0 ? -1 : span / s + 1;
    }
    return out >= 1 ? out : -1;
}

/* Input i must carry floats (anything but an int32 Const). */
static const struct kc_tnode *fin(struct kc_tgraph *g, struct kc_tnode *n, int i,
                                  struct kc_err *err)
{
    const struct kc_tnode *x = &g->nodes[n->in[i]];
    if (x->op == KC_OP_CONST && x->is_int) {
        bad(err, n, "an int32 tensor feeds a float input");
        return NULL;
    }
    return x;
}

/* Input i must be an int32 Const; copies up to max values, returns the count or -1. */
static int const_ints(struct kc_tgraph *g, struct kc_tnode *n, int i, int64_t *out, int max,
                      struct kc_err *err)
{
    const struct kc_tnode *c = &g->nodes[n->in[i]];
    if (c->op != KC_OP_CONST || !c->is_int)
        return bad(err, n, "a configuration input must be an int32 Const");
    size_t cnt = kc_tshape_count(&c->shape);
    if (cnt > (size_t)max) return bad(err, n, "configuration input has too many values");
    for (size_t k = 0; k < cnt; k++) out[k] = c->i32[k];
    return (int)cnt;
}

/* A float Const with `count` values (filters, biases, Prelu slopes). */
static int float_const(struct kc_tgraph *g, struct kc_tnode *n, int idx, size_t count,
                       const char *what, struct kc_err *err)
{
    const struct kc_tnode *c = &g->nodes[idx];
    char msg[160];
    if (c->op != KC_OP_CONST || c->is_int) {
        snprintf(msg, sizeof msg, "the %s must be a float Const", what);
        return bad(err, n, msg);
    }
    if (count && kc_tshape_count(&c->shape) != count) {
        snprintf(msg, sizeof msg, "the %s has %zu values, expected %zu", what,
                 kc_tshape_count(&c->shape), count);
        return shape_mismatch(err, n, msg);
    }
    return 0;
}

static int set_out4(struct kc_tnode *n, int64_t b, int64_t h, int64_t w, int64_t c)
{
    n->shape.rank = 4;
    n->shape.dim[0] = b, n->shape.dim[1] = h, n->shape.dim[2] = w, n->shape.dim[3] = c;
    return 0;
}

static int infer_window(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err)
{
    const struct kc_tnode *x = fin(g, n, 0, err);
    struct kc_tconv *c = &n->conv;
    if (!x) return -1;
    if (x->shape.rank != 4) return shape_mismatch(err, n, "input must be rank 4 (NHWC)");
    int64_t cin = x->shape.dim[3];
    if (n->op == KC_OP_CONV || n->op == KC_OP_DWCONV) {
        if (float_const(g, n, c->w, 0, "filter", err)) return -1;
        const struct kc_tshape *w = &g->nodes[c->w].shape;
        if (w->rank != 4 || w->dim[0] < 1 || w->dim[1] < 1 || w->dim[3] < 1)
            return shape_mismatch(err, n, "filter must be [kh,kw,in,out] with no empty dim");
        if (w->dim[2] != cin) return shape_mismatch(err, n, "filter input channels != input's");
        if (w->dim[0] > 1024 || w->dim[1] > 1024 || w->dim[3] > MAX_TENSOR)
            return bad(err, n, "filter too large");
        c->kh = (int)w->dim[0], c->kw = (int)w->dim[1], c->cin = (int)cin;
        c->mult = n->op == KC_OP_DWCONV ? (int)w->dim[3] : 1;
        c->cout = n->op == KC_OP_DWCONV ? (int)(cin * w->dim[3]) : (int)w->dim[3];
        if ((int64_t)c->cout != (n->op == KC_OP_DWCONV ? cin * w->dim[3] : w->dim[3]))
            return bad(err, n, "too many channels");
        if (c->bias >= 0 && float_const(g, n, c->bias, (size_t)c->cout, "bias", err)) return -1;
        if (c->act.alpha >= 0 &&
            float_const(g, n, c->act.alpha, (size_t)c->cout, "Prelu alpha", err))
            return -1;
    } else {
        c->cin = c->cout = (int)cin, c->dh = c->dw = 1;
    }
    int64_t oh = kc_tconv_out(x->shape.dim[1], c->kh, c->sh, c->dh, c->pad_mode, &c->pt, &c->pb);
    int64_t ow = kc_tconv_out(x->shape.dim[2], c->kw, c->sw, c->dw, c->pad_mode, &c->pl, &c->pr);
    if (oh < 1 || ow < 1) return shape_mismatch(err, n, "window larger than the padded input");
    if (c->pt > 4096 || c->pb > 4096 || c->pl > 4096 || c->pr > 4096)
        return bad(err, n, "padding too large");
    return set_out4(n, x->shape.dim[0], oh, ow, c->cout);
}

static int infer_broadcast(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err)
{
    const struct kc_tnode *a = fin(g, n, 0, err), *b = a ? fin(g, n, 1, err) : NULL;
    if (!b) return -1;
    int r = a->shape.rank > b->shape.rank ? a->shape.rank : b->shape.rank;
    n->shape.rank = r;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->shape.rank), ib = i - (r - b->shape.rank);
        int64_t da = ia >= 0 ? a->shape.dim[ia] : 1, db = ib >= 0 ? b->shape.dim[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return shape_mismatch(err, n, "operands do not broadcast");
        n->shape.dim[i] = da == 1 ? db : da;
    }
    return 0;
}

static int infer_mean(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err)
{
    const struct kc_tnode *x = fin(g, n, 0, err);
    int64_t ax[KC_T_MAX_RANK];
    int cnt = x ? const_ints(g, n, 1, ax, KC_T_MAX_RANK, err) : -1;
    if (cnt < 0) return -1;
    n->axes_mask = 0;
    for (int i = 0; i < cnt; i++) {
        int64_t a = ax[i] < 0 ? ax[i] + x->shape.rank : ax[i];
        if (a < 0 || a >= x->shape.rank) return bad(err, n, "axis out of range");
        n->axes_mask |= 1 << a;
    }
    n->shape.rank = 0;
    for (int i = 0; i < x->shape.rank; i++) {
        if (!(n->axes_mask >> i & 1))
            n->shape.dim[n->shape.rank++] = x->shape.dim[i];
        else if (n->keep_dims)
            n->shape.dim[n->shape.rank++] = 1;
    }
    return 0;
}

static int infer_pad(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err)
{
    const struct kc_tnode *x = fin(g, n, 0, err);
    int64_t p[2 * KC_T_MAX_RANK];
    int cnt = x ? const_ints(g, n, 1, p, 2 * KC_T_MAX_RANK, err) : -1;
    if (cnt < 0) return -1;
    if (cnt != 2 * x->shape.rank) return shape_mismatch(err, n, "paddings must be [rank,2]");
    n->shape = x->shape;
    for (int i = 0; i < x->shape.rank; i++) {
        if (p[2 * i] < 0 || p[2 * i + 1] < 0 || p[2 * i] > 4096 || p[2 * i + 1] > 4096)
            return bad(err, n, "paddings must be in 0..4096");
        n->pads[i][0] = (int)p[2 * i], n->pads[i][1] = (int)p[2 * i + 1];
        n->shape.dim[i] += p[2 * i] + p[2 * i + 1];
    }
    n->pad_value = 0;
    if (n->n_in == 3) {
        int vi = n->in[2];
        if (float_const(g, n, vi, 1, "pad value", err)) return -1;
        n->pad_value = g->nodes[vi].f[0];
    }
    return 0;
}

static int infer_reshape(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err)
{
    const struct kc_tnode *x = fin(g, n, 0, err);
    int64_t s[KC_T_MAX_RANK];
    int cnt = x ? const_ints(g, n, 1, s, KC_T_MAX_RANK, err) : -1;
    if (cnt < 0) return -1;
    int64_t total = (int64_t)kc_tshape_count(&x->shape), known = 1;
    int neg = -1;
    for (int i = 0; i < cnt; i++) {
        if (s[i] == -1 && neg < 0)
            neg = i;
        else if (s[i] < 1 || s[i] > MAX_TENSOR)
            return bad(err, n, "bad target shape");
        else
            known *= s[i];
        if (known > MAX_TENSOR) return bad(err, n, "bad target shape");
    }
    if (neg >= 0 && total % known) return shape_mismatch(err, n, "cannot infer the -1 dim");
    if (neg >= 0)
        s[neg] = total / known;
    else if (known != total)
        return shape_mismatch(err, n, "element count changes");
    n->shape.rank = cnt;
    for (int i = 0; i < cnt; i++) n->shape.dim[i] = s[i];
    return 0;
}

static int infer_concat(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err)
{
    int64_t ax;
    int ni = n->n_in - 1;
    if (const_ints(g, n, ni, &ax, 1, err) != 1) return err ? -1 : -1;
    const struct kc_tnode *f = fin(g, n, 0, err);
    if (!f) return -1;
    int r = f->shape.rank;
    if (ax < 0) ax += r;
    if (ax < 0 || ax >= r) return bad(err, n, "axis out of range");
    n->axis = (int)ax;
    n->shape = f->shape;
    n->shape.dim[ax] = 0;
    for (int i = 0; i < ni; i++) {
        const struct kc_tnode *t = fin(g, n, i, err);
        if (!t) return -1;
        if (t->shape.rank != r) return shape_mismatch(err, n, "inputs differ in rank");
        for (int d = 0; d < r; d++)
            if (d != ax && t->shape.dim[d] != f->shape.dim[d])
                return shape_mismatch(err, n, "inputs differ off the concat axis");
        n->shape.dim[ax] += t->shape.dim[ax];
    }
    return 0;
}

static int infer_input(struct kc_tnode *n, struct kc_err *err)
{
    if (n->shape.rank < 1) return bad(err, n, "the input's shape is not given");
    for (int i = 0; i < n->shape.rank; i++) {
        if (n->shape.dim[i] == -1 && i == 0) n->shape.dim[i] = 1;
        if (n->shape.dim[i] < 1) return bad(err, n, "input dims must be known (batch may be -1)");
    }
    return 0;
}

static int infer_op(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err)
{
    const struct kc_tnode *x;
    switch (n->op) {
    case KC_OP_CONST: return 0;
    case KC_OP_INPUT: return infer_input(n, err);
    case KC_OP_CONV:
    case KC_OP_DWCONV:
    case KC_OP_MAXPOOL:
    case KC_OP_AVGPOOL: return infer_window(g, n, err);
    case KC_OP_ADD:
    case KC_OP_SUB:
    case KC_OP_MUL:
    case KC_OP_PRELU: return infer_broadcast(g, n, err);
    case KC_OP_MEAN: return infer_mean(g, n, err);
    case KC_OP_PAD: return infer_pad(g, n, err);
    case KC_OP_RESHAPE: return infer_reshape(g, n, err);
    case KC_OP_CONCAT: return infer_concat(g, n, err);
    case KC_OP_SOFTMAX:
    case KC_OP_IDENTITY:
    case KC_OP_RELU:
    case KC_OP_RELU6:
    case KC_OP_SIGMOID:
    case KC_OP_TANH:
        x = fin(g, n, 0, err);
        if (!x) return -1;
        n->shape = x->shape;
        if (n->op == KC_OP_SOFTMAX && n->shape.rank < 1) return bad(err, n, "scalar input");
        n->axis = n->shape.rank - 1;
        return 0;
    }
    return bad(err, n, "no shape rule");
}

int kc_tgraph_infer(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err)
{
    if (infer_op(g, n, err)) return -1;
    int64_t total = 1;
    for (int i = 0; i < n->shape.rank; i++) {
        if (n->shape.dim[i] < 1) return bad(err, n, "a dim is empty");
        total *= n->shape.dim[i];
        if (total > MAX_TENSOR) return bad(err, n, "tensor larger than 2^26 elements");
    }
    return 0;
}
