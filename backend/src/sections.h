/*
 * sections.h — resume text → sections (education, experience, skills, certificates, awards,
 * projects, other), with a Korean + English heading lexicon and date-range recognition.
 *
 * Output shape (also the shape the applicant corrects with PUT and the JSON upload uses):
 *   {"education":   [{"title","start","end","current","details":[...]}],
 *    "experience":  [...same...], "projects": [...same...],
 *    "skills":      ["C", "PostgreSQL", ...],
 *    "certificates":[{"name","date"}], "awards": [{"name","date"}],
 *    "other":       [{"heading","lines":[...]}]}
 * Dates are "YYYY-MM" (or "YYYY" when the month is not given), null when absent; `current`
 * is true for ranges ending in 현재/재직중/Present.
 *
 * Memory: returned json_t are new references (caller json_decref). Pure and reentrant.
 */
#ifndef KC_BACKEND_SECTIONS_H
#define KC_BACKEND_SECTIONS_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"

/* A recognised date range inside a line: byte span [start, end) and the normalised dates. */
struct kc_date_range {
    size_t start, end;
    char from[8], to[8]; /* "YYYY-MM" / "YYYY" / "" */
    int current;
};

/* Section key for a heading line ("경력 사항", "■ Work Experience", "Skills:"), or NULL.
 * *rest_off receives the byte offset of inline content after a ':' (0 when none). */
const char *kc_resume_heading(const char *line, size_t len, size_t *rest_off);
/* 1 and *out when the line holds a date range, else 0. */
/* Limits of a sections document, shared by the parser (which never exceeds them) and the
 * validator of the applicant's corrections. */
#define KC_SECTIONS_MAX_ITEMS   200   /* entries per section, lines per "other" group */
#define KC_SECTIONS_MAX_DETAILS 100   /* details per dated entry */
#define KC_SECTIONS_LINE_MAX    300   /* one-line fields (= KC_LINE_MAX) */
#define KC_SECTIONS_TEXT_MAX    20000 /* free-text lines (= KC_TEXT_MAX) */

/* a is before b, comparing "YYYY" / "YYYY-MM" dates at the coarser of the two precisions
 * ("2019" is not before "2019-03"). */
int kc_resume_date_before(const char *a, const char *b);
int kc_resume_find_range(const char *line, size_t len, struct kc_date_range *out);
/* 1 and a "YYYY-MM"/"YYYY" date with its span when the line holds a single date, else 0. */
int kc_resume_find_date(const char *line, size_t len, char out[8], size_t *start, size_t *end);

/* Parse UTF-8 text (NUL-terminated). Never fails on odd text: unknown lines go to "other". */
json_t *kc_resume_parse(const char *text);
/* Check a client-supplied sections object against the shape above (known keys only, types,
 * lengths, date formats). -1 with KC_E_INVALID naming the path ("sections.experience[0].start"). */
int kc_resume_sections_validate(const json_t *sections, struct kc_err *err);

#endif
