/*
 * grade.h — grading an interview answer transcript against the question's expected points.
 *
 * Components (each 0..1, itemised with evidence in the result):
 *   coverage     share of expected points covered. A point's content words (tokens without
 *                stop words; lexicon skills as units) are looked for in every window of one or
 *                two consecutive transcript sentences; a point word matches a transcript word
 *                when the stems are equal, share a prefix of >= 2 Hangul syllables or >= 5 Latin
 *                letters ("측정" ~ "측정했고", "measure" ~ "measured"), or both are the same
 *                lexicon skill. A point is covered when the best window matches at least
 *                KC_GRADE_COVER_MIN of its words; the window is reported (text, offsets).
 *   star         share of the four STAR parts (situation, task, action, result) with at least
 *                one cue word (star.tsv), each part with its first cue.
 *   specificity  min(1, (numbers + distinct lexicon skills) / KC_GRADE_SPECIFIC_SATURATION):
 *                numbers are words containing a digit ("40%", "3배", "2023").
 *   length       1 inside the language's band of words [min, max] (ko: KC_GRADE_KO_MIN..MAX
 *                eojeol, en: KC_GRADE_EN_MIN..MAX words), words/min below it ("too_short"),
 *                max(0, 1 - (words - max)/max) above it ("too_long").
 *   fillers      1 - min(1, filler_ratio / KC_GRADE_FILLER_ZERO), filler_ratio = filler words /
 *                words; fillers from fillers.tsv: "always" entries count every standalone
 *                occurrence, "contextual" ones (그, 저, 뭐, like, so…) only when repeated, next
 *                to another filler, or followed by a pause mark (, . …).
 *   score = 100 * (W_COVERAGE*coverage + W_STAR*star + W_SPECIFIC*specificity
 *                  + W_LENGTH*length + W_FILLER*fillers)        (weights sum to 1)
 * Without expected points coverage is "unavailable" and its weight is spread proportionally
 * over the other components (stated in the result).
 *
 * Request: {"question": {"text"?, "competency"?, "good_answer" | "expected_points": [..]},
 *           "transcript": "...", "lang"?: "ko"|"en"|"auto"}
 * Ownership: new json_t. Thread-safety: reentrant.
 */
#ifndef KC_TEXT_GRADE_H
#define KC_TEXT_GRADE_H

#include <jansson.h>

#include "core/err.h"
#include "text/textkit.h"

#define KC_GRADE_W_COVERAGE          0.45
#define KC_GRADE_W_STAR              0.20
#define KC_GRADE_W_SPECIFIC          0.15
#define KC_GRADE_W_LENGTH            0.10
#define KC_GRADE_W_FILLER            0.10
#define KC_GRADE_COVER_MIN           0.5
#define KC_GRADE_SPECIFIC_SATURATION 6.0
#define KC_GRADE_KO_MIN              40
#define KC_GRADE_KO_MAX              250
#define KC_GRADE_EN_MIN              60
#define KC_GRADE_EN_MAX              350
#define KC_GRADE_FILLER_ZERO         0.15
#define KC_GRADE_MAX_POINTS          20

json_t *kc_grade_json(const struct kc_textkit *kit, const json_t *request, struct kc_err *err);

#endif
