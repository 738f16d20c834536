/*
 * rubric.c — validation and application of grading rubrics (format in rubric.h).
 *
 * Validation is complete before a rubric is used (options parsing calls kc_rubric_validate),
 * so kc_rubric_apply can trust the structure. Application looks each criterion's metric up
 * in the report's metrics object and finds the band holding its value; anything that is not
 * a clean match (metric missing, not ok, value outside every band) is reported as ungraded
 * with the reason instead of being forced into a grade.
 */
#include "rubric.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 64
#define MAX_CRITERIA 64
#define MAX_BANDS    16
#define MAX_GRADES   16

static int bad(struct kc_err *err, const char *path, const char *msg)
{
    return kc_err_field(err, KC_E_INVALID, "rubric", "%s: %s", path, msg);
}

static int short_string(const json_t *v, size_t max)
{
    const char *s = json_string_value(v);
    return s && *s && strlen(s) <= max;
}

static int is_metric_name(const char *s)
{
    if (!s || !*s || strlen(s) > NAME_MAX_LEN) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
    return 1;
}

static int grade_allowed(const json_t *grades, const char *g)
{
    size_t i;
    json_t *v;
    json_array_foreach(grades, i, v) if (!strcmp(json_string_value(v), g)) return 1;
    return 0;
}

static int validate_grades(const json_t *grades, struct kc_err *err)
{
    if (!json_is_array(grades) || json_array_size(grades) == 0 ||
        json_array_size(grades) > MAX_GRADES)
        return bad(err, "grades", "must be an array of 1 to 16 grade labels");
    size_t i;
    json_t *v;
    json_array_foreach(grades, i, v)
    {
        if (!short_string(v, NAME_MAX_LEN))
            return bad(err, "grades", "each grade label must be a string of 1 to 64 bytes");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(json_string_value(json_array_get(grades, k)), json_string_value(v)))
                return bad(err, "grades", "grade labels must be distinct");
    }
    return 0;
}

static int validate_bands(const json_t *bands, const json_t *grades, const char *path,
                          struct kc_err *err)
{
    char p[128];
    if (!json_is_array(bands) || json_array_size(bands) == 0 || json_array_size(bands) > MAX_BANDS)
        return bad(err, path, "bands must be an array of 1 to 16 bands");
    size_t i;
    json_t *b;
    json_array_foreach(bands, i, b)
    {
        snprintf(p, sizeof p, "%s.bands[%zu]", path, i);
        json_t *lo = json_object_get(b, "min"), *hi = json_object_get(b, "max");
        const char *g = json_string_value(json_object_get(b, "grade"));
        if (!json_is_object(b) || !json_is_number(lo) || !json_is_number(hi))
            return bad(err, p, "a band is {\"min\": number, \"max\": number, \"grade\": label}");
        double a = json_number_value(lo), z = json_number_value(hi);
        if (!isfinite(a) || !isfinite(z) || a >= z) return bad(err, p, "min must be below max");
        if (!g || !grade_allowed(grades, g))
            return bad(err, p, "grade must be one of the rubric's \"grades\"");
        for (size_t k = 0; k < i; k++) {
            json_t *o = json_array_get(bands, k);
            double oa = json_number_value(json_object_get(o, "min"));
            double oz = json_number_value(json_object_get(o, "max"));
            if (a < oz && oa < z) return bad(err, p, "overlaps an earlier band");
        }
    }
    return 0;
}

static int validate_criterion(const json_t *c, size_t i, const json_t *grades, struct kc_err *err)
{
    char p[64];
    snprintf(p, sizeof p, "criteria[%zu]", i);
    if (!json_is_object(c)) return bad(err, p, "must be an object {metric, bands}");
    const char *m = json_string_value(json_object_get(c, "metric"));
    if (!is_metric_name(m)) return bad(err, p, "metric must be a metric name (a-z, 0-9, _)");
    if (strstr(m, "emotion"))
        return bad(err, p, "emotion is never graded (DESIGN.md: it feeds no score or grade)");
    json_t *d = json_object_get(c, "description");
    if (d && !json_is_string(d)) return bad(err, p, "description must be a string");
    return validate_bands(json_object_get(c, "bands"), grades, p, err);
}

int kc_rubric_validate(const json_t *r, struct kc_err *err)
{
    if (!json_is_object(r)) return bad(err, "rubric", "must be a JSON object");
    if (!short_string(json_object_get(r, "name"), NAME_MAX_LEN))
        return bad(err, "name", "must be a string of 1 to 64 bytes");
    if (!short_string(json_object_get(r, "version"), NAME_MAX_LEN))
        return bad(err, "version", "must be a string of 1 to 64 bytes");
    json_t *d = json_object_get(r, "description");
    if (d && !json_is_string(d)) return bad(err, "description", "must be a string");
    json_t *grades = json_object_get(r, "grades");
    if (validate_grades(grades, err)) return -1;
    json_t *cs = json_object_get(r, "criteria");
    if (!json_is_array(cs) || json_array_size(cs) == 0 || json_array_size(cs) > MAX_CRITERIA)
        return bad(err, "criteria", "must be an array of 1 to 64 criteria");
    size_t i;
    json_t *c;
    json_array_foreach(cs, i, c)
    {
        if (validate_criterion(c, i, grades, err)) return -1;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(json_string_value(json_object_get(json_array_get(cs, k), "metric")),
                        json_string_value(json_object_get(c, "metric"))))
                return bad(err, "criteria", "each metric may appear in one criterion only");
    }
    return 0;
}

json_t *kc_rubric_load(const char *path, struct kc_err *err)
{
    json_error_t je;
    json_t *r = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!r) {
        kc_err_set(err, KC_E_INVALID, "rubric %s: line %d column %d: %s", path, je.line, je.column,
                   je.text);
        return NULL;
    }
    if (kc_rubric_validate(r, err)) {
        kc_err_prefix(err, "rubric %s: ", path);
        json_decref(r);
        return NULL;
    }
    return r;
}

/* The band of `bands` holding v (the last band includes its max), or NULL. */
static const json_t *find_band(const json_t *bands, double v)
{
    double top = -INFINITY;
    const json_t *top_band = NULL;
    size_t i;
    json_t *b;
    json_array_foreach(bands, i, b)
    {
        double a = json_number_value(json_object_get(b, "min"));
        double z = json_number_value(json_object_get(b, "max"));
        if (v >= a && v < z) return b;
        if (z > top) top = z, top_band = b;
    }
    return v == top ? top_band : NULL;
}

static json_t *grade_one(const json_t *c, const json_t *metrics)
{
    const char *name = json_string_value(json_object_get(c, "metric"));
    json_t *m = json_object_get(metrics, name);
    json_t *out = json_pack("{s:s}", "metric", name);
    const char *status = json_string_value(json_object_get(m, "status"));
    json_t *val = json_object_get(m, "value");
    if (!m) {
        json_object_set_new(out, "grade", json_null());
        json_object_set_new(out, "reason", json_string("metric not in this report"));
        return out;
    }
    json_object_set(out, "value", val ? val : json_null());
    json_object_set(out, "unit", json_object_get(m, "unit"));
    if (!status || strcmp(status, "ok") || !json_is_number(val)) {
        char why[256];
        const char *r = json_string_value(json_object_get(m, "reason"));
        snprintf(why, sizeof why, "metric is %s%s%.200s", status ? status : "missing",
                 r ? ": " : "", r ? r : "");
        json_object_set_new(out, "grade", json_null());
        json_object_set_new(out, "reason", json_string(why));
        return out;
    }
    const json_t *b = find_band(json_object_get(c, "bands"), json_number_value(val));
    if (!b) {
        json_object_set_new(out, "grade", json_null());
        json_object_set_new(out, "reason", json_string("value lies in no band of the rubric"));
        return out;
    }
    json_object_set(out, "grade", json_object_get(b, "grade"));
    json_object_set_new(
        out, "band",
        json_pack("{s:O,s:O}", "min", json_object_get(b, "min"), "max", json_object_get(b, "max")));
    return out;
}

json_t *kc_rubric_apply(const json_t *rubric, const json_t *metrics)
{
    if (!rubric)
        return json_pack("{s:s,s:s}", "status", "not scored", "note",
                         "behavioural metrics are descriptive");
    json_t *grades = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(rubric, "criteria"), i, c)
        json_array_append_new(grades, grade_one(c, metrics));
    return json_pack("{s:s,s:{s:O,s:O},s:s,s:o}", "status", "graded by rubric", "rubric", "name",
                     json_object_get(rubric, "name"), "version", json_object_get(rubric, "version"),
                     "note",
                     "grades follow the rubric's documented bands; behavioural metrics remain "
                     "descriptive observations and never rank candidates on their own",
                     "grades", grades);
}
