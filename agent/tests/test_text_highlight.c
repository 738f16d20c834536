/*
 * test_text_highlight.c — sentence tags with reasons: skill_fit, experience, value_fit, mismatch
 * (negated required skill, years short, required skill absent) and negative_tone, each pointing
 * at the resume text it quotes.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "corpus.h"
#include "text/highlight.h"

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

TestSuite(highlight, .init = setup, .fini = teardown);

static json_t *run(const char *resume_name, const char *job_name, const char *values, char **text)
{
    char f[128];
    snprintf(f, sizeof f, "%s.txt", resume_name);
    *text = corpus_read(f, NULL);
    snprintf(f, sizeof f, "%s.txt", job_name);
    char *job = corpus_read(f, NULL);
    json_t *req = json_pack("{s:{s:s}, s:{s:s}, s:s}", "job", "text", job, "resume", "text", *text,
                            "reference_date", "2024-06");
    if (values) json_object_set_new(req, "values", json_string(values));
    struct kc_err err = {0};
    json_t *out = kc_highlight_json(kit, req, &err);
    cr_assert_not_null(out, "%s", err.message);
    json_decref(req);
    free(job);
    return out;
}

/* Find the tag `name` on the sentence containing `needle`; check all spans quote the text. */
static const json_t *find_tag(const json_t *out, const char *text, const char *needle,
                              const char *name)
{
    size_t i, k, e;
    const json_t *s, *t, *ev;
    json_array_foreach(json_object_get(out, "sentences"), i, s)
    {
        size_t off = (size_t)json_integer_value(json_object_get(s, "offset"));
        size_t len = (size_t)json_integer_value(json_object_get(s, "length"));
        cr_assert_eq(memcmp(text + off, json_string_value(json_object_get(s, "text")), len), 0);
        json_array_foreach(json_object_get(s, "tags"), k, t)
        {
            json_array_foreach(json_object_get(t, "evidence"), e, ev)
            {
                size_t eo = (size_t)json_integer_value(json_object_get(ev, "offset"));
                size_t el = (size_t)json_integer_value(json_object_get(ev, "length"));
                cr_assert_eq(memcmp(text + eo, json_string_value(json_object_get(ev, "text")), el),
                             0);
                cr_assert(eo >= off && eo + el <= off + len, "evidence inside its sentence");
            }
        }
        if (!strstr(json_string_value(json_object_get(s, "text")), needle)) continue;
        json_array_foreach(json_object_get(s, "tags"), k, t)
        {
            if (strcmp(json_string_value(json_object_get(t, "tag")), name) == 0) return t;
        }
    }
    return NULL;
}

Test(highlight, junior_backend_tags)
{
    char *text;
    json_t *out = run("r02_ko_backend_junior", "job_backend_ko",
                      "우리는 고객 중심으로 생각하고, 빠르게 도전하며, 동료와 협업합니다.", &text);
    const json_t *t = find_tag(out, text, "Java와 Spring Boot로", "skill_fit");
    cr_assert_not_null(t);
    cr_assert(strstr(json_string_value(json_object_get(t, "reason_ko")), "Spring Boot"));
    t = find_tag(out, text, "쿠버네티스는 아직 경험이 없습니다", "mismatch");
    cr_assert_not_null(t);
    cr_assert(strstr(json_string_value(json_object_get(t, "reason_en")), "Kubernetes"));
    cr_assert_null(find_tag(out, text, "쿠버네티스는 아직", "skill_fit"));
    t = find_tag(out, text, "2022.12 ~ 현재", "experience");
    cr_assert_not_null(t);
    cr_assert(strstr(json_string_value(json_object_get(t, "reason_ko")), "19개월"));
    cr_assert_not_null(find_tag(out, text, "빠르게 배우고", "value_fit"));
    /* document level: total experience below 3 years */
    bool years = false;
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(out, "document"), i, d)
    {
        years |= strstr(json_string_value(json_object_get(d, "reason_en")),
                        "Total experience 1.6") != NULL;
    }
    cr_assert(years);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(out, "values"), "status")),
                     "ok");
    json_decref(out);
    free(text);
}

Test(highlight, negative_tone_and_years_claim)
{
    char *text;
    json_t *out = run("r12_ko_sales", "job_marketing_en", NULL, &text);
    const json_t *t = find_tag(out, text, "무능 탓에", "negative_tone");
    cr_assert_not_null(t);
    cr_assert(strstr(json_string_value(json_object_get(t, "reason_ko")), "'무능'"));
    cr_assert_eq(json_array_size(json_object_get(t, "evidence")), 2);
    t = find_tag(out, text, "7년 차", "experience");
    cr_assert_not_null(t);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(out, "values"), "status")),
                     "unavailable");
    /* required Google Ads / Google Analytics are absent from the sales resume */
    size_t i, n = 0;
    const json_t *d;
    json_array_foreach(json_object_get(out, "document"), i, d)
    {
        n += strstr(json_string_value(json_object_get(d, "reason_en")), "Required skill Google") !=
             NULL;
    }
    cr_assert_geq(n, 1);
    json_decref(out);
    free(text);
}

Test(highlight, years_claim_below_minimum)
{
    const char *resume = "데이터 분석 2년 차입니다.\n고객 데이터를 SQL로 분석했습니다.";
    json_t *req = json_pack("{s:{s:s}, s:{s:s}, s:s}", "job", "text",
                            "데이터 분석가 채용. 자격요건: SQL 필수, 경력 5년 이상", "resume",
                            "text", resume, "reference_date", "2024-06");
    struct kc_err err = {0};
    json_t *out = kc_highlight_json(kit, req, &err);
    cr_assert_not_null(out, "%s", err.message);
    const json_t *t = find_tag(out, resume, "2년 차", "mismatch");
    cr_assert_not_null(t);
    cr_assert(strstr(json_string_value(json_object_get(t, "reason_ko")), "5년 이상"));
    cr_assert_not_null(find_tag(out, resume, "SQL로 분석", "skill_fit"));
    json_decref(out);
    json_decref(req);
}
