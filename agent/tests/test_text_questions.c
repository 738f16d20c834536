/*
 * test_text_questions.c — interview questions: common, job-specific and personal kinds; a
 * personal question cites a sentence that exists in the resume at the given offset; language
 * follows the resume; no near-duplicates; template particles agree with the word before them.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "corpus.h"
#include "text/josa.h"
#include "text/qrender.h"
#include "text/questions.h"
#include "text/textkit.h"

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

TestSuite(questions, .init = setup, .fini = teardown);

static json_t *generate(const char *resume_name, const char *job_name, char **text)
{
    char f[128];
    snprintf(f, sizeof f, "%s.txt", resume_name);
    *text = corpus_read(f, NULL);
    snprintf(f, sizeof f, "%s.txt", job_name);
    char *job = corpus_read(f, NULL);
    json_t *req = json_pack("{s:{s:s}, s:{s:s}, s:s, s:s}", "job", "text", job, "resume", "text",
                            *text, "reference_date", "2024-06", "values",
                            "고객 중심, 도전, 협업을 중시합니다. We value collaboration.");
    struct kc_err err = {0};
    json_t *out = kc_questions_generate(kit, req, &err);
    cr_assert_not_null(out, "%s", err.message);
    json_decref(req);
    free(job);
    return out;
}

static void check(const json_t *out, const char *text, const char *lang)
{
    size_t counts[3] = {0}, i;
    const json_t *q;
    cr_assert_str_eq(json_string_value(json_object_get(out, "lang")), lang);
    json_array_foreach(json_object_get(out, "questions"), i, q)
    {
        const char *kind = json_string_value(json_object_get(q, "kind"));
        cr_assert_str_eq(json_string_value(json_object_get(q, "lang")), lang);
        cr_assert(json_string_length(json_object_get(q, "competency")) > 0);
        cr_assert_geq(json_array_size(json_object_get(q, "good_answer")), 2);
        const char *qt = json_string_value(json_object_get(q, "text"));
        cr_assert(!strchr(qt, '{'), "unrendered placeholder in %s", qt);
        if (strcmp(kind, "common") == 0) counts[0]++;
        if (strcmp(kind, "job") == 0) counts[1]++;
        if (strcmp(kind, "personal") != 0) continue;
        counts[2]++;
        const json_t *src = json_object_get(q, "source");
        size_t off = (size_t)json_integer_value(json_object_get(src, "offset"));
        size_t len = (size_t)json_integer_value(json_object_get(src, "length"));
        const char *quote = json_string_value(json_object_get(src, "text"));
        cr_assert_gt(len, 0);
        cr_assert_leq(off + len, strlen(text));
        cr_assert_eq(memcmp(text + off, quote, len), 0, "personal question cites a real sentence");
    }
    cr_assert_eq(counts[0], KC_Q_COMMON);
    cr_assert_eq(counts[1], KC_Q_JOB);
    cr_assert_geq(counts[2], 2);
}

Test(questions, korean_backend_junior)
{
    char *text;
    json_t *out = generate("r02_ko_backend_junior", "job_backend_ko", &text);
    check(out, text, "ko");
    size_t i;
    const json_t *q;
    bool negation = false, years = false;
    json_array_foreach(json_object_get(out, "questions"), i, q)
    {
        const char *id = json_string_value(json_object_get(q, "id"));
        if (strcmp(id, "p-negation") == 0) {
            negation = true;
            cr_assert(strstr(json_string_value(json_object_get(q, "text")), "Kubernetes를"));
        }
        if (strcmp(id, "p-years-short") == 0) {
            years = true;
            cr_assert(strstr(json_string_value(json_object_get(q, "text")), "약 1.6년"));
        }
    }
    cr_assert(negation && years);
    json_decref(out);
    free(text);
}

Test(questions, english_data_scientist)
{
    char *text;
    json_t *out = generate("r04_en_datasci", "job_data_en", &text);
    check(out, text, "en");
    /* job questions come from the data/ML part of the bank */
    size_t i;
    const json_t *q;
    json_array_foreach(json_object_get(out, "questions"), i, q)
    {
        const char *id = json_string_value(json_object_get(q, "id"));
        if (strcmp(json_string_value(json_object_get(q, "kind")), "job") == 0)
            cr_assert(strncmp(id, "j-da-", 5) == 0 || strncmp(id, "j-ml-", 5) == 0 ||
                          strncmp(id, "t-", 2) == 0,
                      "%s", id);
    }
    json_decref(out);
    free(text);
}

Test(questions, no_near_duplicates)
{
    char *text;
    json_t *out = generate("r01_ko_backend_senior", "job_backend_ko", &text);
    const json_t *qs = json_object_get(out, "questions");
    for (size_t a = 0; a < json_array_size(qs); a++)
        for (size_t b = a + 1; b < json_array_size(qs); b++)
            cr_assert_str_neq(json_string_value(json_object_get(json_array_get(qs, a), "text")),
                              json_string_value(json_object_get(json_array_get(qs, b), "text")));
    json_decref(out);
    free(text);
    /* the list rejects a near-duplicate */
    struct kc_qlist l = {0};
    json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:[s]}", "id", "x", "kind", "common",
                             "competency", "c", "ko",
                             "팀으로 일하며 가장 성공적이었던 협업 경험을 말씀해 주세요.", "en",
                             "e", "points_ko", "p", "points_en", "p");
    json_t *item2 = json_deep_copy(item);
    json_object_set_new(item2, "ko",
                        json_string("팀으로 일하며 가장 성공적이었던 협업 경험을 말해 주세요."));
    struct kc_qvars v = {0};
    cr_assert_eq(kc_qlist_add(&l, item, NULL, "ko", &v, NULL, NULL), 1);
    cr_assert_eq(kc_qlist_add(&l, item2, NULL, "ko", &v, NULL, NULL), 0);
    cr_assert_eq(l.rejected_duplicates, 1);
    kc_qlist_free(&l);
    json_decref(item);
    json_decref(item2);
}

Test(questions, particles_and_rendering)
{
    const struct {
        const char *word, *pair, *want;
    } cases[] = {{"Java", "을/를", "를"},   {"Python", "을/를", "을"},   {"SQL", "으로/로", "로"},
                 {"Kotlin", "은/는", "은"}, {"파이썬", "이/가", "이"},   {"자바", "이/가", "가"},
                 {"서울", "으로/로", "로"}, {"부산", "으로/로", "으로"}, {"'협업'", "와/과", "과"},
                 {"'도전'", "와/과", "과"}, {"'성장'", "와/과", "과"},   {"'속도'", "와/과", "와"},
                 {"3", "을/를", "을"},      {"2", "을/를", "를"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        cr_expect_str_eq(kc_josa_pick(cases[i].word, strlen(cases[i].word), cases[i].pair),
                         cases[i].want, "%s %s", cases[i].word, cases[i].pair);
    struct kc_qvars v = {.skill = "Kubernetes"};
    char *r = kc_q_render("{skill}{을/를} 써 보셨나요? {skill}{은/는} 어떤가요?", &v);
    cr_assert_str_eq(r, "Kubernetes를 써 보셨나요? Kubernetes는 어떤가요?");
    free(r);
    cr_assert_null(kc_q_render("{quote}라고 쓰셨습니다", &v)); /* missing value: not rendered */
}
