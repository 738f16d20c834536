/*
 * dates.h — month dates, date ranges in resume text, and interval merging.
 *
 * Dates have month resolution (resumes rarely give days). Recognised forms, in normalised text:
 *   2019.03  2019-03  2019/3  2019. 03.  2019.03.15    (year first; a day is ignored)
 *   03/2019  3.2019                                     (month first)
 *   2019년 3월  2019년3월  2019년                       (Korean)
 *   mar 2019  march 2019  mar. 2019  mar, 2019          (English month names)
 *   2019                                                 (year only: inside a range only)
 *   현재 재직중 재직 중 진행중 present current now today ongoing   (the reference month)
 * A range is two dates joined by '-', '~', 'to', 'until', 'till', 'through', '부터' (optionally
 * followed by '~'/'-') with only spaces around. A year-only start means January, a year-only end
 * December. Ranges whose start is after their end, or after the reference month, are rejected
 * (kept with `rejected` set so callers can report them); an end after the reference month is
 * clamped to it (a planned end date is not experience yet).
 *
 * Months are counted inclusively: 2019.03 – 2019.08 is 6 months. Merging sorts by start and joins
 * intervals that overlap or touch (next start <= current end + 1 month), so parallel jobs are not
 * counted twice and consecutive jobs form one span.
 *
 * "Present" is always the reference month given by the caller — never the wall clock.
 * Thread-safety: pure functions; arrays are owned by the caller (free()).
 */
#ifndef KC_TEXT_DATES_H
#define KC_TEXT_DATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KC_YEAR_MIN 1950
#define KC_YEAR_MAX 2100

struct kc_ym {
    int year, month; /* month 1..12 */
};

struct kc_date_range {
    struct kc_ym start, end;
    bool end_present;  /* end was "현재"/"present" (= the reference month) */
    bool clamped;      /* end was after the reference month and was clamped */
    bool rejected;     /* start after end, or start after the reference month */
    uint32_t off, len; /* span of the range text in the normalised text */
};

struct kc_date_ranges {
    struct kc_date_range *v; /* owned; free with kc_date_ranges_free */
    size_t n, cap;
};

/* Months since year 0 (year * 12 + month - 1): a total order on months. */
static inline int kc_ym_index(struct kc_ym d)
{
    return d.year * 12 + d.month - 1;
}
static inline struct kc_ym kc_ym_from_index(int i)
{
    return (struct kc_ym){i / 12, i % 12 + 1};
}

/* Parse a whole string as one date ("2019-03", "2019.3", "Mar 2019", "2019년 3월", "2019",
 * "현재"/"present" -> ref). Returns 0, or -1 with KC_E_INVALID naming `field`. *is_present is set
 * when the text named the present (may be NULL). */
int kc_date_parse(const char *s, size_t len, struct kc_ym ref, struct kc_ym *out, bool *is_present,
                  const char *field, struct kc_err *err);

/* Parse a reference date "YYYY-MM" or "YYYY-MM-DD". 0 or -1 (KC_E_INVALID, field). */
int kc_date_parse_ref(const char *s, struct kc_ym *out, const char *field, struct kc_err *err);

/* Find all ranges in the normalised text norm[0..len) and append them to out. 0 or -1. */
int kc_date_find_ranges(const char *norm, size_t len, struct kc_ym ref, struct kc_date_ranges *out,
                        struct kc_err *err);
void kc_date_ranges_free(struct kc_date_ranges *r);

/* Merge the non-rejected ranges of in[0..n) into out (sorted, disjoint, non-touching; caller
 * provides room for n). Returns the number of merged intervals; *months = total months. */
size_t kc_date_merge(const struct kc_date_range *in, size_t n, struct kc_date_range *out,
                     int *months);

#endif
