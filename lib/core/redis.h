/*
 * redis.h — Redis client on hiredis 0.14 (RESP2): a small connection pool with reconnect and
 * backoff, command timeouts, and helpers for the cache and pub/sub.
 *
 * A pool hands each call its own redisContext (hiredis contexts are not thread-safe), so all
 * functions here are thread-safe. Connections are made lazily: creating the pool never fails
 * because Redis is down. A failed connection attempt is not retried before a backoff delay
 * (100 ms doubling to 2 s), so a dead Redis costs callers a fast KC_E_UNAVAILABLE, and
 * kc_redis_ping notices recovery within the backoff. Every command has a timeout
 * (timeout_ms); a connection that errors is dropped and re-made on next use.
 *
 * Replies are hiredis redisReply*; the caller frees them with freeReplyObject.
 * Keys follow `kc:<service>:<what>:<hash>` (DESIGN.md).
 */
#ifndef KC_REDIS_H
#define KC_REDIS_H

#include <stddef.h>
#include <hiredis/hiredis.h>

#include "err.h"

struct kc_redis;

/* A parsed redis:// URL (added for config validation and tests). */
struct kc_redis_url {
    char host[256]; /* name or address; an IPv6 literal without its brackets */
    int port;       /* default 6379 */
    char user[64];  /* ACL user or "" */
    char password[256];
    int db; /* default 0 */
};
/* Parse redis://[[user]:password@]host[:port][/db]. Messages never contain the password. */
int kc_redis_url_parse(const char *url, struct kc_redis_url *out, struct kc_err *err);

/* url: redis://[:password@]host:port[/db]. pool_size 0 = 8; timeout_ms 0 = 2000. */
struct kc_redis *kc_redis_new(const char *url, int pool_size, int timeout_ms, struct kc_err *err);
/* No call may be in progress on r (stop workers first). */
void kc_redis_free(struct kc_redis *r);

/* A command in hiredis' printf form ("SET %s %b", key, val, len). NULL + err on connection or
 * timeout failure (KC_E_UNAVAILABLE) or an error reply (KC_E_INTERNAL with Redis' text). */
redisReply *kc_redis_cmd(struct kc_redis *r, struct kc_err *err, const char *fmt, ...);
/* Binary-safe argv form. */
redisReply *kc_redis_cmdargv(struct kc_redis *r, int argc, const char **argv, const size_t *argvlen,
                             struct kc_err *err);
/* kc_redis_cmdargv with this call's reply timeout instead of the pool's (blocking commands
 * such as XREADGROUP … BLOCK use block time + pool timeout). */
redisReply *kc_redis_cmdargv_timeout(struct kc_redis *r, int timeout_ms, int argc,
                                     const char **argv, const size_t *argvlen, struct kc_err *err);
/* The pool's command timeout in ms (after defaults). */
int kc_redis_timeout_ms(const struct kc_redis *r);
/* 0 when PING answers PONG within the timeout, else -1 with the reason. */
int kc_redis_ping(struct kc_redis *r, struct kc_err *err);

/* Cache helpers. get returns 1 and a malloc'd copy (caller frees) when found, 0 when missing,
 * -1 on error. */
int kc_redis_get(struct kc_redis *r, const char *key, char **val, size_t *len, struct kc_err *err);
int kc_redis_setex(struct kc_redis *r, const char *key, const void *val, size_t len, int ttl_s,
                   struct kc_err *err);
int kc_redis_del(struct kc_redis *r, const char *key, struct kc_err *err);
int kc_redis_publish(struct kc_redis *r, const char *channel, const char *msg, struct kc_err *err);

/* A subscription on its own connection (not from the pool). Not thread-safe: one owner. */
struct kc_redis_sub;
struct kc_redis_sub *kc_redis_subscribe(const char *url, const char *channel, struct kc_err *err);
/* Waits up to timeout_ms for a message: 1 and a malloc'd *msg, 0 on timeout, -1 on error.
 * After -1 (connection lost) the subscription stays dead: free it and subscribe again. */
int kc_redis_sub_next(struct kc_redis_sub *s, int timeout_ms, char **msg, struct kc_err *err);
void kc_redis_sub_free(struct kc_redis_sub *s);

#endif
