/*
 * flows.c — the built-in workflows "screen", "questions" and "grade" (graphs and state keys in
 * flows.h); the LLM nodes live in flows_llm.c.
 *
 * Every node reads state.request (built once by load_inputs from state.input, with the
 * defaults filled in and recorded) and writes its own key. Errors of the text library are
 * KC_E_INVALID (the input is wrong: the run fails with the field named) or KC_E_NOMEM;
 * similarity-index errors from Redis are KC_E_UNAVAILABLE and retried by the job.
 */
#include "flows.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "llm.h"
#include "simstore.h"
#include "text/criteria.h"
#include "text/doc.h"
#include "text/grade.h"
#include "text/highlight.h"
#include "text/questions.h"
#include "text/screen.h"

#define SIM_DEFAULT_K 5

static const json_t *input_of(const json_t *state)
{
    return json_object_get(state, "input");
}

static const json_t *request_of(const json_t *state)
{
    return json_object_get(state, "request");
}

/* Store a text-library result, or fail the node with its error. */
static int put(json_t *state, const char *key, json_t *result)
{
    if (!result) return -1;
    json_object_set_new(state, key, result);
    return 0;
}

/* ---- input checks (at submit time: a clear 4xx before anything is queued) ----------------- */

static int check_text_field(const json_t *obj, const char *key, const char *field,
                            struct kc_err *err)
{
    const json_t *t = json_object_get(obj, key);
    if (!json_is_string(t))
        return kc_err_field(err, KC_E_INVALID, field, "%s: required string", field);
    return kc_doc_check_text(json_string_value(t), json_string_length(t), field, err);
}

static int check_ref(const json_t *input, struct kc_err *err)
{
    struct kc_ym ref;
    if (!json_object_get(input, "reference_date")) return 0;
    return kc_request_ref(input, &ref, err);
}

static int check_screen(const json_t *input, void *env, struct kc_err *err)
{
    struct kc_agent *a = env;
    const json_t *job = json_object_get(input, "job");
    if (!json_is_object(job)) return kc_err_field(err, KC_E_INVALID, "job", "job: required object");
    struct kc_jobspec *compiled = kc_jobspec_compile(a->kit, job, "job", err);
    if (!compiled) return -1;
    kc_jobspec_free(compiled);
    if (check_text_field(json_object_get(input, "resume"), "text", "resume.text", err) != 0)
        return -1;
    const json_t *sim = json_object_get(input, "similarity");
    if (sim && !json_is_object(sim))
        return kc_err_field(err, KC_E_INVALID, "similarity", "similarity: must be an object");
    uint64_t id;
    const json_t *rid = json_object_get(json_object_get(input, "resume"), "id");
    if (rid && kc_simstore_parse_id(rid, "resume.id", &id, err) != 0) return -1;
    return check_ref(input, err);
}

static int check_questions(const json_t *input, void *env, struct kc_err *err)
{
    (void)env;
    if (!json_is_object(json_object_get(input, "job")))
        return kc_err_field(err, KC_E_INVALID, "job", "job: required object");
    if (check_text_field(json_object_get(input, "resume"), "text", "resume.text", err) != 0)
        return -1;
    return check_ref(input, err);
}

static int check_grade(const json_t *input, void *env, struct kc_err *err)
{
    (void)env;
    if (!json_is_object(json_object_get(input, "question")))
        return kc_err_field(err, KC_E_INVALID, "question", "question: required object");
    return check_text_field(input, "transcript", "transcript", err);
}

/* ---- load_inputs -------------------------------------------------------------------------- */

static const char *const CONTROL_KEYS[] = {"similarity", "use_llm", "application_id", NULL};

static int node_load_inputs(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    (void)call;
    json_t *req = json_deep_copy(input_of(state));
    if (!req) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (size_t i = 0; CONTROL_KEYS[i]; i++) json_object_del(req, CONTROL_KEYS[i]);
    json_t *defaults = json_array();
    if (!json_object_get(req, "reference_date") && json_object_get(req, "resume")) {
        char month[16];
        kc_agent_this_month(month, sizeof month);
        json_object_set_new(req, "reference_date", json_string(month));
        json_array_append_new(defaults, json_string("reference_date: the current month (UTC)"));
    }
    json_object_set_new(state, "request", req);
    json_object_set_new(state, "defaults", defaults);
    return 0;
}

/* ---- screen ------------------------------------------------------------------------------- */

static int node_screen(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    struct kc_agent *a = call->env;
    return put(state, "screen", kc_screen_json(a->kit, request_of(state), err));
}

static int node_highlights(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    struct kc_agent *a = call->env;
    return put(state, "highlights", kc_highlight_json(a->kit, request_of(state), err));
}

static const char *after_highlights(const json_t *state, void *env)
{
    (void)env;
    const json_t *sim = json_object_get(input_of(state), "similarity");
    return json_is_false(json_object_get(sim, "enabled")) ? "suggestion" : "similarity";
}

static int node_similarity(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    struct kc_agent *a = call->env;
    const json_t *opt = json_object_get(input_of(state), "similarity");
    const json_t *resume = json_object_get(request_of(state), "resume");
    const json_t *text = json_object_get(resume, "text");
    const json_t *rid = json_object_get(resume, "id");
    uint64_t id = UINT64_MAX;
    if (rid && kc_simstore_parse_id(rid, "resume.id", &id, err) != 0) return -1;
    json_int_t k = json_is_integer(json_object_get(opt, "k"))
                       ? json_integer_value(json_object_get(opt, "k"))
                       : SIM_DEFAULT_K;
    double thr = json_is_number(json_object_get(opt, "threshold"))
                     ? json_number_value(json_object_get(opt, "threshold"))
                     : -1;
    json_t *res = kc_simstore_query(a->sim, json_string_value(text), json_string_length(text), id,
                                    (size_t)(k > 0 ? k : SIM_DEFAULT_K), thr, err);
    if (!res) return -1;
    const json_t *idx = json_object_get(opt, "index");
    bool index = rid && !json_is_false(idx);
    if (index && kc_simstore_add(a->sim, id, json_string_value(text), json_string_length(text),
                                 NULL, err) != 0) {
        json_decref(res);
        return -1;
    }
    json_object_set_new(res, "indexed_as", index ? json_integer((json_int_t)id) : json_null());
    json_object_set_new(state, "similarity", res);
    return 0;
}

/* The most similar hit flagged "similar", or NULL. */
static const json_t *top_similar(const json_t *state)
{
    size_t i;
    const json_t *h;
    json_array_foreach(json_object_get(json_object_get(state, "similarity"), "hits"), i, h)
    {
        if (json_is_true(json_object_get(h, "similar"))) return h;
    }
    return NULL;
}

static int node_suggestion(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    (void)call;
    const json_t *scr = json_object_get(state, "screen");
    const char *base = json_string_value(json_object_get(scr, "suggestion"));
    if (!base) return kc_err_set(err, KC_E_INTERNAL, "screening result without a suggestion");
    const char *value = base;
    json_t *rules = json_array(), *flags = json_array();
    json_array_append_new(rules, json_pack("{s:s,s:O?,s:O?,s:s}", "rule", "screening", "total",
                                           json_object_get(scr, "total"), "threshold",
                                           json_object_get(scr, "threshold"), "result", base));
    const json_t *copy = top_similar(state);
    if (copy) {
        json_array_append_new(flags, json_pack("{s:s,s:O,s:O}", "code", "similar_resume", "doc_id",
                                               json_object_get(copy, "doc_id"), "cosine",
                                               json_object_get(copy, "cosine")));
        if (strcmp(base, "pass") == 0) {
            value = "hold";
            json_array_append_new(rules, json_pack("{s:s,s:O,s:s}", "rule", "possible_copy",
                                                   "doc_id", json_object_get(copy, "doc_id"),
                                                   "effect", "pass -> hold"));
        }
    }
    json_t *out = json_pack(
        "{s:s,s:s,s:o,s:o,s:O?,s:O?,s:s,s:s}", "value", value, "screening_suggestion", base,
        "rules", rules, "flags", flags, "reason_ko", json_object_get(scr, "reason_ko"), "reason_en",
        json_object_get(scr, "reason_en"), "source", "deterministic", "definition",
        "the screening's pass/hold/fail from the weighted criteria total and the job's threshold; "
        "a pass whose resume is similar to another indexed resume becomes hold so a person "
        "checks a possible copy. A suggestion only: people decide.");
    return put(state, "suggestion", out);
}

static const struct kc_wf_node screen_nodes[] = {
    {"load_inputs", node_load_inputs, "screen", NULL},
    {"screen", node_screen, "highlights", NULL},
    {"highlights", node_highlights, NULL, after_highlights},
    {"similarity", node_similarity, "suggestion", NULL},
    {"suggestion", node_suggestion, NULL, NULL},
};
static const struct kc_workflow screen_wf = {"screen", screen_nodes, 5, NULL, 0, check_screen};

/* ---- questions and grade ------------------------------------------------------------------ */

/* Why the LLM path is not taken, or NULL when it is. */
static const char *llm_skip_reason(const json_t *state, const struct kc_agent *a)
{
    if (!kc_llm_enabled(a->llm))
        return "no LLM provider configured (KOCRUIT_LLM_PROVIDER=none): deterministic result";
    if (json_is_false(json_object_get(input_of(state), "use_llm")))
        return "use_llm is false: deterministic result";
    return NULL;
}

const char *kc_flows_after_det(const json_t *state, void *env, const char *llm_node)
{
    return llm_skip_reason(state, env) ? NULL : llm_node;
}

static json_t *llm_status(const json_t *state, const struct kc_agent *a)
{
    const char *why = llm_skip_reason(state, a);
    if (!why) return json_pack("{s:s}", "status", "pending");
    return json_pack("{s:s,s:s}", "status", kc_llm_enabled(a->llm) ? "skipped" : "unavailable",
                     "reason", why);
}

static int node_questions(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    struct kc_agent *a = call->env;
    json_t *det = kc_questions_generate(a->kit, request_of(state), err);
    if (!det) return -1;
    json_object_set_new(state, "result",
                        json_pack("{s:s,s:O,s:o}", "source", "deterministic", "questions",
                                  json_object_get(det, "questions"), "llm", llm_status(state, a)));
    return put(state, "questions", det);
}

static const char *after_questions(const json_t *state, void *env)
{
    return kc_flows_after_det(state, env, "llm_questions");
}

static const struct kc_wf_node questions_nodes[] = {
    {"load_inputs", node_load_inputs, "questions", NULL},
    {"questions", node_questions, NULL, after_questions},
    {"llm_questions", kc_flows_llm_questions, NULL, NULL},
};
static const struct kc_workflow questions_wf = {"questions", questions_nodes, 3, NULL,
                                                0,           check_questions};

static int node_grade(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    struct kc_agent *a = call->env;
    json_t *det = kc_grade_json(a->kit, request_of(state), err);
    if (!det) return -1;
    json_object_set_new(state, "llm_grade", llm_status(state, a));
    return put(state, "grade", det);
}

static const char *after_grade(const json_t *state, void *env)
{
    return kc_flows_after_det(state, env, "llm_grade");
}

static const struct kc_wf_node grade_nodes[] = {
    {"load_inputs", node_load_inputs, "grade", NULL},
    {"grade", node_grade, NULL, after_grade},
    {"llm_grade", kc_flows_llm_grade, NULL, NULL},
};
static const struct kc_workflow grade_wf = {"grade", grade_nodes, 3, NULL, 0, check_grade};

int kc_flows_register(struct kc_wf_engine *e, struct kc_err *err)
{
    if (kc_wf_register(e, &screen_wf, err) != 0 || kc_wf_register(e, &questions_wf, err) != 0 ||
        kc_wf_register(e, &grade_wf, err) != 0)
        return -1;
    return 0;
}
