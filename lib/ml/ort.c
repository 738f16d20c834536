/*
 * ort.c — ONNX Runtime through dlopen() and our own declaration of the OrtApi slots we use.
 *
 * ABI: OrtGetApiBase() returns {GetApi, GetVersionString}; GetApi(KC_ORT_API_VERSION) returns
 * the OrtApi function table. The table only ever grows, so a slot index fixed in API version
 * N stays valid in every later library. We type just the slots we call (indices below, in the
 * order of onnxruntime_c_api.h) and never touch the others. Requesting version 13 (ORT 1.13)
 * works with any library from 1.13 on; assets ship 1.30.
 *
 * Global state (one per process, created once, never torn down because ONNX Runtime does not
 * support being unloaded): the dlopen handle, the OrtApi table and one OrtEnv. g_lock guards
 * their creation; after g_ready is set they are read-only and used without locking.
 *
 * A session owns its OrtSession and a CPU OrtMemoryInfo. kc_ort_run() wraps the caller's input
 * buffers as OrtValues without copying, lets ORT allocate the outputs, copies them out after
 * checking type and element count, and releases every ORT object on every path.
 */
#include "ml/ort.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KC_DEFAULT_ASSETS
#define KC_DEFAULT_ASSETS "/root/.cache/kocruit/assets"
#endif

#define KC_ORT_API_VERSION 13
#define KC_ORT_MAX_IO      16
#define ORT_LOG_ERROR      3  /* ORT_LOGGING_LEVEL_ERROR */
#define ORT_OPT_ALL        99 /* ORT_ENABLE_ALL graph optimisations */

/* ---- our declaration of the ABI --------------------------------------------------------- */
struct OrtStatus;
struct OrtEnv;
struct OrtSession;
struct OrtSessionOptions;
struct OrtValue;
struct OrtMemoryInfo;
struct OrtRunOptions;
struct OrtTensorTypeAndShapeInfo;

struct ort_api_base {
    const void *(*get_api)(uint32_t version);
    const char *(*get_version_string)(void);
};

typedef void (*ort_slot)(void);
enum ort_slot_index {
    SLOT_GET_ERROR_MESSAGE = 2,
    SLOT_CREATE_ENV = 3,
    SLOT_CREATE_SESSION = 7,
    SLOT_RUN = 9,
    SLOT_CREATE_SESSION_OPTIONS = 10,
    SLOT_SET_GRAPH_OPT_LEVEL = 23,
    SLOT_SET_INTRA_OP_THREADS = 24,
    SLOT_CREATE_TENSOR_WITH_DATA = 49,
    SLOT_GET_TENSOR_MUTABLE_DATA = 51,
    SLOT_GET_TENSOR_ELEMENT_TYPE = 60,
    SLOT_GET_DIMENSIONS_COUNT = 61,
    SLOT_GET_DIMENSIONS = 62,
    SLOT_GET_TENSOR_TYPE_AND_SHAPE = 65,
    SLOT_CREATE_CPU_MEMORY_INFO = 69,
    SLOT_RELEASE_ENV = 92,
    SLOT_RELEASE_STATUS = 93,
    SLOT_RELEASE_MEMORY_INFO = 94,
    SLOT_RELEASE_SESSION = 95,
    SLOT_RELEASE_VALUE = 96,
    SLOT_RELEASE_TENSOR_TYPE_AND_SHAPE = 99,
    SLOT_RELEASE_SESSION_OPTIONS = 100,
    SLOT_COUNT = 101,
};

struct ort_fns {
    const char *(*get_error_message)(const struct OrtStatus *);
    struct OrtStatus *(*create_env)(int, const char *, struct OrtEnv **);
    struct OrtStatus *(*create_session)(const struct OrtEnv *, const char *,
                                        const struct OrtSessionOptions *, struct OrtSession **);
    struct OrtStatus *(*run)(struct OrtSession *, const struct OrtRunOptions *, const char *const *,
                             const struct OrtValue *const *, size_t, const char *const *, size_t,
                             struct OrtValue **);
    struct OrtStatus *(*create_session_options)(struct OrtSessionOptions **);
    struct OrtStatus *(*set_graph_opt_level)(struct OrtSessionOptions *, int);
    struct OrtStatus *(*set_intra_op_threads)(struct OrtSessionOptions *, int);
    struct OrtStatus *(*create_tensor_with_data)(const struct OrtMemoryInfo *, void *, size_t,
                                                 const int64_t *, size_t, int, struct OrtValue **);
    struct OrtStatus *(*get_tensor_mutable_data)(struct OrtValue *, void **);
    struct OrtStatus *(*get_tensor_element_type)(const struct OrtTensorTypeAndShapeInfo *, int *);
    struct OrtStatus *(*get_dimensions_count)(const struct OrtTensorTypeAndShapeInfo *, size_t *);
    struct OrtStatus *(*get_dimensions)(const struct OrtTensorTypeAndShapeInfo *, int64_t *,
                                        size_t);
    struct OrtStatus *(*get_tensor_type_and_shape)(const struct OrtValue *,
                                                   struct OrtTensorTypeAndShapeInfo **);
    struct OrtStatus *(*create_cpu_memory_info)(int, int, struct OrtMemoryInfo **);
    void (*release_env)(struct OrtEnv *);
    void (*release_status)(struct OrtStatus *);
    void (*release_memory_info)(struct OrtMemoryInfo *);
    void (*release_session)(struct OrtSession *);
    void (*release_value)(struct OrtValue *);
    void (*release_tensor_type_and_shape)(struct OrtTensorTypeAndShapeInfo *);
    void (*release_session_options)(struct OrtSessionOptions *);
};

#if defined(__SANITIZE_ADDRESS__)
/* ONNX Runtime 1.30 leaks 14 bytes inside CreateEnv even when the env is released again
 * (reproduced with a stand-alone 20-line program). LeakSanitizer would flag every program that
 * uses ONNX models, so that one library's leaks are suppressed in sanitizer builds, here where
 * the library is loaded, so every binary that links this file gets it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libonnxruntime.so\n";
}
#endif

/* ---- process-wide state ----------------------------------------------------------------- */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int g_ready;
static struct ort_fns g_fn;
static struct OrtEnv *g_env;
static const char *g_version;

struct kc_ort_session {
    struct OrtSession *session;
    struct OrtMemoryInfo *cpu;
};

/* Copy the function pointers out of the table (converting through the slot type, which is how
 * a C function-pointer table is read portably). */
static void bind_slots(const ort_slot *t)
{
#define BIND(field, idx) memcpy(&g_fn.field, &t[idx], sizeof g_fn.field)
    BIND(get_error_message, SLOT_GET_ERROR_MESSAGE);
    BIND(create_env, SLOT_CREATE_ENV);
    BIND(create_session, SLOT_CREATE_SESSION);
    BIND(run, SLOT_RUN);
    BIND(create_session_options, SLOT_CREATE_SESSION_OPTIONS);
    BIND(set_graph_opt_level, SLOT_SET_GRAPH_OPT_LEVEL);
    BIND(set_intra_op_threads, SLOT_SET_INTRA_OP_THREADS);
    BIND(create_tensor_with_data, SLOT_CREATE_TENSOR_WITH_DATA);
    BIND(get_tensor_mutable_data, SLOT_GET_TENSOR_MUTABLE_DATA);
    BIND(get_tensor_element_type, SLOT_GET_TENSOR_ELEMENT_TYPE);
    BIND(get_dimensions_count, SLOT_GET_DIMENSIONS_COUNT);
    BIND(get_dimensions, SLOT_GET_DIMENSIONS);
    BIND(get_tensor_type_and_shape, SLOT_GET_TENSOR_TYPE_AND_SHAPE);
    BIND(create_cpu_memory_info, SLOT_CREATE_CPU_MEMORY_INFO);
    BIND(release_env, SLOT_RELEASE_ENV);
    BIND(release_status, SLOT_RELEASE_STATUS);
    BIND(release_memory_info, SLOT_RELEASE_MEMORY_INFO);
    BIND(release_session, SLOT_RELEASE_SESSION);
    BIND(release_value, SLOT_RELEASE_VALUE);
    BIND(release_tensor_type_and_shape, SLOT_RELEASE_TENSOR_TYPE_AND_SHAPE);
    BIND(release_session_options, SLOT_RELEASE_SESSION_OPTIONS);
#undef BIND
}

static void library_path(char *buf, size_t n)
{
    const char *lib = getenv("KOCRUIT_ORT_LIB");
    const char *assets = getenv("KOCRUIT_ASSETS");
    if (lib && *lib) {
        snprintf(buf, n, "%s", lib);
        return;
    }
    snprintf(buf, n, "%s/ort/libonnxruntime.so.1", assets && *assets ? assets : KC_DEFAULT_ASSETS);
}

/* Turn a non-NULL OrtStatus into a kc_err carrying ORT's message; releases the status. */
static int status_err(struct OrtStatus *st, struct kc_err *err, enum kc_err_code code,
                      const char *what)
{
    kc_err_set(err, code, "ONNX Runtime %s: %s", what, g_fn.get_error_message(st));
    g_fn.release_status(st);
    return -1;
}

static int load_locked(struct kc_err *err)
{
    char path[1024];
    library_path(path, sizeof path);
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        return kc_err_set(err, KC_E_UNAVAILABLE, "ONNX Runtime library not found at %s (%s)", path,
                          dlerror());
    }
    const struct ort_api_base *(*get_base)(void) = NULL;
    void *sym = dlsym(lib, "OrtGetApiBase");
    memcpy(&get_base, &sym, sizeof sym);
    const struct ort_api_base *base = get_base ? get_base() : NULL;
    const void *table = base ? base->get_api(KC_ORT_API_VERSION) : NULL;
    if (!table) {
        dlclose(lib);
        return kc_err_set(err, KC_E_UNAVAILABLE,
                          "%s is not an ONNX Runtime library supporting C API version %d", path,
                          KC_ORT_API_VERSION);
    }
    bind_slots(table);
    struct OrtStatus *st = g_fn.create_env(ORT_LOG_ERROR, "kocruit", &g_env);
    if (st) return status_err(st, err, KC_E_UNAVAILABLE, "CreateEnv");
    g_version = base->get_version_string();
    atomic_store(&g_ready, 1);
    return 0;
}

int kc_ort_init(struct kc_err *err)
{
    if (atomic_load(&g_ready)) return 0;
    pthread_mutex_lock(&g_lock);
    int rc = atomic_load(&g_ready) ? 0 : load_locked(err);
    pthread_mutex_unlock(&g_lock);
    return rc;
}

const char *kc_ort_version(void)
{
    return atomic_load(&g_ready) ? g_version : NULL;
}

struct kc_ort_session *kc_ort_session_open(const char *model_path, const struct kc_ort_options *opt,
                                           struct kc_err *err)
{
    if (kc_ort_init(err) != 0) return NULL;
    if (!model_path || access(model_path, R_OK) != 0) {
        kc_err_set(err, KC_E_UNAVAILABLE, "ONNX model not found at %s",
                   model_path ? model_path : "(null)");
        return NULL;
    }
    struct kc_ort_session *s = calloc(1, sizeof *s);
    if (!s) {
        kc_err_set(err, KC_E_NOMEM, "out of memory opening %s", model_path);
        return NULL;
    }
    struct OrtSessionOptions *so = NULL;
    struct OrtStatus *st = g_fn.create_session_options(&so);
    if (!st && opt && opt->intra_threads > 0)
        st = g_fn.set_intra_op_threads(so, opt->intra_threads);
    if (!st) st = g_fn.set_graph_opt_level(so, ORT_OPT_ALL);
    if (!st) st = g_fn.create_session(g_env, model_path, so, &s->session);
    if (!st)
        st = g_fn.create_cpu_memory_info(0 /* device allocator */, 0 /* default mem */, &s->cpu);
    if (so) g_fn.release_session_options(so);
    if (st) {
        status_err(st, err, KC_E_UNPROCESSABLE, "loading model");
        kc_err_prefix(err, "%s", model_path);
        kc_ort_session_free(s);
        return NULL;
    }
    return s;
}

void kc_ort_session_free(struct kc_ort_session *s)
{
    if (!s) return;
    if (s->cpu) g_fn.release_memory_info(s->cpu);
    if (s->session) g_fn.release_session(s->session);
    free(s);
}

static size_t element_size(enum kc_ort_type t)
{
    switch (t) {
    case KC_ORT_FLOAT: return sizeof(float);
    case KC_ORT_INT64: return sizeof(int64_t);
    }
    return 0;
}

static int make_input(struct kc_ort_session *s, const struct kc_ort_input *in, struct OrtValue **v,
                      struct kc_err *err)
{
    size_t count = 1, esize = element_size(in->type);
    if (!in->name || !in->data || esize == 0 || in->rank > KC_ORT_MAX_RANK ||
        (in->rank > 0 && !in->shape)) {
        return kc_err_set(err, KC_E_INVALID, "ONNX input %s is malformed",
                          in->name ? in->name : "(null)");
    }
    for (size_t i = 0; i < in->rank; i++) {
        if (in->shape[i] < 0) return kc_err_set(err, KC_E_INVALID, "negative dim in %s", in->name);
        count *= (size_t)in->shape[i];
    }
    /* ORT's API takes a non-const pointer but does not write an input tensor. */
    struct OrtStatus *st = g_fn.create_tensor_with_data(
        s->cpu, (void *)(uintptr_t)in->data, count * esize, in->shape, in->rank, (int)in->type, v);
    return st ? status_err(st, err, KC_E_INVALID, "creating an input tensor") : 0;
}

static int copy_output(struct OrtValue *v, struct kc_ort_output *o, struct kc_err *err)
{
    struct OrtTensorTypeAndShapeInfo *info = NULL;
    struct OrtStatus *st = g_fn.get_tensor_type_and_shape(v, &info);
    int type = 0;
    if (!st) st = g_fn.get_tensor_element_type(info, &type);
    if (!st) st = g_fn.get_dimensions_count(info, &o->rank);
    if (!st && o->rank > KC_ORT_MAX_RANK) {
        g_fn.release_tensor_type_and_shape(info);
        return kc_err_set(err, KC_E_INTERNAL, "output %s has rank %zu", o->name, o->rank);
    }
    if (!st) st = g_fn.get_dimensions(info, o->shape, o->rank);
    if (info) g_fn.release_tensor_type_and_shape(info);
    if (st) return status_err(st, err, KC_E_INTERNAL, "reading an output shape");
    if (type != KC_ORT_FLOAT) {
        return kc_err_set(err, KC_E_INTERNAL, "output %s has element type %d, not float32", o->name,
                          type);
    }
    size_t count = 1;
    for (size_t i = 0; i < o->rank; i++) count *= (size_t)(o->shape[i] < 0 ? 0 : o->shape[i]);
    if (count != o->capacity) {
        return kc_err_set(err, KC_E_INTERNAL, "output %s has %zu elements, expected %zu", o->name,
                          count, o->capacity);
    }
    void *data = NULL;
    st = g_fn.get_tensor_mutable_data(v, &data);
    if (st) return status_err(st, err, KC_E_INTERNAL, "reading output data");
    if (count) memcpy(o->data, data, count * sizeof(float));
    return 0;
}

int kc_ort_run(struct kc_ort_session *s, const struct kc_ort_input *in, size_t n_in,
               struct kc_ort_output *out, size_t n_out, struct kc_err *err)
{
    if (!s || n_in > KC_ORT_MAX_IO || n_out > KC_ORT_MAX_IO || n_out == 0) {
        return kc_err_set(err, KC_E_INVALID, "kc_ort_run: bad session or input/output count");
    }
    struct OrtValue *iv[KC_ORT_MAX_IO] = {0}, *ov[KC_ORT_MAX_IO] = {0};
    const char *in_names[KC_ORT_MAX_IO], *out_names[KC_ORT_MAX_IO];
    int rc = 0;
    for (size_t i = 0; i < n_in && rc == 0; i++) {
        in_names[i] = in[i].name;
        rc = make_input(s, &in[i], &iv[i], err);
    }
    for (size_t i = 0; i < n_out && rc == 0; i++) {
        out_names[i] = out[i].name;
        if (!out[i].name || (!out[i].data && out[i].capacity)) {
            rc = kc_err_set(err, KC_E_INVALID, "ONNX output %zu is malformed", i);
        }
    }
    if (rc == 0) {
        struct OrtStatus *st =
            g_fn.run(s->session, NULL, in_names, (const struct OrtValue *const *)iv, n_in,
                     out_names, n_out, ov);
        if (st) rc = status_err(st, err, KC_E_INTERNAL, "Run");
    }
    for (size_t i = 0; i < n_out && rc == 0; i++) rc = copy_output(ov[i], &out[i], err);
    for (size_t i = 0; i < KC_ORT_MAX_IO; i++) {
        if (iv[i]) g_fn.release_value(iv[i]);
        if (ov[i]) g_fn.release_value(ov[i]);
    }
    return rc;
}
