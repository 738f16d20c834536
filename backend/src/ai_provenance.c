/*
 * ai_provenance.c — every AI output the backend stores or relays for the first time is
 * written to the audit log (kc_audit, action "ai.output", target the application), so a
 * reviewer can later tell which model produced which number from which input:
 *
 *   detail = {output: "screening" | "analysis_report" | "grade" | "questions",
 *             source, engine, version, model, models, rubric,   (whichever the document has)
 *             input_sha256 (the input blob: the answer recording given by the caller, else
 *                           the application's resume file; null when neither exists),
 *             at (unix seconds)}
 *
 * The fields are read from the agent's and the video service's documents as they are: the
 * agent marks results with "source" (deterministic | llm) and optionally "model"/"version";
 * the video service's report has "models" (name → file hash), the transcript's "engine"
 * and the rubric in "scoring" ({rubric:{name, version}}). Nothing is invented: a field the
 * document lacks is absent from the detail.
 *
 * Thread-safety: reentrant.
 */
#include <stdio.h>
#include <string.h>

#include "ai.h"
#include "log.h"

/* First of doc[key], doc.result[key], doc.result.result[key]. Borrowed or NULL. */
static json_t *find(const json_t *doc, const char *key)
{
    for (int depth = 0; doc && depth < 3; depth++) {
        json_t *v = json_object_get(doc, key);
        if (v && !json_is_null(v)) return v;
        doc = json_object_get(doc, "result");
    }
    return NULL;
}

static json_t *detail_of(const char *kind, const json_t *doc, const char *input_sha256)
{
    json_t *d = json_pack("{s:s,s:s?,s:I}", "output", kind, "input_sha256", input_sha256, "at",
                          (json_int_t)kc_now());
    static const char *const keys[] = {"source", "engine", "version", "model", "models", NULL};
    for (size_t i = 0; d && keys[i]; i++) {
        json_t *v = find(doc, keys[i]);
        if (v) json_object_set(d, keys[i], v);
    }
    json_t *tr = find(doc, "transcript");
    const char *eng = json_string_value(json_object_get(tr, "engine"));
    if (d && eng && *eng && !json_object_get(d, "engine"))
        json_object_set_new(d, "engine", json_string(eng));
    json_t *rub = find(doc, "rubric");
    if (!rub) rub = json_object_get(find(doc, "scoring"), "rubric");
    if (d && rub) json_object_set(d, "rubric", rub);
    return d;
}

int kc_ai_audit_output(struct kc_app *app, struct kc_db_conn *c, int64_t application_id,
                       const char *kind, const json_t *doc, const char *input_sha256)
{
    struct kc_err err = {0};
    struct kc_db_conn *own = c ? NULL : kc_db_acquire(app->db, &err);
    struct kc_db_conn *db = c ? c : own;
    int64_t company = 0;
    int rc = -1;
    char resume_sha[80] = "";
    if (db && !input_sha256) {
        json_t *r = kc_db_query_one(db,
                                    "SELECT r.blob_sha256 FROM applications a JOIN resumes r ON "
                                    "r.id = a.resume_id WHERE a.id = $1",
                                    KC_ARGS(KC_DBV_INT(application_id)), &err);
        const char *h = json_string_value(json_object_get(r, "blob_sha256"));
        if (h) snprintf(resume_sha, sizeof resume_sha, "%s", h);
        if (h) input_sha256 = resume_sha;
        json_decref(r);
        err = (struct kc_err){0};
    }
    if (db && kc_db_query_int(db,
                              "SELECT j.company_id FROM applications a JOIN job_posts j ON j.id = "
                              "a.job_id WHERE a.id = $1",
                              KC_ARGS(KC_DBV_INT(application_id)), &company, &err) == 0)
        rc = kc_audit(db, company, 0, "ai.output", "application", application_id, NULL,
                      detail_of(kind, doc, input_sha256), &err);
    if (own) kc_db_release(app->db, own);
    if (rc)
        kc_error("application %lld: cannot audit the %s output: %s", (long long)application_id,
                 kind, err.message);
    return rc ? -1 : 0;
}
