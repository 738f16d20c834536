/*
 * trust_impact.c — adverse-impact arithmetic; definitions in trust_impact.h. Two passes:
 * rates and inclusion (the 2 % rule needs the total), then the highest included rate and
 * the ratios against it, compared in integers for the four-fifths flag.
 */
#include "trust_impact.h"

#include <string.h>

static int valid(long assessed, long selected)
{
    return assessed >= 0 && selected >= 0 && selected <= assessed;
}

/* Index of the included group with the highest rate (ties: the larger group), or -1. */
static long highest_group(const struct kc_impact_row *rows, size_t n)
{
    long best = -1;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].excluded_under_2pct || rows[i].assessed == 0) continue;
        if (best < 0) {
            best = (long)i;
            continue;
        }
        const struct kc_impact_row *b = &rows[best];
        /* compare sel_i/ass_i with sel_b/ass_b exactly */
        long long lhs = (long long)rows[i].selected * b->assessed;
        long long rhs = (long long)b->selected * rows[i].assessed;
        if (lhs > rhs || (lhs == rhs && rows[i].assessed > b->assessed)) best = (long)i;
    }
    return best;
}

int kc_impact_compute(const struct kc_impact_group *groups, size_t n, long unknown_assessed,
                      long unknown_selected, struct kc_impact_row *rows,
                      struct kc_impact_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    if (!valid(unknown_assessed, unknown_selected)) return -1;
    long total = unknown_assessed, known = 0;
    for (size_t i = 0; i < n; i++) {
        if (!valid(groups[i].assessed, groups[i].selected)) return -1;
        total += groups[i].assessed;
        known += groups[i].assessed;
    }
    sum->total_assessed = total;
    sum->unknown_assessed = unknown_assessed, sum->unknown_selected = unknown_selected;
    for (size_t i = 0; i < n; i++) {
        struct kc_impact_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        r->name = groups[i].name;
        r->assessed = groups[i].assessed, r->selected = groups[i].selected;
        if (r->assessed) r->selection_rate = (double)r->selected / (double)r->assessed;
        /* under 2 %: 50·assessed < total, exactly */
        r->excluded_under_2pct = total > 0 && 50LL * r->assessed < (long long)total;
        if (!r->excluded_under_2pct && r->assessed < KC_IMPACT_MIN_GROUP) sum->small_sample = 1;
    }
    if (known < KC_IMPACT_MIN_TOTAL) sum->small_sample = 1;
    long h = highest_group(rows, n);
    if (h < 0 || rows[h].selected == 0) {
        sum->status = "insufficient_data";
        return 0;
    }
    sum->status = "ok";
    const struct kc_impact_row *m = &rows[h];
    rows[h].highest = 1;
    for (size_t i = 0; i < n; i++) {
        struct kc_impact_row *r = &rows[i];
        if (r->excluded_under_2pct || r->assessed == 0) continue;
        r->ratio_ok = 1;
        r->impact_ratio = r->selection_rate / m->selection_rate;
        r->four_fifths_flag = 5LL * r->selected * m->assessed < 4LL * m->selected * r->assessed;
    }
    return 0;
}
