/*
 * llm_llama.c — the embedded llama.cpp backend, dlopen'ed.
 *
 * The prebuilt llama.cpp from bootstrap ($KOCRUIT_ASSETS/llama/bin: libllama.v0.5.0.so, the
 * ggml libraries and one libggml-cpu-<isa>.so per instruction set, RUNPATH $ORIGIN) is opened
 * with dlopen on first use, so kocruit-agent starts and serves without it. The headers of the
 * same release give the exact prototypes and struct layouts (__typeof__ of each declaration);
 * without them at build time this file compiles to a backend that reports unavailable.
 * ggml_backend_load_all_from_path(<bin dir>) registers the CPU backend variants before
 * llama_backend_init() — the library does not find them by itself.
 *
 * Process-wide: the library is loaded and initialised once (g_lib, under g_lib_mu) and never
 * unloaded. Per provider: one model, loaded at open; each completion makes its own context and
 * sampler and frees them, under the provider's mutex (one generation at a time: two cores, and
 * llama.cpp already uses both threads for one).
 *
 * Prompt: the model's chat template when llama.cpp knows it, else a plain
 * "<role>:\n<content>\n\n … assistant:\n" transcript. Sampling: greedy at temperature 0, else
 * temperature + seeded distribution sampling. Stops at an end-of-generation token or max_tokens.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "llm_private.h"

#ifndef KC_DEFAULT_ASSETS
#define KC_DEFAULT_ASSETS ""
#endif

#define LLAMA_LIB "libllama.v0.5.0.so"

#ifndef KC_HAVE_LLAMA_H

int kc_llm_llama_open(const struct kc_llm_options *opt, void **impl,
                      const struct kc_llm_backend **be, char *identity, size_t cap,
                      struct kc_err *err)
{
    (void)opt, (void)impl, (void)be, (void)identity, (void)cap;
    return kc_err_set(err, KC_E_UNAVAILABLE,
                      "llama: this build has no llama.cpp headers (run scripts/bootstrap and "
                      "rebuild)");
}

#else

#include <ggml-backend.h>
#include <llama.h>

// clang-format off
#define LLAMA_SYMBOLS(X) \
    X(llama_log_set) \
    X(llama_backend_init) \
    X(ggml_backend_load_all_from_path) \
    X(llama_model_default_params) \
    X(llama_model_load_from_file) \
    X(llama_model_free) \
    X(llama_model_get_vocab) \
    X(llama_model_chat_template) \
    X(llama_chat_apply_template) \
    X(llama_context_default_params) \
    X(llama_init_from_model) \
    X(llama_free) \
    X(llama_tokenize) \
    X(llama_token_to_piece) \
    X(llama_batch_get_one) \
    X(llama_decode) \
    X(llama_vocab_is_eog) \
    X(llama_sampler_chain_default_params) \
    X(llama_sampler_chain_init) \
    X(llama_sampler_chain_add) \
    X(llama_sampler_init_greedy) \
    X(llama_sampler_init_temp) \
    X(llama_sampler_init_dist) \
    X(llama_sampler_sample) \
    X(llama_sampler_free)
// clang-format on

struct llama_api {
#define DECLARE(name) __typeof__(name) *name;
    LLAMA_SYMBOLS(DECLARE)
#undef DECLARE
};

static pthread_mutex_t g_lib_mu = PTHREAD_MUTEX_INITIALIZER;
static struct llama_api g_lib;
static void *g_handle;
static char g_lib_dir[600];

struct llama {
    pthread_mutex_t mu;
    struct llama_model *model;
    int n_ctx, threads;
};

static void quiet_log(enum ggml_log_level level, const char *text, void *ud)
{
    (void)ud;
    if (level == GGML_LOG_LEVEL_ERROR) kc_log(KC_LOG_WARN, NULL, "llama.cpp: %.300s", text);
}

static int load_library(const char *dir, struct kc_err *err)
{
    if (g_handle) {
        if (strcmp(dir, g_lib_dir) != 0)
            kc_log(KC_LOG_WARN, NULL, "llama: library already loaded from %s; ignoring %s",
                   g_lib_dir, dir);
        return 0;
    }
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, LLAMA_LIB);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) return kc_err_set(err, KC_E_UNAVAILABLE, "llama: cannot load %s: %s", path, dlerror());
    struct llama_api api;
#define RESOLVE(name)                                                                              \
    *(void **)&api.name = dlsym(h, #name);                                                         \
    if (!api.name) {                                                                               \
        dlclose(h);                                                                                \
        return kc_err_set(err, KC_E_UNAVAILABLE, "llama: %s lacks the symbol %s", path, #name);    \
    }
    LLAMA_SYMBOLS(RESOLVE)
#undef RESOLVE
    api.llama_log_set(quiet_log, NULL);
    api.ggml_backend_load_all_from_path(dir);
    api.llama_backend_init();
    g_lib = api;
    g_handle = h;
    snprintf(g_lib_dir, sizeof g_lib_dir, "%s", dir);
    return 0;
}

/* ---- prompt ------------------------------------------------------------------------------- */

static char *plain_transcript(const json_t *messages)
{
    size_t cap = 64, i;
    const json_t *m;
    json_array_foreach(messages, i, m) cap +=
        json_string_length(json_object_get(m, "content")) + 32;
    char *out = malloc(cap);
    if (!out) return NULL;
    size_t n = 0;
    json_array_foreach(messages, i, m)
    {
        n += (size_t)snprintf(out + n, cap - n, "%s:\n%s\n\n",
                              json_string_value(json_object_get(m, "role")),
                              json_string_value(json_object_get(m, "content")));
    }
    snprintf(out + n, cap - n, "assistant:\n");
    return out;
}

static char *build_prompt(const struct llama *l, const json_t *messages)
{
    const struct llama_api *a = &g_lib;
    const char *tmpl = a->llama_model_chat_template(l->model, NULL);
    size_t n = json_array_size(messages), chars = 0;
    if (!tmpl || n == 0) return plain_transcript(messages);
    struct llama_chat_message *chat = calloc(n, sizeof *chat);
    if (!chat) return NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(messages, i);
        chat[i].role = json_string_value(json_object_get(m, "role"));
        chat[i].content = json_string_value(json_object_get(m, "content"));
        chars += strlen(chat[i].content) + 64;
    }
    char *buf = malloc(2 * chars);
    int32_t len =
        buf ? a->llama_chat_apply_template(tmpl, chat, n, true, buf, (int32_t)(2 * chars)) : -1;
    if (len >= (int32_t)(2 * chars)) {
        char *bigger = realloc(buf, (size_t)len + 1);
        buf = bigger;
        len = bigger ? a->llama_chat_apply_template(tmpl, chat, n, true, buf, len + 1) : -1;
    }
    free(chat);
    if (len < 0) {
        free(buf);
        return plain_transcript(messages); /* a template llama.cpp does not know */
    }
    buf[len] = '\0';
    return buf;
}

/* ---- generation --------------------------------------------------------------------------- */

struct out_text {
    char *s;
    size_t len, cap;
};

static int append(struct out_text *o, const char *p, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 1024;
        while (cap < o->len + n + 1) cap *= 2;
        char *s = realloc(o->s, cap);
        if (!s) return -1;
        o->s = s;
        o->cap = cap;
    }
    memcpy(o->s + o->len, p, n);
    o->len += n;
    o->s[o->len] = '\0';
    return 0;
}

static struct llama_sampler *make_sampler(const struct kc_llm_params *p)
{
    const struct llama_api *a = &g_lib;
    struct llama_sampler *s = a->llama_sampler_chain_init(a->llama_sampler_chain_default_params());
    if (p->temperature <= 0) {
        a->llama_sampler_chain_add(s, a->llama_sampler_init_greedy());
    } else {
        a->llama_sampler_chain_add(s, a->llama_sampler_init_temp((float)p->temperature));
        a->llama_sampler_chain_add(s, a->llama_sampler_init_dist(p->seed));
    }
    return s;
}

/* Decode the prompt in n_batch chunks, then sample up to max_tokens. */
static int generate(struct llama *l, struct llama_context *ctx, llama_token *toks, int n_prompt,
                    int n_batch, const struct kc_llm_params *p, struct out_text *out,
                    struct kc_err *err)
{
    const struct llama_api *a = &g_lib;
    const struct llama_vocab *vocab = a->llama_model_get_vocab(l->model);
    for (int i = 0; i < n_prompt; i += n_batch) {
        int n = n_prompt - i < n_batch ? n_prompt - i : n_batch;
        if (a->llama_decode(ctx, a->llama_batch_get_one(toks + i, n)) != 0)
            return kc_err_set(err, KC_E_INTERNAL, "llama: decoding the prompt failed");
    }
    struct llama_sampler *smpl = make_sampler(p);
    int rc = 0;
    for (int made = 0; made < p->max_tokens; made++) {
        llama_token tok = a->llama_sampler_sample(smpl, ctx, -1);
        if (a->llama_vocab_is_eog(vocab, tok)) break;
        char piece[256];
        int32_t n = a->llama_token_to_piece(vocab, tok, piece, sizeof piece, 0, false);
        if (n > 0 && append(out, piece, (size_t)n) != 0) {
            rc = kc_err_set(err, KC_E_NOMEM, "llama: out of memory");
            break;
        }
        if (a->llama_decode(ctx, a->llama_batch_get_one(&tok, 1)) != 0) {
            rc = kc_err_set(err, KC_E_INTERNAL, "llama: decoding failed after %d tokens", made);
            break;
        }
    }
    a->llama_sampler_free(smpl);
    return rc;
}

static int run_prompt(struct llama *l, const char *prompt, const struct kc_llm_params *p,
                      struct out_text *out, struct kc_err *err)
{
    const struct llama_api *a = &g_lib;
    const struct llama_vocab *vocab = a->llama_model_get_vocab(l->model);
    int32_t plen = (int32_t)strlen(prompt);
    int32_t n_prompt = -a->llama_tokenize(vocab, prompt, plen, NULL, 0, true, true);
    if (n_prompt <= 0) return kc_err_set(err, KC_E_INVALID, "llama: the prompt does not tokenize");
    if (n_prompt + p->max_tokens > l->n_ctx)
        return kc_err_set(err, KC_E_INVALID,
                          "llama: prompt (%d tokens) + max_tokens (%d) exceed the context (%d)",
                          n_prompt, p->max_tokens, l->n_ctx);
    llama_token *toks = malloc(sizeof *toks * (size_t)n_prompt);
    if (!toks) return kc_err_set(err, KC_E_NOMEM, "llama: out of memory");
    a->llama_tokenize(vocab, prompt, plen, toks, n_prompt, true, true);
    struct llama_context_params cp = a->llama_context_default_params();
    cp.n_ctx = (uint32_t)l->n_ctx;
    cp.n_batch = cp.n_ctx < 512 ? cp.n_ctx : 512;
    cp.n_threads = l->threads;
    cp.n_threads_batch = l->threads;
    struct llama_context *ctx = a->llama_init_from_model(l->model, cp);
    int rc = ctx ? generate(l, ctx, toks, n_prompt, (int)cp.n_batch, p, out, err)
                 : kc_err_set(err, KC_E_UNAVAILABLE, "llama: cannot create a context");
    if (ctx) a->llama_free(ctx);
    free(toks);
    return rc;
}

static int llama_complete(void *impl, const json_t *messages, const struct kc_llm_params *p,
                          bool want_json, char **text, struct kc_err *err)
{
    (void)want_json; /* the JSON instruction is already in the conversation */
    struct llama *l = impl;
    char *prompt = build_prompt(l, messages);
    if (!prompt) return kc_err_set(err, KC_E_NOMEM, "llama: out of memory");
    struct out_text out = {0};
    pthread_mutex_lock(&l->mu);
    int rc = run_prompt(l, prompt, p, &out, err);
    pthread_mutex_unlock(&l->mu);
    free(prompt);
    if (rc == 0 && !out.s) out.s = strdup("");
    if (rc != 0 || !out.s) {
        free(out.s);
        return rc != 0 ? rc : kc_err_set(err, KC_E_NOMEM, "llama: out of memory");
    }
    *text = out.s;
    return 0;
}

static void llama_destroy(void *impl)
{
    struct llama *l = impl;
    if (!l) return;
    if (l->model) g_lib.llama_model_free(l->model);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* Half the online CPUs, at least 1: ggml's worker threads spin at every barrier, and on a busy
 * 2-core machine two threads measured 353 ms/token against 0.9 ms/token for one (the tiny test
 * model, load average ~10); the HTTP pool and job workers need the other half. */
static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 4 ? (int)(n / 2) : 1;
}

static const struct kc_llm_backend llama_backend = {"llama", llama_complete, llama_destroy};

static void lib_dir_of(const struct kc_llm_options *opt, char *dir, size_t cap)
{
    if (opt->lib_dir && opt->lib_dir[0]) {
        snprintf(dir, cap, "%s", opt->lib_dir);
        return;
    }
    const char *assets =
        opt->assets_dir && opt->assets_dir[0] ? opt->assets_dir : KC_DEFAULT_ASSETS;
    snprintf(dir, cap, "%s/llama/bin", assets);
}

int kc_llm_llama_open(const struct kc_llm_options *opt, void **impl,
                      const struct kc_llm_backend **be, char *identity, size_t cap,
                      struct kc_err *err)
{
    struct stat st;
    if (!opt->gguf || !opt->gguf[0])
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_LLM_GGUF",
                            "the llama provider needs a GGUF model path");
    if (stat(opt->gguf, &st) != 0 || !S_ISREG(st.st_mode))
        return kc_err_field(err, KC_E_UNAVAILABLE, "KOCRUIT_LLM_GGUF", "llama: no model file at %s",
                            opt->gguf);
    char dir[600];
    lib_dir_of(opt, dir, sizeof dir);
    pthread_mutex_lock(&g_lib_mu);
    int rc = load_library(dir, err);
    pthread_mutex_unlock(&g_lib_mu);
    if (rc != 0) return -1;
    struct llama *l = calloc(1, sizeof *l);
    if (!l) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    pthread_mutex_init(&l->mu, NULL);
    l->n_ctx = opt->n_ctx > 0 ? opt->n_ctx : 4096;
    l->threads = opt->threads > 0 ? opt->threads : default_threads();
    struct llama_model_params mp = g_lib.llama_model_default_params();
    mp.n_gpu_layers = 0;
    l->model = g_lib.llama_model_load_from_file(opt->gguf, mp);
    if (!l->model) {
        llama_destroy(l);
        return kc_err_field(err, KC_E_UNAVAILABLE, "KOCRUIT_LLM_GGUF",
                            "llama: %s is not a loadable GGUF model", opt->gguf);
    }
    const char *base = strrchr(opt->gguf, '/');
    snprintf(identity, cap, "llama:%s:%lld:%lld", base ? base + 1 : opt->gguf,
             (long long)st.st_size, (long long)st.st_mtime);
    *impl = l;
    *be = &llama_backend;
    return 0;
}

#endif
