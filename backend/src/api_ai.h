/* api_ai.h — handlers of the AI feature (screening results, interviews, analyses). */
#ifndef KC_BACKEND_API_AI_H
#define KC_BACKEND_API_AI_H
#endif
