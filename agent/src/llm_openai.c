/*
 * llm_openai.c — the OpenAI-compatible chat-completions backend over libcurl (OpenAI, Ollama,
 * vLLM, llama.cpp server, LM Studio…).
 *
 * Request: POST <base_url>/chat/completions, JSON {"model","messages","temperature",
 * "max_tokens","seed", "response_format":{"type":"json_object"} when JSON is wanted},
 * "Authorization: Bearer <key>" when a key is set. Reply: choices[0].message.content.
 *
 * Retries: a request is tried 1 + http_retries times while it fails in a way that can pass —
 * connection errors, timeouts, HTTP 429 and 5xx. The wait before retry k (0-based) is
 * backoff_ms·2^k with ±20 % jitter, capped at max_backoff_ms, and never shorter than the
 * server's Retry-After (seconds or an HTTP date; capped at KC_LLM_RETRY_AFTER_MAX). Any other
 * HTTP status, and a 200 whose body is not the protocol's JSON, fails at once with the
 * server's message (first 300 bytes).
 *
 * One curl easy handle per request: no state is shared between threads except the read-only
 * options (curl_global_init runs once, in kc_llm_openai_open, at start-up).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/log.h"
#include "llm_private.h"

struct openai {
    char url[600];
    char auth[320]; /* "Authorization: Bearer …" or "" */
    char model[160];
    long connect_ms, timeout_ms;
    int retries, backoff_ms, max_backoff_ms;
};

struct buf {
    char *data;
    size_t len, cap;
    int overflow;
};

struct attempt {
    long status;      /* HTTP status, 0 when no response */
    CURLcode curl;    /* transport result */
    long retry_after; /* ms from Retry-After, -1 when absent */
    struct buf body;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    size_t add = size * n;
    if (b->len + add + 1 > KC_LLM_MAX_REPLY_BYTES) {
        b->overflow = 1;
        return 0;
    }
    if (b->len + add + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + add + 1) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) return 0;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

/* Retry-After: delta-seconds or an HTTP date. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct attempt *a = ud;
    size_t len = size * n;
    const char name[] = "retry-after:";
    if (len > sizeof name && strncasecmp(p, name, sizeof name - 1) == 0) {
        char v[64];
        size_t vl = len - (sizeof name - 1);
        if (vl >= sizeof v) vl = sizeof v - 1;
        memcpy(v, p + sizeof name - 1, vl);
        v[vl] = '\0';
        char *end;
        long secs = strtol(v, &end, 10);
        if (end != v && secs >= 0) {
            a->retry_after = secs * 1000;
        } else {
            time_t when = curl_getdate(v, NULL);
            if (when > 0) {
                long d = (long)(when - time(NULL));
                a->retry_after = d > 0 ? d * 1000 : 0;
            }
        }
        if (a->retry_after > KC_LLM_RETRY_AFTER_MAX) a->retry_after = KC_LLM_RETRY_AFTER_MAX;
    }
    return len;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static long backoff(const struct openai *o, int k, long retry_after)
{
    long wait = o->backoff_ms;
    for (int i = 0; i < k && wait < o->max_backoff_ms; i++) wait *= 2;
    if (wait > o->max_backoff_ms) wait = o->max_backoff_ms;
    unsigned short r = 0;
    if (getrandom(&r, sizeof r, 0) == (ssize_t)sizeof r)
        wait = wait * (80 + (long)(r % 41)) / 100; /* ±20 % */
    return retry_after > wait ? retry_after : wait;
}

static char *request_body(const struct openai *o, const json_t *messages,
                          const struct kc_llm_params *p, bool want_json)
{
    json_t *req = json_pack("{s:s,s:O,s:f,s:i,s:I}", "model", o->model, "messages",
                            (json_t *)messages, "temperature", p->temperature, "max_tokens",
                            p->max_tokens, "seed", (json_int_t)p->seed);
    if (req && want_json)
        json_object_set_new(req, "response_format", json_pack("{s:s}", "type", "json_object"));
    char *s = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    return s;
}

static void perform(const struct openai *o, const char *body, struct attempt *a)
{
    memset(a, 0, sizeof *a);
    a->retry_after = -1;
    CURL *c = curl_easy_init();
    if (!c) {
        a->curl = CURLE_FAILED_INIT;
        return;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/json");
    if (o->auth[0]) h = curl_slist_append(h, o->auth);
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    a->curl = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static bool retryable(const struct attempt *a)
{
    if (a->curl != CURLE_OK)
        return a->curl == CURLE_OPERATION_TIMEDOUT || a->curl == CURLE_COULDNT_CONNECT ||
               a->curl == CURLE_COULDNT_RESOLVE_HOST || a->curl == CURLE_RECV_ERROR ||
               a->curl == CURLE_SEND_ERROR || a->curl == CURLE_GOT_NOTHING ||
               a->curl == CURLE_PARTIAL_FILE;
    return a->status == 429 || a->status >= 500;
}

/* A human description of a failed attempt into out. */
static void describe(const struct openai *o, const struct attempt *a, char *out, size_t cap)
{
    if (a->body.overflow)
        snprintf(out, cap, "reply larger than %u bytes", KC_LLM_MAX_REPLY_BYTES);
    else if (a->curl == CURLE_OPERATION_TIMEDOUT)
        snprintf(out, cap, "timed out after %ld ms", o->timeout_ms);
    else if (a->curl != CURLE_OK)
        snprintf(out, cap, "%s", curl_easy_strerror(a->curl));
    else
        snprintf(out, cap, "HTTP %ld: %.300s", a->status, a->body.data ? a->body.data : "");
}

/* choices[0].message.content of a 200 body. */
static int parse_reply(const struct attempt *a, char **text, struct kc_err *err)
{
    json_error_t jerr;
    json_t *j = json_loadb(a->body.data ? a->body.data : "", a->body.len, 0, &jerr);
    if (!j)
        return kc_err_set(err, KC_E_UNPROCESSABLE,
                          "openai: reply is not valid JSON (line %d column %d: %s)", jerr.line,
                          jerr.column, jerr.text);
    const json_t *msg =
        json_object_get(json_array_get(json_object_get(j, "choices"), 0), "message");
    const char *content = json_string_value(json_object_get(msg, "content"));
    const char *api_err =
        json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    int rc = 0;
    if (content) {
        *text = strdup(content);
        if (!*text) rc = kc_err_set(err, KC_E_NOMEM, "out of memory");
    } else {
        rc = kc_err_set(err, KC_E_UNPROCESSABLE,
                        "openai: reply has no choices[0].message.content%s%.300s",
                        api_err ? ": " : "", api_err ? api_err : "");
    }
    json_decref(j);
    return rc;
}

static int openai_complete(void *impl, const json_t *messages, const struct kc_llm_params *p,
                           bool want_json, char **text, struct kc_err *err)
{
    const struct openai *o = impl;
    char *body = request_body(o, messages, p, want_json);
    if (!body) return kc_err_set(err, KC_E_NOMEM, "openai: cannot build the request");
    struct attempt a;
    char why[400] = "";
    int rc = -1, tries = 1 + o->retries;
    for (int k = 0; k < tries; k++) {
        perform(o, body, &a);
        if (a.curl == CURLE_OK && a.status == 200) {
            rc = parse_reply(&a, text, err);
            free(a.body.data);
            break;
        }
        describe(o, &a, why, sizeof why);
        bool again = retryable(&a) && !a.body.overflow && k + 1 < tries;
        long wait = again ? backoff(o, k, a.retry_after) : 0;
        long status = a.status;
        free(a.body.data);
        if (!again) {
            enum kc_err_code code = status == 429 ? KC_E_RATE_LIMIT : KC_E_UNAVAILABLE;
            kc_err_set(err, code, "openai: %s (after %d attempt(s))", why, k + 1);
            break;
        }
        kc_log(KC_LOG_WARN, NULL, "openai: %s; retrying in %ld ms", why, wait);
        sleep_ms(wait);
    }
    free(body);
    return rc;
}

static void openai_destroy(void *impl)
{
    free(impl);
}

static const struct kc_llm_backend openai_backend = {"openai", openai_complete, openai_destroy};

int kc_llm_openai_open(const struct kc_llm_options *opt, void **impl,
                       const struct kc_llm_backend **be, char *identity, size_t cap,
                       struct kc_err *err)
{
    const char *base = opt->base_url && opt->base_url[0] ? opt->base_url : NULL;
    if (!base || (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0))
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_LLM_BASE_URL",
                            "the openai provider needs an http(s) base URL");
    if (!opt->model || !opt->model[0])
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_LLM_MODEL",
                            "the openai provider needs a model name");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return kc_err_set(err, KC_E_INTERNAL, "libcurl failed to initialise");
    struct openai *o = calloc(1, sizeof *o);
    if (!o) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') bl--;
    snprintf(o->url, sizeof o->url, "%.*s/chat/completions", (int)bl, base);
    if (opt->api_key && opt->api_key[0])
        snprintf(o->auth, sizeof o->auth, "Authorization: Bearer %s", opt->api_key);
    snprintf(o->model, sizeof o->model, "%s", opt->model);
    o->connect_ms = opt->connect_timeout_ms > 0 ? opt->connect_timeout_ms : KC_LLM_CONNECT_MS;
    o->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : KC_LLM_TIMEOUT_MS;
    o->retries = opt->http_retries < 0 ? 0
                 : opt->http_retries   ? opt->http_retries
                                       : KC_LLM_HTTP_RETRIES;
    o->backoff_ms = opt->backoff_ms > 0 ? opt->backoff_ms : KC_LLM_BACKOFF_MS;
    o->max_backoff_ms = opt->max_backoff_ms > 0 ? opt->max_backoff_ms : KC_LLM_MAX_BACKOFF_MS;
    snprintf(identity, cap, "%s@%.*s", o->model, (int)bl, base);
    *impl = o;
    *be = &openai_backend;
    return 0;
}
