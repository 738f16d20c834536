/*
 * openapi.c — the OpenAPI 3.1 document, generated from the server's route table (every
 * route registered, including /health and /metrics from lib/core) plus the schema table
 * below, and the human docs page (static HTML that renders the JSON; no CDN).
 *
 * For each route: path parameters come from the pattern, security from the route's auth
 * bits (public → `security: []`, internal → the X-Internal-Token scheme, otherwise bearer
 * JWT plus `x-kocruit-roles`), request and response schemas from the `docs` table (routes
 * without an entry get a generic JSON object, which the table-driven test would notice as
 * a missing row). Errors share one Error schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

struct route_doc {
    const char *method, *pattern;
    const char *request;  /* component schema name, NULL = no body */
    const char *response; /* component schema name, NULL = no body */
    int status;
};

#define V1 "/api/v1"
static const struct route_doc docs[] = {
    {"POST", V1 "/auth/signup", "Signup", "Session", 201},
    {"POST", V1 "/auth/signup-company", "CompanySignup", "Session", 201},
    {"POST", V1 "/auth/login", "Login", "Session", 200},
    {"POST", V1 "/auth/refresh", "Refresh", "Tokens", 200},
    {"POST", V1 "/auth/logout", "Logout", NULL, 204},
    {"POST", V1 "/auth/password", "PasswordChange", "Session", 200},
    {"POST", V1 "/auth/password-reset", "ResetRequest", "Status", 202},
    {"POST", V1 "/auth/password-reset/confirm", "ResetConfirm", "Status", 200},
    {"POST", V1 "/invitations/accept", "InvitationAccept", "Session", 200},
    {"GET", V1 "/me", NULL, "User", 200},
    {"GET", V1 "/companies/{id}", NULL, "Company", 200},
    {"PUT", V1 "/companies/{id}", "CompanyInput", "Company", 200},
    {"GET", V1 "/companies/{id}/departments", NULL, "Items", 200},
    {"POST", V1 "/companies/{id}/departments", "Named", "Department", 201},
    {"DELETE", V1 "/companies/{id}/departments/{dept_id}", NULL, NULL, 204},
    {"GET", V1 "/companies/{id}/members", NULL, "Items", 200},
    {"PATCH", V1 "/companies/{id}/members/{user_id}", "MemberRole", NULL, 204},
    {"DELETE", V1 "/companies/{id}/members/{user_id}", NULL, NULL, 204},
    {"GET", V1 "/companies/{id}/invitations", NULL, "Items", 200},
    {"POST", V1 "/companies/{id}/invitations", "InvitationInput", "Invitation", 201},
    {"GET", V1 "/companies/{id}/jobs", NULL, "Items", 200},
    {"GET", V1 "/jobs", NULL, "JobList", 200},
    {"POST", V1 "/jobs", "JobInput", "JobFull", 201},
    {"GET", V1 "/jobs/{id}", NULL, "JobPublic", 200},
    {"PUT", V1 "/jobs/{id}", "JobInput", "JobFull", 200},
    {"DELETE", V1 "/jobs/{id}", NULL, NULL, 204},
    {"GET", V1 "/jobs/{id}/manage", NULL, "JobFull", 200},
    {"GET", V1 "/jobs/{id}/stats", NULL, "JobStats", 200},
    {"GET", V1 "/jobs/{id}/applications", NULL, "Items", 200},
    {"POST", V1 "/jobs/{id}/applications", "ApplyInput", "Application", 201},
    {"POST", V1 "/jobs/{id}/decisions", "BulkDecision", "BulkResult", 200},
    {"GET", V1 "/jobs/{id}/panels", NULL, "Items", 200},
    {"POST", V1 "/jobs/{id}/panels", "PanelInput", "Panel", 201},
    {"POST", V1 "/resumes", "ResumeUpload", "Resume", 201},
    {"GET", V1 "/resumes", NULL, "Items", 200},
    {"GET", V1 "/resumes/{id}", NULL, "Resume", 200},
    {"PUT", V1 "/resumes/{id}/sections", "SectionsInput", "Resume", 200},
    {"DELETE", V1 "/resumes/{id}", NULL, NULL, 204},
    {"GET", V1 "/resumes/{id}/file", NULL, "Binary", 200},
    {"GET", V1 "/me/applications", NULL, "Items", 200},
    {"GET", V1 "/applications/{id}", NULL, "Application", 200},
    {"POST", V1 "/applications/{id}/withdraw", NULL, "Application", 200},
    {"POST", V1 "/applications/{id}/decision", "Decision", "Application", 200},
    {"GET", V1 "/applications/{id}/memos", NULL, "Items", 200},
    {"POST", V1 "/applications/{id}/memos", "MemoInput", "Memo", 201},
    {"GET", V1 "/applications/{id}/audit", NULL, "Items", 200},
    {"GET", V1 "/applications/{id}/slots", NULL, "Items", 200},
    {"POST", V1 "/applications/{id}/slots", "SlotInput", "Slot", 201},
    {"GET", V1 "/applications/{id}/stages/{stage}", NULL, "StageView", 200},
    {"PUT", V1 "/applications/{id}/stages/{stage}/evaluation", "EvaluationInput", "Evaluation",
     200},
    {"GET", V1 "/me/panels", NULL, "Items", 200},
    {"DELETE", V1 "/panels/{id}", NULL, NULL, 204},
    {"POST", V1 "/panels/{id}/respond", "PanelResponse", "Panel", 200},
    {"GET", V1 "/notifications", NULL, "Items", 200},
    {"GET", V1 "/notifications/unread-count", NULL, "Unread", 200},
    {"POST", V1 "/notifications/read-all", NULL, "Marked", 200},
    {"POST", V1 "/notifications/{id}/read", NULL, NULL, 204},
    {"GET", V1 "/admin/outbox", NULL, "Items", 200},
    {"GET", "/internal/blobs/{sha256}", NULL, "Binary", 200},
    {"GET", "/internal/applications/{id}", NULL, "InternalApplication", 200},
    {"GET", V1 "/openapi.json", NULL, "Object", 200},
    {"GET", V1 "/docs", NULL, "Html", 200},
    {"GET", "/", NULL, "Html", 200},
    {"GET", "/{file}", NULL, "Binary", 200},
    {"GET", "/assets/{file}", NULL, "Binary", 200},
    {"GET", "/health", NULL, "Object", 200},
    {"GET", "/metrics", NULL, "Text", 200},
#include "docs_ai.inc"
#include "docs_trust.inc"
    {NULL, NULL, NULL, NULL, 0},
};

/* Component schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses). */
static const char schemas[] =
#include "openapi_schemas.inc"
    ;
static const char schemas_ai[] =
#include "openapi_schemas_ai.inc"
    ;
static const char schemas_trust[] =
#include "openapi_schemas_trust.inc"
    ;

static const struct route_doc *doc_of(const struct kc_route *r)
{
    for (const struct route_doc *d = docs; d->method; d++)
        if (!strcmp(d->method, r->method) && !strcmp(d->pattern, r->pattern)) return d;
    return NULL;
}

static json_t *ref(const char *name)
{
    char buf[128];
    snprintf(buf, sizeof buf, "#/components/schemas/%s", name);
    return json_pack("{s:s}", "$ref", buf);
}

static json_t *param(const char *name)
{
    json_t *schema =
        !strcmp(name, "stage")
            ? json_pack("{s:s,s:[s,s,s,s,s,s]}", "type", "string", "enum", "document",
                        "written_test", "ai_interview", "practical", "executive", "final")
        : !strcmp(name, "sha256")
            ? json_pack("{s:s,s:s}", "type", "string", "pattern", "^[0-9a-f]{64}$")
        : !strcmp(name, "file") ? json_pack("{s:s}", "type", "string")
                                : json_pack("{s:s,s:i}", "type", "integer", "minimum", 1);
    return json_pack("{s:s,s:s,s:b,s:o}", "name", name, "in", "path", "required", 1, "schema",
                     schema);
}

static json_t *parameters(const struct kc_route *r)
{
    json_t *ps = json_array();
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        char name[64];
        if (!e || (size_t)(e - p) >= sizeof name) break;
        snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
        json_array_append_new(ps, param(name));
    }
    if (!strcmp(r->pattern, V1 "/jobs") && !strcmp(r->method, "GET")) {
        static const char *const q[][2] = {{"q", "string"},        {"employment_type", "string"},
                                           {"location", "string"}, {"company_id", "integer"},
                                           {"limit", "integer"},   {"offset", "integer"}};
        for (size_t i = 0; i < 6; i++)
            json_array_append_new(ps, json_pack("{s:s,s:s,s:{s:s}}", "name", q[i][0], "in", "query",
                                                "schema", "type", q[i][1]));
    }
    return ps;
}

static json_t *roles(unsigned auth)
{
    static const struct {
        unsigned bit;
        const char *name;
    } bits[] = {{KC_AUTH_USER, "any signed-in user"},  {KC_AUTH_APPLICANT, "applicant"},
                {KC_AUTH_STAFF, "company member"},     {KC_AUTH_RECRUITER, "recruiter"},
                {KC_AUTH_MANAGER, "manager"},          {KC_AUTH_ADMIN, "admin"},
                {KC_AUTH_INTERNAL, "internal service"}};
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (auth & bits[i].bit) json_array_append_new(a, json_string(bits[i].name));
    return a;
}

static json_t *content(const char *schema, const char *upload)
{
    const char *type = upload                      ? "multipart/form-data"
                       : !strcmp(schema, "Html")   ? "text/html"
                       : !strcmp(schema, "Text")   ? "text/plain"
                       : !strcmp(schema, "Binary") ? "application/octet-stream"
                                                   : "application/json";
    return json_pack("{s:{s:o}}", type, "schema", ref(schema));
}

static json_t *operation(const struct kc_route *r)
{
    const struct route_doc *d = doc_of(r);
    json_t *op = json_pack("{s:s,s:o}", "summary", r->summary ? r->summary : "", "parameters",
                           parameters(r));
    if (r->tag) json_object_set_new(op, "tags", json_pack("[s]", r->tag));
    if (r->auth == KC_AUTH_PUBLIC)
        json_object_set_new(op, "security", json_array());
    else if (r->auth & KC_AUTH_INTERNAL)
        json_object_set_new(op, "security", json_pack("[{s:[]}]", "internalToken"));
    else
        json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearer"));
    if (r->auth) json_object_set_new(op, "x-kocruit-roles", roles(r->auth));
    if (d && d->request)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b,s:o}", "required", 1, "content",
                                      content(d->request, r->body == KC_BODY_UPLOAD ? "" : NULL)));
    json_t *resps = json_object(), *ok = json_pack("{s:s}", "description", "success");
    if (!d || d->response)
        json_object_set_new(ok, "content", content(d ? d->response : "Object", NULL));
    char code[8];
    snprintf(code, sizeof code, "%d", d ? d->status : 200);
    json_object_set_new(resps, code, ok);
    static const char *const errs[][2] = {{"400", "invalid input (the field is named)"},
                                          {"401", "missing or invalid credentials"},
                                          {"403", "your role may not do this"},
                                          {"404", "not found (also another company's object)"}};
    for (size_t i = 0; i < 4; i++) {
        if (r->auth == KC_AUTH_PUBLIC && (i == 1 || i == 2)) continue;
        json_object_set_new(
            resps, errs[i][0],
            json_pack("{s:s,s:o}", "description", errs[i][1], "content", content("Error", NULL)));
    }
    json_object_set_new(op, "responses", resps);
    return op;
}

static void lower(const char *m, char *out, size_t cap)
{
    size_t i = 0;
    for (; m[i] && i + 1 < cap; i++) out[i] = (char)(m[i] | 0x20);
    out[i] = '\0';
}

json_t *kc_openapi_document(const struct kc_route *routes, size_t n)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < n; i++) {
        const struct kc_route *r = &routes[i];
        json_t *item = json_object_get(paths, r->pattern);
        char m[16];
        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->pattern, item);
        }
        lower(r->method, m, sizeof m);
        json_object_set_new(item, m, operation(r));
    }
    json_t *comp = json_loads(schemas, 0, NULL);
    /* feature schema files (openapi_schemas_<feature>.json) merged into the components */
    static const char *const feature_schemas[] = {schemas_ai, schemas_trust};
    for (size_t k = 0; comp && k < sizeof feature_schemas / sizeof feature_schemas[0]; k++) {
        json_t *more = json_loads(feature_schemas[k], 0, NULL);
        if (more) json_object_update(comp, more);
        json_decref(more);
    }
    return json_pack(
        "{s:s,s:{s:s,s:s,s:s},s:o,s:{s:o,s:{s:{s:s,s:s,s:s},s:{s:s,s:s,s:s}}}}", "openapi", "3.1.0",
        "info", "title", "kocruit backend API", "version", KC_VERSION, "description",
        "Hiring pipeline: accounts, companies, jobs, resumes, applications, stages, "
        "evaluations. Errors: {\"error\":{\"code\",\"message\",\"field\"}}.",
        "paths", paths, "components", "schemas", comp ? comp : json_object(), "securitySchemes",
        "bearer", "type", "http", "scheme", "bearer", "bearerFormat", "JWT", "internalToken",
        "type", "apiKey", "in", "header", "name", "X-Internal-Token");
}

void kc_api_openapi(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    (void)req;
    if (!app->openapi_json) KC_ERRF(resp, KC_E_UNAVAILABLE, NULL, "document not built");
    kc_resp_bytes(resp, 200, "application/json", app->openapi_json, strlen(app->openapi_json));
}

static const char docs_html[] =
#include "docs_html.inc"
    ;

void kc_api_docs(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req, (void)ctx;
    kc_resp_header(resp, "Content-Security-Policy",
                   "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src "
                   "'unsafe-inline'");
    kc_resp_bytes(resp, 200, "text/html; charset=utf-8", docs_html, sizeof docs_html - 1);
}
