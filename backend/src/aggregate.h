/*
 * aggregate.h — evaluation scoring math: the itemised-score check, the criteria-weighted
 * total of one evaluation, and the aggregate over a stage's evaluations.
 *
 * Definitions (also published in the stage view):
 *   total   = Σ w_i·s_i / Σ w_i over the job's criteria (s_i ∈ [0,100], w_i ∈ [0,1]); when
 *             every weight is 0 the plain mean; a job without criteria is scored on one
 *             item named "overall".
 *   mean, min, max of the evaluators' totals; spread = population standard deviation
 *   (√(Σ(x−mean)²/n)); count = number of submitted evaluations.
 * Pure and reentrant. Returned json_t are new references.
 */
#ifndef KC_BACKEND_AGGREGATE_H
#define KC_BACKEND_AGGREGATE_H

#include <jansson.h>

#include "err.h"

struct kc_aggregate {
    int count;
    double mean, min, max, spread;
};

void kc_aggregate_of(const double *values, int n, struct kc_aggregate *out);
/* Check `scores` (object criterion → number) against the job's criteria array and compute
 * the total. -1 with KC_E_INVALID naming "scores.<criterion>" on a missing, unknown,
 * non-numeric or out-of-range item. */
int kc_evaluation_total(const json_t *criteria, const json_t *scores, double *total,
                        struct kc_err *err);
/* {"count","mean","min","max","spread"} (null statistics when count = 0). */
json_t *kc_aggregate_json(const struct kc_aggregate *a);

#endif
