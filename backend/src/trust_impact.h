/*
 * trust_impact.h — adverse-impact arithmetic (pure; no I/O), unit-tested in
 * backend/tests/test_trust_impact.c.
 *
 * Definitions (EEOC Uniform Guidelines § 1607.4(D); NYC Local Law 144 rules § 5-301):
 *  - selection rate of a group = selected / assessed (assessed = people who reached the stage
 *    and were decided or are being decided there; selected = passed it);
 *  - impact ratio = the group's rate / the highest rate among the included groups;
 *  - four-fifths flag: impact ratio < 4/5, decided exactly in integers
 *    (5·sel_g·assessed_max < 4·sel_max·assessed_g), so 0.8 itself is not flagged;
 *  - a group whose assessed count is under 2 % of all assessed (unknowns included) is
 *    excluded from the ratio calculation (LL 144 allows it) and reported with its counts;
 *  - unknown = assessed people without a value for the category: counted, never a group;
 *  - small-sample warning when any included group has fewer than KC_IMPACT_MIN_GROUP
 *    assessed or all known assessed are fewer than KC_IMPACT_MIN_TOTAL.
 * Thread-safety: reentrant. Memory: caller provides the arrays.
 */
#ifndef KC_BACKEND_TRUST_IMPACT_H
#define KC_BACKEND_TRUST_IMPACT_H

#include <stddef.h>

#define KC_IMPACT_MIN_GROUP 5
#define KC_IMPACT_MIN_TOTAL 30

struct kc_impact_group {
    const char *name;
    long assessed, selected;
};

struct kc_impact_row {
    const char *name;
    long assessed, selected;
    double selection_rate; /* valid when assessed > 0 */
    double impact_ratio;   /* valid when ratio_ok */
    int ratio_ok;          /* 0: excluded (< 2 %), no assessed, or the highest rate is 0 */
    int excluded_under_2pct;
    int four_fifths_flag;
    int highest; /* this group has the highest rate */
};

struct kc_impact_summary {
    long total_assessed; /* including unknowns */
    long unknown_assessed, unknown_selected;
    int small_sample;
    const char *status; /* "ok" | "insufficient_data" (no included group with a rate > 0) */
};

/* Fill rows[0..n) from groups[0..n). Returns 0, or -1 when a count is negative or
 * selected > assessed (the caller's data is inconsistent). */
int kc_impact_compute(const struct kc_impact_group *groups, size_t n, long unknown_assessed,
                      long unknown_selected, struct kc_impact_row *rows,
                      struct kc_impact_summary *sum);

#endif
