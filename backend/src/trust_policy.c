/*
 * trust_policy.c — company policy settings (jurisdiction, automated suggestions, automated
 * rejection, emotion inference, retention periods, demographic categories) and the
 * compliance designation of members.
 *
 * Rules: jurisdiction "EU" forces emotion_inference = 0 and automated_rejection = 0; a PUT
 * that asks for either under EU is refused (422) and the refusal is audited too. Every
 * accepted change is one transaction with an audit entry holding the before/after policy.
 * trust_policies has at most one row per company; no row = the defaults of 0005_trust.sql.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "trust_internal.h"

#define POLICY_SELECT                                                                              \
    "SELECT c.jurisdiction, coalesce(p.show_suggestions, 1) AS show_suggestions, "                 \
    "coalesce(p.automated_rejection, 0) AS automated_rejection, "                                  \
    "coalesce(p.emotion_inference, 0) AS emotion_inference, "                                      \
    "coalesce(p.retention_recordings_days, 180) AS retention_recordings_days, "                    \
    "coalesce(p.retention_transcripts_days, 180) AS retention_transcripts_days, "                  \
    "coalesce(p.retention_analyses_days, 180) AS retention_analyses_days, "                        \
    "coalesce(p.retention_resumes_days, 365) AS retention_resumes_days, "                          \
    "coalesce(p.demographic_categories_json, '{}') AS demographic_categories_json, "               \
    "p.updated_at FROM companies c LEFT JOIN trust_policies p ON p.company_id = c.id "             \
    "WHERE c.id = $1"

static int geti(const json_t *o, const char *k)
{
    return (int)json_integer_value(json_object_get(o, k));
}

int kc_trust_policy_load(struct kc_db_conn *c, int64_t company_id, struct kc_trust_policy *out,
                         struct kc_err *err)
{
    json_t *r = kc_db_query_one(c, POLICY_SELECT, KC_ARGS(KC_DBV_INT(company_id)), err);
    if (!r) return -1;
    snprintf(out->jurisdiction, sizeof out->jurisdiction, "%s",
             json_string_value(json_object_get(r, "jurisdiction")));
    out->show_suggestions = geti(r, "show_suggestions");
    out->automated_rejection = geti(r, "automated_rejection");
    out->emotion_inference = geti(r, "emotion_inference");
    out->retention_recordings_days = geti(r, "retention_recordings_days");
    out->retention_transcripts_days = geti(r, "retention_transcripts_days");
    out->retention_analyses_days = geti(r, "retention_analyses_days");
    out->retention_resumes_days = geti(r, "retention_resumes_days");
    if (!strcmp(out->jurisdiction, "EU")) out->emotion_inference = out->automated_rejection = 0;
    json_decref(r);
    return 0;
}

int kc_trust_is_compliance(struct kc_db_conn *c, const struct kc_user *u, int64_t company_id)
{
    struct kc_err err = {0};
    int64_t n = 0;
    if (!u) return 0;
    if (!strcmp(u->role, "admin")) return 1;
    if (kc_db_query_int(c,
                        "SELECT count(*) FROM memberships WHERE user_id = $1 AND company_id = $2 "
                        "AND compliance = 1",
                        KC_ARGS(KC_DBV_INT(u->id), KC_DBV_INT(company_id)), &n, &err) != 0)
        return 0;
    return n > 0;
}

static json_t *policy_json(struct kc_db_conn *c, int64_t cid, struct kc_err *err)
{
    json_t *r = kc_db_query_one(c, POLICY_SELECT, KC_ARGS(KC_DBV_INT(cid)), err);
    if (!r) return NULL;
    /* demographic_categories_json arrives parsed as "demographic_categories" (db layer) */
    if (!json_is_object(json_object_get(r, "demographic_categories")))
        json_object_set_new(r, "demographic_categories", json_object());
    int eu = !strcmp(json_string_value(json_object_get(r, "jurisdiction")), "EU");
    json_object_set_new(r, "emotion_inference_allowed", json_boolean(!eu));
    json_object_set_new(r, "automated_rejection_allowed", json_boolean(!eu));
    json_object_set_new(r, "company_id", json_integer(cid));
    return kc_app_times(r);
}

void kc_api_trust_policy_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid;
    if (kc_company_scope(req, resp, KC_SCOPE_MEMBER, &cid)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *p = policy_json(c, cid, &err);
    kc_db_release(app->db, c);
    if (!p) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, p);
}

static int opt_bool(const json_t *b, const char *k, int *v, struct kc_err *err)
{
    json_t *x = json_object_get(b, k);
    if (!x) return 0;
    if (!json_is_boolean(x)) return kc_err_field(err, KC_E_INVALID, k, "%s: must be a boolean", k);
    *v = json_is_true(x);
    return 0;
}

static int opt_days(const json_t *ret, const char *k, int *v, struct kc_err *err)
{
    json_t *x = json_object_get(ret, k);
    if (!x) return 0;
    if (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > 3650)
        return kc_err_field(err, KC_E_INVALID, "retention",
                            "retention.%s: must be an integer number of days in 1..3650", k);
    *v = (int)json_integer_value(x);
    return 0;
}

/* Categories: {"<name>": ["value", ...]} with 1..16 names of 1..32 chars, 1..32 values each. */
static int valid_categories(const json_t *cats, struct kc_err *err)
{
    const char *k;
    json_t *vals;
    if (!json_is_object(cats) || json_object_size(cats) > 16)
        return kc_err_field(err, KC_E_INVALID, "demographic_categories",
                            "demographic_categories: an object of at most 16 categories");
    json_object_foreach((json_t *)cats, k, vals)
    {
        size_t i;
        json_t *v;
        if (strlen(k) < 1 || strlen(k) > 32 || !json_is_array(vals) || !json_array_size(vals) ||
            json_array_size(vals) > 32)
            return kc_err_field(err, KC_E_INVALID, "demographic_categories",
                                "demographic_categories.%s: 1..32 values", k);
        json_array_foreach(
            vals, i, v) if (!json_is_string(v) || !json_string_length(v) ||
                            json_string_length(v) >
                                64) return kc_err_field(err, KC_E_INVALID, "demographic_categories",
                                                        "demographic_categories.%s: values are "
                                                        "strings of 1..64 bytes",
                                                        k);
    }
    return 0;
}

static int parse_policy(const json_t *b, struct kc_trust_policy *p, const json_t **cats,
                        struct kc_err *err)
{
    json_t *j = json_object_get(b, "jurisdiction");
    if (j) {
        const char *s = json_string_value(j);
        if (!s || strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
            return kc_err_field(err, KC_E_INVALID, "jurisdiction",
                                "jurisdiction: a two-letter upper-case code such as KR, US, EU");
        snprintf(p->jurisdiction, sizeof p->jurisdiction, "%s", s);
    }
    json_t *ret = json_object_get(b, "retention");
    if (ret && !json_is_object(ret))
        return kc_err_field(err, KC_E_INVALID, "retention", "retention: must be an object");
    *cats = json_object_get(b, "demographic_categories");
    if (opt_bool(b, "show_suggestions", &p->show_suggestions, err) ||
        opt_bool(b, "automated_rejection", &p->automated_rejection, err) ||
        opt_bool(b, "emotion_inference", &p->emotion_inference, err) ||
        opt_days(ret, "recordings", &p->retention_recordings_days, err) ||
        opt_days(ret, "transcripts", &p->retention_transcripts_days, err) ||
        opt_days(ret, "analyses", &p->retention_analyses_days, err) ||
        opt_days(ret, "resumes", &p->retention_resumes_days, err) ||
        (*cats && valid_categories(*cats, err)))
        return -1;
    return 0;
}

/* Refuse what EU law forbids; the refusal itself is audited (own small transaction). */
static int eu_refusal(struct kc_db_conn *c, int64_t cid, int64_t actor,
                      const struct kc_trust_policy *p, struct kc_err *err)
{
    if (strcmp(p->jurisdiction, "EU") != 0 || (!p->emotion_inference && !p->automated_rejection))
        return 0;
    const char *what = p->emotion_inference ? "emotion_inference" : "automated_rejection";
    struct kc_err e2 = {0};
    if (kc_app_begin(c, &e2) == 0 &&
        kc_audit(c, cid, actor, "trust.policy.refused", "company", cid,
                 "prohibited for jurisdiction EU", json_pack("{s:s}", "requested", what), &e2) == 0)
        kc_app_commit(c, &e2);
    else
        kc_db_rollback(c);
    return kc_err_field(err, KC_E_UNPROCESSABLE, what,
                        "%s: not allowed for an EU company (EU AI Act Art. 5(1)(f) for emotion "
                        "recognition in recruitment; GDPR Art. 22 for automated rejection)",
                        what);
}

static int store_policy(struct kc_db_conn *c, int64_t cid, int64_t actor,
                        const struct kc_trust_policy *p, const json_t *cats, json_t *before,
                        struct kc_err *err)
{
    char *cj = cats ? json_dumps(cats, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_t *oldcats = json_object_get(before, "demographic_categories");
    char *keep = json_dumps(oldcats ? oldcats : json_object(), JSON_COMPACT | JSON_SORT_KEYS);
    int rc = kc_app_begin(c, err);
    if (!rc && kc_db_exec(c, "UPDATE companies SET jurisdiction = $1 WHERE id = $2",
                          KC_ARGS(KC_DBV_TEXT(p->jurisdiction), KC_DBV_INT(cid)), err) < 0)
        rc = -1;
    if (!rc &&
        kc_db_exec(c,
                   "INSERT OR REPLACE INTO trust_policies(company_id, show_suggestions, "
                   "automated_rejection, emotion_inference, retention_recordings_days, "
                   "retention_transcripts_days, retention_analyses_days, retention_resumes_days, "
                   "demographic_categories_json, updated_by, updated_at) VALUES "
                   "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                   KC_ARGS(KC_DBV_INT(cid), KC_DBV_INT(p->show_suggestions),
                           KC_DBV_INT(p->automated_rejection), KC_DBV_INT(p->emotion_inference),
                           KC_DBV_INT(p->retention_recordings_days),
                           KC_DBV_INT(p->retention_transcripts_days),
                           KC_DBV_INT(p->retention_analyses_days),
                           KC_DBV_INT(p->retention_resumes_days), KC_DBV_TEXT(cj ? cj : keep),
                           KC_DBV_INT(actor), KC_DBV_INT(kc_now())),
                   err) < 0)
        rc = -1;
    json_t *after = rc ? NULL : policy_json(c, cid, err);
    if (!rc && !after) rc = -1;
    if (!rc)
        rc = kc_audit(c, cid, actor, "trust.policy.update", "company", cid, NULL,
                      json_pack("{s:O,s:o}", "before", before, "after", after), err);
    free(cj);
    free(keep);
    if (rc) kc_db_rollback(c);
    return rc ? -1 : kc_app_commit(c, err);
}

void kc_api_trust_policy_put(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid;
    if (kc_company_scope(req, resp, KC_SCOPE_MANAGER, &cid)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    struct kc_trust_policy p;
    const json_t *cats = NULL;
    json_t *before = NULL;
    int rc = kc_trust_policy_load(c, cid, &p, &err);
    if (!rc) {
        /* the stored flags, not the EU-forced view, are what the body overrides */
        before = policy_json(c, cid, &err);
        p.emotion_inference = (int)json_integer_value(json_object_get(before, "emotion_inference"));
        p.automated_rejection =
            (int)json_integer_value(json_object_get(before, "automated_rejection"));
        rc = before ? 0 : -1;
    }
    if (!rc) rc = parse_policy(b, &p, &cats, &err);
    if (!rc && !strcmp(p.jurisdiction, "EU")) { /* EU turns off what the body does not ask for */
        if (!json_object_get(b, "emotion_inference")) p.emotion_inference = 0;
        if (!json_object_get(b, "automated_rejection")) p.automated_rejection = 0;
    }
    if (!rc) rc = eu_refusal(c, cid, kc_app_user(req)->id, &p, &err);
    if (!rc) rc = store_policy(c, cid, kc_app_user(req)->id, &p, cats, before, &err);
    json_t *out = rc ? NULL : policy_json(c, cid, &err);
    kc_db_release(app->db, c);
    json_decref(before);
    if (!out) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, out);
}

/* PUT /companies/{id}/members/{user_id}/compliance {"compliance": bool} (manager). */
void kc_api_trust_member_compliance(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid, uid;
    int flag = -1;
    if (kc_company_scope(req, resp, KC_SCOPE_MANAGER, &cid) ||
        kc_app_path_id(req, resp, "user_id", &uid))
        return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (opt_bool(b, "compliance", &flag, &err) || flag < 0) {
        if (!err.code) kc_err_field(&err, KC_E_INVALID, "compliance", "compliance: required");
        KC_FAIL(resp, &err);
    }
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int64_t n = 0;
    int rc = kc_app_begin(c, &err);
    if (!rc) {
        n = kc_db_exec(
            c, "UPDATE memberships SET compliance = $1 WHERE user_id = $2 AND company_id = $3",
            KC_ARGS(KC_DBV_INT(flag), KC_DBV_INT(uid), KC_DBV_INT(cid)), &err);
        if (n == 0) rc = kc_err_set(&err, KC_E_NOT_FOUND, "no such member");
        if (n < 0) rc = -1;
    }
    if (!rc)
        rc = kc_audit(c, cid, kc_app_user(req)->id, "trust.compliance.designate", "user", uid, NULL,
                      json_pack("{s:b}", "compliance", flag), &err);
    if (rc)
        kc_db_rollback(c);
    else
        rc = kc_app_commit(c, &err);
    kc_db_release(app->db, c);
    if (rc) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:I,s:b}", "user_id", (json_int_t)uid, "compliance", flag));
}
