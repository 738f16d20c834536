/*
 * sim_internal.h — shared between sim.c (index) and simtext.c (TF-IDF vectors, passages, JSON).
 * Not part of the public API.
 */
#ifndef KC_TEXT_SIM_INTERNAL_H
#define KC_TEXT_SIM_INTERNAL_H

#include "text/sim.h"

/* A sparse TF-IDF vector over hashed character n-grams: an open-addressing table of `cap`
 * (power of two) slots, key 0 = empty (a hash of 0 is stored as 1), n keys in use. */
struct kc_tfidf {
    uint64_t *h;
    float *w;
    size_t n, cap;
    double norm;
};

/* IDF of an n-gram hash from the index's DF table (ix NULL: 1). */
double kc_sim_idf(const struct kc_sim_index *ix, uint64_t h);

/* DF-table bucket of an n-gram hash (shared by prepare and idf). */
static inline uint32_t kc_sim_df_bucket(uint64_t h)
{
    return (uint32_t)(h >> 32) & ((1u << KC_SIM_DF_BITS) - 1u);
}

/* Build the vector of valid UTF-8 text (normalised inside). 0 or -1 (out of memory). */
int kc_tfidf_build(const struct kc_sim_index *ix, const char *text, size_t len, struct kc_tfidf *v);
double kc_tfidf_cos(const struct kc_tfidf *a, const struct kc_tfidf *b);
void kc_tfidf_free(struct kc_tfidf *v);

#endif
