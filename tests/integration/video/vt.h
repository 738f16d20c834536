/*
 * vt.h — helpers of the video-analysis service integration tests: a private redis-server and
 * kocruit-video (KC_VIDEO_BIN) on free ports with a temporary data folder and SQLite file, the
 * generated media fixtures (mk_svc_fixtures.sh), authenticated requests, multipart uploads,
 * polling an analysis to its end, reading its SSE stream, and a JSON tree walk.
 *
 * Built on lib/core's kc_testutil (which kills children if the test dies). Not thread-safe:
 * one test process, one struct vt.
 */
#ifndef KC_VT_H
#define KC_VT_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>

#include "testutil.h"

#define VT_TOKEN "vt-internal-token-0123456789abcdef"

struct vt {
    struct kc_test_redis redis;
    char *dir; /* temp data folder (KOCRUIT_DATA_DIR); db is <dir>/video.db */
    int port;
    pid_t pid;            /* the service, 0 when not running */
    char base[64];        /* http://127.0.0.1:PORT */
    int claim_idle_ms;    /* KOCRUIT_JOB_CLAIM_IDLE_MS */
    char backend_url[64]; /* KOCRUIT_BACKEND_URL ("" = default) */
};

/* Redis + service. claim_idle_ms 0 = the default. 0 ok. */
int vt_start(struct vt *t, int claim_idle_ms);
/* (Re)start only the service on the same port, data and Redis. */
int vt_service_start(struct vt *t);
/* Send sig to the service and reap it. */
void vt_service_kill(struct vt *t, int sig);
void vt_stop(struct vt *t);

/* Path of a generated fixture (static buffer). Generates them on first use. */
const char *vt_fixture(const char *name);

/* A request with the internal token (token NULL = send none; "" = default). *resp gets the
 * parsed JSON body (or NULL). Returns the HTTP status, -1 on no response. */
long vt_req(struct vt *t, const char *method, const char *path, const char *token,
            const char *json_body, json_t **resp);
/* Multipart POST /v1/analyses with the file and an "options" part. */
long vt_upload(struct vt *t, const char *file, const char *options, json_t **resp);
/* Poll GET /v1/analyses/{id} until status is not queued/running or timeout. Last body. */
json_t *vt_wait(struct vt *t, const char *id, int timeout_ms);
/* Poll until the status equals `status` (e.g. "running"). 0 when reached. */
int vt_wait_status(struct vt *t, const char *id, const char *status, int timeout_ms);
/* Read the SSE stream of an analysis until it ends or timeout; returns the raw text. */
char *vt_sse(struct vt *t, const char *id, int timeout_ms);

/* A value in a JSON tree whose key matches: returns the key path or NULL. `pred` decides. */
const char *vt_find_key(const json_t *j, bool (*pred)(const char *key, const json_t *v));

/* Run a shell command, 0 when it exited 0. */
int vt_sh(const char *cmd);

#endif
