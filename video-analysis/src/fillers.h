/*
 * fillers.h — filler words ("um", "like", "음", "그") in a timed transcript.
 *
 * Input is the ASR word list (struct kc_word: text as the engine wrote it, possibly with
 * punctuation such as "Um," and start/end times, NaN when unknown). Each word is normalised
 * (ASCII lower-case; leading/trailing punctuation, '~' and '…' stripped; "ummm" → "um") and
 * matched against per-language rules. Punctuation around a word and silent gaps between words
 * (>= KC_FILLER_PAUSE_S) count as "set off", the strongest cue that a word is a filler.
 *
 * English
 *   um, uh, er, ah, erm, hmm, mm (and stretched spellings)   always fillers
 *   like      a filler when set off by punctuation/pause (not merely by the transcript start:
 *             "Like I said" is a conjunction), when it follows a conjunction (and, but, so, or,
 *             because) or another filler, or when it follows a form of "be" (is, was, it's...)
 *             and no determiner follows ("it was like huge" yes, "it is like a car" no); never
 *             after a subject/modal/perception word that makes it a verb or preposition (I
 *             like, would like, looks like, feel like, something like, just like...).
 *   you know  a filler when set off (punctuation/pause/start/end) or followed by a clause
 *             opener (I, we, they, so, and, but, like, um...), and not after do/did/if/what/how/
 *             modals ("do you know") nor before an object (that, what, how, it, him...).
 *   I mean    a filler when set off or at an utterance start, not after what/do/did/if ("what I
 *             mean") and not before an object (it, that, this, what, to, you...).
 * Korean (standalone tokens only; particles attached to a word make it a different token)
 *   음, 어    always fillers.
 *   그, 저    fillers only in hesitation context: set off by punctuation/pause, at the end,
 *             followed by another filler or repeated ("그 그"); otherwise they are determiners
 *             ("그 사람", also "음 그 사람").
 *   뭐        a filler unless its sentence ends in "?" (then it is the pronoun "what").
 *   이제      counted as a standalone token (the discourse marker; its literal "now" reading is
 *             not separated — documented limitation).
 * Multi-word fillers are reported at their first word's index and count once.
 *
 * Thread-safety: pure. Ownership: results are caller-owned (kc_fillers_free).
 */
#ifndef KC_FILLERS_H
#define KC_FILLERS_H

#include <stddef.h>

#include "core/err.h"

#define KC_FILLER_PAUSE_S 0.3 /* a silent gap this long between words sets a word off */

/* One transcript word. Times in seconds of file time (NaN when unknown); conf 0..1 or NaN. */
struct kc_word {
    const char *w;
    double start, end, conf;
};

struct kc_filler_hit {
    size_t index;     /* index of the (first) word in the transcript */
    size_t n_words;   /* 1, or 2 for "you know" / "I mean" */
    const char *kind; /* normalised filler ("um", "you know", "음"); static string */
};

struct kc_fillers {
    struct kc_filler_hit *hits; /* in transcript order; owned */
    size_t n;
};

/* Find fillers. lang "en" or "ko" (others: KC_E_INVALID). 0 ok, -1 error. */
int kc_fillers_find(const struct kc_word *words, size_t n, const char *lang, struct kc_fillers *out,
                    struct kc_err *err);
void kc_fillers_free(struct kc_fillers *f);

#endif
