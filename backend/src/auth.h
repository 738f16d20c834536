/*
 * auth.h — the backend's access policy, tokens and passwords.
 *
 * Policy. Every route of the table in routes.c carries an `auth` word made of the bits
 * below; 0 means public on purpose. The guard (guard.c) runs before the body is read:
 *   - KC_AUTH_INTERNAL: the X-Internal-Token header must equal KOCRUIT_INTERNAL_TOKEN
 *     (constant-time compare); missing → 401, wrong → 403. No user is attached.
 *   - any other bit: a valid bearer access JWT is required (missing, malformed, tampered,
 *     expired, alg other than HS256, wrong `typ` → 401), the user is loaded with their
 *     company memberships and kc_auth_allows() decides (not allowed → 403).
 * The bits are alternatives (OR): KC_AUTH_APPLICANT|KC_AUTH_STAFF admits both.
 * Company-level checks (is the caller a recruiter OF THIS company?) happen in handlers,
 * which answer 404 for another company's object so ids do not leak.
 *
 * Tokens. Access tokens are HS256 JWTs {iss:"kocruit", sub:"<user id>", typ:"access",
 * role, ver, iat, exp}; libjwt 1.10 checks neither alg nor exp, so kc_token_verify_access does.
 * Refresh, invitation and reset tokens are 32 random bytes in base64url (43 chars); only
 * their sha256 (hex) is stored.
 *
 * Thread-safety: all functions are reentrant (libsodium must be initialised once:
 * kc_auth_init). Memory: strings returned through `char **` are malloc'd; caller frees.
 */
#ifndef KC_BACKEND_AUTH_H
#define KC_BACKEND_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define KC_AUTH_PUBLIC    0u
#define KC_AUTH_USER      (1u << 0) /* any signed-in user */
#define KC_AUTH_APPLICANT (1u << 1) /* users.role = applicant */
#define KC_AUTH_STAFF     (1u << 2) /* users.role = staff (member of some company) */
#define KC_AUTH_RECRUITER (1u << 3) /* staff with a manager or recruiter membership */
#define KC_AUTH_MANAGER   (1u << 4) /* staff with a manager membership */
#define KC_AUTH_ADMIN     (1u << 5) /* users.role = admin */
#define KC_AUTH_INTERNAL  (1u << 6) /* X-Internal-Token; service to service */

#define KC_ACCESS_TTL_S    (15 * 60)
#define KC_REFRESH_TTL_S   (30 * 24 * 3600)
#define KC_TOKEN_CHARS     43 /* base64url of 32 bytes, no padding */
#define KC_MAX_MEMBERSHIPS 32

struct kc_membership {
    int64_t company_id;
    char role[16]; /* manager | recruiter | interviewer */
};

/* The authenticated caller, attached to the request by the guard (kc_req_user). */
struct kc_user {
    int64_t id;
    char role[16]; /* applicant | staff | admin */
    char email[256];
    char name[128];
    int n_memberships;
    struct kc_membership memberships[KC_MAX_MEMBERSHIPS];
};

struct kc_access_claims {
    int64_t user_id;
    char role[16];
    int64_t version; /* users.token_version at issue time */
    long iat, exp;
};

int kc_auth_init(struct kc_err *err); /* sodium_init; call once at start-up */

/* 1 when a user with this role and memberships may use a route with this auth word
 * (which must not be public or internal-only), else 0. Pure. */
int kc_auth_allows(unsigned auth, const struct kc_user *user);
/* The caller's membership role in a company, or NULL when not a member. */
const char *kc_auth_company_role(const struct kc_user *user, int64_t company_id);
/* 1 when the caller is a manager or recruiter of the company. */
int kc_auth_is_recruiter(const struct kc_user *user, int64_t company_id);
int kc_auth_is_manager(const struct kc_user *user, int64_t company_id);

/* Sign an access token valid from now for ttl_s seconds. *out is malloc'd. */
int kc_token_sign_access(const unsigned char *key, size_t keylen, int64_t user_id, const char *role,
                         int64_t version, long now, long ttl_s, char **out, struct kc_err *err);
/* Verify signature (HS256 only), iss, typ, sub and exp against `now` (epoch seconds).
 * Any failure → -1 with KC_E_UNAUTHORIZED and a reason. */
int kc_token_verify_access(const char *token, const unsigned char *key, size_t keylen, long now,
                           struct kc_access_claims *out, struct kc_err *err);

/* 32 random bytes as base64url into out (≥ KC_TOKEN_CHARS + 1 bytes). */
void kc_token_random(char *out, size_t cap);
/* sha256 of a NUL-terminated string as 64 hex chars into out[65]. */
void kc_token_sha256_hex(const char *s, char out[65]);
/* Constant-time equality of two NUL-terminated strings (length leaks, content does not). */
int kc_token_equal(const char *a, const char *b);

/* argon2id (crypto_pwhash_str, INTERACTIVE limits; ~70 ms, 64 MiB): call outside any lock.
 * out must hold crypto_pwhash_STRBYTES (128). */
int kc_password_hash(const char *password, char *out, size_t cap, struct kc_err *err);
/* 1 when it matches, 0 when not (or the stored hash is malformed). */
int kc_password_verify(const char *stored, const char *password);

#endif
