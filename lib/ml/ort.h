/*
 * ort.h — a small binding of ONNX Runtime's C API, loaded at run time.
 *
 * No header of ONNX Runtime is available here, so ort.c declares the few OrtApi slots it uses by
 * index (the OrtApi table is append-only and stable across 1.x) and loads the shared library
 * with dlopen() on first use. Programs therefore link and start without ONNX Runtime; every
 * entry point reports KC_E_UNAVAILABLE ("ONNX Runtime library not found at <path>: ...") when
 * the library is missing, and ONNX models are then reported as unavailable, never guessed.
 *
 * Library path, first that is set:
 *   1. environment KOCRUIT_ORT_LIB (a full path to libonnxruntime.so.1),
 *   2. $KOCRUIT_ASSETS/ort/libonnxruntime.so.1,
 *   3. KC_DEFAULT_ASSETS/ort/libonnxruntime.so.1 (the bootstrap cache chosen at build time).
 *
 * Thread-safety: kc_ort_init() and kc_ort_session_open() may be called from any thread at any
 * time (the library and the one process-wide OrtEnv are set up once under a mutex; a failed
 * load is retried on the next call). A session may be used by ONE thread at a time: callers
 * that share a session between threads must serialise kc_ort_run() themselves. Different
 * sessions run concurrently without locking.
 *
 * Memory: sessions are owned by the caller (kc_ort_session_free). Inputs are borrowed for the
 * duration of kc_ort_run(); outputs are copied into caller-owned buffers.
 */
#ifndef KC_ML_ORT_H
#define KC_ML_ORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KC_ORT_MAX_RANK 8

enum kc_ort_type {
    KC_ORT_FLOAT = 1, /* float32; ONNX TensorProto.FLOAT */
    KC_ORT_INT64 = 7, /* int64;   ONNX TensorProto.INT64 */
};

struct kc_ort_options {
    int intra_threads; /* intra-op threads; 0 = ONNX Runtime's default (all cores) */
};

/* A named input tensor, borrowed during kc_ort_run(). rank 0 is a scalar (shape may be NULL). */
struct kc_ort_input {
    const char *name;
    enum kc_ort_type type;
    const void *data;
    const int64_t *shape;
    size_t rank;
};

/* A named float32 output. The caller sets name, data and capacity (in elements); kc_ort_run()
 * fails with KC_E_INTERNAL when the model's output has a different element count than
 * `capacity`, and fills shape/rank with the actual shape. */
struct kc_ort_output {
    const char *name;
    float *data;
    size_t capacity;
    int64_t shape[KC_ORT_MAX_RANK];
    size_t rank;
};

struct kc_ort_session;

/* Load the library and create the process-wide OrtEnv. Idempotent; 0 or -1 (KC_E_UNAVAILABLE
 * when the library or a symbol is missing). Called implicitly by kc_ort_session_open(). */
int kc_ort_init(struct kc_err *err);

/* ONNX Runtime's version string ("1.30.0"), or NULL before a successful kc_ort_init(). */
const char *kc_ort_version(void);

/* Open a model file. NULL opt = defaults. Errors: KC_E_UNAVAILABLE when the library or the
 * model file is missing (the message names the path), KC_E_UNPROCESSABLE with ORT's message
 * when the file is not a loadable model. Caller frees with kc_ort_session_free(). */
struct kc_ort_session *kc_ort_session_open(const char *model_path, const struct kc_ort_options *opt,
                                           struct kc_err *err);
void kc_ort_session_free(struct kc_ort_session *s);

/* Run once: n_in inputs, n_out float outputs copied into the callers' buffers. 0 or -1; ORT's
 * own error text is kept in err->message. One thread at a time per session (see top). */
int kc_ort_run(struct kc_ort_session *s, const struct kc_ort_input *in, size_t n_in,
               struct kc_ort_output *out, size_t n_out, struct kc_err *err);

#endif
