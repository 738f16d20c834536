/*
 * test_text_screen.c — screening over the bilingual corpus (agent/tests/corpus): for each of the
 * four job posts the fitting resumes rank above the unfitting ones, evidence offsets point at the
 * quoted resume text, years of experience come from merged resume dates, negated skills do not
 * count, and criteria suggested from a job post are sensible.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "corpus.h"
#include "text/lexicon.h"
#include "text/norm.h"
#include "text/screen.h"

static struct kc_textkit *kit;
static const struct kc_ym REF = {2024, 6};

static const char *const RESUMES[] = {"r01_ko_backend_senior", "r01_ko_backend_copied",
                                      "r02_ko_backend_junior", "r03_en_backend",
                                      "r04_en_datasci",        "r05_ko_data_analyst",
                                      "r06_en_accountant",     "r07_ko_designer",
                                      "r08_en_designer",       "r09_ko_frontend",
                                      "r10_en_marketer",       "r11_ko_marketer",
                                      "r12_ko_sales",          "r13_ko_hr",
                                      "r14_en_backend_node"};
#define N_RESUMES (sizeof RESUMES / sizeof *RESUMES)

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

TestSuite(screen, .init = setup, .fini = teardown);

static json_t *job_json(const char *name)
{
    char file[128];
    snprintf(file, sizeof file, "%s.criteria.json", name);
    char *crit = corpus_read(file, NULL);
    json_t *job = json_loads(crit, 0, NULL);
    cr_assert_not_null(job, "%s", file);
    free(crit);
    snprintf(file, sizeof file, "%s.txt", name);
    char *text = corpus_read(file, NULL);
    json_object_set_new(job, "text", json_string(text));
    free(text);
    return job;
}

static struct kc_jobspec *compile(const char *name)
{
    struct kc_err err = {0};
    json_t *j = job_json(name);
    struct kc_jobspec *job = kc_jobspec_compile(kit, j, "job", &err);
    cr_assert_not_null(job, "%s", err.message);
    json_decref(j);
    return job;
}

/* Check that every offset in the result quotes the resume exactly. */
static void check_offsets(const char *text, size_t len, const json_t *out)
{
    size_t i, k;
    const json_t *c, *e;
    json_array_foreach(json_object_get(out, "criteria"), i, c)
    {
        json_array_foreach(json_object_get(c, "evidence"), k, e)
        {
            size_t off = (size_t)json_integer_value(json_object_get(e, "offset"));
            size_t n = (size_t)json_integer_value(json_object_get(e, "length"));
            const char *quote = json_string_value(json_object_get(e, "text"));
            cr_assert_leq(off + n, len);
            cr_assert_eq(strlen(quote), n);
            cr_assert_eq(memcmp(text + off, quote, n), 0, "evidence \"%s\"", quote);
        }
        json_array_foreach(json_object_get(c, "matched_skills"), k, e)
        {
            size_t off = (size_t)json_integer_value(json_object_get(e, "offset"));
            size_t n = (size_t)json_integer_value(json_object_get(e, "length"));
            const char *surface = json_string_value(json_object_get(e, "surface"));
            cr_assert_eq(memcmp(text + off, surface, n), 0);
            /* the quoted surface really is a surface of the canonical skill */
            char *norm = kc_norm_dup(surface, strlen(surface));
            int entry = kc_lex_lookup(kit->skills, norm, strlen(norm));
            free(norm);
            cr_assert_geq(entry, 0, "surface %s", surface);
            cr_assert_str_eq(kc_lex_entry_at(kit->skills, (size_t)entry)->canonical,
                             json_string_value(json_object_get(e, "canonical")));
        }
    }
}

static double screen_one(const struct kc_jobspec *job, const char *resume, json_t **keep)
{
    char file[128];
    size_t len;
    snprintf(file, sizeof file, "%s.txt", resume);
    char *text = corpus_read(file, &len);
    struct kc_err err = {0};
    json_t *out = kc_screen_text(kit, job, text, len, NULL, REF, &err);
    cr_assert_not_null(out, "%s: %s", resume, err.message);
    check_offsets(text, len, out);
    double total = json_real_value(json_object_get(out, "total"));
    cr_assert(total >= 0 && total <= 100);
    if (keep)
        *keep = out;
    else
        json_decref(out);
    free(text);
    return total;
}

static bool in(const char *name, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(*set, name) == 0) return true;
    return false;
}

/* Every fitting resume scores above every unfitting one and is suggested "pass". */
static void ranks(const char *jobname, const char *const *fit, const char *const *middle)
{
    struct kc_jobspec *job = compile(jobname);
    double min_fit = 101, max_unfit = -1;
    for (size_t i = 0; i < N_RESUMES; i++) {
        json_t *out;
        double t = screen_one(job, RESUMES[i], &out);
        if (in(RESUMES[i], fit)) {
            min_fit = fmin(min_fit, t);
            cr_expect_str_eq(json_string_value(json_object_get(out, "suggestion")), "pass",
                             "%s on %s", RESUMES[i], jobname);
        } else if (!in(RESUMES[i], middle)) {
            max_unfit = fmax(max_unfit, t);
            cr_expect_str_eq(json_string_value(json_object_get(out, "suggestion")), "fail",
                             "%s on %s", RESUMES[i], jobname);
        }
        json_decref(out);
    }
    cr_assert_gt(min_fit, max_unfit + 20, "%s: fit %.1f vs unfit %.1f", jobname, min_fit,
                 max_unfit);
    kc_jobspec_free(job);
}

Test(screen, backend_ko_ranks_fitting_first)
{
    const char *fit[] = {"r01_ko_backend_senior", "r01_ko_backend_copied", "r03_en_backend", NULL};
    const char *middle[] = {"r02_ko_backend_junior", NULL};
    ranks("job_backend_ko", fit, middle);
    struct kc_jobspec *job = compile("job_backend_ko");
    double junior = screen_one(job, "r02_ko_backend_junior", NULL);
    double senior = screen_one(job, "r01_ko_backend_senior", NULL);
    double node = screen_one(job, "r14_en_backend_node", NULL);
    cr_assert_gt(senior, junior);
    cr_assert_gt(junior, node);
    kc_jobspec_free(job);
}

Test(screen, data_en_ranks_fitting_first)
{
    const char *fit[] = {"r04_en_datasci", NULL};
    const char *middle[] = {"r05_ko_data_analyst", NULL};
    ranks("job_data_en", fit, middle);
}

Test(screen, design_ko_ranks_fitting_first)
{
    const char *fit[] = {"r07_ko_designer", "r08_en_designer", NULL};
    const char *middle[] = {NULL};
    ranks("job_design_ko", fit, middle);
}

Test(screen, marketing_en_ranks_fitting_first)
{
    const char *fit[] = {"r10_en_marketer", "r11_ko_marketer", NULL};
    const char *middle[] = {NULL};
    ranks("job_marketing_en", fit, middle);
}

static const json_t *criterion(const json_t *out, size_t i)
{
    return json_array_get(json_object_get(out, "criteria"), i);
}

static const json_t *keyword(const json_t *crit, const char *name)
{
    size_t i;
    const json_t *k;
    json_array_foreach(json_object_get(crit, "keywords"), i, k)
    {
        if (strcmp(json_string_value(json_object_get(k, "keyword")), name) == 0) return k;
    }
    cr_assert_fail("keyword %s not in result", name);
    return NULL;
}

Test(screen, years_synonyms_and_negation)
{
    struct kc_jobspec *job = compile("job_backend_ko");
    json_t *senior, *junior;
    screen_one(job, "r01_ko_backend_senior", &senior);
    screen_one(job, "r02_ko_backend_junior", &junior);
    /* 2018.01~2020.02 and 2020.03~현재(2024-06) touch: 78 months; education excluded */
    const json_t *exp = json_object_get(senior, "experience");
    cr_assert_eq(json_integer_value(json_object_get(exp, "months")), 78);
    cr_assert_eq(json_array_size(json_object_get(exp, "merged")), 1);
    cr_assert_eq(json_array_size(json_object_get(exp, "excluded")), 1);
    /* junior: 2022.12~현재 = 19 months; university and military service excluded */
    exp = json_object_get(junior, "experience");
    cr_assert_eq(json_integer_value(json_object_get(exp, "months")), 19);
    cr_assert_eq(json_array_size(json_object_get(exp, "excluded")), 2);
    /* "쿠버네티스" satisfies "Kubernetes" for the senior … */
    const json_t *k8s = keyword(criterion(senior, 1), "Kubernetes");
    cr_assert(json_is_true(json_object_get(k8s, "found")));
    cr_assert_str_eq(json_string_value(json_object_get(k8s, "surface")), "쿠버네티스");
    /* … but "쿠버네티스는 아직 경험이 없습니다" does not count for the junior */
    cr_assert(json_is_false(json_object_get(keyword(criterion(junior, 1), "Kubernetes"), "found")));
    /* years criterion: 1.6 of 3 years */
    const json_t *years = json_object_get(criterion(junior, 3), "years");
    cr_assert_float_eq(json_real_value(json_object_get(years, "value")), 1.6, 1e-9);
    const char *reason = json_string_value(json_object_get(criterion(junior, 3), "reason_ko"));
    cr_assert(strstr(reason, "경력 1.6년 / 요구 3년"), "%s", reason);
    json_decref(senior);
    json_decref(junior);
    kc_jobspec_free(job);
}

Test(screen, required_missing_holds_and_sections_count)
{
    struct kc_jobspec *job = compile("job_data_en");
    size_t len;
    char *text = corpus_read("r05_ko_data_analyst.txt", &len);
    struct kc_err err = {0};
    json_t *sections = json_pack("{s:[{s:s, s:s}], s:[s]}", "experience", "start", "2015-01", "end",
                                 "present", "skills", "BigQuery");
    json_t *out = kc_screen_text(kit, job, text, len, sections, REF, &err);
    cr_assert_not_null(out, "%s", err.message);
    const json_t *exp = json_object_get(out, "experience");
    cr_assert_str_eq(json_string_value(json_object_get(exp, "source")), "sections");
    cr_assert_eq(json_integer_value(json_object_get(exp, "months")), 114);
    const json_t *bq = keyword(criterion(out, 1), "BigQuery");
    cr_assert_str_eq(json_string_value(json_object_get(bq, "source")), "sections.skills");
    json_decref(out);
    json_decref(sections);
    free(text);
    kc_jobspec_free(job);

    /* a resume without the required "Google Ads" is at most "hold" even with a high total */
    json_t *j = json_pack("{s:[{s:s, s:f, s:[s, s], s:[s]}], s:f}", "criteria", "name", "ads",
                          "weight", 1.0, "keywords", "SEO", "content marketing", "required",
                          "Google Ads", "threshold", 30.0);
    job = kc_jobspec_compile(kit, j, "job", &err);
    cr_assert_not_null(job, "%s", err.message);
    const char *resume =
        "SEO와 콘텐츠 마케팅을 4년간 담당했습니다.\nSEO 개선으로 유입을 2배 늘렸습니다.\n"
        "콘텐츠 마케팅 캠페인을 운영했습니다.";
    out = kc_screen_text(kit, job, resume, strlen(resume), NULL, REF, &err);
    cr_assert_not_null(out, "%s", err.message);
    cr_assert_gt(json_real_value(json_object_get(out, "total")), 30.0);
    cr_assert_str_eq(json_string_value(json_object_get(out, "suggestion")), "hold");
    cr_assert(json_is_true(json_object_get(out, "required_missing")));
    json_decref(out);
    json_decref(j);
    kc_jobspec_free(job);
}

Test(screen, suggest_criteria_from_job_text)
{
    size_t len;
    char *text = corpus_read("job_backend_ko.txt", &len);
    struct kc_err err = {0};
    json_t *out = kc_criteria_suggest(kit, text, len, &err);
    cr_assert_not_null(out, "%s", err.message);
    cr_assert_str_eq(json_string_value(json_object_get(out, "lang")), "ko");
    cr_assert_float_eq(json_real_value(json_object_get(out, "min_years")), 3.0, 1e-9);
    double sum = 0;
    bool backend = false, java_required = false, years = false;
    size_t i, k;
    const json_t *c, *r;
    json_array_foreach(json_object_get(out, "criteria"), i, c)
    {
        sum += json_real_value(json_object_get(c, "weight"));
        const char *group = json_string_value(json_object_get(c, "group"));
        if (strcmp(group, "backend") == 0) backend = true;
        if (strcmp(group, "experience") == 0) years = true;
        json_array_foreach(json_object_get(c, "required"), k, r)
        {
            if (strcmp(json_string_value(r), "Java") == 0) java_required = true;
        }
    }
    cr_assert(backend && java_required && years);
    cr_assert_float_eq(sum, 1.0, 0.01);
    /* the suggested criteria compile and screen the senior above the designer */
    json_t *job_obj = json_pack("{s:O}", "criteria", json_object_get(out, "criteria"));
    struct kc_jobspec *job = kc_jobspec_compile(kit, job_obj, "job", &err);
    cr_assert_not_null(job, "%s", err.message);
    cr_assert_gt(screen_one(job, "r01_ko_backend_senior", NULL),
                 screen_one(job, "r07_ko_designer", NULL) + 30);
    kc_jobspec_free(job);
    json_decref(job_obj);
    json_decref(out);
    free(text);
    cr_assert_float_eq(
        kc_criteria_min_years("3+ years of experience", strlen("3+ years of experience")), 3.0,
        1e-9);
    cr_assert_float_eq(
        kc_criteria_min_years("at least 5 years in sales", strlen("at least 5 years in sales")),
        5.0, 1e-9);
    cr_assert_float_eq(
        kc_criteria_min_years("2019년 입사, 매출 3.5배", strlen("2019년 입사, 매출 3.5배")), 0.0,
        1e-9);
}

/* Decompose every Hangul syllable of s into conjoining jamo (NFD, as macOS/PDF text comes). */
static char *to_nfd(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1), *o = out;
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)s + i;
        if ((u[0] & 0xF0) == 0xE0 && i + 2 < n) {
            uint32_t c = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
            if (c >= 0xAC00 && c <= 0xD7A3) {
                uint32_t sidx = c - 0xAC00,
                         jamo[3] = {0x1100 + sidx / 588, 0x1161 + (sidx % 588) / 28,
                                    0x11A7 + sidx % 28};
                for (int k = 0; k < 3; k++) {
                    if (k == 2 && jamo[2] == 0x11A7) break;
                    *o++ = (char)(0xE0 | (jamo[k] >> 12));
                    *o++ = (char)(0x80 | ((jamo[k] >> 6) & 0x3F));
                    *o++ = (char)(0x80 | (jamo[k] & 0x3F));
                }
                i += 3;
                continue;
            }
        }
        *o++ = s[i++];
    }
    *o = '\0';
    return out;
}

Test(screen, nfd_resume_scores_like_nfc_and_quotes_the_nfd_text)
{
    struct kc_jobspec *job = compile("job_backend_ko");
    size_t len;
    char *nfc = corpus_read("r01_ko_backend_senior.txt", &len);
    char *nfd = to_nfd(nfc);
    cr_assert_gt(strlen(nfd), len);
    struct kc_err err = {0};
    json_t *a = kc_screen_text(kit, job, nfc, len, NULL, REF, &err);
    json_t *b = kc_screen_text(kit, job, nfd, strlen(nfd), NULL, REF, &err);
    cr_assert_not_null(b, "%s", err.message);
    cr_assert_float_eq(json_real_value(json_object_get(a, "total")),
                       json_real_value(json_object_get(b, "total")), 1e-9);
    check_offsets(nfd, strlen(nfd), b); /* offsets index the caller's (NFD) bytes */
    const json_t *k8s = keyword(criterion(b, 1), "Kubernetes");
    char *surface_nfd = to_nfd("쿠버네티스");
    cr_assert_str_eq(json_string_value(json_object_get(k8s, "surface")), surface_nfd);
    free(surface_nfd);
    json_decref(a);
    json_decref(b);
    free(nfd);
    free(nfc);
    kc_jobspec_free(job);
}
