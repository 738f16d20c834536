/*
 * trust_fairness.c — demographic self-identification and the adverse-impact reports.
 *
 * This file is the ONLY reader of the demographics table (0005_trust.sql): no reviewer
 * screen, application export, internal route or model touches it, and no response outside
 * the two compliance routes carries a value from it (the self-identification answer echoes
 * only a count). The compliance routes answer 404 to anyone who is not a site admin or a
 * compliance-designated member of the job's company.
 *
 * Counting (per stage of the job, and for the final outcome): assessed = applications whose
 * stage row was decided (passed or failed), selected = passed. Per category the groups are
 * the company's configured values (default: sex and the EEO-1 race/ethnicity list used by
 * LL 144); no value, "decline_to_answer" or a value outside the list is "unknown". The
 * arithmetic is trust_impact.c. The LL 144 summary adds the intersectional sex × race table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "trust_impact.h"
#include "trust_internal.h"

#define DEFAULT_CATEGORIES                                                                         \
    "{\"sex\":[\"female\",\"male\"],\"race_ethnicity\":[\"hispanic_or_latino\",\"white\","         \
    "\"black_or_african_american\",\"native_hawaiian_or_pacific_islander\",\"asian\","             \
    "\"american_indian_or_alaska_native\",\"two_or_more_races\"]}"
#define MAX_GROUPS 64

static json_t *categories(struct kc_db_conn *c, int64_t cid, struct kc_err *err)
{
    json_t *cats = NULL;
    json_t *r = kc_db_query_one(c,
                                "SELECT demographic_categories_json AS j FROM trust_policies WHERE "
                                "company_id = $1",
                                KC_ARGS(KC_DBV_INT(cid)), err);
    if (r) cats = json_loads(json_string_value(json_object_get(r, "j")), 0, NULL);
    json_decref(r);
    if (cats && json_object_size(cats)) return cats;
    json_decref(cats);
    err->code = KC_OK;
    return json_loads(DEFAULT_CATEGORIES, 0, NULL);
}

static int in_list(const json_t *vals, const char *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(vals, i, x) if (v && !strcmp(json_string_value(x), v)) return 1;
    return 0;
}

void kc_api_trust_self_identify(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load(c, kc_app_user(req), id, &acc, &err), *cats = NULL;
    int rc = a ? 0 : -1, n = 0;
    if (a && acc != KC_ACCESS_APPLICANT)
        rc = kc_err_set(&err, KC_E_FORBIDDEN, "only the applicant self-identifies");
    if (!rc) cats = categories(c, json_integer_value(json_object_get(a, "company_id")), &err);
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        if (rc) break;
        json_t *vals = json_object_get(cats, k);
        if (!vals || !json_is_string(v) ||
            (strcmp(json_string_value(v), "decline_to_answer") &&
             !in_list(vals, json_string_value(v))))
            rc = kc_err_field(&err, KC_E_INVALID, k, "%s: not a category or not one of its values",
                              k);
    }
    if (!rc) rc = kc_app_begin(c, &err);
    json_object_foreach(b, k, v)
    {
        if (rc) break;
        if (kc_db_exec(c, "INSERT OR REPLACE INTO demographics VALUES ($1, $2, $3, $4)",
                       KC_ARGS(KC_DBV_INT(id), KC_DBV_TEXT(k), KC_DBV_TEXT(json_string_value(v)),
                               KC_DBV_INT(kc_now())),
                       &err) < 0) {
            kc_db_rollback(c);
            rc = -1;
        }
        n++;
    }
    if (!rc) rc = kc_app_commit(c, &err);
    kc_db_release(app->db, c);
    json_decref(a);
    json_decref(cats);
    if (rc) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:i}", "recorded", n));
}

/* The job's company and stage list when the caller may read compliance data; else NULL
 * after answering 404. */
static json_t *compliance_job(struct kc_req *req, struct kc_resp *resp, struct kc_db_conn *c,
                              int64_t *id)
{
    struct kc_err err = {0};
    if (kc_app_path_id(req, resp, "id", id)) return NULL;
    json_t *j = kc_db_query_one(c,
                                "SELECT id, company_id, title, stages_json FROM job_posts "
                                "WHERE id = $1",
                                KC_ARGS(KC_DBV_INT(*id)), &err);
    if (j && kc_trust_is_compliance(c, kc_app_user(req),
                                    json_integer_value(json_object_get(j, "company_id"))))
        return j;
    json_decref(j);
    kc_resp_errorf(resp, KC_E_NOT_FOUND, NULL, "no such job");
    return NULL;
}

/* Rows {value, decided, selected} for one category at one stage ("" = final outcome). */
static json_t *counts(struct kc_db_conn *c, int64_t job, const char *stage, const char *cat,
                      struct kc_err *err)
{
    if (!*stage)
        return kc_db_query(c,
                           "SELECT d.value, count(*) AS assessed, sum(a.status = 'passed') AS "
                           "selected FROM applications a LEFT JOIN demographics d ON "
                           "d.application_id = a.id AND d.category = $2 WHERE a.job_id = $1 AND "
                           "a.status IN ('passed', 'rejected') GROUP BY d.value",
                           KC_ARGS(KC_DBV_INT(job), KC_DBV_TEXT(cat)), err);
    return kc_db_query(c,
                       "SELECT d.value, count(*) AS assessed, sum(s.status = 'passed') AS "
                       "selected FROM application_stages s JOIN applications a ON a.id = "
                       "s.application_id LEFT JOIN demographics d ON d.application_id = a.id AND "
                       "d.category = $3 WHERE a.job_id = $1 AND s.stage = $2 AND s.status IN "
                       "('passed', 'failed') GROUP BY d.value",
                       KC_ARGS(KC_DBV_INT(job), KC_DBV_TEXT(stage), KC_DBV_TEXT(cat)), err);
}

static json_t *impact_json(const json_t *vals, json_t *rows)
{
    struct kc_impact_group g[MAX_GROUPS];
    struct kc_impact_row out[MAX_GROUPS];
    struct kc_impact_summary s;
    size_t n = 0, i;
    long ua = 0, us = 0;
    json_t *v, *r;
    json_array_foreach(vals, i, v) if (n < MAX_GROUPS) g[n++] =
        (struct kc_impact_group){json_string_value(v), 0, 0};
    json_array_foreach(rows, i, r)
    {
        const char *val = json_string_value(json_object_get(r, "value"));
        long as = (long)json_integer_value(json_object_get(r, "assessed"));
        long se = (long)json_integer_value(json_object_get(r, "selected"));
        size_t k = 0;
        while (k < n && !(val && !strcmp(val, g[k].name))) k++;
        if (k < n)
            g[k].assessed += as, g[k].selected += se;
        else
            ua += as, us += se;
    }
    if (kc_impact_compute(g, n, ua, us, out, &s)) return json_pack("{s:s}", "status", "invalid");
    json_t *groups = json_array();
    for (i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s,s:I,s:I,s:b,s:b,s:b}", "group", out[i].name, "assessed",
                              (json_int_t)out[i].assessed, "selected", (json_int_t)out[i].selected,
                              "excluded_under_2pct", out[i].excluded_under_2pct, "four_fifths_flag",
                              out[i].four_fifths_flag, "highest_rate", out[i].highest);
        json_object_set_new(o, "selection_rate",
                            out[i].assessed ? json_real(out[i].selection_rate) : json_null());
        json_object_set_new(o, "impact_ratio",
                            out[i].ratio_ok ? json_real(out[i].impact_ratio) : json_null());
        json_array_append_new(groups, o);
    }
    return json_pack("{s:s,s:o,s:I,s:I,s:I,s:b,s:s}", "status", s.status, "groups", groups,
                     "total_assessed", (json_int_t)s.total_assessed, "unknown_assessed",
                     (json_int_t)s.unknown_assessed, "unknown_selected",
                     (json_int_t)s.unknown_selected, "small_sample_warning", s.small_sample,
                     "definition",
                     "selection rate = passed / decided at the stage; impact ratio = rate / "
                     "highest included rate; flag when ratio < 4/5; groups under 2 % of "
                     "assessed are excluded from ratios; small sample when a group has < 5 or "
                     "all known < 30 assessed");
}

/* {category: impact} for a stage. */
static json_t *stage_report(struct kc_db_conn *c, int64_t job, const char *stage, json_t *cats,
                            struct kc_err *err)
{
    json_t *out = json_object(), *vals;
    const char *k;
    json_object_foreach(cats, k, vals)
    {
        json_t *rows = counts(c, job, stage, k, err);
        if (!rows) return json_decref(out), NULL;
        json_object_set_new(out, k, impact_json(vals, rows));
        json_decref(rows);
    }
    return out;
}

void kc_api_trust_adverse_impact(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *j = compliance_job(req, resp, c, &id), *cats = NULL, *stages = NULL, *out = NULL;
    if (j) {
        cats = categories(c, json_integer_value(json_object_get(j, "company_id")), &err);
        stages = json_incref(json_object_get(j, "stages")); /* stages_json, parsed */
        out = json_pack("{s:I,s:s,s:[]}", "job_id", (json_int_t)id, "title",
                        json_string_value(json_object_get(j, "title")), "stages");
    }
    size_t i;
    json_t *st;
    json_array_foreach(stages, i, st)
    {
        const char *name = json_string_value(json_object_get(st, "name"));
        json_t *rep = name ? stage_report(c, id, name, cats, &err) : NULL;
        if (!rep) break;
        json_array_append_new(json_object_get(out, "stages"),
                              json_pack("{s:s,s:o}", "stage", name, "categories", rep));
    }
    json_t *fin = out && !err.code ? stage_report(c, id, "", cats, &err) : NULL;
    kc_db_release(app->db, c);
    json_decref(j);
    json_decref(cats);
    json_decref(stages);
    if (!j) return;
    if (!fin) {
        json_decref(out);
        KC_FAIL(resp, &err);
    }
    json_object_set_new(out, "final_outcome", fin);
    kc_resp_json(resp, 200, out);
}

/* Intersectional sex × race/ethnicity for the final outcome (LL 144 § 5-301(b)). */
static json_t *intersectional(struct kc_db_conn *c, int64_t job, json_t *cats, struct kc_err *err)
{
    json_t *sx = json_object_get(cats, "sex"), *rc = json_object_get(cats, "race_ethnicity");
    if (!sx || !rc) return json_pack("{s:s}", "status", "unavailable");
    json_t *rows = kc_db_query(c,
                               "SELECT s.value || ' / ' || r.value AS value, count(*) AS assessed, "
                               "sum(a.status = 'passed') AS selected FROM applications a LEFT "
                               "JOIN demographics s ON s.application_id = a.id AND s.category = "
                               "'sex' LEFT JOIN demographics r ON r.application_id = a.id AND "
                               "r.category = 'race_ethnicity' WHERE a.job_id = $1 AND a.status "
                               "IN ('passed', 'rejected') GROUP BY 1",
                               KC_ARGS(KC_DBV_INT(job)), err);
    if (!rows) return NULL;
    json_t *vals = json_array(), *a, *b;
    size_t i, k;
    char buf[200];
    json_array_foreach(sx, i, a) json_array_foreach(rc, k, b)
    {
        snprintf(buf, sizeof buf, "%s / %s", json_string_value(a), json_string_value(b));
        json_array_append_new(vals, json_string(buf));
    }
    json_t *out = impact_json(vals, rows); /* names point into vals: render before freeing */
    json_decref(rows);
    json_decref(vals);
    return out;
}

void kc_api_trust_bias_audit(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *j = compliance_job(req, resp, c, &id), *cats = NULL, *sex = NULL, *race = NULL,
           *inter = NULL;
    if (j) {
        cats = categories(c, json_integer_value(json_object_get(j, "company_id")), &err);
        json_t *one =
            json_pack("{s:O}", "sex",
                      json_object_get(cats, "sex") ? json_object_get(cats, "sex") : json_array());
        json_t *two = json_pack("{s:O}", "race_ethnicity",
                                json_object_get(cats, "race_ethnicity")
                                    ? json_object_get(cats, "race_ethnicity")
                                    : json_array());
        sex = stage_report(c, id, "", one, &err);
        race = sex ? stage_report(c, id, "", two, &err) : NULL;
        inter = race ? intersectional(c, id, cats, &err) : NULL;
        json_decref(one);
        json_decref(two);
    }
    kc_db_release(app->db, c);
    json_decref(cats);
    if (!j) return;
    int64_t jid = json_integer_value(json_object_get(j, "id"));
    char title[256];
    snprintf(title, sizeof title, "%s", json_string_value(json_object_get(j, "title")));
    json_decref(j);
    if (!inter) {
        json_decref(sex);
        json_decref(race);
        KC_FAIL(resp, &err);
    }
    json_t *sx = json_incref(json_object_get(sex, "sex")),
           *rx = json_incref(json_object_get(race, "race_ethnicity"));
    json_decref(sex);
    json_decref(race);
    kc_resp_json(resp, 200,
                 json_pack("{s:s,s:I,s:s,s:I,s:s,s:o,s:o,s:o,s:s}", "layout",
                           "NYC Local Law 144 (6 RCNY § 5-301) bias audit summary", "job_id",
                           (json_int_t)jid, "aedt_use", title, "generated_at", (json_int_t)kc_now(),
                           "outcome",
                           "selected = final status passed; assessed = passed or rejected",
                           "sex_categories", sx ? sx : json_null(), "race_ethnicity_categories",
                           rx ? rx : json_null(), "intersectional_categories", inter, "data_source",
                           "historical data of this employer's use (applicant self-identification; "
                           "unknowns reported as counts)"));
}
