/*
 * test_text_dates.c — date and range parsing in Korean and English formats, "present" as the
 * reference month, rejection of impossible ranges, and interval merging.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "text/dates.h"
#include "text/norm.h"

static const struct kc_ym REF = {2024, 5};

static struct kc_date_ranges find(const char *text)
{
    char *n = kc_norm_dup(text, strlen(text));
    struct kc_date_ranges r = {0};
    cr_assert_eq(kc_date_find_ranges(n, strlen(n), REF, &r, NULL), 0);
    free(n);
    return r;
}

static void expect_range(const struct kc_date_range *r, int y0, int m0, int y1, int m1)
{
    cr_expect_eq(r->start.year, y0);
    cr_expect_eq(r->start.month, m0);
    cr_expect_eq(r->end.year, y1);
    cr_expect_eq(r->end.month, m1);
}

Test(dates, formats)
{
    struct kc_date_ranges r =
        find("A사 2019.03 – 2022.08 백엔드\n"
             "B사 2019-03~현재\n"
             "Acme, Mar 2019 - Present\n"
             "C사 2019년 3월 ~ 2021년 2월\n"
             "D사 2015년 3월부터 2016년 2월까지\n"
             "E 03/2012 to 11/2013, F 2010 - 2011, G 2008. 03. ~ 2009. 02.\n");
    cr_assert_eq(r.n, 8, "got %zu", r.n);
    expect_range(&r.v[0], 2019, 3, 2022, 8);
    expect_range(&r.v[1], 2019, 3, 2024, 5);
    cr_expect(r.v[1].end_present);
    expect_range(&r.v[2], 2019, 3, 2024, 5);
    expect_range(&r.v[3], 2019, 3, 2021, 2);
    expect_range(&r.v[4], 2015, 3, 2016, 2);
    expect_range(&r.v[5], 2012, 3, 2013, 11);
    expect_range(&r.v[6], 2010, 1, 2011, 12);
    expect_range(&r.v[7], 2008, 3, 2009, 2);
    for (size_t i = 0; i < r.n; i++) cr_expect(!r.v[i].rejected, "range %zu", i);
    kc_date_ranges_free(&r);
}

Test(dates, not_dates_and_bad_ranges)
{
    struct kc_date_ranges r =
        find("연락처 010-1234-5678, 매출 2019 증가, 3.5/4.5 학점, 2022.13 - 2023.01\n"
             "2023.05 - 2021.01 오류, 2025.01 - 2026.01 예정, 2023.01 - 2030.12");
    cr_assert_eq(r.n, 3, "got %zu", r.n);
    cr_expect(r.v[0].rejected); /* start after end */
    cr_expect(r.v[1].rejected); /* starts after the reference month */
    cr_expect(!r.v[2].rejected);
    cr_expect(r.v[2].clamped);
    expect_range(&r.v[2], 2023, 1, 2024, 5);
    kc_date_ranges_free(&r);
}

Test(dates, merge_overlaps_and_touching)
{
    struct kc_date_range in[] = {{.start = {2019, 3}, .end = {2020, 2}},
                                 {.start = {2020, 3}, .end = {2021, 2}},
                                 {.start = {2020, 6}, .end = {2020, 12}},
                                 {.start = {2022, 1}, .end = {2022, 6}},
                                 {.start = {2018, 1}, .end = {2017, 1}, .rejected = true}};
    struct kc_date_range out[5];
    int months = 0;
    size_t n = kc_date_merge(in, 5, out, &months);
    cr_assert_eq(n, 2);
    expect_range(&out[0], 2019, 3, 2021, 2);
    expect_range(&out[1], 2022, 1, 2022, 6);
    cr_assert_eq(months, 24 + 6);
}

Test(dates, single_dates_and_reference)
{
    struct kc_ym d;
    bool present = false;
    struct kc_err err = {0};
    cr_assert_eq(kc_date_parse("2019-03", 7, REF, &d, &present, "start", &err), 0);
    cr_assert_eq(d.year, 2019);
    cr_assert_eq(d.month, 3);
    cr_assert_eq(kc_date_parse("현재", strlen("현재"), REF, &d, &present, "end", &err), 0);
    cr_assert(present);
    cr_assert_eq(d.year, 2024);
    cr_assert_eq(kc_date_parse("march 2020", 10, REF, &d, NULL, "start", &err), 0);
    cr_assert_eq(d.month, 3);
    cr_assert_eq(kc_date_parse("soon", 4, REF, &d, NULL, "experience[0].end", &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_str_eq(err.field, "experience[0].end");
    cr_assert_eq(kc_date_parse_ref("2024-05-17", &d, "reference_date", &err), 0);
    cr_assert_eq(d.month, 5);
    cr_assert_eq(kc_date_parse_ref("2024/05", &d, "reference_date", &err), -1);
    cr_assert_str_eq(err.field, "reference_date");
}
