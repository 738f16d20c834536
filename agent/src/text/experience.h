/*
 * experience.h — years of work experience of a resume, with the intervals that justify them.
 *
 * Source of intervals:
 *   1. sections JSON `experience: [{org, title, start, end}]` when given (end may be "현재",
 *      "present", null or missing = the reference month) — parsed with kc_date_parse;
 *   2. otherwise the date ranges found in the resume text (dates.h), keeping only work periods:
 *      a range is excluded when its sentence lies in the education, military, certificates,
 *      awards, activities or languages section, or contains an education / non-work cue
 *      (cues.tsv: 대학교, 학사, university, bachelor, 병역, 전역, military …). When the resume
 *      has an experience section that contains ranges, only ranges in that section count.
 * The kept intervals are merged (dates.h: overlaps and touching months join) and their months
 * summed; years = months / 12.
 *
 * Status: "ok" when at least one interval is kept, else "insufficient_data" (years are then
 * unknown, reported as 0 with that status — never guessed).
 *
 * Ownership: the struct owns its arrays; free with kc_experience_free.
 * Thread-safety: reentrant.
 */
#ifndef KC_TEXT_EXPERIENCE_H
#define KC_TEXT_EXPERIENCE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "text/doc.h"

struct kc_experience {
    struct kc_date_range *kept; /* counted intervals (normalised spans for text ranges) */
    uint32_t *kept_sent;        /* sentence index per kept interval; UINT32_MAX from sections */
    size_t n_kept;
    struct kc_date_range *excluded; /* text ranges that were not counted */
    uint32_t *excluded_sent;
    const char **excluded_reason; /* static strings */
    size_t n_excluded;
    struct kc_date_range *merged;
    size_t n_merged;
    int months;
    bool from_sections;
};

/* sections may be NULL. Errors: KC_E_INVALID for a malformed sections.experience item (field
 * named, e.g. "resume.sections.experience[1].start"), KC_E_NOMEM. */
int kc_experience_compute(const struct kc_doc *d, const json_t *sections, struct kc_ym ref,
                          struct kc_experience *out, struct kc_err *err);
void kc_experience_free(struct kc_experience *e);

static inline double kc_experience_years(const struct kc_experience *e)
{
    return e->months / 12.0;
}

/* JSON description: {value, unit:"years", months, status, source, definition, intervals:[...],
 * merged:[...], excluded:[...]}. New reference. */
json_t *kc_experience_json(const struct kc_doc *d, const struct kc_experience *e);

/* "2019-03" */
void kc_ym_format(struct kc_ym d, char out[8]);

#endif
