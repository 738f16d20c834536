/*
 * bm25.c — BM25 scoring. See bm25.h for the formula and layout.
 */
#include "text/bm25.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Term hash 0 is remapped to 1 so that 0 can mark empty table slots. */
static uint64_t key_of(uint64_t t)
{
    return t ? t : 1;
}

static size_t slot_of(const struct kc_bm25 *ix, uint64_t key)
{
    size_t mask = ix->df_cap - 1, i = (size_t)(key ^ (key >> 29)) & mask;
    while (ix->df_keys[i] && ix->df_keys[i] != key) i = (i + 1) & mask;
    return i;
}

static int alloc_tables(struct kc_bm25 *ix, size_t ndocs, size_t total, struct kc_err *err)
{
    ix->df_cap = 16;
    while (ix->df_cap < total * 2 + 16) ix->df_cap *= 2;
    ix->df_keys = calloc(ix->df_cap, sizeof *ix->df_keys);
    ix->df_vals = calloc(ix->df_cap, sizeof *ix->df_vals);
    ix->doc_terms = calloc(ndocs ? ndocs : 1, sizeof *ix->doc_terms);
    ix->doc_len = calloc(ndocs ? ndocs : 1, sizeof *ix->doc_len);
    if (!ix->df_keys || !ix->df_vals || !ix->doc_terms || !ix->doc_len)
        return kc_err_set(err, KC_E_NOMEM, "bm25: out of memory");
    return 0;
}

static void count_df(struct kc_bm25 *ix, const uint64_t *sorted, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        if (j > 0 && sorted[j] == sorted[j - 1]) continue;
        uint64_t key = key_of(sorted[j]);
        size_t s = slot_of(ix, key);
        ix->df_keys[s] = key;
        ix->df_vals[s]++;
    }
}

int kc_bm25_build(struct kc_bm25 *ix, const uint64_t *const *terms, const size_t *lens,
                  size_t ndocs, struct kc_err *err)
{
    memset(ix, 0, sizeof *ix);
    size_t total = 0;
    for (size_t i = 0; i < ndocs; i++) total += lens[i];
    if (alloc_tables(ix, ndocs, total, err) != 0) {
        kc_bm25_free(ix);
        return -1;
    }
    ix->ndocs = ndocs;
    for (size_t i = 0; i < ndocs; i++) {
        ix->doc_terms[i] = malloc((lens[i] ? lens[i] : 1) * sizeof(uint64_t));
        if (!ix->doc_terms[i]) {
            kc_bm25_free(ix);
            return kc_err_set(err, KC_E_NOMEM, "bm25: out of memory");
        }
        for (size_t j = 0; j < lens[i]; j++) ix->doc_terms[i][j] = key_of(terms[i][j]);
        qsort(ix->doc_terms[i], lens[i], sizeof(uint64_t), cmp_u64);
        ix->doc_len[i] = (uint32_t)lens[i];
        count_df(ix, ix->doc_terms[i], lens[i]);
    }
    ix->avgdl = ndocs ? (double)total / (double)ndocs : 0.0;
    return 0;
}

void kc_bm25_free(struct kc_bm25 *ix)
{
    if (!ix) return;
    if (ix->doc_terms)
        for (size_t i = 0; i < ix->ndocs; i++) free(ix->doc_terms[i]);
    free(ix->doc_terms);
    free(ix->doc_len);
    free(ix->df_keys);
    free(ix->df_vals);
    memset(ix, 0, sizeof *ix);
}

uint32_t kc_bm25_df(const struct kc_bm25 *ix, uint64_t term)
{
    if (!ix->df_cap) return 0;
    size_t s = slot_of(ix, key_of(term));
    return ix->df_keys[s] ? ix->df_vals[s] : 0;
}

double kc_bm25_idf(const struct kc_bm25 *ix, uint64_t term)
{
    double n = (double)ix->ndocs, df = (double)kc_bm25_df(ix, term);
    return log(1.0 + (n - df + 0.5) / (df + 0.5));
}

/* Occurrences of key in the sorted array a[0..n). */
static size_t term_freq(const uint64_t *a, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    while (k < n && a[k] == key) k++;
    return k - lo;
}

double kc_bm25_score(const struct kc_bm25 *ix, const uint64_t *q, size_t nq, size_t doc)
{
    if (doc >= ix->ndocs || ix->avgdl <= 0.0) return 0.0;
    const uint64_t *terms = ix->doc_terms[doc];
    size_t dl = ix->doc_len[doc];
    double norm = KC_BM25_K1 * (1.0 - KC_BM25_B + KC_BM25_B * (double)dl / ix->avgdl);
    double score = 0.0;
    for (size_t i = 0; i < nq; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) seen = key_of(q[j]) == key_of(q[i]);
        if (seen) continue;
        double tf = (double)term_freq(terms, dl, key_of(q[i]));
        if (tf == 0.0) continue;
        score += kc_bm25_idf(ix, q[i]) * tf * (KC_BM25_K1 + 1.0) / (tf + norm);
    }
    return score;
}
