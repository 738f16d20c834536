/*
 * sections_check.c — validation of a client-supplied sections object (PUT of the reviewed
 * resume, or a structured JSON upload). The accepted shape is exactly what the parser
 * produces (sections.h); unknown keys are refused so typos do not vanish silently.
 * Errors name the JSON path: "sections.experience[2].start".
 */
#include <stdio.h>
#include <string.h>

#include "sections.h"
#include "validate.h"

#define MAX_ITEMS   KC_SECTIONS_MAX_ITEMS
#define MAX_DETAILS KC_SECTIONS_MAX_DETAILS
_Static_assert(KC_SECTIONS_LINE_MAX == KC_LINE_MAX, "parser and validator agree on line length");
_Static_assert(KC_SECTIONS_TEXT_MAX == KC_TEXT_MAX, "parser and validator agree on text length");

static int bad(struct kc_err *err, const char *path, const char *why)
{
    return kc_err_field(err, KC_E_INVALID, path, "%s: %s", path, why);
}

static int check_text(const json_t *v, const char *path, size_t max, int nullable,
                      struct kc_err *err)
{
    if (nullable && json_is_null(v)) return 0;
    if (!json_is_string(v)) return bad(err, path, "must be a string");
    if (json_string_length(v) > max) return bad(err, path, "is too long");
    return 0;
}

static int check_date(const json_t *v, const char *path, struct kc_err *err)
{
    if (json_is_null(v)) return 0;
    if (!json_is_string(v))
        return bad(err, path, "must be a \"YYYY-MM\" or \"YYYY\" string or null");
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    int ok = (n == 4 || n == 7);
    for (size_t i = 0; ok && i < n; i++) ok = i == 4 ? s[i] == '-' : (s[i] >= '0' && s[i] <= '9');
    if (ok && n == 7) ok = (s[5] == '0' && s[6] >= '1') || (s[5] == '1' && s[6] <= '2');
    if (!ok) return bad(err, path, "must be a \"YYYY-MM\" or \"YYYY\" string or null");
    return 0;
}

static int check_keys(const json_t *obj, const char *path, const char *const *allowed,
                      struct kc_err *err)
{
    const char *key;
    json_t *v;
    char p[128];
    json_object_foreach((json_t *)obj, key, v)
    {
        int ok = 0;
        for (int i = 0; allowed[i] && !ok; i++) ok = !strcmp(key, allowed[i]);
        (void)v;
        if (!ok) {
            KC_SNPRINTF(p, "%s.%s", path, key);
            return bad(err, p, "unknown field");
        }
    }
    return 0;
}

static int check_string_array(const json_t *arr, const char *path, size_t max_items, size_t max_len,
                              struct kc_err *err)
{
    char p[128];
    if (!json_is_array(arr)) return bad(err, path, "must be an array of strings");
    if (json_array_size(arr) > max_items) return bad(err, path, "has too many items");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        KC_SNPRINTF(p, "%s[%zu]", path, i);
        if (check_text(json_array_get(arr, i), p, max_len, 0, err)) return -1;
    }
    return 0;
}

static int check_dated(const json_t *e, const char *path, struct kc_err *err)
{
    static const char *const keys[] = {"title", "start", "end", "current", "details", NULL};
    char p[128];
    if (!json_is_object(e)) return bad(err, path, "must be an object");
    if (check_keys(e, path, keys, err)) return -1;
    KC_SNPRINTF(p, "%s.title", path);
    if (check_text(json_object_get(e, "title"), p, KC_LINE_MAX, 0, err)) return -1;
    KC_SNPRINTF(p, "%s.start", path);
    if (check_date(json_object_get(e, "start"), p, err)) return -1;
    KC_SNPRINTF(p, "%s.end", path);
    if (check_date(json_object_get(e, "end"), p, err)) return -1;
    json_t *cur = json_object_get(e, "current");
    KC_SNPRINTF(p, "%s.current", path);
    if (cur && !json_is_boolean(cur)) return bad(err, p, "must be true or false");
    json_t *d = json_object_get(e, "details");
    KC_SNPRINTF(p, "%s.details", path);
    if (d && check_string_array(d, p, MAX_DETAILS, KC_TEXT_MAX, err)) return -1;
    const char *s = json_string_value(json_object_get(e, "start"));
    const char *t = json_string_value(json_object_get(e, "end"));
    KC_SNPRINTF(p, "%s.end", path);
    if (s && t && kc_resume_date_before(t, s)) return bad(err, p, "is before the start");
    return 0;
}

static int check_named(const json_t *e, const char *path, struct kc_err *err)
{
    static const char *const keys[] = {"name", "date", "issuer", NULL};
    char p[128];
    if (!json_is_object(e)) return bad(err, path, "must be an object");
    if (check_keys(e, path, keys, err)) return -1;
    KC_SNPRINTF(p, "%s.name", path);
    if (check_text(json_object_get(e, "name"), p, KC_LINE_MAX, 0, err)) return -1;
    KC_SNPRINTF(p, "%s.date", path);
    json_t *d = json_object_get(e, "date");
    if (d && check_date(d, p, err)) return -1;
    KC_SNPRINTF(p, "%s.issuer", path);
    json_t *is = json_object_get(e, "issuer");
    if (is && check_text(is, p, KC_LINE_MAX, 1, err)) return -1;
    return 0;
}

static int check_other(const json_t *e, const char *path, struct kc_err *err)
{
    static const char *const keys[] = {"heading", "lines", NULL};
    char p[128];
    if (!json_is_object(e)) return bad(err, path, "must be an object");
    if (check_keys(e, path, keys, err)) return -1;
    KC_SNPRINTF(p, "%s.heading", path);
    if (check_text(json_object_get(e, "heading"), p, KC_LINE_MAX, 0, err)) return -1;
    KC_SNPRINTF(p, "%s.lines", path);
    return check_string_array(json_object_get(e, "lines"), p, MAX_ITEMS, KC_TEXT_MAX, err);
}

int kc_resume_sections_validate(const json_t *sections, struct kc_err *err)
{
    static const char *const keys[] = {"education",    "experience", "projects", "skills",
                                       "certificates", "awards",     "other",    NULL};
    char p[128];
    if (!json_is_object(sections)) return bad(err, "sections", "must be an object");
    if (check_keys(sections, "sections", keys, err)) return -1;
    const char *key;
    json_t *arr;
    json_object_foreach((json_t *)sections, key, arr)
    {
        KC_SNPRINTF(p, "sections.%s", key);
        if (!strcmp(key, "skills")) {
            if (check_string_array(arr, p, MAX_ITEMS, KC_LINE_MAX, err)) return -1;
            continue;
        }
        if (!json_is_array(arr)) return bad(err, p, "must be an array");
        if (json_array_size(arr) > MAX_ITEMS) return bad(err, p, "has too many items");
        for (size_t i = 0; i < json_array_size(arr); i++) {
            char ip[160];
            KC_SNPRINTF(ip, "%s[%zu]", p, i);
            const json_t *e = json_array_get(arr, i);
            int rc = !strcmp(key, "certificates") || !strcmp(key, "awards")
                         ? check_named(e, ip, err)
                     : !strcmp(key, "other") ? check_other(e, ip, err)
                                             : check_dated(e, ip, err);
            if (rc) return -1;
        }
    }
    return 0;
}
