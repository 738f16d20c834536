/*
 * tensor_ref_eval.c — a naive, memoised, recursive evaluator of TF.js graph models for tests
 * (kc_ref_eval_model in tensor_ref.h). It reads model.json and the shards itself and computes
 * every node with the naive ops of tensor_ref.c, keeping all values until the end. It trusts its
 * input (the shipped models); it is a reference, not a loader.
 */
#include "ml/tensor_ref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rt {
    int nd;
    int64_t d[4];
    float *v;
};

struct rn {
    const char *name, *op;
    json_t *node;
    struct rt t;
    int done, owned;
};

struct rg {
    struct rn *n;
    int nn;
    struct rt input;
};

static size_t cnt(const struct rt *t)
{
    size_t n = 1;
    for (int i = 0; i < t->nd; i++) n *= (size_t)t->d[i];
    return n;
}

static struct rn *find(struct rg *g, const char *name)
{
    for (int i = 0; i < g->nn; i++)
        if (!strcmp(g->n[i].name, name)) return &g->n[i];
    return NULL;
}

static float half(uint16_t h)
{
    int e = h >> 10 & 31, m = h & 1023;
    float v = e == 0    ? ldexpf((float)m, -24)
              : e == 31 ? INFINITY
                        : ldexpf((float)(m | 1024), e - 25);
    return h >> 15 ? -v : v;
}

static int load_weights(struct rg *g, json_t *root, const char *dir)
{
    json_t *grp;
    size_t gi;
    json_array_foreach(json_object_get(root, "weightsManifest"), gi, grp)
    {
        unsigned char *buf = NULL;
        size_t len = 0, pi;
        json_t *p;
        json_array_foreach(json_object_get(grp, "paths"), pi, p)
        {
            char path[4096];
            snprintf(path, sizeof path, "%s%s", dir, json_string_value(p));
            FILE *f = fopen(path, "rb");
            if (!f) return -1;
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            fseek(f, 0, SEEK_SET);
            buf = realloc(buf, len + (size_t)n);
            if (fread(buf + len, 1, (size_t)n, f) != (size_t)n) return -1;
            len += (size_t)n;
            fclose(f);
        }
        size_t off = 0, wi;
        json_t *w;
        json_array_foreach(json_object_get(grp, "weights"), wi, w)
        {
            struct rt t = {0};
            size_t di;
            json_t *d;
            json_array_foreach(json_object_get(w, "shape"), di, d) t.d[t.nd++] =
                json_integer_value(d);
            size_t n = cnt(&t);
            t.v = calloc(n + 1, sizeof(float));
            json_t *q = json_object_get(w, "quantization");
            const char *dt = json_string_value(json_object_get(w, "dtype"));
            const char *qd = q ? json_string_value(json_object_get(q, "dtype")) : NULL;
            for (size_t k = 0; k < n; k++) {
                if (qd && !strcmp(qd, "float16")) {
                    t.v[k] = half((uint16_t)(buf[off + 2 * k] | buf[off + 2 * k + 1] << 8));
                } else if (qd) {
                    double mn = json_number_value(json_object_get(q, "min"));
                    double sc = json_number_value(json_object_get(q, "scale"));
                    unsigned v = qd[4] == '8'
                                     ? buf[off + k]
                                     : (unsigned)(buf[off + 2 * k] | buf[off + 2 * k + 1] << 8);
                    t.v[k] = (float)(v * sc + mn);
                } else if (!strcmp(dt, "int32")) {
                    int32_t v;
                    memcpy(&v, buf + off + 4 * k, 4);
                    t.v[k] = (float)v;
                } else {
                    memcpy(&t.v[k], buf + off + 4 * k, 4);
                }
            }
            off += n * (qd ? (qd[4] == '8' ? 1 : 2) : 4);
            struct rn *nd = find(g, json_string_value(json_object_get(w, "name")));
            if (nd)
                nd->t = t, nd->done = 1, nd->owned = 1;
            else
                free(t.v);
        }
        free(buf);
    }
    return 0;
}

static int ints(json_t *node, const char *key, int *out)
{
    json_t *l = json_object_get(
        json_object_get(json_object_get(json_object_get(node, "attr"), key), "list"), "i");
    size_t i;
    json_t *v;
    json_array_foreach(l, i, v) out[i] = atoi(json_string_value(v));
    return (int)json_array_size(l);
}

static void b64dec(const char *s, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int o = 0, bits = 0;
    unsigned acc = 0;
    for (; s && *s && *s != '='; s++) {
        acc = acc << 6 | (unsigned)(strchr(tab, *s) - tab);
        bits += 6;
        if (bits >= 8) bits -= 8, out[o++] = (char)(acc >> bits & 255);
    }
    out[o] = '\0';
}

static void str(json_t *node, const char *key, char *out)
{
    json_t *a = json_object_get(json_object_get(node, "attr"), key);
    b64dec(json_string_value(json_object_get(a, "s")), out);
}

static int has_fused(json_t *node, const char *what)
{
    json_t *l = json_object_get(
        json_object_get(json_object_get(json_object_get(node, "attr"), "fused_ops"), "list"), "s");
    for (size_t i = 0; i < json_array_size(l); i++) {
        char buf[64];
        b64dec(json_string_value(json_array_get(l, i)), buf);
        if (!strcmp(buf, what)) return 1;
    }
    return 0;
}

static struct rt *eval(struct rg *g, const char *name);

static struct rt *in(struct rg *g, json_t *node, int i)
{
    char nm[1024];
    snprintf(nm, sizeof nm, "%s",
             json_string_value(json_array_get(json_object_get(node, "input"), (size_t)i)));
    char *c = strrchr(nm, ':');
    if (c) *c = '\0';
    return eval(g, nm);
}

static void window(json_t *node, struct kc_ref_conv *p, int pool)
{
    int s[4] = {1, 1, 1, 1}, d[4] = {1, 1, 1, 1}, k[4] = {1, 1, 1, 1}, e[8] = {0};
    char pad[32];
    ints(node, "strides", s), ints(node, "dilations", d), ints(node, "explicit_paddings", e);
    if (pool) ints(node, "ksize", k);
    str(node, "padding", pad);
    memset(p, 0, sizeof *p);
    p->sh = s[1], p->sw = s[2], p->dh = d[1], p->dw = d[2], p->kh = k[1], p->kw = k[2];
    p->pad = !strcmp(pad, "SAME")    ? KC_REF_SAME
             : !strcmp(pad, "VALID") ? KC_REF_VALID
                                     : KC_REF_EXPLICIT;
    p->pt = e[2], p->pb = e[3], p->pl = e[4], p->pr = e[5];
}

static struct rt conv(struct rg *g, json_t *node, const char *op)
{
    struct kc_ref_conv p;
    window(node, &p, 0);
    struct rt *x = in(g, node, 0), *w = in(g, node, 1), o = {.nd = 4};
    int fused = op[0] == '_' || !strncmp(op, "Fused", 5), arg = 2;
    const float *bias = NULL, *alpha = NULL;
    if (fused && has_fused(node, "BiasAdd")) bias = in(g, node, arg++)->v;
    if (fused && has_fused(node, "Prelu")) alpha = in(g, node, arg++)->v, p.act = KC_REF_PRELU;
    if (fused && has_fused(node, "Relu")) p.act = KC_REF_RELU;
    if (fused && has_fused(node, "Relu6")) p.act = KC_REF_RELU6;
    p.kh = (int)w->d[0], p.kw = (int)w->d[1];
    p.depthwise = strstr(op, "Depthwise") != NULL, p.mult = (int)w->d[3];
    int oh, ow;
    o.v = kc_ref_conv2d(x->v, (int)x->d[0], (int)x->d[1], (int)x->d[2], (int)x->d[3], w->v,
                        (int)w->d[3], &p, bias, alpha, &oh, &ow);
    o.d[0] = x->d[0], o.d[1] = oh, o.d[2] = ow, o.d[3] = p.depthwise ? x->d[3] * w->d[3] : w->d[3];
    return o;
}

static struct rt reduce_etc(struct rg *g, json_t *node, const char *op)
{
    struct rt *x = in(g, node, 0), o = *x;
    size_t n = cnt(x);
    if (!strcmp(op, "Mean")) { /* axes subset; keep_dims honoured */
        struct rt *ax = in(g, node, 1);
        int mask = 0, keep = json_is_true(json_object_get(
                          json_object_get(json_object_get(node, "attr"), "keep_dims"), "b"));
        for (size_t i = 0; i < cnt(ax); i++) mask |= 1 << (((int)ax->v[i] + x->nd) % x->nd);
        o.nd = 0;
        for (int i = 0; i < x->nd; i++)
            if (!(mask >> i & 1))
                o.d[o.nd++] = x->d[i];
            else if (keep)
                o.d[o.nd++] = 1;
        double *acc = calloc(cnt(&o) + 1, sizeof(double));
        size_t per = n / cnt(&o);
        for (size_t i = 0; i < n; i++) {
            size_t rem = i, oi = 0, mul = 1, idx[4];
            for (int k = x->nd - 1; k >= 0; k--)
                idx[k] = rem % (size_t)x->d[k], rem /= (size_t)x->d[k];
            for (int k = x->nd - 1; k >= 0; k--)
                if (!(mask >> k & 1)) oi += idx[k] * mul, mul *= (size_t)x->d[k];
            acc[oi] += x->v[i];
        }
        o.v = calloc(cnt(&o), sizeof(float));
        for (size_t i = 0; i < cnt(&o); i++) o.v[i] = (float)(acc[i] / (double)per);
        free(acc);
        return o;
    }
    o.v = calloc(n + 1, sizeof(float));
    if (!strcmp(op, "Softmax")) {
        size_t c = (size_t)x->d[x->nd - 1];
        for (size_t r = 0; r < n / c; r++) {
            double m = -INFINITY, s = 0;
            for (size_t k = 0; k < c; k++) m = fmax(m, x->v[r * c + k]);
            for (size_t k = 0; k < c; k++) s += exp(x->v[r * c + k] - m);
            for (size_t k = 0; k < c; k++) o.v[r * c + k] = (float)(exp(x->v[r * c + k] - m) / s);
        }
        return o;
    }
    for (size_t i = 0; i < n; i++) {
        float v = x->v[i];
        o.v[i] = !strcmp(op, "Relu")      ? fmaxf(v, 0)
                 : !strcmp(op, "Relu6")   ? fminf(fmaxf(v, 0), 6)
                 : !strcmp(op, "Sigmoid") ? 1 / (1 + expf(-v))
                 : !strcmp(op, "Tanh")    ? tanhf(v)
                                          : v;
    }
    return o;
}

static struct rt shape_ops(struct rg *g, json_t *node, const char *op)
{
    struct rt *x = in(g, node, 0), o = *x;
    if (!strcmp(op, "Reshape")) {
        struct rt *s = in(g, node, 1);
        int64_t known = 1;
        int neg = -1;
        o.nd = (int)cnt(s);
        for (int i = 0; i < o.nd; i++) {
            o.d[i] = (int64_t)s->v[i];
            if (o.d[i] < 0)
                neg = i;
            else
                known *= o.d[i];
        }
        if (neg >= 0) o.d[neg] = (int64_t)cnt(x) / known;
        o.v = malloc(cnt(x) * sizeof(float));
        memcpy(o.v, x->v, cnt(x) * sizeof(float));
        return o;
    }
    if (!strcmp(op, "Pad") || !strcmp(op, "PadV2")) {
        struct rt *p = in(g, node, 1);
        float val = json_array_size(json_object_get(node, "input")) > 2 ? in(g, node, 2)->v[0] : 0;
        int64_t D[4] = {1, 1, 1, 1}, Y[4] = {1, 1, 1, 1}, P[4] = {0};
        for (int i = 0; i < x->nd; i++) {
            o.d[i] = x->d[i] + (int64_t)p->v[2 * i] + (int64_t)p->v[2 * i + 1];
            D[4 - x->nd + i] = x->d[i], Y[4 - x->nd + i] = o.d[i],
                          P[4 - x->nd + i] = (int64_t)p->v[2 * i];
        }
        o.v = malloc(cnt(&o) * sizeof(float));
        for (size_t i = 0; i < cnt(&o); i++) o.v[i] = val;
        size_t k = 0;
        for (int64_t a = 0; a < D[0]; a++)
            for (int64_t b = 0; b < D[1]; b++)
                for (int64_t c = 0; c < D[2]; c++)
                    for (int64_t d = 0; d < D[3]; d++, k++)
                        o.v[(((a + P[0]) * Y[1] + b + P[1]) * Y[2] + c + P[2]) * Y[3] + d + P[3]] =
                            x->v[k];
        return o;
    }
    /* ConcatV2 */
    int ni = (int)json_array_size(json_object_get(node, "input")) - 1;
    int axis = (int)in(g, node, ni)->v[0];
    if (axis < 0) axis += x->nd;
    o.d[axis] = 0;
    for (int i = 0; i < ni; i++) o.d[axis] += in(g, node, i)->d[axis];
    size_t outer = 1, inner = 1, off = 0;
    for (int d = 0; d < axis; d++) outer *= (size_t)o.d[d];
    for (int d = axis + 1; d < o.nd; d++) inner *= (size_t)o.d[d];
    o.v = malloc(cnt(&o) * sizeof(float));
    for (size_t r = 0; r < outer; r++)
        for (int i = 0; i < ni; i++) {
            struct rt *t = in(g, node, i);
            size_t len = (size_t)t->d[axis] * inner;
            memcpy(o.v + off, t->v + r * len, len * sizeof(float));
            off += len;
        }
    return o;
}

static struct rt *eval(struct rg *g, const char *name)
{
    struct rn *nn = find(g, name);
    if (!nn) {
        fprintf(stderr, "reference: no node %s\n", name);
        abort();
    }
    if (nn->done) return &nn->t;
    json_t *node = nn->node;
    const char *op = nn->op;
    struct rt o;
    if (!strcmp(op, "Placeholder")) {
        o = g->input;
        nn->t = o, nn->done = 1;
        return &nn->t;
    }
    if (!strcmp(op, "Identity")) {
        o = *in(g, node, 0);
        nn->t = o, nn->done = 1; /* shares the input's values, not owned */
        return &nn->t;
    }
    if (strstr(op, "Conv2D") || strstr(op, "Depthwise"))
        o = conv(g, node, op);
    else if (!strcmp(op, "MaxPool") || !strcmp(op, "AvgPool")) {
        struct kc_ref_conv p;
        struct rt *x = in(g, node, 0);
        int oh, ow;
        window(node, &p, 1);
        o = *x;
        o.v = kc_ref_pool(x->v, (int)x->d[0], (int)x->d[1], (int)x->d[2], (int)x->d[3],
                          op[0] == 'M', &p, &oh, &ow);
        o.d[1] = oh, o.d[2] = ow;
    } else if (!strcmp(op, "Add") || !strcmp(op, "AddV2") || !strcmp(op, "BiasAdd") ||
               !strcmp(op, "Sub") || !strcmp(op, "Mul") || !strcmp(op, "Prelu")) {
        struct rt *a = in(g, node, 0), *b = in(g, node, 1);
        char c = op[0] == 'A' || op[0] == 'B' ? '+' : op[0] == 'S' ? '-' : op[0] == 'M' ? '*' : 'p';
        o.v = kc_ref_binary(c, a->v, a->d, a->nd, b->v, b->d, b->nd, o.d, &o.nd);
    } else if (!strcmp(op, "Reshape") || !strcmp(op, "Pad") || !strcmp(op, "PadV2") ||
               !strcmp(op, "ConcatV2"))
        o = shape_ops(g, node, op);
    else
        o = reduce_etc(g, node, op);
    nn->t = o, nn->done = 1, nn->owned = 1;
    return &nn->t;
}

float *kc_ref_eval_model(const char *path, const float *input, const char *name, size_t *n)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) return NULL;
    json_t *nodes = json_object_get(json_object_get(root, "modelTopology"), "node");
    struct rg g = {.nn = (int)json_array_size(nodes)};
    g.n = calloc((size_t)g.nn, sizeof *g.n);
    for (int i = 0; i < g.nn; i++) {
        json_t *nd = json_array_get(nodes, (size_t)i);
        g.n[i].node = nd;
        g.n[i].name = json_string_value(json_object_get(nd, "name"));
        g.n[i].op = json_string_value(json_object_get(nd, "op"));
        if (!strcmp(g.n[i].op, "Placeholder")) {
            json_t *d = json_object_get(
                json_object_get(json_object_get(json_object_get(nd, "attr"), "shape"), "shape"),
                "dim");
            g.input.nd = (int)json_array_size(d);
            for (int k = 0; k < g.input.nd; k++) {
                int64_t v =
                    atoll(json_string_value(json_object_get(json_array_get(d, (size_t)k), "size")));
                g.input.d[k] = v < 0 ? 1 : v;
            }
        }
    }
    g.input.v = (float *)input;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *sl = strrchr(dir, '/');
    if (sl)
        sl[1] = '\0';
    else
        dir[0] = '\0';
    float *out = NULL;
    if (!load_weights(&g, root, dir)) {
        struct rt *t = eval(&g, name);
        *n = cnt(t);
        out = malloc(*n * sizeof(float));
        memcpy(out, t->v, *n * sizeof(float));
    }
    for (int i = 0; i < g.nn; i++)
        if (g.n[i].owned) free(g.n[i].t.v);
    free(g.n);
    json_decref(root);
    return out;
}
