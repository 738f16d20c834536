/*
 * sim.h — near-duplicate ("copied") resume detection: MinHash + LSH index, TF-IDF confirmation,
 * overlapping passages, serialisation.
 *
 * Pipeline for a query text:
 *   1. Shingles: character KC_SIM_SHINGLE-grams (code points) of the normalised text (norm.h).
 *   2. MinHash signature of KC_SIM_PERM = 128 values by one-permutation hashing: each shingle's
 *      64-bit hash h goes to bin h >> 57 and keeps the minimum of its low bits; empty bins are
 *      filled by optimal densification (Shrivastava 2017: bin i copies the first non-empty bin
 *      on a hash probe sequence seeded by i), so P[sig_a[i] == sig_b[i]] = Jaccard(a, b) with
 *      one hash per shingle instead of 128. Values are stored as 16 bits (a chance collision,
 *      1/65536 per bin, is negligible for the estimate).
 *   3. LSH banding: `bands` bands of `rows` bins; a band's key is a 32-bit hash of its values
 *      and band number. Documents sharing at least one band key with the query are candidates;
 *      the chance for Jaccard J is 1 - (1 - J^rows)^bands (defaults 42 x 3: J=0.2 -> 29%,
 *      J=0.3 -> 68%, J=0.5 -> 99.6%, J=0.6 -> >99.99%; a resume with ~30% of its sentences
 *      edited keeps J ~ 0.5-0.8 with its source).
 *   4. Candidates are ranked by the MinHash Jaccard estimate (matching bins / 128); those at or
 *      above `min_jaccard` (at most `max_confirm`) are confirmed by the TF-IDF cosine of
 *      character KC_SIM_TFIDF_N-gram vectors: weight = (1 + ln tf) * idf, idf = ln(1 + (N - df
 *      + 0.5) / (df + 0.5)) (the BM25 form: n-grams found in nearly every resume — "습니다",
 *      "experience" — weigh almost nothing, so shared boilerplate does not look like copying),
 *      with document frequencies counted by the index in a hashed table of 2^KC_SIM_DF_BITS
 *      counters (collisions make rare n-grams look slightly more common). A document is
 *      reported similar when cosine >= `threshold`.
 *   5. Passages: sentences of both texts (sentence.h) are compared by the Jaccard similarity of
 *      their character 3-gram sets; pairs at or above `passage_min` are reported greedily, best
 *      first, each sentence used once, with texts and byte offsets in both originals.
 * The index stores signatures and ids only (not texts): confirmation fetches candidate texts
 * through a callback (the service reads them from its database). Without a callback the result
 * carries the MinHash estimate and cosine status "unavailable".
 *
 * Layout: slots hold id, signature and a dead flag; an open-addressing map goes from id to slot;
 * each band keeps entries (key, slot) sorted by key plus a small unsorted pending buffer merged
 * in when it grows past 1/16 of the sorted part. Removal marks the slot dead (its entries are
 * skipped and dropped at the next merge); when dead slots outnumber live ones the index is
 * compacted.
 *
 * Serialisation: a little-endian byte buffer — magic "KCSIMIX1", version, parameters, the live
 * documents (id + 16-bit signature), the DF table, and an FNV-1a checksum; the bands are rebuilt
 * on load. Corrupt or truncated buffers are rejected (KC_E_INVALID).
 *
 * Thread-safety: kc_sim_prepare and kc_sim_cosine/passages are reentrant (do the heavy work
 * outside any lock); queries only read the index and may run concurrently with each other;
 * add/remove/compact need exclusive access (the caller's read-write lock).
 * Ownership: see each function.
 */
#ifndef KC_TEXT_SIM_H
#define KC_TEXT_SIM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KC_SIM_PERM         128
#define KC_SIM_SHINGLE      3
#define KC_SIM_TFIDF_N      3
#define KC_SIM_DF_BITS      20
#define KC_SIM_MAX_PASSAGES 20

struct kc_sim_params {
    uint32_t bands, rows; /* bands * rows <= KC_SIM_PERM; default 42 x 3 */
    double threshold;     /* cosine at or above which a document is "similar"; default 0.5 */
    double min_jaccard;   /* MinHash estimate needed to be confirmed; default 0.15 */
    uint32_t max_confirm; /* candidates confirmed by cosine per query; default 32 */
    double passage_min;   /* sentence-pair Jaccard to report a passage; default 0.5 */
};

void kc_sim_params_default(struct kc_sim_params *p);

/* A prepared document: what the index needs, computed without touching the index. */
struct kc_sim_doc {
    uint16_t sig[KC_SIM_PERM];
    uint32_t *df_buckets; /* distinct DF-table buckets of the text's n-grams; owned */
    size_t n_df;
};

struct kc_sim_hit {
    uint64_t id;
    double jaccard; /* MinHash estimate */
    double cosine;  /* TF-IDF cosine, or -1 when not confirmed (no text) */
    uint32_t band_hits;
    bool similar; /* cosine >= threshold */
};

/* Returns the candidate's text (borrowed; valid until the next call or the end of the query),
 * or NULL when it no longer exists. */
typedef const char *(*kc_sim_fetch_fn)(void *ud, uint64_t id, size_t *len);

struct kc_sim_index;

/* Create an empty index (params NULL = defaults). NULL with KC_E_INVALID for bad params. */
struct kc_sim_index *kc_sim_create(const struct kc_sim_params *p, struct kc_err *err);
void kc_sim_free(struct kc_sim_index *ix);
size_t kc_sim_size(const struct kc_sim_index *ix);
const struct kc_sim_params *kc_sim_params_of(const struct kc_sim_index *ix);

/* Prepare text (validated like every text input: UTF-8, size, not empty; KC_E_INVALID with
 * field "text"). Free with kc_sim_doc_free. */
int kc_sim_prepare(const char *text, size_t len, struct kc_sim_doc *doc, struct kc_err *err);
void kc_sim_doc_free(struct kc_sim_doc *doc);

/* Add a prepared document under id (KC_E_CONFLICT if the id exists). Does not take doc. */
int kc_sim_add_prepared(struct kc_sim_index *ix, uint64_t id, const struct kc_sim_doc *doc,
                        struct kc_err *err);
/* Prepare and add. */
int kc_sim_add(struct kc_sim_index *ix, uint64_t id, const char *text, size_t len,
               struct kc_err *err);
/* Remove id (KC_E_NOT_FOUND if absent). When text is given its n-grams leave the DF table too;
 * otherwise the DF table keeps counting them (IDF then reflects a corpus that includes it). */
int kc_sim_remove(struct kc_sim_index *ix, uint64_t id, const char *text, size_t len,
                  struct kc_err *err);

/* Query: up to k hits (out has room for k), best first: by cosine when fetch is given, else by
 * MinHash estimate. exclude_id (e.g. the query's own id) is skipped; pass UINT64_MAX for none. */
int kc_sim_query(const struct kc_sim_index *ix, const char *text, size_t len, uint64_t exclude_id,
                 size_t k, kc_sim_fetch_fn fetch, void *ud, struct kc_sim_hit *out, size_t *n_out,
                 struct kc_err *err);

/* The same as JSON: {"hits":[{id, similar, cosine:{value,status}, jaccard_estimate, band_hits,
 * passages:[{overlap, a:{text,offset,length}, b:{...}}]}], "threshold", "candidates",
 * "definition"}. Passages are computed for similar hits. New reference. */
json_t *kc_sim_query_json(const struct kc_sim_index *ix, const char *text, size_t len,
                          uint64_t exclude_id, size_t k, kc_sim_fetch_fn fetch, void *ud,
                          struct kc_err *err);

/* TF-IDF cosine of two texts with the index's IDF (ix NULL: idf = 1, plain TF cosine). */
double kc_sim_cosine(const struct kc_sim_index *ix, const char *a, size_t alen, const char *b,
                     size_t blen);

/* Overlapping sentence pairs of a and b as a JSON array (new reference). */
json_t *kc_sim_passages(const char *a, size_t alen, const char *b, size_t blen, double min_overlap);

/* Serialise into a malloc'd buffer (caller frees with free()). */
int kc_sim_serialize(const struct kc_sim_index *ix, unsigned char **buf, size_t *len,
                     struct kc_err *err);
/* Rebuild an index from a buffer produced by kc_sim_serialize. */
struct kc_sim_index *kc_sim_deserialize(const unsigned char *buf, size_t len, struct kc_err *err);

#endif
