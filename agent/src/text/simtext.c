/*
 * simtext.c — the text side of similarity: TF-IDF character n-gram vectors and cosine,
 * overlapping sentence passages, and the JSON query result. See sim.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text/doc.h"
#include "text/hash.h"
#include "text/norm.h"
#include "text/sentence.h"
#include "text/sim_internal.h"
#include "text/token.h"

/* Sentences shorter than this many shingles are not reported as passages (a copied "Java,
 * Spring" line proves nothing). */
#define PASSAGE_MIN_SHINGLES 12

struct hashes {
    uint64_t *v;
    size_t n, cap;
    bool nomem;
};

static void on_gram(void *ud, uint64_t h, uint32_t off, uint32_t len)
{
    (void)off, (void)len;
    struct hashes *hs = ud;
    if (hs->n == hs->cap) {
        size_t cap = hs->cap ? hs->cap * 2 : 256;
        uint64_t *v = realloc(hs->v, cap * sizeof *v);
        if (!v) {
            hs->nomem = true;
            return;
        }
        hs->v = v;
        hs->cap = cap;
    }
    hs->v[hs->n++] = h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

struct tf_builder {
    struct kc_tfidf *v;
    bool nomem;
};

static void tf_grow(struct tf_builder *b)
{
    struct kc_tfidf *v = b->v;
    size_t cap = v->cap ? v->cap * 2 : 1024;
    uint64_t *h = calloc(cap, sizeof *h);
    float *w = calloc(cap, sizeof *w);
    if (!h || !w) {
        free(h);
        free(w);
        b->nomem = true;
        return;
    }
    for (size_t i = 0; i < v->cap; i++) {
        if (!v->h[i]) continue;
        size_t k = (size_t)kc_mix64(v->h[i]) & (cap - 1);
        while (h[k]) k = (k + 1) & (cap - 1);
        h[k] = v->h[i];
        w[k] = v->w[i];
    }
    free(v->h);
    free(v->w);
    v->h = h;
    v->w = w;
    v->cap = cap;
}

/* Count one n-gram (term frequency accumulates in w). */
static void on_tf(void *ud, uint64_t h, uint32_t off, uint32_t len)
{
    (void)off, (void)len;
    struct tf_builder *b = ud;
    struct kc_tfidf *v = b->v;
    if (b->nomem) return;
    if ((v->n + 1) * 2 > v->cap) tf_grow(b);
    if (b->nomem) return;
    h = h ? h : 1;
    size_t k = (size_t)kc_mix64(h) & (v->cap - 1);
    while (v->h[k] && v->h[k] != h) k = (k + 1) & (v->cap - 1);
    if (!v->h[k]) v->h[k] = h, v->n++;
    v->w[k] += 1.0f;
}

int kc_tfidf_build(const struct kc_sim_index *ix, const char *text, size_t len, struct kc_tfidf *v)
{
    memset(v, 0, sizeof *v);
    char *norm = kc_norm_dup(text, len);
    if (!norm) return -1;
    struct tf_builder b = {v, false};
    tf_grow(&b);
    if (!b.nomem) kc_tok_char_ngrams(norm, strlen(norm), KC_SIM_TFIDF_N, on_tf, &b);
    free(norm);
    if (b.nomem) {
        kc_tfidf_free(v);
        return -1;
    }
    double sq = 0;
    for (size_t i = 0; i < v->cap; i++) {
        if (!v->h[i]) continue;
        double w = (1.0 + log((double)v->w[i])) * kc_sim_idf(ix, v->h[i]);
        v->w[i] = (float)w;
        sq += w * w;
    }
    v->norm = sqrt(sq);
    return 0;
}

static float tf_get(const struct kc_tfidf *v, uint64_t h)
{
    size_t k = (size_t)kc_mix64(h) & (v->cap - 1);
    while (v->h[k]) {
        if (v->h[k] == h) return v->w[k];
        k = (k + 1) & (v->cap - 1);
    }
    return 0.0f;
}

double kc_tfidf_cos(const struct kc_tfidf *a, const struct kc_tfidf *b)
{
    if (a->norm <= 0 || b->norm <= 0) return 0.0;
    if (a->n > b->n) {
        const struct kc_tfidf *t = a;
        a = b;
        b = t;
    }
    double dot = 0;
    for (size_t i = 0; i < a->cap; i++)
        if (a->h[i]) dot += (double)a->w[i] * tf_get(b, a->h[i]);
    return dot / (a->norm * b->norm);
}

void kc_tfidf_free(struct kc_tfidf *v)
{
    free(v->h);
    free(v->w);
    memset(v, 0, sizeof *v);
}

double kc_sim_cosine(const struct kc_sim_index *ix, const char *a, size_t alen, const char *b,
                     size_t blen)
{
    struct kc_tfidf va, vb;
    if (kc_tfidf_build(ix, a, alen, &va) != 0) return 0.0;
    if (kc_tfidf_build(ix, b, blen, &vb) != 0) {
        kc_tfidf_free(&va);
        return 0.0;
    }
    double c = kc_tfidf_cos(&va, &vb);
    kc_tfidf_free(&va);
    kc_tfidf_free(&vb);
    return c;
}

/* ---- passages ---- */

struct sent_sh {
    uint32_t off_src, len_src;
    uint64_t *h; /* sorted distinct 3-gram hashes */
    size_t n;
};

struct text_sents {
    struct sent_sh *s;
    size_t n;
};

static void text_sents_free(struct text_sents *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->s[i].h);
    free(t->s);
}

static int sentence_shingles(const char *text, size_t len, struct text_sents *out)
{
    memset(out, 0, sizeof *out);
    struct kc_norm nm;
    struct kc_sentences ss = {0};
    if (kc_norm_text(text, len, &nm, NULL) != 0) return -1;
    int rc = kc_sent_split(&nm, text, len, &ss, NULL);
    out->s = rc == 0 ? calloc(ss.n ? ss.n : 1, sizeof *out->s) : NULL;
    if (!out->s) rc = -1;
    for (size_t i = 0; rc == 0 && i < ss.n; i++) {
        struct hashes hs = {0};
        kc_tok_char_ngrams(nm.text + ss.v[i].off, ss.v[i].len, 3, on_gram, &hs);
        if (hs.n > 1) qsort(hs.v, hs.n, sizeof *hs.v, cmp_u64);
        size_t u = 0;
        for (size_t k = 0; k < hs.n; k++)
            if (u == 0 || hs.v[u - 1] != hs.v[k]) hs.v[u++] = hs.v[k];
        struct sent_sh *s = &out->s[out->n++];
        s->h = hs.v;
        s->n = u;
        s->off_src = nm.map[ss.v[i].off];
        uint32_t end = nm.map[ss.v[i].off + ss.v[i].len];
        while (end > s->off_src && (text[end - 1] == ' ' || text[end - 1] == '\n' ||
                                    text[end - 1] == '\r' || text[end - 1] == '\t'))
            end--;
        s->len_src = end - s->off_src;
        if (hs.nomem) rc = -1;
    }
    kc_sentences_free(&ss);
    kc_norm_free(&nm);
    if (rc != 0) text_sents_free(out);
    return rc;
}

static double jaccard(const struct sent_sh *a, const struct sent_sh *b)
{
    size_t inter = 0;
    for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
        if (a->h[i] < b->h[j])
            i++;
        else if (a->h[i] > b->h[j])
            j++;
        else
            inter++, i++, j++;
    }
    return (double)inter / (double)(a->n + b->n - inter);
}

struct pair {
    double overlap;
    uint32_t i, j;
};

static int cmp_pair(const void *x, const void *y)
{
    const struct pair *a = x, *b = y;
    if (a->overlap != b->overlap) return a->overlap < b->overlap ? 1 : -1;
    return a->i != b->i ? (a->i > b->i) - (a->i < b->i) : (a->j > b->j) - (a->j < b->j);
}

static json_t *span(const char *text, const struct sent_sh *s)
{
    return json_pack("{s:s%, s:i, s:i}", "text", text + s->off_src, (size_t)s->len_src, "offset",
                     (int)s->off_src, "length", (int)s->len_src);
}

static size_t candidate_pairs(const struct text_sents *A, const struct text_sents *B, double t,
                              struct pair *pairs)
{
    size_t np = 0;
    for (size_t i = 0; i < A->n; i++) {
        if (A->s[i].n < PASSAGE_MIN_SHINGLES) continue;
        for (size_t j = 0; j < B->n; j++) {
            size_t na = A->s[i].n, nb = B->s[j].n;
            if (nb < PASSAGE_MIN_SHINGLES) continue;
            if ((double)(na < nb ? na : nb) / (double)(na > nb ? na : nb) < t) continue;
            double o = jaccard(&A->s[i], &B->s[j]);
            if (o >= t) pairs[np++] = (struct pair){o, (uint32_t)i, (uint32_t)j};
        }
    }
    return np;
}

json_t *kc_sim_passages(const char *a, size_t alen, const char *b, size_t blen, double t)
{
    json_t *out = json_array();
    struct text_sents A, B;
    if (sentence_shingles(a, alen, &A) != 0) return out;
    if (sentence_shingles(b, blen, &B) != 0) {
        text_sents_free(&A);
        return out;
    }
    size_t max_pairs = A.n * B.n;
    struct pair *pairs = malloc((max_pairs > 0 ? max_pairs : 1) * sizeof *pairs);
    uint8_t *used_a = calloc(A.n + 1, 1), *used_b = calloc(B.n + 1, 1);
    if (pairs && used_a && used_b) {
        size_t np = candidate_pairs(&A, &B, t, pairs);
        qsort(pairs, np, sizeof *pairs, cmp_pair);
        for (size_t k = 0; k < np && json_array_size(out) < KC_SIM_MAX_PASSAGES; k++) {
            struct pair *p = &pairs[k];
            if (used_a[p->i] || used_b[p->j]) continue;
            used_a[p->i] = used_b[p->j] = 1;
            json_array_append_new(out, json_pack("{s:f, s:o, s:o}", "overlap",
                                                 round(p->overlap * 1000) / 1000, "a",
                                                 span(a, &A.s[p->i]), "b", span(b, &B.s[p->j])));
        }
    }
    free(pairs);
    free(used_a);
    free(used_b);
    text_sents_free(&A);
    text_sents_free(&B);
    return out;
}

/* ---- JSON query ---- */

static json_t *hit_json(const struct kc_sim_index *ix, const struct kc_sim_hit *h, const char *text,
                        size_t len, kc_sim_fetch_fn fetch, void *ud)
{
    json_t *cos =
        h->cosine >= 0
            ? json_pack("{s:f, s:s}", "value", round(h->cosine * 1000) / 1000, "status", "ok")
            : json_pack("{s:n, s:s, s:s}", "value", "status", "unavailable", "reason",
                        fetch ? "candidate text not available" : "no text fetcher given");
    json_t *o =
        json_pack("{s:I, s:o, s:f, s:i, s:o}", "id", (json_int_t)h->id, "similar",
                  h->cosine >= 0 ? json_boolean(h->similar) : json_null(), "jaccard_estimate",
                  round(h->jaccard * 1000) / 1000, "band_hits", (int)h->band_hits, "cosine", cos);
    if (h->similar && fetch) {
        size_t blen = 0;
        const char *b = fetch(ud, h->id, &blen);
        if (b)
            json_object_set_new(
                o, "passages",
                kc_sim_passages(text, len, b, blen, kc_sim_params_of(ix)->passage_min));
    }
    return o;
}

json_t *kc_sim_query_json(const struct kc_sim_index *ix, const char *text, size_t len,
                          uint64_t exclude_id, size_t k, kc_sim_fetch_fn fetch, void *ud,
                          struct kc_err *err)
{
    struct kc_sim_hit *hits = calloc(k ? k : 1, sizeof *hits);
    size_t n = 0;
    if (!hits) {
        kc_err_set(err, KC_E_NOMEM, "similarity query: out of memory");
        return NULL;
    }
    if (kc_sim_query(ix, text, len, exclude_id, k, fetch, ud, hits, &n, err) != 0) {
        free(hits);
        return NULL;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, hit_json(ix, &hits[i], text, len, fetch, ud));
    free(hits);
    return json_pack(
        "{s:o, s:f, s:i, s:s}", "hits", arr, "threshold", kc_sim_params_of(ix)->threshold,
        "indexed", (int)kc_sim_size(ix), "definition",
        "candidates from MinHash (128 one-permutation bins over character 3-grams) LSH bands; "
        "similar when the TF-IDF cosine of character 3-gram vectors (idf from the index) is at "
        "least the threshold; passages are sentence pairs whose 3-gram Jaccard is at least "
        "passage_min");
}
