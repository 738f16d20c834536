/*
 * test_text_errors.c — bad input gets clear errors with the field named, never a crash: empty
 * resume, 5 MB of text, invalid UTF-8, a job without criteria, malformed criteria and dates.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "text/grade.h"
#include "text/highlight.h"
#include "text/questions.h"
#include "text/screen.h"
#include "text/sim.h"

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

TestSuite(errors, .init = setup, .fini = teardown);

static json_t *request(const char *resume)
{
    return json_pack("{s:{s:[{s:s, s:f, s:[s]}]}, s:{s:s}, s:s}", "job", "criteria", "name", "java",
                     "weight", 1.0, "keywords", "Java", "resume", "text", resume, "reference_date",
                     "2024-06");
}

static void expect_invalid(json_t *req, const char *field)
{
    struct kc_err err = {0};
    json_t *out = kc_screen_json(kit, req, &err);
    cr_assert_null(out);
    cr_assert_eq(err.code, KC_E_INVALID, "%s", err.message);
    cr_assert_str_eq(err.field, field, "%s", err.message);
    cr_assert_gt(strlen(err.message), 10);
    json_decref(req);
}

Test(errors, empty_and_blank_resume)
{
    expect_invalid(request(""), "resume.text");
    expect_invalid(request("   \n\t  ...  "), "resume.text");
}

Test(errors, five_megabytes)
{
    size_t n = 5u * 1024 * 1024;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++) big[i] = (char)('a' + i % 26);
    big[n] = '\0';
    struct kc_err err = {0};
    json_t *req = request(big);
    json_t *out = kc_screen_json(kit, req, &err);
    cr_assert_null(out);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_str_eq(err.field, "resume.text");
    cr_assert(strstr(err.message, "over the limit"), "%s", err.message);
    json_decref(req);
    struct kc_sim_doc doc;
    cr_assert_eq(kc_sim_prepare(big, n, &doc, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    free(big);
}

Test(errors, invalid_utf8_names_position)
{
    /* jansson refuses invalid UTF-8 in JSON strings, so the C entry points are tested directly */
    struct kc_err err = {0};
    json_t *j = json_pack("{s:[{s:s, s:f, s:[s]}]}", "criteria", "name", "java", "weight", 1.0,
                          "keywords", "Java");
    struct kc_jobspec *job = kc_jobspec_compile(kit, j, "job", &err);
    cr_assert_not_null(job, "%s", err.message);
    const char bad[] = "Java 개발자\n\xED\xA0\x80 surrogate";
    struct kc_ym ref = {2024, 6};
    cr_assert_null(kc_screen_text(kit, job, bad, strlen(bad), NULL, ref, &err));
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_str_eq(err.field, "resume.text");
    cr_assert(strstr(err.message, "byte 15"), "%s", err.message);
    kc_jobspec_free(job);
    json_decref(j);
}

Test(errors, job_without_criteria)
{
    json_t *req = request("Java 개발 5년");
    json_object_set_new(json_object_get(req, "job"), "criteria", json_array());
    expect_invalid(req, "job.criteria");
    req = request("Java 개발 5년");
    json_object_del(json_object_get(req, "job"), "criteria");
    expect_invalid(req, "job.criteria");
    req = request("Java 개발 5년");
    json_object_del(req, "job");
    expect_invalid(req, "job");
}

Test(errors, malformed_criteria)
{
    json_t *req = request("Java 개발 5년");
    json_t *c = json_array_get(json_object_get(json_object_get(req, "job"), "criteria"), 0);
    json_object_set_new(c, "weight", json_real(1.5));
    expect_invalid(req, "job.criteria[0].weight");
    req = request("Java 개발 5년");
    c = json_array_get(json_object_get(json_object_get(req, "job"), "criteria"), 0);
    json_object_set_new(c, "keywords", json_pack("[s, i]", "Java", 3));
    expect_invalid(req, "job.criteria[0].keywords[1]");
    req = request("Java 개발 5년");
    c = json_array_get(json_object_get(json_object_get(req, "job"), "criteria"), 0);
    json_object_set_new(c, "keywords", json_array());
    expect_invalid(req, "job.criteria[0].keywords");
    req = request("Java 개발 5년");
    c = json_array_get(json_object_get(json_object_get(req, "job"), "criteria"), 0);
    json_object_set_new(c, "weight", json_real(0.0));
    expect_invalid(req, "job.criteria");
    req = request("Java 개발 5년");
    json_object_set_new(json_object_get(req, "job"), "threshold", json_integer(150));
    expect_invalid(req, "job.threshold");
}

Test(errors, dates_and_sections)
{
    json_t *req = request("Java 개발 5년");
    json_object_set_new(req, "reference_date", json_string("May 2024"));
    expect_invalid(req, "reference_date");
    req = request("Java 개발 5년");
    json_object_del(req, "reference_date");
    expect_invalid(req, "reference_date");
    req = request("Java 개발 5년");
    json_object_set_new(
        json_object_get(req, "resume"), "sections",
        json_pack("{s:[{s:s, s:s}]}", "experience", "start", "2019-03", "end", "someday"));
    expect_invalid(req, "resume.sections.experience[0].end");
    req = request("Java 개발 5년");
    json_object_set_new(json_object_get(req, "resume"), "sections",
                        json_pack("{s:i}", "skills", 3));
    expect_invalid(req, "resume.sections.skills");
}

Test(errors, other_entry_points)
{
    struct kc_err err = {0};
    json_t *req = json_pack("{s:s}", "transcript", "");
    cr_assert_null(kc_grade_json(kit, req, &err));
    cr_assert_str_eq(err.field, "transcript");
    json_decref(req);
    req = json_pack("{s:{s:[i]}, s:s}", "question", "good_answer", 1, "transcript", "답변입니다");
    cr_assert_null(kc_grade_json(kit, req, &err));
    cr_assert_str_eq(err.field, "question.good_answer[0]");
    json_decref(req);
    req = json_pack("{s:{}, s:{s:s}, s:s}", "job", "resume", "text", "이력서", "reference_date",
                    "2024-06");
    cr_assert_null(kc_questions_generate(kit, req, &err));
    cr_assert_str_eq(err.field, "job");
    json_decref(req);
    req = json_pack("{s:{s:s}, s:{s:s}, s:s, s:s}", "job", "text", "Java 개발자", "resume", "text",
                    "Java 개발", "reference_date", "2024-06", "lang", "fr");
    cr_assert_null(kc_questions_generate(kit, req, &err));
    cr_assert_str_eq(err.field, "lang");
    json_decref(req);
    req = json_pack("{s:{s:s}, s:{s:s}, s:i, s:s}", "job", "text", "Java 개발자", "resume", "text",
                    "Java 개발", "values", 5, "reference_date", "2024-06");
    cr_assert_null(kc_highlight_json(kit, req, &err));
    cr_assert_str_eq(err.field, "values");
    json_decref(req);
    cr_assert_null(kc_criteria_suggest(kit, "", 0, &err));
    cr_assert_str_eq(err.field, "job.text");
}

/* Deterministic garbage: random bytes, and random picks from a pool of tricky fragments (jamo,
 * dates, bullets, josa, punctuation). Every entry point answers or refuses; none may crash. */
static size_t garbage(uint64_t *x, char *buf, size_t cap, bool fragments)
{
    static const char *const pool[] = {"\xE1\x84\x92",
                                       "\xE1\x85\xA1",
                                       "\xE1\x86\xAB",
                                       "2019.03",
                                       " ~ ",
                                       "현재",
                                       "- ",
                                       "•",
                                       "을",
                                       "에서",
                                       "java",
                                       "C++",
                                       ". ",
                                       "\n",
                                       "  ",
                                       "(주)",
                                       "3년 차",
                                       "Mar 2019 - Present",
                                       "…",
                                       "{",
                                       "%",
                                       "0",
                                       "쿠버네티스",
                                       "no experience",
                                       "음, ",
                                       "like, ",
                                       "ＡＢＣ",
                                       "\xEF\xBB\xBF"};
    size_t n = 0, len = 1 + (size_t)(*x % (cap / 2));
    while (n < len) {
        *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
        if (fragments) {
            const char *f = pool[*x % (sizeof pool / sizeof *pool)];
            size_t fl = strlen(f);
            if (n + fl >= cap) break;
            memcpy(buf + n, f, fl);
            n += fl;
        } else {
            buf[n++] = (char)(*x >> 24);
        }
    }
    buf[n] = '\0';
    return n;
}

Test(errors, garbage_never_crashes)
{
    json_t *j = json_pack("{s:[{s:s, s:f, s:[s, s], s:f}]}", "criteria", "name", "c", "weight", 1.0,
                          "keywords", "Java", "Kubernetes", "min_years", 2.0);
    struct kc_err err = {0};
    struct kc_jobspec *job = kc_jobspec_compile(kit, j, "job", &err);
    cr_assert_not_null(job);
    struct kc_ym ref = {2024, 6};
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    char buf[2048];
    size_t answered = 0;
    for (int i = 0; i < 400; i++) {
        size_t n = garbage(&x, buf, sizeof buf, i % 2 == 0);
        json_t *out = kc_screen_text(kit, job, buf, n, NULL, ref, &err);
        answered += out != NULL;
        if (!out) cr_assert_eq(err.code, KC_E_INVALID);
        json_decref(out);
        json_t *g = json_pack("{s:s%, s:{s:[s]}}", "transcript", buf, n, "question", "good_answer",
                              "원인 분석과 가설");
        if (g) { /* jansson refuses invalid UTF-8 */
            json_t *r = kc_grade_json(kit, g, &err);
            json_decref(r);
            json_decref(g);
        }
        struct kc_sim_doc doc;
        if (kc_sim_prepare(buf, n, &doc, &err) == 0) kc_sim_doc_free(&doc);
        json_decref(kc_criteria_suggest(kit, buf, n, &err));
    }
    cr_assert_gt(answered, 100); /* the fragment inputs are valid text and get answers */
    kc_jobspec_free(job);
    json_decref(j);
}
