/*
 * service_events.c — GET /v1/analyses/{id}/events: progress as Server-Sent Events.
 *
 * The handler subscribes to kc:progress:<id> BEFORE reading the row, so no event published
 * between the two is lost. The stream then sends:
 *   event: progress   data: {"id","status","progress","stage"}   the current state, then each
 *                                                                  update the workers publish
 *   event: done | failed | cancelled | deleted                     once, then the stream ends
 * A terminal state already reached when the client connects is sent at once. The DB is
 * re-read every RECHECK_MS of silence (and when the subscription breaks), so a lost message
 * or a Redis restart cannot leave a client waiting for ever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/redis.h"
#include "service_private.h"

#define WAIT_MS    1000
#define RECHECK_MS 5000

struct stream {
    struct kc_vsvc *vs;
    char id[KC_VS_ID_LEN + 1];
    char chan[64]; /* kc:progress:<id> */
    struct kc_redis_sub *sub;
    json_t *pending; /* an event to send next (the initial state) */
    int ended;       /* the terminal event was sent: end on the next call */
    long long quiet_since;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool terminal(const char *status)
{
    return status && (!strcmp(status, "done") || !strcmp(status, "failed") ||
                      !strcmp(status, "cancelled") || !strcmp(status, "deleted"));
}

static json_t *state_event(const json_t *row)
{
    json_t *e = json_pack("{s:O,s:O,s:O,s:O}", "id", json_object_get(row, "id"), "status",
                          json_object_get(row, "status"), "progress",
                          json_object_get(row, "progress"), "stage", json_object_get(row, "stage"));
    json_t *error = json_object_get(row, "error");
    if (e && json_is_string(error)) json_object_set(e, "error", error);
    return e;
}

/* Format one event into buf; marks the stream ended after a terminal one. */
static long format(struct stream *s, const json_t *ev, char *buf, size_t cap)
{
    const char *status = json_string_value(json_object_get(ev, "status"));
    bool end = terminal(status);
    char *data = json_dumps(ev, JSON_COMPACT);
    if (!data) return 0;
    int n = snprintf(buf, cap, "event: %s\ndata: %s\n\n", end ? status : "progress", data);
    free(data);
    if (n < 0 || (size_t)n >= cap) return 0;
    if (end) s->ended = 1;
    return n;
}

static long recheck(struct stream *s, char *buf, size_t cap)
{
    struct kc_err err = {0};
    s->quiet_since = now_ms();
    json_t *row = kc_vs_row(s->vs, s->id, &err);
    if (!row) return 0;
    long n = 0;
    if (terminal(json_string_value(json_object_get(row, "status")))) {
        json_t *ev = state_event(row);
        if (ev) n = format(s, ev, buf, cap);
        json_decref(ev);
    }
    json_decref(row);
    return n;
}

static long next(void *ctx, char *buf, size_t cap)
{
    struct stream *s = ctx;
    if (s->ended) return -1;
    if (s->pending) {
        long n = format(s, s->pending, buf, cap);
        json_decref(s->pending);
        s->pending = NULL;
        return n;
    }
    char *msg = NULL;
    struct kc_err err = {0};
    int r = s->sub ? kc_redis_sub_next(s->sub, WAIT_MS, &msg, &err) : -1;
    if (r < 0) {
        if (s->sub) kc_redis_sub_free(s->sub);
        s->sub = kc_redis_subscribe(s->vs->cfg->redis_url, s->chan, NULL);
        if (!s->sub) {
            struct timespec ts = {0, WAIT_MS * 1000000L};
            nanosleep(&ts, NULL);
        }
        return recheck(s, buf, cap);
    }
    if (r == 0) return now_ms() - s->quiet_since >= RECHECK_MS ? recheck(s, buf, cap) : 0;
    s->quiet_since = now_ms();
    json_t *ev = json_loads(msg, 0, NULL);
    free(msg);
    long n = json_is_object(ev) ? format(s, ev, buf, cap) : 0;
    json_decref(ev);
    return n;
}

static void free_stream(void *ctx)
{
    struct stream *s = ctx;
    if (s->sub) kc_redis_sub_free(s->sub);
    json_decref(s->pending);
    free(s);
}

void kc_vs_events(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_vsvc *vs = ctx;
    const char *id = kc_req_param(req, "id");
    if (!kc_vs_valid_id(id)) {
        kc_resp_errorf(resp, KC_E_NOT_FOUND, NULL, "no analysis with this id");
        return;
    }
    struct stream *s = calloc(1, sizeof *s);
    if (!s) {
        kc_resp_errorf(resp, KC_E_NOMEM, NULL, "out of memory");
        return;
    }
    s->vs = vs;
    snprintf(s->id, sizeof s->id, "%s", id);
    snprintf(s->chan, sizeof s->chan, "kc:progress:%s", id);
    struct kc_err err = {0};
    s->sub = kc_redis_subscribe(vs->cfg->redis_url, s->chan, &err);
    if (!s->sub) kc_warn("events %s: subscribing: %s (falling back to polling)", id, err.message);
    json_t *row = kc_vs_row(vs, id, &err);
    if (!row) {
        free_stream(s);
        kc_resp_error(resp, &err);
        return;
    }
    s->pending = state_event(row);
    s->quiet_since = now_ms();
    json_decref(row);
    kc_resp_sse(resp, next, s, free_stream);
}
