/*
 * test_text_foundations.c — UTF-8 validation, normalisation (NFC, case, width, white space),
 * tokenizer and josa stripping, character n-grams, sentence splitting and BM25 ordering.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "text/bm25.h"
#include "text/norm.h"
#include "text/sentence.h"
#include "text/token.h"
#include "text/utf8.h"

Test(utf8, rejects_invalid_with_position)
{
    struct kc_err err = {0};
    size_t pos = 0;
    const char ok[] = "경력 3년 Java";
    cr_assert_eq(kc_utf8_validate(ok, strlen(ok), &pos, "resume.text", &err), 0);
    const char bad[] = "abc\xC3\x28xyz"; /* 0xC3 needs a continuation byte */
    cr_assert_eq(kc_utf8_validate(bad, strlen(bad), &pos, "resume.text", &err), -1);
    cr_assert_eq(pos, 3);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_str_eq(err.field, "resume.text");
    cr_assert(strstr(err.message, "byte 3") != NULL, "%s", err.message);
    const char overlong[] = "ab\xC0\xAF";
    cr_assert_eq(kc_utf8_validate(overlong, 4, &pos, NULL, NULL), -1);
    cr_assert_eq(pos, 2);
    const char surrogate[] = "\xED\xA0\x80";
    cr_assert_eq(kc_utf8_validate(surrogate, 3, &pos, NULL, NULL), -1);
    const char truncated[] = "가\xEA\xB0";
    cr_assert_eq(kc_utf8_validate(truncated, 5, &pos, NULL, NULL), -1);
    cr_assert_eq(pos, 3);
    const char nul[] = {'a', 0, 'b'};
    cr_assert_eq(kc_utf8_validate(nul, 3, &pos, NULL, NULL), -1);
    cr_assert_eq(pos, 1);
}

Test(norm, composes_conjoining_jamo)
{
    /* "한국어" in NFD: ᄒ ᅡ ᆫ ᄀ ᅮ ᆨ ᄋ ᅥ */
    const char nfd[] = "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8"
                       "\xE1\x84\x8B\xE1\x85\xA5";
    struct kc_norm n;
    cr_assert_eq(kc_norm_text(nfd, strlen(nfd), &n, NULL), 0);
    cr_assert_str_eq(n.text, "한국어");
    cr_assert_eq(n.map[0], 0);
    cr_assert_eq(n.map[3], 9); /* 국 starts at the 4th jamo */
    cr_assert_eq(n.map[n.len], strlen(nfd));
    kc_norm_free(&n);
    /* precomposed LV + conjoining T: 가 + ᆨ = 각 */
    char *s = kc_norm_dup("\xEA\xB0\x80\xE1\x86\xA8", 6);
    cr_assert_str_eq(s, "각");
    free(s);
}

Test(norm, case_width_space_and_map)
{
    const char src[] = "  ＪＡＶＡ\t\t와  Kubernetes\r\n\n  ÉCOLE\xE2\x80\x8B–Ünïcode  ";
    struct kc_norm n;
    cr_assert_eq(kc_norm_text(src, strlen(src), &n, NULL), 0);
    cr_assert_str_eq(n.text, "java 와 kubernetes\nécole-ünïcode");
    /* "kubernetes" maps back to the source "Kubernetes" */
    const char *k = strstr(n.text, "kubernetes");
    size_t a = (size_t)(k - n.text), b = a + strlen("kubernetes");
    cr_assert_eq(n.map[b] - n.map[a], strlen("Kubernetes"));
    cr_assert_eq(memcmp(src + n.map[a], "Kubernetes", 10), 0);
    kc_norm_free(&n);
    cr_assert_eq(kc_norm_fold_cp(0x100), 0x101);
    cr_assert_eq(kc_norm_fold_cp(0x416), 0x436);
}

static char *stem(const char *text, const struct kc_token *t)
{
    return strndup(text + t->off, t->len);
}

Test(token, strips_josa_where_safe)
{
    const char *text = "프로젝트에서 데이터를 파이썬으로 분석했고 결과를 평가 회의에서 공유했다 "
                       "java를 사용했고 3년간 전문가가 되었다";
    struct kc_tokens toks = {0};
    cr_assert_eq(kc_tok_words(text, strlen(text), &toks, NULL), 0);
    const char *want[] = {"프로젝트", "데이터", "파이썬",   "분석했고", "결과", "평가",   "회의",
                          "공유했다", "java",   "사용했고", "3",        "년간", "전문가", "되었다"};
    cr_assert_eq(toks.n, sizeof want / sizeof *want, "got %zu tokens", toks.n);
    for (size_t i = 0; i < toks.n; i++) {
        char *s = stem(text, &toks.v[i]);
        cr_expect_str_eq(s, want[i], "token %zu", i);
        free(s);
    }
    kc_tokens_free(&toks);
    cr_assert_eq(kc_tok_strip_josa("성과를", strlen("성과를")), strlen("성과"));
    cr_assert_eq(kc_tok_strip_josa("가", 3), 3); /* one syllable never stripped */
    cr_assert_eq(kc_tok_strip_josa("회사에서", strlen("회사에서")), strlen("회사"));
}

Test(token, keeps_tech_joiners)
{
    const char *text = "c++, c#, node.js and asp.net 3.5 (front-end).";
    struct kc_tokens toks = {0};
    cr_assert_eq(kc_tok_words(text, strlen(text), &toks, NULL), 0);
    const char *want[] = {"c++", "c#", "node.js", "and", "asp.net", "3.5", "front", "end"};
    cr_assert_eq(toks.n, 8);
    for (size_t i = 0; i < toks.n; i++) {
        char *s = stem(text, &toks.v[i]);
        cr_expect_str_eq(s, want[i]);
        free(s);
    }
    kc_tokens_free(&toks);
}

struct ngram_rec {
    size_t n;
    char grams[16][16];
};

static void on_ngram(void *ud, uint64_t h, uint32_t off, uint32_t len)
{
    (void)h;
    struct ngram_rec *r = ud;
    if (r->n < 16) memcpy(r->grams[r->n], "", 1);
    if (r->n < 16 && len < 16) {
        extern const char *ngram_src;
        memcpy(r->grams[r->n], ngram_src + off, len);
        r->grams[r->n][len] = '\0';
    }
    r->n++;
}
const char *ngram_src;

Test(token, char_ngrams_over_hangul)
{
    ngram_src = "데이터 분석";
    struct ngram_rec r = {0};
    size_t n = kc_tok_char_ngrams(ngram_src, strlen(ngram_src), 2, on_ngram, &r);
    cr_assert_eq(n, 5); /* 데이 이터 "터 " " 분" 분석 */
    cr_assert_str_eq(r.grams[0], "데이");
    cr_assert_str_eq(r.grams[4], "분석");
    r.n = 0;
    cr_assert_eq(kc_tok_char_ngrams(ngram_src, strlen(ngram_src), 3, on_ngram, &r), 4);
    cr_assert_str_eq(r.grams[0], "데이터");
}

static void split(const char *src, struct kc_norm *n, struct kc_sentences *s)
{
    cr_assert_eq(kc_norm_text(src, strlen(src), n, NULL), 0);
    memset(s, 0, sizeof *s);
    cr_assert_eq(kc_sent_split(n, src, strlen(src), s, NULL), 0);
}

static void expect_sentence(const struct kc_norm *n, const struct kc_sentence *s, const char *want)
{
    char *got = strndup(n->text + s->off, s->len);
    cr_expect_str_eq(got, want);
    free(got);
}

Test(sentence, korean_english_bullets)
{
    const char *src = "저는 백엔드 개발자입니다 대규모 트래픽을 처리했습니다. 팀을 이끌었어요!\n"
                      "- Built a payment API with Spring Boot, e.g. refunds. Reduced latency 40%.\n"
                      "• Kafka 도입 • Redis 캐시 설계\n"
                      "1. Led a team of 5 engineers at Acme Inc. in Seoul\n"
                      "and mentored two juniors.\n";
    struct kc_norm n;
    struct kc_sentences s;
    split(src, &n, &s);
    const char *want[] = {
        "저는 백엔드 개발자입니다",
        "대규모 트래픽을 처리했습니다.",
        "팀을 이끌었어요!",
        "built a payment api with spring boot, e.g. refunds.",
        "reduced latency 40%.",
        "kafka 도입",
        "redis 캐시 설계",
        "led a team of 5 engineers at acme inc. in seoul\nand mentored two juniors."};
    cr_assert_eq(s.n, 8, "got %zu sentences", s.n);
    for (size_t i = 0; i < s.n; i++) expect_sentence(&n, &s.v[i], want[i]);
    cr_assert(s.v[3].bullet);
    cr_assert(s.v[7].bullet);
    /* offsets map back to the original text */
    uint32_t a = n.map[s.v[4].off], b = n.map[s.v[4].off + s.v[4].len];
    cr_assert_eq(strncmp(src + a, "Reduced latency 40%.", b - a), 0);
    kc_sentences_free(&s);
    kc_norm_free(&n);
}

Test(sentence, overlong_run_is_cut)
{
    char *src = malloc(5001);
    for (int i = 0; i < 5000; i++) src[i] = (i % 7 == 6) ? ' ' : 'a';
    src[5000] = '\0';
    struct kc_norm n;
    struct kc_sentences s;
    split(src, &n, &s);
    cr_assert_gt(s.n, 8);
    for (size_t i = 0; i < s.n; i++) cr_assert_leq(s.v[i].len, KC_SENT_MAX_BYTES);
    kc_sentences_free(&s);
    kc_norm_free(&n);
    free(src);
}

static void terms_of(const char *text, uint64_t **t, size_t *n)
{
    size_t cap = 0;
    *t = NULL;
    *n = 0;
    char *norm = kc_norm_dup(text, strlen(text));
    cr_assert_eq(kc_tok_terms(norm, strlen(norm), t, n, &cap, NULL), 0);
    free(norm);
}

Test(bm25, orders_by_relevance)
{
    const char *docs[] = {
        "쿠버네티스 클러스터를 운영하고 쿠버네티스 배포를 자동화했습니다",
        "쿠버네티스를 조금 사용해 보았습니다 그리고 다른 많은 일들을 했습니다 회계 업무도 했습니다",
        "영업 실적을 관리하고 고객사를 방문했습니다",
        "React로 프론트엔드를 개발했습니다",
    };
    uint64_t *terms[4];
    size_t lens[4];
    for (int i = 0; i < 4; i++) terms_of(docs[i], &terms[i], &lens[i]);
    struct kc_bm25 ix;
    cr_assert_eq(kc_bm25_build(&ix, (const uint64_t *const *)terms, lens, 4, NULL), 0);
    uint64_t *q;
    size_t nq;
    terms_of("쿠버네티스 배포", &q, &nq);
    double s0 = kc_bm25_score(&ix, q, nq, 0), s1 = kc_bm25_score(&ix, q, nq, 1);
    double s2 = kc_bm25_score(&ix, q, nq, 2), s3 = kc_bm25_score(&ix, q, nq, 3);
    cr_assert_gt(s0, s1);
    cr_assert_gt(s1, s2);
    cr_assert_float_eq(s2, 0.0, 1e-12);
    cr_assert_float_eq(s3, 0.0, 1e-12);
    cr_assert_eq(kc_bm25_df(&ix, kc_tok_term_hash("쿠버네티스", strlen("쿠버네티스"))), 2);
    free(q);
    for (int i = 0; i < 4; i++) free(terms[i]);
    kc_bm25_free(&ix);
}
