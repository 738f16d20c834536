/*
 * ai_interview.c — the applicant's AI interview view and the request of a video analysis.
 *
 * GET /applications/{id}/interview: the job's AI-interview questions (index = question_id,
 * text, time_limit_s), the applicant's current consent (trust.h kc_trust_consents) and the
 * answers stored so far with their analysis status.
 *
 * Requesting an analysis (kc_ai_request_analysis, after an answer is stored): the consent is
 * read from the trust feature at that moment and passed on exactly (video_behaviour, speech,
 * emotion — the emotion flag from trust.h already includes the company policy and the
 * jurisdiction). Without video_behaviour and speech consent, or when the applicant chose the
 * non-AI alternative, nothing is sent: status not_consented. A video service that is not
 * configured, unreachable or refusing leaves status unavailable with the reason in `error`;
 * the answer itself is always kept. The consent used is stored with the answer
 * (consent_json) and the request is audited ("analysis.request"). An application whose
 * accommodation answer mode is "audio" or "text" is analysed for speech only
 * (video_behaviour and emotion false). The language sent is "en" or "ko", never "auto"
 * (kc_ai_answer_language). The interview view adds each question's effective time limit
 * and allowed retakes (ai_accommodate.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "log.h"
#include "trust.h"

static json_t *consent_json(const struct kc_consent_set *cs)
{
    return json_pack("{s:b,s:b,s:b,s:b,s:b,s:s,s:s}", "video_behaviour", cs->video_behaviour,
                     "speech", cs->speech, "answer_grading", cs->answer_grading, "emotion",
                     cs->emotion, "ai_declined", cs->ai_declined, "jurisdiction", cs->jurisdiction,
                     "consent_version", cs->consent_version);
}

/* The video service's request body for an answer row. New reference. */
static json_t *analysis_body(const json_t *row, const struct kc_consent_set *cs)
{
    char app_id[32], subj[32];
    snprintf(app_id, sizeof app_id, "%lld",
             (long long)json_integer_value(json_object_get(row, "application_id")));
    snprintf(subj, sizeof subj, "%lld",
             (long long)json_integer_value(json_object_get(row, "applicant_id")));
    json_t *b = json_pack("{s:O,s:s,s:{s:b,s:b,s:b},s:{s:b,s:s},s:s,s:s}", "blob_sha256",
                          json_object_get(row, "blob_sha256"), "language",
                          json_string_value(json_object_get(row, "language")), "consent",
                          "video_behaviour", cs->video_behaviour, "speech", cs->speech, "emotion",
                          cs->emotion, "emotion_policy", "enabled", cs->emotion, "jurisdiction",
                          cs->jurisdiction[0] ? cs->jurisdiction : "KR", "application_id", app_id,
                          "subject_id", subj);
    int64_t dur = json_integer_value(json_object_get(row, "ended_at")) -
                  json_integer_value(json_object_get(row, "started_at"));
    if (dur > 0 && dur <= 86400)
        json_object_set_new(b, "questions",
                            json_pack("[{s:I,s:i,s:I}]", "id",
                                      json_integer_value(json_object_get(row, "question_id")),
                                      "start", 0, "end", (json_int_t)dur));
    return b;
}

/* POST the analysis; on success *remote gets the id. Returns the resulting status. */
static const char *send_analysis(struct kc_app *app, const json_t *body, char *remote, size_t cap,
                                 char *why, size_t wcap)
{
    struct kc_err err = {0};
    long st = 0;
    json_t *out = NULL;
    if (kc_ai_call(app, KC_AI_VIDEO, "POST", "/v1/analyses", body, KC_AI_VIDEO_TIMEOUT_MS, &st,
                   &out, &err)) {
        snprintf(why, wcap, "%s", err.message);
        return "unavailable";
    }
    const char *id = json_string_value(json_object_get(out, "id"));
    const char *msg = json_string_value(json_object_get(json_object_get(out, "error"), "message"));
    const char *status = "unavailable";
    if ((st == 201 || st == 202) && id && strlen(id) < cap) {
        snprintf(remote, cap, "%s", id);
        status = "requested";
    } else {
        snprintf(why, wcap, "the video-analysis service answered %ld: %s", st,
                 msg ? msg : "no details");
    }
    json_decref(out);
    return status;
}

/* Record the request outcome and audit it. Steals consent. */
static int save_request(struct kc_app *app, const json_t *row, int64_t answer_id,
                        const char *status, const char *remote, const char *why, json_t *consent)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    if (!c) {
        json_decref(consent);
        return -1;
    }
    char *cj = json_dumps(consent, JSON_COMPACT);
    int rc =
        kc_app_begin(c, &err) ||
        kc_db_exec(c,
                   "UPDATE interview_answers SET status = $2, remote_id = $3, error = $4, "
                   "consent_json = $5, updated_at = $6 WHERE id = $1",
                   KC_ARGS(KC_DBV_INT(answer_id), KC_DBV_TEXT(status),
                           KC_DBV_TEXT_OR_NULL(remote[0] ? remote : NULL),
                           KC_DBV_TEXT_OR_NULL(why[0] ? why : NULL), KC_DBV_TEXT(cj ? cj : "{}"),
                           KC_DBV_INT(kc_now())),
                   &err) < 0 ||
        kc_audit(c, json_integer_value(json_object_get(row, "company_id")),
                 json_integer_value(json_object_get(row, "applicant_id")), "analysis.request",
                 "application", json_integer_value(json_object_get(row, "application_id")), NULL,
                 json_pack("{s:I,s:s,s:s?,s:O}", "answer_id", (json_int_t)answer_id, "status",
                           status, "remote_id", remote[0] ? remote : NULL, "consent", consent),
                 &err) ||
        kc_app_commit(c, &err);
    if (rc) {
        kc_db_rollback(c);
        kc_error("answer %lld: cannot record the analysis request: %s", (long long)answer_id,
                 err.message);
    }
    free(cj);
    json_decref(consent);
    kc_db_release(app->db, c);
    return rc ? -1 : 0;
}

void kc_ai_request_analysis(struct kc_app *app, int64_t answer_id)
{
    struct kc_err err = {0};
    struct kc_consent_set cs = {0};
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    if (!c) return;
    json_t *row = kc_db_query_one(
        c,
        "SELECT ia.id, ia.application_id, ia.question_id, ia.blob_sha256, ia.started_at, "
        "ia.ended_at, ia.language, a.applicant_id, a.job_id, j.company_id FROM "
        "interview_answers ia JOIN "
        "applications "
        "a ON a.id = ia.application_id JOIN job_posts j ON j.id = a.job_id WHERE ia.id = $1",
        KC_ARGS(KC_DBV_INT(answer_id)), &err);
    int crc =
        row ? kc_trust_consents(app, c, json_integer_value(json_object_get(row, "application_id")),
                                &cs, &err)
            : -1;
    struct kc_accommodation acc = {.answer_mode = "video"};
    if (crc == 0)
        crc = kc_trust_accommodation(c, json_integer_value(json_object_get(row, "application_id")),
                                     &acc, &err);
    if (row) /* "auto" is resolved here and never sent (ai_blind.c) */
        json_object_set_new(row, "language",
                            json_string(kc_ai_answer_language(
                                c, json_string_value(json_object_get(row, "language")),
                                json_integer_value(json_object_get(row, "job_id")))));
    kc_db_release(app->db, c);
    if (!row) return;
    if (strcmp(acc.answer_mode, "video")) /* audio/text-only answers: speech analysis only */
        cs.video_behaviour = cs.emotion = 0;
    char remote[128] = "", why[512] = "";
    const char *status;
    if (crc) {
        status = "unavailable";
        snprintf(why, sizeof why, "consent could not be checked: %.400s", err.message);
    } else if (cs.ai_declined || (!cs.video_behaviour && !cs.speech)) {
        status = "not_consented";
        snprintf(why, sizeof why, "%s",
                 cs.ai_declined ? "the applicant chose the non-AI alternative"
                                : "no consent to video or speech analysis");
    } else {
        json_t *body = analysis_body(row, &cs);
        status = send_analysis(app, body, remote, sizeof remote, why, sizeof why);
        json_decref(body);
    }
    save_request(app, row, answer_id, status, remote, why, consent_json(&cs));
    json_decref(row);
}

void kc_api_ai_interview(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    struct kc_consent_set cs = {0};
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load(c, kc_app_user(req), id, &acc, &err), *q = NULL, *ans = NULL;
    if (a && acc == KC_ACCESS_INTERVIEWER) {
        json_decref(a);
        a = NULL;
        kc_err_set(&err, KC_E_FORBIDDEN, "the applicant and recruiters see the AI interview");
    }
    if (a)
        q = kc_db_query_one(c, "SELECT questions_json FROM job_posts WHERE id = $1",
                            KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(a, "job_id")))),
                            &err);
    json_t *accom = NULL;
    if (q && kc_trust_consents(app, c, id, &cs, &err) == 0 &&
        kc_ai_interview_limits(c, id, json_object_get(q, "questions"), &accom, &err) == 0)
        ans = kc_db_query(c,
                          "SELECT id AS answer_id, question_id, status, error, started_at, "
                          "ended_at, created_at FROM interview_answers WHERE application_id = $1 "
                          "ORDER BY id",
                          KC_ARGS(KC_DBV_INT(id)), &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!ans) {
        json_decref(q);
        json_decref(accom);
        KC_FAIL(resp, &err);
    }
    json_t *qs = json_object_get(q, "questions"), *item;
    size_t i;
    json_array_foreach(qs, i, item) json_object_set_new(item, "question_id", json_integer((int)i));
    kc_resp_json(resp, 200,
                 json_pack("{s:I,s:o,s:o,s:o,s:o}", "application_id", (json_int_t)id, "questions",
                           qs ? json_incref(qs) : json_array(), "consent", consent_json(&cs),
                           "accommodation", accom, "answers", kc_app_times(ans)));
    json_decref(q);
}
