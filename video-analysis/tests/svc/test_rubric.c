/*
 * test_rubric.c — rubric validation (every rule has a failing case), application to a metrics
 * object (bands, edges, ungraded metrics) and the shipped example rubric (rubrics/).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "rubric.h"

#ifndef KC_RUBRICS_DIR
#define KC_RUBRICS_DIR "video-analysis/rubrics"
#endif

static const char *GOOD =
    "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"low\",\"mid\",\"high\"],\"criteria\":["
    "{\"metric\":\"speaking_time_ratio\",\"bands\":[{\"min\":0,\"max\":0.3,\"grade\":\"low\"},"
    "{\"min\":0.3,\"max\":0.8,\"grade\":\"mid\"},{\"min\":0.8,\"max\":1,\"grade\":\"high\"}]},"
    "{\"metric\":\"pitch_mean_hz\",\"bands\":[{\"min\":50,\"max\":400,\"grade\":\"mid\"}]},"
    "{\"metric\":\"missing_metric\",\"bands\":[{\"min\":0,\"max\":1,\"grade\":\"mid\"}]}]}";

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    cr_assert_not_null(j, "%s", je.text);
    return j;
}

Test(rubric, valid_rubric_passes)
{
    json_t *r = load(GOOD);
    struct kc_err err = {0};
    cr_assert_eq(kc_rubric_validate(r, &err), 0, "%s", err.message);
    json_decref(r);
}

Test(rubric, each_rule_rejects)
{
    static const char *const bad[] = {
        "[]",
        "{\"version\":\"1\",\"grades\":[\"a\"],\"criteria\":[]}",
        "{\"name\":\"t\",\"grades\":[\"a\"],\"criteria\":[]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[],\"criteria\":[]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"a\",\"a\"],\"criteria\":[]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"a\"],\"criteria\":[]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"a\"],\"criteria\":[{\"metric\":\"Bad-"
        "Name\","
        "\"bands\":[{\"min\":0,\"max\":1,\"grade\":\"a\"}]}]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"a\"],\"criteria\":[{\"metric\":\"x\","
        "\"bands\":[{\"min\":1,\"max\":1,\"grade\":\"a\"}]}]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"a\"],\"criteria\":[{\"metric\":\"x\","
        "\"bands\":[{\"min\":0,\"max\":1,\"grade\":\"b\"}]}]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"a\"],\"criteria\":[{\"metric\":\"x\","
        "\"bands\":[{\"min\":0,\"max\":1,\"grade\":\"a\"},{\"min\":0.5,\"max\":2,\"grade\":\"a\"}]}"
        "]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"a\"],\"criteria\":[{\"metric\":\"x\","
        "\"bands\":[]}]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"a\"],\"criteria\":[{\"metric\":"
        "\"emotion_happy\",\"bands\":[{\"min\":0,\"max\":1,\"grade\":\"a\"}]}]}",
        "{\"name\":\"t\",\"version\":\"1\",\"grades\":[\"a\"],\"criteria\":["
        "{\"metric\":\"x\",\"bands\":[{\"min\":0,\"max\":1,\"grade\":\"a\"}]},"
        "{\"metric\":\"x\",\"bands\":[{\"min\":0,\"max\":1,\"grade\":\"a\"}]}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *r = load(bad[i]);
        struct kc_err err = {0};
        cr_assert_eq(kc_rubric_validate(r, &err), -1, "accepted: %s", bad[i]);
        cr_assert_eq(err.code, KC_E_INVALID);
        cr_assert_str_eq(err.field, "rubric");
        cr_assert_gt(strlen(err.message), 5);
        json_decref(r);
    }
}

static json_t *metric(double v, const char *status)
{
    return json_pack("{s:f,s:s,s:s,s:i}", "value", v, "unit", "ratio", "status", status, "samples",
                     10);
}

static const char *grade_of(const json_t *scoring, const char *metric_name)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(scoring, "grades"), i, g)
    {
        if (!strcmp(json_string_value(json_object_get(g, "metric")), metric_name))
            return json_string_value(json_object_get(g, "grade"));
    }
    cr_assert_fail("no grade entry for %s", metric_name);
    return NULL;
}

Test(rubric, apply_bands_and_edges)
{
    json_t *r = load(GOOD);
    double values[] = {0.0, 0.29, 0.3, 0.79, 0.8, 1.0};
    const char *want[] = {"low", "low", "mid", "mid", "high", "high"};
    for (size_t i = 0; i < 6; i++) {
        json_t *m = json_pack("{s:o}", "speaking_time_ratio", metric(values[i], "ok"));
        json_t *s = kc_rubric_apply(r, m);
        cr_assert_str_eq(json_string_value(json_object_get(s, "status")), "graded by rubric");
        cr_assert_str_eq(grade_of(s, "speaking_time_ratio"), want[i], "value %g", values[i]);
        cr_assert_str_eq(json_string_value(json_object_get(json_object_get(s, "rubric"), "name")),
                         "t");
        json_decref(s);
        json_decref(m);
    }
    json_decref(r);
}

Test(rubric, ungraded_metrics_say_why)
{
    json_t *r = load(GOOD);
    json_t *m = json_pack(
        "{s:o,s:o}", "speaking_time_ratio", metric(1.5, "ok"), "pitch_mean_hz",
        json_pack("{s:n,s:s,s:s}", "value", "status", "unavailable", "reason", "no audio"));
    json_t *s = kc_rubric_apply(r, m);
    cr_assert_null(grade_of(s, "speaking_time_ratio"));
    cr_assert_null(grade_of(s, "pitch_mean_hz"));
    cr_assert_null(grade_of(s, "missing_metric"));
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(s, "grades"), i, g)
        cr_assert(json_is_string(json_object_get(g, "reason")));
    json_decref(s);
    json_decref(m);
    json_decref(r);
}

Test(rubric, not_scored_without_rubric)
{
    json_t *s = kc_rubric_apply(NULL, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(s, "status")), "not scored");
    cr_assert_str_eq(json_string_value(json_object_get(s, "note")),
                     "behavioural metrics are descriptive");
    json_decref(s);
}

Test(rubric, shipped_example_loads)
{
    struct kc_err err = {0};
    json_t *r = kc_rubric_load(KC_RUBRICS_DIR "/example-communication.json", &err);
    cr_assert_not_null(r, "%s", err.message);
    json_decref(r);
    r = kc_rubric_load(KC_RUBRICS_DIR "/does-not-exist.json", &err);
    cr_assert_null(r);
}
