/*
 * ratelimit.c — fixed-window login limiter (see ratelimit.h).
 */
#include "ratelimit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "redis.h"

static const char script[] =
    "local c = redis.call('INCR', KEYS[1]) "
    "local t = redis.call('TTL', KEYS[1]) "
    "if c == 1 or t < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) t = tonumber(ARGV[1]) end "
    "return {c, t}";

void kc_ratelimit_key(const char *scope, const char *subject, char *out, size_t cap)
{
    char norm[320], hex[65];
    size_t n = 0;
    const char *s = subject ? subject : "";
    while (*s == ' ') s++;
    for (; *s && n + 1 < sizeof norm; s++) norm[n++] = (char)tolower((unsigned char)*s);
    while (n && norm[n - 1] == ' ') n--;
    norm[n] = '\0';
    kc_token_sha256_hex(norm, hex);
    snprintf(out, cap, "kc:backend:rl:%s:%s", scope, hex);
}

int kc_ratelimit_exceeded(long long count, int limit)
{
    return limit > 0 && count > limit;
}

int kc_ratelimit_hit(struct kc_redis *r, const char *scope, const char *subject, int limit,
                     int window_s, int *retry_after_s, struct kc_err *err)
{
    char key[128], win[16];
    *retry_after_s = 0;
    if (limit <= 0) return 0;
    kc_ratelimit_key(scope, subject, key, sizeof key);
    snprintf(win, sizeof win, "%d", window_s);
    redisReply *rep = kc_redis_cmd(r, err, "EVAL %s 1 %s %s", script, key, win);
    if (!rep) return 0;
    int over = 0;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
        rep->element[0]->type == REDIS_REPLY_INTEGER) {
        over = kc_ratelimit_exceeded(rep->element[0]->integer, limit);
        *retry_after_s = (int)rep->element[1]->integer;
        if (*retry_after_s <= 0) *retry_after_s = window_s;
    }
    freeReplyObject(rep);
    return over;
}
