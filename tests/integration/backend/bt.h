/*
 * bt.h — helpers for the backend's integration tests: start a private redis-server and a
 * kocruit-backend on free ports with a temporary data dir, make JSON and multipart requests,
 * and the few account set-ups every test needs. Built on lib/core's kc_testutil.
 * Every function asserts (Criterion) on failures it cannot report otherwise.
 * Memory: returned json_t are new references (caller json_decref).
 */
#ifndef KC_BT_H
#define KC_BT_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "testutil.h"

#define BT_JWT_SECRET "integration-test-secret-0123456789abcdef"
#define BT_INTERNAL   "internal-test-token-42"

struct bt {
    struct kc_test_redis redis;
    pid_t pid;
    int port;
    char base[64];
    char *tmp;
    char db[600];
};

/* extra_env: NULL-terminated "NAME=value" list added to the backend's environment. */
void bt_start(struct bt *b, const char *const *extra_env);
void bt_stop(struct bt *b);

/* A JSON request; body may be NULL. *status receives the HTTP status. Returns the parsed
 * body (json null when empty or not JSON). token may be NULL. */
json_t *bt_req(struct bt *b, const char *method, const char *path, const char *token,
               const char *body, long *status);
/* Same with extra raw headers (NULL-terminated). */
json_t *bt_req_h(struct bt *b, const char *method, const char *path, const char *const *headers,
                 const char *body, size_t body_len, long *status);
/* printf-style path. */
const char *bt_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Upload bytes as multipart field "file" with a file name. */
json_t *bt_upload(struct bt *b, const char *token, const char *filename, const void *data,
                  size_t len, long *status);

/* Sign-ups: return a malloc'd access token (and the user id when uid != NULL). */
char *bt_signup_applicant(struct bt *b, const char *email, long long *uid);
char *bt_signup_company(struct bt *b, const char *email, const char *company, long long *cid,
                        long long *uid);
/* Invite email with role into company cid (by manager token) and accept; returns a token. */
char *bt_invite_member(struct bt *b, const char *manager, long long cid, const char *email,
                       const char *role, long long *uid);
/* Create an admin with the CLI and sign in; returns a token. */
char *bt_admin(struct bt *b, const char *email);
/* A valid job body for company cid (opens yesterday, closes in 30 days). malloc'd. */
char *bt_job_body(long long cid, const char *title);
/* Read a file into memory (malloc'd, NUL-terminated); *len its size. */
char *bt_read_file(const char *path, size_t *len);

#define BT_PASSWORD "correct horse battery"

/* A stand-in video-analysis service and agent on a thread of the test (loopback, free port):
 * POST /v1/analyses answers 201 {"id":"fake-<n>"} and records the body; GET /v1/analyses/<id>
 * answers 200 with `report` (a JSON text, borrowed; must outlive the fake); the agent's POST
 * /v1/grade, /v1/questions, /v1/highlights (naming the applicant BT_FAKE_EMAIL) and
 * /v1/similarity/query answer fixed documents marked "source":"deterministic"; anything else 204.
 * bt_fake_posts/bt_fake_last return the number of analysis requests (POST /v1/analyses) and
 * the last one's body (new ref or NULL). Thread-safe between the fake thread and the test. */
#define BT_FAKE_EMAIL "ap0@x.example" /* the highlights name this applicant */
struct bt_fake;
struct bt_fake *bt_fake_start(const char *report, int *port);
int bt_fake_posts(struct bt_fake *f);
json_t *bt_fake_last(struct bt_fake *f);
void bt_fake_stop(struct bt_fake *f);

#endif
