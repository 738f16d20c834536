/*
 * llm.c — provider selection, structured output (JSON + schema, retried when invalid) and the
 * Redis reply cache. The wire protocols live in llm_openai.c and llm_llama.c (llm_private.h).
 *
 * A structured call runs this loop (attempt = 1 .. 1 + schema_retries):
 *   conversation = [system: "answer with JSON only, valid against <schema>"] + messages
 *   text = backend(conversation); json = strict_parse(text); validate(schema, json)
 *   invalid → record {attempt, error}; conversation += [assistant: text,
 *             user: "that reply was rejected: <error>; answer again with JSON only"]
 * Only a reply that passed is cached, so a cache hit is always a valid reply.
 */
#include "llm.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "llm_private.h"
#include "llm_schema.h"

struct kc_llm {
    char provider[16];
    char identity[600]; /* model identity for cache keys and reports */
    const struct kc_llm_backend *be;
    void *impl;
    struct kc_redis *cache;
    int cache_ttl_s;
};

struct kc_llm_params kc_llm_params_default(void)
{
    return (struct kc_llm_params){
        .temperature = 0.0, .max_tokens = 1024, .schema_retries = 2, .seed = 42};
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct kc_llm *kc_llm_new(const struct kc_llm_options *opt, struct kc_err *err)
{
    const char *p = opt && opt->provider && opt->provider[0] ? opt->provider : "none";
    if (strcmp(p, "none") != 0 && strcmp(p, "openai") != 0 && strcmp(p, "llama") != 0) {
        kc_err_field(err, KC_E_INVALID, "KOCRUIT_LLM_PROVIDER",
                     "unknown LLM provider \"%s\" (none | openai | llama)", p);
        return NULL;
    }
    if (sodium_init() < 0) {
        kc_err_set(err, KC_E_INTERNAL, "libsodium failed to initialise");
        return NULL;
    }
    struct kc_llm *llm = calloc(1, sizeof *llm);
    if (!llm) {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(llm->provider, sizeof llm->provider, "%s", p);
    llm->cache = opt ? opt->cache : NULL;
    llm->cache_ttl_s = opt && opt->cache_ttl_s > 0 ? opt->cache_ttl_s : KC_LLM_CACHE_TTL_S;
    int rc = 0;
    if (strcmp(p, "openai") == 0)
        rc =
            kc_llm_openai_open(opt, &llm->impl, &llm->be, llm->identity, sizeof llm->identity, err);
    else if (strcmp(p, "llama") == 0)
        rc = kc_llm_llama_open(opt, &llm->impl, &llm->be, llm->identity, sizeof llm->identity, err);
    if (rc != 0) {
        free(llm);
        return NULL;
    }
    return llm;
}

void kc_llm_free(struct kc_llm *llm)
{
    if (!llm) return;
    if (llm->be && llm->be->destroy) llm->be->destroy(llm->impl);
    free(llm);
}

const char *kc_llm_provider(const struct kc_llm *llm)
{
    return llm ? llm->provider : "none";
}

bool kc_llm_enabled(const struct kc_llm *llm)
{
    return llm && llm->be != NULL;
}

json_t *kc_llm_describe(const struct kc_llm *llm)
{
    if (!kc_llm_enabled(llm))
        return json_pack("{s:s,s:s,s:s}", "provider", "none", "status", "unavailable", "reason",
                         "no LLM provider configured (KOCRUIT_LLM_PROVIDER=none): the "
                         "deterministic algorithms answer");
    return json_pack("{s:s,s:s,s:s}", "provider", llm->provider, "model", llm->identity, "status",
                     "ok");
}

void kc_llm_reply_free(struct kc_llm_reply *reply)
{
    if (!reply) return;
    free(reply->text);
    json_decref(reply->json);
    json_decref(reply->rejected);
    memset(reply, 0, sizeof *reply);
}

/* ---- messages ----------------------------------------------------------------------------- */

static int check_messages(const json_t *messages, struct kc_err *err)
{
    if (!json_is_array(messages) || json_array_size(messages) == 0)
        return kc_err_field(err, KC_E_INVALID, "messages", "messages must be a non-empty array");
    size_t i;
    const json_t *m;
    json_array_foreach(messages, i, m)
    {
        const char *role = json_string_value(json_object_get(m, "role"));
        if (!role || (strcmp(role, "system") && strcmp(role, "user") && strcmp(role, "assistant")))
            return kc_err_field(err, KC_E_INVALID, "messages",
                                "messages[%zu].role must be system, user or assistant", i);
        if (!json_is_string(json_object_get(m, "content")))
            return kc_err_field(err, KC_E_INVALID, "messages",
                                "messages[%zu].content must be a string", i);
    }
    return 0;
}

static json_t *msg(const char *role, const char *content)
{
    return json_pack("{s:s,s:s}", "role", role, "content", content);
}

/* The conversation sent to the model: the JSON instruction first when a schema is given. */
static json_t *conversation(const json_t *messages, const json_t *schema)
{
    json_t *conv = json_array();
    if (schema) {
        char *s = json_dumps(schema, JSON_COMPACT | JSON_SORT_KEYS);
        size_t n = strlen(s ? s : "") + 256;
        char *text = malloc(n);
        if (text)
            snprintf(text, n,
                     "Answer with a single JSON value only: no prose, no markdown. It must be "
                     "valid against this JSON Schema: %s",
                     s ? s : "{}");
        json_array_append_new(conv, msg("system", text ? text : "Answer with JSON only."));
        free(text);
        free(s);
    }
    json_array_extend(conv, (json_t *)messages);
    return conv;
}

/* ---- structured replies ------------------------------------------------------------------- */

/* Parse the whole reply as JSON: whitespace and one ``` / ```json fence around it are allowed. */
static json_t *strict_parse(const char *text, struct kc_err *err)
{
    const char *b = text, *e = text + strlen(text);
    while (b < e && isspace((unsigned char)*b)) b++;
    while (e > b && isspace((unsigned char)e[-1])) e--;
    if (e - b >= 6 && strncmp(b, "```", 3) == 0 && strncmp(e - 3, "```", 3) == 0) {
        b += 3;
        if (strncmp(b, "json", 4) == 0) b += 4;
        e -= 3;
    }
    json_error_t jerr;
    json_t *j = json_loadb(b, (size_t)(e - b), JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        kc_err_set(err, KC_E_UNPROCESSABLE, "reply is not JSON (line %d column %d: %s)", jerr.line,
                   jerr.column, jerr.text);
    return j;
}

static void reject(struct kc_llm_reply *out, json_t *conv, int attempt, const char *text,
                   const char *why)
{
    char head[501];
    snprintf(head, sizeof head, "%s", text);
    json_array_append_new(
        out->rejected, json_pack("{s:i,s:s,s:s}", "attempt", attempt, "error", why, "reply", head));
    json_array_append_new(conv, msg("assistant", text));
    char fix[800];
    snprintf(fix, sizeof fix,
             "That reply was rejected: %s. Answer again with a single JSON value only, valid "
             "against the schema.",
             why);
    json_array_append_new(conv, msg("user", fix));
}

static int run_model(struct kc_llm *llm, const json_t *messages, const struct kc_llm_params *p,
                     const json_t *schema, struct kc_llm_reply *out, struct kc_err *err)
{
    json_t *conv = conversation(messages, schema);
    int tries = 1 + (schema && p->schema_retries > 0 ? p->schema_retries : 0);
    int rc = -1;
    for (int a = 1; a <= tries; a++) {
        char *text = NULL;
        out->attempts = a;
        if (llm->be->complete(llm->impl, conv, p, schema != NULL, &text, err) != 0) break;
        if (!schema) {
            out->text = text;
            rc = 0;
            break;
        }
        struct kc_err verr = {0};
        json_t *j = strict_parse(text, &verr);
        if (j && kc_schema_validate(schema, j, &verr) == 0) {
            out->text = text;
            out->json = j;
            rc = 0;
            break;
        }
        json_decref(j);
        reject(out, conv, a, text, verr.message);
        free(text);
        if (a == tries)
            kc_err_set(err, KC_E_UNPROCESSABLE,
                       "%s: no valid structured reply after %d attempt(s); last: %s", llm->provider,
                       tries, verr.message);
    }
    json_decref(conv);
    return rc;
}

/* ---- cache -------------------------------------------------------------------------------- */

int kc_llm_cache_key(const struct kc_llm *llm, const json_t *messages,
                     const struct kc_llm_params *p, const json_t *schema, char *key, size_t cap)
{
    json_t *k = json_pack("{s:s,s:s,s:O,s:O?,s:f,s:i,s:I}", "provider", kc_llm_provider(llm),
                          "model", llm ? llm->identity : "", "messages", (json_t *)messages,
                          "schema", (json_t *)schema, "temperature", p->temperature, "max_tokens",
                          p->max_tokens, "seed", (json_int_t)p->seed);
    char *text = k ? json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(k);
    if (!text || cap < 80) {
        free(text);
        return -1;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    free(text);
    int n = snprintf(key, cap, "kc:agent:llm:");
    for (size_t i = 0; i < sizeof h; i++) n += snprintf(key + n, cap - (size_t)n, "%02x", h[i]);
    return 0;
}

static int cache_get(struct kc_llm *llm, const char *key, const json_t *schema,
                     struct kc_llm_reply *out)
{
    char *val = NULL;
    size_t len = 0;
    struct kc_err err = {0};
    if (kc_redis_get(llm->cache, key, &val, &len, &err) != 1) return 0;
    json_error_t jerr;
    json_t *c = json_loadb(val, len, 0, &jerr);
    free(val);
    const char *text = json_string_value(json_object_get(c, "text"));
    json_t *j = NULL;
    struct kc_err verr = {0};
    if (text && schema) {
        j = strict_parse(text, &verr);
        if (j && kc_schema_validate(schema, j, &verr) != 0) {
            json_decref(j);
            j = NULL;
        }
    }
    int hit = text && (!schema || j);
    if (hit) {
        out->text = strdup(text);
        out->json = j;
        out->cached = true;
    }
    json_decref(c);
    return hit;
}

static void cache_put(struct kc_llm *llm, const char *key, const struct kc_llm_reply *out)
{
    json_t *c = json_pack("{s:s,s:s}", "text", out->text, "model", llm->identity);
    char *val = c ? json_dumps(c, JSON_COMPACT) : NULL;
    struct kc_err err = {0};
    if (val && kc_redis_setex(llm->cache, key, val, strlen(val), llm->cache_ttl_s, &err) != 0)
        kc_log(KC_LOG_WARN, NULL, "llm cache write failed: %s", err.message);
    free(val);
    json_decref(c);
}

/* ---- the call ----------------------------------------------------------------------------- */

int kc_llm_chat(struct kc_llm *llm, const json_t *messages, const struct kc_llm_params *params,
                const json_t *schema, struct kc_llm_reply *out, struct kc_err *err)
{
    memset(out, 0, sizeof *out);
    out->rejected = json_array();
    snprintf(out->provider, sizeof out->provider, "%s", kc_llm_provider(llm));
    if (llm) snprintf(out->model, sizeof out->model, "%.159s", llm->identity);
    if (!kc_llm_enabled(llm))
        return kc_err_set(err, KC_E_UNAVAILABLE,
                          "no LLM provider configured (KOCRUIT_LLM_PROVIDER=none)");
    if (check_messages(messages, err) != 0) return -1;
    if (schema && kc_schema_check(schema, err) != 0) return -1;
    struct kc_llm_params p = params ? *params : kc_llm_params_default();
    if (p.max_tokens <= 0) p.max_tokens = kc_llm_params_default().max_tokens;
    double t0 = now_ms();
    char key[96] = "";
    bool use_cache = llm->cache && !p.no_cache &&
                     kc_llm_cache_key(llm, messages, &p, schema, key, sizeof key) == 0;
    if (use_cache && cache_get(llm, key, schema, out)) {
        out->ms = now_ms() - t0;
        return 0;
    }
    int rc = run_model(llm, messages, &p, schema, out, err);
    out->ms = now_ms() - t0;
    if (rc == 0 && use_cache) cache_put(llm, key, out);
    return rc;
}
