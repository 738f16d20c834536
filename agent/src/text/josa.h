/*
 * josa.h — choosing Korean particles after a word: 을/를, 이/가, 은/는, 와/과, 으로/로.
 *
 * The choice depends on whether the word's last sound has a final consonant (batchim):
 *   - Hangul syllable: from the syllable itself (ㄹ final counts as "no batchim" for 으로/로);
 *   - Latin word: read as Korean speakers pronounce it; final l, m, n or "ng" give a batchim
 *     ("Python을", "Kotlin은", "SQL을"), other letters do not ("Java를", "Kubernetes를");
 *     final l takes 로 ("SQL로");
 *   - digit: by the Sino-Korean reading (0 영, 1 일, 3 삼, 6 육, 7 칠, 8 팔 have one; 1, 7, 8 end
 *     in ㄹ).
 * Quotes, brackets and spaces after the word are skipped when looking for its last sound.
 * Thread-safety: pure.
 */
#ifndef KC_TEXT_JOSA_H
#define KC_TEXT_JOSA_H

#include <stddef.h>

/* For pair "을/를" (first = after a batchim) and the text before the particle, return the chosen
 * particle (a pointer into a static table) or NULL when pair is not one of the known pairs. */
const char *kc_josa_pick(const char *before, size_t len, const char *pair);

#endif
