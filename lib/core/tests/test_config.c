/*
 * test_config.c — kc_config_load_from: defaults, every validation rule naming its variable,
 * derived values, random secrets with warnings, `~` expansion, and masking in the log line.
 * The environment is an explicit list per test, so nothing depends on the caller's shell.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define ENV(...) ((char *const[]){"HOME=/home/tester", __VA_ARGS__, NULL})

static int is_hex(const char *s, size_t n)
{
    if (strlen(s) != n) return 0;
    for (; *s; s++)
        if (!strchr("0123456789abcdef", *s)) return 0;
    return 1;
}

Test(config, defaults)
{
    struct kc_config c;
    struct kc_err err = {0};
    char *const env[] = {"HOME=/home/tester", "PATH=/usr/bin", NULL};
    cr_assert_eq(kc_config_load_from(&c, "backend", env, &err), 0, "%s", err.message);
    cr_assert_str_eq(c.service, "backend");
    cr_assert_eq(c.backend_port, 8000);
    cr_assert_eq(c.agent_port, 8001);
    cr_assert_eq(c.video_port, 8002);
    cr_assert_eq(c.port, 8000);
    cr_assert_str_eq(c.bind_addr, "127.0.0.1");
    cr_assert_str_eq(c.redis_url, "redis://127.0.0.1:6379");
    cr_assert_str_eq(c.db_url, "sqlite:./var/backend.db");
    cr_assert_str_eq(c.data_dir, "./var");
    cr_assert_str_eq(c.assets_dir, "/home/tester/.cache/kocruit/assets");
    cr_assert_eq(c.http_threads, (int)sysconf(_SC_NPROCESSORS_ONLN));
    cr_assert_eq(c.workers, 1);
    cr_assert_eq(c.max_upload_bytes, (size_t)200 * 1024 * 1024);
    cr_assert_str_eq(c.log_level, "info");
    cr_assert_str_eq(c.backend_url, "http://127.0.0.1:8000");
    cr_assert_str_eq(c.agent_url, "http://127.0.0.1:8001");
    cr_assert_str_eq(c.video_url, "http://127.0.0.1:8002");
    cr_assert_str_eq(c.smtp_url, "");
    cr_assert_str_eq(c.whisper_model, "");
    cr_assert_str_eq(c.llm_provider, "none");
    cr_assert_str_eq(c.llm_base_url, "");
    cr_assert_eq(c.job_max_attempts, 3);
    cr_assert_eq(c.job_claim_idle_ms, 30000);
    /* secrets: random hex, each with a warning */
    cr_assert(is_hex(c.internal_token, 64), "token '%s'", c.internal_token);
    cr_assert(is_hex(c.jwt_secret, 64), "jwt '%s'", c.jwt_secret);
    cr_assert_eq(c.nwarnings, 2);
    cr_assert(strstr(c.warnings[0], "KOCRUIT_INTERNAL_TOKEN"));
    cr_assert(strstr(c.warnings[1], "KOCRUIT_JWT_SECRET"));
}

Test(config, random_secrets_differ_per_load)
{
    struct kc_config a, b;
    cr_assert_eq(kc_config_load_from(&a, "agent", ENV("X=1"), NULL), 0);
    cr_assert_eq(kc_config_load_from(&b, "agent", ENV("X=1"), NULL), 0);
    cr_assert_str_neq(a.jwt_secret, b.jwt_secret);
    cr_assert_str_neq(a.internal_token, b.internal_token);
    cr_assert_str_neq(a.jwt_secret, a.internal_token);
}

Test(config, per_service_port_and_derived_urls)
{
    struct kc_config c;
    struct kc_err err = {0};
    cr_assert_eq(kc_config_load_from(&c, "video-analysis",
                                     ENV("KOCRUIT_VIDEO_PORT=9002", "KOCRUIT_BACKEND_PORT=9000"),
                                     &err),
                 0, "%s", err.message);
    cr_assert_eq(c.port, 9002);
    cr_assert_str_eq(c.video_url, "http://127.0.0.1:9002");
    cr_assert_str_eq(c.backend_url, "http://127.0.0.1:9000");
    cr_assert_str_eq(c.db_url, "sqlite:./var/video-analysis.db");
    cr_assert_eq(kc_config_load_from(&c, "agent", ENV("KOCRUIT_AGENT_PORT=7001"), &err), 0);
    cr_assert_eq(c.port, 7001);
    cr_assert_str_eq(c.agent_url, "http://127.0.0.1:7001");
    /* the default database follows the data dir, one file per service */
    cr_assert_eq(kc_config_load_from(&c, "agent", ENV("KOCRUIT_DATA_DIR=/srv/kc"), &err), 0, "%s",
                 err.message);
    cr_assert_str_eq(c.db_url, "sqlite:/srv/kc/agent.db");
}

Test(config, given_values_are_used)
{
    struct kc_config c;
    struct kc_err err = {0};
    char *const env[] = {
        "HOME=/h",
        "KOCRUIT_BIND=0.0.0.0",
        "KOCRUIT_REDIS_URL=redis://:pw@redis.internal:6380/2",
        "KOCRUIT_DB=postgres://kc:dbpass@db:5432/kocruit",
        "KOCRUIT_DATA_DIR=~/data",
        "KOCRUIT_ASSETS=~",
        "KOCRUIT_HTTP_THREADS=3",
        "KOCRUIT_WORKERS=4",
        "KOCRUIT_MAX_UPLOAD_MB=10",
        "KOCRUIT_LOG_LEVEL=debug",
        "KOCRUIT_INTERNAL_TOKEN=an-internal-token-of-decent-length",
        "KOCRUIT_JWT_SECRET=0123456789abcdef0123456789abcdef01234567",
        "KOCRUIT_BACKEND_URL=https://hire.example.com/",
        "KOCRUIT_SMTP_URL=smtps://user:mailpw@smtp.example.com:465",
        "KOCRUIT_SMTP_FROM=noreply@example.com",
        "KOCRUIT_WHISPER_MODEL=~/models/ggml-base.bin",
        "KOCRUIT_LLM_PROVIDER=openai",
        "KOCRUIT_LLM_MODEL=gpt-4o-mini",
        "KOCRUIT_LLM_API_KEY=sk-very-secret",
        "KOCRUIT_JOB_MAX_ATTEMPTS=5",
        "KOCRUIT_JOB_CLAIM_IDLE_MS=1500",
        "KOCRUIT_AGENT_URL=",
        NULL,
    };
    cr_assert_eq(kc_config_load_from(&c, "backend", env, &err), 0, "%s", err.message);
    cr_assert_str_eq(c.bind_addr, "0.0.0.0");
    cr_assert_str_eq(c.redis_url, "redis://:pw@redis.internal:6380/2");
    cr_assert_str_eq(c.db_url, "postgres://kc:dbpass@db:5432/kocruit");
    cr_assert_str_eq(c.data_dir, "/h/data");
    cr_assert_str_eq(c.assets_dir, "/h");
    cr_assert_eq(c.http_threads, 3);
    cr_assert_eq(c.workers, 4);
    cr_assert_eq(c.max_upload_bytes, (size_t)10 * 1024 * 1024);
    cr_assert_str_eq(c.log_level, "debug");
    cr_assert_str_eq(c.internal_token, "an-internal-token-of-decent-length");
    cr_assert_str_eq(c.jwt_secret, "0123456789abcdef0123456789abcdef01234567");
    cr_assert_str_eq(c.backend_url, "https://hire.example.com", "trailing / dropped");
    cr_assert_str_eq(c.agent_url, "http://127.0.0.1:8001", "empty counts as unset");
    cr_assert_str_eq(c.whisper_model, "/h/models/ggml-base.bin");
    cr_assert_str_eq(c.llm_base_url, "https://api.openai.com/v1");
    cr_assert_str_eq(c.llm_api_key, "sk-very-secret");
    cr_assert_eq(c.job_max_attempts, 5);
    cr_assert_eq(c.job_claim_idle_ms, 1500);
    cr_assert_eq(c.nwarnings, 0, "first warning: %s", c.warnings[0]);
}

struct bad_case {
    const char *assign;
    const char *var; /* expected err.field and in the message */
};

Test(config, each_bad_variable_is_named)
{
    static const struct bad_case cases[] = {
        {"KOCRUIT_BACKEND_PORT=abc", "KOCRUIT_BACKEND_PORT"},
        {"KOCRUIT_BACKEND_PORT=0", "KOCRUIT_BACKEND_PORT"},
        {"KOCRUIT_BACKEND_PORT=65536", "KOCRUIT_BACKEND_PORT"},
        {"KOCRUIT_BACKEND_PORT=-80", "KOCRUIT_BACKEND_PORT"},
        {"KOCRUIT_BACKEND_PORT= 80", "KOCRUIT_BACKEND_PORT"},
        {"KOCRUIT_AGENT_PORT=8000", "KOCRUIT_AGENT_PORT"},
        {"KOCRUIT_VIDEO_PORT=99999999999999999999", "KOCRUIT_VIDEO_PORT"},
        {"KOCRUIT_VIDEO_PORT=8001", "KOCRUIT_VIDEO_PORT"},
        {"KOCRUIT_BIND=not-an-address", "KOCRUIT_BIND"},
        {"KOCRUIT_BIND=127.0.0.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1",
         "KOCRUIT_BIND"},
        {"KOCRUIT_REDIS_URL=http://127.0.0.1:6379", "KOCRUIT_REDIS_URL"},
        {"KOCRUIT_REDIS_URL=redis://127.0.0.1:port", "KOCRUIT_REDIS_URL"},
        {"KOCRUIT_REDIS_URL=redis://127.0.0.1:6379/db", "KOCRUIT_REDIS_URL"},
        {"KOCRUIT_REDIS_URL=redis://", "KOCRUIT_REDIS_URL"},
        {"KOCRUIT_DB=mysql://db/kocruit", "KOCRUIT_DB"},
        {"KOCRUIT_DB=sqlite:", "KOCRUIT_DB"},
        {"KOCRUIT_HTTP_THREADS=-1", "KOCRUIT_HTTP_THREADS"},
        {"KOCRUIT_WORKERS=0", "KOCRUIT_WORKERS"},
        {"KOCRUIT_WORKERS=2x", "KOCRUIT_WORKERS"},
        {"KOCRUIT_MAX_UPLOAD_MB=0", "KOCRUIT_MAX_UPLOAD_MB"},
        {"KOCRUIT_MAX_UPLOAD_MB=1.5", "KOCRUIT_MAX_UPLOAD_MB"},
        {"KOCRUIT_LOG_LEVEL=verbose", "KOCRUIT_LOG_LEVEL"},
        {"KOCRUIT_JWT_SECRET=short-secret", "KOCRUIT_JWT_SECRET"},
        {"KOCRUIT_BACKEND_URL=ftp://files", "KOCRUIT_BACKEND_URL"},
        {"KOCRUIT_AGENT_URL=localhost:8001", "KOCRUIT_AGENT_URL"},
        {"KOCRUIT_VIDEO_URL=http://", "KOCRUIT_VIDEO_URL"},
        {"KOCRUIT_VIDEO_URL=http://a b", "KOCRUIT_VIDEO_URL"},
        {"KOCRUIT_SMTP_URL=http://mail", "KOCRUIT_SMTP_URL"},
        {"KOCRUIT_SMTP_URL=smtp://mail", "KOCRUIT_SMTP_FROM"},
        {"KOCRUIT_LLM_PROVIDER=gpt", "KOCRUIT_LLM_PROVIDER"},
        {"KOCRUIT_LLM_PROVIDER=llama", "KOCRUIT_LLM_GGUF"},
        {"KOCRUIT_LLM_BASE_URL=api.openai.com", "KOCRUIT_LLM_BASE_URL"},
        {"KOCRUIT_JOB_MAX_ATTEMPTS=0", "KOCRUIT_JOB_MAX_ATTEMPTS"},
        {"KOCRUIT_JOB_CLAIM_IDLE_MS=abc", "KOCRUIT_JOB_CLAIM_IDLE_MS"},
        {"KOCRUIT_ASSETS=~bob/models", "KOCRUIT_ASSETS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kc_config c;
        struct kc_err err = {0};
        char *const env[] = {"HOME=/h", (char *)cases[i].assign, NULL};
        int rc = kc_config_load_from(&c, "backend", env, &err);
        cr_expect_eq(rc, -1, "%s was accepted", cases[i].assign);
        cr_expect_eq(err.code, KC_E_INVALID, "%s: code %d", cases[i].assign, err.code);
        cr_expect_str_eq(err.field, cases[i].var, "%s: field '%s'", cases[i].assign, err.field);
        cr_expect(strstr(err.message, cases[i].var) != NULL, "%s: message '%s'", cases[i].assign,
                  err.message);
    }
}

Test(config, smtp_from_must_be_an_address)
{
    struct kc_config c;
    struct kc_err err = {0};
    int rc = kc_config_load_from(
        &c, "backend", ENV("KOCRUIT_SMTP_URL=smtp://mail:25", "KOCRUIT_SMTP_FROM=nobody"), &err);
    cr_assert_eq(rc, -1);
    cr_assert_str_eq(err.field, "KOCRUIT_SMTP_FROM");
}

Test(config, bad_service_name)
{
    struct kc_config c;
    struct kc_err err = {0};
    cr_assert_eq(kc_config_load_from(&c, "frontend", ENV("X=1"), &err), -1);
    cr_assert_str_eq(err.field, "service");
    cr_assert_eq(kc_config_load_from(&c, NULL, ENV("X=1"), &err), -1);
}

Test(config, unknown_and_weak_variables_warn)
{
    struct kc_config c;
    cr_assert_eq(kc_config_load_from(&c, "backend",
                                     ENV("KOCRUIT_BAKEND_PORT=1", "KOCRUIT_INTERNAL_TOKEN=abc"),
                                     NULL),
                 0);
    int unknown = 0, weak = 0;
    for (int i = 0; i < c.nwarnings; i++) {
        unknown += strstr(c.warnings[i], "KOCRUIT_BAKEND_PORT") != NULL;
        weak += strstr(c.warnings[i], "KOCRUIT_INTERNAL_TOKEN is short") != NULL;
    }
    cr_assert_eq(unknown, 1);
    cr_assert_eq(weak, 1);
}

Test(config, load_reads_the_process_environment)
{
    setenv("KOCRUIT_WORKERS", "7", 1);
    setenv("KOCRUIT_LOG_LEVEL", "warn", 1);
    struct kc_config c;
    struct kc_err err = {0};
    cr_assert_eq(kc_config_load(&c, "agent", &err), 0, "%s", err.message);
    cr_assert_eq(c.workers, 7);
    cr_assert_str_eq(c.log_level, "warn");
    setenv("KOCRUIT_WORKERS", "seven", 1);
    cr_assert_eq(kc_config_load(&c, "agent", &err), -1);
    cr_assert_str_eq(err.field, "KOCRUIT_WORKERS");
}

Test(config, mask_url)
{
    char out[256];
    kc_config_mask_url("redis://:secret@host:6379/1", out, sizeof out);
    cr_assert_str_eq(out, "redis://:****(6)@host:6379/1");
    kc_config_mask_url("postgres://kc:pw@db/k", out, sizeof out);
    cr_assert_str_eq(out, "postgres://kc:****(2)@db/k");
    kc_config_mask_url("http://host:8000/a@b", out, sizeof out);
    cr_assert_str_eq(out, "http://host:8000/a@b");
    kc_config_mask_url("redis://127.0.0.1:6379", out, sizeof out);
    cr_assert_str_eq(out, "redis://127.0.0.1:6379");
}

static const char *const secret_env[] = {
    "HOME=/h",
    "KOCRUIT_REDIS_URL=redis://:redispass123@127.0.0.1:6379",
    "KOCRUIT_DB=postgres://kc:dbpass456@db/k",
    "KOCRUIT_JWT_SECRET=jwt-secret-jwt-secret-jwt-secret-0001",
    "KOCRUIT_LLM_API_KEY=sk-llmkey789",
    "KOCRUIT_SMTP_URL=smtp://mailer:mailpw000@mail:25",
    "KOCRUIT_SMTP_FROM=a@b.c",
    NULL,
};

static void assert_no_secret(const char *text, const struct kc_config *c)
{
    cr_assert_null(strstr(text, "redispass123"), "%s", text);
    cr_assert_null(strstr(text, "dbpass456"), "%s", text);
    cr_assert_null(strstr(text, "jwt-secret-jwt"), "%s", text);
    cr_assert_null(strstr(text, "sk-llmkey789"), "%s", text);
    cr_assert_null(strstr(text, "mailpw000"), "%s", text);
    cr_assert_null(strstr(text, c->internal_token), "%s", text);
}

Test(config, json_masks_secrets)
{
    struct kc_config c;
    cr_assert_eq(kc_config_load_from(&c, "backend", (char *const *)secret_env, NULL), 0);
    json_t *j = kc_config_json(&c);
    cr_assert_not_null(j);
    cr_assert_str_eq(json_string_value(json_object_get(j, "jwt_secret")), "****(37)");
    cr_assert_str_eq(json_string_value(json_object_get(j, "internal_token")), "****(64)");
    cr_assert_str_eq(json_string_value(json_object_get(j, "llm_api_key")), "****(12)");
    cr_assert_str_eq(json_string_value(json_object_get(j, "redis_url")),
                     "redis://:****(12)@127.0.0.1:6379");
    cr_assert_str_eq(json_string_value(json_object_get(j, "db")), "postgres://kc:****(9)@db/k");
    cr_assert_eq(json_integer_value(json_object_get(j, "port")), 8000);
    char *text = json_dumps(j, 0);
    assert_no_secret(text, &c);
    free(text);
    json_decref(j);
}

Test(config, log_line_masks_secrets)
{
    struct kc_config c;
    cr_assert_eq(kc_config_load_from(&c, "backend", (char *const *)secret_env, NULL), 0);
    cr_assert_eq(c.nwarnings, 1, "only the generated internal token warns");
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    kc_log_init("backend", KC_LOG_DEBUG, f);
    kc_config_log(&c);
    fflush(f);
    long n = ftell(f);
    cr_assert_gt(n, 0);
    rewind(f);
    char *text = calloc(1, (size_t)n + 1);
    cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    assert_no_secret(text, &c);
    /* one warn line for the generated token, then one info line with the configuration */
    char *second = strchr(text, '\n');
    cr_assert_not_null(second);
    *second++ = '\0';
    json_t *warn = json_loads(text, 0, NULL);
    json_t *info = json_loads(second, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert_not_null(warn, "%s", text);
    cr_assert_not_null(info, "%s", second);
    cr_assert_str_eq(json_string_value(json_object_get(warn, "level")), "warn");
    cr_assert(strstr(json_string_value(json_object_get(warn, "msg")), "KOCRUIT_INTERNAL_TOKEN"));
    cr_assert_str_eq(json_string_value(json_object_get(info, "msg")), "configuration");
    json_t *cfg = json_object_get(info, "config");
    cr_assert_str_eq(json_string_value(json_object_get(cfg, "llm_api_key")), "****(12)");
    cr_assert_str_eq(json_string_value(json_object_get(cfg, "smtp_url")),
                     "smtp://mailer:****(9)@mail:25");
    json_decref(warn);
    json_decref(info);
    free(text);
}
