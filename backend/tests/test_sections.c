/*
 * test_sections.c — the resume section parser and its validator: Korean and English
 * headings, date-range forms, skills splitting, and garbage that must not crash.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mime.h"
#include "sections.h"
#include "validate.h"

static const char *str_at(json_t *root, const char *sec, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(root, sec), i), key));
}

Test(heading, korean_and_english_variants)
{
    size_t rest;
    cr_expect_str_eq(kc_resume_heading("학력", strlen("학력"), &rest), "education");
    cr_expect_str_eq(kc_resume_heading("■ 경력 사항", strlen("■ 경력 사항"), &rest), "experience");
    cr_expect_str_eq(kc_resume_heading("【보유 기술】", strlen("【보유 기술】"), &rest), "skills");
    cr_expect_str_eq(kc_resume_heading("WORK EXPERIENCE", 15, &rest), "experience");
    cr_expect_str_eq(kc_resume_heading("## Certifications", 17, &rest), "certificates");
    cr_expect_str_eq(kc_resume_heading("Awards & Honors", 15, &rest), "awards");
    cr_expect_str_eq(kc_resume_heading("3. 프로젝트", strlen("3. 프로젝트"), &rest), "projects");
    cr_expect_str_eq(kc_resume_heading("Skills: C, Go", 13, &rest), "skills");
    cr_expect_eq(rest, 7);
    cr_expect_null(kc_resume_heading("Name: Kim", 9, &rest));
    cr_expect_null(kc_resume_heading("I have experience in C", 22, &rest));
    cr_expect_null(kc_resume_heading("", 0, &rest));
}

static void expect_range(const char *line, const char *from, const char *to, int current)
{
    struct kc_date_range r;
    cr_assert_eq(kc_resume_find_range(line, strlen(line), &r), 1, "no range in '%s'", line);
    cr_expect_str_eq(r.from, from, "%s", line);
    cr_expect_str_eq(r.to, to, "%s", line);
    cr_expect_eq(r.current, current, "%s", line);
}

Test(dates, range_forms)
{
    expect_range("ABC 주식회사 2019.03 ~ 2022.08", "2019-03", "2022-08", 0);
    expect_range("2019-03 – 현재 XYZ", "2019-03", "", 1);
    expect_range("Mar 2019 - Present", "2019-03", "", 1);
    expect_range("September 2015 to June 2019", "2015-09", "2019-06", 0);
    expect_range("2015년 3월 ~ 2019년 2월 서울대학교", "2015-03", "2019-02", 0);
    expect_range("2016/01 - 2017/12", "2016-01", "2017-12", 0);
    expect_range("2012 - 2016 KAIST", "2012", "2016", 0);
    expect_range("(2020.01.15 ~ 재직중)", "2020-01", "", 1);
}

Test(dates, not_ranges)
{
    struct kc_date_range r;
    const char *lines[] = {"Phone 010-1234-5678", "C99 - C17",         "Version 3.10 ~ 3.11", "",
                           "20190301 ~ 20220801", "2019.13 ~ 2020.01x"};
    for (size_t i = 0; i < 5; i++)
        cr_expect_eq(kc_resume_find_range(lines[i], strlen(lines[i]), &r), 0, "'%s'", lines[i]);
    char d[8];
    size_t a, b;
    cr_expect_eq(
        kc_resume_find_date("정보처리기사 2020.05", strlen("정보처리기사 2020.05"), d, &a, &b), 1);
    cr_expect_str_eq(d, "2020-05");
}

Test(dates, inverted_range_is_no_range)
{
    /* found by tests/fuzz (backend_input): the parser produced a range its own validator
     * rejected */
    struct kc_date_range r;
    const char *line = "2019~2003";
    cr_expect_eq(kc_resume_find_range(line, strlen(line), &r), 0);
    cr_expect(kc_resume_date_before("2003", "2019"));
    cr_expect(!kc_resume_date_before("2019", "2019-03"), "coarser precision is not before");
    cr_expect(!kc_resume_date_before("2019-03", "2019"));
    cr_expect(kc_resume_date_before("2019-02", "2019-03"));
    json_t *doc = kc_resume_parse("경력\n2019~2003");
    struct kc_err err = {0};
    cr_assert_not_null(doc);
    cr_expect_eq(kc_resume_sections_validate(doc, &err), 0, "parser output must validate: %s",
                 err.message);
    json_decref(doc);
}

Test(parse, output_always_validates)
{
    /* found by tests/fuzz (backend_input): a 600-byte line became a title over the limit */
    char text[2048] = "학력\n";
    size_t n = strlen(text);
    for (int i = 0; i < 200; i++) n += (size_t)snprintf(text + n, sizeof text - n, "가");
    snprintf(text + n, sizeof text - n, "\n");
    json_t *doc = kc_resume_parse(text);
    struct kc_err err = {0};
    cr_assert_not_null(doc);
    cr_expect_eq(kc_resume_sections_validate(doc, &err), 0, "%s", err.message);
    const char *title = json_string_value(
        json_object_get(json_array_get(json_object_get(doc, "education"), 0), "title"));
    cr_assert_not_null(title);
    cr_expect_leq(strlen(title), 300);
    cr_expect_eq(strlen(title) % 3, 0, "cut at a character boundary");
    json_decref(doc);
}

Test(parse, korean_english_resume)
{
    const char *text = "홍길동\nhong@example.com\n\n"
                       "학력\n서울대학교 컴퓨터공학과 2015.03 ~ 2019.02\n\n"
                       "■ 경력 사항\n(주)카카오 백엔드 개발자 2019.03 ~ 2022.08\n"
                       "- 결제 API 설계\n- 트래픽 3배 증가 대응\n"
                       "Naver Search Engineer, Sep 2022 - Present\n\n"
                       "기술\nC, Go · PostgreSQL | Redis / Kubernetes, Go\n\n"
                       "자격증\n정보처리기사 2018.11\nAWS SAA\n\n"
                       "Awards\n1st prize, ICPC Seoul 2017\n\n"
                       "Projects\nkocruit 2023.01 ~ 현재\n";
    json_t *s = kc_resume_parse(text);
    cr_assert_not_null(s);
    cr_expect_eq(json_array_size(json_object_get(s, "education")), 1);
    cr_expect_str_eq(str_at(s, "education", 0, "title"), "서울대학교 컴퓨터공학과");
    cr_expect_str_eq(str_at(s, "education", 0, "start"), "2015-03");
    cr_expect_str_eq(str_at(s, "education", 0, "end"), "2019-02");
    cr_assert_eq(json_array_size(json_object_get(s, "experience")), 2);
    cr_expect_str_eq(str_at(s, "experience", 0, "title"), "(주)카카오 백엔드 개발자");
    json_t *det = json_object_get(json_array_get(json_object_get(s, "experience"), 0), "details");
    cr_expect_eq(json_array_size(det), 2);
    cr_expect_str_eq(json_string_value(json_array_get(det, 0)), "결제 API 설계");
    cr_expect_str_eq(str_at(s, "experience", 1, "title"), "Naver Search Engineer");
    cr_expect(json_is_true(
        json_object_get(json_array_get(json_object_get(s, "experience"), 1), "current")));
    json_t *sk = json_object_get(s, "skills");
    cr_expect_eq(json_array_size(sk), 5, "skills: %s", json_dumps(sk, 0));
    cr_expect_str_eq(json_string_value(json_array_get(sk, 2)), "PostgreSQL");
    cr_expect_str_eq(str_at(s, "certificates", 0, "name"), "정보처리기사");
    cr_expect_str_eq(str_at(s, "certificates", 0, "date"), "2018-11");
    cr_expect_str_eq(str_at(s, "certificates", 1, "name"), "AWS SAA");
    cr_expect_str_eq(str_at(s, "awards", 0, "date"), "2017");
    cr_expect_str_eq(str_at(s, "projects", 0, "title"), "kocruit");
    /* lines before the first heading */
    json_t *other = json_object_get(s, "other");
    cr_expect_eq(json_array_size(json_object_get(json_array_get(other, 0), "lines")), 2);
    cr_expect_eq(kc_resume_sections_validate(s, NULL), 0);
    json_decref(s);
}

Test(parse, garbage_never_crashes)
{
    const char *inputs[] = {"",           "\n\n\n",     "\xff\xfe\xfd 경력\n\xc3",
                            "2019.03 ~",  "~ - – 현재", "Skills:",
                            "학력\n\n\n", "::::"};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        json_t *s = kc_resume_parse(inputs[i]);
        cr_assert_not_null(s);
        cr_expect_eq(kc_resume_sections_validate(s, NULL), 0, "input %zu", i);
        json_decref(s);
    }
}

Test(validate, rejects_bad_shapes_naming_the_path)
{
    struct kc_err err = {0};
    json_t *s = json_loads("{\"experience\":[{\"title\":\"x\",\"start\":\"2019-13\"}]}", 0, NULL);
    cr_expect_eq(kc_resume_sections_validate(s, &err), -1);
    cr_expect_str_eq(err.field, "sections.experience[0].start");
    json_decref(s);
    s = json_loads("{\"hobbies\":[]}", 0, NULL);
    cr_expect_eq(kc_resume_sections_validate(s, &err), -1);
    cr_expect_str_eq(err.field, "sections.hobbies");
    json_decref(s);
    s = json_loads("{\"skills\":[1]}", 0, NULL);
    cr_expect_eq(kc_resume_sections_validate(s, &err), -1);
    cr_expect_str_eq(err.field, "sections.skills[0]");
    json_decref(s);
    s = json_loads("{\"education\":[{\"title\":\"a\",\"start\":\"2020-01\",\"end\":\"2019-01\"}]}",
                   0, NULL);
    cr_expect_eq(kc_resume_sections_validate(s, &err), -1);
    cr_expect_str_eq(err.field, "sections.education[0].end");
    json_decref(s);
}

/* Deterministic garbage (xorshift) through every parser: no crash, no sanitizer report. */
Test(robustness, random_bytes_through_every_parser)
{
    unsigned long long x = 0x9E3779B97F4A7C15ull;
    static const char alphabet[] =
        "0123456789.-~/ 년월현재 Mar Present\n학력경력:()[]\xff\xc3\xe2\x80\x93";
    char buf[600];
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = 0, len = (size_t)(iter % 512);
        for (; n < len; n++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[n] = (iter & 1) ? (char)(x & 0xff) : alphabet[x % (sizeof alphabet - 1)];
        }
        buf[n] = '\0';
        json_t *s = kc_resume_parse(buf);
        cr_assert_not_null(s);
        json_decref(s);
        struct kc_date_range r;
        kc_resume_find_range(buf, strlen(buf), &r);
        size_t rest;
        kc_resume_heading(buf, strlen(buf) < 100 ? strlen(buf) : 100, &rest);
        char field[64];
        kc_json_bad_utf8_field(buf, n, field, sizeof field);
        kc_mime_sniff(buf, n);
        long t;
        kc_parse_time("t", buf, iter & 2, &t, NULL);
    }
}
