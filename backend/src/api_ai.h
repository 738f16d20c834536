/* api_ai.h — handlers of the AI feature (screening results, interviews, analyses).
 * Implemented in ai_screening.c, ai_upload.c, ai_interview.c, ai_analyses.c; wired in
 * routes_ai.inc; internals in ai.h. ctx is the struct kc_app. */
#ifndef KC_BACKEND_API_AI_H
#define KC_BACKEND_API_AI_H

/* ai_screening.c */
KC_HANDLER(kc_api_ai_screening_input);
KC_HANDLER(kc_api_ai_screening_post);
KC_HANDLER(kc_api_ai_ranking);
KC_HANDLER(kc_api_ai_screening_get);
KC_HANDLER(kc_api_ai_insights);
KC_HANDLER(kc_api_ai_questions);
/* ai_interview.c */
KC_HANDLER(kc_api_ai_interview);
/* ai_upload.c */
KC_HANDLER(kc_api_ai_upload_create);
KC_HANDLER(kc_api_ai_upload_put);
KC_HANDLER(kc_api_ai_upload_status);
KC_HANDLER(kc_api_ai_answer_upload);
/* ai_analyses.c */
KC_HANDLER(kc_api_ai_analyses_list);
KC_HANDLER(kc_api_ai_analysis_get);
KC_HANDLER(kc_api_ai_analysis_events);

#endif
