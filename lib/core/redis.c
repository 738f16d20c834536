/*
 * redis.c — a pool of hiredis 0.14 blocking contexts (RESP2 only; never HELLO 3).
 *
 * Data layout: struct kc_redis holds the parsed URL, a stack of idle contexts and the count
 * of open ones (idle + lent out, ≤ pool_size), all under one mutex with a condition variable
 * for callers that wait for a free context. A call takes a context (lazily connecting a new
 * one when none is idle and the pool is not full), runs one command and gives it back.
 *
 * Invariants:
 *  - A context that saw any error (I/O, timeout, protocol) is freed, never reused: after a
 *    timeout its late reply would otherwise answer the next command.
 *  - An idle context whose socket is readable has been closed by the server (or is out of
 *    sync); it is dropped when taken, so a Redis restart costs no failed command.
 *  - Connecting is gated by a backoff: after a failed attempt the next one waits 100 ms,
 *    doubling to 2 s; callers arriving inside the window fail at once with
 *    KC_E_UNAVAILABLE. A success resets the backoff.
 * Subscriptions use their own context, read with poll() + redisBufferRead +
 * redisGetReplyFromReader so that a wait has a timeout without blocking in read().
 */
#include "redis.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS   2000

struct kc_redis {
    struct kc_redis_url url;
    int pool_size;
    int timeout_ms;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled when a context is returned or a slot frees */
    redisContext **idle;
    int nidle;
    int nopen;
    long long next_connect_ms; /* monotonic; no connection attempt before this */
    int backoff_ms;            /* 0 after a success */
    char last_error[160];
};

struct kc_redis_sub {
    redisContext *ctx;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval ms_tv(int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    return tv;
}

/* ---- URL ------------------------------------------------------------------------------ */

/* Copy [s, s+n) percent-decoded into out (cap bytes). */
static int pct_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
                !isxdigit((unsigned char)s[i + 2]))
                return -1;
            char hex[3] = {s[i + 1], s[i + 2], 0};
            c = (char)strtol(hex, NULL, 16);
            i += 2;
        }
        if (o + 1 >= cap) return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

/* Decimal digits only, value in [lo, hi]. */
static int parse_num(const char *s, size_t n, long lo, long hi, int *out)
{
    if (n == 0 || n > 9) return -1;
    long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        x = x * 10 + (s[i] - '0');
    }
    if (x < lo || x > hi) return -1;
    *out = (int)x;
    return 0;
}

static int parse_userinfo(const char *s, size_t n, struct kc_redis_url *out, struct kc_err *err)
{
    const char *colon = memchr(s, ':', n);
    size_t ulen = colon ? (size_t)(colon - s) : n;
    if (pct_decode(s, ulen, out->user, sizeof out->user) != 0)
        return kc_err_set(err, KC_E_INVALID, "bad user name in the URL");
    if (colon && pct_decode(colon + 1, n - ulen - 1, out->password, sizeof out->password) != 0)
        return kc_err_set(err, KC_E_INVALID, "bad or too long password in the URL");
    if (!colon && ulen > 0)
        return kc_err_set(err, KC_E_INVALID,
                          "a user name needs a password (redis://[user]:password@host)");
    return 0;
}

static int parse_hostport(const char *s, size_t n, struct kc_redis_url *out, struct kc_err *err)
{
    const char *host = s, *rest;
    size_t hlen;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close) return kc_err_set(err, KC_E_INVALID, "unclosed '[' in the host");
        host = s + 1;
        hlen = (size_t)(close - host);
        rest = close + 1;
    } else {
        const char *colon = memchr(s, ':', n);
        hlen = colon ? (size_t)(colon - s) : n;
        rest = s + hlen;
    }
    if (hlen == 0 || hlen >= sizeof out->host)
        return kc_err_set(err, KC_E_INVALID, "missing or too long host");
    for (size_t i = 0; i < hlen; i++)
        if (!isalnum((unsigned char)host[i]) && !strchr(".-_:", host[i]))
            return kc_err_set(err, KC_E_INVALID, "bad character in the host");
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    size_t rlen = n - (size_t)(rest - s);
    if (rlen == 0) return 0;
    if (rest[0] != ':' || parse_num(rest + 1, rlen - 1, 1, 65535, &out->port) != 0)
        return kc_err_set(err, KC_E_INVALID, "port is not a number in 1-65535");
    return 0;
}

int kc_redis_url_parse(const char *url, struct kc_redis_url *out, struct kc_err *err)
{
    memset(out, 0, sizeof *out);
    out->port = 6379;
    if (!url || strncmp(url, "redis://", 8) != 0)
        return kc_err_set(err, KC_E_INVALID, "URL must start with redis://");
    const char *auth = url + 8;
    size_t alen = strcspn(auth, "/?#");
    if (auth[alen] == '?' || auth[alen] == '#')
        return kc_err_set(err, KC_E_INVALID, "query and fragment are not supported");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@') at = auth + i;
    if (at && parse_userinfo(auth, (size_t)(at - auth), out, err) != 0) return -1;
    const char *hp = at ? at + 1 : auth;
    if (parse_hostport(hp, alen - (size_t)(hp - auth), out, err) != 0) return -1;
    const char *path = auth + alen;
    if (*path == '/' && path[1] != '\0' &&
        parse_num(path + 1, strlen(path + 1), 0, 9999, &out->db) != 0)
        return kc_err_set(err, KC_E_INVALID, "database '/%.20s' is not a number in 0-9999",
                          path + 1);
    return 0;
}

/* ---- connections ------------------------------------------------------------------------ */

static int simple_cmd(redisContext *c, const char *what, int argc, const char **argv, char *errbuf,
                      size_t cap)
{
    redisReply *rep = redisCommandArgv(c, argc, argv, NULL);
    if (!rep) {
        snprintf(errbuf, cap, "%s failed: %s", what, c->errstr);
        return -1;
    }
    int bad = rep->type == REDIS_REPLY_ERROR;
    if (bad) snprintf(errbuf, cap, "%s failed: %.100s", what, rep->str);
    freeReplyObject(rep);
    return bad ? -1 : 0;
}

/* Connect, set timeouts, AUTH and SELECT. NULL with errbuf filled on failure. */
static redisContext *connect_ctx(const struct kc_redis_url *u, int timeout_ms, char *errbuf,
                                 size_t cap)
{
    redisContext *c = redisConnectWithTimeout(u->host, u->port, ms_tv(timeout_ms));
    if (!c) {
        snprintf(errbuf, cap, "cannot allocate a redis context");
        return NULL;
    }
    if (c->err) {
        snprintf(errbuf, cap, "connect to %.64s:%d: %.60s", u->host, u->port, c->errstr);
        redisFree(c);
        return NULL;
    }
    if (redisSetTimeout(c, ms_tv(timeout_ms)) != REDIS_OK || redisEnableKeepAlive(c) != REDIS_OK) {
        snprintf(errbuf, cap, "socket options: %s", c->errstr);
        redisFree(c);
        return NULL;
    }
    char db[16];
    snprintf(db, sizeof db, "%d", u->db);
    const char *auth_user[] = {"AUTH", u->user, u->password};
    const char *auth_pass[] = {"AUTH", u->password};
    const char *select[] = {"SELECT", db};
    if ((u->user[0] && simple_cmd(c, "AUTH", 3, auth_user, errbuf, cap) != 0) ||
        (!u->user[0] && u->password[0] && simple_cmd(c, "AUTH", 2, auth_pass, errbuf, cap) != 0) ||
        (u->db != 0 && simple_cmd(c, "SELECT", 2, select, errbuf, cap) != 0)) {
        redisFree(c);
        return NULL;
    }
    return c;
}

/* An idle connection has nothing to read; readable means EOF (server gone) or garbage. */
static int ctx_is_stale(redisContext *c)
{
    if (c->err) return 1;
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    return poll(&p, 1, 0) != 0;
}

struct kc_redis *kc_redis_new(const char *url, int pool_size, int timeout_ms, struct kc_err *err)
{
    if (pool_size < 0 || timeout_ms < 0) {
        kc_err_set(err, KC_E_INVALID, "redis pool size and timeout must not be negative");
        return NULL;
    }
    struct kc_redis *r = calloc(1, sizeof *r);
    if (!r) {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (kc_redis_url_parse(url, &r->url, err) != 0) {
        kc_err_prefix(err, "redis URL");
        free(r);
        return NULL;
    }
    r->pool_size = pool_size ? pool_size : 8;
    r->timeout_ms = timeout_ms ? timeout_ms : 2000;
    r->idle = calloc((size_t)r->pool_size, sizeof *r->idle);
    if (!r->idle) {
        free(r);
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    return r;
}

void kc_redis_free(struct kc_redis *r)
{
    if (!r) return;
    for (int i = 0; i < r->nidle; i++) redisFree(r->idle[i]);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r->idle);
    explicit_bzero(&r->url, sizeof r->url);
    free(r);
}

/* Open a new context for a slot the caller has reserved (nopen already counts it). */
static redisContext *open_reserved(struct kc_redis *r, struct kc_err *err)
{
    char msg[160];
    redisContext *c = connect_ctx(&r->url, r->timeout_ms, msg, sizeof msg);
    pthread_mutex_lock(&r->mu);
    if (c) {
        r->backoff_ms = 0;
        r->next_connect_ms = 0;
    } else {
        r->nopen--;
        r->backoff_ms = r->backoff_ms ? r->backoff_ms * 2 : BACKOFF_FIRST_MS;
        if (r->backoff_ms > BACKOFF_MAX_MS) r->backoff_ms = BACKOFF_MAX_MS;
        r->next_connect_ms = now_ms() + r->backoff_ms;
        snprintf(r->last_error, sizeof r->last_error, "%s", msg);
        pthread_cond_signal(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    if (!c) kc_err_set(err, KC_E_UNAVAILABLE, "redis unavailable: %s", msg);
    return c;
}

/* Take an idle context, or open one, or wait for one (up to timeout_ms). */
static redisContext *take_ctx(struct kc_redis *r, struct kc_err *err)
{
    long long deadline = now_ms() + r->timeout_ms;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        if (r->nidle > 0) {
            redisContext *c = r->idle[--r->nidle];
            if (!ctx_is_stale(c)) {
                pthread_mutex_unlock(&r->mu);
                return c;
            }
            redisFree(c);
            r->nopen--;
            continue;
        }
        if (r->nopen < r->pool_size) {
            long long now = now_ms();
            if (now < r->next_connect_ms) {
                long long wait = r->next_connect_ms - now;
                char last[sizeof r->last_error];
                memcpy(last, r->last_error, sizeof last);
                pthread_mutex_unlock(&r->mu);
                kc_err_set(err, KC_E_UNAVAILABLE, "redis unavailable: %s (next attempt in %lld ms)",
                           last, wait);
                return NULL;
            }
            /* While failing, one caller probes and the others fail fast during its attempt. */
            if (r->backoff_ms) r->next_connect_ms = now + r->backoff_ms;
            r->nopen++;
            pthread_mutex_unlock(&r->mu);
            return open_reserved(r, err);
        }
        long long left = deadline - now_ms();
        if (left <= 0) break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long ns = ts.tv_nsec + (left % 1000) * 1000000LL;
        ts.tv_sec += (time_t)(left / 1000 + ns / 1000000000LL);
        ts.tv_nsec = (long)(ns % 1000000000LL);
        pthread_cond_timedwait(&r->cv, &r->mu, &ts);
    }
    pthread_mutex_unlock(&r->mu);
    kc_err_set(err, KC_E_UNAVAILABLE, "redis pool exhausted: all %d connections busy for %d ms",
               r->pool_size, r->timeout_ms);
    return NULL;
}

static void give_ctx(struct kc_redis *r, redisContext *c, int broken)
{
    pthread_mutex_lock(&r->mu);
    if (broken || c->err) {
        redisFree(c);
        r->nopen--;
    } else {
        r->idle[r->nidle++] = c;
    }
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* ---- commands ---------------------------------------------------------------------------- */

/* Turn a hiredis result into ours: NULL reply → context error, error reply → err. */
static redisReply *check_reply(struct kc_redis *r, redisContext *c, redisReply *rep, int timeout_ms,
                               struct kc_err *err)
{
    if (!rep) {
        int timed_out = c->err == REDIS_ERR_IO && (strstr(c->errstr, "temporarily unavailable") ||
                                                   strstr(c->errstr, "timed out"));
        if (timed_out)
            kc_err_set(err, KC_E_UNAVAILABLE, "redis command timed out after %d ms", timeout_ms);
        else
            kc_err_set(err, KC_E_UNAVAILABLE, "redis connection error: %s",
                       c->errstr[0] ? c->errstr : "unknown");
        give_ctx(r, c, 1);
        return NULL;
    }
    give_ctx(r, c, 0);
    if (rep->type != REDIS_REPLY_ERROR) return rep;
    int busy = strncmp(rep->str, "LOADING", 7) == 0 || strncmp(rep->str, "BUSY ", 5) == 0 ||
               strncmp(rep->str, "MASTERDOWN", 10) == 0;
    kc_err_set(err, busy ? KC_E_UNAVAILABLE : KC_E_INTERNAL, "redis: %.400s", rep->str);
    freeReplyObject(rep);
    return NULL;
}

redisReply *kc_redis_cmd(struct kc_redis *r, struct kc_err *err, const char *fmt, ...)
{
    redisContext *c = take_ctx(r, err);
    if (!c) return NULL;
    va_list ap;
    va_start(ap, fmt);
    redisReply *rep = redisvCommand(c, fmt, ap);
    va_end(ap);
    return check_reply(r, c, rep, r->timeout_ms, err);
}

redisReply *kc_redis_cmdargv_timeout(struct kc_redis *r, int timeout_ms, int argc,
                                     const char **argv, const size_t *argvlen, struct kc_err *err)
{
    if (timeout_ms <= 0) timeout_ms = r->timeout_ms;
    redisContext *c = take_ctx(r, err);
    if (!c) return NULL;
    int custom = timeout_ms != r->timeout_ms;
    if (custom && redisSetTimeout(c, ms_tv(timeout_ms)) != REDIS_OK) {
        give_ctx(r, c, 1);
        kc_err_set(err, KC_E_UNAVAILABLE, "redis: cannot set the socket timeout");
        return NULL;
    }
    redisReply *rep = redisCommandArgv(c, argc, argv, argvlen);
    if (rep && custom && redisSetTimeout(c, ms_tv(r->timeout_ms)) != REDIS_OK) {
        /* The reply is good; only the context cannot be reused with the pool's timeout. */
        give_ctx(r, c, 1);
        if (rep->type != REDIS_REPLY_ERROR) return rep;
        kc_err_set(err, KC_E_INTERNAL, "redis: %.400s", rep->str);
        freeReplyObject(rep);
        return NULL;
    }
    return check_reply(r, c, rep, timeout_ms, err);
}

redisReply *kc_redis_cmdargv(struct kc_redis *r, int argc, const char **argv, const size_t *argvlen,
                             struct kc_err *err)
{
    return kc_redis_cmdargv_timeout(r, r->timeout_ms, argc, argv, argvlen, err);
}

int kc_redis_timeout_ms(const struct kc_redis *r)
{
    return r->timeout_ms;
}

int kc_redis_ping(struct kc_redis *r, struct kc_err *err)
{
    const char *argv[] = {"PING"};
    redisReply *rep = kc_redis_cmdargv(r, 1, argv, NULL, err);
    if (!rep) return -1;
    int ok = rep->type == REDIS_REPLY_STATUS && strcmp(rep->str, "PONG") == 0;
    freeReplyObject(rep);
    return ok ? 0 : kc_err_set(err, KC_E_UNAVAILABLE, "redis PING did not answer PONG");
}

int kc_redis_get(struct kc_redis *r, const char *key, char **val, size_t *len, struct kc_err *err)
{
    *val = NULL;
    if (len) *len = 0;
    const char *argv[] = {"GET", key};
    redisReply *rep = kc_redis_cmdargv(r, 2, argv, NULL, err);
    if (!rep) return -1;
    int rc = 0;
    if (rep->type == REDIS_REPLY_STRING) {
        *val = malloc(rep->len + 1);
        if (*val) {
            memcpy(*val, rep->str, rep->len);
            (*val)[rep->len] = '\0';
            if (len) *len = rep->len;
            rc = 1;
        } else {
            rc = kc_err_set(err, KC_E_NOMEM, "out of memory");
        }
    } else if (rep->type != REDIS_REPLY_NIL) {
        rc = kc_err_set(err, KC_E_INTERNAL, "redis GET %.100s: unexpected reply type %d", key,
                        rep->type);
    }
    freeReplyObject(rep);
    return rc;
}

/* Run a command whose reply only matters for errors. */
static int run_void(struct kc_redis *r, int argc, const char **argv, const size_t *lens,
                    struct kc_err *err)
{
    redisReply *rep = kc_redis_cmdargv(r, argc, argv, lens, err);
    if (!rep) return -1;
    freeReplyObject(rep);
    return 0;
}

int kc_redis_setex(struct kc_redis *r, const char *key, const void *val, size_t len, int ttl_s,
                   struct kc_err *err)
{
    if (ttl_s <= 0)
        return kc_err_field(err, KC_E_INVALID, "ttl_s", "redis SETEX: ttl must be > 0 s");
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    const char *argv[] = {"SETEX", key, ttl, val};
    size_t lens[] = {5, strlen(key), strlen(ttl), len};
    return run_void(r, 4, argv, lens, err);
}

int kc_redis_del(struct kc_redis *r, const char *key, struct kc_err *err)
{
    const char *argv[] = {"DEL", key};
    return run_void(r, 2, argv, NULL, err);
}

int kc_redis_publish(struct kc_redis *r, const char *channel, const char *msg, struct kc_err *err)
{
    const char *argv[] = {"PUBLISH", channel, msg};
    return run_void(r, 3, argv, NULL, err);
}

/* ---- pub/sub ---------------------------------------------------------------------------- */

struct kc_redis_sub *kc_redis_subscribe(const char *url, const char *channel, struct kc_err *err)
{
    struct kc_redis_url u;
    if (kc_redis_url_parse(url, &u, err) != 0) {
        kc_err_prefix(err, "redis URL");
        return NULL;
    }
    char msg[160];
    redisContext *c = connect_ctx(&u, 2000, msg, sizeof msg);
    explicit_bzero(&u, sizeof u);
    if (!c) {
        kc_err_set(err, KC_E_UNAVAILABLE, "redis unavailable: %s", msg);
        return NULL;
    }
    const char *argv[] = {"SUBSCRIBE", channel};
    redisReply *rep = redisCommandArgv(c, 2, argv, NULL);
    int ok = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 3 &&
             rep->element[0]->type == REDIS_REPLY_STRING &&
             strcmp(rep->element[0]->str, "subscribe") == 0;
    if (!ok) {
        kc_err_set(err, KC_E_UNAVAILABLE, "redis SUBSCRIBE %.100s failed: %s", channel,
                   rep ? (rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply")
                       : c->errstr);
        if (rep) freeReplyObject(rep);
        redisFree(c);
        return NULL;
    }
    freeReplyObject(rep);
    struct kc_redis_sub *s = calloc(1, sizeof *s);
    if (!s) {
        redisFree(c);
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    s->ctx = c;
    return s;
}

/* 1 and *msg when rep is a "message" push; 0 for other pushes (subscribe confirmations). */
static int take_message(redisReply *rep, char **msg, struct kc_err *err)
{
    int is_msg = rep->type == REDIS_REPLY_ARRAY && rep->elements == 3 &&
                 rep->element[0]->type == REDIS_REPLY_STRING &&
                 strcmp(rep->element[0]->str, "message") == 0 &&
                 rep->element[2]->type == REDIS_REPLY_STRING;
    if (!is_msg) return 0;
    redisReply *body = rep->element[2];
    *msg = malloc(body->len + 1);
    if (!*msg) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    memcpy(*msg, body->str, body->len);
    (*msg)[body->len] = '\0';
    return 1;
}

int kc_redis_sub_next(struct kc_redis_sub *s, int timeout_ms, char **msg, struct kc_err *err)
{
    *msg = NULL;
    if (!s->ctx) return kc_err_set(err, KC_E_UNAVAILABLE, "subscription connection is closed");
    long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        void *rep = NULL;
        if (redisGetReplyFromReader(s->ctx, &rep) != REDIS_OK)
            return kc_err_set(err, KC_E_UNAVAILABLE, "redis subscription: %s", s->ctx->errstr);
        if (rep) {
            int rc = take_message(rep, msg, err);
            freeReplyObject(rep);
            if (rc != 0) return rc;
            continue;
        }
        long long left = deadline - now_ms();
        struct pollfd p = {.fd = s->ctx->fd, .events = POLLIN};
        int n = poll(&p, 1, left > 0 ? (int)left : 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return kc_err_set(err, KC_E_IO, "poll: %s", strerror(errno));
        if (n == 0) return 0;
        if (redisBufferRead(s->ctx) != REDIS_OK)
            return kc_err_set(err, KC_E_UNAVAILABLE, "redis subscription lost: %s", s->ctx->errstr);
    }
}

void kc_redis_sub_free(struct kc_redis_sub *s)
{
    if (!s) return;
    if (s->ctx) redisFree(s->ctx);
    free(s);
}
