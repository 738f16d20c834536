/*
 * rubric.h — a company's documented mapping from behavioural metrics to grades.
 *
 * Behavioural metrics are descriptive; without a rubric the report says
 * {"status":"not scored","note":"behavioural metrics are descriptive"}. A company may adopt a
 * rubric: a JSON document (examples and the full format in video-analysis/rubrics/README.md)
 *   {"name": "communication-basics", "version": "1.0.0", "description": "…",
 *    "grades": ["low", "typical", "high"],                      the allowed grade labels
 *    "criteria": [{"metric": "speaking_time_ratio", "description": "…",
 *                  "bands": [{"min": 0.0, "max": 0.3, "grade": "low"},
 *                            {"min": 0.3, "max": 0.85, "grade": "typical"},
 *                            {"min": 0.85, "max": 1.0, "grade": "high"}]}]}
 * Every number that decides a grade is in the document: a band covers min <= value < max
 * (the band with the largest max also includes that max); bands of one criterion must not
 * overlap. A metric that is not "ok", or whose value lies in no band, gets no grade and the
 * reason. There is no hidden weighting and no overall score: grades are per criterion.
 * Emotion is never graded: a criterion naming an emotion metric is rejected.
 *
 * Limits: name/version 1..64 bytes, 1..64 criteria, 1..16 bands each, 1..16 grade labels.
 * Ownership: results are new references (caller json_decref). Thread-safety: pure functions.
 */
#ifndef KC_RUBRIC_H
#define KC_RUBRIC_H

#include <jansson.h>

#include "core/err.h"

/* 0 when `rubric` is a valid rubric document; else -1 with KC_E_INVALID saying what is wrong
 * (with the JSON path, e.g. "criteria[1].bands[0]: min must be below max"). */
int kc_rubric_validate(const json_t *rubric, struct kc_err *err);

/* Load and validate a rubric file. New reference, or NULL with err. */
json_t *kc_rubric_load(const char *path, struct kc_err *err);

/* The report's "scoring" object for `metrics` (the report's metrics object) under `rubric`
 * (validated), or the "not scored" object when rubric is NULL. */
json_t *kc_rubric_apply(const json_t *rubric, const json_t *metrics);

#endif
