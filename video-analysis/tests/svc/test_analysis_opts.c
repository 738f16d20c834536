/*
 * test_analysis_opts.c — the analysis options parser (analysis.h): consent rules, the emotion
 * policy (EU refusal), strict fields with named errors, normalisation round trip.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "analysis.h"

static int parse(const char *text, struct kc_analysis_opts *o, struct kc_err *err)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    cr_assert_not_null(j, "test JSON: %s", je.text);
    int rc = kc_analysis_opts_parse(j, o, err);
    json_decref(j);
    return rc;
}

#define CONSENT_ALL "\"consent\":{\"video_behaviour\":true,\"speech\":true,\"emotion\":true}"

Test(analysis_opts, minimal_valid_defaults)
{
    struct kc_analysis_opts o;
    struct kc_err err = {0};
    cr_assert_eq(parse("{\"consent\":{\"speech\":true}}", &o, &err), 0, "%s", err.message);
    cr_assert_str_eq(o.language, "en");
    cr_assert(o.asr);
    cr_assert(o.consent_speech);
    cr_assert_not(o.consent_video);
    cr_assert_not(o.emotion_enabled);
    const char *why = NULL;
    cr_assert_not(kc_analysis_emotion_allowed(&o, &why));
    cr_assert_not_null(strstr(why, "policy is off"));
    kc_analysis_opts_free(&o);
}

Test(analysis_opts, consent_is_required)
{
    struct kc_analysis_opts o;
    struct kc_err err = {0};
    cr_assert_eq(parse("{\"language\":\"en\"}", &o, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_str_eq(err.field, "consent");
}

Test(analysis_opts, no_consent_for_any_type_is_refused)
{
    struct kc_analysis_opts o;
    struct kc_err err = {0};
    const char *j = "{\"consent\":{\"video_behaviour\":false,\"speech\":false,\"emotion\":true}}";
    cr_assert_eq(parse(j, &o, &err), -1);
    cr_assert_eq(err.code, KC_E_UNPROCESSABLE);
    cr_assert_not_null(strstr(err.message, "no consent for any analysis type"), "%s", err.message);
}

Test(analysis_opts, eu_emotion_is_refused)
{
    static const char *const eu[] = {"EU", "de", "FR", "GR", "el"};
    for (size_t i = 0; i < 5; i++) {
        char j[256];
        snprintf(j, sizeof j,
                 "{" CONSENT_ALL ",\"emotion_policy\":{\"enabled\":true,\"jurisdiction\":\"%s\"}}",
                 eu[i]);
        struct kc_analysis_opts o;
        struct kc_err err = {0};
        cr_assert_eq(parse(j, &o, &err), -1, "%s accepted", eu[i]);
        cr_assert_eq(err.code, KC_E_UNPROCESSABLE);
        cr_assert_str_eq(err.field, "emotion_policy.jurisdiction");
        cr_assert_not_null(strstr(err.message, "AI Act"));
    }
}

Test(analysis_opts, eu_without_emotion_is_fine)
{
    struct kc_analysis_opts o;
    struct kc_err err = {0};
    const char *j =
        "{" CONSENT_ALL ",\"emotion_policy\":{\"enabled\":false,\"jurisdiction\":\"EU\"}}";
    cr_assert_eq(parse(j, &o, &err), 0, "%s", err.message);
    cr_assert_not(kc_analysis_emotion_allowed(&o, NULL));
    kc_analysis_opts_free(&o);
}

Test(analysis_opts, emotion_needs_policy_and_consent)
{
    struct kc_analysis_opts o;
    struct kc_err err = {0};
    const char *why = NULL;
    cr_assert_eq(parse("{" CONSENT_ALL ",\"emotion_policy\":{\"enabled\":true,"
                       "\"jurisdiction\":\"kr\"}}",
                       &o, &err),
                 0, "%s", err.message);
    cr_assert_str_eq(o.jurisdiction, "KR");
    cr_assert(kc_analysis_emotion_allowed(&o, &why));
    kc_analysis_opts_free(&o);
    cr_assert_eq(parse("{\"consent\":{\"video_behaviour\":true,\"speech\":true,\"emotion\":false},"
                       "\"emotion_policy\":{\"enabled\":true,\"jurisdiction\":\"US\"}}",
                       &o, &err),
                 0);
    cr_assert_not(kc_analysis_emotion_allowed(&o, &why));
    cr_assert_not_null(strstr(why, "consent"));
    kc_analysis_opts_free(&o);
    /* enabled without a jurisdiction: the EU rule could not be applied */
    cr_assert_eq(parse("{" CONSENT_ALL ",\"emotion_policy\":{\"enabled\":true}}", &o, &err), -1);
    cr_assert_str_eq(err.field, "emotion_policy.jurisdiction");
}

Test(analysis_opts, bad_fields_are_named)
{
    static const struct {
        const char *json, *field;
    } cases[] = {
        {"{\"consnet\":{}}", "consnet"},
        {"{" CONSENT_ALL ",\"language\":\"fr\"}", "language"},
        {"{" CONSENT_ALL ",\"questions\":{}}", "questions"},
        {"{" CONSENT_ALL ",\"questions\":[{\"id\":\"q1\",\"start\":5,\"end\":5}]}", "questions[0]"},
        {"{" CONSENT_ALL ",\"questions\":[{\"id\":\"\",\"start\":0,\"end\":5}]}",
         "questions[0].id"},
        {"{" CONSENT_ALL ",\"questions\":[{\"id\":\"a\",\"start\":0,\"end\":5,\"x\":1}]}",
         "questions[0].x"},
        {"{" CONSENT_ALL ",\"questions\":[{\"id\":\"a\",\"start\":0,\"end\":5},"
         "{\"id\":\"a\",\"start\":6,\"end\":9}]}",
         "questions"},
        {"{\"consent\":{\"speech\":\"yes\"}}", "consent.speech"},
        {"{\"consent\":{\"speech\":true,\"face\":true}}", "consent.face"},
        {"{" CONSENT_ALL ",\"asr\":1}", "asr"},
        {"{" CONSENT_ALL ",\"subject_id\":\"has space\"}", "subject_id"},
        {"{" CONSENT_ALL ",\"rubric\":{\"name\":\"x\"}}", "rubric"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kc_analysis_opts o;
        struct kc_err err = {0};
        cr_assert_eq(parse(cases[i].json, &o, &err), -1, "accepted: %s", cases[i].json);
        cr_assert_str_eq(err.field, cases[i].field, "%s: field %s (%s)", cases[i].json, err.field,
                         err.message);
    }
}

Test(analysis_opts, not_an_object)
{
    struct kc_analysis_opts o;
    struct kc_err err = {0};
    json_t *j = json_array();
    cr_assert_eq(kc_analysis_opts_parse(j, &o, &err), -1);
    cr_assert_eq(err.code, KC_E_BAD_REQUEST);
    json_decref(j);
}

Test(analysis_opts, normalised_round_trip)
{
    struct kc_analysis_opts o, o2;
    struct kc_err err = {0};
    const char *j = "{" CONSENT_ALL ",\"language\":\"ko\",\"asr\":false,"
                    "\"questions\":[{\"id\":7,\"start\":0,\"end\":30.5},"
                    "{\"id\":\"q2\",\"start\":30.5,\"end\":61}],"
                    "\"emotion_policy\":{\"enabled\":true,\"jurisdiction\":\"KR\"},"
                    "\"application_id\":\"app-1\",\"subject_id\":\"subj-9\"}";
    cr_assert_eq(parse(j, &o, &err), 0, "%s", err.message);
    json_t *n = kc_analysis_opts_to_json(&o);
    cr_assert_not_null(n);
    cr_assert_eq(kc_analysis_opts_parse(n, &o2, &err), 0, "%s", err.message);
    cr_assert_str_eq(o2.language, "ko");
    cr_assert_not(o2.asr);
    cr_assert_eq(o2.n_questions, 2);
    cr_assert_str_eq(o2.questions[0].id, "7");
    cr_assert_float_eq(o2.questions[1].end, 61.0, 1e-9);
    cr_assert_str_eq(o2.subject_id, "subj-9");
    cr_assert_str_eq(o2.application_id, "app-1");
    cr_assert(o2.emotion_enabled && o2.consent_emotion);
    json_decref(n);
    kc_analysis_opts_free(&o);
    kc_analysis_opts_free(&o2);
}

Test(analysis_opts, too_many_questions)
{
    json_t *qs = json_array();
    for (int i = 0; i <= KC_ANALYSIS_MAX_QUESTIONS; i++)
        json_array_append_new(qs, json_pack("{s:i,s:i,s:i}", "id", i, "start", i, "end", i + 1));
    json_t *j = json_pack("{s:{s:b},s:o}", "consent", "speech", 1, "questions", qs);
    struct kc_analysis_opts o;
    struct kc_err err = {0};
    cr_assert_eq(kc_analysis_opts_parse(j, &o, &err), -1);
    cr_assert_str_eq(err.field, "questions");
    json_decref(j);
}
