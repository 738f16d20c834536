/*
 * norm.h — text normalisation with a byte offset map back to the source.
 *
 * Every analysis in agent/src/text works on normalised text but reports evidence as offsets into
 * the caller's original text, so normalisation keeps, for each output byte, the source byte offset
 * of the character that produced it.
 *
 * Normalisation (in this order, per code point):
 *   1. Hangul NFC: conjoining jamo L+V(+T) and LV+T compose into precomposed syllables (the
 *      Unicode algorithm of ch. 3.12; NFD text from macOS/PDF extraction becomes NFC).
 *   2. Full-width forms U+FF01..FF5E -> ASCII U+0021..7E; U+3000 ideographic space -> space.
 *   3. Dashes U+2010..2015, U+2212, U+FE58, U+FE63 -> '-'; wave dash U+301C -> '~';
 *      curly quotes -> ASCII quotes.
 *   4. Lower case: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic basic ranges.
 *   5. Whitespace folding: a run of horizontal white space (incl. NBSP, U+2000..200A) becomes one
 *      ' '; a run containing a line break becomes one '\n'. Leading/trailing white space dropped.
 *   6. Dropped: zero-width characters (U+200B..200D, U+2060, U+FEFF), soft hyphen U+00AD, and C0/C1
 *      controls other than white space.
 *
 * Invariants: out->text is valid NUL-terminated UTF-8 of out->len bytes; out->map has len + 1
 * entries, is non-decreasing, and out->map[len] == source length. A normalised span [a, b)
 * corresponds to the source span [map[a], map[b]).
 *
 * Thread-safety: pure functions; the struct is owned by the caller.
 */
#ifndef KC_TEXT_NORM_H
#define KC_TEXT_NORM_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct kc_norm {
    char *text;    /* normalised UTF-8, NUL-terminated; owned, freed by kc_norm_free */
    size_t len;    /* bytes in text, excluding the NUL */
    uint32_t *map; /* len + 1 source byte offsets; owned */
};

/* Normalise src[0..len) (must be valid UTF-8: validate first). Returns 0, or -1 with
 * KC_E_NOMEM. The caller frees out with kc_norm_free. Sources up to 4 GiB - 1. */
int kc_norm_text(const char *src, size_t len, struct kc_norm *out, struct kc_err *err);

/* Normalise into a malloc'd NUL-terminated string without the map (caller frees with free());
 * NULL on allocation failure. Used for short strings: keywords, lexicon surfaces. */
char *kc_norm_dup(const char *src, size_t len);

void kc_norm_free(struct kc_norm *n);

/* The single-code-point case fold used by step 4 (exposed for tests). */
uint32_t kc_norm_fold_cp(uint32_t c);

#endif
