/*
 * tensor_graph.c — graph checks, topological order and shape inference for the TF.js runner.
 *
 * kc_tgraph_prepare turns the parsed nodes into a validated DAG: input names resolve to node
 * indices (a missing node, a second output ":1" or a cycle is an error), every op gets the input
 * count it needs, exactly one live Placeholder exists, outputs are the sinks plus the signature's
 * outputs, and every live node gets a fully known shape (batch -1 is taken as 1). Integer
 * operands that configure an op (Reshape shape, Pad amounts, Mean/Concat axes) must be Consts;
 * they are read here once. Errors name the node and say what is wrong.
 */
#include "ml/tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int build_hash(struct kc_tgraph *g)
{
    size_t cap = 16;
    while (cap < (size_t)g->n_nodes * 2) cap *= 2;
    g->name_hash = malloc(cap * sizeof(int));
    if (!g->name_hash) return -1;
    g->hash_cap = cap;
    memset(g->name_hash, 0xff, cap * sizeof(int));
    for (int i = 0; i < g->n_nodes; i++) {
        size_t h = hash_str(g->nodes[i].name) & (cap - 1);
        while (g->name_hash[h] >= 0) h = (h + 1) & (cap - 1);
        g->name_hash[h] = i;
    }
    return 0;
}

int kc_tgraph_find(const struct kc_tgraph *g, const char *name)
{
    if (!g->name_hash && build_hash((struct kc_tgraph *)g)) return -1;
    size_t h = hash_str(name) & (g->hash_cap - 1);
    for (; g->name_hash[h] >= 0; h = (h + 1) & (g->hash_cap - 1))
        if (!strcmp(g->nodes[g->name_hash[h]].name, name)) return g->name_hash[h];
    return -1;
}

size_t kc_tshape_count(const struct kc_tshape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++) n *= (size_t)s->dim[i];
    return n;
}

static int bad(struct kc_err *err, const struct kc_tnode *n, const char *what)
{
    return kc_err_set(err, KC_E_UNPROCESSABLE, "node '%.200s' (%s): %s", n->name, n->op_name, what);
}

/* ---- input resolution -------------------------------------------------------------------- */

static int resolve_inputs(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err)
{
    if (!n->n_in) return 0;
    n->in = calloc((size_t)n->n_in, sizeof(int));
    if (!n->in) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (int i = 0; i < n->n_in; i++) {
        char *nm = n->in_names[i], *colon = strrchr(nm, ':');
        if (colon && strcmp(colon, ":0")) {
            if (strspn(colon + 1, "0123456789") == strlen(colon + 1))
                return bad(err, n, "reads a second output of a node (unsupported)");
        } else if (colon) {
            *colon = '\0';
        }
        n->in[i] = kc_tgraph_find(g, nm);
        if (n->in[i] < 0)
            return kc_err_set(err, KC_E_UNPROCESSABLE,
                              "node '%.200s': input '%.200s' names no node", n->name, nm);
    }
    return 0;
}

static int parse_act(struct kc_tnode *n, const char *s, struct kc_tact *act, int *next_arg,
                     struct kc_err *err)
{
    if (!strcmp(s, "Relu"))
        act->kind = KC_ACT_RELU;
    else if (!strcmp(s, "Relu6"))
        act->kind = KC_ACT_RELU6;
    else if (!strcmp(s, "Sigmoid"))
        act->kind = KC_ACT_SIGMOID;
    else if (!strcmp(s, "Tanh"))
        act->kind = KC_ACT_TANH;
    else if (!strcmp(s, "LeakyRelu"))
        act->kind = KC_ACT_LEAKY, act->leaky = n->leaky_alpha;
    else if (!strcmp(s, "Prelu")) {
        if (*next_arg >= n->n_in) return bad(err, n, "Prelu fused without its alpha input");
        act->kind = KC_ACT_PRELU, act->alpha = n->in[(*next_arg)++];
    } else {
        char msg[128];
        snprintf(msg, sizeof msg, "unsupported fused op '%.64s'", s);
        return bad(err, n, msg);
    }
    return 0;
}

/* _FusedConv2D / FusedDepthwiseConv2dNative: inputs x, filter, then the fused ops' arguments. */
static int setup_conv(struct kc_tnode *n, struct kc_err *err)
{
    if (n->n_in < 2) return bad(err, n, "needs an input and a filter");
    n->conv.x = n->in[0], n->conv.w = n->in[1];
    int arg = 2, i = 0;
    if (i < n->n_fused && !strcmp(n->fused[i], "BiasAdd")) {
        if (arg >= n->n_in) return bad(err, n, "BiasAdd fused without its bias input");
        n->conv.bias = n->in[arg++];
        i++;
    }
    if (i < n->n_fused && parse_act(n, n->fused[i++], &n->conv.act, &arg, err)) return -1;
    if (i < n->n_fused) return bad(err, n, "too many fused ops");
    return 0;
}

static int check_arity(struct kc_tnode *n, struct kc_err *err)
{
    int want = -1;
    switch (n->op) {
    case KC_OP_CONST:
    case KC_OP_INPUT: want = 0; break;
    case KC_OP_IDENTITY:
    case KC_OP_RELU:
    case KC_OP_RELU6:
    case KC_OP_SIGMOID:
    case KC_OP_TANH:
    case KC_OP_SOFTMAX:
    case KC_OP_MAXPOOL:
    case KC_OP_AVGPOOL: want = 1; break;
    case KC_OP_RESHAPE:
    case KC_OP_ADD:
    case KC_OP_SUB:
    case KC_OP_MUL:
    case KC_OP_PRELU:
    case KC_OP_MEAN: want = 2; break;
    case KC_OP_PAD:
        if (n->n_in != 2 && n->n_in != 3) return bad(err, n, "needs 2 or 3 inputs");
        return 0;
    case KC_OP_CONCAT:
        if (n->n_in < 2) return bad(err, n, "needs inputs and an axis");
        return 0;
    case KC_OP_CONV:
    case KC_OP_DWCONV: return setup_conv(n, err);
    }
    if (n->n_in != want) {
        char msg[64];
        snprintf(msg, sizeof msg, "needs %d inputs, has %d", want, n->n_in);
        return bad(err, n, msg);
    }
    return 0;
}

/* ---- order ------------------------------------------------------------------------------- */

/* Kahn's algorithm over all nodes (no recursion: graphs come from untrusted files). */
static int topo_order(struct kc_tgraph *g, int *order, struct kc_err *err)
{
    int n = g->n_nodes, head = 0, tail = 0;
    int *indeg = calloc((size_t)n, sizeof(int)), *nuse = calloc((size_t)n + 1, sizeof(int));
    int *adj = NULL;
    if (!indeg || !nuse) goto nomem;
    size_t edges = 0;
    for (int i = 0; i < n; i++) {
        indeg[i] = g->nodes[i].n_in;
        for (int k = 0; k < g->nodes[i].n_in; k++) nuse[g->nodes[i].in[k] + 1]++;
        edges += (size_t)g->nodes[i].n_in;
    }
    for (int i = 0; i < n; i++) nuse[i + 1] += nuse[i]; /* CSR offsets of consumers */
    adj = malloc((edges + 1) * sizeof(int));
    int *fill = calloc((size_t)n, sizeof(int));
    if (!adj || !fill) {
        free(fill);
        goto nomem;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++) {
            int p = g->nodes[i].in[k];
            adj[nuse[p] + fill[p]++] = i;
        }
    free(fill);
    for (int i = 0; i < n; i++)
        if (!indeg[i]) order[tail++] = i;
    while (head < tail) {
        int v = order[head++];
        for (int e = nuse[v]; e < nuse[v + 1]; e++)
            if (--indeg[adj[e]] == 0) order[tail++] = adj[e];
    }
    free(indeg), free(nuse), free(adj);
    if (tail != n) return kc_err_set(err, KC_E_UNPROCESSABLE, "the graph has a cycle");
    return 0;
nomem:
    free(indeg), free(nuse), free(adj);
    return kc_err_set(err, KC_E_NOMEM, "out of memory");
}

static int find_outputs(struct kc_tgraph *g, struct kc_err *err)
{
    char *used = calloc((size_t)g->n_nodes, 1);
    g->outputs = calloc((size_t)g->n_nodes + 1, sizeof(int));
    if (!used || !g->outputs) {
        free(used);
        return kc_err_set(err, KC_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++) used[g->nodes[i].in[k]] = 1;
    for (int i = 0; i < g->n_nodes; i++) {
        enum kc_top op = g->nodes[i].op;
        if (!used[i] && op != KC_OP_CONST && op != KC_OP_INPUT) g->nodes[i].is_output = 1;
    }
    free(used);
    for (int i = 0; i < g->n_sig_outputs; i++) {
        int idx = kc_tgraph_find(g, g->sig_outputs[i]);
        if (idx < 0)
            return kc_err_set(err, KC_E_UNPROCESSABLE, "signature output '%.200s' names no node",
                              g->sig_outputs[i]);
        if (g->nodes[idx].op != KC_OP_CONST && g->nodes[idx].op != KC_OP_INPUT)
            g->nodes[idx].is_output = 1;
    }
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].is_output) g->outputs[g->n_outputs++] = i;
    if (!g->n_outputs) return kc_err_set(err, KC_E_UNPROCESSABLE, "the graph has no output");
    return 0;
}

/* Live = an output or an input of a live node; walked in reverse topological order. */
static int mark_live(struct kc_tgraph *g, const int *order, struct kc_err *err)
{
    for (int k = g->n_nodes - 1; k >= 0; k--) {
        struct kc_tnode *n = &g->nodes[order[k]];
        if (n->is_output) n->live = 1;
        if (!n->live) continue;
        for (int i = 0; i < n->n_in; i++) g->nodes[n->in[i]].live = 1;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].op != KC_OP_INPUT || !g->nodes[i].live) continue;
        if (g->input >= 0)
            return kc_err_set(err, KC_E_UNPROCESSABLE, "more than one Placeholder is used");
        g->input = i;
    }
    if (g->input < 0) return kc_err_set(err, KC_E_UNPROCESSABLE, "no Placeholder feeds an output");
    return 0;
}

int kc_tgraph_prepare(struct kc_tgraph *g, struct kc_err *err)
{
    if (!g->name_hash && build_hash(g)) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (int i = 0; i < g->n_nodes; i++) {
        int j = kc_tgraph_find(g, g->nodes[i].name);
        if (j != i)
            return kc_err_set(err, KC_E_UNPROCESSABLE, "two nodes are named '%.200s'",
                              g->nodes[i].name);
        if (resolve_inputs(g, &g->nodes[i], err) || check_arity(&g->nodes[i], err)) return -1;
    }
    int *order = malloc((size_t)g->n_nodes * sizeof(int));
    if (!order) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    int rc = topo_order(g, order, err) || find_outputs(g, err) || mark_live(g, order, err);
    for (int k = 0; !rc && k < g->n_nodes; k++) {
        struct kc_tnode *n = &g->nodes[order[k]];
        if (n->live) rc = kc_tgraph_infer(g, n, err);
    }
    if (!rc) {
        g->order = order; /* all nodes; tensor_plan.c filters it to the executable ones */
        g->n_order = g->n_nodes;
    } else {
        free(order);
    }
    return rc ? -1 : 0;
}

void kc_tgraph_free(struct kc_tgraph *g)
{
    for (int i = 0; g->nodes && i < g->n_nodes; i++) {
        struct kc_tnode *n = &g->nodes[i];
        for (int k = 0; n->in_names && n->in_names[k]; k++) free(n->in_names[k]);
        for (int k = 0; k < n->n_fused; k++) free(n->fused[k]);
        free(n->in_names), free(n->fused), free(n->in), free(n->name), free(n->f), free(n->i32);
    }
    for (int i = 0; i < g->n_sig_outputs; i++) free(g->sig_outputs[i]);
    free(g->sig_outputs), free(g->nodes), free(g->order), free(g->outputs), free(g->name_hash);
    free(g->arena), free(g->scratch);
    memset(g, 0, sizeof *g);
}
