/*
 * flows.h — the built-in workflows of the agent (node functions over the text library, the
 * similarity index and the LLM provider). env of every node = struct kc_agent.
 *
 *   screen     load_inputs → screen → highlights →(similarity enabled?)→ similarity → suggestion
 *     input  {"job":{criteria,text?,threshold?}, "resume":{"text","sections"?,"id"?},
 *             "values"?, "reference_date"?: "YYYY-MM" (default: this month),
 *             "similarity"?: {"enabled"?: true, "index"?: (default true when resume.id is
 *             given), "k"?: 5, "threshold"?}, "application_id"?}
 *     state  request, screen, highlights, similarity, suggestion
 *     suggestion = the screening's pass / hold / fail, with one documented change: a "pass"
 *       whose resume is similar (cosine ≥ threshold) to another indexed resume becomes "hold"
 *       (a person checks a possible copy before passing); every rule applied is listed.
 *   questions  load_inputs → questions →(LLM configured and use_llm?)→ llm_questions
 *     input  {"job","resume","values"?,"reference_date"?,"lang"?,"use_llm"?: true}
 *     state  request, questions (deterministic), result {"source":"llm"|"deterministic",
 *            "questions", "llm":{status, reason?, ...}}
 *   grade      load_inputs → grade →(LLM configured and use_llm?)→ llm_grade
 *     input  {"question":{"text"?,"competency"?,"good_answer"|"expected_points"},
 *             "transcript", "lang"?, "use_llm"?: true}
 *     state  request, grade (deterministic), llm_grade {"status", ...} — both are reported;
 *            neither overrides the other, people decide.
 *
 * LLM nodes never fail a run: an unavailable provider or an invalid reply (after the schema
 * retries) leaves the deterministic result in place, labelled with the reason.
 */
#ifndef KC_AGENT_FLOWS_H
#define KC_AGENT_FLOWS_H

#include <jansson.h>

#include "core/err.h"
#include "workflow.h"

int kc_flows_register(struct kc_wf_engine *e, struct kc_err *err);

/* Shared with flows_llm.c ------------------------------------------------------------------ */

struct kc_agent;
/* Is the LLM path wanted for this run (provider configured and input.use_llm not false)? */
const char *kc_flows_after_det(const json_t *state, void *env, const char *llm_node);
int kc_flows_llm_questions(const struct kc_wf_call *call, json_t *state, struct kc_err *err);
int kc_flows_llm_grade(const struct kc_wf_call *call, json_t *state, struct kc_err *err);

#endif
