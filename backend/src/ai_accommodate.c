/*
 * ai_accommodate.c — an application's accommodations (trust.h kc_trust_accommodation)
 * applied to the AI interview.
 *
 * For each question: effective_time_limit_s = time_limit_s × extra_time_factor (rounded to
 * the nearest second) and allowed_retakes = the job's retakes (none: job posts have no
 * retake setting) + extra_retakes, so at most 1 + allowed_retakes answers per question.
 * An answer is refused when
 *   ended_at - started_at > effective_time_limit_s × 1.1 (10 % grace for clock and upload
 *   start-up)            → 422 naming "ended_at";
 *   the question already has 1 + allowed_retakes answers → 409 naming "question_id".
 *   video and speech consent were withdrawn (none current) → 409: no new analysis request.
 * All are checked when an upload starts (resumable) or arrives (one-shot). Answer mode
 * "audio" (and "text") means no video analysis: the analysis request sends
 * consent.video_behaviour = false, whatever was consented (ai_interview.c).
 *
 * Thread-safety: reentrant. Times in seconds.
 */
#include <math.h>
#include <stdio.h>

#include "ai.h"
#include "trust.h"

#define GRACE 1.10

static long effective_limit(const json_t *question, const struct kc_accommodation *a)
{
    double base = (double)json_integer_value(json_object_get(question, "time_limit_s"));
    return lround(base * a->extra_time_factor);
}

/* -1 with 409 when video and speech consent were given and then withdrawn (none is current):
 * a new answer would be a new analysis request against the applicant's decision. */
static int withdrawn(struct kc_db_conn *c, int64_t app_id, struct kc_err *err)
{
    int64_t w = 0, cur = 0;
    if (kc_db_query_int(c,
                        "SELECT count(*) FROM consents WHERE application_id = $1 AND "
                        "analysis_type IN ('video_behaviour', 'speech') AND withdrawn_at IS NOT "
                        "NULL",
                        KC_ARGS(KC_DBV_INT(app_id)), &w, err) ||
        kc_db_query_int(c,
                        "SELECT count(*) FROM consents WHERE application_id = $1 AND "
                        "analysis_type IN ('video_behaviour', 'speech') AND withdrawn_at IS NULL",
                        KC_ARGS(KC_DBV_INT(app_id)), &cur, err))
        return -1;
    if (w > 0 && cur == 0)
        return kc_err_set(err, KC_E_CONFLICT,
                          "consent to video and speech analysis was withdrawn: no new answer "
                          "is analysed or stored (give consent again to continue)");
    return 0;
}

int kc_ai_answer_allowed(struct kc_db_conn *c, int64_t app_id, const json_t *question, int64_t qid,
                         int64_t started_at, int64_t ended_at, struct kc_err *err)
{
    struct kc_accommodation a;
    if (withdrawn(c, app_id, err) || kc_trust_accommodation(c, app_id, &a, err)) return -1;
    long limit = effective_limit(question, &a);
    if (limit > 0 && (double)(ended_at - started_at) > (double)limit * GRACE)
        return kc_err_field(err, KC_E_UNPROCESSABLE, "ended_at",
                            "ended_at: the answer lasted %lld s; question %lld allows %ld s "
                            "(with accommodations) plus 10 %% grace",
                            (long long)(ended_at - started_at), (long long)qid, limit);
    int64_t n = 0;
    if (kc_db_query_int(c,
                        "SELECT count(*) FROM interview_answers WHERE application_id = $1 AND "
                        "question_id = $2",
                        KC_ARGS(KC_DBV_INT(app_id), KC_DBV_INT(qid)), &n, err))
        return -1;
    if (n >= 1 + (int64_t)a.extra_retakes)
        return kc_err_field(err, KC_E_CONFLICT, "question_id",
                            "question_id: question %lld already has %lld answer(s); %d "
                            "retake(s) allowed",
                            (long long)qid, (long long)n, a.extra_retakes);
    return 0;
}

int kc_ai_interview_limits(struct kc_db_conn *c, int64_t app_id, json_t *questions,
                           json_t **accommodation, struct kc_err *err)
{
    struct kc_accommodation a;
    if (kc_trust_accommodation(c, app_id, &a, err)) return -1;
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        json_object_set_new(q, "effective_time_limit_s", json_integer(effective_limit(q, &a)));
        json_object_set_new(q, "allowed_retakes", json_integer(a.extra_retakes));
    }
    *accommodation =
        json_pack("{s:f,s:i,s:s,s:f}", "extra_time_factor", a.extra_time_factor, "extra_retakes",
                  a.extra_retakes, "answer_mode", a.answer_mode, "grace", GRACE - 1.0);
    return 0;
}
