/*
 * ratelimit.h — fixed-window counters in Redis for login attempts (per IP, per e-mail).
 *
 * Key: kc:backend:rl:<scope>:<sha256 hex of the normalised subject> (the subject — an IP or
 * a lower-cased e-mail — never appears in Redis in clear). One Lua script does INCR, sets
 * the window's EXPIRE on the first hit (and repairs a key that lost its TTL) and returns
 * the count and the remaining TTL, so a window cannot be left without expiry.
 * When Redis is unavailable the limiter fails OPEN (logs a warning): logins keep working
 * and argon2id still makes guessing slow.
 * Thread-safe (the Redis pool is).
 */
#ifndef KC_BACKEND_RATELIMIT_H
#define KC_BACKEND_RATELIMIT_H

#include <stddef.h>

#include "err.h"

struct kc_redis;

/* Normalised key for a scope and subject into out (≥ 100 bytes). E-mail subjects are
 * lower-cased and trimmed before hashing. Pure. */
void kc_ratelimit_key(const char *scope, const char *subject, char *out, size_t cap);
/* 1 when `count` hits in the window exceed `limit` (limit ≤ 0 disables). Pure. */
int kc_ratelimit_exceeded(long long count, int limit);

/* Count one hit. Returns 1 when over the limit (*retry_after_s set), 0 when allowed,
 * 0 as well when Redis failed (fail open; err has the reason). */
int kc_ratelimit_hit(struct kc_redis *r, const char *scope, const char *subject, int limit,
                     int window_s, int *retry_after_s, struct kc_err *err);

#endif
