/*
 * metrics.h — a metrics registry with Prometheus text output.
 *
 * Counters and histograms are identified by name + a label string in Prometheus syntax
 * (`route="/api/v1/jobs",status="200"`). Updates are thread-safe and cheap (a lookup in a
 * fixed-size open-addressing table under a striped lock, or atomics); the registry is owned by
 * the service's main and passed to whoever records. Histogram buckets are fixed at creation
 * (seconds for latencies: 0.0005 … 10).
 */
#ifndef KC_METRICS_H
#define KC_METRICS_H

#include <stddef.h>

struct kc_metrics;

struct kc_metrics *kc_metrics_new(void);
void kc_metrics_free(struct kc_metrics *m);
/* help is registered on first use of a name */
void kc_metrics_inc(struct kc_metrics *m, const char *name, const char *help, const char *labels,
                    double delta);
void kc_metrics_set(struct kc_metrics *m, const char *name, const char *help, const char *labels,
                    double value); /* gauge */
void kc_metrics_observe(struct kc_metrics *m, const char *name, const char *help,
                        const char *labels, double value); /* histogram, value in its unit */
/* Prometheus text exposition format 0.0.4. Caller frees with free(). */
char *kc_metrics_render(struct kc_metrics *m, size_t *len);

/* The current value of a counter or gauge, or a histogram's observation count; NAN when the
 * series does not exist. For tests and health checks; thread-safe. */
double kc_metrics_value(struct kc_metrics *m, const char *name, const char *labels);
/* Escape a label value for the Prometheus text format (backslash, double quote, newline) into
 * dst (cap bytes, always NUL-terminated, truncated if needed). Returns the length written. */
size_t kc_metrics_label_escape(char *dst, size_t cap, const char *value);

/* Limits: at most KC_METRICS_MAX_SERIES series (name + labels); updates that would create
 * more are dropped and counted in kc_metrics_dropped_total. Names must match
 * [a-zA-Z_:][a-zA-Z0-9_:]*; a name reused with another type is ignored. */
#define KC_METRICS_MAX_SERIES 3072

#endif
