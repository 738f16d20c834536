/*
 * tfjs.h — run TensorFlow.js graph models (model.json + weight shards) on the CPU, NHWC float32.
 *
 * A model is loaded and planned once (validation, topological order, shape inference, operator
 * fusion, buffer planning, weight dequantisation); each run then only executes the planned steps
 * into preallocated buffers: kc_tfjs_run performs no allocation.
 *
 * Ownership: kc_tfjs_load returns a model the caller frees with kc_tfjs_free. Pointers returned by
 * kc_tfjs_output / kc_tfjs_output_name are owned by the model; an output pointer is valid until
 * the next kc_tfjs_run or kc_tfjs_free, a name until kc_tfjs_free.
 *
 * Thread-safety: a model is NOT thread-safe — use one instance per thread. Different instances
 * may be loaded and run concurrently. Runs touch one piece of process-wide state: OpenBLAS's
 * thread count is set to 1 on every run (the model parallelises with its own `threads` workers
 * and calls sgemm from inside them, so OpenBLAS must not add threads of its own).
 * Units: tensors are float32 in whatever units the model defines (see ASSETS.md); sizes in bytes.
 */
#ifndef KC_ML_TFJS_H
#define KC_ML_TFJS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct kc_tfjs_options {
    int threads; /* intra-op threads, >=1; 0 = 1 */
    /* 1 = portable kernels only (OpenBLAS sgemm, baseline-SIMD depthwise) even when the CPU
     * has AVX-512/AVX2: for tests of that path and benchmark comparisons. 0 = fastest. */
    int portable;
};

/* Opaque; NOT thread-safe: one instance per thread, weights may be shared later. */
struct kc_tfjs_model;

/* Load model.json and its weight shards (paths in the manifest are relative to the json's
 * folder). `opt` may be NULL (1 thread). Fails cleanly (NULL + err, never crash) on malformed
 * JSON, unknown op (the message names the op), shape mismatch, missing/truncated shard,
 * unsupported dtype. Caller frees the result with kc_tfjs_free. */
struct kc_tfjs_model *kc_tfjs_load(const char *model_json_path, const struct kc_tfjs_options *opt,
                                   struct kc_err *err);

/* The same from memory: `json` (json_len bytes, need not be NUL-terminated) and the weight
 * shards of every manifest group concatenated in manifest order (`weights`, weights_len bytes;
 * may be NULL when the manifest holds no weights). Nothing is read from disk; the buffers are
 * not retained. */
struct kc_tfjs_model *kc_tfjs_load_mem(const char *json, size_t json_len, const void *weights,
                                       size_t weights_len, const struct kc_tfjs_options *opt,
                                       struct kc_err *err);

/* Input: the model's single placeholder, NHWC float32. Shape reported here (e.g. 1,192,192,3);
 * a batch of -1 in the model is planned as 1. Returns 0, or -1 when the input is not rank 4
 * (then `shape` holds the rank's dims followed by zeros). */
int kc_tfjs_input_shape(const struct kc_tfjs_model *m, int64_t shape[4]);

/* Run on `input` (input_len floats, must equal the input shape's product). The input is only
 * read during the call. Returns 0, or -1 with err (wrong length, non-finite input is allowed
 * and simply propagates). */
int kc_tfjs_run(struct kc_tfjs_model *m, const float *input, size_t input_len, struct kc_err *err);

/* An output by node name (e.g. "Identity_2", "MobilenetV1/heatmap_2/BiasAdd"; a trailing ":0"
 * is accepted); pointer valid until the next run/free; `shape` gets the dims (unused entries 0)
 * and `rank` the rank (either may be NULL). NULL when no output has that name. Outputs are the
 * graph's sinks (nodes no other node consumes) plus the signature's outputs. */
const float *kc_tfjs_output(const struct kc_tfjs_model *m, const char *name, int64_t shape[4],
                            int *rank);
size_t kc_tfjs_output_count(const struct kc_tfjs_model *m);
/* Name of output i (< kc_tfjs_output_count), or NULL. */
const char *kc_tfjs_output_name(const struct kc_tfjs_model *m, size_t i);

/* Profiling: the number of planned steps, a description of step i ("conv 1x1 s1 dw3x3 +res
 * 24x128x128->24x128x128"; written into buf, returned), and a run that records each step's
 * wall time in ms into step_ms[0..n) (n = kc_tfjs_step_count). For benchmarks and tuning. */
size_t kc_tfjs_step_count(const struct kc_tfjs_model *m);
const char *kc_tfjs_step_desc(const struct kc_tfjs_model *m, size_t i, char *buf, size_t cap);
int kc_tfjs_run_profiled(struct kc_tfjs_model *m, const float *input, size_t input_len,
                         double *step_ms, struct kc_err *err);

size_t
kc_tfjs_weight_bytes(const struct kc_tfjs_model *m); /* float32 weights after dequantisation */
size_t kc_tfjs_arena_bytes(const struct kc_tfjs_model *m); /* peak intermediate memory (activations,
                                                              outputs and kernel scratch) */
/* Everything the model keeps allocated for tensors: resident weights (packed copies included,
 * originals dropped once packed), arena and scratch. */
size_t kc_tfjs_memory_bytes(const struct kc_tfjs_model *m);
void kc_tfjs_free(struct kc_tfjs_model *m); /* NULL is allowed */

#endif
