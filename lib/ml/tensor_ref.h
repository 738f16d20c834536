/*
 * tensor_ref.h — test support for the TF.js runner (compiled into tests and the fuzz seeder,
 * never into kc_ml): naive reference implementations of every op, a builder for tiny model.json
 * files, and an independent naive evaluator of whole TF.js graphs.
 *
 * The reference ops are written for obviousness, not speed: one output element at a time,
 * straight from the TensorFlow definitions (SAME padding = total (out-1)*s + (k-1)*d + 1 - in,
 * the smaller half before; pooling ignores padded cells; broadcasting right-aligns shapes).
 * The evaluator parses model.json itself (jansson) and shares no code with the runner.
 *
 * Memory: functions returning pointers return malloc'd memory the caller frees; the builder
 * owns its JSON and weight bytes until kc_ref_free. Not thread-safe (tests use one per thread).
 */
#ifndef KC_ML_TENSOR_REF_H
#define KC_ML_TENSOR_REF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ml/tfjs.h"

enum { KC_REF_SAME, KC_REF_VALID, KC_REF_EXPLICIT };
enum { KC_REF_NONE, KC_REF_RELU, KC_REF_RELU6, KC_REF_PRELU };

struct kc_ref_conv {
    int kh, kw, sh, sw, dh, dw;
    int pad, pt, pb, pl, pr; /* pt.. only for KC_REF_EXPLICIT */
    int depthwise, mult;     /* mult: depthwise channel multiplier */
    int act;                 /* KC_REF_* activation after the bias */
};

/* y[n][oh][ow][cout]; returns the malloc'd output, fills *oh, *ow. bias/alpha may be NULL. */
float *kc_ref_conv2d(const float *x, int n, int h, int w, int c, const float *wt, int cout,
                     const struct kc_ref_conv *p, const float *bias, const float *alpha, int *oh,
                     int *ow);
float *kc_ref_pool(const float *x, int n, int h, int w, int c, int is_max,
                   const struct kc_ref_conv *p, int *oh, int *ow);
/* Broadcasting binary op ('+', '-', '*', 'p' = prelu) of shapes a, b (ranks <= 4). */
float *kc_ref_binary(char op, const float *a, const int64_t *ad, int ar, const float *b,
                     const int64_t *bd, int br, int64_t *yd, int *yr);

/* ---- tiny model builder --------------------------------------------------------------- */
struct kc_ref_model {
    json_t *nodes, *weights;
    unsigned char *bin;
    size_t bin_len, bin_cap;
};
void kc_ref_init(struct kc_ref_model *b);
void kc_ref_free(struct kc_ref_model *b);
void kc_ref_input(struct kc_ref_model *b, const char *name, const int64_t *dims, int rank);
void kc_ref_const(struct kc_ref_model *b, const char *name, const int64_t *dims, int rank,
                  const float *data);
void kc_ref_const_int(struct kc_ref_model *b, const char *name, const int64_t *dims, int rank,
                      const int32_t *data);
/* A float Const stored quantised: qdtype "uint8"/"uint16" (bytes = q values, min/scale used)
 * or "float16" (bytes = halves). */
void kc_ref_const_q(struct kc_ref_model *b, const char *name, const int64_t *dims, int rank,
                    const void *bytes, size_t nbytes, const char *qdtype, double min, double scale);
/* Add a node; `inputs` is NULL-terminated. Returns its attr object to fill (borrowed). */
json_t *kc_ref_node(struct kc_ref_model *b, const char *name, const char *op,
                    const char *const *inputs);
void kc_ref_attr_ints(json_t *attr, const char *key, const int *v, int n);
void kc_ref_attr_str(json_t *attr, const char *key, const char *s);            /* base64-encodes */
void kc_ref_attr_strs(json_t *attr, const char *key, const char *const *list); /* NULL-term. */
void kc_ref_attr_int(json_t *attr, const char *key, int v);
/* The model.json text (caller frees). */
char *kc_ref_json(const struct kc_ref_model *b);
struct kc_tfjs_model *kc_ref_load(const struct kc_ref_model *b, int threads, struct kc_err *err);
struct kc_tfjs_model *kc_ref_load_opts(const struct kc_ref_model *b,
                                       const struct kc_tfjs_options *opt, struct kc_err *err);

/* ---- naive whole-graph evaluator -------------------------------------------------------- */
/* Evaluate output `name` of model.json at `path` on `input` (NHWC, the placeholder's shape with
 * batch 1). Returns malloc'd values (count in *n) or NULL with a message on stderr. */
float *kc_ref_eval_model(const char *path, const float *input, const char *name, size_t *n);

#endif
