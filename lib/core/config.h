/*
 * config.h — configuration from the environment (KOCRUIT_*), validated at start-up.
 *
 * kc_config_load fills the struct from defaults and environment variables; a bad value fails
 * with a message naming the variable ("KOCRUIT_BACKEND_PORT: 'abc' is not a port (1-65535)"),
 * and the service exits with that message. kc_config_log writes the effective configuration
 * as one log line with secrets masked ("****" plus length). After loading, the struct is
 * read-only and may be shared by all threads.
 *
 * Rules (config.c): an empty variable counts as unset; integers are plain decimal; service URLs
 * must be http(s):// (a trailing '/' is dropped), KOCRUIT_REDIS_URL redis://, KOCRUIT_DB
 * sqlite:PATH or postgres(ql)://, KOCRUIT_SMTP_URL smtp(s)://; the three ports must differ;
 * `~` and `~/` are expanded (HOME) in KOCRUIT_ASSETS, KOCRUIT_DATA_DIR and the model paths;
 * KOCRUIT_HTTP_THREADS 0 is resolved to the number of online CPUs; provider openai defaults
 * KOCRUIT_LLM_BASE_URL to https://api.openai.com/v1, provider llama requires KOCRUIT_LLM_GGUF;
 * KOCRUIT_SMTP_FROM (an address with '@') is required when KOCRUIT_SMTP_URL is set.
 *
 * Variables (default):
 *   KOCRUIT_BACKEND_PORT 8000, KOCRUIT_AGENT_PORT 8001, KOCRUIT_VIDEO_PORT 8002
 *   KOCRUIT_BIND 127.0.0.1
 *   KOCRUIT_REDIS_URL redis://127.0.0.1:6379 (redis://[:password@]host:port[/db])
 *   KOCRUIT_DB sqlite:<KOCRUIT_DATA_DIR>/<service>.db  (sqlite:PATH | postgres://…)
 *   KOCRUIT_DATA_DIR ./var                 (blobs, uploads)
 *   KOCRUIT_ASSETS ~/.cache/kocruit/assets (models and runtimes)
 *   KOCRUIT_HTTP_THREADS 0 (= CPUs), KOCRUIT_WORKERS 1 (job worker threads)
 *   KOCRUIT_MAX_UPLOAD_MB 200, KOCRUIT_LOG_LEVEL info
 *   KOCRUIT_INTERNAL_TOKEN (secret; required outside dev: random per run when unset, warned)
 *   KOCRUIT_JWT_SECRET (secret; ≥ 32 bytes; random per run when unset, warned)
 *   KOCRUIT_BACKEND_URL http://127.0.0.1:<backend port>, KOCRUIT_AGENT_URL, KOCRUIT_VIDEO_URL
 *   KOCRUIT_SMTP_URL (unset = outbox only), KOCRUIT_SMTP_FROM
 *   KOCRUIT_WHISPER_MODEL (path; unset = no whisper)
 *   KOCRUIT_LLM_PROVIDER none|openai|llama, KOCRUIT_LLM_BASE_URL, KOCRUIT_LLM_MODEL,
 *   KOCRUIT_LLM_API_KEY (secret), KOCRUIT_LLM_GGUF (path)
 *   KOCRUIT_JOB_MAX_ATTEMPTS 3, KOCRUIT_JOB_CLAIM_IDLE_MS 30000
 */
#ifndef KC_CONFIG_H
#define KC_CONFIG_H

#include <stddef.h>
#include <jansson.h>

#include "err.h"

struct kc_config {
    char service[16];
    char bind_addr[64];
    int backend_port, agent_port, video_port;
    int port; /* this service's port */
    char redis_url[256];
    char db_url[512];
    char data_dir[512];
    char assets_dir[512];
    int http_threads;
    int workers;
    size_t max_upload_bytes;
    char log_level[8];
    char internal_token[128];
    char jwt_secret[128];
    char backend_url[256], agent_url[256], video_url[256];
    char smtp_url[256], smtp_from[128];
    char whisper_model[512];
    char llm_provider[16], llm_base_url[256], llm_model[128], llm_api_key[256], llm_gguf[512];
    int job_max_attempts;
    int job_claim_idle_ms;
    /* Added by config.c: warnings found while loading (random secrets, unknown KOCRUIT_*
     * variables, weak tokens). kc_config_log writes each as a warn line. */
    int nwarnings;
    char warnings[8][192];
};

/* service: "backend" | "agent" | "video-analysis". Reads the process environment. */
int kc_config_load(struct kc_config *cfg, const char *service, struct kc_err *err);
/* Same, from an explicit NULL-terminated "NAME=value" list instead of environ (tests). */
int kc_config_load_from(struct kc_config *cfg, const char *service, char *const *env,
                        struct kc_err *err);
void kc_config_log(const struct kc_config *cfg);
/* The effective configuration as a JSON object with secrets masked ("****(64)", URL passwords
 * too) — what kc_config_log writes. New reference; caller json_decref. */
json_t *kc_config_json(const struct kc_config *cfg);
/* Mask the password of a URL ("redis://:****(6)@host:6379/0"); other URLs are copied. */
void kc_config_mask_url(const char *url, char *out, size_t cap);

#endif
