/*
 * api.c — the /v1 routes of the agent (list and rules in api.h).
 *
 * Handlers are thin: read the body (api_body.c names the field of invalid UTF-8), fill the
 * reference-date default, call the text library / similarity index / workflow engine, and map
 * a kc_err to the one error shape. Text-library calls take milliseconds, so they run on the
 * request thread; anything with an LLM goes through a workflow and the job workers.
 */
#include "api.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "api_body.h"
#include "llm.h"
#include "simstore.h"
#include "text/criteria.h"
#include "text/grade.h"
#include "text/highlight.h"
#include "text/questions.h"
#include "text/screen.h"
#include "workflow.h"

typedef json_t *(*text_fn)(const struct kc_textkit *kit, const json_t *req, struct kc_err *err);

int kc_api_token_ok(const char *given, const char *expected)
{
    if (!given || !expected || !expected[0]) return 0;
    unsigned char a[crypto_hash_sha256_BYTES], b[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(a, (const unsigned char *)given, strlen(given));
    crypto_hash_sha256(b, (const unsigned char *)expected, strlen(expected));
    return sodium_memcmp(a, b, sizeof a) == 0;
}

static int guard(struct kc_req *req, const struct kc_route *route, struct kc_resp *resp, void *ctx)
{
    struct kc_agent *a = ctx;
    if (!(route->auth & KC_API_AUTH_INTERNAL)) return 0;
    if (kc_api_token_ok(kc_req_header(req, "X-Internal-Token"), a->svc->cfg.internal_token))
        return 0;
    kc_resp_errorf(resp, KC_E_UNAUTHORIZED, "X-Internal-Token",
                   "missing or wrong X-Internal-Token");
    return -1;
}

/* The body with "reference_date" defaulted to this month (recorded in *defaults). New ref. */
static json_t *with_defaults(const json_t *body, bool wants_ref, json_t **defaults)
{
    json_t *in = json_copy((json_t *)body);
    *defaults = json_array();
    if (wants_ref && !json_object_get(in, "reference_date")) {
        char month[16];
        kc_agent_this_month(month, sizeof month);
        json_object_set_new(in, "reference_date", json_string(month));
        json_array_append_new(*defaults,
                              json_pack("{s:s,s:s}", "field", "reference_date", "value", month));
    }
    return in;
}

static void run_text(struct kc_req *req, struct kc_resp *resp, struct kc_agent *a, text_fn fn,
                     bool wants_ref)
{
    struct kc_err err = {0};
    json_t *body = kc_api_json(req, &err);
    if (!body) {
        kc_resp_error(resp, &err);
        return;
    }
    json_t *defaults;
    json_t *in = with_defaults(body, wants_ref, &defaults);
    json_t *out = fn(a->kit, in, &err);
    json_decref(in);
    if (!out) {
        json_decref(defaults);
        if (err.code == KC_OK) kc_err_set(&err, KC_E_INTERNAL, "analysis failed without a reason");
        kc_resp_error(resp, &err);
        return;
    }
    json_object_set_new(out, "source", json_string("deterministic"));
    json_object_set_new(out, "defaults", defaults);
    kc_resp_json(resp, 200, out);
}

static void h_screen(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    run_text(req, resp, ctx, kc_screen_json, true);
}

static void h_highlights(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    run_text(req, resp, ctx, kc_highlight_json, true);
}

static void h_questions(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    run_text(req, resp, ctx, kc_questions_generate, true);
}

static void h_grade(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    run_text(req, resp, ctx, kc_grade_json, false);
}

static void h_suggest(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    run_text(req, resp, ctx, kc_criteria_suggest_json, false);
}

/* ---- similarity --------------------------------------------------------------------------- */

static void h_sim_index(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_agent *a = ctx;
    struct kc_err err = {0};
    json_t *body = kc_api_json(req, &err);
    uint64_t id = 0;
    const char *text = NULL;
    bool replaced = false;
    if (!body || kc_simstore_parse_id(json_object_get(body, "doc_id"), "doc_id", &id, &err) ||
        kc_json_str(body, "text", 1, 0, &text, &err) ||
        kc_simstore_add(a->sim, id, text, json_string_length(json_object_get(body, "text")),
                        &replaced, &err)) {
        kc_resp_error(resp, &err);
        return;
    }
    kc_resp_json(resp, replaced ? 200 : 201,
                 json_pack("{s:I,s:b,s:I}", "doc_id", (json_int_t)id, "replaced", replaced,
                           "indexed", (json_int_t)kc_simstore_size(a->sim)));
}

static int query_options(const json_t *body, int64_t *k, double *thr, uint64_t *exclude,
                         struct kc_err *err)
{
    *k = 10;
    *thr = -1;
    *exclude = UINT64_MAX;
    if (kc_json_int(body, "k", 0, 1, KC_SIMSTORE_MAX_K, k, err) ||
        kc_json_num(body, "threshold", 0, 0.0, 1.0, thr, err))
        return -1;
    const json_t *ex = json_object_get(body, "exclude_id");
    if (ex && !json_is_null(ex) && kc_simstore_parse_id(ex, "exclude_id", exclude, err)) return -1;
    return 0;
}

static void h_sim_query(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_agent *a = ctx;
    struct kc_err err = {0};
    json_t *body = kc_api_json(req, &err);
    int64_t k;
    double thr;
    uint64_t exclude, id;
    json_t *out = NULL;
    if (body && query_options(body, &k, &thr, &exclude, &err) == 0) {
        const json_t *text = json_object_get(body, "text"), *doc = json_object_get(body, "doc_id");
        if ((text != NULL) == (doc != NULL))
            kc_err_field(&err, KC_E_INVALID, "text", "give exactly one of text and doc_id");
        else if (doc && kc_simstore_parse_id(doc, "doc_id", &id, &err) == 0)
            out = kc_simstore_query_id(a->sim, id, (size_t)k, thr, &err);
        else if (text && !json_is_string(text))
            kc_err_field(&err, KC_E_INVALID, "text", "text: must be a string");
        else if (text)
            out = kc_simstore_query(a->sim, json_string_value(text), json_string_length(text),
                                    exclude, (size_t)k, thr, &err);
    }
    if (!out) {
        kc_resp_error(resp, &err);
        return;
    }
    kc_resp_json(resp, 200, out);
}

static void h_sim_delete(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_agent *a = ctx;
    struct kc_err err = {0};
    uint64_t id;
    if (kc_simstore_parse_id_str(kc_req_param(req, "doc_id"), "doc_id", &id, &err) ||
        kc_simstore_remove(a->sim, id, &err)) {
        kc_resp_error(resp, &err);
        return;
    }
    kc_resp_json(resp, 200,
                 json_pack("{s:I,s:b,s:I}", "doc_id", (json_int_t)id, "deleted", 1, "indexed",
                           (json_int_t)kc_simstore_size(a->sim)));
}

/* ---- workflows ---------------------------------------------------------------------------- */

static void h_wf_submit(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_agent *a = ctx;
    struct kc_err err = {0};
    const char *name = kc_req_param(req, "name");
    json_t *body = kc_api_json(req, &err);
    char run_id[KC_WF_RUN_ID_MAX] = "";
    if (!body || kc_wf_submit(a->wf, name, body, run_id, sizeof run_id, &err) != 0) {
        kc_resp_error(resp, &err);
        return;
    }
    char url[KC_WF_RUN_ID_MAX + 32];
    snprintf(url, sizeof url, "/v1/workflows/%s", run_id);
    kc_resp_header(resp, "Location", url);
    kc_resp_json(resp, 202,
                 json_pack("{s:s,s:s,s:s,s:s}", "run_id", run_id, "workflow", name, "status",
                           "queued", "status_url", url));
}

static void h_wf_status(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_agent *a = ctx;
    struct kc_err err = {0};
    json_t *st = kc_wf_status(a->wf, kc_req_param(req, "run_id"), &err);
    if (!st) {
        kc_resp_error(resp, &err);
        return;
    }
    kc_resp_json(resp, 200, st);
}

static void h_info(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req;
    struct kc_agent *a = ctx;
    kc_resp_json(resp, 200,
                 json_pack("{s:o,s:{s:s,s:I},s:[s,s,s],s:s}", "llm", kc_llm_describe(a->llm),
                           "similarity", "status",
                           kc_simstore_loaded(a->sim) ? "ok" : "unavailable", "indexed",
                           (json_int_t)kc_simstore_size(a->sim), "workflows", "screen", "questions",
                           "grade", "version", KC_VERSION));
}

/* ---- table -------------------------------------------------------------------------------- */

#define V1(m, p, h, mode, sum)                                                                     \
    {                                                                                              \
        .method = m, .pattern = p, .handler = h, .body = mode, .max_body = KC_API_MAX_BODY,        \
        .auth = KC_API_AUTH_INTERNAL, .summary = sum, .tag = "agent"                               \
    }

static const struct kc_route routes[] = {
    V1("POST", "/v1/screen", h_screen, KC_BODY_BUFFER, "Screen a resume against job criteria"),
    V1("POST", "/v1/highlights", h_highlights, KC_BODY_BUFFER, "Tag resume sentences"),
    V1("POST", "/v1/criteria/suggest", h_suggest, KC_BODY_BUFFER,
       "Suggest screening criteria and weights from a job post"),
    V1("POST", "/v1/questions", h_questions, KC_BODY_BUFFER, "Interview questions"),
    V1("POST", "/v1/grade", h_grade, KC_BODY_BUFFER, "Grade an answer transcript"),
    V1("POST", "/v1/similarity/index", h_sim_index, KC_BODY_BUFFER, "Index a resume"),
    V1("POST", "/v1/similarity/query", h_sim_query, KC_BODY_BUFFER, "Find similar resumes"),
    V1("DELETE", "/v1/similarity/{doc_id}", h_sim_delete, KC_BODY_NONE,
       "Delete a resume from the similarity index everywhere"),
    V1("POST", "/v1/workflows/{name}", h_wf_submit, KC_BODY_BUFFER, "Start a workflow run"),
    V1("GET", "/v1/workflows/{run_id}", h_wf_status, KC_BODY_NONE, "A workflow run's status"),
    V1("GET", "/v1/info", h_info, KC_BODY_NONE, "LLM provider, index size, workflows"),
};

int kc_api_routes(struct kc_agent *a, struct kc_http_server *srv, struct kc_err *err)
{
    if (sodium_init() < 0) return kc_err_set(err, KC_E_INTERNAL, "libsodium failed to initialise");
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        struct kc_route r = routes[i];
        r.ctx = a;
        if (r.body == KC_BODY_NONE) r.max_body = 0;
        if (kc_http_route(srv, &r, err) != 0) return -1;
    }
    kc_http_set_guard(srv, guard, a);
    return 0;
}
