/*
 * flows_llm.c — the LLM nodes of the "questions" and "grade" workflows (flows.h).
 *
 * Each node frames a prompt from the same inputs (and, for grading, the same rubric) as the
 * deterministic algorithm, asks the provider for JSON valid against a schema (llm.h retries
 * invalid replies), and then checks what a schema cannot: a personal question must quote its
 * resume item verbatim, a covered expected point must quote the transcript verbatim. Items that
 * fail are dropped and listed. Any failure leaves the deterministic result in place, labelled
 * with the reason — an LLM node never fails the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "flows.h"
#include "llm.h"

#define JOB_TEXT_MAX        4000 /* bytes of the job post in a prompt */
#define RESUME_TEXT_MAX     6000
#define TRANSCRIPT_TEXT_MAX 8000
#define QUOTE_MIN           8 /* bytes: shorter quotes prove nothing */

static const char QUESTIONS_SCHEMA[] =
    "{\"type\":\"object\",\"required\":[\"questions\"],\"properties\":{\"questions\":{"
    "\"type\":\"array\",\"minItems\":1,\"maxItems\":12,\"items\":{\"type\":\"object\","
    "\"required\":[\"kind\",\"competency\",\"text\",\"good_answer\"],\"properties\":{"
    "\"kind\":{\"enum\":[\"common\",\"job\",\"personal\"]},"
    "\"competency\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":80},"
    "\"text\":{\"type\":\"string\",\"minLength\":5,\"maxLength\":500},"
    "\"good_answer\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":6,\"items\":{"
    "\"type\":\"string\",\"minLength\":1,\"maxLength\":300}},"
    "\"source_quote\":{\"type\":\"string\",\"maxLength\":500}}}}}}";

static const char GRADE_SCHEMA[] =
    "{\"type\":\"object\",\"required\":[\"points\",\"star\",\"specificity\",\"score\","
    "\"rationale\"],\"properties\":{\"points\":{\"type\":\"array\",\"maxItems\":20,\"items\":{"
    "\"type\":\"object\",\"required\":[\"index\",\"covered\"],\"properties\":{"
    "\"index\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":19},"
    "\"covered\":{\"type\":\"boolean\"},\"evidence\":{\"type\":\"string\",\"maxLength\":500}}}},"
    "\"star\":{\"type\":\"object\",\"required\":[\"situation\",\"task\",\"action\",\"result\"],"
    "\"properties\":{\"situation\":{\"type\":\"boolean\"},\"task\":{\"type\":\"boolean\"},"
    "\"action\":{\"type\":\"boolean\"},\"result\":{\"type\":\"boolean\"}}},"
    "\"specificity\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},"
    "\"score\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},"
    "\"rationale\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":1500}}}";

/* At most max bytes of s, cut at a UTF-8 boundary, into a new string. */
static char *clip(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s ? s : "", n);
        out[n] = '\0';
    }
    return out;
}

static json_t *load_schema(const char *text)
{
    json_error_t e;
    return json_loads(text, 0, &e);
}

/* Byte span of quote in text (verbatim), or -1. */
static long find_quote(const char *text, const char *quote)
{
    if (!text || !quote || strlen(quote) < QUOTE_MIN) return -1;
    const char *p = strstr(text, quote);
    return p ? (long)(p - text) : -1;
}

static json_t *span(const char *quote, long off)
{
    return json_pack("{s:s,s:I,s:I}", "text", quote, "offset", (json_int_t)off, "length",
                     (json_int_t)strlen(quote));
}

static json_t *llm_info(const struct kc_llm_reply *r, const char *status, const char *reason)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:b,s:f,s:O}", "status", status, "provider",
                          r->provider, "model", r->model, "attempts", r->attempts, "cached",
                          r->cached, "ms", r->ms, "rejected", r->rejected);
    if (reason) json_object_set_new(o, "reason", json_string(reason));
    return o;
}

static int chat(const struct kc_agent *a, const char *system, const char *user,
                const char *schema_text, int max_tokens, struct kc_llm_reply *out,
                struct kc_err *err)
{
    json_t *msgs = json_pack("[{s:s,s:s},{s:s,s:s}]", "role", "system", "content", system, "role",
                             "user", "content", user);
    json_t *schema = load_schema(schema_text);
    struct kc_llm_params p = kc_llm_params_default();
    p.max_tokens = max_tokens;
    int rc = kc_llm_chat(a->llm, msgs, &p, schema, out, err);
    json_decref(msgs);
    json_decref(schema);
    return rc;
}

/* ---- questions ---------------------------------------------------------------------------- */

static char *questions_prompt(const json_t *req, const char *lang)
{
    const json_t *job = json_object_get(req, "job");
    char *jt = clip(json_string_value(json_object_get(job, "text")), JOB_TEXT_MAX);
    char *rt = clip(json_string_value(json_object_get(json_object_get(req, "resume"), "text")),
                    RESUME_TEXT_MAX);
    char *crit = json_dumps(json_object_get(job, "criteria"), JSON_COMPACT);
    size_t n = strlen(jt ? jt : "") + strlen(rt ? rt : "") + strlen(crit ? crit : "") + 512;
    char *p = malloc(n);
    if (p)
        snprintf(p, n,
                 "Language of the questions: %s.\n\nJob post:\n%s\n\nScreening criteria: %s\n\n"
                 "Resume:\n%s\n\nWrite 6 to 10 interview questions: common ones, job-specific "
                 "ones, and personal ones about items of this resume. For each give kind, the "
                 "competency it probes, the question text and what a good answer covers. A "
                 "personal question must copy the resume sentence it is about, character for "
                 "character, into source_quote.",
                 lang, jt ? jt : "(none)", crit ? crit : "[]", rt ? rt : "");
    free(jt);
    free(rt);
    free(crit);
    return p;
}

/* Keep questions that pass the checks; dropped ones are listed with the reason. */
static json_t *checked_questions(const json_t *reply, const char *resume, json_t *dropped)
{
    json_t *kept = json_array();
    size_t i;
    const json_t *q;
    json_array_foreach(json_object_get(reply, "questions"), i, q)
    {
        const char *kind = json_string_value(json_object_get(q, "kind"));
        const char *text = json_string_value(json_object_get(q, "text"));
        const char *quote = json_string_value(json_object_get(q, "source_quote"));
        bool dup = false;
        size_t j;
        const json_t *k;
        json_array_foreach(kept, j, k) dup |=
            strcmp(json_string_value(json_object_get(k, "text")), text) == 0;
        long off = strcmp(kind, "personal") == 0 ? find_quote(resume, quote) : 0;
        const char *why = dup       ? "duplicate question"
                          : off < 0 ? "personal question whose "
                                      "source_quote is not in the resume"
                                    : NULL;
        if (why) {
            json_array_append_new(dropped, json_pack("{s:s,s:s}", "text", text, "reason", why));
            continue;
        }
        json_t *o = json_pack("{s:s,s:O,s:s,s:O}", "kind", kind, "competency",
                              json_object_get(q, "competency"), "text", text, "good_answer",
                              json_object_get(q, "good_answer"));
        if (strcmp(kind, "personal") == 0) json_object_set_new(o, "source", span(quote, off));
        json_array_append_new(kept, o);
    }
    return kept;
}

int kc_flows_llm_questions(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    (void)err;
    struct kc_agent *a = call->env;
    const json_t *req = json_object_get(state, "request");
    const char *lang =
        json_string_value(json_object_get(json_object_get(state, "questions"), "lang"));
    char *user = questions_prompt(req, lang ? lang : "ko");
    const char *system = "You help a hiring team prepare a structured interview. Ask only about "
                         "job-relevant skills and experience; never about age, gender, family, "
                         "religion, nationality, health or other protected characteristics.";
    struct kc_llm_reply r;
    struct kc_err lerr = {0};
    int rc = user ? chat(a, system, user, QUESTIONS_SCHEMA, 2048, &r, &lerr)
                  : kc_err_set(&lerr, KC_E_NOMEM, "out of memory");
    free(user);
    json_t *result = json_object_get(state, "result");
    if (rc != 0) {
        json_object_set_new(result, "llm", llm_info(&r, "failed", lerr.message));
        kc_llm_reply_free(&r);
        return 0;
    }
    json_t *dropped = json_array();
    const char *resume = json_string_value(json_object_get(json_object_get(req, "resume"), "text"));
    json_t *kept = checked_questions(r.json, resume, dropped);
    json_t *info = llm_info(&r, json_array_size(kept) ? "ok" : "failed",
                            json_array_size(kept) ? NULL : "no question passed the checks");
    json_object_set_new(info, "dropped", dropped);
    if (json_array_size(kept)) {
        json_object_set_new(result, "source", json_string("llm"));
        json_object_set_new(result, "questions", kept);
    } else {
        json_decref(kept);
    }
    json_object_set_new(result, "llm", info);
    kc_llm_reply_free(&r);
    return 0;
}

/* ---- grade -------------------------------------------------------------------------------- */

static const json_t *expected_points(const json_t *req)
{
    const json_t *q = json_object_get(req, "question");
    const json_t *p = json_object_get(q, "good_answer");
    return json_is_array(p) ? p : json_object_get(q, "expected_points");
}

static char *grade_prompt(const json_t *req)
{
    const json_t *q = json_object_get(req, "question");
    char *points = json_dumps(expected_points(req), JSON_COMPACT);
    char *tr = clip(json_string_value(json_object_get(req, "transcript")), TRANSCRIPT_TEXT_MAX);
    const char *qt = json_string_value(json_object_get(q, "text"));
    size_t n = strlen(points ? points : "") + strlen(tr ? tr : "") + strlen(qt ? qt : "") + 1200;
    char *p = malloc(n);
    if (p)
        snprintf(p, n,
                 "Question: %s\nExpected points (index from 0): %s\n\nAnswer transcript:\n%s\n\n"
                 "Grade with this rubric: coverage of the expected points (weight 45%%), STAR "
                 "structure — situation, task, action, result (20%%), specificity: numbers and "
                 "named technologies (15%%), length (10%%), filler words (10%%). For each "
                 "expected point say whether it is covered and copy the transcript words that "
                 "cover it, character for character, into evidence. Give the STAR parts present, "
                 "specificity 0-100, a total score 0-100 and a short rationale.",
                 qt ? qt : "(not given)", points ? points : "[]", tr ? tr : "");
    free(points);
    free(tr);
    return p;
}

static json_t *checked_points(const json_t *reply, const json_t *expected, const char *transcript)
{
    json_t *out = json_array();
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(reply, "points"), i, p)
    {
        json_int_t idx = json_integer_value(json_object_get(p, "index"));
        const char *point = json_string_value(json_array_get(expected, (size_t)idx));
        if (!point) continue; /* an index the question does not have */
        bool covered = json_is_true(json_object_get(p, "covered"));
        const char *ev = json_string_value(json_object_get(p, "evidence"));
        long off = covered ? find_quote(transcript, ev) : -1;
        json_array_append_new(out, json_pack("{s:I,s:s,s:b,s:b,s:o}", "index", idx, "point", point,
                                             "covered", covered, "supported", !covered || off >= 0,
                                             "evidence", off >= 0 ? span(ev, off) : json_null()));
    }
    return out;
}

int kc_flows_llm_grade(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    (void)err;
    struct kc_agent *a = call->env;
    const json_t *req = json_object_get(state, "request");
    char *user = grade_prompt(req);
    const char *system = "You grade one answer of a structured job interview against the "
                         "question's expected points. Judge only the content of the answer.";
    struct kc_llm_reply r;
    struct kc_err lerr = {0};
    int rc = user ? chat(a, system, user, GRADE_SCHEMA, 1024, &r, &lerr)
                  : kc_err_set(&lerr, KC_E_NOMEM, "out of memory");
    free(user);
    if (rc != 0) {
        json_object_set_new(state, "llm_grade", llm_info(&r, "failed", lerr.message));
        kc_llm_reply_free(&r);
        return 0;
    }
    const char *tr = json_string_value(json_object_get(req, "transcript"));
    json_t *info = llm_info(&r, "ok", NULL);
    json_object_set_new(info, "points", checked_points(r.json, expected_points(req), tr));
    const char *keys[] = {"star", "specificity", "score", "rationale"};
    for (size_t i = 0; i < 4; i++) json_object_set(info, keys[i], json_object_get(r.json, keys[i]));
    json_object_set_new(info, "note",
                        json_string("the LLM's judgement under the same rubric, reported beside "
                                    "the deterministic grade; it replaces nothing"));
    json_object_set_new(state, "llm_grade", info);
    kc_llm_reply_free(&r);
    return 0;
}
