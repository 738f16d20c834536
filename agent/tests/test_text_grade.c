/*
 * test_text_grade.c — answer grading: a specific STAR answer scores above a vague, filler-heavy
 * one in Korean and English, with itemised evidence that quotes the transcript.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "corpus.h"
#include "text/grade.h"

static struct kc_textkit *kit;

static void setup(void)
{
    struct kc_err err = {0};
    kit = kc_textkit_load(NULL, &err);
    cr_assert_not_null(kit, "%s", err.message);
}

static void teardown(void)
{
    kc_textkit_free(kit);
}

TestSuite(grade, .init = setup, .fini = teardown);

static const json_t *bank_question(const char *id)
{
    size_t i;
    const json_t *q;
    json_array_foreach(json_object_get(kit->questions, "questions"), i, q)
    {
        if (strcmp(json_string_value(json_object_get(q, "id")), id) == 0) return q;
    }
    cr_assert_fail("no question %s", id);
    return NULL;
}

static json_t *grade(const char *file, const char *lang, char **text)
{
    *text = corpus_read(file, NULL);
    char key[16];
    snprintf(key, sizeof key, "points_%s", lang);
    json_t *req = json_pack("{s:{s:O}, s:s}", "question", "good_answer",
                            json_object_get(bank_question("c-problem"), key), "transcript", *text);
    struct kc_err err = {0};
    json_t *out = kc_grade_json(kit, req, &err);
    cr_assert_not_null(out, "%s", err.message);
    json_decref(req);
    return out;
}

static double comp(const json_t *out, const char *name)
{
    return json_real_value(
        json_object_get(json_object_get(json_object_get(out, "components"), name), "value"));
}

static void check_spans(const json_t *out, const char *text)
{
    size_t i;
    const json_t *p;
    const json_t *c = json_object_get(out, "components");
    json_array_foreach(json_object_get(json_object_get(c, "coverage"), "points"), i, p)
    {
        const json_t *s = json_object_get(p, "span");
        if (!s) continue;
        size_t off = (size_t)json_integer_value(json_object_get(s, "offset"));
        size_t len = (size_t)json_integer_value(json_object_get(s, "length"));
        cr_assert_eq(memcmp(text + off, json_string_value(json_object_get(s, "text")), len), 0);
    }
    json_array_foreach(json_object_get(json_object_get(c, "fillers"), "words"), i, p)
    {
        size_t off = (size_t)json_integer_value(json_object_get(p, "offset"));
        size_t len = (size_t)json_integer_value(json_object_get(p, "length"));
        cr_assert_eq(memcmp(text + off, json_string_value(json_object_get(p, "text")), len), 0);
    }
}

static void compare(const char *good_file, const char *vague_file, const char *lang)
{
    char *gt, *vt;
    json_t *good = grade(good_file, lang, &gt), *vague = grade(vague_file, lang, &vt);
    check_spans(good, gt);
    check_spans(vague, vt);
    double gs = json_real_value(json_object_get(good, "score"));
    double vs = json_real_value(json_object_get(vague, "score"));
    cr_assert_gt(gs, vs + 30, "%s: good %.1f vague %.1f", lang, gs, vs);
    cr_assert_gt(comp(good, "coverage"), comp(vague, "coverage"));
    cr_assert_float_eq(comp(good, "star"), 1.0, 1e-9);
    cr_assert_lt(comp(vague, "star"), 0.5);
    cr_assert_gt(comp(good, "specificity"), comp(vague, "specificity"));
    cr_assert_float_eq(comp(good, "fillers"), 1.0, 1e-9);
    cr_assert_lt(comp(vague, "fillers"), 0.2);
    cr_assert_str_eq(json_string_value(json_object_get(good, "lang")), lang);
    json_decref(good);
    json_decref(vague);
    free(gt);
    free(vt);
}

Test(grade, korean_star_beats_vague)
{
    compare("answer_good_ko.txt", "answer_vague_ko.txt", "ko");
}

Test(grade, english_star_beats_vague)
{
    compare("answer_good_en.txt", "answer_vague_en.txt", "en");
}

Test(grade, fillers_are_contextual)
{
    struct kc_err err = {0};
    /* "저는", "그 프로젝트", the determiner in "그, 그 부분" and "I like Java" are not fillers;
     * "음", the "그," before a pause and ", like," are */
    json_t *req =
        json_pack("{s:s}", "transcript",
                  "음 저는 그 프로젝트에서 그, 그 부분을 맡았습니다. I like Java and, like, Go.");
    json_t *out = kc_grade_json(kit, req, &err);
    cr_assert_not_null(out, "%s", err.message);
    const json_t *f = json_object_get(json_object_get(out, "components"), "fillers");
    cr_assert_eq(json_integer_value(json_object_get(f, "count")), 3);
    const json_t *w = json_object_get(f, "words");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 0), "text")), "음");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 1), "text")), "그");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(w, 1), "offset")), 34);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 2), "text")), "like");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(w, 2), "offset")), 87);
    cr_assert_str_eq(
        json_string_value(json_object_get(
            json_object_get(json_object_get(out, "components"), "coverage"), "status")),
        "unavailable");
    json_decref(out);
    json_decref(req);
}
