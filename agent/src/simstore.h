/*
 * simstore.h — the agent's persistent similarity index: the text library's MinHash/LSH index
 * (text/sim.h) kept in memory, its documents' texts and a snapshot of the index in Redis.
 *
 * Redis layout
 *   kc:agent:simtext      hash   doc id (decimal) → resume text (the index keeps signatures
 *                                only; confirmation and passages read texts from here)
 *   kc:agent:simindex     string kc_sim_serialize snapshot (signatures, ids, DF table)
 *   kc:agent:simpending   set    ids added since the last snapshot
 *   kc:agent:simdeleted   set    ids being deleted (tombstones until the deletion is complete)
 *
 * Durability and the deletion guarantee
 *   add:    SADD pending → HSET text → index add → snapshot later (debounced: at most one save
 *           per flush interval, from kc_simstore_tick, and at close) → SREM pending.
 *   delete: SADD deleted → index remove → snapshot NOW → HDEL text → SREM deleted; the call
 *           returns only when the document is gone from memory, the snapshot and the texts.
 *   open:   load the snapshot (absent or corrupt → rebuild from every stored text), then finish
 *           interrupted work: every tombstoned id is removed everywhere, every pending id whose
 *           text exists is (re-)added. A crash at any point therefore converges to "deleted
 *           stays deleted, added stays added".
 * Several agent replicas each hold their own copy loaded at start; adds made by one replica
 * reach the others at their next start (a known limit of this version).
 *
 * Queries: the caller's threshold (default the index's) decides "similar"; passages are
 * computed for similar hits. Result JSON:
 *   {"hits":[{"doc_id","similar","cosine":{"value","status"},"jaccard_estimate","band_hits",
 *             "passages":[...]}],"threshold","indexed","definition"}
 *
 * Thread-safety: all functions are thread-safe (a read-write lock guards the index; queries run
 * concurrently; preparation of a text runs outside the lock).
 * Ownership: returned json_t are new references.
 */
#ifndef KC_AGENT_SIMSTORE_H
#define KC_AGENT_SIMSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/err.h"
#include "core/redis.h"

#define KC_SIMSTORE_FLUSH_MS 2000 /* snapshot at most this often after adds */
#define KC_SIMSTORE_MAX_K    100

struct kc_simstore;

/* Load (or create) the index from Redis and finish interrupted adds/deletes. NULL with err
 * (KC_E_UNAVAILABLE) when Redis cannot be read. */
struct kc_simstore *kc_simstore_open(struct kc_redis *r, struct kc_err *err);
/* The same, deferred: never fails for Redis; the index loads on the first operation or tick
 * that can reach Redis, and operations answer KC_E_UNAVAILABLE until then (the service uses
 * this so it starts, and reports, while Redis is down). NULL only without memory. */
struct kc_simstore *kc_simstore_new(struct kc_redis *r, struct kc_err *err);
bool kc_simstore_loaded(struct kc_simstore *s);
/* Save a pending snapshot and free. */
void kc_simstore_close(struct kc_simstore *s);
/* Free without touching Redis (after the service freed its pool). Adds made since the last
 * snapshot are still in kc:agent:simpending and are re-added at the next open. NULL is ok. */
void kc_simstore_free(struct kc_simstore *s);

/* Documents indexed (0 while not loaded). */
size_t kc_simstore_size(struct kc_simstore *s);

/* Index text under id (replacing a previous text of the same id). *replaced (may be NULL)
 * tells whether it existed. Errors: KC_E_INVALID (text), KC_E_UNAVAILABLE (Redis). */
int kc_simstore_add(struct kc_simstore *s, uint64_t id, const char *text, size_t len,
                    bool *replaced, struct kc_err *err);

/* Remove id from the index, the snapshot and the texts before returning. KC_E_NOT_FOUND when
 * the id is unknown. */
int kc_simstore_remove(struct kc_simstore *s, uint64_t id, struct kc_err *err);

/* Similar documents to text (exclude_id skipped; UINT64_MAX = none). threshold < 0 = the
 * index default. k in 1..KC_SIMSTORE_MAX_K. */
json_t *kc_simstore_query(struct kc_simstore *s, const char *text, size_t len, uint64_t exclude_id,
                          size_t k, double threshold, struct kc_err *err);
/* The same for an indexed document's own text (it is excluded). KC_E_NOT_FOUND if unknown. */
json_t *kc_simstore_query_id(struct kc_simstore *s, uint64_t id, size_t k, double threshold,
                             struct kc_err *err);

/* Load the index if it is not loaded yet; then write the snapshot if adds are pending and the
 * flush interval passed (force: now). Called periodically by the service; 0 or -1 with err. */
int kc_simstore_tick(struct kc_simstore *s, bool force, struct kc_err *err);

/* Parse a document id: a JSON integer >= 0 or a string of 1..19 decimal digits. */
int kc_simstore_parse_id(const json_t *v, const char *field, uint64_t *id, struct kc_err *err);
int kc_simstore_parse_id_str(const char *s, const char *field, uint64_t *id, struct kc_err *err);

#endif
