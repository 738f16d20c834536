/*
 * backend.c — JSON over HTTP to the backend's internal routes. See backend.h.
 */
#include "backend.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPLY (16u << 20)

struct reply {
    char *data;
    size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct reply *r = ud;
    size_t add = size * n;
    if (r->len + add > MAX_REPLY) return 0;
    char *d = realloc(r->data, r->len + add + 1);
    if (!d) return 0;
    memcpy(d + r->len, p, add);
    r->data = d;
    r->len += add;
    d[r->len] = '\0';
    return add;
}

int kc_backend_call(const struct kc_backend *b, const char *method, const char *path,
                    const json_t *body, long *status, json_t **out, struct kc_err *err)
{
    if (out) *out = NULL;
    char url[1024], token[200];
    snprintf(url, sizeof url, "%s%s", b->base_url, path);
    snprintf(token, sizeof token, "X-Internal-Token: %s", b->token ? b->token : "");
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    CURL *c = curl_easy_init();
    if (!c || (body && !text)) {
        free(text);
        if (c) curl_easy_cleanup(c);
        return kc_err_set(err, KC_E_NOMEM, "backend: cannot build the request");
    }
    struct curl_slist *h = curl_slist_append(NULL, token);
    h = curl_slist_append(h, "Accept: application/json");
    if (text) h = curl_slist_append(h, "Content-Type: application/json");
    struct reply r = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (text) curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)KC_BACKEND_CONNECT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     b->timeout_ms > 0 ? b->timeout_ms : (long)KC_BACKEND_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(text);
    if (rc != CURLE_OK) {
        free(r.data);
        return kc_err_set(err, KC_E_UNAVAILABLE, "backend %s %s: %s", method, path,
                          curl_easy_strerror(rc));
    }
    if (out && r.data) {
        json_error_t je;
        *out = json_loadb(r.data, r.len, 0, &je);
    }
    free(r.data);
    return 0;
}
