/*
 * log.c — structured JSON-lines logging (see log.h for the contract).
 *
 * Design
 *  - A line is built completely in a per-call buffer (on the stack, growing to the heap only
 *    for long lines), then written with one fwrite+fflush under a mutex, so lines from
 *    different threads never interleave and a crash loses at most the line being built.
 *  - Strings are escaped here rather than through jansson so the hot path (one access-log
 *    line per HTTP request) allocates nothing. Invalid UTF-8 is replaced by U+FFFD so every
 *    line is valid JSON whatever bytes a client sent.
 *  - Base keys come first and in a fixed order: ts, level, service, request_id (only when
 *    known), msg; extra fields follow. An extra field that repeats a base key is dropped.
 *
 *  - Optional buffering (kc_log_set_buffering, used by the services): a write syscall per
 *    access-log line costs about a fifth of a /health request, so debug/info lines can be
 *    collected in a 64 KiB buffer that a flusher thread writes every few milliseconds. A
 *    warn/error line first writes what is pending, then itself, so order holds and problems
 *    are visible at once.
 *
 * State: the sink, the minimum level and the service name are set by kc_log_init before
 * threads exist and are read-only afterwards; the mutex serialises writes and the buffer.
 */
#include "log.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_BUF_CAP (64 * 1024)

static struct {
    FILE *out; /* NULL means stderr (resolved at write time: stderr is not a constant) */
    enum kc_log_level min_level;
    char service[64];
    pthread_mutex_t lock;
    /* buffering (guarded by lock) */
    pthread_cond_t wake;
    int flush_ms; /* 0 = unbuffered */
    int stop;     /* asks the flusher to exit */
    int flusher_running;
    int atexit_registered;
    pthread_t flusher;
    size_t len;
    char buf[LOG_BUF_CAP];
} g_log = {
    .min_level = KC_LOG_INFO, .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

/* A growable line buffer that starts on the caller's stack. */
struct lbuf {
    char *p;
    size_t len, cap;
    int heap;
    int failed; /* allocation failed: the line is dropped */
};

static void lb_reserve(struct lbuf *b, size_t extra)
{
    if (b->failed || b->len + extra <= b->cap) return;
    size_t cap = b->cap * 2;
    while (cap < b->len + extra) cap *= 2;
    char *p = b->heap ? realloc(b->p, cap) : malloc(cap);
    if (!p) {
        b->failed = 1;
        return;
    }
    if (!b->heap) memcpy(p, b->p, b->len);
    b->p = p;
    b->cap = cap;
    b->heap = 1;
}

static void lb_put(struct lbuf *b, const char *s, size_t n)
{
    lb_reserve(b, n);
    if (b->failed) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void lb_puts(struct lbuf *b, const char *s)
{
    lb_put(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0 when invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* reject overlong forms, surrogates and code points past U+10FFFF */
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return len;
}

/* Bytes that go into a JSON string as they are: printable ASCII except '"' and '\\'. */
static int plain_ascii(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Append s as a quoted JSON string. Runs of plain ASCII are copied at once (the common case:
 * paths, ids, messages); other bytes are escaped or checked as UTF-8. */
static void lb_json_str(struct lbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    lb_put(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && plain_ascii(u[run])) run++;
        if (run > i) {
            lb_put(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned c = u[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            lb_put(b, esc, 2);
            i++;
        } else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            if (c == '\n')
                lb_put(b, "\\n", 2);
            else if (c == '\t')
                lb_put(b, "\\t", 2);
            else if (c == '\r')
                lb_put(b, "\\r", 2);
            else
                lb_put(b, esc, 6);
            i++;
        } else {
            size_t len = utf8_seq_len(u + i, n - i);
            if (len == 0) {
                lb_put(b, "\\ufffd", 6);
                i++;
            } else {
                lb_put(b, s + i, len);
                i += len;
            }
        }
    }
    lb_put(b, "\"", 1);
}

static void lb_key(struct lbuf *b, const char *key)
{
    lb_put(b, ",", 1);
    lb_json_str(b, key);
    lb_put(b, ":", 1);
}

/* "{"ts":"2026-11-26T09:50:01.123Z"". The date-time part is formatted once per second per
 * thread (gmtime_r and snprintf cost more than the rest of an access-log line). */
static void lb_timestamp(struct lbuf *b)
{
    static __thread time_t cached_sec = -1;
    static __thread char cached[64]; /* "2026-11-26T09:50:01." */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        cached_sec = ts.tv_sec;
    }
    long ms = ts.tv_nsec / 1000000;
    char tail[6] = {(char)('0' + ms / 100), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10), 'Z',
                    '"'};
    lb_put(b, "{\"ts\":\"", 7);
    lb_puts(b, cached);
    lb_put(b, tail, 5);
}

/* Decimal integer without snprintf. */
static void lb_int(struct lbuf *b, long long v)
{
    char buf[24];
    size_t i = sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) buf[--i] = '-';
    lb_put(b, buf + i, sizeof buf - i);
}

static void lb_begin(struct lbuf *b, enum kc_log_level level, const char *request_id,
                     const char *msg)
{
    lb_timestamp(b);
    lb_key(b, "level");
    lb_json_str(b, level_names[level]);
    lb_key(b, "service");
    lb_json_str(b, g_log.service);
    if (request_id) {
        lb_key(b, "request_id");
        lb_json_str(b, request_id);
    }
    lb_key(b, "msg");
    lb_json_str(b, msg ? msg : "");
}

/* Under g_log.lock: write the buffered lines. */
static void flush_locked(void)
{
    if (!g_log.len) return;
    FILE *out = g_log.out ? g_log.out : stderr;
    fwrite(g_log.buf, 1, g_log.len, out);
    fflush(out);
    g_log.len = 0;
}

static void write_line(const char *line, size_t n, enum kc_log_level level)
{
    pthread_mutex_lock(&g_log.lock);
    if (g_log.flush_ms > 0 && level < KC_LOG_WARN && n <= LOG_BUF_CAP) {
        if (g_log.len + n > LOG_BUF_CAP) flush_locked();
        memcpy(g_log.buf + g_log.len, line, n);
        g_log.len += n;
    } else {
        FILE *out = g_log.out ? g_log.out : stderr;
        flush_locked();
        fwrite(line, 1, n, out);
        fflush(out);
    }
    pthread_mutex_unlock(&g_log.lock);
}

static void lb_finish(struct lbuf *b, enum kc_log_level level)
{
    lb_put(b, "}\n", 2);
    if (!b->failed) write_line(b->p, b->len, level);
    if (b->heap) free(b->p);
}

static void *flusher_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_log.lock);
    while (!g_log.stop) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        long ns = t.tv_nsec + (long)g_log.flush_ms * 1000000L;
        t.tv_sec += ns / 1000000000L;
        t.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&g_log.wake, &g_log.lock, &t);
        flush_locked();
    }
    pthread_mutex_unlock(&g_log.lock);
    return NULL;
}

static void flush_at_exit(void)
{
    kc_log_flush();
}

void kc_log_flush(void)
{
    pthread_mutex_lock(&g_log.lock);
    flush_locked();
    pthread_mutex_unlock(&g_log.lock);
}

void kc_log_set_buffering(int flush_ms)
{
    pthread_mutex_lock(&g_log.lock);
    int running = g_log.flusher_running;
    g_log.stop = 1;
    pthread_cond_broadcast(&g_log.wake);
    pthread_mutex_unlock(&g_log.lock);
    if (running) pthread_join(g_log.flusher, NULL);
    pthread_mutex_lock(&g_log.lock);
    flush_locked();
    g_log.flusher_running = 0;
    g_log.stop = 0;
    g_log.flush_ms = flush_ms > 0 ? flush_ms : 0;
    if (g_log.flush_ms) {
        if (!g_log.atexit_registered) g_log.atexit_registered = atexit(flush_at_exit) == 0;
        g_log.flusher_running = pthread_create(&g_log.flusher, NULL, flusher_main, NULL) == 0;
        if (!g_log.flusher_running) g_log.flush_ms = 0; /* no thread: stay unbuffered */
    }
    pthread_mutex_unlock(&g_log.lock);
}

static int is_base_key(const char *key)
{
    static const char *const base[] = {"ts", "level", "service", "request_id", "msg"};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        if (strcmp(key, base[i]) == 0) return 1;
    return 0;
}

void kc_log_init(const char *service, enum kc_log_level min_level, FILE *out)
{
    pthread_mutex_lock(&g_log.lock);
    flush_locked(); /* pending lines belong to the old stream */
    snprintf(g_log.service, sizeof g_log.service, "%s", service ? service : "");
    g_log.min_level = min_level;
    g_log.out = out;
    pthread_mutex_unlock(&g_log.lock);
}

int kc_log_level_parse(const char *s, enum kc_log_level *out)
{
    for (int i = 0; s && i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum kc_log_level)i;
            return 0;
        }
    }
    return -1;
}

int kc_log_enabled(enum kc_log_level level)
{
    return level >= g_log.min_level && level <= KC_LOG_ERROR;
}

void kc_log(enum kc_log_level level, const char *request_id, const char *fmt, ...)
{
    if (!kc_log_enabled(level)) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kc_log_kv(level, request_id, msg, NULL, 0);
}

void kc_log_kv(enum kc_log_level level, const char *request_id, const char *msg,
               const struct kc_log_field *fields, size_t n)
{
    if (!kc_log_enabled(level)) return;
    char stack[1024];
    struct lbuf b = {stack, 0, sizeof stack, 0, 0};
    lb_begin(&b, level, request_id, msg);
    for (size_t i = 0; i < n; i++) {
        const struct kc_log_field *f = &fields[i];
        if (!f->key || is_base_key(f->key)) continue;
        lb_key(&b, f->key);
        char num[40];
        switch (f->type) {
        case KC_LOGF_STR:
            if (f->s)
                lb_json_str(&b, f->s);
            else
                lb_puts(&b, "null");
            break;
        case KC_LOGF_INT: lb_int(&b, f->i); break;
        case KC_LOGF_NUM:
            if (isfinite(f->d))
                snprintf(num, sizeof num, "%.6g", f->d);
            else
                snprintf(num, sizeof num, "null");
            lb_puts(&b, num);
            break;
        case KC_LOGF_BOOL: lb_puts(&b, f->i ? "true" : "false"); break;
        }
    }
    lb_finish(&b, level);
}

void kc_log_fields(enum kc_log_level level, const char *request_id, const char *msg, json_t *fields)
{
    if (!kc_log_enabled(level)) {
        json_decref(fields);
        return;
    }
    char stack[1024];
    struct lbuf b = {stack, 0, sizeof stack, 0, 0};
    lb_begin(&b, level, request_id, msg);
    const char *key;
    json_t *val;
    if (json_is_object(fields)) {
        json_object_foreach(fields, key, val)
        {
            if (is_base_key(key)) continue;
            char *text = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
            if (!text) continue;
            lb_key(&b, key);
            lb_puts(&b, text);
            free(text);
        }
    }
    json_decref(fields);
    lb_finish(&b, level);
}
