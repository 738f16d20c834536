/*
 * lexicon.h — bilingual phrase lexicons (skills, values, cue words) matched longest-first.
 *
 * File format (UTF-8 TSV, '#' starts a comment line, blank lines ignored):
 *   @group <TAB> id <TAB> Korean label <TAB> English label      declares a group
 *   canonical <TAB> group id <TAB> surface|surface|...          an entry
 * The canonical name is itself a surface. Surfaces are normalised (norm.h) when loaded; two
 * entries may not share a normalised surface (load fails naming both lines), and an entry's group
 * must have been declared.
 *
 * Matching runs over normalised text and is longest-first, non-overlapping, left to right:
 * at each code point a trie walk finds the longest surface that satisfies the boundary rules:
 *   - a surface starting with a Latin letter/digit may not follow a Latin letter/digit;
 *   - a surface ending with a Latin letter/digit may not be followed by one ("java" does not
 *     match inside "javascript"; "java를" matches);
 *   - a surface starting with Hangul may not follow a Hangul syllable unless it has at least
 *     KC_LEX_HANGUL_INFIX_MIN syllables (long terms inside compounds: "딥러닝머신러닝");
 *   - a surface ending with Hangul may be followed by anything (particles and endings).
 *
 * Data layout: a byte trie (first-child/next-sibling nodes, a 256-way table at the root).
 * Thread-safety: loaded once, then immutable; concurrent matching is safe.
 */
#ifndef KC_TEXT_LEXICON_H
#define KC_TEXT_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KC_LEX_HANGUL_INFIX_MIN 3

struct kc_lex_entry {
    char *canonical; /* display name as written in the file ("Kubernetes"); owned */
    char *key;       /* normalised canonical ("kubernetes"); owned */
    uint32_t group;  /* index into the lexicon's groups */
    char **surfaces; /* distinct normalised surfaces incl. the canonical; owned */
    size_t n_surfaces;
};

struct kc_lex_group {
    char *id, *label_ko, *label_en; /* owned */
};

struct kc_lex_match {
    uint32_t entry;    /* entry index */
    uint32_t off, len; /* span in the normalised text */
};

struct kc_lex_matches {
    struct kc_lex_match *v; /* owned; free with kc_lex_matches_free */
    size_t n, cap;
};

struct kc_lexicon;

/* Load from a file / parse from memory (name is used in error messages). NULL on error
 * (KC_E_IO for an unreadable file, KC_E_INVALID with the line number for bad content). */
struct kc_lexicon *kc_lex_load(const char *path, struct kc_err *err);
struct kc_lexicon *kc_lex_parse(const char *buf, size_t len, const char *name, struct kc_err *err);
void kc_lex_free(struct kc_lexicon *lex);

size_t kc_lex_size(const struct kc_lexicon *lex);
const struct kc_lex_entry *kc_lex_entry_at(const struct kc_lexicon *lex, size_t i);
size_t kc_lex_group_count(const struct kc_lexicon *lex);
const struct kc_lex_group *kc_lex_group_at(const struct kc_lexicon *lex, size_t i);
/* Group index by id, or -1. */
int kc_lex_group_find(const struct kc_lexicon *lex, const char *id);

/* Append all matches in norm[0..len) to out. 0, or -1 (KC_E_NOMEM). */
int kc_lex_find(const struct kc_lexicon *lex, const char *norm, size_t len,
                struct kc_lex_matches *out, struct kc_err *err);
void kc_lex_matches_free(struct kc_lex_matches *m);

/* Entry whose surface equals the whole normalised string s[0..len), or -1. */
int kc_lex_lookup(const struct kc_lexicon *lex, const char *s, size_t len);

#endif
