/*
 * llm.h — LLM providers behind one call: kc_llm_chat(provider, messages, params, schema, out).
 *
 * Providers (KOCRUIT_LLM_PROVIDER):
 *   none    the default: kc_llm_chat answers KC_E_UNAVAILABLE and callers use the deterministic
 *           algorithms of the text library (labelled "source":"deterministic").
 *   openai  any OpenAI-compatible chat-completions endpoint over libcurl (llm_openai.c):
 *           POST <base_url>/chat/completions; connect and total timeouts; retries with
 *           exponential backoff (and jitter) on connection errors, timeouts, 429 and 5xx,
 *           honouring Retry-After; a reply that is not the protocol's JSON is a clear error.
 *   llama   llama.cpp embedded (llm_llama.c): libllama.v0.5.0.so and the ggml libraries are
 *           dlopen'ed from <assets>/llama/bin on first use (the binary runs without them) and
 *           the GGUF given by KOCRUIT_LLM_GGUF is loaded once; generation is serialised.
 *
 * Structured output: with a schema (llm_schema.h subset) the prompt gets a system instruction
 * to answer with JSON only (and the openai request asks for response_format json_object); the
 * reply must parse as JSON (surrounding whitespace and one ``` fence are tolerated, nothing
 * else) and validate. An invalid reply is retried up to params.schema_retries times with the
 * reply and the validation error appended to the conversation; then the call fails with
 * KC_E_UNPROCESSABLE and the list of rejections, and the caller falls back to the
 * deterministic path, saying so.
 *
 * Cache: validated replies are stored in Redis at kc:agent:llm:<sha256 hex> for cache_ttl_s,
 * the hash taken over the canonical JSON of provider, model identity (the GGUF's path, size and
 * mtime for llama), messages, schema and generation parameters. Failures are never cached.
 *
 * Messages are a JSON array of {"role":"system"|"user"|"assistant","content":string}.
 *
 * Ownership: kc_llm_new returns a handle freed with kc_llm_free (after every call returned).
 * kc_llm_chat always initialises *out; free it with kc_llm_reply_free on success and failure.
 * Thread-safety: kc_llm_chat is thread-safe; kc_llm_new/kc_llm_free are not (start-up).
 * Units: timeouts and backoffs in ms, TTLs in s.
 */
#ifndef KC_AGENT_LLM_H
#define KC_AGENT_LLM_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "core/err.h"
#include "core/redis.h"

#define KC_LLM_CACHE_TTL_S     (7 * 24 * 3600)
#define KC_LLM_CONNECT_MS      5000
#define KC_LLM_TIMEOUT_MS      120000
#define KC_LLM_HTTP_RETRIES    3
#define KC_LLM_BACKOFF_MS      500
#define KC_LLM_MAX_BACKOFF_MS  8000
#define KC_LLM_RETRY_AFTER_MAX 60000 /* a larger Retry-After is capped */
#define KC_LLM_MAX_REPLY_BYTES (8u << 20)

struct kc_llm_options {
    const char *provider; /* "none" (or NULL/""), "openai", "llama" */
    /* openai */
    const char *base_url;   /* "https://api.openai.com/v1" — no trailing "/chat/completions" */
    const char *model;      /* required for openai; informative for llama */
    const char *api_key;    /* may be NULL/"" (local servers) */
    int connect_timeout_ms; /* 0 = KC_LLM_CONNECT_MS */
    int timeout_ms;         /* whole request; 0 = KC_LLM_TIMEOUT_MS */
    int http_retries;       /* extra attempts; -1 = none, 0 = KC_LLM_HTTP_RETRIES */
    int backoff_ms;         /* first backoff; 0 = KC_LLM_BACKOFF_MS */
    int max_backoff_ms;     /* 0 = KC_LLM_MAX_BACKOFF_MS */
    /* llama */
    const char *gguf;    /* model file */
    const char *lib_dir; /* folder with libllama.v0.5.0.so; NULL = <assets_dir>/llama/bin */
    const char *assets_dir;
    int n_ctx;   /* context tokens; 0 = 4096 */
    int threads; /* 0 = half the online CPUs, at least 1 (see llm_llama.c) */
    /* cache */
    struct kc_redis *cache; /* NULL = no cache */
    int cache_ttl_s;        /* 0 = KC_LLM_CACHE_TTL_S */
};

struct kc_llm_params {
    double temperature; /* 0 = greedy (deterministic for llama; requested for openai) */
    int max_tokens;     /* reply limit in tokens */
    int schema_retries; /* extra attempts after an invalid structured reply */
    uint32_t seed;      /* sampling seed (llama; sent as "seed" to openai) */
    bool no_cache;      /* bypass the Redis cache */
};

/* temperature 0, max_tokens 1024, schema_retries 2, seed 42, cache on. */
struct kc_llm_params kc_llm_params_default(void);

struct kc_llm_reply {
    char *text;       /* final raw reply text, or NULL */
    json_t *json;     /* parsed + validated reply when a schema was given, else NULL */
    json_t *rejected; /* [{"attempt","error","reply"(first 500 bytes)}] of invalid replies */
    int attempts;     /* model calls made for this reply (0 when served from the cache) */
    bool cached;
    double ms;         /* wall time of the call */
    char provider[16]; /* "openai" | "llama" | "none" */
    char model[160];
};

struct kc_llm;

/* Open the configured provider. "none" never fails. openai checks the URL and model; llama
 * loads the library and the GGUF now (KC_E_UNAVAILABLE naming the missing file or symbol). */
struct kc_llm *kc_llm_new(const struct kc_llm_options *opt, struct kc_err *err);
void kc_llm_free(struct kc_llm *llm);

/* "none" | "openai" | "llama" */
const char *kc_llm_provider(const struct kc_llm *llm);
/* True unless the provider is "none". */
bool kc_llm_enabled(const struct kc_llm *llm);
/* {"provider","model","status":"ok"|"unavailable","reason"?} for /health-style reporting.
 * New reference. */
json_t *kc_llm_describe(const struct kc_llm *llm);

/* One chat completion. schema may be NULL (free text). Errors: KC_E_UNAVAILABLE (provider none,
 * endpoint down, timeouts, retries exhausted), KC_E_RATE_LIMIT (429 after all retries),
 * KC_E_UNPROCESSABLE (malformed protocol reply, or no valid structured reply after
 * schema_retries), KC_E_INVALID (bad messages or schema). */
int kc_llm_chat(struct kc_llm *llm, const json_t *messages, const struct kc_llm_params *params,
                const json_t *schema, struct kc_llm_reply *out, struct kc_err *err);
void kc_llm_reply_free(struct kc_llm_reply *reply);

/* The cache key for a request (exposed for tests): "kc:agent:llm:<64 hex>" into key (cap>=80). */
int kc_llm_cache_key(const struct kc_llm *llm, const json_t *messages,
                     const struct kc_llm_params *params, const json_t *schema, char *key,
                     size_t cap);

#endif
