/*
 * config.c — KOCRUIT_* environment variables → struct kc_config. See config.h for the list.
 *
 * Design: kc_config_load_from walks a fixed sequence of small loaders, one per group of
 * variables (ports, URLs, paths, limits, secrets, LLM, SMTP). Each reads its variables from the
 * given "NAME=value" list through env_get, validates them, and on the first bad value fails
 * with kc_err_field(KC_E_INVALID, "<VARIABLE>", "<VARIABLE>: '<value>' …") so a service can
 * print exactly what to fix. Values that are derived (service URLs from ports, the service's
 * own port, http_threads 0 → CPUs) are computed after the inputs they depend on.
 *
 * Secrets (internal token, JWT secret) left unset are filled with 32 random bytes from
 * libsodium as 64 hex characters, and a warning is recorded in cfg->warnings; the warnings are
 * logged by kc_config_log, which runs after logging is initialised from this configuration.
 * Nothing here keeps state outside the struct.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "redis.h"

extern char **environ;

#define SECRET_RANDOM_BYTES 32
#define JWT_SECRET_MIN      32
#define TOKEN_WEAK_BELOW    16

/* Every variable config.h documents; anything else named KOCRUIT_* draws a warning. */
static const char *const known_vars[] = {
    "KOCRUIT_BACKEND_PORT",
    "KOCRUIT_AGENT_PORT",
    "KOCRUIT_VIDEO_PORT",
    "KOCRUIT_BIND",
    "KOCRUIT_REDIS_URL",
    "KOCRUIT_DB",
    "KOCRUIT_DATA_DIR",
    "KOCRUIT_ASSETS",
    "KOCRUIT_HTTP_THREADS",
    "KOCRUIT_WORKERS",
    "KOCRUIT_MAX_UPLOAD_MB",
    "KOCRUIT_LOG_LEVEL",
    "KOCRUIT_INTERNAL_TOKEN",
    "KOCRUIT_JWT_SECRET",
    "KOCRUIT_BACKEND_URL",
    "KOCRUIT_AGENT_URL",
    "KOCRUIT_VIDEO_URL",
    "KOCRUIT_SMTP_URL",
    "KOCRUIT_SMTP_FROM",
    "KOCRUIT_WHISPER_MODEL",
    "KOCRUIT_LLM_PROVIDER",
    "KOCRUIT_LLM_BASE_URL",
    "KOCRUIT_LLM_MODEL",
    "KOCRUIT_LLM_API_KEY",
    "KOCRUIT_LLM_GGUF",
    "KOCRUIT_JOB_MAX_ATTEMPTS",
    "KOCRUIT_JOB_CLAIM_IDLE_MS",
    /* read by one service itself (documented in README's configuration table) */
    "KOCRUIT_MIGRATIONS_DIR",
    "KOCRUIT_WEB_DIR",
    "KOCRUIT_ACCESS_TTL_S",
    "KOCRUIT_LOGIN_LIMIT_EMAIL",
    "KOCRUIT_LOGIN_LIMIT_IP",
    "KOCRUIT_LOGIN_WINDOW_S",
    "KOCRUIT_MAX_RESUME_MB",
    "KOCRUIT_PDF_MAX_PAGES",
    "KOCRUIT_PDFTEXT",
    "KOCRUIT_TRUST_SWEEP_S",
    "KOCRUIT_VIDEO_ANALYZER",
    "KOCRUIT_ORT_LIB",
    "KOCRUIT_WHISPER_LIB",
    /* used by scripts/run-local and the benches, harmless in a service's environment */
    "KOCRUIT_RUN_ONCE",
    "KOCRUIT_BACKEND_BIN",
};

/* ---- small helpers ------------------------------------------------------------------- */

/* The value of NAME in env, or NULL when absent or empty (empty counts as unset). */
static const char *env_get(char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (; env && *env; env++) {
        if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
            return (*env)[n + 1] ? *env + n + 1 : NULL;
    }
    return NULL;
}

static void add_warning(struct kc_config *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_warning(struct kc_config *cfg, const char *fmt, ...)
{
    int cap = (int)(sizeof cfg->warnings / sizeof cfg->warnings[0]);
    if (cfg->nwarnings >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cfg->warnings[cfg->nwarnings++], sizeof cfg->warnings[0], fmt, ap);
    va_end(ap);
}

/* Copy a string value into a fixed buffer, failing (naming the variable) when it is too long. */
static int set_str(char *dst, size_t cap, const char *var, const char *val, struct kc_err *err)
{
    size_t n = strlen(val);
    if (n >= cap)
        return kc_err_field(err, KC_E_INVALID, var, "%s: value is too long (%zu bytes, max %zu)",
                            var, n, cap - 1);
    memcpy(dst, val, n + 1);
    return 0;
}

static int str_var(char *const *env, const char *var, const char *def, char *dst, size_t cap,
                   struct kc_err *err)
{
    const char *v = env_get(env, var);
    return set_str(dst, cap, var, v ? v : def, err);
}

/* Plain decimal integer in [lo, hi]; `what` describes the expected value for the message. */
static int int_var(char *const *env, const char *var, long def, long lo, long hi, const char *what,
                   int *out, struct kc_err *err)
{
    const char *v = env_get(env, var);
    if (!v) {
        *out = (int)def;
        return 0;
    }
    int ok = isdigit((unsigned char)v[0]) != 0;
    for (const char *p = v; ok && *p; p++) ok = isdigit((unsigned char)*p) != 0;
    long x = 0;
    if (ok) {
        errno = 0;
        x = strtol(v, NULL, 10);
        ok = errno == 0 && x >= lo && x <= hi;
    }
    if (!ok)
        return kc_err_field(err, KC_E_INVALID, var, "%s: '%.100s' is not %s (%ld-%ld)", var, v,
                            what, lo, hi);
    *out = (int)x;
    return 0;
}

static int home_dir(char *const *env, char *out, size_t cap)
{
    const char *home = env_get(env, "HOME");
    if (!home) {
        struct passwd pw, *res = NULL;
        char buf[1024];
        if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) != 0 || !res) return -1;
        return snprintf(out, cap, "%s", pw.pw_dir) < (int)cap ? 0 : -1;
    }
    return snprintf(out, cap, "%s", home) < (int)cap ? 0 : -1;
}

/* A path variable with `~` / `~/…` expanded against HOME. */
static int path_var(char *const *env, const char *var, const char *def, char *dst, size_t cap,
                    struct kc_err *err)
{
    const char *v = env_get(env, var);
    if (!v) v = def;
    if (!v || !*v) {
        dst[0] = '\0';
        return 0;
    }
    if (v[0] != '~') return set_str(dst, cap, var, v, err);
    if (v[1] != '\0' && v[1] != '/')
        return kc_err_field(err, KC_E_INVALID, var,
                            "%s: '%.100s': only '~' and '~/' are expanded, not '~user'", var, v);
    char home[512], full[1024];
    if (home_dir(env, home, sizeof home) != 0)
        return kc_err_field(err, KC_E_INVALID, var, "%s: '%.100s': HOME is not known", var, v);
    snprintf(full, sizeof full, "%s%s", home, v + 1);
    return set_str(dst, cap, var, full, err);
}

/* True when url starts with one of the NULL-terminated schemes and has a host after it. */
static int has_scheme(const char *url, const char *const *schemes)
{
    for (; *schemes; schemes++) {
        size_t n = strlen(*schemes);
        if (strncmp(url, *schemes, n) != 0) continue;
        const char *auth = url + n, *host = auth;
        size_t alen = strcspn(auth, "/?#");
        for (size_t i = 0; i < alen; i++)
            if (auth[i] == '@') host = auth + i + 1;
        return host < auth + alen && *host != ':';
    }
    return 0;
}

static int no_spaces(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s)) return 0;
    return 1;
}

static int url_var(char *const *env, const char *var, const char *def, const char *const *schemes,
                   const char *expect, char *dst, size_t cap, struct kc_err *err)
{
    const char *v = env_get(env, var);
    if (!v) v = def;
    if (!v) {
        dst[0] = '\0';
        return 0;
    }
    if (!has_scheme(v, schemes) || !no_spaces(v))
        return kc_err_field(err, KC_E_INVALID, var, "%s: '%.100s' is not a %s URL", var, v, expect);
    if (set_str(dst, cap, var, v, err) != 0) return -1;
    size_t n = strlen(dst);
    while (n > 0 && dst[n - 1] == '/') dst[--n] = '\0';
    return 0;
}

static void random_hex(char *dst, size_t cap)
{
    unsigned char buf[SECRET_RANDOM_BYTES];
    randombytes_buf(buf, sizeof buf);
    sodium_bin2hex(dst, cap, buf, sizeof buf);
    sodium_memzero(buf, sizeof buf);
}

/* ---- loaders, one per group ----------------------------------------------------------- */

static int load_service(struct kc_config *cfg, const char *service, struct kc_err *err)
{
    if (!service || (strcmp(service, "backend") != 0 && strcmp(service, "agent") != 0 &&
                     strcmp(service, "video-analysis") != 0))
        return kc_err_field(err, KC_E_INVALID, "service",
                            "service '%.40s' is not one of backend, agent, video-analysis",
                            service ? service : "(null)");
    snprintf(cfg->service, sizeof cfg->service, "%s", service);
    return 0;
}

static int load_ports(struct kc_config *cfg, char *const *env, struct kc_err *err)
{
    const char *what = "a port";
    if (int_var(env, "KOCRUIT_BACKEND_PORT", 8000, 1, 65535, what, &cfg->backend_port, err) ||
        int_var(env, "KOCRUIT_AGENT_PORT", 8001, 1, 65535, what, &cfg->agent_port, err) ||
        int_var(env, "KOCRUIT_VIDEO_PORT", 8002, 1, 65535, what, &cfg->video_port, err))
        return -1;
    if (cfg->agent_port == cfg->backend_port)
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_AGENT_PORT",
                            "KOCRUIT_AGENT_PORT: %d is already KOCRUIT_BACKEND_PORT",
                            cfg->agent_port);
    if (cfg->video_port == cfg->backend_port || cfg->video_port == cfg->agent_port)
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_VIDEO_PORT",
                            "KOCRUIT_VIDEO_PORT: %d is already used by another service",
                            cfg->video_port);
    if (strcmp(cfg->service, "backend") == 0)
        cfg->port = cfg->backend_port;
    else if (strcmp(cfg->service, "agent") == 0)
        cfg->port = cfg->agent_port;
    else
        cfg->port = cfg->video_port;
    return 0;
}

static int load_bind(struct kc_config *cfg, char *const *env, struct kc_err *err)
{
    if (str_var(env, "KOCRUIT_BIND", "127.0.0.1", cfg->bind_addr, sizeof cfg->bind_addr, err))
        return -1;
    unsigned char addr[16];
    if (inet_pton(AF_INET, cfg->bind_addr, addr) == 1 ||
        inet_pton(AF_INET6, cfg->bind_addr, addr) == 1 || strcmp(cfg->bind_addr, "localhost") == 0)
        return 0;
    return kc_err_field(err, KC_E_INVALID, "KOCRUIT_BIND",
                        "KOCRUIT_BIND: '%.64s' is not an IPv4/IPv6 address or 'localhost'",
                        cfg->bind_addr);
}

static int load_stores(struct kc_config *cfg, char *const *env, struct kc_err *err)
{
    static const char *const redis_schemes[] = {"redis://", NULL};
    if (url_var(env, "KOCRUIT_REDIS_URL", "redis://127.0.0.1:6379", redis_schemes, "redis://",
                cfg->redis_url, sizeof cfg->redis_url, err))
        return -1;
    struct kc_redis_url parsed;
    struct kc_err perr = {0};
    if (kc_redis_url_parse(cfg->redis_url, &parsed, &perr) != 0) {
        char masked[256];
        kc_config_mask_url(cfg->redis_url, masked, sizeof masked);
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_REDIS_URL", "KOCRUIT_REDIS_URL: '%s': %s",
                            masked, perr.message);
    }
    sodium_memzero(&parsed, sizeof parsed);
    if (path_var(env, "KOCRUIT_DATA_DIR", "./var", cfg->data_dir, sizeof cfg->data_dir, err))
        return -1;
    /* each service its own file inside the data dir, so services sharing a data dir never
     * share a database (their migrations are numbered independently) */
    char def_db[sizeof cfg->data_dir + 40];
    snprintf(def_db, sizeof def_db, "sqlite:%s/%s.db", cfg->data_dir, cfg->service);
    const char *db = env_get(env, "KOCRUIT_DB");
    if (!db) db = def_db;
    int ok = (strncmp(db, "sqlite:", 7) == 0 && db[7] != '\0') ||
             (strncmp(db, "postgres://", 11) == 0 && db[11] != '\0') ||
             (strncmp(db, "postgresql://", 13) == 0 && db[13] != '\0');
    if (!ok) {
        char masked[256];
        kc_config_mask_url(db, masked, sizeof masked);
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_DB",
                            "KOCRUIT_DB: '%.100s' is not sqlite:PATH or postgres://…", masked);
    }
    return set_str(cfg->db_url, sizeof cfg->db_url, "KOCRUIT_DB", db, err);
}

static int load_limits(struct kc_config *cfg, char *const *env, struct kc_err *err)
{
    int upload_mb = 0;
    if (int_var(env, "KOCRUIT_HTTP_THREADS", 0, 0, 1024, "a thread count", &cfg->http_threads,
                err) ||
        int_var(env, "KOCRUIT_WORKERS", 1, 1, 1024, "a worker count", &cfg->workers, err) ||
        int_var(env, "KOCRUIT_MAX_UPLOAD_MB", 200, 1, 1048576, "a size in MB", &upload_mb, err) ||
        int_var(env, "KOCRUIT_JOB_MAX_ATTEMPTS", 3, 1, 100, "an attempt count",
                &cfg->job_max_attempts, err) ||
        int_var(env, "KOCRUIT_JOB_CLAIM_IDLE_MS", 30000, 1, 86400000, "a duration in ms",
                &cfg->job_claim_idle_ms, err))
        return -1;
    cfg->max_upload_bytes = (size_t)upload_mb * 1024u * 1024u;
    if (cfg->http_threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->http_threads = cpus > 0 ? (int)(cpus > 1024 ? 1024 : cpus) : 1;
    }
    const char *lvl = env_get(env, "KOCRUIT_LOG_LEVEL");
    if (!lvl) lvl = "info";
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if (strcmp(lvl, levels[i]) == 0) {
            snprintf(cfg->log_level, sizeof cfg->log_level, "%s", levels[i]);
            return 0;
        }
    }
    return kc_err_field(err, KC_E_INVALID, "KOCRUIT_LOG_LEVEL",
                        "KOCRUIT_LOG_LEVEL: '%.40s' is not one of debug, info, warn, error", lvl);
}

static int load_paths(struct kc_config *cfg, char *const *env, struct kc_err *err)
{
    return path_var(env, "KOCRUIT_ASSETS", "~/.cache/kocruit/assets", cfg->assets_dir,
                    sizeof cfg->assets_dir, err) ||
                   path_var(env, "KOCRUIT_WHISPER_MODEL", NULL, cfg->whisper_model,
                            sizeof cfg->whisper_model, err)
               ? -1
               : 0;
}

static int load_secrets(struct kc_config *cfg, char *const *env, struct kc_err *err)
{
    const char *tok = env_get(env, "KOCRUIT_INTERNAL_TOKEN");
    if (tok) {
        if (set_str(cfg->internal_token, sizeof cfg->internal_token, "KOCRUIT_INTERNAL_TOKEN", tok,
                    err))
            return -1;
        if (strlen(tok) < TOKEN_WEAK_BELOW)
            add_warning(cfg, "KOCRUIT_INTERNAL_TOKEN is short (%zu bytes); use at least %d",
                        strlen(tok), TOKEN_WEAK_BELOW);
    } else {
        random_hex(cfg->internal_token, sizeof cfg->internal_token);
        add_warning(cfg, "KOCRUIT_INTERNAL_TOKEN is not set: using a random token for this run; "
                         "other services cannot call this one's internal routes");
    }
    const char *jwt = env_get(env, "KOCRUIT_JWT_SECRET");
    if (jwt) {
        if (strlen(jwt) < JWT_SECRET_MIN)
            return kc_err_field(err, KC_E_INVALID, "KOCRUIT_JWT_SECRET",
                                "KOCRUIT_JWT_SECRET: too short (%zu bytes, need at least %d)",
                                strlen(jwt), JWT_SECRET_MIN);
        return set_str(cfg->jwt_secret, sizeof cfg->jwt_secret, "KOCRUIT_JWT_SECRET", jwt, err);
    }
    random_hex(cfg->jwt_secret, sizeof cfg->jwt_secret);
    add_warning(cfg, "KOCRUIT_JWT_SECRET is not set: using a random secret for this run; "
                     "sessions end when the service restarts");
    return 0;
}

static int load_service_urls(struct kc_config *cfg, char *const *env, struct kc_err *err)
{
    static const char *const http[] = {"http://", "https://", NULL};
    char def[64];
    snprintf(def, sizeof def, "http://127.0.0.1:%d", cfg->backend_port);
    if (url_var(env, "KOCRUIT_BACKEND_URL", def, http, "http(s)://", cfg->backend_url,
                sizeof cfg->backend_url, err))
        return -1;
    snprintf(def, sizeof def, "http://127.0.0.1:%d", cfg->agent_port);
    if (url_var(env, "KOCRUIT_AGENT_URL", def, http, "http(s)://", cfg->agent_url,
                sizeof cfg->agent_url, err))
        return -1;
    snprintf(def, sizeof def, "http://127.0.0.1:%d", cfg->video_port);
    return url_var(env, "KOCRUIT_VIDEO_URL", def, http, "http(s)://", cfg->video_url,
                   sizeof cfg->video_url, err);
}

static int load_smtp(struct kc_config *cfg, char *const *env, struct kc_err *err)
{
    static const char *const smtp[] = {"smtp://", "smtps://", NULL};
    if (url_var(env, "KOCRUIT_SMTP_URL", NULL, smtp, "smtp(s)://", cfg->smtp_url,
                sizeof cfg->smtp_url, err) ||
        str_var(env, "KOCRUIT_SMTP_FROM", "", cfg->smtp_from, sizeof cfg->smtp_from, err))
        return -1;
    if (cfg->smtp_from[0] && (!strchr(cfg->smtp_from, '@') || !no_spaces(cfg->smtp_from)))
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_SMTP_FROM",
                            "KOCRUIT_SMTP_FROM: '%.100s' is not an e-mail address", cfg->smtp_from);
    if (cfg->smtp_url[0] && !cfg->smtp_from[0])
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_SMTP_FROM",
                            "KOCRUIT_SMTP_FROM: required when KOCRUIT_SMTP_URL is set");
    return 0;
}

static int load_llm(struct kc_config *cfg, char *const *env, struct kc_err *err)
{
    static const char *const http[] = {"http://", "https://", NULL};
    const char *prov = env_get(env, "KOCRUIT_LLM_PROVIDER");
    if (!prov) prov = "none";
    if (strcmp(prov, "none") != 0 && strcmp(prov, "openai") != 0 && strcmp(prov, "llama") != 0)
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_LLM_PROVIDER",
                            "KOCRUIT_LLM_PROVIDER: '%.40s' is not one of none, openai, llama",
                            prov);
    snprintf(cfg->llm_provider, sizeof cfg->llm_provider, "%s", prov);
    const char *def_url = strcmp(prov, "openai") == 0 ? "https://api.openai.com/v1" : NULL;
    if (url_var(env, "KOCRUIT_LLM_BASE_URL", def_url, http, "http(s)://", cfg->llm_base_url,
                sizeof cfg->llm_base_url, err) ||
        str_var(env, "KOCRUIT_LLM_MODEL", "", cfg->llm_model, sizeof cfg->llm_model, err) ||
        str_var(env, "KOCRUIT_LLM_API_KEY", "", cfg->llm_api_key, sizeof cfg->llm_api_key, err) ||
        path_var(env, "KOCRUIT_LLM_GGUF", NULL, cfg->llm_gguf, sizeof cfg->llm_gguf, err))
        return -1;
    if (strcmp(prov, "llama") == 0 && !cfg->llm_gguf[0])
        return kc_err_field(err, KC_E_INVALID, "KOCRUIT_LLM_GGUF",
                            "KOCRUIT_LLM_GGUF: required when KOCRUIT_LLM_PROVIDER is llama");
    return 0;
}

static void warn_unknown(struct kc_config *cfg, char *const *env)
{
    for (; env && *env; env++) {
        if (strncmp(*env, "KOCRUIT_", 8) != 0) continue;
        size_t n = strcspn(*env, "=");
        int known = 0;
        for (size_t i = 0; !known && i < sizeof known_vars / sizeof known_vars[0]; i++)
            known = strlen(known_vars[i]) == n && strncmp(*env, known_vars[i], n) == 0;
        if (!known)
            add_warning(cfg, "unknown variable %.*s is ignored (a typo?)", (int)(n > 64 ? 64 : n),
                        *env);
    }
}

/* ---- public ----------------------------------------------------------------------------- */

int kc_config_load_from(struct kc_config *cfg, const char *service, char *const *env,
                        struct kc_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (sodium_init() < 0) return kc_err_set(err, KC_E_INTERNAL, "libsodium failed to initialise");
    if (load_service(cfg, service, err) || load_ports(cfg, env, err) || load_bind(cfg, env, err) ||
        load_stores(cfg, env, err) || load_limits(cfg, env, err) || load_paths(cfg, env, err) ||
        load_secrets(cfg, env, err) || load_service_urls(cfg, env, err) ||
        load_smtp(cfg, env, err) || load_llm(cfg, env, err)) {
        sodium_memzero(cfg, sizeof *cfg);
        return -1;
    }
    warn_unknown(cfg, env);
    return 0;
}

int kc_config_load(struct kc_config *cfg, const char *service, struct kc_err *err)
{
    return kc_config_load_from(cfg, service, environ, err);
}

void kc_config_mask_url(const char *url, char *out, size_t cap)
{
    const char *scheme = strstr(url, "://");
    const char *auth = scheme ? scheme + 3 : NULL;
    const char *at = auth ? strchr(auth, '@') : NULL;
    const char *slash = auth ? strchr(auth, '/') : NULL;
    if (at && slash && slash < at) at = NULL;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (!colon) {
        snprintf(out, cap, "%s", url);
        return;
    }
    snprintf(out, cap, "%.*s****(%d)%s", (int)(colon + 1 - url), url, (int)(at - colon - 1), at);
}

static json_t *masked_secret(const char *s)
{
    char buf[32];
    if (!s[0]) return json_null();
    snprintf(buf, sizeof buf, "****(%zu)", strlen(s));
    return json_string(buf);
}

static json_t *masked_url(const char *url)
{
    char buf[600];
    if (!url[0]) return json_null();
    kc_config_mask_url(url, buf, sizeof buf);
    return json_string(buf);
}

static json_t *str_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

json_t *kc_config_json(const struct kc_config *cfg)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "service", json_string(cfg->service));
    json_object_set_new(o, "bind", json_string(cfg->bind_addr));
    json_object_set_new(o, "port", json_integer(cfg->port));
    json_object_set_new(o, "backend_port", json_integer(cfg->backend_port));
    json_object_set_new(o, "agent_port", json_integer(cfg->agent_port));
    json_object_set_new(o, "video_port", json_integer(cfg->video_port));
    json_object_set_new(o, "redis_url", masked_url(cfg->redis_url));
    json_object_set_new(o, "db", masked_url(cfg->db_url));
    json_object_set_new(o, "data_dir", json_string(cfg->data_dir));
    json_object_set_new(o, "assets", json_string(cfg->assets_dir));
    json_object_set_new(o, "http_threads", json_integer(cfg->http_threads));
    json_object_set_new(o, "workers", json_integer(cfg->workers));
    json_object_set_new(o, "max_upload_bytes", json_integer((json_int_t)cfg->max_upload_bytes));
    json_object_set_new(o, "log_level", json_string(cfg->log_level));
    json_object_set_new(o, "internal_token", masked_secret(cfg->internal_token));
    json_object_set_new(o, "jwt_secret", masked_secret(cfg->jwt_secret));
    json_object_set_new(o, "backend_url", masked_url(cfg->backend_url));
    json_object_set_new(o, "agent_url", masked_url(cfg->agent_url));
    json_object_set_new(o, "video_url", masked_url(cfg->video_url));
    json_object_set_new(o, "smtp_url", masked_url(cfg->smtp_url));
    json_object_set_new(o, "smtp_from", str_or_null(cfg->smtp_from));
    json_object_set_new(o, "whisper_model", str_or_null(cfg->whisper_model));
    json_object_set_new(o, "llm_provider", json_string(cfg->llm_provider));
    json_object_set_new(o, "llm_base_url", masked_url(cfg->llm_base_url));
    json_object_set_new(o, "llm_model", str_or_null(cfg->llm_model));
    json_object_set_new(o, "llm_api_key", masked_secret(cfg->llm_api_key));
    json_object_set_new(o, "llm_gguf", str_or_null(cfg->llm_gguf));
    json_object_set_new(o, "job_max_attempts", json_integer(cfg->job_max_attempts));
    json_object_set_new(o, "job_claim_idle_ms", json_integer(cfg->job_claim_idle_ms));
    return o;
}

void kc_config_log(const struct kc_config *cfg)
{
    for (int i = 0; i < cfg->nwarnings; i++) kc_log(KC_LOG_WARN, NULL, "%s", cfg->warnings[i]);
    json_t *fields = json_object();
    if (fields) json_object_set_new(fields, "config", kc_config_json(cfg));
    kc_log_fields(KC_LOG_INFO, NULL, "configuration", fields);
}
