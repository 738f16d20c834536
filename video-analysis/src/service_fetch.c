/*
 * service_fetch.c — fetch an input blob from the backend (DESIGN.md: files are blobs addressed
 * by sha256, written once by the backend; workers fetch them over its internal route).
 *
 *   GET {KOCRUIT_BACKEND_URL}/internal/blobs/{sha256}   X-Internal-Token: …
 * The body streams into <path>.part while its sha256 is computed; it is renamed to <path>
 * only when the hash matches and the size is within KOCRUIT_MAX_UPLOAD_MB, so a truncated or
 * tampered transfer never becomes an input. Connection failures and 5xx are KC_E_UNAVAILABLE
 * (the job is retried); 404, a hash mismatch and an oversize body are final.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "service_private.h"

struct sink {
    FILE *f;
    crypto_hash_sha256_state st;
    size_t bytes, max;
    int too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    struct sink *s = ctx;
    size_t len = size * n;
    s->bytes += len;
    if (s->bytes > s->max) {
        s->too_big = 1;
        return 0; /* aborts the transfer */
    }
    crypto_hash_sha256_update(&s->st, (const unsigned char *)p, len);
    return fwrite(p, 1, len, s->f) == len ? len : 0;
}

static int transfer(struct kc_vsvc *vs, const char *sha, struct sink *s, long *status,
                    struct kc_err *err)
{
    CURL *c = curl_easy_init();
    if (!c) return kc_err_set(err, KC_E_NOMEM, "cannot create an HTTP client");
    char url[600], hdr[200];
    snprintf(url, sizeof url, "%s/internal/blobs/%s", vs->cfg->backend_url, sha);
    snprintf(hdr, sizeof hdr, "X-Internal-Token: %s", vs->cfg->internal_token);
    struct curl_slist *h = curl_slist_append(NULL, hdr);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L); /* < 1 KiB/s for 30 s: give up */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (s->too_big)
        return kc_err_set(err, KC_E_TOO_LARGE, "blob %s is larger than KOCRUIT_MAX_UPLOAD_MB", sha);
    if (rc != CURLE_OK)
        return kc_err_set(err, KC_E_UNAVAILABLE, "fetching blob %s from the backend: %s", sha,
                          curl_easy_strerror(rc));
    return 0;
}

int kc_vs_fetch_blob(struct kc_vsvc *vs, const char *sha, const char *path, struct kc_err *err)
{
    char part[900];
    snprintf(part, sizeof part, "%s.part", path);
    struct sink s = {.f = fopen(part, "wb"), .max = vs->cfg->max_upload_bytes};
    if (!s.f) return kc_err_set(err, KC_E_IO, "cannot write %s", part);
    crypto_hash_sha256_init(&s.st);
    long status = 0;
    int rc = transfer(vs, sha, &s, &status, err);
    if (fclose(s.f) != 0 && rc == 0) rc = kc_err_set(err, KC_E_IO, "writing %s failed", part);
    if (rc == 0 && status == 404)
        rc = kc_err_set(err, KC_E_NOT_FOUND, "the backend has no blob %s", sha);
    else if (rc == 0 && (status == 401 || status == 403))
        rc = kc_err_set(err, KC_E_UNAVAILABLE,
                        "the backend refused the internal token (HTTP %ld) fetching blob %s",
                        status, sha);
    else if (rc == 0 && status != 200)
        rc = kc_err_set(err, KC_E_UNAVAILABLE, "the backend answered HTTP %ld for blob %s", status,
                        sha);
    if (rc == 0) {
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[65];
        crypto_hash_sha256_final(&s.st, h);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        if (strcmp(hex, sha))
            rc = kc_err_set(err, KC_E_UNPROCESSABLE,
                            "blob %s from the backend has sha256 %s: rejected", sha, hex);
    }
    if (rc == 0 && rename(part, path) != 0)
        rc = kc_err_set(err, KC_E_IO, "cannot move the fetched blob into %s", path);
    if (rc) unlink(part);
    return rc;
}
