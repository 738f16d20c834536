/*
 * hash.h — the 64-bit hashes used for terms, n-grams, shingles and MinHash.
 *
 * FNV-1a over the bytes followed by the splitmix64 finaliser: FNV alone has weak low bits, the
 * finaliser spreads every input bit over the whole word, so bins and buckets can take any slice.
 * Stable across runs and machines (the similarity index is serialised with these values).
 *
 * Thread-safety: pure inline functions.
 */
#ifndef KC_TEXT_HASH_H
#define KC_TEXT_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t kc_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static inline uint64_t kc_hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = (const unsigned char *)data;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return kc_mix64(h);
}

#endif
