/*
 * analysis.h — one video-interview analysis: the options a client asks for, and the run that
 * decodes a recording, drives the vision and speech pipelines and assembles the report.
 *
 * The same code serves the service's job workers and the CLI (`kocruit-video analyze`): the
 * worker runs the CLI as a child process (service_job.c), so the report a client reads from
 * the API is byte-for-byte what `kocruit-video analyze --json` prints.
 *
 * Options (JSON, validated by kc_analysis_opts_parse; every error names its field):
 *   {"language": "en"|"ko"|"auto",                      default "en"
 *    "questions": [{"id": "q1", "start": 0, "end": 60}], ≤ KC_ANALYSIS_MAX_QUESTIONS
 *    "consent": {"video_behaviour": bool, "speech": bool, "emotion": bool},   REQUIRED
 *    "emotion_policy": {"enabled": bool, "jurisdiction": "KR"|"US"|"EU"|…},
 *    "asr": true|false,                                 default true (false: no transcript)
 *    "rubric": {…}                                      a rubric document (rubric.h)
 *    "application_id": "…", "subject_id": "…"}          opaque, for deletion requests
 * Consent rules (DESIGN.md "Trust features"): an analysis type without consent is not run;
 * with neither video_behaviour nor speech consented there is nothing to run and parsing fails
 * with KC_E_UNPROCESSABLE "no consent for any analysis type". Emotion inference runs only when
 * emotion_policy.enabled AND consent.emotion AND the jurisdiction is not in the EU (the EU
 * code or a member state's ISO code: AI Act Art. 5(1)(f)); asking for it under an EU
 * jurisdiction is refused (KC_E_UNPROCESSABLE, field emotion_policy.jurisdiction).
 * "auto" language: no language identification model exists here, so the language-independent
 * speech metrics are computed and the transcript is reported unavailable with that reason.
 *
 * Report (kc_analysis_run; every number a metric record of metric.h):
 *   {"id", "status":"done", "media":{duration_s, container, video:{…}|{status,reason},
 *    audio:{…}|{status,reason}}, "analyses":{video_behaviour, speech, emotion: {status,
 *    reason?}}, "language":{requested, used}, "metrics":{…}, "timelines":{…},
 *    "transcript":{…}, "vad":{…}, "per_question":[…], "emotion":{…}|{"status":"disabled by
 *    policy","reason"}, "rates":{mesh_fps, iris_fps, pose_fps, emotion_fps},
 *    "models":{name:{file, sha256}}, "scoring":{…}, "timings_ms":{decode, detect, mesh,
 *    iris, emotion, pose, vad, audio_features, asr, vision_total, speech_total, wall}}
 * When emotion did not run, no emotion value exists anywhere in the report
 * (kc_report_strip_emotion removes any that a pipeline might have left).
 *
 * Ownership: kc_analysis_opts owns its arrays and rubric (kc_analysis_opts_free). Returned
 * JSON is a new reference (caller json_decref). Thread-safety: every function is reentrant;
 * the hooks are called from the pipelines' threads but never concurrently.
 */
#ifndef KC_ANALYSIS_H
#define KC_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "core/err.h"

#define KC_ANALYSIS_MAX_QUESTIONS 200
#define KC_ANALYSIS_ID_MAX        128 /* bytes of application_id / subject_id / question id */

struct kc_analysis_question {
    char id[KC_ANALYSIS_ID_MAX];
    double start, end; /* s of file time, 0 <= start < end */
};

struct kc_analysis_opts {
    char language[8]; /* "en" | "ko" | "auto" */
    bool consent_video, consent_speech, consent_emotion;
    bool emotion_enabled;
    char jurisdiction[16]; /* upper-case code, "" when not given */
    bool asr;              /* transcribe (default true) */
    struct kc_analysis_question *questions;
    size_t n_questions;
    json_t *rubric; /* a validated rubric document or NULL; owned */
    char application_id[KC_ANALYSIS_ID_MAX], subject_id[KC_ANALYSIS_ID_MAX];
};

/* Defaults: language "en", asr on, no consent at all, emotion off. */
void kc_analysis_opts_init(struct kc_analysis_opts *o);
/* Parse and validate `j` (an object) into *o (initialised here). 0, or -1 with err naming the
 * field (KC_E_INVALID), or KC_E_UNPROCESSABLE for the consent/policy refusals above. */
int kc_analysis_opts_parse(const json_t *j, struct kc_analysis_opts *o, struct kc_err *err);
/* The normalised options (what is stored and handed to the worker). New reference. */
json_t *kc_analysis_opts_to_json(const struct kc_analysis_opts *o);
/* {"video_behaviour":…, "speech":…, "emotion":…}. New reference. */
json_t *kc_analysis_consent_json(const struct kc_analysis_opts *o);
void kc_analysis_opts_free(struct kc_analysis_opts *o);

/* Whether emotion inference may run; when not, *reason (static string) says why. */
bool kc_analysis_emotion_allowed(const struct kc_analysis_opts *o, const char **reason);
/* "EU" or an EU member state's ISO 3166-1 alpha-2 code (case-insensitive). */
bool kc_jurisdiction_is_eu(const char *code);

struct kc_analysis_hooks {
    /* fraction of the whole analysis 0..1 (non-decreasing) and the running stage name */
    void (*progress)(void *ctx, double fraction, const char *stage);
    void *ctx;
};

/* Analyse the recording at `path`. id may be NULL (CLI). Returns the report, or NULL with err:
 * KC_E_NOT_FOUND/KC_E_IO (file), KC_E_UNPROCESSABLE (neither audio nor video usable: the
 * message says why), KC_E_NOMEM. A missing model or an unusable half of the media is not an
 * error: the affected metrics say "unavailable" with the reason. */
json_t *kc_analysis_run(const char *path, const struct kc_analysis_opts *o, const char *id,
                        const struct kc_analysis_hooks *hooks, struct kc_err *err);

/* Remove from `report` every value that could carry an emotion inference: keys containing
 * "emotion" (except the top-level "emotion" marker and "analyses.emotion") and the seven class
 * names; rates/timings of emotion become null. Used when emotion did not run. */
void kc_report_strip_emotion(json_t *report);

#endif
