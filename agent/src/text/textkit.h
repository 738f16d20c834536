/*
 * textkit.h — the read-only resources of the text layer, loaded once at service start.
 *
 * A kit holds the lexicons and the question bank from one data directory (default
 * KC_AGENT_DATA_DIR = agent/data):
 *   lexicon.tsv    skills and competencies (groups = competency categories)
 *   sections.tsv   resume / job post section headings
 *   cues.tsv       education, non-work, negation, required/preferred and achievement cues
 *   star.tsv       STAR cue words;  fillers.tsv  filler words;  tone.tsv  negative tone words
 *   values.tsv     company value concepts;  concepts.tsv  concept families for grading
 *   questions.json the interview question bank and templates (questions.h)
 * Every file is validated on load; a missing or malformed file fails the load with its name and
 * line (KC_E_IO / KC_E_INVALID), so a service never runs with half its data.
 *
 * Ownership: kc_textkit_load returns a kit the caller frees with kc_textkit_free.
 * Thread-safety: immutable after load; share one kit between all threads.
 */
#ifndef KC_TEXT_TEXTKIT_H
#define KC_TEXT_TEXTKIT_H

#include <jansson.h>

#include "core/err.h"
#include "text/lexicon.h"

/* Upper bound for any text input (resume, job post, transcript, values): 1 MiB. Larger input
 * is rejected with KC_E_INVALID naming the field; a real resume is 5–50 KB of text. */
#define KC_TEXT_MAX_BYTES (1024u * 1024u)

enum kc_lang { KC_LANG_KO = 0, KC_LANG_EN = 1 };

struct kc_textkit {
    struct kc_lexicon *skills, *sections, *cues, *star, *fillers, *tone, *values, *concepts;
    json_t *questions; /* validated question bank (questions.h); owned */
};

/* Load every data file from dir (NULL = KC_AGENT_DATA_DIR). NULL on error. */
struct kc_textkit *kc_textkit_load(const char *dir, struct kc_err *err);
void kc_textkit_free(struct kc_textkit *kit);

/* Entry index of `canonical` in lexicon lx, or -1 (a cue entry looked up by name). */
int kc_textkit_entry(const struct kc_lexicon *lx, const char *canonical);

const char *kc_lang_code(enum kc_lang lang);

#endif
