/*
 * trust.h — what the rest of the backend asks the trust feature (consent ledger and company
 * policy). Implemented in trust_consent.c / trust_policy.c by the trust feature; called by
 * the AI feature before it sends anything to an analysis service.
 *
 * Consent is per application and per analysis type. A type without a current (not
 * withdrawn) consent must not be analysed: the caller passes exactly these flags to the
 * video service, which refuses unconsented types itself too.
 * Emotion inference runs only when all hold: the company enabled it (an audited policy
 * change), the company's jurisdiction is not "EU", and the applicant consented to it.
 */
#ifndef KC_BACKEND_TRUST_H
#define KC_BACKEND_TRUST_H

#include <stdint.h>

#include "core/db.h"
#include "core/err.h"

struct kc_app;

struct kc_consent_set {
    int video_behaviour;      /* face, gaze, expression geometry, posture */
    int speech;               /* VAD, loudness, pitch, transcript */
    int answer_grading;       /* transcript graded against expected points */
    int emotion;              /* consented AND allowed by policy (see above) */
    int ai_declined;          /* the applicant chose the non-AI alternative */
    char jurisdiction[8];     /* company's, e.g. "KR", "US", "EU" */
    char consent_version[32]; /* version of the consent text agreed to; "" when none */
};

/* Current consent of the application's applicant. 0 and *out filled (all zero when none was
 * ever given); -1 with err (KC_E_NOT_FOUND for an unknown application). */
int kc_trust_consents(struct kc_app *app, struct kc_db_conn *c, int64_t application_id,
                      struct kc_consent_set *out, struct kc_err *err);

/* Blind review of a job (transcript only; name, photo and video hidden): 1 when on, 0 when
 * off or on error. */
int kc_trust_blind(struct kc_app *app, struct kc_db_conn *c, int64_t job_id);

/* Accommodations of an application, read by the interview flow (defaults: factor 1.0, no
 * extra retakes, mode "video"). 0, or -1 with err. */
struct kc_accommodation {
    double extra_time_factor; /* multiply each question's time limit (1.0..4.0) */
    int extra_retakes;        /* retakes beyond the job's (0..10) */
    char answer_mode[8];      /* "video" | "audio" | "text" */
};
int kc_trust_accommodation(struct kc_db_conn *c, int64_t application_id,
                           struct kc_accommodation *out, struct kc_err *err);

/* The sweeper thread (pending deletion requests, retention purge) every
 * KOCRUIT_TRUST_SWEEP_S seconds (default 600). Start once after the app is configured;
 * kc_trust_stop (a kc_service_on_stop callback) joins it. */
int kc_trust_start(struct kc_app *app, struct kc_err *err);
void kc_trust_stop(void *app);

/* Audit entries go through kc_audit() in app.c (hash-chained by the trust feature). */

#endif
