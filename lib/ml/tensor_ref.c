/*
 * tensor_ref.c — naive reference ops, a tiny-model builder and a naive graph evaluator, for
 * tests only (see tensor_ref.h). Clarity over speed; no code shared with the runner.
 */
#include "ml/tensor_ref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xmalloc(size_t n)
{
    void *p = calloc(n ? n : 1, 1);
    if (!p) abort();
    return p;
}

/* ---- naive ops ---------------------------------------------------------------------------- */

static int out_size(int in, int k, int s, int d, int pad, int *before, int explicit_b,
                    int explicit_a)
{
    int ke = (k - 1) * d + 1;
    if (pad == KC_REF_SAME) {
        int out = (in + s - 1) / s, total = (out - 1) * s + ke - in;
        *before = total > 0 ? total / 2 : 0;
        return out;
    }
    if (pad == KC_REF_VALID) {
        *before = 0;
        return in >= ke ? (in - ke) / s + 1 : 0;
    }
    *before = explicit_b;
    return (in + explicit_b + explicit_a - ke) / s + 1;
}

static float ref_act(float v, int act, const float *alpha, int c)
{
    if (act == KC_REF_RELU) return v > 0 ? v : 0;
    if (act == KC_REF_RELU6) return v < 0 ? 0 : v > 6 ? 6 : v;
    if (act == KC_REF_PRELU) return v > 0 ? v : v * alpha[c];
    return v;
}

float *kc_ref_conv2d(const float *x, int n, int h, int w, int c, const float *wt, int cout,
                     const struct kc_ref_conv *p, const float *bias, const float *alpha, int *oh,
                     int *ow)
{
    int pt, pl;
    *oh = out_size(h, p->kh, p->sh, p->dh, p->pad, &pt, p->pt, p->pb);
    *ow = out_size(w, p->kw, p->sw, p->dw, p->pad, &pl, p->pl, p->pr);
    int oc = p->depthwise ? c * p->mult : cout;
    float *y = xmalloc(sizeof(float) * (size_t)n * *oh * *ow * oc);
    for (int b = 0; b < n; b++)
        for (int oy = 0; oy < *oh; oy++)
            for (int ox = 0; ox < *ow; ox++)
                for (int o = 0; o < oc; o++) {
                    double acc = bias ? bias[o] : 0;
                    for (int ky = 0; ky < p->kh; ky++)
                        for (int kx = 0; kx < p->kw; kx++) {
                            int iy = oy * p->sh - pt + ky * p->dh,
                                ix = ox * p->sw - pl + kx * p->dw;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            const float *xp = x + (((size_t)b * h + iy) * w + ix) * c;
                            const float *wp = wt + ((size_t)ky * p->kw + kx) * c *
                                                       (p->depthwise ? p->mult : cout);
                            if (p->depthwise)
                                acc += (double)xp[o / p->mult] * wp[o];
                            else
                                for (int i = 0; i < c; i++)
                                    acc += (double)xp[i] * wp[(size_t)i * cout + o];
                        }
                    y[(((size_t)b * *oh + oy) * *ow + ox) * oc + o] =
                        ref_act((float)acc, p->act, alpha, o);
                }
    return y;
}

float *kc_ref_pool(const float *x, int n, int h, int w, int c, int is_max,
                   const struct kc_ref_conv *p, int *oh, int *ow)
{
    int pt, pl;
    *oh = out_size(h, p->kh, p->sh, 1, p->pad, &pt, p->pt, p->pb);
    *ow = out_size(w, p->kw, p->sw, 1, p->pad, &pl, p->pl, p->pr);
    float *y = xmalloc(sizeof(float) * (size_t)n * *oh * *ow * c);
    for (int b = 0; b < n; b++)
        for (int oy = 0; oy < *oh; oy++)
            for (int ox = 0; ox < *ow; ox++)
                for (int ch = 0; ch < c; ch++) {
                    double acc = is_max ? -INFINITY : 0;
                    int cnt = 0;
                    for (int ky = 0; ky < p->kh; ky++)
                        for (int kx = 0; kx < p->kw; kx++) {
                            int iy = oy * p->sh - pt + ky, ix = ox * p->sw - pl + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            double v = x[(((size_t)b * h + iy) * w + ix) * c + ch];
                            acc = is_max ? (v > acc ? v : acc) : acc + v;
                            cnt++;
                        }
                    y[(((size_t)b * *oh + oy) * *ow + ox) * c + ch] =
                        (float)(is_max ? acc : acc / cnt);
                }
    return y;
}

float *kc_ref_binary(char op, const float *a, const int64_t *ad, int ar, const float *b,
                     const int64_t *bd, int br, int64_t *yd, int *yr)
{
    int r = ar > br ? ar : br;
    int64_t A[4] = {1, 1, 1, 1}, B[4] = {1, 1, 1, 1}, Y[4] = {1, 1, 1, 1};
    for (int i = 0; i < ar; i++) A[4 - ar + i] = ad[i];
    for (int i = 0; i < br; i++) B[4 - br + i] = bd[i];
    for (int i = 0; i < 4; i++) Y[i] = A[i] > B[i] ? A[i] : B[i];
    *yr = r;
    for (int i = 0; i < r; i++) yd[i] = Y[4 - r + i];
    float *y = xmalloc(sizeof(float) * (size_t)(Y[0] * Y[1] * Y[2] * Y[3]));
    size_t o = 0;
    int64_t i[4];
    for (i[0] = 0; i[0] < Y[0]; i[0]++)
        for (i[1] = 0; i[1] < Y[1]; i[1]++)
            for (i[2] = 0; i[2] < Y[2]; i[2]++)
                for (i[3] = 0; i[3] < Y[3]; i[3]++, o++) {
                    int64_t ia = 0, ib = 0;
                    for (int k = 0; k < 4; k++) {
                        ia = ia * A[k] + (A[k] == 1 ? 0 : i[k]);
                        ib = ib * B[k] + (B[k] == 1 ? 0 : i[k]);
                    }
                    float x = a[ia], z = b[ib];
                    y[o] = op == '+'   ? x + z
                           : op == '-' ? x - z
                           : op == '*' ? x * z
                           : x > 0     ? x
                                       : x * z;
                }
    return y;
}

/* ---- model builder --------------------------------------------------------------------- */

void kc_ref_init(struct kc_ref_model *b)
{
    memset(b, 0, sizeof *b);
    b->nodes = json_array();
    b->weights = json_array();
}

void kc_ref_free(struct kc_ref_model *b)
{
    json_decref(b->nodes);
    json_decref(b->weights);
    free(b->bin);
    memset(b, 0, sizeof *b);
}

static json_t *dims_json(const int64_t *dims, int rank, int as_sizes)
{
    json_t *a = json_array();
    for (int i = 0; i < rank; i++) {
        if (as_sizes) {
            char s[32];
            snprintf(s, sizeof s, "%lld", (long long)dims[i]);
            json_array_append_new(a, json_pack("{s:s}", "size", s));
        } else {
            json_array_append_new(a, json_integer(dims[i]));
        }
    }
    return a;
}

static void add_bytes(struct kc_ref_model *b, const void *p, size_t n)
{
    if (b->bin_len + n > b->bin_cap) {
        b->bin_cap = (b->bin_len + n) * 2 + 64;
        b->bin = realloc(b->bin, b->bin_cap);
        if (!b->bin) abort();
    }
    memcpy(b->bin + b->bin_len, p, n);
    b->bin_len += n;
}

void kc_ref_input(struct kc_ref_model *b, const char *name, const int64_t *dims, int rank)
{
    json_t *attr = kc_ref_node(b, name, "Placeholder", NULL);
    json_object_set_new(attr, "dtype", json_pack("{s:s}", "type", "DT_FLOAT"));
    json_object_set_new(attr, "shape",
                        json_pack("{s:{s:o}}", "shape", "dim", dims_json(dims, rank, 1)));
}

static void const_node(struct kc_ref_model *b, const char *name, const int64_t *dims, int rank,
                       const char *dt)
{
    json_t *attr = kc_ref_node(b, name, "Const", NULL);
    json_object_set_new(attr, "dtype", json_pack("{s:s}", "type", dt));
    json_object_set_new(attr, "value",
                        json_pack("{s:{s:s,s:{s:o}}}", "tensor", "dtype", dt, "tensorShape", "dim",
                                  dims_json(dims, rank, 1)));
}

static size_t count_of(const int64_t *dims, int rank)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    return n;
}

void kc_ref_const(struct kc_ref_model *b, const char *name, const int64_t *dims, int rank,
                  const float *data)
{
    const_node(b, name, dims, rank, "DT_FLOAT");
    json_array_append_new(b->weights, json_pack("{s:s,s:o,s:s}", "name", name, "shape",
                                                dims_json(dims, rank, 0), "dtype", "float32"));
    add_bytes(b, data, count_of(dims, rank) * sizeof(float));
}

void kc_ref_const_int(struct kc_ref_model *b, const char *name, const int64_t *dims, int rank,
                      const int32_t *data)
{
    const_node(b, name, dims, rank, "DT_INT32");
    json_array_append_new(b->weights, json_pack("{s:s,s:o,s:s}", "name", name, "shape",
                                                dims_json(dims, rank, 0), "dtype", "int32"));
    add_bytes(b, data, count_of(dims, rank) * sizeof(int32_t));
}

void kc_ref_const_q(struct kc_ref_model *b, const char *name, const int64_t *dims, int rank,
                    const void *bytes, size_t nbytes, const char *qdtype, double min, double scale)
{
    const_node(b, name, dims, rank, "DT_FLOAT");
    json_t *q = strcmp(qdtype, "float16")
                    ? json_pack("{s:s,s:f,s:f,s:s}", "dtype", qdtype, "min", min, "scale", scale,
                                "original_dtype", "float32")
                    : json_pack("{s:s,s:s}", "dtype", qdtype, "original_dtype", "float32");
    json_array_append_new(b->weights, json_pack("{s:s,s:o,s:s,s:o}", "name", name, "shape",
                                                dims_json(dims, rank, 0), "dtype", "float32",
                                                "quantization", q));
    add_bytes(b, bytes, nbytes);
}

json_t *kc_ref_node(struct kc_ref_model *b, const char *name, const char *op,
                    const char *const *inputs)
{
    json_t *in = json_array(), *attr = json_object();
    for (int i = 0; inputs && inputs[i]; i++) json_array_append_new(in, json_string(inputs[i]));
    json_array_append_new(b->nodes, json_pack("{s:s,s:s,s:o,s:o}", "name", name, "op", op, "input",
                                              in, "attr", attr));
    return attr;
}

void kc_ref_attr_ints(json_t *attr, const char *key, const int *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        char s[24];
        snprintf(s, sizeof s, "%d", v[i]);
        json_array_append_new(a, json_string(s));
    }
    json_object_set_new(attr, key, json_pack("{s:{s:o}}", "list", "i", a));
}

static json_t *b64(const char *s)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), o = 0;
    char out[256];
    for (size_t i = 0; i < n && o + 5 < sizeof out; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        if (i + 1 < n) v |= (unsigned char)s[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)s[i + 2];
        out[o++] = tab[v >> 18 & 63], out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
    return json_string(out);
}

void kc_ref_attr_str(json_t *attr, const char *key, const char *s)
{
    json_object_set_new(attr, key, json_pack("{s:o}", "s", b64(s)));
}

void kc_ref_attr_strs(json_t *attr, const char *key, const char *const *list)
{
    json_t *a = json_array();
    for (int i = 0; list[i]; i++) json_array_append_new(a, b64(list[i]));
    json_object_set_new(attr, key, json_pack("{s:{s:o}}", "list", "s", a));
}

void kc_ref_attr_int(json_t *attr, const char *key, int v)
{
    char s[24];
    snprintf(s, sizeof s, "%d", v);
    json_object_set_new(attr, key, json_pack("{s:s}", "i", s));
}

char *kc_ref_json(const struct kc_ref_model *b)
{
    json_t *root =
        json_pack("{s:s,s:{s:O},s:[{s:[s],s:O}]}", "format", "graph-model", "modelTopology", "node",
                  b->nodes, "weightsManifest", "paths", "w.bin", "weights", b->weights);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return s;
}

struct kc_tfjs_model *kc_ref_load_opts(const struct kc_ref_model *b,
                                       const struct kc_tfjs_options *opt, struct kc_err *err)
{
    char *js = kc_ref_json(b);
    struct kc_tfjs_model *m = kc_tfjs_load_mem(js, strlen(js), b->bin, b->bin_len, opt, err);
    free(js);
    return m;
}

struct kc_tfjs_model *kc_ref_load(const struct kc_ref_model *b, int threads, struct kc_err *err)
{
    struct kc_tfjs_options opt = {.threads = threads};
    return kc_ref_load_opts(b, &opt, err);
}
