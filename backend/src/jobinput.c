/*
 * jobinput.c — validation of a job post body (POST /jobs and PUT /jobs/{id} take the same
 * full document). Everything is checked before anything is written; the first problem is
 * reported with its field ("stages[1].name", "criteria[0].weight", "closes_at").
 * Stages, criteria and questions are re-serialised in a canonical form so the stored JSON
 * never contains unknown keys.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "validate.h"

static const char *const employment_types[] = {"full_time",  "part_time", "contract",
                                               "internship", "temporary", NULL};

static int bad(struct kc_err *err, const char *field, const char *why)
{
    return kc_err_field(err, KC_E_INVALID, field, "%s: %s", field, why);
}

static int parse_stage(const json_t *s, size_t i, int *last, json_t *out, struct kc_err *err)
{
    char f[64];
    const char *name = NULL;
    double thr = -1;
    KC_SNPRINTF(f, "stages[%zu]", i);
    if (json_is_string(s)) {
        name = json_string_value(s);
    } else if (json_is_object(s)) {
        KC_SNPRINTF(f, "stages[%zu].name", i);
        name = json_string_value(json_object_get(s, "name"));
        json_t *t = json_object_get(s, "pass_threshold");
        if (t && !json_is_null(t)) {
            KC_SNPRINTF(f, "stages[%zu].pass_threshold", i);
            if (!json_is_number(t) || json_number_value(t) < 0 || json_number_value(t) > 100)
                return bad(err, f, "must be a number from 0 to 100");
            thr = json_number_value(t);
            KC_SNPRINTF(f, "stages[%zu].name", i);
        }
    } else {
        return bad(err, f, "must be a stage name or {\"name\",\"pass_threshold\"}");
    }
    int idx = kc_stage_index(name);
    if (idx < 0)
        return bad(err, f,
                   "must be one of document, written_test, ai_interview, practical, "
                   "executive, final");
    if (idx <= *last) return bad(err, f, "stages must be unique and in pipeline order");
    *last = idx;
    json_array_append_new(out, thr < 0
                                   ? json_pack("{s:s,s:n}", "name", name, "pass_threshold")
                                   : json_pack("{s:s,s:f}", "name", name, "pass_threshold", thr));
    return 0;
}

static int parse_stages(const json_t *b, json_t **out, struct kc_err *err)
{
    const json_t *a = json_object_get(b, "stages");
    if (!a || json_is_null(a)) return bad(err, "stages", "is required");
    if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > 6)
        return bad(err, "stages", "must be an array of 1 to 6 stages");
    int last = -1;
    *out = json_array();
    for (size_t i = 0; i < json_array_size(a); i++)
        if (parse_stage(json_array_get(a, i), i, &last, *out, err)) return -1;
    return 0;
}

static int parse_keywords(const json_t *k, size_t i, json_t *out, struct kc_err *err)
{
    char f[64];
    KC_SNPRINTF(f, "criteria[%zu].keywords", i);
    /* the agent screens a criterion by its keywords and refuses one without any */
    if (!json_is_array(k) || json_array_size(k) == 0 || json_array_size(k) > 50)
        return bad(err, f, "must be an array of 1 to 50 keywords (screening matches them)");
    for (size_t j = 0; j < json_array_size(k); j++) {
        const json_t *w = json_array_get(k, j);
        if (!json_is_string(w) || json_string_length(w) == 0 || json_string_length(w) > 50)
            return bad(err, f, "each keyword must be a string of 1 to 50 bytes");
        json_array_append(out, (json_t *)w);
    }
    return 0;
}

static int parse_criteria(const json_t *b, json_t **out, struct kc_err *err)
{
    const json_t *a = json_object_get(b, "criteria");
    char f[64];
    *out = json_array();
    if (!a || json_is_null(a)) return 0;
    if (!json_is_array(a) || json_array_size(a) > 20)
        return bad(err, "criteria", "must be an array of at most 20 criteria");
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *c = json_array_get(a, i);
        const char *name;
        double w;
        KC_SNPRINTF(f, "criteria[%zu]", i);
        if (!json_is_object(c)) return bad(err, f, "must be an object");
        if (kc_json_str(c, "name", 1, KC_NAME_MAX, &name, err) ||
            kc_json_num(c, "weight", 1, 0, 1, &w, err)) {
            KC_SNPRINTF(f, "criteria[%zu].%s", i, err->field);
            return kc_err_field(err, KC_E_INVALID, f, "%s: %s", f,
                                !strcmp(err->field, "weight") ? "a number from 0 to 1"
                                                              : "a string of 1 to 100 bytes");
        }
        KC_SNPRINTF(f, "criteria[%zu].name", i);
        if (!*name) return bad(err, f, "must not be empty");
        for (size_t k = 0; k < json_array_size(*out); k++)
            if (!strcmp(name, json_string_value(json_object_get(json_array_get(*out, k), "name"))))
                return bad(err, f, "criterion names must be unique");
        json_t *kw = json_array();
        json_array_append_new(
            *out, json_pack("{s:s,s:f,s:o}", "name", name, "weight", w, "keywords", kw));
        if (parse_keywords(json_object_get(c, "keywords"), i, kw, err)) return -1;
    }
    return 0;
}

static int parse_questions(const json_t *b, json_t **out, struct kc_err *err)
{
    const json_t *a = json_object_get(b, "questions");
    char f[64];
    *out = json_array();
    if (!a || json_is_null(a)) return 0;
    if (!json_is_array(a) || json_array_size(a) > 30)
        return bad(err, "questions", "must be an array of at most 30 questions");
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *q = json_array_get(a, i);
        const char *text;
        int64_t limit;
        KC_SNPRINTF(f, "questions[%zu]", i);
        if (!json_is_object(q)) return bad(err, f, "must be an object");
        if (kc_json_str(q, "text", 1, 1000, &text, err) ||
            kc_json_int(q, "time_limit_s", 1, 10, 1800, &limit, err)) {
            KC_SNPRINTF(f, "questions[%zu].%s", i, err->field);
            return kc_err_field(err, KC_E_INVALID, f, "%s: %s", f,
                                !strcmp(err->field, "text") ? "a string of 1 to 1000 bytes"
                                                            : "an integer from 10 to 1800 seconds");
        }
        KC_SNPRINTF(f, "questions[%zu].text", i);
        if (!*text) return bad(err, f, "must not be empty");
        json_array_append_new(
            *out, json_pack("{s:s,s:I}", "text", text, "time_limit_s", (json_int_t)limit));
    }
    return 0;
}

static int parse_texts(const json_t *b, struct kc_job_input *in, struct kc_err *err)
{
    in->description = in->qualifications = in->conditions = in->location = "";
    if (kc_json_str(b, "title", 1, 200, &in->title, err) ||
        kc_json_str(b, "description", 0, KC_TEXT_MAX, &in->description, err) ||
        kc_json_str(b, "qualifications", 0, KC_TEXT_MAX, &in->qualifications, err) ||
        kc_json_str(b, "conditions", 0, KC_TEXT_MAX, &in->conditions, err) ||
        kc_json_str(b, "location", 0, KC_LINE_MAX, &in->location, err) ||
        kc_json_enum(b, "employment_type", 1, employment_types, &in->employment_type, err) ||
        kc_json_int(b, "headcount", 1, 1, 100000, &in->headcount, err))
        return -1;
    if (!*in->title) return bad(err, "title", "must not be empty");
    return 0;
}

static char *dump(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(v);
    return s;
}

int kc_job_input_parse(const json_t *b, int need_company, struct kc_job_input *in,
                       struct kc_err *err)
{
    const char *opens, *closes;
    json_t *st = NULL, *cr = NULL, *qs = NULL;
    memset(in, 0, sizeof *in);
    if (kc_json_int(b, "company_id", need_company, 1, INT64_MAX, &in->company_id, err) ||
        kc_json_int(b, "department_id", 0, 1, INT64_MAX, &in->department_id, err) ||
        parse_texts(b, in, err) || kc_json_str(b, "opens_at", 1, 40, &opens, err) ||
        kc_parse_time("opens_at", opens, 0, &in->opens_at, err) ||
        kc_json_str(b, "closes_at", 1, 40, &closes, err) ||
        kc_parse_time("closes_at", closes, 1, &in->closes_at, err))
        return -1;
    if (in->closes_at <= in->opens_at) return bad(err, "closes_at", "must be after opens_at");
    if (parse_stages(b, &st, err) || parse_criteria(b, &cr, err) || parse_questions(b, &qs, err)) {
        json_decref(st), json_decref(cr), json_decref(qs);
        return -1;
    }
    in->stages_json = dump(st);
    in->criteria_json = dump(cr);
    in->questions_json = dump(qs);
    return 0;
}

void kc_job_input_free(struct kc_job_input *in)
{
    free(in->stages_json);
    free(in->criteria_json);
    free(in->questions_json);
}
