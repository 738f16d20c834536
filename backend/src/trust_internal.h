/*
 * trust_internal.h — helpers shared by the trust feature's files (trust_*.c), not by the
 * rest of the backend (which uses trust.h).
 *
 * Audit chain: every audit_log row carries prev_hash and hash (64 lowercase hex), with
 * hash = sha256(prev_hash || canonical(entry)); canonical(entry) is each column of the row
 * as "<byte length>:<bytes>" (NULL as "~") in the order id, company_id, actor_id, action,
 * target_type, target_id, reason, detail_json, at. Length prefixes make the encoding
 * unambiguous, so no two different entries share a canonical form.
 *
 * Thread-safety: all functions are reentrant. Memory: returned json_t are new references.
 */
#ifndef KC_BACKEND_TRUST_INTERNAL_H
#define KC_BACKEND_TRUST_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "app.h"

#define KC_TRUST_ZERO_HASH   "0000000000000000000000000000000000000000000000000000000000000000"
#define KC_TRUST_DEADLINE_S  (30L * 24 * 3600) /* deletion and rights requests: 30 days */
#define KC_TRUST_CONSENT_VER "2026-11-v1"

struct kc_audit_entry {
    int64_t id, company_id, actor_id, target_id; /* company_id/actor_id 0 = NULL */
    const char *action, *target_type, *reason;   /* reason may be NULL */
    const char *detail_json;
    long at;
};

/* hash = sha256(prev_hex || canonical(e)) as 64 hex chars + NUL into out. */
void kc_trust_audit_hash(const char *prev_hex, const struct kc_audit_entry *e, char out[65]);

/* Policy of a company (defaults when never set). */
struct kc_trust_policy {
    char jurisdiction[8];
    int show_suggestions, automated_rejection, emotion_inference;
    int retention_recordings_days, retention_transcripts_days, retention_analyses_days,
        retention_resumes_days;
};
int kc_trust_policy_load(struct kc_db_conn *c, int64_t company_id, struct kc_trust_policy *out,
                         struct kc_err *err);

/* 1 when the caller is a site admin or a compliance-designated member of the company. */
int kc_trust_is_compliance(struct kc_db_conn *c, const struct kc_user *u, int64_t company_id);

/* Call DELETE <base><path> with X-Internal-Token. Returns the HTTP status (200/204/404
 * count as done), or -1 when the service is unreachable (err set). */
long kc_trust_http_delete(const char *base, const char *path, const char *token,
                          struct kc_err *err);

/* Process one deletion request now (outside any transaction). 0 when done. */
/* Delete the blob row when nothing references it any more (resumes, analyses, interview
 * answers): the one place that knows every table referencing a blob. Returns the rows
 * deleted (0 or 1) or -1 with err. The caller unlinks the file when it returns 1. */
int64_t kc_trust_drop_blob(struct kc_db_conn *c, const char *sha256, struct kc_err *err);
int kc_trust_delete_process(struct kc_app *app, int64_t request_id, struct kc_err *err);
/* Delete data older than each company's retention periods. Returns rows removed or -1. */
int64_t kc_trust_purge(struct kc_app *app, long now, struct kc_err *err);

#endif
