/*
 * ai_blind.c — what staff see of AI output when a job is in blind-review mode (trust.h
 * kc_trust_blind), and the spoken-language choice of an answer.
 *
 * Blind review hides who the applicant is: staff get transcript-only analysis reports and
 * AI documents (ranking, insights, screening, generated questions) where the applicant's
 * name and e-mail are replaced by the stable pseudonym "Applicant #<application id>".
 * A report's result keeps only the speech part: transcript, vad, language, the speech
 * metrics (a fixed list of the video service's speech metric names, below), the speech
 * timelines (loudness) and the models; face, gaze, posture, expression and emotion metrics,
 * vision timelines, per-question breakdowns (they mix vision metrics), rates, media and the
 * rubric scoring (computed from vision metrics too) are removed. The applicant always sees
 * their own report unshaped.
 *
 * Language (kc_ai_answer_language): an upload's "en" or "ko" is kept; "auto" (or absent)
 * becomes the job's language from the job post's text: "ko" when more than 30 % of its
 * letters are Hangul syllables or jamo, else "en". Job posts have no language field of
 * their own, so the text decides. "auto" is never sent to the video service.
 *
 * Thread-safety: reentrant. Memory: functions edit the JSON they are given in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "trust.h"

static const char *const speech_metrics[] = {
    "speaking_time_ratio", "speech_rate_wpm", "speech_rate_syllables_per_min",
    "pause_count",         "pause_mean_s",    "loudness_mean_dbfs",
    "loudness_spread_db",  "pitch_mean_hz",   "pitch_spread_hz",
    "filler_count",        "fillers_per_min", NULL};
static const char *const kept_sections[] = {"id",  "status", "language", "transcript",
                                            "vad", "models", "analyses", NULL};

static int in_list(const char *k, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(k, list[i])) return 1;
    return 0;
}

static void keep_only(json_t *obj, const char *const *list)
{
    const char *k;
    json_t *v, *tmp;
    json_object_foreach_safe(obj, tmp, k, v)
    {
        if (!in_list(k, list)) json_object_del(obj, k);
    }
}

void kc_ai_blind_result(json_t *result)
{
    if (!json_is_object(result)) return;
    json_t *metrics = json_incref(json_object_get(result, "metrics"));
    json_t *tl = json_incref(json_object_get(result, "timelines"));
    keep_only(result, kept_sections);
    static const char *const speech_timelines[] = {"loudness", NULL};
    if (json_is_object(metrics)) {
        keep_only(metrics, speech_metrics);
        json_object_set(result, "metrics", metrics);
    }
    if (json_is_object(tl)) {
        keep_only(tl, speech_timelines);
        json_object_set(result, "timelines", tl);
    }
    json_decref(metrics);
    json_decref(tl);
    json_object_set_new(result, "blind_review",
                        json_string("transcript-only: video, face and vision data hidden"));
}

/* s with every occurrence of needle replaced by with; malloc'd, or NULL when none. */
static char *replace_all(const char *s, const char *needle, const char *with)
{
    size_t nl = strlen(needle), wl = strlen(with), hits = 0;
    if (nl < 2) return NULL; /* a one-letter "name" would shred the text */
    for (const char *p = strstr(s, needle); p; p = strstr(p + nl, needle)) hits++;
    if (!hits) return NULL;
    char *out = malloc(strlen(s) + hits * wl + 1), *o = out;
    if (!out) return NULL;
    const char *p = s, *q = strstr(p, needle);
    while (q) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, with, wl);
        o += wl;
        p = q + nl;
        q = strstr(p, needle);
    }
    strcpy(o, p);
    return out;
}

static int identity_key(const char *k)
{
    static const char *const keys[] = {"applicant_name", "applicant_email", "email",
                                       "name_en",        "full_name",       NULL};
    return in_list(k, keys);
}

/* Recursively replace the identity in doc; returns the replacement for a string node. */
static json_t *scrub(json_t *doc, const struct kc_ai_identity *id)
{
    if (json_is_string(doc)) {
        char *a = id->name[0] ? replace_all(json_string_value(doc), id->name, id->pseudonym) : NULL;
        char *b = id->email[0]
                      ? replace_all(a ? a : json_string_value(doc), id->email, id->pseudonym)
                      : NULL;
        json_t *r = b ? json_string(b) : a ? json_string(a) : NULL;
        free(a);
        free(b);
        return r;
    }
    const char *k;
    json_t *v;
    size_t i;
    if (json_is_object(doc)) {
        json_object_foreach(doc, k, v)
        {
            json_t *r =
                identity_key(k) && json_is_string(v) ? json_string(id->pseudonym) : scrub(v, id);
            if (r) json_object_set_new(doc, k, r);
        }
    } else if (json_is_array(doc)) {
        json_array_foreach(doc, i, v)
        {
            json_t *r = scrub(v, id);
            if (r) json_array_set_new(doc, i, r);
        }
    }
    return NULL;
}

void kc_ai_blind_scrub(json_t *doc, const struct kc_ai_identity *id)
{
    json_t *r = scrub(doc, id);
    json_decref(r); /* a bare string cannot be replaced in place; callers pass containers */
}

int kc_ai_identity_load(struct kc_db_conn *c, int64_t application_id, struct kc_ai_identity *out,
                        struct kc_err *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->pseudonym, sizeof out->pseudonym, "Applicant #%lld", (long long)application_id);
    json_t *r = kc_db_query_one(c,
                                "SELECT u.name, u.email FROM applications a JOIN users u ON u.id "
                                "= a.applicant_id WHERE a.id = $1",
                                KC_ARGS(KC_DBV_INT(application_id)), err);
    if (!r) return -1;
    snprintf(out->name, sizeof out->name, "%s",
             json_string_value(json_object_get(r, "name"))
                 ? json_string_value(json_object_get(r, "name"))
                 : "");
    snprintf(out->email, sizeof out->email, "%s",
             json_string_value(json_object_get(r, "email"))
                 ? json_string_value(json_object_get(r, "email"))
                 : "");
    json_decref(r);
    return 0;
}

int kc_ai_app_blind(struct kc_app *app, struct kc_db_conn *c, int64_t application_id)
{
    struct kc_err err = {0};
    int64_t job = 0;
    if (kc_db_query_int(c, "SELECT job_id FROM applications WHERE id = $1",
                        KC_ARGS(KC_DBV_INT(application_id)), &job, &err))
        return 0;
    return kc_trust_blind(app, c, job);
}

/* Share of Hangul among the letters of UTF-8 text (0 when it has none). Pure. */
double kc_ai_hangul_ratio(const char *s)
{
    long hangul = 0, letters = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        unsigned cp = *p;
        int n = cp < 0x80 ? 1 : (cp >> 5) == 6 ? 2 : (cp >> 4) == 14 ? 3 : (cp >> 3) == 30 ? 4 : 1;
        if (n == 3 && p[1] && p[2])
            cp = ((cp & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        for (int i = 1; i < n; i++)
            if (!p[i]) n = i; /* truncated sequence: stop at the NUL */
        if ((cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
            (cp >= 0x3130 && cp <= 0x318F))
            hangul++, letters++;
        else if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
            letters++;
        p += n;
    }
    return letters ? (double)hangul / (double)letters : 0.0;
}

const char *kc_ai_answer_language(struct kc_db_conn *c, const char *requested, int64_t job_id)
{
    if (requested && (!strcmp(requested, "en") || !strcmp(requested, "ko"))) return requested;
    struct kc_err err = {0};
    json_t *r = kc_db_query_one(
        c,
        "SELECT title || ' ' || description || ' ' || qualifications AS t FROM job_posts "
        "WHERE id = $1",
        KC_ARGS(KC_DBV_INT(job_id)), &err);
    double ratio = kc_ai_hangul_ratio(json_string_value(json_object_get(r, "t")));
    json_decref(r);
    return ratio > 0.3 ? "ko" : "en";
}
