/*
 * jobcache.c — the Redis cache of public job lists and details.
 *
 * Keys: kc:backend:jobs:<sha256 of the normalised query> (DESIGN.md's key scheme), with the
 * answer's JSON text as value and a TTL the caller computes (≤ 60 s, shorter when a job
 * opens or closes sooner). Invalidation is by key: every stored key is added to the set
 * kc:backend:jobs:keys, and a job change deletes exactly those keys (no SCAN/KEYS).
 * Race: a reader that missed may compute an answer from the database just before a change
 * and store it just after the invalidation. To prevent that, a generation counter
 * kc:backend:jobs:gen is read before the database read and the store is a Lua script that
 * writes only if the generation is unchanged; invalidation increments it first.
 * A cache hit costs one GET. Redis errors never fail a request: the answer is computed and
 * sent uncached.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "log.h"

#define CACHE_SET "kc:backend:jobs:keys"
#define CACHE_GEN "kc:backend:jobs:gen"

static const char store_script[] = "local g = redis.call('GET', KEYS[3]) or '0' "
                                   "if g ~= ARGV[3] then return 0 end "
                                   "redis.call('SETEX', KEYS[1], ARGV[1], ARGV[2]) "
                                   "redis.call('SADD', KEYS[2], KEYS[1]) return 1";

void kc_jobcache_normalise(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    int space = 0;
    for (const char *p = in ? in : ""; *p && o + 2 < cap; p++) {
        if (isspace((unsigned char)*p)) {
            space = o > 0;
            continue;
        }
        if (space) out[o++] = ' ';
        space = 0;
        out[o++] = (char)tolower((unsigned char)*p);
    }
    out[o] = '\0';
}

void kc_jobcache_key(const char *norm, char *key, size_t cap)
{
    char hex[65];
    kc_token_sha256_hex(norm, hex);
    snprintf(key, cap, "kc:backend:jobs:%s", hex);
}

int kc_jobcache_get(struct kc_app *app, const char *key, struct kc_resp *resp)
{
    struct kc_err err = {0};
    char *val = NULL;
    size_t len = 0;
    if (kc_redis_get(app->redis, key, &val, &len, &err) != 1) return 0;
    kc_resp_header(resp, "X-Cache", "hit");
    kc_resp_bytes(resp, 200, "application/json", val, len);
    free(val);
    return 1;
}

long long kc_jobcache_version(struct kc_app *app)
{
    struct kc_err err = {0};
    char *val = NULL;
    size_t len = 0;
    int rc = kc_redis_get(app->redis, CACHE_GEN, &val, &len, &err);
    long long v = rc == 1 ? strtoll(val, NULL, 10) : rc == 0 ? 0 : -1;
    free(val);
    return v;
}

void kc_jobcache_put_and_answer(struct kc_app *app, const char *key, json_t *body, int ttl,
                                long long version, struct kc_resp *resp)
{
    struct kc_err err = {0};
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text) KC_ERRF(resp, KC_E_NOMEM, NULL, "out of memory");
    if (ttl > 0 && version >= 0) {
        char ttl_s[16], gen[24];
        snprintf(ttl_s, sizeof ttl_s, "%d", ttl);
        snprintf(gen, sizeof gen, "%lld", version);
        const char *argv[] = {"EVAL",    store_script, "3",  key, CACHE_SET,
                              CACHE_GEN, ttl_s,        text, gen};
        size_t lens[9];
        for (int i = 0; i < 9; i++) lens[i] = strlen(argv[i]);
        redisReply *r = kc_redis_cmdargv(app->redis, 9, argv, lens, &err);
        if (r) freeReplyObject(r);
    }
    kc_resp_header(resp, "X-Cache", "miss");
    kc_resp_bytes(resp, 200, "application/json", text, strlen(text));
    free(text);
}

void kc_jobs_cache_invalidate(struct kc_app *app)
{
    struct kc_err err = {0};
    redisReply *r = kc_redis_cmd(app->redis, &err, "INCR %s", CACHE_GEN);
    if (r) freeReplyObject(r);
    r = kc_redis_cmd(app->redis, &err, "SMEMBERS %s", CACHE_SET);
    if (!r) {
        kc_warn("job cache invalidation failed: %s", err.message);
        return;
    }
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        kc_redis_del(app->redis, r->element[i]->str, &err);
        redisReply *x = kc_redis_cmd(app->redis, &err, "SREM %s %s", CACHE_SET, r->element[i]->str);
        if (x) freeReplyObject(x);
    }
    freeReplyObject(r);
}
