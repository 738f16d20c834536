/*
 * guard.h — the backend's kc_http_guard (policy in auth.h). ctx is the struct kc_app.
 * On success a malloc'd struct kc_user is attached to the request (freed with it).
 */
#ifndef KC_BACKEND_GUARD_H
#define KC_BACKEND_GUARD_H

#include "http.h"

int kc_guard(struct kc_req *req, const struct kc_route *route, struct kc_resp *resp, void *ctx);

#endif
