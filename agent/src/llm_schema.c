/*
 * llm_schema.c — the JSON Schema subset validator. See llm_schema.h for the keywords.
 *
 * Validation is a recursive walk over (schema, value) pairs carrying the JSON path as a string
 * in a fixed buffer (truncated paths are still useful in a message). Recursion depth is bounded
 * by KC_SCHEMA_MAX_DEPTH so a hostile, deeply nested reply cannot exhaust the stack (jansson
 * itself limits parsing depth to 2048; ours is stricter).
 */
#include "llm_schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define KC_SCHEMA_MAX_DEPTH 32

static const char *const known_keys[] = {
    "type",        "properties", "required", "additionalProperties",
    "items",       "enum",       "minimum",  "maximum",
    "minLength",   "maxLength",  "minItems", "maxItems",
    "description", "title",      NULL};

static const char *const type_names[] = {"object",  "array",   "string", "number",
                                         "integer", "boolean", "null",   NULL};

static bool is_type_name(const char *s)
{
    for (size_t i = 0; type_names[i]; i++)
        if (strcmp(s, type_names[i]) == 0) return true;
    return false;
}

static bool is_known_key(const char *k)
{
    for (size_t i = 0; known_keys[i]; i++)
        if (strcmp(k, known_keys[i]) == 0) return true;
    return false;
}

static int check_type_kw(const json_t *t, const char *path, struct kc_err *err)
{
    if (json_is_string(t)) {
        if (is_type_name(json_string_value(t))) return 0;
        return kc_err_set(err, KC_E_INVALID, "schema %s: unknown type \"%s\"", path,
                          json_string_value(t));
    }
    if (!json_is_array(t) || json_array_size(t) == 0)
        return kc_err_set(err, KC_E_INVALID, "schema %s: type must be a name or a list", path);
    size_t i;
    const json_t *v;
    json_array_foreach(t, i, v)
    {
        if (!json_is_string(v) || !is_type_name(json_string_value(v)))
            return kc_err_set(err, KC_E_INVALID, "schema %s: bad type list entry %zu", path, i);
    }
    return 0;
}

static int check_at(const json_t *schema, const char *path, int depth, struct kc_err *err);

static int check_children(const json_t *s, const char *path, int depth, struct kc_err *err)
{
    char sub[256];
    const json_t *props = json_object_get(s, "properties");
    if (props) {
        if (!json_is_object(props))
            return kc_err_set(err, KC_E_INVALID, "schema %s: properties must be an object", path);
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)props, k, v)
        {
            snprintf(sub, sizeof sub, "%s.%s", path, k);
            if (check_at(v, sub, depth + 1, err) != 0) return -1;
        }
    }
    const json_t *items = json_object_get(s, "items");
    if (items) {
        snprintf(sub, sizeof sub, "%s[]", path);
        if (check_at(items, sub, depth + 1, err) != 0) return -1;
    }
    const json_t *ap = json_object_get(s, "additionalProperties");
    if (ap && !json_is_boolean(ap)) {
        snprintf(sub, sizeof sub, "%s.*", path);
        if (check_at(ap, sub, depth + 1, err) != 0) return -1;
    }
    return 0;
}

static int check_scalars(const json_t *s, const char *path, struct kc_err *err)
{
    const char *nums[] = {"minimum", "maximum"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_object_get(s, nums[i]);
        if (v && !json_is_number(v))
            return kc_err_set(err, KC_E_INVALID, "schema %s: %s must be a number", path, nums[i]);
    }
    const char *ints[] = {"minLength", "maxLength", "minItems", "maxItems"};
    for (size_t i = 0; i < 4; i++) {
        const json_t *v = json_object_get(s, ints[i]);
        if (v && (!json_is_integer(v) || json_integer_value(v) < 0))
            return kc_err_set(err, KC_E_INVALID, "schema %s: %s must be a count", path, ints[i]);
    }
    const json_t *req = json_object_get(s, "required");
    if (req) {
        size_t i;
        const json_t *v;
        if (!json_is_array(req))
            return kc_err_set(err, KC_E_INVALID, "schema %s: required must be a list", path);
        json_array_foreach(req, i, v) if (!json_is_string(v)) return kc_err_set(
            err, KC_E_INVALID, "schema %s: required[%zu] must be a string", path, i);
    }
    const json_t *en = json_object_get(s, "enum");
    if (en && (!json_is_array(en) || json_array_size(en) == 0))
        return kc_err_set(err, KC_E_INVALID, "schema %s: enum must be a non-empty list", path);
    return 0;
}

static int check_at(const json_t *s, const char *path, int depth, struct kc_err *err)
{
    if (depth > KC_SCHEMA_MAX_DEPTH)
        return kc_err_set(err, KC_E_INVALID, "schema %s: nested too deeply", path);
    if (!json_is_object(s))
        return kc_err_set(err, KC_E_INVALID, "schema %s: must be an object", path);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)s, k, v)
    {
        if (!is_known_key(k))
            return kc_err_set(err, KC_E_INVALID, "schema %s: unsupported keyword \"%s\"", path, k);
    }
    const json_t *t = json_object_get(s, "type");
    if (t && check_type_kw(t, path, err) != 0) return -1;
    if (check_scalars(s, path, err) != 0) return -1;
    return check_children(s, path, depth, err);
}

int kc_schema_check(const json_t *schema, struct kc_err *err)
{
    return check_at(schema, "$", 0, err);
}

/* ---- validation ---- */

static const char *kind_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static bool type_matches(const char *t, const json_t *v)
{
    if (strcmp(t, "number") == 0) return json_is_number(v);
    if (strcmp(t, "integer") == 0) {
        if (json_is_integer(v)) return true;
        /* 3.0 is an integer in JSON Schema */
        return json_is_real(v) && floor(json_real_value(v)) == json_real_value(v);
    }
    return strcmp(t, kind_of(v)) == 0;
}

__attribute__((format(printf, 3, 4))) static int fail(struct kc_err *err, const char *path,
                                                      const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return kc_err_set(err, KC_E_UNPROCESSABLE, "%s: %s", path, what);
}

static int validate_type(const json_t *t, const json_t *v, const char *path, struct kc_err *err)
{
    if (json_is_string(t)) {
        if (type_matches(json_string_value(t), v)) return 0;
        return fail(err, path, "expected %s, got %s", json_string_value(t), kind_of(v));
    }
    size_t i;
    const json_t *e;
    json_array_foreach(t, i, e) if (type_matches(json_string_value(e), v)) return 0;
    return fail(err, path, "got %s, not one of the allowed types", kind_of(v));
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}

static int validate_bounds(const json_t *s, const json_t *v, const char *path, struct kc_err *err)
{
    char num[64];
    if (json_is_number(v)) {
        double x = json_number_value(v);
        const json_t *lo = json_object_get(s, "minimum"), *hi = json_object_get(s, "maximum");
        snprintf(num, sizeof num, "%g", x);
        if (lo && x < json_number_value(lo)) return fail(err, path, "%s is below the minimum", num);
        if (hi && x > json_number_value(hi)) return fail(err, path, "%s is above the maximum", num);
    }
    size_t n = 0;
    const char *lo_kw = NULL, *hi_kw = NULL, *unit = NULL;
    if (json_is_string(v)) {
        n = utf8_chars(json_string_value(v), json_string_length(v));
        lo_kw = "minLength", hi_kw = "maxLength", unit = "characters";
    } else if (json_is_array(v)) {
        n = json_array_size(v);
        lo_kw = "minItems", hi_kw = "maxItems", unit = "items";
    }
    if (!lo_kw) return 0;
    const json_t *lo = json_object_get(s, lo_kw), *hi = json_object_get(s, hi_kw);
    snprintf(num, sizeof num, "%zu", n);
    if (lo && (json_int_t)n < json_integer_value(lo))
        return fail(err, path, "too short (%s %s)", num, unit);
    if (hi && (json_int_t)n > json_integer_value(hi))
        return fail(err, path, "too long (%s %s)", num, unit);
    return 0;
}

static int validate_at(const json_t *s, const json_t *v, const char *path, int depth,
                       struct kc_err *err);

static int validate_object(const json_t *s, const json_t *v, const char *path, int depth,
                           struct kc_err *err)
{
    char sub[256];
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(s, "required"), i, r)
    {
        if (!json_object_get(v, json_string_value(r)))
            return fail(err, path, "missing required property \"%s\"", json_string_value(r));
    }
    const json_t *props = json_object_get(s, "properties");
    const json_t *ap = json_object_get(s, "additionalProperties");
    const char *k;
    const json_t *x;
    json_object_foreach((json_t *)v, k, x)
    {
        snprintf(sub, sizeof sub, "%s.%s", path, k);
        const json_t *ps = props ? json_object_get(props, k) : NULL;
        if (ps) {
            if (validate_at(ps, x, sub, depth + 1, err) != 0) return -1;
        } else if (json_is_false(ap)) {
            return fail(err, path, "unexpected property \"%s\"", k);
        } else if (json_is_object(ap)) {
            if (validate_at(ap, x, sub, depth + 1, err) != 0) return -1;
        }
    }
    return 0;
}

static int validate_at(const json_t *s, const json_t *v, const char *path, int depth,
                       struct kc_err *err)
{
    if (depth > KC_SCHEMA_MAX_DEPTH) return fail(err, path, "nested too deeply");
    const json_t *t = json_object_get(s, "type");
    if (t && validate_type(t, v, path, err) != 0) return -1;
    const json_t *en = json_object_get(s, "enum");
    if (en) {
        size_t i;
        const json_t *e;
        bool found = false;
        json_array_foreach(en, i, e) if (json_equal((json_t *)e, (json_t *)v)) found = true;
        if (!found) return fail(err, path, "value is not one of the allowed values");
    }
    if (validate_bounds(s, v, path, err) != 0) return -1;
    if (json_is_object(v)) return validate_object(s, v, path, depth, err);
    const json_t *items = json_object_get(s, "items");
    if (json_is_array(v) && items) {
        char sub[256];
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (validate_at(items, e, sub, depth + 1, err) != 0) return -1;
        }
    }
    return 0;
}

int kc_schema_validate(const json_t *schema, const json_t *value, struct kc_err *err)
{
    if (kc_schema_check(schema, err) != 0) return -1;
    if (!value) return kc_err_set(err, KC_E_UNPROCESSABLE, "$: no value");
    return validate_at(schema, value, "$", 0, err);
}
