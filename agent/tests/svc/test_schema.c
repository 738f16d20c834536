/*
 * test_schema.c — the JSON Schema subset validator used on LLM replies: each keyword accepts
 * what it should and rejects what it should with the JSON path of the failure; schemas with
 * unsupported keywords are refused rather than half-applied; hostile nesting is bounded.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm_schema.h"

static json_t *J(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    cr_assert_not_null(j, "bad test JSON %s: %s", text, e.text);
    return j;
}

static const char QSCHEMA[] =
    "{\"type\":\"object\",\"required\":[\"questions\"],\"additionalProperties\":false,"
    "\"properties\":{\"questions\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":3,"
    "\"items\":{\"type\":\"object\",\"required\":[\"text\",\"kind\",\"score\"],"
    "\"properties\":{\"text\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":5},"
    "\"kind\":{\"enum\":[\"common\",\"job\",\"personal\"]},"
    "\"score\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},"
    "\"note\":{\"type\":[\"string\",\"null\"]}}}}}}";

/* 0 = valid; otherwise the message must contain `want`. */
static void expect(const char *schema, const char *value, const char *want)
{
    json_t *s = J(schema), *v = J(value);
    struct kc_err err = {0};
    int rc = kc_schema_validate(s, v, &err);
    if (!want) {
        cr_assert_eq(rc, 0, "%s should be valid: %s", value, err.message);
    } else {
        cr_assert_eq(rc, -1, "%s should be invalid", value);
        cr_assert_eq(err.code, KC_E_UNPROCESSABLE);
        cr_assert(strstr(err.message, want), "message '%s' lacks '%s'", err.message, want);
    }
    json_decref(s);
    json_decref(v);
}

Test(schema, accepts_a_conforming_reply)
{
    expect(QSCHEMA, "{\"questions\":[{\"text\":\"왜요?\",\"kind\":\"job\",\"score\":70}]}", NULL);
    expect(QSCHEMA,
           "{\"questions\":[{\"text\":\"ab\",\"kind\":\"common\",\"score\":0,\"note\":null},"
           "{\"text\":\"abc\",\"kind\":\"personal\",\"score\":100.0,\"note\":\"x\"}]}",
           NULL);
}

Test(schema, rejects_with_the_path_of_the_first_violation)
{
    expect(QSCHEMA, "[]", "$: expected object, got array");
    expect(QSCHEMA, "{}", "$: missing required property \"questions\"");
    expect(QSCHEMA, "{\"questions\":[],\"x\":1}", "$.questions: too short (0 items)");
    expect(QSCHEMA, "{\"questions\":[{\"text\":\"ab\",\"kind\":\"job\",\"score\":1}],\"x\":1}",
           "$: unexpected property \"x\"");
    expect(QSCHEMA, "{\"questions\":[{\"text\":\"ab\",\"kind\":\"boss\",\"score\":1}]}",
           "$.questions[0].kind: value is not one of the allowed values");
    expect(QSCHEMA, "{\"questions\":[{\"text\":\"ab\",\"kind\":\"job\",\"score\":101}]}",
           "$.questions[0].score: 101 is above the maximum");
    expect(QSCHEMA, "{\"questions\":[{\"text\":\"ab\",\"kind\":\"job\",\"score\":-1}]}",
           "below the minimum");
    expect(QSCHEMA, "{\"questions\":[{\"text\":\"ab\",\"kind\":\"job\",\"score\":1.5}]}",
           "$.questions[0].score: expected integer, got number");
    expect(QSCHEMA, "{\"questions\":[{\"text\":\"abcdef\",\"kind\":\"job\",\"score\":1}]}",
           "$.questions[0].text: too long (6 characters)");
    /* length counts code points: 5 Hangul syllables are 15 bytes but 5 characters */
    expect(QSCHEMA, "{\"questions\":[{\"text\":\"가나다라마\",\"kind\":\"job\",\"score\":1}]}",
           NULL);
    expect(QSCHEMA, "{\"questions\":[{\"text\":\"ab\",\"kind\":\"job\",\"score\":1,\"note\":3}]}",
           "$.questions[0].note: got integer, not one of the allowed types");
    expect(QSCHEMA, "{\"questions\":[{\"kind\":\"job\",\"score\":1}]}",
           "$.questions[0]: missing required property \"text\"");
}

Test(schema, refuses_unsupported_or_malformed_schemas)
{
    struct kc_err err = {0};
    json_t *s = J("{\"type\":\"object\",\"patternProperties\":{}}");
    cr_assert_eq(kc_schema_check(s, &err), -1);
    cr_assert(strstr(err.message, "patternProperties"), "%s", err.message);
    json_decref(s);
    const char *bad[] = {"{\"type\":\"strng\"}",
                         "{\"required\":\"x\"}",
                         "{\"enum\":[]}",
                         "{\"minimum\":\"1\"}",
                         "{\"maxLength\":-1}",
                         "{\"items\":3}",
                         "[]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        s = J(bad[i]);
        cr_assert_eq(kc_schema_check(s, &err), -1, "%s accepted", bad[i]);
        cr_assert_eq(err.code, KC_E_INVALID);
        json_decref(s);
    }
    s = J(QSCHEMA);
    cr_assert_eq(kc_schema_check(s, &err), 0, "%s", err.message);
    json_decref(s);
}

Test(schema, deep_nesting_is_bounded)
{
    /* value nested 200 deep against a schema whose items recurse via additionalProperties */
    char *deep = malloc(512);
    size_t n = 0;
    for (int i = 0; i < 200; i++) deep[n++] = '[';
    for (int i = 0; i < 200; i++) deep[n++] = ']';
    deep[n] = '\0';
    json_t *v = J(deep);
    free(deep);
    /* a schema with items 40 levels deep */
    char schema[2048] = "";
    for (int i = 0; i < 40; i++) strcat(schema, "{\"items\":");
    strcat(schema, "{}");
    for (int i = 0; i < 40; i++) strcat(schema, "}");
    json_t *s = J(schema);
    struct kc_err err = {0};
    cr_assert_eq(kc_schema_validate(s, v, &err), -1);
    cr_assert(strstr(err.message, "nested too deeply"), "%s", err.message);
    json_decref(s);
    json_decref(v);
}
