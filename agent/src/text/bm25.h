/*
 * bm25.h — Okapi BM25 over small in-memory collections (sentences of a resume, question texts).
 *
 *   score(q, d) = sum over distinct query terms t present in d of
 *                 idf(t) * tf(t,d) * (k1 + 1) / (tf(t,d) + k1 * (1 - b + b * |d| / avgdl))
 *   idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))      (never negative)
 * with KC_BM25_K1 = 1.2 (term-frequency saturation) and KC_BM25_B = 0.75 (length normalisation),
 * the customary Robertson/Lucene values. Terms are the 64-bit hashes of token.h.
 *
 * Data layout: each document keeps its terms sorted (tf = length of an equal run, found by binary
 * search); document frequencies live in an open-addressing hash table.
 * Thread-safety: built once, then read-only; concurrent scoring is safe.
 */
#ifndef KC_TEXT_BM25_H
#define KC_TEXT_BM25_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KC_BM25_K1 1.2
#define KC_BM25_B  0.75

struct kc_bm25 {
    size_t ndocs;
    double avgdl;
    uint64_t **doc_terms; /* sorted term hashes per document; owned */
    uint32_t *doc_len;
    uint64_t *df_keys; /* hash table of document frequencies; 0 = empty slot */
    uint32_t *df_vals;
    size_t df_cap; /* power of two */
};

/* Build from ndocs term arrays (terms[i][0..lens[i])). The arrays are copied. 0 or -1. */
int kc_bm25_build(struct kc_bm25 *ix, const uint64_t *const *terms, const size_t *lens,
                  size_t ndocs, struct kc_err *err);
void kc_bm25_free(struct kc_bm25 *ix);

/* Document frequency and IDF of one term. */
uint32_t kc_bm25_df(const struct kc_bm25 *ix, uint64_t term);
double kc_bm25_idf(const struct kc_bm25 *ix, uint64_t term);

/* BM25 score of document `doc` for the query q[0..nq) (duplicates in q count once). */
double kc_bm25_score(const struct kc_bm25 *ix, const uint64_t *q, size_t nq, size_t doc);

#endif
