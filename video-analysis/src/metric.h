/*
 * metric.h — the record every video-interview analysis reports a number in.
 *
 * A metric is never a bare number: it carries its unit, how many samples it was computed from,
 * a status, a written definition and, where defined, an uncertainty. When a model, a dependency
 * or enough input is missing the status says so and `reason` explains it; the value is then not
 * shown at all (JSON null) — never a default or a guess.
 *
 * JSON shape produced by kc_metric_to_json():
 *   {"value": 0.62 | null, "unit": "ratio", "samples": 1234,
 *    "status": "ok" | "insufficient_data" | "unavailable",
 *    "definition": "...", "uncertainty": 0.01 | null,
 *    "reason": "..."          (only when status is not ok)
 *    "not_scored": true       (only on behavioural metrics: descriptive, never fed to a score)
 *    "estimate": true}        (only on heuristic estimates, e.g. syllable-peak speech rate)
 * `name` is not written into the object: callers use it as the key of the enclosing object.
 *
 * Ownership: name, unit and definition are borrowed pointers to strings that outlive the
 * record (in practice string literals); reason is stored inline. All functions are pure or write
 * only to the record they are given (thread-safe).
 */
#ifndef KC_METRIC_H
#define KC_METRIC_H

#include <stdbool.h>
#include <jansson.h>

enum kc_metric_status {
    KC_METRIC_OK,           /* value is meaningful */
    KC_METRIC_INSUFFICIENT, /* computed input exists but too little of it (reason says how much) */
    KC_METRIC_UNAVAILABLE,  /* cannot be computed: model, dependency or input part missing */
};

struct kc_metric {
    const char *name; /* snake_case key, e.g. "speaking_time_ratio" */
    double value;     /* meaningful only when status == KC_METRIC_OK */
    const char *unit; /* "ratio", "dBFS", "Hz", "words/min", "s", "count", ... */
    long samples;     /* number of measurements (frames, words, segments) behind value */
    enum kc_metric_status status;
    const char *definition; /* one or two sentences: exactly what was measured and how */
    char reason[160];       /* why status is not ok ("" when ok) */
    double uncertainty;     /* standard error or a documented bound, same unit; NaN: not defined */
    bool not_scored;        /* behavioural metric: descriptive only, never feeds a score */
    bool estimate;          /* heuristic estimate (definition says of what) */
};

/* A record with name/unit/definition set, status unavailable with reason "not computed",
 * value and uncertainty NaN, samples 0, flags false. The usual starting point. */
struct kc_metric kc_metric_init(const char *name, const char *unit, const char *definition);

/* Mark ok with value, sample count and uncertainty (NaN when not defined); clears reason. */
void kc_metric_set(struct kc_metric *m, double value, long samples, double uncertainty);

/* Mark unavailable / insufficient_data with a printf-style reason (truncated to fit). The value
 * becomes NaN; `samples` is kept so a reader sees how much input there was. */
void kc_metric_unavailable(struct kc_metric *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void kc_metric_insufficient(struct kc_metric *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "ok", "insufficient_data" or "unavailable". */
const char *kc_metric_status_name(enum kc_metric_status status);

/* New JSON object (shape above; caller owns the reference, json_decref). Non-finite numbers are
 * written as null; a record marked ok whose value is not finite is written as unavailable with
 * reason "value not finite" rather than emitting invalid JSON. NULL only on allocation failure. */
json_t *kc_metric_to_json(const struct kc_metric *m);

/* Convenience: json_object_set_new(obj, m->name, kc_metric_to_json(m)). 0 ok, -1 on failure. */
int kc_metric_add(json_t *obj, const struct kc_metric *m);

#endif
