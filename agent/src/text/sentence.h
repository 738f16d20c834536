/*
 * sentence.h — sentence splitting of normalised text (Korean and English, bullets, lines).
 *
 * Rules, applied to normalised text (norm.h: one '\n' per line break, folded spaces):
 *   - A line break ends a sentence, except that a line starting with a lower-case ASCII letter in
 *     the ORIGINAL text continues the previous line when that line did not end a sentence (hard
 *     wrapped English paragraphs from PDF extraction).
 *   - '.', '!', '?', '。', '！', '？', '…' followed by a space end a sentence, unless the word
 *     before '.' is a listed abbreviation (e.g., i.e., etc., vs., mr., dr., inc., ltd., co.) or a
 *     single letter (an initial).
 *   - A Korean formal ending ("…니다", "…세요", "…어요", "…아요", "…해요", "…했다", "…였다",
 *     "…었다", "…한다", "…이다") followed by a space ends a sentence without punctuation.
 *   - Bullet markers at a line start (- * • · ▪ ◦ ○ ● ■ □ ▶ ► ✓ ✔ ➢ → and "1." "1)" "(1)"
 *     "①".."⑳") are not part of the sentence; "•", "●", "▪", "■", "◦", "▶", "►" between spaces
 *     inside a line start a new sentence (lists flattened onto one line).
 *   - A sentence longer than KC_SENT_MAX_BYTES is cut at the last space before the limit, so
 *     pathological input without punctuation stays bounded.
 *   - Sentences without a word character are dropped; spans are trimmed.
 *
 * Output spans are in normalised-text bytes; map them to the source with the norm map.
 * Thread-safety: pure; the array is owned by the caller.
 */
#ifndef KC_TEXT_SENTENCE_H
#define KC_TEXT_SENTENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "text/norm.h"

#define KC_SENT_MAX_BYTES 600

struct kc_sentence {
    uint32_t off, len; /* span in the normalised text */
    uint32_t line;     /* 0-based line number in the normalised text */
    bool line_start;   /* the sentence starts a line */
    bool bullet;       /* the line started with a bullet marker */
};

struct kc_sentences {
    struct kc_sentence *v; /* owned; free with kc_sentences_free */
    size_t n, cap;
};

/* Split the normalised text n (whose source is orig[0..orig_len)) into sentences. */
int kc_sent_split(const struct kc_norm *n, const char *orig, size_t orig_len,
                  struct kc_sentences *out, struct kc_err *err);
void kc_sentences_free(struct kc_sentences *s);

#endif
