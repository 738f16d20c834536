/*
 * ai_client.c — JSON over HTTP to the agent and the video service (contract in ai.h).
 *
 * Each call uses its own curl easy handle (reentrant), sends X-Internal-Token, limits the
 * answer to 16 MiB and the whole call to timeout_ms. Transport failures and an unset peer
 * URL are KC_E_UNAVAILABLE so handlers answer 503 with the reason instead of inventing data.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "config.h"

#define MAX_ANSWER (16u << 20)

struct buf {
    char *p;
    size_t n;
    int over;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t k = size * nmemb;
    if (b->n + k > MAX_ANSWER) {
        b->over = 1;
        return 0;
    }
    char *np = realloc(b->p, b->n + k + 1);
    if (!np) return 0;
    memcpy(np + b->n, ptr, k);
    b->p = np;
    b->n += k;
    b->p[b->n] = 0;
    return k;
}

static const char *peer_url(const struct kc_app *app, enum kc_ai_peer peer)
{
    return peer == KC_AI_AGENT ? app->cfg->agent_url : app->cfg->video_url;
}

static const char *peer_name(enum kc_ai_peer peer)
{
    return peer == KC_AI_AGENT ? "agent" : "video-analysis service";
}

static struct curl_slist *headers(const struct kc_app *app)
{
    char tok[200];
    snprintf(tok, sizeof tok, "X-Internal-Token: %s", app->cfg->internal_token);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/json");
    return curl_slist_append(h, tok);
}

int kc_ai_call(const struct kc_app *app, enum kc_ai_peer peer, const char *method, const char *path,
               const json_t *body, long timeout_ms, long *status, json_t **out, struct kc_err *err)
{
    const char *base = peer_url(app, peer);
    *out = NULL;
    if (!base || !*base)
        return kc_err_set(err, KC_E_UNAVAILABLE, "the %s is not configured", peer_name(peer));
    char url[600];
    snprintf(url, sizeof url, "%s%s", base, path);
    CURL *h = curl_easy_init();
    if (!h) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    char *payload = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct curl_slist *hd = headers(app);
    struct buf b = {0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 2000 ? timeout_ms : 2000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    if (payload) curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(h);
    curl_slist_free_all(hd);
    free(payload);
    int ret = 0;
    if (rc != CURLE_OK)
        ret = kc_err_set(err, KC_E_UNAVAILABLE, "the %s is unavailable: %s%s", peer_name(peer),
                         curl_easy_strerror(rc), b.over ? " (answer too large)" : "");
    else if (b.p)
        *out = json_loadb(b.p, b.n, 0, NULL);
    free(b.p);
    return ret;
}
