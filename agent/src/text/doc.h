/*
 * doc.h — one analysed text (resume, job post, transcript): the shared input of screening,
 * highlights, questions and grading.
 *
 * kc_doc_open validates (UTF-8, size, not empty), normalises, splits sentences, tokenizes, finds
 * skills (kit->skills) and cue words, detects section headings and the language, and finds date
 * ranges. Everything is computed once; later passes only read.
 *
 * Offsets: every `off`/`len` named *_src is a byte span of the caller's ORIGINAL text (what the
 * API reports); plain `off`/`len` are spans of the normalised text d->norm.text.
 *
 * Sections: a sentence that is a whole short line (<= KC_DOC_HEADING_MAX_CHARS code points) whose
 * text, without decoration ([]【】<>:·-#* numbering), equals a sections.tsv surface is a heading;
 * the following sentences belong to that section until the next heading. Before any heading the
 * section is KC_SEC_NONE.
 *
 * Language: KC_LANG_KO when Hangul syllables make up at least KC_DOC_KO_SHARE of the letters
 * (Hangul syllables + Latin letters), otherwise KC_LANG_EN (Korean resumes carry many English
 * technology names, so a low share already means Korean prose).
 *
 * Ownership: the doc borrows `text` (it must outlive the doc) and owns everything else; free with
 * kc_doc_close. Thread-safety: a doc is used by one thread; the kit is shared read-only.
 */
#ifndef KC_TEXT_DOC_H
#define KC_TEXT_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "text/bm25.h"
#include "text/dates.h"
#include "text/lexicon.h"
#include "text/norm.h"
#include "text/textkit.h"
#include "text/token.h"

#define KC_DOC_HEADING_MAX_CHARS 30
#define KC_DOC_KO_SHARE          0.2

enum kc_section {
    KC_SEC_NONE = 0,
    KC_SEC_EDUCATION,
    KC_SEC_EXPERIENCE,
    KC_SEC_PROJECTS,
    KC_SEC_SKILLS,
    KC_SEC_CERTIFICATES,
    KC_SEC_AWARDS,
    KC_SEC_SUMMARY,
    KC_SEC_ACTIVITIES,
    KC_SEC_LANGUAGES,
    KC_SEC_MILITARY,
    KC_SEC_REQUIREMENTS,
    KC_SEC_PREFERRED,
    KC_SEC_DUTIES,
    KC_SEC_BENEFITS,
    KC_SEC_COMPANY,
    KC_SEC_PROCESS,
    KC_SEC_COUNT
};

struct kc_doc_sentence {
    uint32_t off, len;         /* normalised span */
    uint32_t off_src, len_src; /* original span */
    uint32_t tok_first, tok_count;
    uint32_t skill_first, skill_count; /* range in doc->skills (sorted by offset) */
    uint32_t cue_first, cue_count;     /* range in doc->cues (sorted by offset) */
    uint8_t section;                   /* enum kc_section */
    bool heading, bullet;
    bool negated; /* contains a negation cue (cues.tsv "negation": 경험이 없, no experience …) */
};

struct kc_doc {
    const char *text; /* the original text (borrowed) */
    size_t len;
    struct kc_norm norm;
    struct kc_doc_sentence *sent;
    size_t n_sent;
    struct kc_tokens tokens;
    struct kc_lex_matches skills; /* kit->skills matches over the whole text */
    uint32_t *skill_sent;         /* sentence index of each skill match */
    struct kc_lex_matches cues;   /* kit->cues matches over the whole text */
    struct kc_date_ranges ranges; /* date ranges (normalised spans) */
    uint32_t *range_sent;         /* sentence index of each range */
    struct kc_bm25 bm25;          /* sentences as BM25 documents */
    enum kc_lang lang;
    const struct kc_textkit *kit;
};

/* Analyse text[0..len) (the `field` name is used in errors: "resume.text"). ref is the reference
 * month for "present". Errors: KC_E_INVALID (empty, too large, invalid UTF-8 — with the byte
 * position), KC_E_NOMEM. On error the doc needs no close. */
int kc_doc_open(struct kc_doc *d, const struct kc_textkit *kit, const char *text, size_t len,
                struct kc_ym ref, const char *field, struct kc_err *err);
void kc_doc_close(struct kc_doc *d);

/* Sentence index containing normalised offset off (binary search), or SIZE_MAX. */
size_t kc_doc_sentence_at(const struct kc_doc *d, uint32_t off);

/* Map a normalised span to the original text. */
void kc_doc_src_span(const struct kc_doc *d, uint32_t off, uint32_t len, uint32_t *off_src,
                     uint32_t *len_src);

/* Does the doc's normalised sentence s contain a match of any entry of lexicon lx in group
 * `group` (-1 = any)? Returns the first matching entry index or -1; *match_off/len get the
 * normalised span when found (may be NULL). kit->cues matches are precomputed; other lexicons
 * are matched on demand. */
int kc_doc_sentence_cue(const struct kc_doc *d, size_t s, const struct kc_lexicon *lx, int group,
                        uint32_t *match_off, uint32_t *match_len);

/* Terms of the sentence (BM25 query or document), appended to a caller array. */
int kc_doc_terms(const char *norm, size_t len, uint64_t **terms, size_t *n, size_t *cap,
                 struct kc_err *err);

/* Validate a text field: valid UTF-8, at most KC_TEXT_MAX_BYTES, at least one word character. */
int kc_doc_check_text(const char *text, size_t len, const char *field, struct kc_err *err);

#endif
