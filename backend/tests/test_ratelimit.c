/*
 * test_ratelimit.c — the login limiter: key normalisation and hashing, the over-limit
 * decision, and the Redis script against a private redis-server (window TTL set on the
 * first hit, counting, Retry-After, fail-open when Redis is down), and the job cache key
 * normalisation.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api.h"
#include "ratelimit.h"
#include "redis.h"
#include "testutil.h"

Test(ratelimit, key_and_math)
{
    char a[128], b[128];
    kc_ratelimit_key("login-email", " Kim@Example.COM ", a, sizeof a);
    kc_ratelimit_key("login-email", "kim@example.com", b, sizeof b);
    cr_expect_str_eq(a, b);
    cr_expect(strncmp(a, "kc:backend:rl:login-email:", 26) == 0);
    cr_expect_null(strstr(a, "example"), "the subject must not appear in clear");
    cr_expect_not(kc_ratelimit_exceeded(10, 10));
    cr_expect(kc_ratelimit_exceeded(11, 10));
    cr_expect_not(kc_ratelimit_exceeded(1000, 0));
}

Test(ratelimit, counts_in_redis, .timeout = 30)
{
    struct kc_test_redis h;
    struct kc_err err = {0};
    cr_assert_eq(kc_test_redis_start(&h), 0);
    struct kc_redis *r = kc_redis_new(h.url, 2, 1000, &err);
    cr_assert_not_null(r);
    int ra = 0;
    for (int i = 1; i <= 3; i++)
        cr_expect_eq(kc_ratelimit_hit(r, "t", "1.2.3.4", 3, 900, &ra, &err), 0, "hit %d", i);
    cr_expect_eq(kc_ratelimit_hit(r, "t", "1.2.3.4", 3, 900, &ra, &err), 1);
    cr_expect(ra > 0 && ra <= 900, "retry after %d", ra);
    cr_expect_eq(kc_ratelimit_hit(r, "t", "5.6.7.8", 3, 900, &ra, &err), 0, "other subject");
    kc_test_redis_kill(&h);
    kc_err_clear(&err);
    cr_expect_eq(kc_ratelimit_hit(r, "t", "1.2.3.4", 3, 900, &ra, &err), 0, "fails open");
    cr_expect_neq(err.code, KC_OK, "but reports why");
    kc_redis_free(r);
}

/* The job cache's query normalisation (jobcache.c): case and spacing do not split the cache. */
Test(jobcache, normalised_keys)
{
    char a[64], b[64], ka[128], kb[128];
    kc_jobcache_normalise("  Backend   개발\t", a, sizeof a);
    cr_expect_str_eq(a, "backend 개발");
    kc_jobcache_normalise("backend 개발", b, sizeof b);
    kc_jobcache_key(a, ka, sizeof ka);
    kc_jobcache_key(b, kb, sizeof kb);
    cr_expect_str_eq(ka, kb);
    cr_expect(strncmp(ka, "kc:backend:jobs:", 16) == 0 && strlen(ka) == 16 + 64);
    kc_jobcache_normalise(NULL, a, sizeof a);
    cr_expect_str_eq(a, "");
}
