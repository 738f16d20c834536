/*
 * test_trust_impact.c — adverse-impact arithmetic on worked examples with known answers:
 * the four-fifths boundary (ratio exactly 0.8 is not flagged, just under is), the LL 144
 * 2 % exclusion (exactly 2 % is included), unknowns counted apart yet part of the 2 %
 * denominator, ties for the highest rate, a zero highest rate, and inconsistent input.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "trust_impact.h"

#define EPS 1e-12

Test(trust_impact, four_fifths_boundary_exact)
{
    /* male 60/100 = 0.60, female 48/100 = 0.48: ratio 0.48/0.60 = 0.8 exactly → not flagged */
    struct kc_impact_group g[] = {{"male", 100, 60}, {"female", 100, 48}};
    struct kc_impact_row r[2];
    struct kc_impact_summary s;
    cr_assert_eq(kc_impact_compute(g, 2, 0, 0, r, &s), 0);
    cr_assert_str_eq(s.status, "ok");
    cr_assert(r[0].highest && !r[1].highest);
    cr_assert(fabs(r[1].impact_ratio - 0.8) < EPS, "%.17g", r[1].impact_ratio);
    cr_assert_eq(r[1].four_fifths_flag, 0);
    cr_assert(fabs(r[0].impact_ratio - 1.0) < EPS);
    cr_assert_eq(s.small_sample, 0);
}

Test(trust_impact, four_fifths_just_under)
{
    /* female 47/100: 0.47/0.60 = 0.78333… → flagged */
    struct kc_impact_group g[] = {{"male", 100, 60}, {"female", 100, 47}};
    struct kc_impact_row r[2];
    struct kc_impact_summary s;
    cr_assert_eq(kc_impact_compute(g, 2, 0, 0, r, &s), 0);
    cr_assert(fabs(r[1].impact_ratio - 0.47 / 0.60) < EPS);
    cr_assert_eq(r[1].four_fifths_flag, 1);
}

Test(trust_impact, unequal_groups_ratio)
{
    /* A 30/50 = 0.6, B 45/150 = 0.3, C 16/40 = 0.4: ratios 1, 0.5, 0.6667 */
    struct kc_impact_group g[] = {{"A", 50, 30}, {"B", 150, 45}, {"C", 40, 16}};
    struct kc_impact_row r[3];
    struct kc_impact_summary s;
    cr_assert_eq(kc_impact_compute(g, 3, 0, 0, r, &s), 0);
    cr_assert(r[0].highest);
    cr_assert(fabs(r[1].impact_ratio - 0.5) < EPS);
    cr_assert(fabs(r[2].impact_ratio - 2.0 / 3.0) < EPS);
    cr_assert(r[1].four_fifths_flag && r[2].four_fifths_flag && !r[0].four_fifths_flag);
}

Test(trust_impact, under_two_percent_excluded_exactly_two_included)
{
    /* total 200: X has 3 (1.5 %) → excluded even though its rate 3/3 is the highest;
     * Y has 4 (2 % exactly) → included. */
    struct kc_impact_group g[] = {{"W", 193, 50}, {"X", 3, 3}, {"Y", 4, 1}};
    struct kc_impact_row r[3];
    struct kc_impact_summary s;
    cr_assert_eq(kc_impact_compute(g, 3, 0, 0, r, &s), 0);
    cr_assert_eq(s.total_assessed, 200);
    cr_assert_eq(r[1].excluded_under_2pct, 1);
    cr_assert_eq(r[1].ratio_ok, 0);
    cr_assert_eq(r[2].excluded_under_2pct, 0);
    cr_assert(r[0].highest, "W (50/193) is the highest included rate");
    cr_assert(fabs(r[2].impact_ratio - (1.0 / 4.0) / (50.0 / 193.0)) < EPS);
    cr_assert_eq(s.small_sample, 1, "Y has fewer than 5 assessed");
}

Test(trust_impact, unknowns_count_in_two_percent_denominator)
{
    /* known 98 + unknown 102 = 200: a group of 3 is under 2 % only thanks to the unknowns */
    struct kc_impact_group g[] = {{"F", 95, 40}, {"M", 3, 1}};
    struct kc_impact_row r[2];
    struct kc_impact_summary s;
    cr_assert_eq(kc_impact_compute(g, 2, 102, 30, r, &s), 0);
    cr_assert_eq(s.unknown_assessed, 102);
    cr_assert_eq(s.unknown_selected, 30);
    cr_assert_eq(s.total_assessed, 200);
    cr_assert_eq(r[1].excluded_under_2pct, 1);
    /* without unknowns the same group is 3/98 > 2 % and included */
    cr_assert_eq(kc_impact_compute(g, 2, 0, 0, r, &s), 0);
    cr_assert_eq(r[1].excluded_under_2pct, 0);
}

Test(trust_impact, zero_highest_rate_is_insufficient)
{
    struct kc_impact_group g[] = {{"a", 40, 0}, {"b", 40, 0}};
    struct kc_impact_row r[2];
    struct kc_impact_summary s;
    cr_assert_eq(kc_impact_compute(g, 2, 0, 0, r, &s), 0);
    cr_assert_str_eq(s.status, "insufficient_data");
    cr_assert_eq(r[0].ratio_ok + r[1].ratio_ok, 0);
}

Test(trust_impact, tie_prefers_larger_group_and_ratio_one)
{
    struct kc_impact_group g[] = {{"a", 20, 10}, {"b", 40, 20}};
    struct kc_impact_row r[2];
    struct kc_impact_summary s;
    cr_assert_eq(kc_impact_compute(g, 2, 0, 0, r, &s), 0);
    cr_assert(r[1].highest && !r[0].highest);
    cr_assert(fabs(r[0].impact_ratio - 1.0) < EPS);
    cr_assert_eq(r[0].four_fifths_flag, 0);
}

Test(trust_impact, inconsistent_input_rejected)
{
    struct kc_impact_group g[] = {{"a", 5, 6}};
    struct kc_impact_row r[1];
    struct kc_impact_summary s;
    cr_assert_eq(kc_impact_compute(g, 1, 0, 0, r, &s), -1);
    struct kc_impact_group h[] = {{"a", 5, 1}};
    cr_assert_eq(kc_impact_compute(h, 1, -1, 0, r, &s), -1);
    cr_assert_eq(kc_impact_compute(h, 1, 2, 3, r, &s), -1);
    cr_assert_eq(kc_impact_compute(NULL, 0, 0, 0, r, &s), 0);
    cr_assert_str_eq(s.status, "insufficient_data");
}
