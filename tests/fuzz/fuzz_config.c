/*
 * fuzz_config.c — libFuzzer target for lib/core/config.c (kc_config_load_from).
 *
 * Design: the input is split at '\n' into at most KC_FUZZ_MAX_LINES "NAME=value" strings (an
 * input that names KOCRUIT_* variables reaches every validator: ports, URLs, sizes, paths,
 * secrets). The service is chosen by the input length so all three are exercised. A loaded
 * configuration is also rendered with kc_config_json (the secret masking path), and the first
 * line is fed to kc_config_mask_url with a small buffer (truncation path).
 * Invariant checked: loading returns 0 or -1 and never crashes, leaks or reads out of bounds;
 * on success every string member is NUL-terminated (strnlen < size).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define KC_FUZZ_MAX_LINES 64

static void check_terminated(const char *s, size_t cap)
{
    if (strnlen(s, cap) >= cap) abort();
}

static void load_once(char **env, size_t size)
{
    static const char *const services[] = {"backend", "agent", "video-analysis"};
    struct kc_config cfg;
    struct kc_err err = {0};
    memset(&cfg, 0, sizeof cfg);
    if (kc_config_load_from(&cfg, services[size % 3], env, &err) != 0) return;
    check_terminated(cfg.redis_url, sizeof cfg.redis_url);
    check_terminated(cfg.db_url, sizeof cfg.db_url);
    check_terminated(cfg.data_dir, sizeof cfg.data_dir);
    check_terminated(cfg.backend_url, sizeof cfg.backend_url);
    json_t *j = kc_config_json(&cfg);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    char *env[KC_FUZZ_MAX_LINES + 1];
    size_t n = 0;
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    for (char *p = buf; n < KC_FUZZ_MAX_LINES;) {
        env[n++] = p;
        char *nl = memchr(p, '\n', (size_t)(buf + size - p));
        if (!nl) break;
        *nl = '\0';
        p = nl + 1;
    }
    env[n] = NULL;
    load_once(env, size);
    char masked[48];
    kc_config_mask_url(env[0], masked, sizeof masked);
    check_terminated(masked, sizeof masked);
    free(buf);
    return 0;
}
