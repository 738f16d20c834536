/* api_trust.h — handlers of the trust feature (consent, deletion, audit, rights, fairness). */
#ifndef KC_BACKEND_API_TRUST_H
#define KC_BACKEND_API_TRUST_H
#endif
