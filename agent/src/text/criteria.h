/*
 * criteria.h — a job's screening criteria: validation/compilation from JSON, and suggestion of
 * criteria and weights from a job description.
 *
 * Job JSON: {"text"?: job post, "criteria": [{"name", "weight": 0..1, "keywords": [..],
 *            "required"?: [..], "min_years"?: number}], "threshold"?: 0..100,
 *            "hold_band"?: 0..100}
 * Every keyword is normalised and resolved against the skills lexicon: an exact surface gives
 * its entry (so "쿠버네티스" and "K8s" in a resume satisfy "Kubernetes"); a keyword containing
 * one lexicon term covering at least half of its bytes uses that term ("Java 실무" -> Java);
 * otherwise it is matched as words (see screen.h). `required` items are keywords too.
 *
 * Limits (KC_E_INVALID, field named): at most KC_CRIT_MAX criteria, KC_CRIT_MAX_KEYWORDS
 * keywords each, KC_CRIT_KEYWORD_MAX_BYTES per keyword; a criterion needs keywords, required
 * items or min_years > 0; weights in [0, 1] and not all 0; min_years in [0, 50].
 *
 * Suggestion (kc_criteria_suggest): skills found in the job text are grouped by lexicon group
 * (competency category). Each group becomes a criterion named by the group label (job language)
 * with its skills as keywords, ordered by mentions. A skill is `required` when it occurs in a
 * requirements section or in a sentence with a required cue (필수, required, must…) and not
 * with a preferred cue. Raw weight of a group = sum over its skills of
 * (1 + KC_SUGGEST_REQUIRED_BONUS if required); a minimum-years statement ("3년 이상", "3+ years",
 * "at least 3 years") adds an experience criterion with raw weight KC_SUGGEST_YEARS_WEIGHT. At
 * most KC_SUGGEST_MAX criteria (largest raw weights) are kept and weights are normalised to sum
 * to 1.
 *
 * Ownership: kc_jobspec_compile returns a job freed with kc_jobspec_free; JSON results are new
 * references. Thread-safety: a compiled job is immutable and may be shared between threads.
 */
#ifndef KC_TEXT_CRITERIA_H
#define KC_TEXT_CRITERIA_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "text/textkit.h"
#include "text/token.h"

#define KC_CRIT_MAX                 32
#define KC_CRIT_MAX_KEYWORDS        64
#define KC_CRIT_KEYWORD_MAX_BYTES   200
#define KC_SCREEN_DEFAULT_THRESHOLD 60.0
#define KC_SCREEN_DEFAULT_HOLD_BAND 10.0
#define KC_SUGGEST_REQUIRED_BONUS   1.0
#define KC_SUGGEST_YEARS_WEIGHT     2.0
#define KC_SUGGEST_MAX              6

struct kc_keyword {
    char *text; /* as given; owned */
    char *norm; /* normalised; owned */
    int entry;  /* skills lexicon entry or -1 */
    bool required;
    struct kc_tokens toks; /* tokens of norm (for word matching) */
};

struct kc_criterion {
    char *name;
    double weight, min_years;
    struct kc_keyword *kw;
    size_t n_kw, n_required;
    uint64_t *query; /* BM25 terms of every keyword surface (and lexicon synonyms) */
    size_t n_query;
};

struct kc_jobspec {
    struct kc_criterion *crit;
    size_t n_crit;
    double threshold, hold_band;
    char *text; /* job post text or NULL; owned */
    size_t text_len;
};

/* Compile the job object (field names in errors are prefixed with `prefix`, e.g. "job"). */
struct kc_jobspec *kc_jobspec_compile(const struct kc_textkit *kit, const json_t *job,
                                      const char *prefix, struct kc_err *err);
void kc_jobspec_free(struct kc_jobspec *job);

/* Suggest criteria from a job description. Returns {"lang", "criteria":[...],
 * "skills":[{canonical, group, mentions, required}], "min_years"?, "definition"}. */
json_t *kc_criteria_suggest(const struct kc_textkit *kit, const char *text, size_t len,
                            struct kc_err *err);
/* Request form: {"job":{"text":...}}. */
json_t *kc_criteria_suggest_json(const struct kc_textkit *kit, const json_t *request,
                                 struct kc_err *err);

/* Minimum years stated in the normalised text ("3년 이상", "3+ years"), or 0. */
double kc_criteria_min_years(const char *norm, size_t len);

#endif
