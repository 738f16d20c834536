/*
 * jobs.c — job posts: public list (full-text search, filters, pagination, Redis cache) and
 * detail, and create / edit / delete by the company's recruiters.
 *
 * Status is derived in SQL from opens_at/closes_at and the request's clock
 * (scheduled | open | closed); it is never stored.
 * Public views hide the screening criteria, pass thresholds and interview questions
 * (candidates would write to the keywords); staff of the company see them through
 * GET /jobs/{id}/manage and GET /companies/{id}/jobs.
 *
 * Search: the query is split on spaces (≤ 8 terms); terms of ≥ 3 characters go to the FTS5
 * trigram index as quoted phrases (implicit AND), shorter ones (e.g. the 2-syllable Korean
 * word 개발) become LIKE conditions, because trigrams cannot match them.
 *
 * Cache (jobcache.c): a public list or detail answer is stored for min(60 s, time to the
 * next opens_at/closes_at of any job), so a cached page never shows a stale status; a job
 * change deletes the stored keys by key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "validate.h"

#define CACHE_TTL_S 60
#define MAX_TERMS   8

#define JOB_PUBLIC_COLS                                                                            \
    "j.id, j.company_id, c.name AS company_name, j.title, j.description, j.qualifications, "       \
    "j.conditions, j.location, j.employment_type, j.headcount, j.opens_at, j.closes_at, "          \
    "j.stages_json, j.created_at, j.updated_at, "                                                  \
    "CASE WHEN $1 < j.opens_at THEN 'scheduled' WHEN $1 >= j.closes_at THEN 'closed' "             \
    "ELSE 'open' END AS status"
#define JOB_STAFF_COLS                                                                             \
    JOB_PUBLIC_COLS ", j.department_id, j.criteria_json, j.questions_json, j.created_by"

/* Public stage list: names only. */
static void strip_thresholds(json_t *job)
{
    json_t *st = json_object_get(job, "stages"), *names = json_array();
    for (size_t i = 0; i < json_array_size(st); i++)
        json_array_append(names, json_object_get(json_array_get(st, i), "name"));
    json_object_set_new(job, "stages", names);
}

/* Seconds until any job opens or closes (capped to CACHE_TTL_S). */
static int cache_ttl(struct kc_db_conn *c, long now)
{
    int64_t next = 0;
    struct kc_err err = {0};
    int rc = kc_db_query_int(c,
                             "SELECT min(CASE WHEN opens_at > $1 THEN opens_at ELSE closes_at END) "
                             "FROM job_posts WHERE closes_at > $1",
                             KC_ARGS(KC_DBV_INT(now)), &next, &err);
    if (rc != 0 || next <= now || next - now >= CACHE_TTL_S) return CACHE_TTL_S;
    return (int)(next - now);
}

struct list_query {
    char sql[2048];
    struct kc_db_val p[24];
    size_t np;
    char likes[MAX_TERMS][160];
    char fts[600];
    char loc[160];
};

static void add(struct list_query *q, const char *s)
{
    strncat(q->sql, s, sizeof q->sql - strlen(q->sql) - 1);
}

/* LIKE pattern %term% with \ escapes for % _ \. */
static void like_pattern(const char *t, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = '%';
    for (size_t i = 0; i < n && o + 3 < cap; i++) {
        if (t[i] == '%' || t[i] == '_' || t[i] == '\\') out[o++] = '\\';
        out[o++] = t[i];
    }
    out[o++] = '%';
    out[o] = '\0';
}

static void add_search(struct list_query *q, const char *text)
{
    int nl = 0;
    char num[300];
    const char *p = text;
    while (*p && nl < MAX_TERMS) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (!n) break;
        char term[160];
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < sizeof term && i < 150; i++)
            if (p[i] != '"') term[k++] = p[i];
        term[k] = '\0';
        p += n;
        if (!k) continue;
        if (kc_utf8_chars(term) >= 3) {
            size_t f = strlen(q->fts);
            snprintf(q->fts + f, sizeof q->fts - f, "%s\"%s\"", f ? " " : "", term);
        } else {
            like_pattern(term, k, q->likes[nl], sizeof q->likes[nl]);
            q->p[q->np++] = KC_DBV_TEXT(q->likes[nl]);
            snprintf(num, sizeof num,
                     " AND (j.title LIKE $%zu ESCAPE '\\' OR j.description LIKE $%zu ESCAPE "
                     "'\\' OR j.qualifications LIKE $%zu ESCAPE '\\')",
                     q->np, q->np, q->np);
            add(q, num);
            nl++;
        }
    }
    if (q->fts[0]) {
        q->p[q->np++] = KC_DBV_TEXT(q->fts);
        snprintf(num, sizeof num,
                 " AND j.id IN (SELECT rowid FROM job_posts_fts WHERE job_posts_fts MATCH $%zu)",
                 q->np);
        add(q, num);
    }
}

struct list_params {
    const char *q, *type, *location;
    int64_t company_id;
    long limit, offset;
};

static void build_list(struct list_query *q, const struct list_params *lp, long now)
{
    char num[96];
    memset(q, 0, sizeof *q);
    q->p[q->np++] = KC_DBV_INT(now);
    add(q, " FROM job_posts j JOIN companies c ON c.id = j.company_id "
           "WHERE j.opens_at <= $1 AND j.closes_at > $1");
    if (lp->q && *lp->q) add_search(q, lp->q);
    if (lp->type) {
        q->p[q->np++] = KC_DBV_TEXT(lp->type);
        snprintf(num, sizeof num, " AND j.employment_type = $%zu", q->np);
        add(q, num);
    }
    if (lp->location && *lp->location) {
        like_pattern(lp->location, strlen(lp->location), q->loc, sizeof q->loc);
        q->p[q->np++] = KC_DBV_TEXT(q->loc);
        snprintf(num, sizeof num, " AND j.location LIKE $%zu ESCAPE '\\'", q->np);
        add(q, num);
    }
    if (lp->company_id) {
        q->p[q->np++] = KC_DBV_INT(lp->company_id);
        snprintf(num, sizeof num, " AND j.company_id = $%zu", q->np);
        add(q, num);
    }
}

static json_t *run_list(struct kc_db_conn *c, const struct list_params *lp, long now,
                        struct kc_err *err)
{
    struct list_query q;
    char sql[2600], num[64];
    int64_t total = 0;
    build_list(&q, lp, now);
    snprintf(sql, sizeof sql, "SELECT count(*)%s", q.sql);
    if (kc_db_query_int(c, sql, q.p, q.np, &total, err) < 0) return NULL;
    snprintf(num, sizeof num, " ORDER BY j.opens_at DESC, j.id DESC LIMIT $%zu OFFSET $%zu",
             q.np + 1, q.np + 2);
    q.p[q.np++] = KC_DBV_INT(lp->limit);
    q.p[q.np++] = KC_DBV_INT(lp->offset);
    snprintf(sql, sizeof sql, "SELECT " JOB_PUBLIC_COLS "%s%s", q.sql, num);
    json_t *rows = kc_db_query(c, sql, q.p, q.np, err);
    if (!rows) return NULL;
    for (size_t i = 0; i < json_array_size(rows); i++) strip_thresholds(json_array_get(rows, i));
    json_t *out = json_pack("{s:o,s:I,s:i,s:i}", "items", kc_app_times(rows), "total",
                            (json_int_t)total, "limit", (int)lp->limit, "offset", (int)lp->offset);
    long next = lp->offset + lp->limit;
    json_object_set_new(out, "next_offset", next < total ? json_integer(next) : json_null());
    return out;
}

static int read_list_params(struct kc_req *req, struct kc_resp *resp, struct list_params *lp)
{
    static const char *const types[] = {"full_time",  "part_time", "contract",
                                        "internship", "temporary", NULL};
    long cid = 0;
    memset(lp, 0, sizeof *lp);
    lp->q = kc_req_query(req, "q");
    lp->type = kc_req_query(req, "employment_type");
    lp->location = kc_req_query(req, "location");
    if (kc_app_query_int(req, resp, "limit", 1, 100, 20, &lp->limit) ||
        kc_app_query_int(req, resp, "offset", 0, 1000000, 0, &lp->offset) ||
        kc_app_query_int(req, resp, "company_id", 1, 1L << 53, 0, &cid))
        return -1;
    lp->company_id = cid;
    if ((lp->q && strlen(lp->q) > 300) || (lp->location && strlen(lp->location) > 150)) {
        kc_resp_errorf(resp, KC_E_INVALID, lp->q && strlen(lp->q) > 300 ? "q" : "location",
                       "search text is too long");
        return -1;
    }
    int ok = !lp->type;
    for (int i = 0; !ok && types[i]; i++) ok = !strcmp(types[i], lp->type);
    if (!ok) {
        kc_resp_errorf(resp, KC_E_INVALID, "employment_type",
                       "employment_type: one of full_time, part_time, contract, internship, "
                       "temporary");
        return -1;
    }
    return 0;
}

void kc_api_jobs_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct list_params lp;
    char norm[900], key[128];
    if (read_list_params(req, resp, &lp)) return;
    char q[320], loc[160];
    kc_jobcache_normalise(lp.q, q, sizeof q);
    kc_jobcache_normalise(lp.location, loc, sizeof loc);
    snprintf(norm, sizeof norm, "list|q=%s|t=%s|l=%s|c=%lld|n=%ld|o=%ld", q, lp.type ? lp.type : "",
             loc, (long long)lp.company_id, lp.limit, lp.offset);
    kc_jobcache_key(norm, key, sizeof key);
    if (kc_jobcache_get(app, key, resp)) return;
    long long version = kc_jobcache_version(app);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    long now = kc_now();
    json_t *out = run_list(c, &lp, now, &err);
    int ttl = cache_ttl(c, now);
    kc_db_release(app->db, c);
    if (!out) KC_FAIL(resp, &err);
    kc_jobcache_put_and_answer(app, key, out, ttl, version, resp);
}

void kc_api_jobs_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    char norm[64], key[128];
    if (kc_app_path_id(req, resp, "id", &id)) return;
    snprintf(norm, sizeof norm, "detail|%lld", (long long)id);
    kc_jobcache_key(norm, key, sizeof key);
    if (kc_jobcache_get(app, key, resp)) return;
    long long version = kc_jobcache_version(app);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    long now = kc_now();
    json_t *job = kc_db_query_one(c,
                                  "SELECT " JOB_PUBLIC_COLS " FROM job_posts j JOIN companies c "
                                  "ON c.id = j.company_id WHERE j.id = $2 AND j.opens_at <= $1",
                                  KC_ARGS(KC_DBV_INT(now), KC_DBV_INT(id)), &err);
    int ttl = cache_ttl(c, now);
    kc_db_release(app->db, c);
    if (!job) KC_FAIL(resp, &err);
    strip_thresholds(job);
    kc_jobcache_put_and_answer(app, key, kc_app_times(job), ttl, version, resp);
}

/* The full job for staff of its company; NULL + KC_E_NOT_FOUND for anyone else. */
json_t *kc_jobs_load_scoped(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                            struct kc_err *err)
{
    json_t *job = kc_db_query_one(c,
                                  "SELECT " JOB_STAFF_COLS " FROM job_posts j JOIN companies c "
                                  "ON c.id = j.company_id WHERE j.id = $2",
                                  KC_ARGS(KC_DBV_INT(kc_now()), KC_DBV_INT(id)), err);
    if (job && !kc_auth_company_role(u, json_integer_value(json_object_get(job, "company_id")))) {
        json_decref(job);
        kc_err_set(err, KC_E_NOT_FOUND, "no such job");
        return NULL;
    }
    if (!job && err->code == KC_E_NOT_FOUND) kc_err_set(err, KC_E_NOT_FOUND, "no such job");
    return job;
}

void kc_api_jobs_manage(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *job = kc_jobs_load_scoped(c, kc_app_user(req), id, &err);
    kc_db_release(app->db, c);
    if (!job) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, kc_app_times(job));
}

void kc_api_company_jobs(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid;
    if (kc_company_scope(req, resp, KC_SCOPE_MEMBER, &cid)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *rows = kc_db_query(c,
                               "SELECT " JOB_STAFF_COLS " FROM job_posts j JOIN companies c ON "
                               "c.id = j.company_id WHERE j.company_id = $2 ORDER BY j.id DESC",
                               KC_ARGS(KC_DBV_INT(kc_now()), KC_DBV_INT(cid)), &err);
    kc_db_release(app->db, c);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

static int check_department(struct kc_db_conn *c, const struct kc_job_input *in, int64_t cid,
                            struct kc_err *err)
{
    int64_t n = 0;
    if (!in->department_id) return 0;
    if (kc_db_query_int(c, "SELECT count(*) FROM departments WHERE id = $1 AND company_id = $2",
                        KC_ARGS(KC_DBV_INT(in->department_id), KC_DBV_INT(cid)), &n, err) < 0)
        return -1;
    if (!n)
        return kc_err_field(err, KC_E_INVALID, "department_id",
                            "department_id: no such department in this company");
    return 0;
}

#define JOB_VALUES(in)                                                                             \
    KC_DBV_TEXT((in)->title), KC_DBV_TEXT((in)->description), KC_DBV_TEXT((in)->qualifications),   \
        KC_DBV_TEXT((in)->conditions), KC_DBV_TEXT((in)->location),                                \
        KC_DBV_TEXT((in)->employment_type), KC_DBV_INT((in)->headcount),                           \
        KC_DBV_INT((in)->opens_at), KC_DBV_INT((in)->closes_at), KC_DBV_TEXT((in)->stages_json),   \
        KC_DBV_TEXT((in)->criteria_json), KC_DBV_TEXT((in)->questions_json)

static int insert_job(struct kc_db_conn *c, const struct kc_job_input *in, int64_t actor,
                      int64_t *id, struct kc_err *err)
{
    long now = kc_now();
    if (kc_app_begin(c, err)) return -1;
    if (check_department(c, in, in->company_id, err) ||
        kc_db_query_int(c,
                        "INSERT INTO job_posts(title, description, qualifications, conditions, "
                        "location, employment_type, headcount, opens_at, closes_at, stages_json, "
                        "criteria_json, questions_json, company_id, department_id, created_by, "
                        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                        "$10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
                        KC_ARGS(JOB_VALUES(in), KC_DBV_INT(in->company_id),
                                in->department_id ? KC_DBV_INT(in->department_id) : KC_DBV_NULL,
                                KC_DBV_INT(actor), KC_DBV_INT(now)),
                        id, err) ||
        kc_audit(c, in->company_id, actor, "job.create", "job", *id, NULL, NULL, err)) {
        kc_db_rollback(c);
        return -1;
    }
    return kc_app_commit(c, err);
}

static void answer_job(struct kc_app *app, struct kc_req *req, struct kc_resp *resp,
                       struct kc_db_conn *c, int64_t id, int status)
{
    struct kc_err err = {0};
    json_t *job = kc_jobs_load_scoped(c, kc_app_user(req), id, &err);
    kc_db_release(app->db, c);
    kc_jobs_cache_invalidate(app);
    if (!job) KC_FAIL(resp, &err);
    kc_resp_json(resp, status, kc_app_times(job));
}

void kc_api_jobs_create(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct kc_job_input in;
    int64_t id;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_job_input_parse(b, 1, &in, &err)) KC_FAIL(resp, &err);
    if (!kc_auth_is_recruiter(kc_app_user(req), in.company_id)) {
        kc_job_input_free(&in);
        /* not a recruiter of that company: do not reveal whether it exists */
        KC_ERRF(resp, KC_E_INVALID, "company_id", "company_id: you are not a recruiter there");
    }
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) {
        kc_job_input_free(&in);
        return;
    }
    int rc = insert_job(c, &in, kc_app_user(req)->id, &id, &err);
    kc_job_input_free(&in);
    if (rc) {
        kc_db_release(app->db, c);
        KC_FAIL(resp, &err);
    }
    answer_job(app, req, resp, c, id, 201);
}

/* Load the job's company and require the caller to be its recruiter (404 otherwise). */
static int job_company_for_recruiter(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                                     int64_t *cid, struct kc_err *err)
{
    if (kc_db_query_int(c, "SELECT company_id FROM job_posts WHERE id = $1",
                        KC_ARGS(KC_DBV_INT(id)), cid, err) != 0 ||
        !kc_auth_company_role(u, *cid))
        return kc_err_set(err,
                          err->code && err->code != KC_E_NOT_FOUND ? err->code : KC_E_NOT_FOUND,
                          "no such job");
    if (!kc_auth_is_recruiter(u, *cid))
        return kc_err_set(err, KC_E_FORBIDDEN, "only the company's recruiters may change jobs");
    return 0;
}

static int update_job(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                      const struct kc_job_input *in, struct kc_err *err)
{
    int64_t cid;
    if (kc_app_begin(c, err)) return -1;
    if (job_company_for_recruiter(c, u, id, &cid, err) || check_department(c, in, cid, err) ||
        kc_db_exec(c,
                   "UPDATE job_posts SET title = $1, description = $2, qualifications = $3, "
                   "conditions = $4, location = $5, employment_type = $6, headcount = $7, "
                   "opens_at = $8, closes_at = $9, stages_json = $10, criteria_json = $11, "
                   "questions_json = $12, department_id = $13, updated_at = $14 WHERE id = $15",
                   KC_ARGS(JOB_VALUES(in),
                           in->department_id ? KC_DBV_INT(in->department_id) : KC_DBV_NULL,
                           KC_DBV_INT(kc_now()), KC_DBV_INT(id)),
                   err) < 0 ||
        kc_audit(c, cid, u->id, "job.update", "job", id, NULL, NULL, err)) {
        kc_db_rollback(c);
        return -1;
    }
    return kc_app_commit(c, err);
}

void kc_api_jobs_update(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct kc_job_input in;
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_job_input_parse(b, 0, &in, &err)) KC_FAIL(resp, &err);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) {
        kc_job_input_free(&in);
        return;
    }
    int rc = update_job(c, kc_app_user(req), id, &in, &err);
    kc_job_input_free(&in);
    if (rc) {
        kc_db_release(app->db, c);
        KC_FAIL(resp, &err);
    }
    answer_job(app, req, resp, c, id, 200);
}

static int delete_job(struct kc_db_conn *c, const struct kc_user *u, int64_t id, struct kc_err *err)
{
    int64_t cid, apps = 0;
    if (kc_app_begin(c, err)) return -1;
    if (job_company_for_recruiter(c, u, id, &cid, err) ||
        kc_db_query_int(c, "SELECT count(*) FROM applications WHERE job_id = $1",
                        KC_ARGS(KC_DBV_INT(id)), &apps, err) < 0)
        goto fail;
    if (apps > 0) {
        kc_err_set(err, KC_E_CONFLICT,
                   "the job has %lld applications; close it (set closes_at) instead of deleting",
                   (long long)apps);
        goto fail;
    }
    if (kc_db_exec(c, "DELETE FROM job_posts WHERE id = $1", KC_ARGS(KC_DBV_INT(id)), err) < 0 ||
        kc_audit(c, cid, u->id, "job.delete", "job", id, NULL, NULL, err))
        goto fail;
    return kc_app_commit(c, err);
fail:
    kc_db_rollback(c);
    return -1;
}

void kc_api_jobs_delete(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int rc = delete_job(c, kc_app_user(req), id, &err);
    kc_db_release(app->db, c);
    if (rc) KC_FAIL(resp, &err);
    kc_jobs_cache_invalidate(app);
    kc_resp_empty(resp, 204);
}
