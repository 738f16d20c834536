/*
 * token.c — access JWTs, opaque random tokens, password hashing and the pure policy check.
 *
 * libjwt 1.10 verifies an HMAC signature but decides nothing else: it accepts `alg:none`
 * tokens when no key is expected, does not look at `exp`, and accepts HS384/HS512 signed
 * with the same secret. So kc_token_verify_access checks, in order: libjwt decode with our
 * key, alg == HS256, iss, typ == "access", a positive numeric sub, exp > now and iat not in
 * the future (60 s skew). Everything it rejects is a 401 with a short reason.
 */
#include "auth.h"

#include <errno.h>
#include <jwt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISSUER       "kocruit"
#define CLOCK_SKEW_S 60

int kc_auth_init(struct kc_err *err)
{
    if (sodium_init() < 0) return kc_err_set(err, KC_E_INTERNAL, "libsodium failed to start");
    return 0;
}

const char *kc_auth_company_role(const struct kc_user *user, int64_t company_id)
{
    for (int i = 0; user && i < user->n_memberships; i++)
        if (user->memberships[i].company_id == company_id) return user->memberships[i].role;
    return NULL;
}

int kc_auth_is_recruiter(const struct kc_user *user, int64_t company_id)
{
    const char *r = kc_auth_company_role(user, company_id);
    return r && (!strcmp(r, "manager") || !strcmp(r, "recruiter"));
}

int kc_auth_is_manager(const struct kc_user *user, int64_t company_id)
{
    const char *r = kc_auth_company_role(user, company_id);
    return r && !strcmp(r, "manager");
}

static int has_membership_role(const struct kc_user *u, int recruiter_ok)
{
    for (int i = 0; i < u->n_memberships; i++) {
        const char *r = u->memberships[i].role;
        if (!strcmp(r, "manager")) return 1;
        if (recruiter_ok && !strcmp(r, "recruiter")) return 1;
    }
    return 0;
}

int kc_auth_allows(unsigned auth, const struct kc_user *u)
{
    if (!u) return 0;
    if (auth & KC_AUTH_USER) return 1;
    if ((auth & KC_AUTH_APPLICANT) && !strcmp(u->role, "applicant")) return 1;
    if ((auth & KC_AUTH_ADMIN) && !strcmp(u->role, "admin")) return 1;
    if (strcmp(u->role, "staff") != 0) return 0;
    if ((auth & KC_AUTH_STAFF) && u->n_memberships > 0) return 1;
    if ((auth & KC_AUTH_RECRUITER) && has_membership_role(u, 1)) return 1;
    if ((auth & KC_AUTH_MANAGER) && has_membership_role(u, 0)) return 1;
    return 0;
}

int kc_token_sign_access(const unsigned char *key, size_t keylen, int64_t user_id, const char *role,
                         int64_t version, long now, long ttl_s, char **out, struct kc_err *err)
{
    jwt_t *jwt = NULL;
    char sub[24];
    *out = NULL;
    snprintf(sub, sizeof sub, "%lld", (long long)user_id);
    if (jwt_new(&jwt) != 0) return kc_err_set(err, KC_E_NOMEM, "jwt_new failed");
    int rc = jwt_add_grant(jwt, "iss", ISSUER) | jwt_add_grant(jwt, "sub", sub) |
             jwt_add_grant(jwt, "typ", "access") | jwt_add_grant(jwt, "role", role) |
             jwt_add_grant_int(jwt, "iat", now) | jwt_add_grant_int(jwt, "ver", (long)version) |
             jwt_add_grant_int(jwt, "exp", now + ttl_s) |
             jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)keylen);
    if (rc == 0) *out = jwt_encode_str(jwt);
    jwt_free(jwt);
    if (!*out) return kc_err_set(err, KC_E_INTERNAL, "could not sign the access token");
    return 0;
}

static int parse_sub(const char *sub, int64_t *out)
{
    char *end = NULL;
    if (!sub || !*sub) return -1;
    errno = 0;
    long long v = strtoll(sub, &end, 10);
    if (errno || *end || v <= 0) return -1;
    *out = v;
    return 0;
}

static int check_claims(jwt_t *jwt, long now, struct kc_access_claims *out, struct kc_err *err)
{
    if (jwt_get_alg(jwt) != JWT_ALG_HS256)
        return kc_err_set(err, KC_E_UNAUTHORIZED, "token algorithm must be HS256");
    const char *iss = jwt_get_grant(jwt, "iss");
    const char *typ = jwt_get_grant(jwt, "typ");
    const char *role = jwt_get_grant(jwt, "role");
    if (!iss || strcmp(iss, ISSUER) != 0)
        return kc_err_set(err, KC_E_UNAUTHORIZED, "token issuer is not kocruit");
    if (!typ || strcmp(typ, "access") != 0)
        return kc_err_set(err, KC_E_UNAUTHORIZED, "not an access token");
    if (parse_sub(jwt_get_grant(jwt, "sub"), &out->user_id) != 0)
        return kc_err_set(err, KC_E_UNAUTHORIZED, "token subject is malformed");
    if (!role || strlen(role) >= sizeof out->role)
        return kc_err_set(err, KC_E_UNAUTHORIZED, "token role is malformed");
    snprintf(out->role, sizeof out->role, "%s", role);
    errno = 0;
    out->exp = jwt_get_grant_int(jwt, "exp");
    if (errno) return kc_err_set(err, KC_E_UNAUTHORIZED, "token has no exp");
    errno = 0;
    out->version = jwt_get_grant_int(jwt, "ver");
    if (errno) return kc_err_set(err, KC_E_UNAUTHORIZED, "token has no version");
    errno = 0;
    out->iat = jwt_get_grant_int(jwt, "iat");
    if (errno) return kc_err_set(err, KC_E_UNAUTHORIZED, "token has no iat");
    if (out->exp <= now) return kc_err_set(err, KC_E_UNAUTHORIZED, "token expired");
    if (out->iat > now + CLOCK_SKEW_S)
        return kc_err_set(err, KC_E_UNAUTHORIZED, "token issued in the future");
    return 0;
}

int kc_token_verify_access(const char *token, const unsigned char *key, size_t keylen, long now,
                           struct kc_access_claims *out, struct kc_err *err)
{
    jwt_t *jwt = NULL;
    memset(out, 0, sizeof *out);
    if (!token || !*token || strlen(token) > 4096)
        return kc_err_set(err, KC_E_UNAUTHORIZED, "missing or oversized token");
    /* libjwt verifies the HMAC when the header names an HMAC alg; an alg:none token decodes
     * without a signature check, so check_claims refuses any alg but HS256 afterwards. */
    if (jwt_decode(&jwt, token, key, (int)keylen) != 0 || !jwt)
        return kc_err_set(err, KC_E_UNAUTHORIZED, "token signature or format is invalid");
    int rc = check_claims(jwt, now, out, err);
    jwt_free(jwt);
    return rc;
}

void kc_token_random(char *out, size_t cap)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, cap, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void kc_token_sha256_hex(const char *s, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, 65, h, sizeof h);
}

int kc_token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb || la == 0) return 0;
    return sodium_memcmp(a, b, la) == 0;
}

int kc_password_hash(const char *password, char *out, size_t cap, struct kc_err *err)
{
    if (cap < crypto_pwhash_STRBYTES) return kc_err_set(err, KC_E_INTERNAL, "hash buffer");
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return kc_err_set(err, KC_E_NOMEM, "password hashing ran out of memory");
    return 0;
}

int kc_password_verify(const char *stored, const char *password)
{
    if (!stored || !password) return 0;
    return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}
