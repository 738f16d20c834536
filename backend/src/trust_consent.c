/*
 * trust_consent.c — the consent ledger: kc_trust_consents (trust.h), the consent texts an
 * applicant reads (versioned rows of consent_texts, ko and en), grant, withdrawal and the
 * non-AI alternative.
 *
 * A grant inserts one consents row per type with the text version; a withdrawal stamps
 * withdrawn_at on the current rows, cancels the application's pending processing and
 * deletes derived data: the video service is told DELETE /v1/analyses/{id} for every
 * queued/running analysis (analyses.id) and for every interview answer it holds
 * (interview_answers.remote_id of the AI feature, 0004_ai.sql) — pending ones become failed
 * "cancelled: consent withdrawn" —, results of the withdrawn types are cleared (analyses of
 * that type; interview_answers.grade_json when answer_grading is withdrawn). Emotion is offered and
 * counted only when the company's policy allows it.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "config.h"
#include "trust.h"
#include "trust_internal.h"

static const char *const TYPES[] = {"video_behaviour", "speech", "answer_grading", "emotion"};
#define N_TYPES 4

static int type_index(const char *s)
{
    for (int i = 0; s && i < N_TYPES; i++)
        if (!strcmp(s, TYPES[i])) return i;
    return -1;
}

int kc_trust_consents(struct kc_app *app, struct kc_db_conn *c, int64_t application_id,
                      struct kc_consent_set *out, struct kc_err *err)
{
    (void)app;
    memset(out, 0, sizeof *out);
    json_t *a = kc_db_query_one(c,
                                "SELECT j.company_id, coalesce(ch.ai_declined, 0) AS ai_declined "
                                "FROM applications a JOIN job_posts j ON j.id = a.job_id "
                                "LEFT JOIN ai_choices ch ON ch.application_id = a.id "
                                "WHERE a.id = $1",
                                KC_ARGS(KC_DBV_INT(application_id)), err);
    if (!a) return -1;
    struct kc_trust_policy p;
    int64_t cid = json_integer_value(json_object_get(a, "company_id"));
    out->ai_declined = (int)json_integer_value(json_object_get(a, "ai_declined"));
    json_decref(a);
    if (kc_trust_policy_load(c, cid, &p, err)) return -1;
    snprintf(out->jurisdiction, sizeof out->jurisdiction, "%s", p.jurisdiction);
    json_t *rows = kc_db_query(c,
                               "SELECT analysis_type, version FROM consents WHERE application_id = "
                               "$1 AND withdrawn_at IS NULL ORDER BY id",
                               KC_ARGS(KC_DBV_INT(application_id)), err);
    if (!rows) return -1;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        int t = type_index(json_string_value(json_object_get(r, "analysis_type")));
        if (out->ai_declined) break; /* the non-AI path: nothing is analysed */
        if (t == 0) out->video_behaviour = 1;
        if (t == 1) out->speech = 1;
        if (t == 2) out->answer_grading = 1;
        if (t == 3) out->emotion = p.emotion_inference; /* 0 for EU by kc_trust_policy_load */
        snprintf(out->consent_version, sizeof out->consent_version, "%s",
                 json_string_value(json_object_get(r, "version")));
    }
    json_decref(rows);
    return 0;
}

/* Load the application for the caller; answers and returns NULL when not visible. */
static json_t *load_app(struct kc_req *req, struct kc_resp *resp, struct kc_db_conn *c, int64_t *id,
                        enum kc_app_access *acc)
{
    struct kc_err err = {0};
    if (kc_app_path_id(req, resp, "id", id)) return NULL;
    json_t *a = kc_application_load(c, kc_app_user(req), *id, acc, &err);
    if (!a) kc_app_fail(resp, &err);
    return a;
}

static json_t *consent_view(struct kc_app *app, struct kc_db_conn *c, int64_t id, int64_t cid,
                            struct kc_err *err)
{
    struct kc_consent_set s;
    struct kc_trust_policy p;
    if (kc_trust_consents(app, c, id, &s, err) || kc_trust_policy_load(c, cid, &p, err))
        return NULL;
    json_t *texts = kc_db_query(
        c,
        "SELECT analysis_type, lang, what, who_sees, kept FROM "
        "consent_texts WHERE version = $1 AND ($2 = 1 OR analysis_type "
        "<> 'emotion') ORDER BY analysis_type, lang",
        KC_ARGS(KC_DBV_TEXT(KC_TRUST_CONSENT_VER), KC_DBV_INT(p.emotion_inference)), err);
    json_t *hist = texts ? kc_db_query(c,
                                       "SELECT analysis_type, version, granted_at, withdrawn_at "
                                       "FROM consents WHERE application_id = $1 ORDER BY id",
                                       KC_ARGS(KC_DBV_INT(id)), err)
                         : NULL;
    if (!hist) return json_decref(texts), NULL;
    json_t *v = json_pack("{s:I,s:s,s:o,s:{s:b,s:b,s:b,s:b,s:b,s:s},s:o,s:b}", "application_id",
                          (json_int_t)id, "version", KC_TRUST_CONSENT_VER, "texts", texts,
                          "current", "video_behaviour", s.video_behaviour, "speech", s.speech,
                          "answer_grading", s.answer_grading, "emotion", s.emotion, "ai_declined",
                          s.ai_declined, "consent_version", s.consent_version, "history",
                          kc_app_times(hist), "emotion_offered", p.emotion_inference);
    /* this company's actual periods (the texts quote the defaults) */
    json_object_set_new(v, "retention_days",
                        json_pack("{s:i,s:i,s:i}", "recordings", p.retention_recordings_days,
                                  "transcripts", p.retention_transcripts_days, "analyses",
                                  p.retention_analyses_days));
    return v;
}

void kc_api_trust_consent_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = load_app(req, resp, c, &id, &acc);
    json_t *v =
        a ? consent_view(app, c, id, json_integer_value(json_object_get(a, "company_id")), &err)
          : NULL;
    int64_t non_ai = 1; /* the job's setting: may the applicant choose a human-only interview */
    if (v && kc_db_query_int(c,
                             "SELECT coalesce((SELECT offers_non_ai FROM job_trust WHERE job_id = "
                             "$1), 1)",
                             KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(a, "job_id")))),
                             &non_ai, &err) < 0) {
        json_decref(v);
        v = NULL;
    }
    if (v) json_object_set_new(v, "offers_non_ai", json_boolean(non_ai));
    kc_db_release(app->db, c);
    if (!a) return;
    json_decref(a);
    if (!v) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, v);
}

/* types: array of analysis types; mask out. Emotion only when offered. */
static int parse_types(const json_t *b, int emotion_ok, int mask[N_TYPES], struct kc_err *err)
{
    json_t *ts = json_object_get(b, "types"), *t;
    size_t i;
    memset(mask, 0, sizeof(int) * N_TYPES);
    if (!json_is_array(ts) || !json_array_size(ts))
        return kc_err_field(err, KC_E_INVALID, "types",
                            "types: a non-empty array of video_behaviour, speech, answer_grading"
                            "%s",
                            emotion_ok ? ", emotion" : "");
    json_array_foreach(ts, i, t)
    {
        int k = type_index(json_string_value(t));
        if (k < 0 || (k == 3 && !emotion_ok))
            return kc_err_field(err, KC_E_INVALID, "types", "types[%zu]: not an offered type", i);
        mask[k] = 1;
    }
    return 0;
}

static int grant(struct kc_db_conn *c, int64_t id, int64_t cid, int64_t uid, const int mask[],
                 struct kc_err *err)
{
    if (kc_app_begin(c, err)) return -1;
    json_t *types = json_array();
    for (int k = 0; k < N_TYPES; k++) {
        if (!mask[k]) continue;
        json_array_append_new(types, json_string(TYPES[k]));
        if (kc_db_exec(c,
                       "UPDATE consents SET withdrawn_at = $1 WHERE application_id = $2 AND "
                       "analysis_type = $3 AND withdrawn_at IS NULL",
                       KC_ARGS(KC_DBV_INT(kc_now()), KC_DBV_INT(id), KC_DBV_TEXT(TYPES[k])),
                       err) < 0 ||
            kc_db_exec(c,
                       "INSERT INTO consents(application_id, analysis_type, version, granted_at) "
                       "VALUES ($1, $2, $3, $4)",
                       KC_ARGS(KC_DBV_INT(id), KC_DBV_TEXT(TYPES[k]),
                               KC_DBV_TEXT(KC_TRUST_CONSENT_VER), KC_DBV_INT(kc_now())),
                       err) < 0)
            return json_decref(types), kc_db_rollback(c), -1;
    }
    if (kc_audit(c, cid, uid, "trust.consent.grant", "application", id, NULL,
                 json_pack("{s:o,s:s}", "types", types, "version", KC_TRUST_CONSENT_VER), err))
        return kc_db_rollback(c), -1;
    return kc_app_commit(c, err);
}

void kc_api_trust_consent_grant(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    int mask[N_TYPES];
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = load_app(req, resp, c, &id, &acc), *v = NULL;
    int64_t cid = a ? json_integer_value(json_object_get(a, "company_id")) : 0;
    struct kc_trust_policy p;
    int rc = -1;
    if (a && acc != KC_ACCESS_APPLICANT)
        kc_err_set(&err, KC_E_FORBIDDEN, "only the applicant can consent");
    else if (a && !kc_trust_policy_load(c, cid, &p, &err) &&
             !parse_types(b, p.emotion_inference, mask, &err))
        rc = grant(c, id, cid, kc_app_user(req)->id, mask, &err);
    if (!rc) v = consent_view(app, c, id, cid, &err);
    kc_db_release(app->db, c);
    if (!a) return;
    json_decref(a);
    if (!v) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, v);
}

/* Cancel pending analyses remotely (outside the transaction; best effort, reported). */
static json_t *cancel_remote(struct kc_app *app, json_t *pending)
{
    json_t *out = json_array(), *r;
    size_t i;
    json_array_foreach(pending, i, r)
    {
        char path[64];
        struct kc_err e = {0};
        const char *rid = json_string_value(json_object_get(r, "rid"));
        if (!rid ||
            strspn(rid, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-") !=
                strlen(rid) ||
            strlen(rid) > 40)
            continue; /* not an id the video service issued */
        snprintf(path, sizeof path, "/v1/analyses/%s", rid);
        long st = kc_trust_http_delete(app->cfg->video_url, path, app->cfg->internal_token, &e);
        json_array_append_new(out, json_pack("{s:s,s:I,s:s}", "analysis_id", rid, "status",
                                             (json_int_t)st, "error", e.code ? e.message : ""));
    }
    return out;
}

static int withdraw(struct kc_db_conn *c, int64_t id, int64_t cid, int64_t uid, const int mask[],
                    json_t *remote, struct kc_err *err)
{
    if (kc_app_begin(c, err)) return -1;
    json_t *types = json_array();
    int64_t n = 0;
    for (int k = 0; k < N_TYPES && n >= 0; k++) {
        if (!mask[k]) continue;
        json_array_append_new(types, json_string(TYPES[k]));
        n = kc_db_exec(c,
                       "UPDATE consents SET withdrawn_at = $1 WHERE application_id = $2 AND "
                       "analysis_type = $3 AND withdrawn_at IS NULL",
                       KC_ARGS(KC_DBV_INT(kc_now()), KC_DBV_INT(id), KC_DBV_TEXT(TYPES[k])), err);
        if (n >= 0)
            n = kc_db_exec(c,
                           "UPDATE analyses SET result_json = NULL, updated_at = $2 WHERE "
                           "application_id = $1 AND type = $3",
                           KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_now()), KC_DBV_TEXT(TYPES[k])),
                           err);
    }
    if (n >= 0 && mask[2])
        n = kc_db_exec(c,
                       "UPDATE interview_answers SET grade_json = NULL WHERE application_id = $1",
                       KC_ARGS(KC_DBV_INT(id)), err);
    if (n >= 0)
        n = kc_db_exec(
            c,
            "UPDATE interview_answers SET status = 'failed', error = 'cancelled: consent "
            "withdrawn', updated_at = $2 WHERE application_id = $1 AND status IN "
            "('requested', 'running')",
            KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_now())), err);
    int64_t cancelled =
        n < 0 ? -1
              : kc_db_exec(c,
                           "UPDATE analyses SET status = 'failed', error = 'cancelled: consent "
                           "withdrawn', updated_at = $2 WHERE application_id = $1 AND status IN "
                           "('queued', 'running')",
                           KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_now())), err);
    if (cancelled < 0 || kc_audit(c, cid, uid, "trust.consent.withdraw", "application", id, NULL,
                                  json_pack("{s:o,s:I,s:O}", "types", types, "cancelled",
                                            (json_int_t)cancelled, "remote", remote),
                                  err)) {
        if (cancelled < 0) json_decref(types);
        return kc_db_rollback(c), -1;
    }
    return kc_app_commit(c, err);
}

void kc_api_trust_consent_withdraw(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    int mask[N_TYPES];
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = load_app(req, resp, c, &id, &acc), *v = NULL, *remote = NULL;
    int64_t cid = a ? json_integer_value(json_object_get(a, "company_id")) : 0;
    int rc = -1;
    if (a && acc != KC_ACCESS_APPLICANT)
        kc_err_set(&err, KC_E_FORBIDDEN, "only the applicant can withdraw consent");
    else if (a && !parse_types(b, 1, mask, &err)) {
        json_t *pending = kc_db_query(c,
                                      "SELECT CAST(id AS TEXT) AS rid FROM analyses WHERE "
                                      "application_id = $1 AND status IN ('queued', 'running') "
                                      "UNION ALL SELECT remote_id FROM interview_answers WHERE "
                                      "application_id = $1 AND remote_id IS NOT NULL AND "
                                      "status IN ('requested', 'running', 'done')",
                                      KC_ARGS(KC_DBV_INT(id)), &err);
        if (pending) {
            remote = cancel_remote(app, pending);
            json_decref(pending);
            rc = withdraw(c, id, cid, kc_app_user(req)->id, mask, remote, &err);
        }
    }
    if (!rc) v = consent_view(app, c, id, cid, &err);
    if (v)
        json_object_set_new(v, "cancelled_remote", remote ? remote : json_array());
    else
        json_decref(remote);
    kc_db_release(app->db, c);
    if (!a) return;
    json_decref(a);
    if (!v) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, v);
}

/* POST /applications/{id}/ai-choice {"ai_declined": bool}: the non-AI alternative. */
void kc_api_trust_ai_choice(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    json_t *d = json_object_get(b, "ai_declined");
    if (!json_is_boolean(d)) {
        KC_ERRF(resp, KC_E_INVALID, "ai_declined", "ai_declined: must be a boolean");
    }
    int declined = json_is_true(d);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = load_app(req, resp, c, &id, &acc), *v = NULL;
    int64_t cid = a ? json_integer_value(json_object_get(a, "company_id")) : 0;
    if (a && acc != KC_ACCESS_APPLICANT)
        kc_err_set(&err, KC_E_FORBIDDEN, "only the applicant chooses");
    else if (a && !kc_app_begin(c, &err)) {
        if (kc_db_exec(c, "INSERT OR REPLACE INTO ai_choices VALUES ($1, $2, $3)",
                       KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(declined), KC_DBV_INT(kc_now())),
                       &err) < 0 ||
            kc_audit(c, cid, kc_app_user(req)->id, "trust.ai_choice", "application", id, NULL,
                     json_pack("{s:b}", "ai_declined", declined), &err))
            kc_db_rollback(c);
        else if (!kc_app_commit(c, &err))
            v = consent_view(app, c, id, cid, &err);
    }
    kc_db_release(app->db, c);
    if (!a) return;
    json_decref(a);
    if (!v) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, v);
}
