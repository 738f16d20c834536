/*
 * tensor_plan.c — once-per-load planning: constant folding, fusion, aliasing, arena layout.
 *
 * 1. Constant folding: a non-window op whose inputs are all float Consts is evaluated now and
 *    becomes a Const.
 * 2. Fusion, in topological order, when the producer has exactly one consumer and is not an
 *    output (the consumer takes over the producer's op; the producer is marked absorbed):
 *      1x1 stride-1 conv <- depthwise conv          (kernels run the depthwise band-wise)
 *      Add(conv, r) with r of the output's shape    -> conv epilogue residual
 *      Relu/Relu6/Sigmoid/Tanh/Prelu(conv)          -> conv epilogue activation (before the
 *                                                      residual if none was fused yet, else after)
 * 3. Aliases: Identity and Reshape are views of their input (no step), unless the input is the
 *    caller's array or a Const (then they copy). An elementwise op writes in place over an input
 *    of its own shape when it is that buffer's last reader.
 * 4. Arena: every buffer-owning node gets [defining step, last reading step] (outputs live to
 *    the end); buffers are placed largest first at the lowest 64-byte aligned offset that
 *    overlaps no placed buffer with an overlapping lifetime. The arena is one allocation.
 */
#include "ml/tensor.h"

#include <stdlib.h>
#include <string.h>

#define ALIGN_FLOATS     16
#define MAX_ARENA_FLOATS ((size_t)1 << 28) /* 1 GiB */
#define NEVER_DIES       (1 << 30)

static int is_window(enum kc_top op)
{
    return op == KC_OP_CONV || op == KC_OP_DWCONV || op == KC_OP_MAXPOOL || op == KC_OP_AVGPOOL;
}

static int is_elementwise(enum kc_top op)
{
    return op == KC_OP_ADD || op == KC_OP_SUB || op == KC_OP_MUL || op == KC_OP_PRELU ||
           op == KC_OP_RELU || op == KC_OP_RELU6 || op == KC_OP_SIGMOID || op == KC_OP_TANH ||
           op == KC_OP_SOFTMAX;
}

static int same_shape(const struct kc_tshape *a, const struct kc_tshape *b)
{
    if (a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dim[i] != b->dim[i]) return 0;
    return 1;
}

/* ---- 1. constant folding ---------------------------------------------------------------- */

static int fold_constants(struct kc_tgraph *g, struct kc_err *err)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == KC_OP_CONST) g->nodes[i].buf = g->nodes[i].f;
    for (int k = 0; k < g->n_order; k++) {
        struct kc_tnode *n = &g->nodes[g->order[k]];
        if (!n->live || n->op == KC_OP_CONST || n->op == KC_OP_INPUT || is_window(n->op)) continue;
        int all_const = 1;
        for (int i = 0; i < n->n_in; i++) all_const &= g->nodes[n->in[i]].op == KC_OP_CONST;
        if (!all_const) continue;
        n->f = malloc(kc_tshape_count(&n->shape) * sizeof(float));
        if (!n->f) return kc_err_set(err, KC_E_NOMEM, "out of memory");
        n->buf = n->f;
        if (kc_tnode_eval(g, n)) return kc_err_set(err, KC_E_INTERNAL, "cannot fold %s", n->name);
        n->op = KC_OP_CONST, n->is_int = 0, n->n_in = 0;
    }
    return 0;
}

/* ---- 2. fusion ----------------------------------------------------------------------------- */

static void count_uses(struct kc_tgraph *g)
{
    for (int i = 0; i < g->n_nodes; i++) g->nodes[i].n_uses = g->nodes[i].is_output;
    for (int i = 0; i < g->n_nodes; i++) {
        const struct kc_tnode *n = &g->nodes[i];
        if (!n->live || n->absorbed || n->op == KC_OP_CONST) continue;
        for (int k = 0; k < n->n_in; k++) g->nodes[n->in[k]].n_uses++;
    }
}

static struct kc_tnode *fusable(struct kc_tgraph *g, int idx, enum kc_top op)
{
    struct kc_tnode *p = &g->nodes[idx];
    if (p->op != op || p->absorbed || p->is_output || p->n_uses != 1) return NULL;
    if (p->conv.act2.kind != KC_ACT_NONE) return NULL; /* its epilogue is complete */
    return p;
}

static struct kc_tnode *fusable_conv(struct kc_tgraph *g, int idx)
{
    struct kc_tnode *p = fusable(g, idx, KC_OP_CONV);
    return p ? p : fusable(g, idx, KC_OP_DWCONV);
}

static void take_over(struct kc_tnode *v, struct kc_tnode *p)
{
    v->op = p->op;
    v->op_name = p->op_name;
    v->conv = p->conv;
    v->has_pre = p->has_pre;
    v->pre = p->pre;
    p->absorbed = 1;
}

static void fuse_pre(struct kc_tgraph *g, struct kc_tnode *v)
{
    const struct kc_tconv *c = &v->conv;
    if (v->has_pre || c->kh != 1 || c->kw != 1 || c->sh != 1 || c->sw != 1 || c->pt || c->pb ||
        c->pl || c->pr)
        return;
    struct kc_tnode *d = fusable(g, c->x, KC_OP_DWCONV);
    if (!d || d->conv.mult != 1 || d->conv.residual >= 0) return;
    v->has_pre = 1;
    v->pre = d->conv;
    v->conv.x = d->conv.x;
    d->absorbed = 1;
}

static void fuse_add(struct kc_tgraph *g, struct kc_tnode *v)
{
    for (int k = 0; k < 2; k++) {
        struct kc_tnode *p = fusable_conv(g, v->in[k]);
        const struct kc_tnode *r = &g->nodes[v->in[1 - k]];
        if (!p || p->conv.residual >= 0 || !same_shape(&p->shape, &v->shape) ||
            !same_shape(&r->shape, &v->shape))
            continue;
        int residual = v->in[1 - k];
        take_over(v, p);
        v->conv.residual = residual;
        return;
    }
}

static void fuse_act(struct kc_tgraph *g, struct kc_tnode *v)
{
    struct kc_tact act = {.alpha = -1};
    switch (v->op) {
    case KC_OP_RELU: act.kind = KC_ACT_RELU; break;
    case KC_OP_RELU6: act.kind = KC_ACT_RELU6; break;
    case KC_OP_SIGMOID: act.kind = KC_ACT_SIGMOID; break;
    case KC_OP_TANH: act.kind = KC_ACT_TANH; break;
    case KC_OP_PRELU: {
        const struct kc_tnode *a = &g->nodes[v->in[1]];
        if (a->op != KC_OP_CONST || a->is_int ||
            (int64_t)kc_tshape_count(&a->shape) != v->shape.dim[v->shape.rank - 1] ||
            a->shape.dim[a->shape.rank - 1] != v->shape.dim[v->shape.rank - 1])
            return;
        act.kind = KC_ACT_PRELU, act.alpha = v->in[1];
        break;
    }
    default: return;
    }
    struct kc_tnode *p = fusable_conv(g, v->in[0]);
    if (!p) return;
    int first = p->conv.act.kind == KC_ACT_NONE && p->conv.residual < 0;
    take_over(v, p);
    if (first)
        v->conv.act = act;
    else
        v->conv.act2 = act;
}

/* The tensors a fused conv reads, for liveness: input and residual (weights are Consts). */
static int refresh_conv_inputs(struct kc_tnode *v, struct kc_err *err)
{
    int *in = realloc(v->in, 2 * sizeof(int));
    if (!in) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    v->in = in;
    v->n_in = 0;
    v->in[v->n_in++] = v->has_pre ? v->pre.x : v->conv.x;
    if (v->conv.residual >= 0) v->in[v->n_in++] = v->conv.residual;
    return 0;
}

static int fuse(struct kc_tgraph *g, struct kc_err *err)
{
    count_uses(g);
    for (int k = 0; k < g->n_order; k++) {
        struct kc_tnode *v = &g->nodes[g->order[k]];
        if (!v->live || v->absorbed) continue;
        if (v->op == KC_OP_CONV)
            fuse_pre(g, v);
        else if (v->op == KC_OP_ADD)
            fuse_add(g, v);
        else
            fuse_act(g, v);
    }
    for (int i = 0; i < g->n_nodes; i++) {
        struct kc_tnode *v = &g->nodes[i];
        if (v->live && !v->absorbed && (v->op == KC_OP_CONV || v->op == KC_OP_DWCONV) &&
            refresh_conv_inputs(v, err))
            return -1;
    }
    return 0;
}

/* ---- 3. aliases and lifetimes ---------------------------------------------------------- */

static int root_of(const struct kc_tgraph *g, int i)
{
    while (g->nodes[i].alias >= 0) i = g->nodes[i].alias;
    return i;
}

static int owns_nothing(const struct kc_tnode *n)
{
    return n->op == KC_OP_CONST || n->op == KC_OP_INPUT;
}

/* Executable list; Identity/Reshape of an arena tensor become views and drop out. */
static void build_order(struct kc_tgraph *g)
{
    int n = 0;
    for (int k = 0; k < g->n_order; k++) {
        int i = g->order[k];
        struct kc_tnode *v = &g->nodes[i];
        if (!v->live || v->absorbed || owns_nothing(v)) continue;
        if (v->op == KC_OP_IDENTITY || v->op == KC_OP_RESHAPE) {
            int r = root_of(g, v->in[0]);
            if (!owns_nothing(&g->nodes[r])) {
                v->alias = r;
                continue;
            }
        }
        v->step = n;
        g->order[n++] = i;
    }
    g->n_order = n;
}

static void last_uses(struct kc_tgraph *g, int *lu)
{
    for (int i = 0; i < g->n_nodes; i++) lu[i] = -1;
    for (int k = 0; k < g->n_order; k++) {
        const struct kc_tnode *v = &g->nodes[g->order[k]];
        for (int j = 0; j < v->n_in; j++) {
            int r = root_of(g, v->in[j]);
            if (lu[r] < k) lu[r] = k;
        }
    }
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].is_output) lu[root_of(g, i)] = NEVER_DIES;
}

static void in_place(struct kc_tgraph *g, int *lu)
{
    for (int k = 0; k < g->n_order; k++) {
        struct kc_tnode *v = &g->nodes[g->order[k]];
        if (!is_elementwise(v->op)) continue;
        for (int j = 0; j < v->n_in; j++) {
            int r = root_of(g, v->in[j]);
            if (owns_nothing(&g->nodes[r]) || lu[r] != k ||
                !same_shape(&g->nodes[v->in[j]].shape, &v->shape))
                continue;
            int clash = 0; /* another operand viewing r with another shape would be overwritten */
            for (int o = 0; o < v->n_in; o++)
                clash |=
                    root_of(g, v->in[o]) == r && !same_shape(&g->nodes[v->in[o]].shape, &v->shape);
            if (clash) continue;
            int self = g->order[k];
            v->alias = r;
            if (lu[self] > lu[r]) lu[r] = lu[self];
            break;
        }
    }
}

/* ---- 4. arena --------------------------------------------------------------------------- */

struct buf {
    int node, first, last;
    size_t size, off;
};

static int by_size_desc(const void *a, const void *b)
{
    const struct buf *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? 1 : -1;
    return x->first - y->first;
}

static int by_off(const void *a, const void *b)
{
    const struct buf *const *x = a, *const *y = b;
    return (*x)->off < (*y)->off ? -1 : (*x)->off > (*y)->off;
}

static size_t place(struct buf *bufs, int placed, struct buf *b, struct buf **tmp)
{
    int n = 0;
    for (int i = 0; i < placed; i++)
        if (bufs[i].first <= b->last && b->first <= bufs[i].last) tmp[n++] = &bufs[i];
    qsort(tmp, (size_t)n, sizeof *tmp, by_off);
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        if (tmp[i]->off >= off + b->size) break;
        if (tmp[i]->off + tmp[i]->size > off) off = tmp[i]->off + tmp[i]->size;
    }
    return off;
}

static int layout_arena(struct kc_tgraph *g, const int *lu, struct kc_err *err)
{
    struct buf *bufs = calloc((size_t)g->n_order + 1, sizeof *bufs);
    struct buf **tmp = calloc((size_t)g->n_order + 1, sizeof *tmp);
    int nb = 0;
    if (!bufs || !tmp) {
        free(bufs), free(tmp);
        return kc_err_set(err, KC_E_NOMEM, "out of memory");
    }
    for (int k = 0; k < g->n_order; k++) {
        int i = g->order[k];
        if (g->nodes[i].alias >= 0) continue;
        size_t sz = kc_tshape_count(&g->nodes[i].shape);
        bufs[nb++] = (struct buf){.node = i,
                                  .first = k,
                                  .last = lu[i] < k ? k : lu[i],
                                  .size = (sz + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS};
    }
    qsort(bufs, (size_t)nb, sizeof *bufs, by_size_desc);
    size_t total = 0;
    for (int i = 0; i < nb; i++) {
        bufs[i].off = place(bufs, i, &bufs[i], tmp);
        if (bufs[i].off + bufs[i].size > total) total = bufs[i].off + bufs[i].size;
    }
    int rc = 0;
    if (total > MAX_ARENA_FLOATS)
        rc = kc_err_set(err, KC_E_UNPROCESSABLE, "intermediate tensors need more than 1 GiB");
    else if (!(g->arena = aligned_alloc(64, (total ? total : ALIGN_FLOATS) * sizeof(float))))
        rc = kc_err_set(err, KC_E_NOMEM, "out of memory");
    g->arena_floats = total;
    for (int i = 0; !rc && i < nb; i++) g->nodes[bufs[i].node].buf = g->arena + bufs[i].off;
    free(bufs), free(tmp);
    return rc;
}

int kc_tgraph_plan(struct kc_tgraph *g, struct kc_err *err)
{
    if (fold_constants(g, err) || fuse(g, err)) return -1;
    build_order(g);
    int *lu = malloc(((size_t)g->n_nodes + 1) * sizeof(int));
    if (!lu) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    last_uses(g, lu);
    in_place(g, lu);
    int rc = layout_arena(g, lu, err);
    free(lu);
    if (rc) return -1;
    for (int i = 0; i < g->n_nodes; i++) {
        struct kc_tnode *n = &g->nodes[i];
        if (n->op == KC_OP_CONST)
            n->buf = n->f;
        else if (n->alias >= 0)
            n->buf = g->nodes[root_of(g, i)].buf;
    }
    return 0;
}
