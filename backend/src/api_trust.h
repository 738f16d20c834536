/* api_trust.h — handlers of the trust feature (consent, deletion, audit, rights, fairness).
 * Each takes the struct kc_app as ctx; routes_trust.inc wires them to paths and policy. */
#ifndef KC_BACKEND_API_TRUST_H
#define KC_BACKEND_API_TRUST_H

/* trust_policy.c */
KC_HANDLER(kc_api_trust_policy_get);
KC_HANDLER(kc_api_trust_policy_put);
KC_HANDLER(kc_api_trust_member_compliance);
/* trust_consent.c */
KC_HANDLER(kc_api_trust_consent_get);
KC_HANDLER(kc_api_trust_consent_grant);
KC_HANDLER(kc_api_trust_consent_withdraw);
KC_HANDLER(kc_api_trust_ai_choice);
/* trust_sweep.c */
KC_HANDLER(kc_api_trust_delete_me);
KC_HANDLER(kc_api_trust_delete_admin);
KC_HANDLER(kc_api_trust_delete_get);
/* trust_audit.c */
KC_HANDLER(kc_api_trust_audit_verify);
KC_HANDLER(kc_api_trust_audit_export);
KC_HANDLER(kc_api_trust_company_audit_export);
/* trust_job.c */
KC_HANDLER(kc_api_trust_job_get);
KC_HANDLER(kc_api_trust_job_put);
KC_HANDLER(kc_api_trust_accommodation_get);
KC_HANDLER(kc_api_trust_accommodation_put);
/* trust_rights.c */
KC_HANDLER(kc_api_trust_transcripts);
KC_HANDLER(kc_api_trust_correction);
KC_HANDLER(kc_api_trust_request_create);
KC_HANDLER(kc_api_trust_requests_list);
KC_HANDLER(kc_api_trust_company_requests);
KC_HANDLER(kc_api_trust_request_answer);
/* trust_fairness.c */
KC_HANDLER(kc_api_trust_self_identify);
KC_HANDLER(kc_api_trust_adverse_impact);
KC_HANDLER(kc_api_trust_bias_audit);
/* trust_explain.c */
KC_HANDLER(kc_api_trust_explainability);

#endif
