/*
 * timeline.h — per-interval (normally per-second) means of a per-frame quantity, for the
 * "timelines" of the analysis result.
 *
 * Bucket k covers file time [k * step, (k + 1) * step); its value is the mean of the samples
 * added inside it, or JSON null when there were none (no face, model not run) — never a filled
 * in value. A ratio timeline (eye contact, smile) is the mean of 0/1 samples.
 *
 * Memory: kc_timeline_init allocates, kc_timeline_free releases; the JSON array is owned by the
 * caller. Thread-safety: one timeline per thread.
 */
#ifndef KC_TIMELINE_H
#define KC_TIMELINE_H

#include <stddef.h>
#include <jansson.h>

struct kc_timeline {
    double step; /* s */
    size_t n;    /* buckets */
    double *sum;
    long *count;
};

/* Buckets covering [0, duration_s) (at least one). 0, or -1 when out of memory or arguments are
 * not finite and positive. */
int kc_timeline_init(struct kc_timeline *tl, double duration_s, double step_s);
void kc_timeline_free(struct kc_timeline *tl);
/* Add one sample at time t (samples outside [0, n * step) and non-finite values are ignored). */
void kc_timeline_add(struct kc_timeline *tl, double t, double v);
/* Mean of bucket k, NaN when empty. */
double kc_timeline_mean(const struct kc_timeline *tl, size_t k);
/* JSON array of the bucket means rounded to `decimals` digits, null for empty buckets. NULL on
 * allocation failure. */
json_t *kc_timeline_json(const struct kc_timeline *tl, int decimals);

#endif
