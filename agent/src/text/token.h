/*
 * token.h — Hangul-aware word tokenizer, josa stripping, terms and character n-grams.
 *
 * Input is always normalised text (norm.h), so case and width are already folded.
 *
 * Words: maximal runs of word characters (utf8.h) of one script class. A change between Hangul
 * and Latin/digits splits a word ("java를" -> "java" + "를"); inside Latin/digit words '.' and
 * '\'' between two alphanumerics and trailing '+'/'#' after a letter are kept ("node.js", "c++",
 * "c#", "3.5").
 *
 * Josa (Korean particles) are stripped from the end of Hangul words "where safe":
 *   - multi-syllable particles (에서, 으로, 에게, 까지, 부터, 처럼, 에서는 …) when at least one
 *     syllable remains;
 *   - single-syllable particles (은 는 이 가 을 를 에 로 와 과 의 도 만) only when at least two
 *     syllables remain and the word does not end with a listed noun whose last syllable merely
 *     looks like a particle (결과, 성과, 평가, 전문가, 회의, 정도, 속도, 경로, 회로 …);
 *   - a Hangul run glued directly to a Latin/digit word ("python을", "3년") is a particle when it
 *     is exactly one: such a run is dropped ("를") — "년" is not a particle and stays.
 * A token keeps both spans: the surface word and the stem.
 *
 * Terms (BM25): a 64-bit hash of each stem, plus, for Hangul stems of three or more syllables,
 * hashes of their syllable bigrams (compounds such as "백엔드개발자" then share terms with
 * "백엔드"/"개발자"). Bigram hashes use a different seed so they never equal a word's hash.
 *
 * Character n-grams: sliding windows of n code points over the normalised text (new lines count
 * as spaces); windows without any word character are skipped.
 *
 * Thread-safety: pure functions; output arrays are owned by the caller (free()).
 */
#ifndef KC_TEXT_TOKEN_H
#define KC_TEXT_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum kc_script { KC_SCRIPT_OTHER = 0, KC_SCRIPT_HANGUL, KC_SCRIPT_LATIN };

struct kc_token {
    uint32_t off;      /* byte offset of the word in the normalised text */
    uint32_t len;      /* bytes of the stem (the word without a stripped particle) */
    uint32_t full_len; /* bytes of the surface word */
    uint16_t nchars;   /* code points in the stem */
    uint8_t script;    /* enum kc_script (digits count as Latin) */
};

struct kc_tokens {
    struct kc_token *v; /* owned; free with kc_tokens_free */
    size_t n, cap;
};

/* Tokenise norm[0..len) and append to out (zero-initialise out first). 0, or -1 (KC_E_NOMEM). */
int kc_tok_words(const char *norm, size_t len, struct kc_tokens *out, struct kc_err *err);
void kc_tokens_free(struct kc_tokens *t);

/* Length in bytes of the stem of the Hangul word w[0..len) after particle stripping. */
size_t kc_tok_strip_josa(const char *w, size_t len);

/* Terms of norm[0..len) appended to *terms (realloc'd; caller frees). 0 or -1 (KC_E_NOMEM). */
int kc_tok_terms(const char *norm, size_t len, uint64_t **terms, size_t *n, size_t *cap,
                 struct kc_err *err);

/* Hash of one term string (a stem): the same value kc_tok_terms emits for it. */
uint64_t kc_tok_term_hash(const char *s, size_t len);

/* Call fn for every character n-gram (n = 1..8) of norm[0..len): hash and byte span. Returns the
 * number of n-grams produced. */
typedef void (*kc_ngram_fn)(void *ud, uint64_t hash, uint32_t off, uint32_t len);
size_t kc_tok_char_ngrams(const char *norm, size_t len, int n, kc_ngram_fn fn, void *ud);

#endif
