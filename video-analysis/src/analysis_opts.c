/*
 * analysis_opts.c — parsing, validation and normalisation of analysis options (analysis.h).
 *
 * The parser is strict: unknown keys are errors (a typo such as "consnet" must not silently
 * run an analysis without the consent the caller meant to record), every field has a type and
 * a range, and every error names the field with a dotted path ("questions[2].end"). The
 * normalised JSON written back (kc_analysis_opts_to_json) is what the database stores and the
 * worker's child process reads, so the worker never sees client text that was not validated.
 */
#include "analysis.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rubric.h"

/* EU member states (ISO 3166-1 alpha-2; Greece is "GR", also written "EL" in EU texts). */
static const char *const eu_codes[] = {"EU", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI",
                                       "FR", "DE", "GR", "EL", "HU", "IE", "IT", "LV", "LT", "LU",
                                       "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", NULL};

bool kc_jurisdiction_is_eu(const char *code)
{
    if (!code) return false;
    for (size_t i = 0; eu_codes[i]; i++)
        if (!strcasecmp(code, eu_codes[i])) return true;
    return false;
}

void kc_analysis_opts_init(struct kc_analysis_opts *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->language, sizeof o->language, "en");
    o->asr = true;
}

void kc_analysis_opts_free(struct kc_analysis_opts *o)
{
    free(o->questions);
    o->questions = NULL;
    o->n_questions = 0;
    json_decref(o->rubric);
    o->rubric = NULL;
}

bool kc_analysis_emotion_allowed(const struct kc_analysis_opts *o, const char **reason)
{
    const char *why = NULL;
    if (!o->emotion_enabled)
        why = "the company's emotion policy is off (the default)";
    else if (kc_jurisdiction_is_eu(o->jurisdiction))
        why = "emotion inference in recruitment is prohibited in the EU (AI Act Art. 5(1)(f))";
    else if (!o->consent_emotion)
        why = "the candidate did not consent to emotion analysis";
    else if (!o->consent_video)
        why = "the candidate did not consent to video behaviour analysis";
    if (reason) *reason = why;
    return why == NULL;
}

/* ---- field helpers --------------------------------------------------------------------- */

static int check_keys(const json_t *obj, const char *path, const char *const *allowed,
                      struct kc_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        (void)v;
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key)) i++;
        if (!allowed[i]) {
            char field[64];
            snprintf(field, sizeof field, "%s%s%.40s", path, *path ? "." : "", key);
            return kc_err_field(err, KC_E_INVALID, field, "unknown field \"%.80s\"", key);
        }
    }
    return 0;
}

static int get_bool(const json_t *obj, const char *key, const char *field, bool *out,
                    struct kc_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_boolean(v)) return kc_err_field(err, KC_E_INVALID, field, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

/* Opaque id: 1..max-1 bytes of printable ASCII without spaces. */
static int get_opaque(const json_t *obj, const char *key, char *out, size_t cap, struct kc_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return 0;
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    if (!s || n == 0 || n >= cap)
        return kc_err_field(err, KC_E_INVALID, key, "must be a string of 1 to %zu bytes", cap - 1);
    for (size_t i = 0; i < n; i++)
        if (!isgraph((unsigned char)s[i]))
            return kc_err_field(err, KC_E_INVALID, key, "must be printable ASCII without spaces");
    memcpy(out, s, n + 1);
    return 0;
}

/* ---- sections ---------------------------------------------------------------------------- */

static int parse_language(const json_t *j, struct kc_analysis_opts *o, struct kc_err *err)
{
    json_t *v = json_object_get(j, "language");
    if (!v || json_is_null(v)) return 0;
    const char *s = json_string_value(v);
    if (!s || (strcmp(s, "en") && strcmp(s, "ko") && strcmp(s, "auto")))
        return kc_err_field(err, KC_E_INVALID, "language", "must be \"en\", \"ko\" or \"auto\"");
    snprintf(o->language, sizeof o->language, "%s", s);
    return 0;
}

static int parse_question(const json_t *q, size_t i, struct kc_analysis_question *out,
                          struct kc_err *err)
{
    static const char *const keys[] = {"id", "start", "end", NULL};
    char field[64];
    snprintf(field, sizeof field, "questions[%zu]", i);
    if (!json_is_object(q))
        return kc_err_field(err, KC_E_INVALID, field, "must be an object {id, start, end}");
    if (check_keys(q, field, keys, err)) return -1;
    json_t *id = json_object_get(q, "id");
    const char *s = json_string_value(id);
    if (json_is_integer(id)) {
        snprintf(out->id, sizeof out->id, "%lld", (long long)json_integer_value(id));
    } else if (s && *s && strlen(s) < sizeof out->id) {
        memcpy(out->id, s, strlen(s) + 1);
    } else {
        snprintf(field, sizeof field, "questions[%zu].id", i);
        return kc_err_field(err, KC_E_INVALID, field, "must be a string of 1 to %zu bytes",
                            sizeof out->id - 1);
    }
    json_t *a = json_object_get(q, "start"), *b = json_object_get(q, "end");
    out->start = json_number_value(a);
    out->end = json_number_value(b);
    if (!json_is_number(a) || !json_is_number(b) || !isfinite(out->start) || !isfinite(out->end) ||
        out->start < 0 || out->end <= out->start || out->end > 86400) {
        snprintf(field, sizeof field, "questions[%zu]", i);
        return kc_err_field(err, KC_E_INVALID, field,
                            "needs numbers 0 <= start < end <= 86400 (seconds)");
    }
    return 0;
}

static int parse_questions(const json_t *j, struct kc_analysis_opts *o, struct kc_err *err)
{
    json_t *v = json_object_get(j, "questions");
    if (!v || json_is_null(v)) return 0;
    if (!json_is_array(v)) return kc_err_field(err, KC_E_INVALID, "questions", "must be an array");
    size_t n = json_array_size(v);
    if (n > KC_ANALYSIS_MAX_QUESTIONS)
        return kc_err_field(err, KC_E_INVALID, "questions", "at most %d questions",
                            KC_ANALYSIS_MAX_QUESTIONS);
    if (n == 0) return 0;
    o->questions = calloc(n, sizeof *o->questions);
    if (!o->questions) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (parse_question(json_array_get(v, i), i, &o->questions[i], err)) return -1;
        o->n_questions = i + 1;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(o->questions[k].id, o->questions[i].id))
                return kc_err_field(err, KC_E_INVALID, "questions",
                                    "question id \"%.60s\" appears twice", o->questions[i].id);
    }
    return 0;
}

static int parse_consent(const json_t *j, struct kc_analysis_opts *o, struct kc_err *err)
{
    static const char *const keys[] = {"video_behaviour", "speech", "emotion", NULL};
    json_t *c = json_object_get(j, "consent");
    if (!c || json_is_null(c))
        return kc_err_field(err, KC_E_INVALID, "consent",
                            "required: {\"video_behaviour\": bool, \"speech\": bool, "
                            "\"emotion\": bool} as recorded in the consent ledger");
    if (!json_is_object(c)) return kc_err_field(err, KC_E_INVALID, "consent", "must be an object");
    if (check_keys(c, "consent", keys, err) ||
        get_bool(c, "video_behaviour", "consent.video_behaviour", &o->consent_video, err) ||
        get_bool(c, "speech", "consent.speech", &o->consent_speech, err) ||
        get_bool(c, "emotion", "consent.emotion", &o->consent_emotion, err))
        return -1;
    return 0;
}

static int parse_policy(const json_t *j, struct kc_analysis_opts *o, struct kc_err *err)
{
    static const char *const keys[] = {"enabled", "jurisdiction", NULL};
    json_t *p = json_object_get(j, "emotion_policy");
    if (!p || json_is_null(p)) return 0;
    if (!json_is_object(p))
        return kc_err_field(err, KC_E_INVALID, "emotion_policy", "must be an object");
    if (check_keys(p, "emotion_policy", keys, err) ||
        get_bool(p, "enabled", "emotion_policy.enabled", &o->emotion_enabled, err))
        return -1;
    json_t *jv = json_object_get(p, "jurisdiction");
    const char *s = json_string_value(jv);
    if (jv && !json_is_null(jv)) {
        size_t n = s ? strlen(s) : 0;
        bool ok = n >= 2 && n < sizeof o->jurisdiction;
        for (size_t i = 0; ok && i < n; i++) ok = isalpha((unsigned char)s[i]) || s[i] == '-';
        if (!ok)
            return kc_err_field(err, KC_E_INVALID, "emotion_policy.jurisdiction",
                                "must be a code such as \"KR\", \"US\" or \"EU\"");
        for (size_t i = 0; i <= n; i++) o->jurisdiction[i] = (char)toupper((unsigned char)s[i]);
    }
    if (o->emotion_enabled && !o->jurisdiction[0])
        return kc_err_field(err, KC_E_INVALID, "emotion_policy.jurisdiction",
                            "required when the emotion policy is enabled");
    if (o->emotion_enabled && kc_jurisdiction_is_eu(o->jurisdiction))
        return kc_err_field(err, KC_E_UNPROCESSABLE, "emotion_policy.jurisdiction",
                            "emotion inference is refused for jurisdiction %s: inferring "
                            "emotions of candidates in recruitment is prohibited in the EU "
                            "(AI Act Art. 5(1)(f))",
                            o->jurisdiction);
    return 0;
}

static int parse_rubric(const json_t *j, struct kc_analysis_opts *o, struct kc_err *err)
{
    json_t *r = json_object_get(j, "rubric");
    if (!r || json_is_null(r)) return 0;
    if (kc_rubric_validate(r, err)) {
        kc_err_prefix(err, "rubric: ");
        snprintf(err->field, sizeof err->field, "rubric");
        return -1;
    }
    o->rubric = json_deep_copy(r);
    return o->rubric ? 0 : kc_err_set(err, KC_E_NOMEM, "out of memory");
}

int kc_analysis_opts_parse(const json_t *j, struct kc_analysis_opts *o, struct kc_err *err)
{
    static const char *const keys[] = {"language",       "questions",  "consent",
                                       "emotion_policy", "asr",        "rubric",
                                       "application_id", "subject_id", NULL};
    kc_analysis_opts_init(o);
    if (!json_is_object(j))
        return kc_err_set(err, KC_E_BAD_REQUEST, "analysis options must be a JSON object");
    if (check_keys(j, "", keys, err) || parse_language(j, o, err) || parse_questions(j, o, err) ||
        parse_consent(j, o, err) || parse_policy(j, o, err) ||
        get_bool(j, "asr", "asr", &o->asr, err) || parse_rubric(j, o, err) ||
        get_opaque(j, "application_id", o->application_id, sizeof o->application_id, err) ||
        get_opaque(j, "subject_id", o->subject_id, sizeof o->subject_id, err)) {
        kc_analysis_opts_free(o);
        return -1;
    }
    if (!o->consent_video && !o->consent_speech) {
        kc_analysis_opts_free(o);
        return kc_err_field(err, KC_E_UNPROCESSABLE, "consent",
                            "no consent for any analysis type: the candidate consented to "
                            "neither video behaviour nor speech analysis, so nothing may run");
    }
    return 0;
}

json_t *kc_analysis_consent_json(const struct kc_analysis_opts *o)
{
    return json_pack("{s:b,s:b,s:b}", "video_behaviour", o->consent_video, "speech",
                     o->consent_speech, "emotion", o->consent_emotion);
}

json_t *kc_analysis_opts_to_json(const struct kc_analysis_opts *o)
{
    json_t *qs = json_array();
    for (size_t i = 0; qs && i < o->n_questions; i++)
        json_array_append_new(qs, json_pack("{s:s,s:f,s:f}", "id", o->questions[i].id, "start",
                                            o->questions[i].start, "end", o->questions[i].end));
    json_t *j = json_pack("{s:s,s:o,s:o,s:{s:b,s:s?},s:b}", "language", o->language, "questions",
                          qs, "consent", kc_analysis_consent_json(o), "emotion_policy", "enabled",
                          o->emotion_enabled, "jurisdiction",
                          o->jurisdiction[0] ? o->jurisdiction : NULL, "asr", o->asr);
    if (!j) return NULL;
    if (o->rubric) json_object_set(j, "rubric", o->rubric);
    if (o->application_id[0])
        json_object_set_new(j, "application_id", json_string(o->application_id));
    if (o->subject_id[0]) json_object_set_new(j, "subject_id", json_string(o->subject_id));
    return j;
}
