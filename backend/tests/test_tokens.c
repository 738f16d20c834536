/*
 * test_tokens.c — access JWTs (good, expired, tampered, alg:none, HS512, wrong key, wrong
 * typ, garbage), opaque tokens, password hashing and the role policy.
 */
#include <criterion/criterion.h>
#include <jwt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

static const unsigned char key[] = "0123456789abcdef0123456789abcdef-test";
#define KL  (sizeof key - 1)
#define NOW 1800000000L

static void setup(void)
{
    cr_assert_eq(kc_auth_init(NULL), 0);
}

static char *forge(jwt_alg_t alg, const char *typ, long iat, long exp, const unsigned char *k)
{
    jwt_t *j;
    cr_assert_eq(jwt_new(&j), 0);
    jwt_add_grant(j, "iss", "kocruit");
    jwt_add_grant(j, "sub", "7");
    jwt_add_grant(j, "typ", typ);
    jwt_add_grant(j, "role", "admin");
    jwt_add_grant_int(j, "iat", iat);
    jwt_add_grant_int(j, "ver", 0);
    jwt_add_grant_int(j, "exp", exp);
    jwt_set_alg(j, alg, alg == JWT_ALG_NONE ? NULL : k, alg == JWT_ALG_NONE ? 0 : (int)KL);
    char *s = jwt_encode_str(j);
    jwt_free(j);
    return s;
}

Test(jwt, sign_and_verify, .init = setup)
{
    char *tok = NULL;
    struct kc_access_claims c;
    struct kc_err e = {0};
    cr_assert_eq(kc_token_sign_access(key, KL, 42, "applicant", 3, NOW, 900, &tok, &e), 0);
    cr_assert_eq(kc_token_verify_access(tok, key, KL, NOW + 10, &c, &e), 0, "%s", e.message);
    cr_expect_eq(c.user_id, 42);
    cr_expect_str_eq(c.role, "applicant");
    cr_expect_eq(c.exp, NOW + 900);
    cr_expect_eq(c.version, 3);
    /* expired: libjwt alone would accept it */
    cr_expect_eq(kc_token_verify_access(tok, key, KL, NOW + 900, &c, &e), -1);
    cr_expect_eq(e.code, KC_E_UNAUTHORIZED);
    cr_expect(strstr(e.message, "expired"));
    /* tampered payload: flip one character of the payload part */
    char *t2 = strdup(tok);
    char *dot = strchr(t2, '.');
    dot[5] = dot[5] == 'A' ? 'B' : 'A';
    cr_expect_eq(kc_token_verify_access(t2, key, KL, NOW, &c, &e), -1);
    /* tampered signature */
    strcpy(t2, tok);
    t2[strlen(t2) - 2] = t2[strlen(t2) - 2] == 'x' ? 'y' : 'x';
    cr_expect_eq(kc_token_verify_access(t2, key, KL, NOW, &c, &e), -1);
    /* wrong key */
    cr_expect_eq(kc_token_verify_access(tok,
                                        (const unsigned char *)"another-secret-of-32-bytes-xxxxxx",
                                        33, NOW, &c, &e),
                 -1);
    free(t2);
    free(tok);
}

Test(jwt, rejects_forged_algorithms_and_types, .init = setup)
{
    struct kc_access_claims c;
    struct kc_err e = {0};
    char *none = forge(JWT_ALG_NONE, "access", NOW, NOW + 900, NULL);
    cr_assert_not_null(none);
    cr_expect_eq(kc_token_verify_access(none, key, KL, NOW, &c, &e), -1, "alg:none accepted");
    char *hs512 = forge(JWT_ALG_HS512, "access", NOW, NOW + 900, key);
    cr_expect_eq(kc_token_verify_access(hs512, key, KL, NOW, &c, &e), -1, "HS512 accepted");
    char *refresh = forge(JWT_ALG_HS256, "refresh", NOW, NOW + 900, key);
    cr_expect_eq(kc_token_verify_access(refresh, key, KL, NOW, &c, &e), -1, "typ ignored");
    char *future = forge(JWT_ALG_HS256, "access", NOW + 3600, NOW + 7200, key);
    cr_expect_eq(kc_token_verify_access(future, key, KL, NOW, &c, &e), -1, "future iat");
    char *good = forge(JWT_ALG_HS256, "access", NOW, NOW + 900, key);
    cr_expect_eq(kc_token_verify_access(good, key, KL, NOW, &c, &e), 0, "%s", e.message);
    /* hand-made alg:none with an empty signature */
    const char *hand = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
                       "eyJpc3MiOiJrb2NydWl0Iiwic3ViIjoiMSIsInR5cCI6ImFjY2VzcyIsInJvbGUiOiJhZG1pbiI"
                       "sImlhdCI6MTgwMDAwMDAwMCwiZXhwIjo0MDAwMDAwMDAwfQ.";
    cr_expect_eq(kc_token_verify_access(hand, key, KL, NOW, &c, &e), -1);
    const char *garbage[] = {"", "a.b.c", "....", "eyJ.eyJ.", "not a token"};
    for (size_t i = 0; i < 5; i++)
        cr_expect_eq(kc_token_verify_access(garbage[i], key, KL, NOW, &c, &e), -1);
    free(none), free(hs512), free(refresh), free(future), free(good);
}

Test(tokens, random_hash_equal, .init = setup)
{
    char a[64], b[64], h[65];
    kc_token_random(a, sizeof a);
    kc_token_random(b, sizeof b);
    cr_expect_eq(strlen(a), KC_TOKEN_CHARS);
    cr_expect_str_neq(a, b);
    kc_token_sha256_hex("abc", h);
    cr_expect_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cr_expect(kc_token_equal("secret", "secret"));
    cr_expect_not(kc_token_equal("secret", "secreT"));
    cr_expect_not(kc_token_equal("", ""));
}

Test(password, hash_and_verify, .init = setup)
{
    char h[128];
    cr_assert_eq(kc_password_hash("correct horse battery", h, sizeof h, NULL), 0);
    cr_expect(strncmp(h, "$argon2id$", 10) == 0);
    cr_expect(kc_password_verify(h, "correct horse battery"));
    cr_expect_not(kc_password_verify(h, "correct horse batterY"));
    cr_expect_not(kc_password_verify("garbage", "x"));
}

Test(policy, roles_and_memberships)
{
    struct kc_user app = {.id = 1, .role = "applicant"};
    struct kc_user mgr = {.id = 2,
                          .role = "staff",
                          .n_memberships = 1,
                          .memberships = {{.company_id = 5, .role = "manager"}}};
    struct kc_user itv = {.id = 3,
                          .role = "staff",
                          .n_memberships = 1,
                          .memberships = {{.company_id = 5, .role = "interviewer"}}};
    struct kc_user adm = {.id = 4, .role = "admin"};
    cr_expect(kc_auth_allows(KC_AUTH_USER, &app));
    cr_expect(kc_auth_allows(KC_AUTH_APPLICANT, &app));
    cr_expect_not(kc_auth_allows(KC_AUTH_STAFF, &app));
    cr_expect_not(kc_auth_allows(KC_AUTH_ADMIN, &mgr));
    cr_expect(kc_auth_allows(KC_AUTH_RECRUITER, &mgr));
    cr_expect(kc_auth_allows(KC_AUTH_MANAGER, &mgr));
    cr_expect(kc_auth_allows(KC_AUTH_STAFF, &itv));
    cr_expect_not(kc_auth_allows(KC_AUTH_RECRUITER, &itv));
    cr_expect_not(kc_auth_allows(KC_AUTH_APPLICANT, &itv));
    cr_expect(kc_auth_allows(KC_AUTH_ADMIN, &adm));
    cr_expect_not(kc_auth_allows(KC_AUTH_STAFF | KC_AUTH_APPLICANT, &adm));
    cr_expect(kc_auth_is_recruiter(&mgr, 5));
    cr_expect_not(kc_auth_is_recruiter(&mgr, 6));
    cr_expect_not(kc_auth_is_recruiter(&itv, 5));
    cr_expect_null(kc_auth_company_role(&app, 5));
}
