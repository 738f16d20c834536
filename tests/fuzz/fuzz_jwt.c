/*
 * fuzz_jwt.c — libFuzzer target for access-token verification (backend/src/token.c).
 *
 * Design: two modes, chosen by the first input byte.
 *  - forge (even): the rest of the input is used verbatim as a token and verified with a fixed
 *    32-byte key. Whenever verification succeeds, the harness recomputes HMAC-SHA256 over
 *    "header.payload" itself and requires it to equal the token's signature; so alg:none,
 *    alg confusion, truncated or re-encoded signatures can never pass unnoticed.
 *  - claims (odd): the rest of the input is taken as the JSON payload, wrapped in an HS256
 *    header and correctly signed with the key, so the claim checks (iss, typ, sub, role, exp,
 *    ver, iat) see arbitrary, authenticated claim sets.
 * Invariants: no crash or leak; a verified token has a genuine signature, user_id > 0, a
 * NUL-terminated role, exp > now; a token signed with a different key never verifies.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

#define KC_FUZZ_NOW 1790000000L /* fixed clock: 2026-09 */

static const unsigned char key[32] = "kocruit-fuzz-key-0123456789abcde";

static void check(int ok)
{
    if (!ok) abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) abort();
    return 0;
}

/* 1 when token's third part is the base64url HMAC-SHA256 of its first two parts. */
static int genuine(const char *token)
{
    const char *dot2 = strrchr(token, '.');
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char b64[sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    if (!dot2) return 0;
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, sizeof key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, (size_t)(dot2 - token));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return strcmp(b64, dot2 + 1) == 0;
}

static void verify(const char *token)
{
    struct kc_access_claims c;
    struct kc_err err = {0};
    if (kc_token_verify_access(token, key, sizeof key, KC_FUZZ_NOW, &c, &err) != 0) {
        check(err.code == KC_E_UNAUTHORIZED);
        return;
    }
    check(genuine(token));
    check(c.user_id > 0 && memchr(c.role, 0, sizeof c.role) && c.exp > KC_FUZZ_NOW);
    static const unsigned char other[32] = "another-key-another-key-another!";
    check(kc_token_verify_access(token, other, sizeof other, KC_FUZZ_NOW, &c, &err) != 0);
}

static char *sign_payload(const uint8_t *p, size_t n)
{
    static const char head[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    size_t hl =
        sodium_base64_ENCODED_LEN(sizeof head - 1, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t pl = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t cap = hl + pl + 64;
    char *t = malloc(cap);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    if (!t) return NULL;
    sodium_bin2base64(t, hl, (const unsigned char *)head, sizeof head - 1,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t len = strlen(t);
    t[len++] = '.';
    sodium_bin2base64(t + len, pl, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    len += strlen(t + len);
    crypto_auth_hmacsha256(mac, (const unsigned char *)t, len, key);
    t[len++] = '.';
    sodium_bin2base64(t + len, cap - len, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192) return 0;
    char *token;
    if (data[0] & 1) {
        token = sign_payload(data + 1, size - 1);
    } else {
        token = malloc(size);
        if (token) {
            memcpy(token, data + 1, size - 1);
            token[size - 1] = '\0';
        }
    }
    if (!token) return 0;
    verify(token);
    free(token);
    return 0;
}
