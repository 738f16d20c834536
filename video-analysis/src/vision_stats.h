/*
 * vision_stats.h — the small statistics the vision metrics share: quantiles of a sample, a
 * running mean/variance accumulator, and the per-second "effective sample" uncertainty rule.
 *
 * Uncertainty rule (vision.c): consecutive video frames are strongly correlated, so frames are
 * not independent samples. The vision metrics treat each second of video as one sample: the
 * uncertainty of a mean is the standard deviation of the per-second means divided by the
 * square root of the number of seconds; of a ratio, sqrt(p (1 - p) / seconds).
 *
 * Thread-safety: pure functions; accumulators belong to the caller.
 */
#ifndef KC_VISION_STATS_H
#define KC_VISION_STATS_H

#include <stddef.h>

/* The q-quantile (q in 0..1, linear interpolation between order statistics) of n floats into
 * *out; non-finite values are ignored and *out is NaN when none is left. Returns 0, or -1 when
 * the scratch copy cannot be allocated (then *out is NaN too). */
int kc_vision_quantile(const float *v, size_t n, double q, float *out);
static inline int kc_vision_median(const float *v, size_t n, float *out)
{
    return kc_vision_quantile(v, n, 0.5, out);
}

/* Welford accumulator. */
struct kc_vision_acc {
    long n;
    double mean, m2;
};

void kc_vision_acc_add(struct kc_vision_acc *a, double x);
double kc_vision_acc_sd(const struct kc_vision_acc *a); /* sample SD; NaN when n < 2 */

#endif
