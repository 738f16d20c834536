/*
 * log.h — structured logging: one JSON object per line on stderr (or a given stream).
 *   {"ts":"2026-11-26T09:50:01.123Z","level":"info","service":"backend","request_id":"…",
 *    "msg":"…", …extra fields}
 * Lines are written whole under a lock, so threads never interleave. kc_log_init is called
 * at start-up before threads exist (calling it again writes pending lines to the old stream
 * first); the rest is thread-safe. Secrets never go to logs:
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

/* Buffering for high request rates (off by default: every line is written at once).
 * flush_ms > 0: debug/info lines collect in a 64 KiB buffer that a background thread writes
 * every flush_ms (and whenever it fills); a warn or error line writes everything pending and
 * itself at once, so order is kept and problems are never delayed. flush_ms = 0 writes what
 * is pending, stops the thread and returns to unbuffered lines. Call from the main thread
 * (service start-up and shutdown); a process that exits with lines pending writes them from
 * an atexit handler. */
void kc_log_set_buffering(int flush_ms);
/* Write pending lines now (thread-safe). */
void kc_log_flush(void);

/* True when a line at `level` would be written (skip building expensive fields otherwise). */
int kc_log_enabled(enum kc_log_level level);

/* A typed extra field for kc_log_kv: the allocation-free form used on hot paths (the HTTP
 * access log). Strings are borrowed for the call; invalid UTF-8 is replaced by U+FFFD. */
enum kc_log_type { KC_LOGF_STR = 0, KC_LOGF_INT, KC_LOGF_NUM, KC_LOGF_BOOL };
struct kc_log_field {
    const char *key;
    enum kc_log_type type;
    const char *s; /* KC_LOGF_STR; NULL is written as null */
    long long i;   /* KC_LOGF_INT, KC_LOGF_BOOL */
    double d;      /* KC_LOGF_NUM; NaN and infinities are written as null */
};
#define KC_LOGF_S(k, v) ((struct kc_log_field){.key = (k), .type = KC_LOGF_STR, .s = (v)})
#define KC_LOGF_I(k, v) ((struct kc_log_field){.key = (k), .type = KC_LOGF_INT, .i = (v)})
#define KC_LOGF_D(k, v) ((struct kc_log_field){.key = (k), .type = KC_LOGF_NUM, .d = (v)})
#define KC_LOGF_B(k, v) ((struct kc_log_field){.key = (k), .type = KC_LOGF_BOOL, .i = !!(v)})
/* One line with n typed fields after msg. Keys must not repeat the base keys (those are
 * skipped). Thread-safe. */
void kc_log_kv(enum kc_log_level level, const char *request_id, const char *msg,
               const struct kc_log_field *fields, size_t n);

#define kc_info(...)  kc_log(KC_LOG_INFO, NULL, __VA_ARGS__)
#define kc_warn(...)  kc_log(KC_LOG_WARN, NULL, __VA_ARGS__)
#define kc_error(...) kc_log(KC_LOG_ERROR, NULL, __VA_ARGS__)
#define kc_debug(...) kc_log(KC_LOG_DEBUG, NULL, __VA_ARGS__)

#endif
