/*
 * questions.h — interview questions per application from the curated bilingual question bank.
 *
 * Bank (agent/data/questions.json):
 *   {"version":1,
 *    "questions":[{"id","kind":"common"|"job","competency","tags":[group ids or skill names],
 *                  "ko","en","points_ko":[...],"points_en":[...]}...],
 *    "templates":[{"id","kind":"job"|"personal","trigger","competency","ko","en",
 *                  "points_ko","points_en"}...]}
 * Template text may use {skill} {quote} {start} {end} {value} {years} {required} placeholders and
 * Korean particle pairs {을/를} {이/가} {은/는} {와/과} {으로/로}, resolved against the character
 * before them (batchim rule; Latin words ending in l/m/n read with a final consonant).
 *
 * Generation (kc_questions_generate); language = request "lang" ("ko"/"en"), or with "auto"
 * (default) the resume's language (doc.h):
 *   common    KC_Q_COMMON bank questions, ranked by BM25 of the job text against each question's
 *             text + competency + points; ties by bank order.
 *   job       bank questions whose tags meet the job (a tag naming a required skill counts 3, an
 *             asked skill 2, the group of any job skill 1), ranked by that overlap, then BM25,
 *             then bank order; plus a {skill} depth template for the job's top skill (required
 *             first, then job-text mentions; soft skills excluded) that the resume shows, and a
 *             template for the top required skill the resume lacks; KC_Q_JOB in all.
 *   personal  up to KC_Q_PERSONAL, each citing one resume sentence: achievement sentences (an
 *             achievement cue plus a number or a skill) ranked by BM25 against the job text
 *             + KC_Q_METRIC_BONUS when the sentence states a measured result (a number with a
 *             unit: %, 배, x, ms, 명, 건 …) + KC_Q_JOB_SKILL_BONUS when it names a job skill;
 *             the two best come first, then one each of: negated job skill, years below the
 *             job's minimum, employment gap over KC_Q_GAP_MONTHS, value_fit sentence; then more
 *             achievements. Each cites its source: sentence text and byte offset/length.
 *   Near-duplicates are dropped: a question whose character-3-gram Jaccard similarity with an
 *   earlier one is >= KC_Q_DUP_JACCARD is not emitted.
 * Each question carries kind, competency, text, lang, good_answer (points) and, for personal
 * ones, source {text, offset, length}.
 *
 * Ownership: returned json_t is new (json_decref). Thread-safety: reentrant; the kit is shared.
 */
#ifndef KC_TEXT_QUESTIONS_H
#define KC_TEXT_QUESTIONS_H

#include <jansson.h>

#include "core/err.h"

#define KC_Q_COMMON          3
#define KC_Q_JOB             4
#define KC_Q_PERSONAL        4
#define KC_Q_GAP_MONTHS      6
#define KC_Q_DUP_JACCARD     0.5
#define KC_Q_METRIC_BONUS    1.5 /* a measured result makes the best follow-up question */
#define KC_Q_JOB_SKILL_BONUS 1.0 /* prefer claims about what this job needs */

struct kc_textkit;

/* Check a parsed bank (structure, required fields, unique ids, both languages). 0 or -1. */
int kc_questions_validate(const json_t *bank, struct kc_err *err);

/* Request: {"job":{"text", "criteria"?}, "resume":{"text"}, "values"?:text,
 *           "reference_date":"YYYY-MM", "lang"?: "ko"|"en"|"auto"}.
 * Returns {"lang", "questions":[...], "counts":{...}} or NULL with err. */
json_t *kc_questions_generate(const struct kc_textkit *kit, const json_t *request,
                              struct kc_err *err);

#endif
