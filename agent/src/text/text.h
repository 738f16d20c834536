/*
 * text.h — the agent's offline text intelligence: one include for the service layer.
 *
 * Everything here is deterministic and explainable (no model weights): lexicons, BM25, dates,
 * MinHash/LSH and TF-IDF, with every constant named in the header of the module that uses it.
 * Korean and English are both first-class (NFC Hangul, particle stripping, bilingual lexicons,
 * reasons in both languages).
 *
 * Life cycle
 *   struct kc_textkit *kit = kc_textkit_load(NULL, &err);   once at start-up (textkit.h);
 *   ... share `kit` between all threads (immutable) ...
 *   kc_textkit_free(kit);
 *
 * JSON entry points (request: a json_t object the caller keeps; result: a NEW reference the
 * caller releases with json_decref; NULL on error with `err` filled — KC_E_INVALID names the
 * offending field in err.field, e.g. "job.criteria", "resume.text", "reference_date"; map it
 * with kc_err_http_status / kc_err_code_name):
 *   kc_screen_json            screening against weighted criteria               (screen.h)
 *   kc_criteria_suggest_json  criteria and weights from a job description       (criteria.h)
 *   kc_highlight_json         tagged resume sentences with reasons              (highlight.h)
 *   kc_questions_generate     interview questions per application               (questions.h)
 *   kc_grade_json             answer transcript grading                          (grade.h)
 * All take "reference_date": "YYYY-MM" where dates matter: "현재"/"present" in a resume means
 * that month — the library never reads the clock.
 *
 * Lower-level C API for hot paths
 *   kc_jobspec_compile + kc_screen_text: compile a job's criteria once, screen many resumes.
 *   Similarity index (sim.h): kc_sim_create / kc_sim_prepare (outside any lock) /
 *   kc_sim_add_prepared / kc_sim_remove / kc_sim_query(_json) with a fetch callback that
 *   returns candidate texts / kc_sim_serialize / kc_sim_deserialize (persist in Redis or DB).
 *   The index needs external synchronisation for writes (a read-write lock: queries share,
 *   add/remove exclusive).
 *
 * Offsets: every "offset"/"length" in results is a BYTE span of the caller's original UTF-8
 * text (resume, transcript), so text.substr(offset, length) == the quoted "text".
 *
 * Limits: every text input is at most KC_TEXT_MAX_BYTES (1 MiB), valid UTF-8 without NUL, and
 * must contain a letter or digit; otherwise KC_E_INVALID with the field and, for bad UTF-8, the
 * byte position.
 */
#ifndef KC_TEXT_TEXT_H
#define KC_TEXT_TEXT_H

#include "text/criteria.h"
#include "text/grade.h"
#include "text/highlight.h"
#include "text/questions.h"
#include "text/screen.h"
#include "text/sim.h"
#include "text/textkit.h"

#endif
