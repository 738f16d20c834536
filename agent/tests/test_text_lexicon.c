/*
 * test_text_lexicon.c — the shipped data files load; lexicon synonyms map Korean and English
 * surfaces to one canonical skill; longest-first matching and boundary rules; loader errors.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "text/lexicon.h"
#include "text/norm.h"
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

TestSuite(lexicon, .init = setup, .fini = teardown);

/* Canonical names of all matches in text, joined by ',' */
static void canon(const char *text, char *out, size_t cap)
{
    char *n = kc_norm_dup(text, strlen(text));
    struct kc_lex_matches m = {0};
    cr_assert_eq(kc_lex_find(kit->skills, n, strlen(n), &m, NULL), 0);
    out[0] = '\0';
    for (size_t i = 0; i < m.n; i++) {
        if (i) strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, kc_lex_entry_at(kit->skills, m.v[i].entry)->canonical, cap - strlen(out) - 1);
    }
    kc_lex_matches_free(&m);
    free(n);
}

Test(lexicon, shipped_size_and_groups)
{
    cr_assert_geq(kc_lex_size(kit->skills), 250);
    const char *groups[] = {"backend",   "frontend", "data",    "ml", "design", "product",
                            "marketing", "sales",    "finance", "hr", "soft"};
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
        cr_assert_geq(kc_lex_group_find(kit->skills, groups[i]), 0, "%s", groups[i]);
    cr_assert_geq(json_array_size(json_object_get(kit->questions, "questions")), 60);
}

Test(lexicon, synonyms_map_to_one_canonical)
{
    char out[512];
    const char *pairs[][2] = {{"자바", "Java"},
                              {"쿠버네티스", "Kubernetes"},
                              {"K8s", "Kubernetes"},
                              {"리더십", "Leadership"},
                              {"파이썬", "Python"},
                              {"머신러닝", "Machine learning"},
                              {"Machine Learning", "Machine learning"},
                              {"ＰＹＴＨＯＮ", "Python"},
                              {"스프링 부트", "Spring Boot"},
                              {"협업", "Collaboration"}};
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        canon(pairs[i][0], out, sizeof out);
        cr_expect_str_eq(out, pairs[i][1], "%s", pairs[i][0]);
    }
}

Test(lexicon, longest_first_and_boundaries)
{
    char out[512];
    canon("자바스크립트와 자바를 쓰고 Java를 배웠다", out, sizeof out);
    cr_assert_str_eq(out, "JavaScript,Java,Java");
    canon("javascript developer, not java-only; javadoc", out, sizeof out);
    cr_assert_str_eq(out, "JavaScript,Java");
    canon("Spring Boot 기반 REST API와 React Native 앱", out, sizeof out);
    cr_assert_str_eq(out, "Spring Boot,REST API,React Native");
    canon("딥러닝머신러닝 연구", out, sizeof out); /* 3+ syllables may start inside a word */
    cr_assert_str_eq(out, "Deep learning,Machine learning");
    canon("C++와 C#, 그리고 Node.js", out, sizeof out);
    cr_assert_str_eq(out, "C++,C#,Node.js");
    canon("machine\nlearning", out, sizeof out); /* across a line break */
    cr_assert_str_eq(out, "Machine learning");
}

Test(lexicon, loader_rejects_bad_files)
{
    struct kc_err err = {0};
    const char dup[] = "@group\tg\tㄱ\tG\nA\tg\tfoo|bar\nB\tg\tBAR\n";
    cr_assert_null(kc_lex_parse(dup, strlen(dup), "t.tsv", &err));
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert(strstr(err.message, "line 3") && strstr(err.message, "\"A\""), "%s", err.message);
    const char nogroup[] = "A\tmissing\tfoo\n";
    cr_assert_null(kc_lex_parse(nogroup, strlen(nogroup), "t.tsv", &err));
    cr_assert(strstr(err.message, "undeclared group"), "%s", err.message);
    const char bad_utf8[] = "@group\tg\t\xff\tG\n";
    cr_assert_null(kc_lex_parse(bad_utf8, strlen(bad_utf8), "t.tsv", &err));
    cr_assert_null(kc_lex_load("/nonexistent/lexicon.tsv", &err));
    cr_assert_eq(err.code, KC_E_IO);
    cr_assert_null(kc_textkit_load("/nonexistent", &err));
}
