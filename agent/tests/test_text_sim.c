/*
 * test_text_sim.c — copied-resume detection: a resume copied with ~30 % of its sentences edited
 * is found above the threshold while unrelated resumes stay below; passages quote both texts;
 * add/remove; serialisation round trip and corrupt buffers; recall on a generated collection.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "corpus.h"
#include "text/sim.h"

static const char *const NAMES[] = {"r01_ko_backend_senior",
                                    "r02_ko_backend_junior",
                                    "r03_en_backend",
                                    "r04_en_datasci",
                                    "r05_ko_data_analyst",
                                    "r06_en_accountant",
                                    "r07_ko_designer",
                                    "r08_en_designer",
                                    "r09_ko_frontend",
                                    "r10_en_marketer",
                                    "r11_ko_marketer",
                                    "r12_ko_sales",
                                    "r13_ko_hr",
                                    "r14_en_backend_node"};
#define N_DOCS (sizeof NAMES / sizeof *NAMES)

static char *texts[N_DOCS];
static char *copied;

static void setup(void)
{
    for (size_t i = 0; i < N_DOCS; i++) {
        char f[128];
        snprintf(f, sizeof f, "%s.txt", NAMES[i]);
        texts[i] = corpus_read(f, NULL);
    }
    copied = corpus_read("r01_ko_backend_copied.txt", NULL);
}

static void teardown(void)
{
    for (size_t i = 0; i < N_DOCS; i++) free(texts[i]);
    free(copied);
}

TestSuite(sim, .init = setup, .fini = teardown);

static const char *fetch(void *ud, uint64_t id, size_t *len)
{
    char **t = ud;
    if (id >= N_DOCS || !t[id]) return NULL;
    *len = strlen(t[id]);
    return t[id];
}

static struct kc_sim_index *build(void)
{
    struct kc_err err = {0};
    struct kc_sim_index *ix = kc_sim_create(NULL, &err);
    cr_assert_not_null(ix, "%s", err.message);
    for (size_t i = 0; i < N_DOCS; i++)
        cr_assert_eq(kc_sim_add(ix, i, texts[i], strlen(texts[i]), &err), 0, "%s", err.message);
    return ix;
}

static void check_passages(const json_t *passages, const char *a, const char *b)
{
    size_t i;
    const json_t *p;
    cr_assert_gt(json_array_size(passages), 3);
    json_array_foreach(passages, i, p)
    {
        const char *sides[2] = {"a", "b"}, *txt[2] = {a, b};
        for (int s = 0; s < 2; s++) {
            const json_t *o = json_object_get(p, sides[s]);
            size_t off = (size_t)json_integer_value(json_object_get(o, "offset"));
            size_t n = (size_t)json_integer_value(json_object_get(o, "length"));
            cr_assert_leq(off + n, strlen(txt[s]));
            cr_assert_eq(memcmp(txt[s] + off, json_string_value(json_object_get(o, "text")), n), 0);
        }
        cr_assert_geq(json_real_value(json_object_get(p, "overlap")), 0.5);
    }
}

Test(sim, edited_copy_found_unrelated_below)
{
    struct kc_sim_index *ix = build();
    struct kc_err err = {0};
    double threshold = kc_sim_params_of(ix)->threshold;
    json_t *out = kc_sim_query_json(ix, copied, strlen(copied), UINT64_MAX, 5, fetch, texts, &err);
    cr_assert_not_null(out, "%s", err.message);
    const json_t *top = json_array_get(json_object_get(out, "hits"), 0);
    cr_assert_eq(json_integer_value(json_object_get(top, "id")), 0);
    cr_assert(json_is_true(json_object_get(top, "similar")));
    double cos = json_real_value(json_object_get(json_object_get(top, "cosine"), "value"));
    cr_assert_geq(cos, threshold);
    check_passages(json_object_get(top, "passages"), copied, texts[0]);
    size_t i;
    const json_t *h;
    json_array_foreach(json_object_get(out, "hits"), i, h)
    {
        if (i > 0) cr_assert(json_is_false(json_object_get(h, "similar")));
    }
    json_decref(out);
    /* every unrelated pair stays below the threshold */
    for (size_t a = 0; a < N_DOCS; a++) {
        double c = kc_sim_cosine(ix, copied, strlen(copied), texts[a], strlen(texts[a]));
        if (a == 0)
            cr_assert_geq(c, threshold);
        else
            cr_assert_lt(c, threshold, "copied vs %s: %.3f", NAMES[a], c);
        for (size_t b = a + 1; b < N_DOCS; b++)
            cr_assert_lt(kc_sim_cosine(ix, texts[a], strlen(texts[a]), texts[b], strlen(texts[b])),
                         threshold, "%s vs %s", NAMES[a], NAMES[b]);
    }
    kc_sim_free(ix);
}

/* Replace every third line of text with a line of other (a 33 % sentence edit). */
static char *edit_lines(const char *text, const char *other)
{
    char *out = malloc(strlen(text) + strlen(other) + 2);
    const char *o = other;
    size_t n = 0, line = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (line % 3 == 1 && *o) {
            const char *oe = strchr(o, '\n');
            size_t olen = oe ? (size_t)(oe - o) : strlen(o);
            memcpy(out + n, o, olen);
            n += olen;
            o = oe ? oe + 1 : o + olen;
        } else {
            memcpy(out + n, p, len);
            n += len;
        }
        out[n++] = '\n';
        p = e ? e + 1 : p + len;
        line++;
    }
    out[n] = '\0';
    return out;
}

Test(sim, english_copy_with_third_of_lines_replaced)
{
    struct kc_sim_index *ix = build();
    struct kc_err err = {0};
    char *edited = edit_lines(texts[2], texts[5]); /* backend resume, accountant lines */
    struct kc_sim_hit hits[3];
    size_t n = 0;
    cr_assert_eq(
        kc_sim_query(ix, edited, strlen(edited), UINT64_MAX, 3, fetch, texts, hits, &n, &err), 0,
        "%s", err.message);
    cr_assert_geq(n, 1);
    cr_assert_eq(hits[0].id, 2);
    cr_assert(hits[0].similar, "cosine %.3f", hits[0].cosine);
    /* the inserted lines come from the accountant's resume (id 5): sharing them may make it
     * similar too; nothing else may be */
    for (size_t i = 1; i < n; i++)
        cr_assert(!hits[i].similar || hits[i].id == 5, "hit %llu cosine %.3f",
                  (unsigned long long)hits[i].id, hits[i].cosine);
    /* without a fetcher: MinHash only, cosine unavailable */
    json_t *o = kc_sim_query_json(ix, edited, strlen(edited), UINT64_MAX, 1, NULL, NULL, &err);
    const json_t *cos = json_object_get(json_array_get(json_object_get(o, "hits"), 0), "cosine");
    cr_assert_str_eq(json_string_value(json_object_get(cos, "status")), "unavailable");
    json_decref(o);
    free(edited);
    kc_sim_free(ix);
}

Test(sim, add_remove_and_errors)
{
    struct kc_sim_index *ix = build();
    struct kc_err err = {0};
    cr_assert_eq(kc_sim_add(ix, 3, texts[3], strlen(texts[3]), &err), -1);
    cr_assert_eq(err.code, KC_E_CONFLICT);
    cr_assert_eq(kc_sim_remove(ix, 0, texts[0], strlen(texts[0]), &err), 0);
    cr_assert_eq(kc_sim_remove(ix, 0, NULL, 0, &err), -1);
    cr_assert_eq(err.code, KC_E_NOT_FOUND);
    cr_assert_eq(kc_sim_size(ix), N_DOCS - 1);
    struct kc_sim_hit hits[5];
    size_t n = 0;
    cr_assert_eq(
        kc_sim_query(ix, copied, strlen(copied), UINT64_MAX, 5, fetch, texts, hits, &n, &err), 0);
    for (size_t i = 0; i < n; i++) cr_assert_neq(hits[i].id, 0);
    cr_assert_eq(kc_sim_add(ix, 0, texts[0], strlen(texts[0]), &err), 0);
    cr_assert_eq(
        kc_sim_query(ix, copied, strlen(copied), UINT64_MAX, 5, fetch, texts, hits, &n, &err), 0);
    cr_assert_eq(hits[0].id, 0);
    /* excluding its own id */
    cr_assert_eq(kc_sim_query(ix, texts[0], strlen(texts[0]), 0, 5, fetch, texts, hits, &n, &err),
                 0);
    for (size_t i = 0; i < n; i++) cr_assert_neq(hits[i].id, 0);
    cr_assert_eq(kc_sim_add(ix, 99, "ab", 2, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_eq(kc_sim_add(ix, 99, "a\xff", 2, &err), -1);
    cr_assert_str_eq(err.field, "text");
    struct kc_sim_params p;
    kc_sim_params_default(&p);
    p.bands = 64;
    p.rows = 4;
    cr_assert_null(kc_sim_create(&p, &err));
    cr_assert_eq(err.code, KC_E_INVALID);
    kc_sim_free(ix);
}

Test(sim, serialise_round_trip_and_corruption)
{
    struct kc_sim_index *ix = build();
    struct kc_err err = {0};
    cr_assert_eq(kc_sim_remove(ix, 5, NULL, 0, &err), 0);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(kc_sim_serialize(ix, &buf, &len, &err), 0);
    struct kc_sim_index *back = kc_sim_deserialize(buf, len, &err);
    cr_assert_not_null(back, "%s", err.message);
    cr_assert_eq(kc_sim_size(back), kc_sim_size(ix));
    struct kc_sim_hit a[5], b[5];
    size_t na, nb;
    cr_assert_eq(
        kc_sim_query(ix, copied, strlen(copied), UINT64_MAX, 5, fetch, texts, a, &na, &err), 0);
    cr_assert_eq(
        kc_sim_query(back, copied, strlen(copied), UINT64_MAX, 5, fetch, texts, b, &nb, &err), 0);
    cr_assert_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        cr_assert_eq(a[i].id, b[i].id);
        cr_assert_float_eq(a[i].cosine, b[i].cosine, 1e-12);
        cr_assert_float_eq(a[i].jaccard, b[i].jaccard, 1e-12);
    }
    buf[len / 2] ^= 0x40;
    cr_assert_null(kc_sim_deserialize(buf, len, &err));
    cr_assert_eq(err.code, KC_E_INVALID);
    buf[len / 2] ^= 0x40;
    cr_assert_null(kc_sim_deserialize(buf, len - 9, &err));
    cr_assert_null(kc_sim_deserialize(buf, 10, &err));
    cr_assert_null(kc_sim_deserialize((const unsigned char *)"garbage", 7, &err));
    free(buf);
    kc_sim_free(back);
    kc_sim_free(ix);
}

/* Generated collection: 1,500 template resumes; an edited copy of each of 30 finds its source. */
static char *gen(uint32_t seed)
{
    static const char *const skills[] = {"Java",  "Python", "Kubernetes", "React",
                                         "SQL",   "Figma",  "Kafka",      "AWS",
                                         "Spark", "Excel",  "Go언어",     "TypeScript"};
    static const char *const verbs[] = {"개발했습니다", "설계했습니다", "운영했습니다",
                                        "개선했습니다", "도입했습니다", "built",
                                        "designed",     "maintained"};
    char *out = malloc(4096);
    size_t n = 0;
    uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (int line = 0; line < 14; line++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        n += (size_t)snprintf(
            out + n, 4096 - n, "%s와 %s로 프로젝트 %u번을 %s, 사용자 %u명 지표 %u%% 향상\n",
            skills[x % 12], skills[(x >> 8) % 12], (unsigned)(x >> 16) % 9000, verbs[(x >> 30) % 8],
            (unsigned)(x >> 34) % 100000, (unsigned)(x >> 50) % 90);
    }
    return out;
}

Test(sim, recall_on_generated_collection)
{
    struct kc_err err = {0};
    struct kc_sim_index *ix = kc_sim_create(NULL, &err);
    for (uint32_t i = 0; i < 1500; i++) {
        char *t = gen(i);
        cr_assert_eq(kc_sim_add(ix, i, t, strlen(t), &err), 0, "%s", err.message);
        free(t);
    }
    for (uint32_t i = 0; i < 1500; i += 50) {
        char *t = gen(i), *other = gen(i + 100000);
        char *edited = edit_lines(t, other);
        struct kc_sim_hit hits[2];
        size_t n = 0;
        cr_assert_eq(
            kc_sim_query(ix, edited, strlen(edited), UINT64_MAX, 2, NULL, NULL, hits, &n, &err), 0);
        cr_assert_geq(n, 1, "doc %u not found", i);
        cr_assert_eq(hits[0].id, i);
        cr_assert_gt(hits[0].jaccard, 0.3);
        free(t);
        free(other);
        free(edited);
    }
    kc_sim_free(ix);
}

Test(sim, removal_compacts_and_keeps_answers)
{
    struct kc_err err = {0};
    struct kc_sim_index *ix = kc_sim_create(NULL, &err);
    for (uint32_t i = 0; i < 2100; i++) {
        char *t = gen(i);
        cr_assert_eq(kc_sim_add(ix, i, t, strlen(t), &err), 0, "%s", err.message);
        free(t);
    }
    for (uint32_t i = 0; i < 1100; i++) { /* the 1,100th removal compacts (dead > live) */
        char *t = gen(i);
        cr_assert_eq(kc_sim_remove(ix, i, t, strlen(t), &err), 0, "%s", err.message);
        free(t);
    }
    cr_assert_eq(kc_sim_size(ix), 1000);
    const uint32_t probes[] = {10, 1500, 2099};
    for (size_t p = 0; p < 3; p++) {
        char *t = gen(probes[p]), *other = gen(probes[p] + 100000);
        char *edited = edit_lines(t, other);
        struct kc_sim_hit hits[3];
        size_t n = 0;
        cr_assert_eq(
            kc_sim_query(ix, edited, strlen(edited), UINT64_MAX, 3, NULL, NULL, hits, &n, &err), 0);
        for (size_t i = 0; i < n; i++) cr_assert_geq(hits[i].id, 1100, "removed id returned");
        if (probes[p] >= 1100) {
            cr_assert_geq(n, 1);
            cr_assert_eq(hits[0].id, probes[p]);
        }
        free(t);
        free(other);
        free(edited);
    }
    char *t = gen(5);
    cr_assert_eq(kc_sim_add(ix, 5, t, strlen(t), &err), 0); /* a removed id can come back */
    free(t);
    kc_sim_free(ix);
}
