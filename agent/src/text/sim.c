/*
 * sim.c — the MinHash/LSH similarity index: preparation, add/remove, candidate query,
 * compaction and serialisation. See sim.h for the algorithm, layout and invariants.
 */
#include "text/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text/doc.h"
#include "text/hash.h"
#include "text/norm.h"
#include "text/sim_internal.h"
#include "text/token.h"

_Static_assert(KC_SIM_PERM == 128, "bins are chosen by the top 7 hash bits");
_Static_assert(KC_SIM_SHINGLE == KC_SIM_TFIDF_N, "one n-gram pass feeds MinHash and DF");

struct bentry {
    uint32_t key, slot;
};

struct band {
    struct bentry *sorted, *pend;
    size_t n_sorted, n_pend, cap_pend;
};

struct kc_sim_index {
    struct kc_sim_params p;
    uint64_t *ids;
    uint16_t *sigs; /* KC_SIM_PERM per slot */
    uint8_t *dead;
    size_t n_slots, cap_slots, n_live;
    uint64_t *map_keys; /* id -> slot + 1 (0 in map_vals = empty) */
    uint32_t *map_vals;
    size_t map_cap;
    struct band *bands;
    uint32_t *df; /* 2^KC_SIM_DF_BITS document-frequency counters */
    uint64_t df_docs;
};

void kc_sim_params_default(struct kc_sim_params *p)
{
    p->bands = 42;
    p->rows = 3;
    p->threshold = 0.5;
    p->min_jaccard = 0.15;
    p->max_confirm = 32;
    p->passage_min = 0.5;
}

static int check_params(const struct kc_sim_params *p, struct kc_err *err)
{
    if (p->bands < 1 || p->rows < 1 || p->bands * p->rows > KC_SIM_PERM)
        return kc_err_field(err, KC_E_INVALID, "bands", "bands * rows must be in 1..%d",
                            KC_SIM_PERM);
    if (!(p->threshold >= 0 && p->threshold <= 1) ||
        !(p->min_jaccard >= 0 && p->min_jaccard <= 1) ||
        !(p->passage_min > 0 && p->passage_min <= 1))
        return kc_err_field(err, KC_E_INVALID, "threshold",
                            "threshold, min_jaccard and passage_min must be in [0, 1]");
    if (p->max_confirm < 1 || p->max_confirm > 10000)
        return kc_err_field(err, KC_E_INVALID, "max_confirm", "max_confirm must be in 1..10000");
    return 0;
}

struct kc_sim_index *kc_sim_create(const struct kc_sim_params *p, struct kc_err *err)
{
    struct kc_sim_params def;
    kc_sim_params_default(&def);
    if (!p) p = &def;
    if (check_params(p, err) != 0) return NULL;
    struct kc_sim_index *ix = calloc(1, sizeof *ix);
    if (ix) {
        ix->p = *p;
        ix->bands = calloc(p->bands, sizeof *ix->bands);
        ix->df = calloc((size_t)1 << KC_SIM_DF_BITS, sizeof *ix->df);
    }
    if (!ix || !ix->bands || !ix->df) {
        kc_sim_free(ix);
        kc_err_set(err, KC_E_NOMEM, "similarity index: out of memory");
        return NULL;
    }
    return ix;
}

static void free_bands(struct kc_sim_index *ix)
{
    for (uint32_t b = 0; ix->bands && b < ix->p.bands; b++) {
        free(ix->bands[b].sorted);
        free(ix->bands[b].pend);
        memset(&ix->bands[b], 0, sizeof ix->bands[b]);
    }
}

void kc_sim_free(struct kc_sim_index *ix)
{
    if (!ix) return;
    free_bands(ix);
    free(ix->bands);
    free(ix->ids);
    free(ix->sigs);
    free(ix->dead);
    free(ix->map_keys);
    free(ix->map_vals);
    free(ix->df);
    free(ix);
}

size_t kc_sim_size(const struct kc_sim_index *ix)
{
    return ix->n_live;
}

const struct kc_sim_params *kc_sim_params_of(const struct kc_sim_index *ix)
{
    return &ix->p;
}

double kc_sim_idf(const struct kc_sim_index *ix, uint64_t h)
{
    if (!ix) return 1.0;
    double n = (double)ix->df_docs, df = (double)ix->df[kc_sim_df_bucket(h)];
    return log(1.0 + (n - df + 0.5) / (df + 0.5));
}

/* ---- preparation: one pass of n-grams feeds the MinHash bins and the DF buckets ---- */

struct prep {
    uint32_t mins[KC_SIM_PERM];
    bool filled[KC_SIM_PERM];
    uint32_t *buckets;
    size_t n, cap;
    bool nomem, skip_df;
};

static void on_shingle(void *ud, uint64_t h, uint32_t off, uint32_t len)
{
    (void)off, (void)len;
    struct prep *p = ud;
    unsigned bin = (unsigned)(h >> 57);
    uint32_t v = (uint32_t)h;
    if (!p->filled[bin] || v < p->mins[bin]) p->mins[bin] = v, p->filled[bin] = true;
    if (p->skip_df) return;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        uint32_t *nb = realloc(p->buckets, cap * sizeof *nb);
        if (!nb) {
            p->nomem = true;
            return;
        }
        p->buckets = nb;
        p->cap = cap;
    }
    p->buckets[p->n++] = kc_sim_df_bucket(h);
}

/* Deduplicate DF buckets in place (order of first occurrence) with an open-addressing set;
 * buckets are < 2^KC_SIM_DF_BITS, so UINT32_MAX marks an empty slot. SIZE_MAX on no memory. */
static size_t unique_buckets(uint32_t *b, size_t n)
{
    size_t cap = 64;
    while (cap < n * 2) cap *= 2;
    uint32_t *set = malloc(cap * sizeof *set);
    if (!set) return SIZE_MAX;
    memset(set, 0xFF, cap * sizeof *set);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)kc_mix64(b[i]) & (cap - 1);
        while (set[k] != UINT32_MAX && set[k] != b[i]) k = (k + 1) & (cap - 1);
        if (set[k] == b[i]) continue;
        set[k] = b[i];
        b[u++] = b[i];
    }
    free(set);
    return u;
}

/* Optimal densification: an empty bin copies the first filled bin on its own probe sequence. */
static void densify(const struct prep *p, uint16_t *sig)
{
    for (unsigned i = 0; i < KC_SIM_PERM; i++) {
        unsigned src = i;
        for (uint64_t a = 1; !p->filled[src]; a++) {
            src = a < 4096 ? (unsigned)(kc_mix64(((uint64_t)i << 32) | a) % KC_SIM_PERM)
                           : (unsigned)((i + a) % KC_SIM_PERM);
        }
        sig[i] = (uint16_t)kc_mix64(p->mins[src]);
    }
}

/* Signature (and, with want_df, the distinct DF buckets) of a text. */
static int prepare(const char *text, size_t len, struct kc_sim_doc *doc, bool want_df,
                   struct kc_err *err);

int kc_sim_prepare(const char *text, size_t len, struct kc_sim_doc *doc, struct kc_err *err)
{
    return prepare(text, len, doc, true, err);
}

static int prepare(const char *text, size_t len, struct kc_sim_doc *doc, bool want_df,
                   struct kc_err *err)
{
    memset(doc, 0, sizeof *doc);
    if (kc_doc_check_text(text, len, "text", err) != 0) return -1;
    char *norm = kc_norm_dup(text, len);
    struct prep *p = calloc(1, sizeof *p);
    if (!norm || !p) {
        free(norm);
        free(p);
        return kc_err_set(err, KC_E_NOMEM, "similarity: out of memory");
    }
    p->skip_df = !want_df;
    size_t n = kc_tok_char_ngrams(norm, strlen(norm), KC_SIM_SHINGLE, on_shingle, p);
    free(norm);
    int rc = 0;
    if (p->nomem)
        rc = kc_err_set(err, KC_E_NOMEM, "similarity: out of memory");
    else if (n == 0)
        rc = kc_err_field(err, KC_E_INVALID, "text",
                          "text: too short for similarity (fewer "
                          "than %d characters)",
                          KC_SIM_SHINGLE);
    if (rc == 0) {
        densify(p, doc->sig);
        size_t u = unique_buckets(p->buckets, p->n);
        if (u == SIZE_MAX) {
            rc = kc_err_set(err, KC_E_NOMEM, "similarity: out of memory");
        } else {
            doc->df_buckets = p->buckets;
            doc->n_df = u;
            p->buckets = NULL;
        }
    }
    free(p->buckets);
    free(p);
    return rc;
}

void kc_sim_doc_free(struct kc_sim_doc *doc)
{
    free(doc->df_buckets);
    doc->df_buckets = NULL;
    doc->n_df = 0;
}

/* ---- id map ---- */

static size_t map_slot(const struct kc_sim_index *ix, uint64_t id)
{
    size_t mask = ix->map_cap - 1, i = (size_t)kc_mix64(id) & mask;
    while (ix->map_vals[i] && ix->map_keys[i] != id) i = (i + 1) & mask;
    return i;
}

static int map_grow(struct kc_sim_index *ix)
{
    size_t cap = ix->map_cap ? ix->map_cap * 2 : 1024;
    uint64_t *ok = ix->map_keys;
    uint32_t *ov = ix->map_vals;
    size_t ocap = ix->map_cap;
    ix->map_keys = calloc(cap, sizeof *ix->map_keys);
    ix->map_vals = calloc(cap, sizeof *ix->map_vals);
    if (!ix->map_keys || !ix->map_vals) {
        free(ix->map_keys);
        free(ix->map_vals);
        ix->map_keys = ok, ix->map_vals = ov;
        return -1;
    }
    ix->map_cap = cap;
    for (size_t i = 0; i < ocap; i++) {
        if (!ov[i]) continue;
        size_t s = map_slot(ix, ok[i]);
        ix->map_keys[s] = ok[i];
        ix->map_vals[s] = ov[i];
    }
    free(ok);
    free(ov);
    return 0;
}

static long map_get(const struct kc_sim_index *ix, uint64_t id)
{
    if (!ix->map_cap) return -1;
    size_t s = map_slot(ix, id);
    return ix->map_vals[s] ? (long)ix->map_vals[s] - 1 : -1;
}

/* Linear-probing deletion by backward shift (no tombstones). */
static void map_del(struct kc_sim_index *ix, uint64_t id)
{
    size_t mask = ix->map_cap - 1, i = map_slot(ix, id);
    if (!ix->map_vals[i]) return;
    ix->map_vals[i] = 0;
    for (size_t j = (i + 1) & mask; ix->map_vals[j]; j = (j + 1) & mask) {
        size_t home = (size_t)kc_mix64(ix->map_keys[j]) & mask;
        bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (!movable) continue;
        ix->map_keys[i] = ix->map_keys[j];
        ix->map_vals[i] = ix->map_vals[j];
        ix->map_vals[j] = 0;
        i = j;
    }
}

/* ---- bands ---- */

static uint32_t band_key(const uint16_t *sig, uint32_t b, uint32_t rows)
{
    return (uint32_t)kc_hash64(sig + b * rows, rows * sizeof *sig, 0xBA00 + b);
}

static int cmp_bentry(const void *a, const void *b)
{
    const struct bentry *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->slot > y->slot) - (x->slot < y->slot);
}

/* Merge the pending buffer into the sorted array, dropping entries of dead slots. */
static int band_merge(struct kc_sim_index *ix, struct band *bd)
{
    qsort(bd->pend, bd->n_pend, sizeof *bd->pend, cmp_bentry);
    struct bentry *out = malloc((bd->n_sorted + bd->n_pend + 1) * sizeof *out);
    if (!out) return -1;
    size_t i = 0, j = 0, n = 0;
    while (i < bd->n_sorted || j < bd->n_pend) {
        bool take_sorted =
            j == bd->n_pend || (i < bd->n_sorted && cmp_bentry(&bd->sorted[i], &bd->pend[j]) <= 0);
        struct bentry e = take_sorted ? bd->sorted[i++] : bd->pend[j++];
        if (!ix->dead[e.slot]) out[n++] = e;
    }
    free(bd->sorted);
    bd->sorted = out;
    bd->n_sorted = n;
    bd->n_pend = 0;
    return 0;
}

static int band_add(struct kc_sim_index *ix, struct band *bd, uint32_t key, uint32_t slot)
{
    if (bd->n_pend == bd->cap_pend) {
        size_t cap = bd->cap_pend ? bd->cap_pend * 2 : 256;
        struct bentry *p = realloc(bd->pend, cap * sizeof *p);
        if (!p) return -1;
        bd->pend = p;
        bd->cap_pend = cap;
    }
    bd->pend[bd->n_pend++] = (struct bentry){key, slot};
    size_t limit = bd->n_sorted / 16 > 1024 ? bd->n_sorted / 16 : 1024;
    return bd->n_pend >= limit ? band_merge(ix, bd) : 0;
}

static int grow_slots(struct kc_sim_index *ix)
{
    if (ix->n_slots < ix->cap_slots) return 0;
    size_t cap = ix->cap_slots ? ix->cap_slots * 2 : 1024;
    uint64_t *ids = realloc(ix->ids, cap * sizeof *ids);
    if (ids) ix->ids = ids;
    uint16_t *sigs = realloc(ix->sigs, cap * KC_SIM_PERM * sizeof *sigs);
    if (sigs) ix->sigs = sigs;
    uint8_t *dead = realloc(ix->dead, cap);
    if (dead) ix->dead = dead;
    if (!ids || !sigs || !dead) return -1;
    ix->cap_slots = cap;
    return 0;
}

static int insert_slot(struct kc_sim_index *ix, uint64_t id, const uint16_t *sig)
{
    if (grow_slots(ix) != 0) return -1;
    if ((ix->n_live + 1) * 2 > ix->map_cap && map_grow(ix) != 0) return -1;
    uint32_t slot = (uint32_t)ix->n_slots++;
    ix->ids[slot] = id;
    memcpy(ix->sigs + (size_t)slot * KC_SIM_PERM, sig, KC_SIM_PERM * sizeof *sig);
    ix->dead[slot] = 0;
    size_t m = map_slot(ix, id);
    ix->map_keys[m] = id;
    ix->map_vals[m] = slot + 1;
    ix->n_live++;
    for (uint32_t b = 0; b < ix->p.bands; b++)
        if (band_add(ix, &ix->bands[b], band_key(sig, b, ix->p.rows), slot) != 0) return -1;
    return 0;
}

int kc_sim_add_prepared(struct kc_sim_index *ix, uint64_t id, const struct kc_sim_doc *doc,
                        struct kc_err *err)
{
    if (map_get(ix, id) >= 0)
        return kc_err_field(err, KC_E_CONFLICT, "id", "id %llu is already indexed",
                            (unsigned long long)id);
    if (ix->n_slots >= UINT32_MAX - 1)
        return kc_err_set(err, KC_E_INVALID, "similarity index is full");
    if (insert_slot(ix, id, doc->sig) != 0)
        return kc_err_set(err, KC_E_NOMEM, "similarity index: out of memory");
    for (size_t i = 0; i < doc->n_df; i++) ix->df[doc->df_buckets[i]]++;
    ix->df_docs++;
    return 0;
}

int kc_sim_add(struct kc_sim_index *ix, uint64_t id, const char *text, size_t len,
               struct kc_err *err)
{
    struct kc_sim_doc doc;
    if (kc_sim_prepare(text, len, &doc, err) != 0) return -1;
    int rc = kc_sim_add_prepared(ix, id, &doc, err);
    kc_sim_doc_free(&doc);
    return rc;
}

/* Rebuild slots, map and bands from the live documents only. */
static int compact(struct kc_sim_index *ix)
{
    size_t n = 0;
    for (size_t s = 0; s < ix->n_slots; s++) {
        if (ix->dead[s]) continue;
        ix->ids[n] = ix->ids[s];
        memmove(ix->sigs + n * KC_SIM_PERM, ix->sigs + s * KC_SIM_PERM,
                KC_SIM_PERM * sizeof *ix->sigs);
        ix->dead[n++] = 0;
    }
    free_bands(ix);
    memset(ix->map_vals, 0, ix->map_cap * sizeof *ix->map_vals);
    ix->n_slots = 0;
    ix->n_live = 0;
    size_t total = n;
    for (size_t s = 0; s < total; s++) {
        uint16_t sig[KC_SIM_PERM];
        memcpy(sig, ix->sigs + s * KC_SIM_PERM, sizeof sig);
        if (insert_slot(ix, ix->ids[s], sig) != 0) return -1;
    }
    for (uint32_t b = 0; b < ix->p.bands; b++)
        if (ix->bands[b].n_pend && band_merge(ix, &ix->bands[b]) != 0) return -1;
    return 0;
}

int kc_sim_remove(struct kc_sim_index *ix, uint64_t id, const char *text, size_t len,
                  struct kc_err *err)
{
    long slot = map_get(ix, id);
    if (slot < 0)
        return kc_err_field(err, KC_E_NOT_FOUND, "id", "id %llu is not indexed",
                            (unsigned long long)id);
    struct kc_sim_doc doc = {0};
    if (text && kc_sim_prepare(text, len, &doc, err) != 0) return -1;
    for (size_t i = 0; i < doc.n_df; i++)
        if (ix->df[doc.df_buckets[i]] > 0) ix->df[doc.df_buckets[i]]--;
    if (text && ix->df_docs > 0) ix->df_docs--;
    kc_sim_doc_free(&doc);
    ix->dead[slot] = 1;
    map_del(ix, id);
    ix->n_live--;
    size_t n_dead = ix->n_slots - ix->n_live;
    if (n_dead >= 1024 && n_dead > ix->n_live && compact(ix) != 0)
        return kc_err_set(err, KC_E_NOMEM, "similarity index: out of memory while compacting");
    return 0;
}

/* ---- query ---- */

struct cand {
    uint32_t slot, hits;
    double jaccard;
};

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->jaccard != y->jaccard) return x->jaccard < y->jaccard ? 1 : -1;
    if (x->hits != y->hits) return x->hits < y->hits ? 1 : -1;
    return (x->slot > y->slot) - (x->slot < y->slot);
}

static void visit(const struct kc_sim_index *ix, uint32_t slot, uint64_t exclude, uint8_t *cnt,
                  struct cand *c, size_t *nc)
{
    if (ix->dead[slot] || ix->ids[slot] == exclude) return;
    if (cnt[slot] == 0) c[(*nc)++] = (struct cand){slot, 0, 0};
    if (cnt[slot] < 255) cnt[slot]++;
}

/* Matching 16-bit values of two signatures, four lanes per 64-bit word: a lane of x = a ^ b
 * is zero exactly when the values match; the expression sets each zero lane's top bit. */
static unsigned sig_matches(const uint16_t *a, const uint16_t *b)
{
    const uint64_t low = 0x7FFF7FFF7FFF7FFFULL;
    unsigned same = 0;
    for (unsigned k = 0; k < KC_SIM_PERM; k += 4) {
        uint64_t x, y;
        memcpy(&x, a + k, 8);
        memcpy(&y, b + k, 8);
        x ^= y;
        uint64_t z = ~(((x & low) + low) | x | low) >> 15; /* 1 in each matching lane */
        same += (unsigned)((z * 0x0001000100010001ULL) >> 48);
    }
    return same;
}

enum { PREFETCH_AHEAD = 8 };

/* Insert c into top[0..*n) (sorted best first, at most max) if it belongs there. */
static void top_insert(struct cand *top, size_t *n, size_t max, struct cand c)
{
    if (*n == max && cmp_cand(&c, &top[max - 1]) >= 0) return;
    size_t i = *n < max ? (*n)++ : max - 1;
    while (i > 0 && cmp_cand(&c, &top[i - 1]) < 0) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = c;
}

/* The best `max` candidates (by MinHash estimate, at least min_jaccard) among the documents
 * sharing a band key with sig; *n_shared = how many documents shared a band. */
static struct cand *collect(const struct kc_sim_index *ix, const uint16_t *sig, uint64_t exclude,
                            size_t max, size_t *n_out, size_t *n_shared)
{
    uint8_t *cnt = calloc(ix->n_slots ? ix->n_slots : 1, 1);
    struct cand *c = malloc((ix->n_slots ? ix->n_slots : 1) * sizeof *c);
    struct cand *top = malloc((max ? max : 1) * sizeof *top);
    size_t nc = 0, nt = 0;
    if (!cnt || !c || !top) {
        free(cnt);
        free(c);
        free(top);
        return NULL;
    }
    for (uint32_t b = 0; b < ix->p.bands; b++) {
        const struct band *bd = &ix->bands[b];
        uint32_t key = band_key(sig, b, ix->p.rows);
        size_t lo = 0, hi = bd->n_sorted;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (bd->sorted[mid].key < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < bd->n_sorted && bd->sorted[lo].key == key; lo++)
            visit(ix, bd->sorted[lo].slot, exclude, cnt, c, &nc);
        for (size_t i = 0; i < bd->n_pend; i++)
            if (bd->pend[i].key == key) visit(ix, bd->pend[i].slot, exclude, cnt, c, &nc);
    }
    for (size_t i = 0; i < nc; i++) {
        if (i + PREFETCH_AHEAD < nc) { /* signatures are read at random: overlap the misses */
            const uint16_t *ahead = ix->sigs + (size_t)c[i + PREFETCH_AHEAD].slot * KC_SIM_PERM;
            for (unsigned line = 0; line < KC_SIM_PERM; line += 32)
                __builtin_prefetch(ahead + line);
        }
        c[i].hits = cnt[c[i].slot];
        unsigned same = sig_matches(ix->sigs + (size_t)c[i].slot * KC_SIM_PERM, sig);
        c[i].jaccard = same / (double)KC_SIM_PERM;
        if (c[i].jaccard >= ix->p.min_jaccard) top_insert(top, &nt, max, c[i]);
    }
    free(cnt);
    free(c);
    *n_out = nt;
    *n_shared = nc;
    return top;
}

static int cmp_hit(const void *a, const void *b)
{
    const struct kc_sim_hit *x = a, *y = b;
    double kx = x->cosine >= 0 ? x->cosine : x->jaccard,
           ky = y->cosine >= 0 ? y->cosine : y->jaccard;
    if (kx != ky) return kx < ky ? 1 : -1;
    return (x->id > y->id) - (x->id < y->id);
}

static void confirm(const struct kc_sim_index *ix, const struct kc_tfidf *q, struct kc_sim_hit *h,
                    kc_sim_fetch_fn fetch, void *ud)
{
    size_t len = 0;
    const char *t = fetch ? fetch(ud, h->id, &len) : NULL;
    struct kc_tfidf v;
    if (!t || kc_doc_check_text(t, len, "text", NULL) != 0 || kc_tfidf_build(ix, t, len, &v) != 0)
        return;
    h->cosine = kc_tfidf_cos(q, &v);
    h->similar = h->cosine >= ix->p.threshold;
    kc_tfidf_free(&v);
}

int kc_sim_query(const struct kc_sim_index *ix, const char *text, size_t len, uint64_t exclude_id,
                 size_t k, kc_sim_fetch_fn fetch, void *ud, struct kc_sim_hit *out, size_t *n_out,
                 struct kc_err *err)
{
    *n_out = 0;
    struct kc_sim_doc doc;
    if (prepare(text, len, &doc, false, err) != 0) return -1;
    kc_sim_doc_free(&doc);
    size_t m = 0, shared = 0;
    struct cand *c = collect(ix, doc.sig, exclude_id, ix->p.max_confirm, &m, &shared);
    struct kc_tfidf q = {0};
    struct kc_sim_hit *h = calloc(m ? m : 1, sizeof *h);
    if (!c || !h || (fetch && m && kc_tfidf_build(ix, text, len, &q) != 0)) {
        free(c);
        free(h);
        return kc_err_set(err, KC_E_NOMEM, "similarity query: out of memory");
    }
    for (size_t i = 0; i < m; i++) {
        h[i] = (struct kc_sim_hit){ix->ids[c[i].slot], c[i].jaccard, -1.0, c[i].hits, false};
        if (fetch) confirm(ix, &q, &h[i], fetch, ud);
    }
    qsort(h, m, sizeof *h, cmp_hit);
    for (size_t i = 0; i < m && i < k; i++) out[(*n_out)++] = h[i];
    kc_tfidf_free(&q);
    free(h);
    free(c);
    return 0;
}

/* ---- serialisation ---- */

static const char MAGIC[8] = {'K', 'C', 'S', 'I', 'M', 'I', 'X', '1'};
enum { SIM_VERSION = 1, HEADER_BYTES = 8 + 4 * 6 + 8 * 3 + 8 * 2 };

struct wbuf {
    unsigned char *p;
    size_t n;
};

static void put(struct wbuf *w, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) w->p[w->n++] = (unsigned char)(v >> (8 * i));
}

static void put_f64(struct wbuf *w, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    put(w, v, 8);
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

int kc_sim_serialize(const struct kc_sim_index *ix, unsigned char **buf, size_t *len,
                     struct kc_err *err)
{
    size_t df_n = (size_t)1 << KC_SIM_DF_BITS;
    size_t total = HEADER_BYTES + ix->n_live * (8 + KC_SIM_PERM * 2) + df_n * 4 + 8;
    struct wbuf w = {malloc(total), 0};
    if (!w.p) return kc_err_set(err, KC_E_NOMEM, "serialising index: out of memory");
    memcpy(w.p, MAGIC, 8);
    w.n = 8;
    put(&w, SIM_VERSION, 4);
    put(&w, KC_SIM_PERM, 4);
    put(&w, ix->p.bands, 4);
    put(&w, ix->p.rows, 4);
    put(&w, ix->p.max_confirm, 4);
    put(&w, KC_SIM_DF_BITS, 4);
    put_f64(&w, ix->p.threshold);
    put_f64(&w, ix->p.min_jaccard);
    put_f64(&w, ix->p.passage_min);
    put(&w, ix->n_live, 8);
    put(&w, ix->df_docs, 8);
    for (size_t s = 0; s < ix->n_slots; s++) {
        if (ix->dead[s]) continue;
        put(&w, ix->ids[s], 8);
        for (unsigned k = 0; k < KC_SIM_PERM; k++) put(&w, ix->sigs[s * KC_SIM_PERM + k], 2);
    }
    for (size_t i = 0; i < df_n; i++) put(&w, ix->df[i], 4);
    put(&w, fnv1a(w.p, w.n), 8);
    *buf = w.p;
    *len = w.n;
    return 0;
}

static uint64_t get(const unsigned char **p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)(*p)[i] << (8 * i);
    *p += bytes;
    return v;
}

static double get_f64(const unsigned char **p)
{
    uint64_t v = get(p, 8);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static struct kc_sim_index *bad(struct kc_err *err, const char *why)
{
    kc_err_field(err, KC_E_INVALID, "index", "similarity index buffer: %s", why);
    return NULL;
}

struct kc_sim_index *kc_sim_deserialize(const unsigned char *buf, size_t len, struct kc_err *err)
{
    if (!buf || len < HEADER_BYTES + 8 || memcmp(buf, MAGIC, 8) != 0)
        return bad(err, "not an index");
    if (get(&(const unsigned char *){buf + len - 8}, 8) != fnv1a(buf, len - 8))
        return bad(err, "checksum mismatch (corrupt or truncated)");
    const unsigned char *p = buf + 8;
    if (get(&p, 4) != SIM_VERSION || get(&p, 4) != KC_SIM_PERM)
        return bad(err, "unsupported version");
    struct kc_sim_params par;
    par.bands = (uint32_t)get(&p, 4);
    par.rows = (uint32_t)get(&p, 4);
    par.max_confirm = (uint32_t)get(&p, 4);
    if (get(&p, 4) != KC_SIM_DF_BITS) return bad(err, "unsupported DF table size");
    par.threshold = get_f64(&p);
    par.min_jaccard = get_f64(&p);
    par.passage_min = get_f64(&p);
    uint64_t n = get(&p, 8), df_docs = get(&p, 8);
    size_t df_n = (size_t)1 << KC_SIM_DF_BITS;
    if (n > (len - HEADER_BYTES) / (8 + KC_SIM_PERM * 2) ||
        len != HEADER_BYTES + n * (8 + KC_SIM_PERM * 2) + df_n * 4 + 8)
        return bad(err, "length does not match the document count");
    struct kc_sim_index *ix = kc_sim_create(&par, err);
    if (!ix) return NULL;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t id = get(&p, 8);
        uint16_t sig[KC_SIM_PERM];
        for (unsigned k = 0; k < KC_SIM_PERM; k++) sig[k] = (uint16_t)get(&p, 2);
        if (map_get(ix, id) >= 0 || insert_slot(ix, id, sig) != 0) {
            kc_sim_free(ix);
            return bad(err, "duplicate id or out of memory");
        }
    }
    for (size_t i = 0; i < df_n; i++) ix->df[i] = (uint32_t)get(&p, 4);
    ix->df_docs = df_docs;
    return ix;
}
