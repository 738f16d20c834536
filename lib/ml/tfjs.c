/*
 * tfjs.c — TF.js graph models: model.json parsing, weights manifest, dequantisation, public API.
 *
 * model.json is a GraphDef in JSON: modelTopology.node[] = {name, op, input[], attr{}}, plus a
 * weightsManifest[] of groups {paths[], weights[{name, shape, dtype, quantization?}]} whose
 * shards, concatenated in order, hold every weight back to back (float32/int32 little-endian;
 * quantised uint8/uint16 as q*scale+min; float16). This file turns it into the IR of tensor.h and
 * hands it to tensor_graph.c (order, shapes) and tensor_plan.c (fusion, buffers). Everything read
 * from the file is validated: a bad model yields NULL and a message naming the node or weight.
 *
 * Ops the five shipped models use (facemesh, iris, emotion, posenet, blazeface), all supported:
 *   Const, Placeholder, Identity, Reshape, _FusedConv2D (BiasAdd [+ Relu | Relu6 | Prelu]),
 *   DepthwiseConv2dNative, FusedDepthwiseConv2dNative (BiasAdd + Relu6), MaxPool, AddV2, Prelu,
 *   Relu, Sigmoid, Pad, ConcatV2, Mean, Softmax.
 * Also supported: Conv2D, AvgPool, Add, BiasAdd, Sub, Mul, Relu6, Tanh, PadV2 (zero constant),
 * and the fused activations LeakyRelu, Sigmoid, Tanh.
 */
#include "ml/tfjs.h"
#include "ml/tensor.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JSON_BYTES  (64u << 20)
#define MAX_SHARD_BYTES (1u << 30)
#define MAX_ELEMS       ((int64_t)1 << 28)

struct kc_tfjs_model {
    struct kc_tgraph g;
};

/* Where weight bytes come from: shard files beside model.json, or one caller buffer. */
struct wsrc {
    const char *dir; /* file mode */
    const unsigned char *mem;
    size_t mem_len, mem_off;
};

static const struct {
    const char *tf;
    enum kc_top op;
} op_table[] = {
    {"Const", KC_OP_CONST},
    {"Placeholder", KC_OP_INPUT},
    {"Identity", KC_OP_IDENTITY},
    {"Reshape", KC_OP_RESHAPE},
    {"Conv2D", KC_OP_CONV},
    {"_FusedConv2D", KC_OP_CONV},
    {"DepthwiseConv2dNative", KC_OP_DWCONV},
    {"FusedDepthwiseConv2dNative", KC_OP_DWCONV},
    {"MaxPool", KC_OP_MAXPOOL},
    {"AvgPool", KC_OP_AVGPOOL},
    {"Add", KC_OP_ADD},
    {"AddV2", KC_OP_ADD},
    {"BiasAdd", KC_OP_ADD},
    {"Sub", KC_OP_SUB},
    {"Mul", KC_OP_MUL},
    {"Prelu", KC_OP_PRELU},
    {"Relu", KC_OP_RELU},
    {"Relu6", KC_OP_RELU6},
    {"Sigmoid", KC_OP_SIGMOID},
    {"Tanh", KC_OP_TANH},
    {"Mean", KC_OP_MEAN},
    {"Softmax", KC_OP_SOFTMAX},
    {"Pad", KC_OP_PAD},
    {"PadV2", KC_OP_PAD},
    {"ConcatV2", KC_OP_CONCAT},
};

/* ---- attribute helpers ---------------------------------------------------------------- */

static int b64_decode(const char *s, char *out, size_t cap)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        const char *p = strchr(tab, *s);
        if (!p) return -1;
        acc = (acc << 6) | (unsigned)(p - tab);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o + 1 >= cap) return -1;
            out[o++] = (char)((acc >> bits) & 255);
        }
    }
    out[o] = '\0';
    return 0;
}

static int json_to_i64(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (!json_is_string(v)) return -1;
    const char *s = json_string_value(v);
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end) return -1;
    *out = x;
    return 0;
}

/* attr[key].list.i as ints; returns the count (0 when absent), -1 when malformed. */
static int attr_ints(const json_t *attr, const char *key, int *out, int max)
{
    const json_t *a = json_object_get(attr, key);
    if (!a) return 0;
    const json_t *list = json_object_get(json_object_get(a, "list"), "i");
    if (!list) return json_is_object(json_object_get(a, "list")) ? 0 : -1;
    if (!json_is_array(list) || (int)json_array_size(list) > max) return -1;
    for (size_t i = 0; i < json_array_size(list); i++) {
        int64_t v;
        if (json_to_i64(json_array_get(list, i), &v) || v < -(1 << 20) || v > (1 << 20)) return -1;
        out[i] = (int)v;
    }
    return (int)json_array_size(list);
}

/* attr[key].s base64-decoded into buf; "" when absent; -1 when malformed. */
static int attr_str(const json_t *attr, const char *key, char *buf, size_t cap)
{
    buf[0] = '\0';
    const json_t *a = json_object_get(attr, key);
    if (!a) return 0;
    const json_t *s = json_object_get(a, "s");
    if (!json_is_string(s)) return -1;
    return b64_decode(json_string_value(s), buf, cap);
}

static int attr_int(const json_t *attr, const char *key, int def)
{
    int64_t v;
    const json_t *i = json_object_get(json_object_get(attr, key), "i");
    if (!i || json_to_i64(i, &v) || v < 0 || v > 64) return def;
    return (int)v;
}

static int set_bad(struct kc_err *err, const struct kc_tnode *n, const char *what)
{
    return kc_err_set(err, KC_E_UNPROCESSABLE, "node '%s' (%s): %s", n->name, n->op_name, what);
}

/* ---- node parsing ----------------------------------------------------------------------- */

static int parse_padding(const json_t *attr, struct kc_tnode *n, struct kc_err *err)
{
    char pad[32], fmt[16];
    if (attr_str(attr, "padding", pad, sizeof pad)) return set_bad(err, n, "bad padding attr");
    if (attr_str(attr, "data_format", fmt, sizeof fmt) || (fmt[0] && strcmp(fmt, "NHWC")))
        return set_bad(err, n, "only data_format NHWC is supported");
    struct kc_tconv *c = &n->conv;
    if (!strcmp(pad, "SAME")) {
        c->pad_mode = KC_PAD_SAME;
    } else if (!strcmp(pad, "VALID")) {
        c->pad_mode = KC_PAD_VALID;
    } else if (!strcmp(pad, "EXPLICIT")) {
        int p[8];
        if (attr_ints(attr, "explicit_paddings", p, 8) != 8)
            return set_bad(err, n, "EXPLICIT padding needs 8 explicit_paddings");
        if (p[0] || p[1] || p[6] || p[7] || p[2] < 0 || p[3] < 0 || p[4] < 0 || p[5] < 0)
            return set_bad(err, n, "explicit_paddings must pad only H and W, by >= 0");
        c->pad_mode = KC_PAD_EXPLICIT;
        c->pt = p[2], c->pb = p[3], c->pl = p[4], c->pr = p[5];
    } else {
        return set_bad(err, n, "padding must be SAME, VALID or EXPLICIT");
    }
    return 0;
}

static int parse_window(const json_t *attr, struct kc_tnode *n, int pool, struct kc_err *err)
{
    struct kc_tconv *c = &n->conv;
    int s[4] = {1, 1, 1, 1}, d[4] = {1, 1, 1, 1}, k[4] = {1, 1, 1, 1};
    int ns = attr_ints(attr, "strides", s, 4), nd = attr_ints(attr, "dilations", d, 4);
    if (ns < 0 || nd < 0 || (ns && ns != 4) || (nd && nd != 4))
        return set_bad(err, n, "strides/dilations must list 4 ints");
    if (s[0] != 1 || s[3] != 1 || d[0] != 1 || d[3] != 1 || s[1] < 1 || s[2] < 1 || d[1] < 1 ||
        d[2] < 1 || s[1] > 64 || s[2] > 64 || d[1] > 64 || d[2] > 64)
        return set_bad(err, n, "unsupported strides or dilations");
    c->sh = s[1], c->sw = s[2], c->dh = d[1], c->dw = d[2];
    if (pool) {
        if (attr_ints(attr, "ksize", k, 4) != 4 || k[0] != 1 || k[3] != 1 || k[1] < 1 || k[2] < 1 ||
            k[1] > 1024 || k[2] > 1024)
            return set_bad(err, n, "pooling needs ksize [1,kh,kw,1]");
        c->kh = k[1], c->kw = k[2];
    }
    return parse_padding(attr, n, err);
}

static int parse_fused(const json_t *attr, struct kc_tnode *n, struct kc_err *err)
{
    const json_t *list =
        json_object_get(json_object_get(json_object_get(attr, "fused_ops"), "list"), "s");
    n->num_args = attr_int(attr, "num_args", 0);
    const json_t *la = json_object_get(json_object_get(attr, "leakyrelu_alpha"), "f");
    n->leaky_alpha = json_is_number(la) ? (float)json_number_value(la) : 0.2f;
    if (!list) return 0;
    if (!json_is_array(list) || json_array_size(list) > 4)
        return set_bad(err, n, "bad fused_ops attr");
    n->fused = calloc(json_array_size(list) + 1, sizeof *n->fused);
    if (!n->fused) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *s = json_array_get(list, i);
        char buf[64];
        if (!json_is_string(s) || b64_decode(json_string_value(s), buf, sizeof buf))
            return set_bad(err, n, "bad fused_ops entry");
        n->fused[n->n_fused] = strdup(buf);
        if (!n->fused[n->n_fused++]) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    }
    return 0;
}

static int parse_const_or_input(const json_t *attr, struct kc_tnode *n, struct kc_err *err)
{
    const char *type = json_string_value(json_object_get(json_object_get(attr, "dtype"), "type"));
    const json_t *dims;
    if (n->op == KC_OP_INPUT) {
        if (type && strcmp(type, "DT_FLOAT")) return set_bad(err, n, "input must be DT_FLOAT");
        dims = json_object_get(json_object_get(json_object_get(attr, "shape"), "shape"), "dim");
    } else {
        if (!type || (strcmp(type, "DT_FLOAT") && strcmp(type, "DT_INT32")))
            return set_bad(err, n, "unsupported Const dtype (only DT_FLOAT and DT_INT32)");
        n->is_int = !strcmp(type, "DT_INT32");
        dims = json_object_get(
            json_object_get(json_object_get(json_object_get(attr, "value"), "tensor"),
                            "tensorShape"),
            "dim");
    }
    n->shape.rank = -1; /* unknown unless given */
    if (!dims) return 0;
    if (!json_is_array(dims) || json_array_size(dims) > KC_T_MAX_RANK)
        return set_bad(err, n, "shape rank above 4 is not supported");
    n->shape.rank = (int)json_array_size(dims);
    for (int i = 0; i < n->shape.rank; i++) {
        int64_t v = 1;
        const json_t *sz = json_object_get(json_array_get(dims, (size_t)i), "size");
        if (sz && (json_to_i64(sz, &v) || v < -1 || v > MAX_ELEMS))
            return set_bad(err, n, "bad shape dim");
        n->shape.dim[i] = v;
    }
    return 0;
}

static int parse_inputs(const json_t *jn, struct kc_tnode *n, struct kc_err *err)
{
    const json_t *in = json_object_get(jn, "input");
    if (!in) return 0;
    if (!json_is_array(in) || json_array_size(in) > 64) return set_bad(err, n, "bad input list");
    n->in_names = calloc(json_array_size(in) + 1, sizeof(char *));
    if (!n->in_names) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(in); i++) {
        const char *s = json_string_value(json_array_get(in, i));
        if (!s) return set_bad(err, n, "input names must be strings");
        if (s[0] == '^') continue; /* control dependency: no data */
        n->in_names[n->n_in] = strdup(s);
        if (!n->in_names[n->n_in++]) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    }
    return 0;
}

static int parse_node(const json_t *jn, struct kc_tnode *n, struct kc_err *err)
{
    const char *name = json_string_value(json_object_get(jn, "name"));
    const char *op = json_string_value(json_object_get(jn, "op"));
    if (!name || !op || !name[0])
        return kc_err_set(err, KC_E_UNPROCESSABLE, "a node lacks a string name or op");
    n->name = strdup(name);
    if (!n->name) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    n->op_name = NULL;
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0]; i++)
        if (!strcmp(op, op_table[i].tf)) n->op_name = op_table[i].tf, n->op = op_table[i].op;
    if (!n->op_name)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "unsupported op '%.64s' (node '%.200s')", op,
                          name);
    n->alias = -1;
    n->conv.bias = n->conv.residual = n->conv.act.alpha = n->conv.act2.alpha = -1;
    n->conv.mult = 1;
    const json_t *attr = json_object_get(jn, "attr");
    if (attr && !json_is_object(attr)) return set_bad(err, n, "attr must be an object");
    if (parse_inputs(jn, n, err)) return -1;
    switch (n->op) {
    case KC_OP_CONST:
    case KC_OP_INPUT: return parse_const_or_input(attr, n, err);
    case KC_OP_CONV:
    case KC_OP_DWCONV: return parse_window(attr, n, 0, err) || parse_fused(attr, n, err) ? -1 : 0;
    case KC_OP_MAXPOOL:
    case KC_OP_AVGPOOL: return parse_window(attr, n, 1, err);
    case KC_OP_MEAN: {
        const json_t *b = json_object_get(json_object_get(attr, "keep_dims"), "b");
        n->keep_dims = json_is_true(b);
        return 0;
    }
    default: return 0;
    }
}

static int parse_nodes(struct kc_tgraph *g, const json_t *root, struct kc_err *err)
{
    const json_t *nodes = json_object_get(json_object_get(root, "modelTopology"), "node");
    if (!json_is_array(nodes) || json_array_size(nodes) == 0)
        return kc_err_set(err, KC_E_UNPROCESSABLE,
                          "not a TF.js graph model: modelTopology.node is missing or empty");
    if (json_array_size(nodes) > 100000)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "too many nodes");
    g->n_nodes = (int)json_array_size(nodes);
    g->nodes = calloc((size_t)g->n_nodes, sizeof *g->nodes);
    if (!g->nodes) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (int i = 0; i < g->n_nodes; i++) {
        const json_t *jn = json_array_get(nodes, (size_t)i);
        if (!json_is_object(jn))
            return kc_err_set(err, KC_E_UNPROCESSABLE, "node %d is not an object", i);
        if (parse_node(jn, &g->nodes[i], err)) return -1;
    }
    return 0;
}

static int parse_signature(struct kc_tgraph *g, const json_t *root, struct kc_err *err)
{
    const json_t *outs = json_object_get(json_object_get(root, "signature"), "outputs");
    if (!json_is_object(outs)) return 0;
    g->sig_outputs = calloc(json_object_size(outs) + 1, sizeof(char *));
    if (!g->sig_outputs) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)outs, key, v)
    {
        const char *nm = json_string_value(json_object_get(v, "name"));
        if (!nm) continue;
        char *s = strdup(nm);
        if (!s) return kc_err_set(err, KC_E_NOMEM, "out of memory");
        char *colon = strrchr(s, ':');
        if (colon) *colon = '\0';
        g->sig_outputs[g->n_sig_outputs++] = s;
    }
    return 0;
}

/* ---- weights ------------------------------------------------------------------------------ */

static float half_to_float(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    float v;
    if (e == 0)
        v = ldexpf((float)m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexpf((float)(m | 1024), e - 25);
    return (h & 0x8000) ? -v : v;
}

struct wspec {
    const char *name;
    struct kc_tshape shape;
    int64_t count;
    int is_int; /* dtype int32 */
    int qbytes; /* bytes per stored element */
    int qkind;  /* 0 plain, 1 uint8/uint16 affine, 2 float16 */
    double qmin, qscale;
};

static int parse_wspec(const json_t *w, struct wspec *s, struct kc_err *err)
{
    s->name = json_string_value(json_object_get(w, "name"));
    const char *dtype = json_string_value(json_object_get(w, "dtype"));
    const json_t *shape = json_object_get(w, "shape");
    if (!s->name || !dtype || !json_is_array(shape))
        return kc_err_set(err, KC_E_UNPROCESSABLE, "a weight lacks name, dtype or shape");
    if (json_array_size(shape) > KC_T_MAX_RANK)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "weight '%.200s': rank above 4", s->name);
    s->shape.rank = (int)json_array_size(shape);
    s->count = 1;
    for (int i = 0; i < s->shape.rank; i++) {
        int64_t d;
        if (json_to_i64(json_array_get(shape, (size_t)i), &d) || d < 0 || d > MAX_ELEMS)
            return kc_err_set(err, KC_E_UNPROCESSABLE, "weight '%.200s': bad shape", s->name);
        s->shape.dim[i] = d;
        s->count *= d;
        if (s->count > MAX_ELEMS)
            return kc_err_set(err, KC_E_UNPROCESSABLE, "weight '%.200s': too large", s->name);
    }
    if (strcmp(dtype, "float32") && strcmp(dtype, "int32"))
        return kc_err_set(err, KC_E_UNPROCESSABLE, "weight '%.200s': unsupported dtype '%.32s'",
                          s->name, dtype);
    s->is_int = !strcmp(dtype, "int32");
    s->qbytes = 4, s->qkind = 0;
    const json_t *q = json_object_get(w, "quantization");
    if (!q) return 0;
    const char *qd = json_string_value(json_object_get(q, "dtype"));
    if (qd && !strcmp(qd, "float16") && !s->is_int) {
        s->qbytes = 2, s->qkind = 2;
        return 0;
    }
    const json_t *mn = json_object_get(q, "min"), *sc = json_object_get(q, "scale");
    if (!qd || (strcmp(qd, "uint8") && strcmp(qd, "uint16")) || !json_is_number(mn) ||
        !json_is_number(sc))
        return kc_err_set(err, KC_E_UNPROCESSABLE,
                          "weight '%.200s': unsupported quantization (uint8/uint16 with min and "
                          "scale, or float16)",
                          s->name);
    s->qbytes = qd[4] == '8' ? 1 : 2, s->qkind = 1;
    s->qmin = json_number_value(mn), s->qscale = json_number_value(sc);
    return 0;
}

static void decode_weight(const struct wspec *s, const unsigned char *p, float *f, int32_t *iv)
{
    for (int64_t k = 0; k < s->count; k++) {
        double v;
        if (s->qkind == 1) {
            unsigned q = s->qbytes == 1 ? p[k] : (unsigned)(p[2 * k] | p[2 * k + 1] << 8);
            v = q * s->qscale + s->qmin;
        } else if (s->qkind == 2) {
            v = half_to_float((uint16_t)(p[2 * k] | p[2 * k + 1] << 8));
        } else if (s->is_int) {
            int32_t x;
            memcpy(&x, p + 4 * k, 4);
            v = x;
        } else {
            float x;
            memcpy(&x, p + 4 * k, 4);
            v = x;
        }
        if (f)
            f[k] = (float)v;
        else
            iv[k] = (int32_t)lrint(v);
    }
}

static int same_shape(const struct kc_tshape *a, const struct kc_tshape *b)
{
    if (a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dim[i] != b->dim[i]) return 0;
    return 1;
}

static int attach_weight(struct kc_tgraph *g, const struct wspec *s, const unsigned char *p,
                         struct kc_err *err)
{
    int idx = kc_tgraph_find(g, s->name);
    if (idx < 0) return 0; /* a weight nothing refers to is ignored, as TF.js does */
    struct kc_tnode *n = &g->nodes[idx];
    if (n->op != KC_OP_CONST)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "weight '%.200s' names a %s node", s->name,
                          n->op_name);
    if (n->f || n->i32)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "weight '%.200s' appears twice", s->name);
    if (n->is_int != s->is_int)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "weight '%.200s': dtype differs from its node",
                          s->name);
    if (n->shape.rank >= 0 && !same_shape(&n->shape, &s->shape))
        return kc_err_set(err, KC_E_UNPROCESSABLE,
                          "weight '%.200s': shape mismatch between manifest and node", s->name);
    n->shape = s->shape;
    size_t cnt = (size_t)(s->count ? s->count : 1);
    if (s->is_int)
        n->i32 = malloc(cnt * sizeof(int32_t));
    else
        n->f = malloc(cnt * sizeof(float));
    if (!n->i32 && !n->f) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    decode_weight(s, p, n->f, n->i32);
    if (!s->is_int) g->weight_bytes += (size_t)s->count * sizeof(float);
    return 0;
}

static int shard_path_ok(const char *p)
{
    return p[0] && p[0] != '/' && !strstr(p, "..");
}

static unsigned char *read_file(const char *path, size_t max, size_t *len, struct kc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        kc_err_set(err, KC_E_UNAVAILABLE, "cannot open %.400s: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n < 0 || (size_t)n > max || fseek(f, 0, SEEK_SET)) {
        kc_err_set(err, KC_E_UNPROCESSABLE, "%.400s: unreadable or larger than %zu bytes", path,
                   max);
    } else if (!(buf = malloc((size_t)n + 1))) {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
    } else if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        kc_err_set(err, KC_E_IO, "%.400s: read error", path);
        free(buf), buf = NULL;
    } else {
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

/* The bytes of one manifest group: its shard files concatenated, or the next slice of the
 * caller's buffer. `*owned` says whether the caller must free the result. */
static const unsigned char *group_bytes(struct wsrc *src, const json_t *grp, size_t need,
                                        unsigned char **owned, struct kc_err *err)
{
    *owned = NULL;
    if (!src->dir) {
        if (src->mem_len - src->mem_off < need) {
            kc_err_set(err, KC_E_UNPROCESSABLE, "weights truncated: manifest needs %zu more bytes",
                       need - (src->mem_len - src->mem_off));
            return NULL;
        }
        static const unsigned char nothing[1];
        src->mem_off += need;
        return src->mem ? src->mem + src->mem_off - need : nothing; /* NULL only when need 0 */
    }
    const json_t *paths = json_object_get(grp, "paths");
    if (!json_is_array(paths)) {
        kc_err_set(err, KC_E_UNPROCESSABLE, "weights group lacks a paths list");
        return NULL;
    }
    unsigned char *all = malloc(need + 1);
    size_t have = 0;
    for (size_t i = 0; all && i < json_array_size(paths); i++) {
        const char *p = json_string_value(json_array_get(paths, i));
        char full[4096];
        size_t len = 0;
        if (!p || !shard_path_ok(p) ||
            (size_t)snprintf(full, sizeof full, "%s%s", src->dir, p) >= sizeof full) {
            kc_err_set(err, KC_E_UNPROCESSABLE, "bad shard path in manifest");
            free(all);
            return NULL;
        }
        unsigned char *data = read_file(full, MAX_SHARD_BYTES, &len, err);
        if (!data || len > need - have) {
            if (data)
                kc_err_set(err, KC_E_UNPROCESSABLE,
                           "shard %.300s is longer than the manifest describes", p);
            free(data), free(all);
            return NULL;
        }
        memcpy(all + have, data, len);
        have += len;
        free(data);
    }
    if (!all)
        kc_err_set(err, KC_E_NOMEM, "out of memory");
    else if (have != need)
        kc_err_set(err, KC_E_UNPROCESSABLE,
                   "weight shards are truncated: %zu bytes, manifest needs %zu", have, need);
    if (!all || have != need) {
        free(all);
        return NULL;
    }
    *owned = all;
    return all;
}

static int parse_group(struct kc_tgraph *g, const json_t *grp, struct wsrc *src, struct kc_err *err)
{
    const json_t *ws = json_object_get(grp, "weights");
    if (!json_is_array(ws))
        return kc_err_set(err, KC_E_UNPROCESSABLE, "weights group lacks a weights list");
    size_t nw = json_array_size(ws), need = 0;
    struct wspec *specs = calloc(nw + 1, sizeof *specs);
    if (!specs) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < nw && !rc; i++) {
        rc = parse_wspec(json_array_get(ws, i), &specs[i], err);
        need += (size_t)specs[i].count * (size_t)specs[i].qbytes;
        if (need > MAX_SHARD_BYTES)
            rc = kc_err_set(err, KC_E_UNPROCESSABLE, "weights group larger than 1 GiB");
    }
    unsigned char *owned = NULL;
    const unsigned char *bytes = rc ? NULL : group_bytes(src, grp, need, &owned, err);
    if (!bytes) rc = -1;
    size_t off = 0;
    for (size_t i = 0; i < nw && !rc; i++) {
        rc = attach_weight(g, &specs[i], bytes + off, err);
        off += (size_t)specs[i].count * (size_t)specs[i].qbytes;
    }
    free(owned);
    free(specs);
    return rc;
}

static int parse_weights(struct kc_tgraph *g, const json_t *root, struct wsrc *src,
                         struct kc_err *err)
{
    const json_t *man = json_object_get(root, "weightsManifest");
    if (man && !json_is_array(man))
        return kc_err_set(err, KC_E_UNPROCESSABLE, "weightsManifest must be a list");
    for (size_t i = 0; man && i < json_array_size(man); i++)
        if (parse_group(g, json_array_get(man, i), src, err)) return -1;
    if (!src->dir && src->mem_off != src->mem_len)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "weights have %zu bytes beyond the manifest",
                          src->mem_len - src->mem_off);
    for (int i = 0; i < g->n_nodes; i++) {
        const struct kc_tnode *n = &g->nodes[i];
        if (n->op == KC_OP_CONST && !n->f && !n->i32)
            return kc_err_set(err, KC_E_UNPROCESSABLE,
                              "Const '%.200s' has no data in the weights manifest", n->name);
    }
    return 0;
}

/* ---- public API -------------------------------------------------------------------------- */

static struct kc_tfjs_model *load_common(const char *json, size_t json_len, struct wsrc *src,
                                         const struct kc_tfjs_options *opt, struct kc_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, json_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        kc_err_set(err, KC_E_UNPROCESSABLE, "model.json: %s at line %d column %d", jerr.text,
                   jerr.line, jerr.column);
        return NULL;
    }
    struct kc_tfjs_model *m = calloc(1, sizeof *m);
    if (!m) {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        json_decref(root);
        return NULL;
    }
    m->g.threads = opt && opt->threads > 1 ? (opt->threads < 64 ? opt->threads : 64) : 1;
    m->g.portable = opt && opt->portable;
    m->g.input = -1;
    int rc = !json_is_object(root)
                 ? kc_err_set(err, KC_E_UNPROCESSABLE, "model.json: not an object")
             : parse_nodes(&m->g, root, err) || parse_signature(&m->g, root, err) ||
                     parse_weights(&m->g, root, src, err) || kc_tgraph_prepare(&m->g, err) ||
                     kc_tgraph_plan(&m->g, err) || kc_tgraph_exec_init(&m->g, err)
                 ? -1
                 : 0;
    json_decref(root);
    if (rc) {
        kc_tfjs_free(m);
        return NULL;
    }
    return m;
}

struct kc_tfjs_model *kc_tfjs_load_mem(const char *json, size_t json_len, const void *weights,
                                       size_t weights_len, const struct kc_tfjs_options *opt,
                                       struct kc_err *err)
{
    if (!json || (!weights && weights_len)) {
        kc_err_set(err, KC_E_INVALID, "kc_tfjs_load_mem: NULL buffer");
        return NULL;
    }
    struct wsrc src = {.mem = weights, .mem_len = weights_len};
    return load_common(json, json_len, &src, opt, err);
}

struct kc_tfjs_model *kc_tfjs_load(const char *model_json_path, const struct kc_tfjs_options *opt,
                                   struct kc_err *err)
{
    size_t len = 0;
    if (!model_json_path) {
        kc_err_set(err, KC_E_INVALID, "kc_tfjs_load: NULL path");
        return NULL;
    }
    char *json = (char *)read_file(model_json_path, MAX_JSON_BYTES, &len, err);
    if (!json) return NULL;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", model_json_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[1] = '\0';
    else
        dir[0] = '\0';
    struct wsrc src = {.dir = dir};
    struct kc_tfjs_model *m = load_common(json, len, &src, opt, err);
    free(json);
    if (!m) kc_err_prefix(err, "loading %.300s", model_json_path);
    return m;
}

int kc_tfjs_input_shape(const struct kc_tfjs_model *m, int64_t shape[4])
{
    const struct kc_tshape *s = &m->g.nodes[m->g.input].shape;
    for (int i = 0; i < 4; i++) shape[i] = i < s->rank ? s->dim[i] : 0;
    return s->rank == 4 ? 0 : -1;
}

int kc_tfjs_run(struct kc_tfjs_model *m, const float *input, size_t input_len, struct kc_err *err)
{
    size_t want = kc_tshape_count(&m->g.nodes[m->g.input].shape);
    if (!input || input_len != want)
        return kc_err_set(err, KC_E_INVALID, "input has %zu floats, the model needs %zu", input_len,
                          want);
    kc_tgraph_run(&m->g, input, NULL);
    return 0;
}

size_t kc_tfjs_step_count(const struct kc_tfjs_model *m)
{
    return (size_t)m->g.n_order;
}

const char *kc_tfjs_step_desc(const struct kc_tfjs_model *m, size_t i, char *buf, size_t cap)
{
    if (i >= (size_t)m->g.n_order)
        snprintf(buf, cap, "?");
    else
        kc_tgraph_step_desc(&m->g, (int)i, buf, cap);
    return buf;
}

int kc_tfjs_run_profiled(struct kc_tfjs_model *m, const float *input, size_t input_len,
                         double *step_ms, struct kc_err *err)
{
    size_t want = kc_tshape_count(&m->g.nodes[m->g.input].shape);
    if (!input || input_len != want || !step_ms)
        return kc_err_set(err, KC_E_INVALID, "input has %zu floats, the model needs %zu", input_len,
                          want);
    kc_tgraph_run(&m->g, input, step_ms);
    return 0;
}

/* An output by its node name; "X:0" also finds node X (TF's first-output notation). The
 * exact name is tried first, since a node's own name may end in ":0". */
static int output_index(const struct kc_tfjs_model *m, const char *name)
{
    size_t full = strlen(name), stripped = full;
    if (full > 2 && !strcmp(name + full - 2, ":0")) stripped -= 2;
    for (int pass = 0; pass < 2; pass++) {
        size_t len = pass ? stripped : full;
        if (pass && stripped == full) break;
        for (int i = 0; i < m->g.n_outputs; i++) {
            const char *nm = m->g.nodes[m->g.outputs[i]].name;
            if (strlen(nm) == len && !strncmp(nm, name, len)) return m->g.outputs[i];
        }
    }
    return -1;
}

const float *kc_tfjs_output(const struct kc_tfjs_model *m, const char *name, int64_t shape[4],
                            int *rank)
{
    int idx = name ? output_index(m, name) : -1;
    if (idx < 0) return NULL;
    const struct kc_tnode *n = &m->g.nodes[idx];
    if (shape)
        for (int i = 0; i < 4; i++) shape[i] = i < n->shape.rank ? n->shape.dim[i] : 0;
    if (rank) *rank = n->shape.rank;
    return n->buf;
}

size_t kc_tfjs_output_count(const struct kc_tfjs_model *m)
{
    return (size_t)m->g.n_outputs;
}

const char *kc_tfjs_output_name(const struct kc_tfjs_model *m, size_t i)
{
    return i < (size_t)m->g.n_outputs ? m->g.nodes[m->g.outputs[i]].name : NULL;
}

size_t kc_tfjs_weight_bytes(const struct kc_tfjs_model *m)
{
    return m->g.weight_bytes;
}

size_t kc_tfjs_arena_bytes(const struct kc_tfjs_model *m)
{
    return (m->g.arena_floats + m->g.scratch_floats) * sizeof(float);
}

size_t kc_tfjs_memory_bytes(const struct kc_tfjs_model *m)
{
    return m->g.resident_weight_bytes + kc_tfjs_arena_bytes(m);
}

void kc_tfjs_free(struct kc_tfjs_model *m)
{
    if (!m) return;
    kc_tgraph_exec_fini(&m->g);
    kc_tgraph_free(&m->g);
    free(m);
}
