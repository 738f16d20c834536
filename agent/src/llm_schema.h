/*
 * llm_schema.h — a minimal JSON Schema validator for the structured output of LLM replies.
 *
 * The agent asks an LLM for JSON and must not trust it: every reply is checked against a small
 * schema before any field is used. Only the subset the agent's own schemas use is implemented
 * (a schema using anything else is rejected by kc_schema_check, so a typo never silently
 * weakens validation):
 *   type                 "object" | "array" | "string" | "number" | "integer" | "boolean" |
 *                        "null", or an array of those
 *   properties           {name: schema}        required   [names]
 *   additionalProperties false | true | schema (default true)
 *   items                schema (every element)
 *   enum                 [values] (compared with json_equal)
 *   minimum / maximum    numbers (inclusive)
 *   minLength / maxLength  in Unicode code points;   minItems / maxItems
 *   description / title  ignored (documentation for the prompt)
 *
 * Errors name the JSON path of the first failure ("$.questions[2].competency: expected string,
 * got number"), which is what the agent appends to a retry prompt.
 *
 * Ownership: nothing is retained. Thread-safety: pure functions.
 */
#ifndef KC_AGENT_LLM_SCHEMA_H
#define KC_AGENT_LLM_SCHEMA_H

#include <jansson.h>

#include "core/err.h"

/* Is `schema` itself well-formed within the supported subset? 0, or -1 with KC_E_INVALID. */
int kc_schema_check(const json_t *schema, struct kc_err *err);

/* Validate `value` against `schema`. 0 when valid; -1 with KC_E_UNPROCESSABLE and the path of
 * the first violation in err->message. An unsupported schema keyword gives KC_E_INVALID. */
int kc_schema_validate(const json_t *schema, const json_t *value, struct kc_err *err);

#endif
