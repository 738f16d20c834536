/*
 * log.h — structured logging: one JSON object per line on stderr (or a given stream).
 *   {"ts":"2026-11-26T09:50:01.123Z","level":"info","service":"backend","request_id":"…",
 *    "msg":"…", …extra fields}
 * Lines are written whole under a lock, so threads never interleave. kc_log_init is called
 * once at start-up before threads exist; the rest is thread-safe. Secrets never go to logs:
 * callers mask them (kc_config_log does so for configuration).
 */
#ifndef KC_LOG_H
#define KC_LOG_H

#include <stdio.h>
#include <jansson.h>

enum kc_log_level { KC_LOG_DEBUG = 0, KC_LOG_INFO, KC_LOG_WARN, KC_LOG_ERROR };

void kc_log_init(const char *service, enum kc_log_level min_level, FILE *out);
/* "debug" | "info" | "warn" | "error" → 0 and *out, else -1 */
int kc_log_level_parse(const char *s, enum kc_log_level *out);
/* request_id may be NULL */
void kc_log(enum kc_log_level level, const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* With extra fields merged into the line; steals `fields` (may be NULL). */
void kc_log_fields(enum kc_log_level level, const char *request_id, const char *msg,
                   json_t *fields);

#define kc_info(...)  kc_log(KC_LOG_INFO, NULL, __VA_ARGS__)
#define kc_warn(...)  kc_log(KC_LOG_WARN, NULL, __VA_ARGS__)
#define kc_error(...) kc_log(KC_LOG_ERROR, NULL, __VA_ARGS__)
#define kc_debug(...) kc_log(KC_LOG_DEBUG, NULL, __VA_ARGS__)

#endif
