/*
 * stats.c — statistics of one job for its recruiters: applicants per stage, pass rates,
 * score distributions and time in stage.
 *
 * Every number is a metric object {value, unit, samples, status, definition} with status
 * ok | insufficient_data (no samples: value null). Nothing is estimated or filled in.
 * Definitions:
 *   reached       applications whose stage was entered (entered_at set)
 *   current       applications now at the stage (in_progress or on_hold)
 *   pass_rate     passed / (passed + failed) among decided stage records
 *   score         stage scores of decided records (0-100): mean, min, max, spread (population
 *                 standard deviation) and a 10-bucket histogram [0,10) … [90,100]
 *   time_in_stage decided_at − entered_at of decided records, in hours: mean and median
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "api.h"

static json_t *metric(double value, int have, const char *unit, long samples, const char *def)
{
    return json_pack("{s:o,s:s,s:i,s:s,s:s}", "value", have ? json_real(value) : json_null(),
                     "unit", unit, "samples", (int)samples, "status",
                     have ? "ok" : "insufficient_data", "definition", def);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stage_acc {
    long reached, current, passed, failed, held;
    double *scores, *hours;
    int ns, nh;
};

static void accumulate(struct stage_acc *s, const json_t *r)
{
    const char *st = json_string_value(json_object_get(r, "status"));
    const char *app_status = json_string_value(json_object_get(r, "app_status"));
    int is_current = json_is_true(json_object_get(r, "is_current")) ||
                     json_integer_value(json_object_get(r, "is_current")) == 1;
    if (!json_is_null(json_object_get(r, "entered_at"))) s->reached++;
    if (is_current && app_status &&
        (!strcmp(app_status, "in_progress") || !strcmp(app_status, "on_hold")))
        s->current++;
    s->passed += !strcmp(st, "passed");
    s->failed += !strcmp(st, "failed");
    s->held += !strcmp(st, "on_hold");
    json_t *score = json_object_get(r, "score");
    int decided = !strcmp(st, "passed") || !strcmp(st, "failed");
    if (decided && json_is_number(score)) s->scores[s->ns++] = json_number_value(score);
    json_t *e = json_object_get(r, "entered_at"), *d = json_object_get(r, "decided_at");
    if (decided && json_is_integer(e) && json_is_integer(d))
        s->hours[s->nh++] = (double)(json_integer_value(d) - json_integer_value(e)) / 3600.0;
}

static json_t *stage_json(const char *name, struct stage_acc *s)
{
    struct kc_aggregate a;
    kc_aggregate_of(s->scores, s->ns, &a);
    json_t *hist = json_array();
    for (int b = 0; b < 10; b++) {
        long n = 0;
        for (int i = 0; i < s->ns; i++) n += (int)fmin(floor(s->scores[i] / 10), 9) == b;
        json_array_append_new(hist, json_integer(n));
    }
    qsort(s->hours, (size_t)s->nh, sizeof *s->hours, cmp_double);
    double mean_h = 0;
    for (int i = 0; i < s->nh; i++) mean_h += s->hours[i] / s->nh;
    double med_h = s->nh ? (s->nh % 2 ? s->hours[s->nh / 2]
                                      : (s->hours[s->nh / 2 - 1] + s->hours[s->nh / 2]) / 2)
                         : 0;
    long decided = s->passed + s->failed;
    return json_pack(
        "{s:s,s:o,s:o,s:I,s:I,s:I,s:o,s:{s:o,s:o,s:o,s:o,s:o},s:{s:o,s:o}}", "stage", name,
        "reached",
        metric((double)s->reached, 1, "applications", s->reached,
               "applications whose stage was entered"),
        "current",
        metric((double)s->current, 1, "applications", s->current, "applications now at this stage"),
        "passed", (json_int_t)s->passed, "failed", (json_int_t)s->failed, "on_hold",
        (json_int_t)s->held, "pass_rate",
        metric(decided ? (double)s->passed / (double)decided : 0, decided > 0, "ratio", decided,
               "passed / (passed + failed) among decided records"),
        "score", "mean",
        metric(a.mean, a.count > 0, "points (0-100)", a.count,
               "mean stage score of decided records"),
        "min", metric(a.min, a.count > 0, "points (0-100)", a.count, "lowest stage score"), "max",
        metric(a.max, a.count > 0, "points (0-100)", a.count, "highest stage score"), "spread",
        metric(a.spread, a.count > 0, "points (0-100)", a.count,
               "population standard deviation of stage scores"),
        "histogram", hist, "time_in_stage", "mean",
        metric(mean_h, s->nh > 0, "hours", s->nh, "mean of decided_at - entered_at"), "median",
        metric(med_h, s->nh > 0, "hours", s->nh, "median of decided_at - entered_at"));
}

static json_t *compute(const json_t *job, const json_t *rows)
{
    json_t *stages = json_object_get(job, "stages"), *out = json_array();
    size_t nr = json_array_size(rows);
    for (size_t k = 0; k < json_array_size(stages); k++) {
        const char *name = json_string_value(json_object_get(json_array_get(stages, k), "name"));
        struct stage_acc s = {0};
        s.scores = calloc(nr + 1, sizeof *s.scores);
        s.hours = calloc(nr + 1, sizeof *s.hours);
        for (size_t i = 0; s.scores && s.hours && i < nr; i++) {
            const json_t *r = json_array_get(rows, i);
            if (!strcmp(json_string_value(json_object_get(r, "stage")), name)) accumulate(&s, r);
        }
        json_array_append_new(out, stage_json(name, &s));
        free(s.scores);
        free(s.hours);
    }
    return out;
}

void kc_api_job_stats(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t job_id;
    if (kc_app_path_id(req, resp, "id", &job_id)) return;
    const struct kc_user *u = kc_app_user(req);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *job = kc_jobs_load_scoped(c, u, job_id, &err), *rows = NULL, *by_status = NULL;
    int rec =
        job && kc_auth_is_recruiter(u, json_integer_value(json_object_get(job, "company_id")));
    if (rec)
        rows = kc_db_query(c,
                           "SELECT s.stage, s.status, s.score, s.entered_at, s.decided_at, "
                           "a.status AS app_status, (a.current_stage = s.stage) AS is_current "
                           "FROM application_stages s JOIN applications a ON a.id = "
                           "s.application_id WHERE a.job_id = $1 LIMIT 100000",
                           KC_ARGS(KC_DBV_INT(job_id)), &err);
    if (rows)
        by_status = kc_db_query(c,
                                "SELECT status, count(*) AS applications FROM applications "
                                "WHERE job_id = $1 GROUP BY status ORDER BY status",
                                KC_ARGS(KC_DBV_INT(job_id)), &err);
    kc_db_release(app->db, c);
    if (job && !rec) kc_err_set(&err, KC_E_FORBIDDEN, "only recruiters see statistics");
    if (!by_status) {
        json_decref(job);
        json_decref(rows);
        KC_FAIL(resp, &err);
    }
    json_t *out = json_pack("{s:I,s:o,s:o}", "job_id", (json_int_t)job_id, "by_status", by_status,
                            "stages", compute(job, rows));
    json_decref(job);
    json_decref(rows);
    kc_resp_json(resp, 200, out);
}
