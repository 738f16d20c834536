/*
 * notify.c — a user's notifications: list (newest first, paginated), unread count, mark one
 * or all read. Notifications are created by the modules where things happen (kc_notify in
 * app.c): a new application (the job's recruiters), a stage decision (the applicant), a
 * panel assignment (the interviewer), a scheduled interview (the applicant).
 * A user only ever reads or changes their own rows (user_id in every WHERE).
 */
#include "api.h"

void kc_api_notifications_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    long limit, offset;
    if (kc_app_query_int(req, resp, "limit", 1, 100, 50, &limit) ||
        kc_app_query_int(req, resp, "offset", 0, 1000000, 0, &offset))
        return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *rows = kc_db_query(
        c,
        "SELECT id, kind, title, body, data_json, read_at, created_at "
        "FROM notifications WHERE user_id = $1 ORDER BY id DESC "
        "LIMIT $2 OFFSET $3",
        KC_ARGS(KC_DBV_INT(kc_app_user(req)->id), KC_DBV_INT(limit), KC_DBV_INT(offset)), &err);
    kc_db_release(app->db, c);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

void kc_api_notifications_unread(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t n = 0;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int rc = kc_db_query_int(c,
                             "SELECT count(*) FROM notifications WHERE user_id = $1 AND "
                             "read_at IS NULL",
                             KC_ARGS(KC_DBV_INT(kc_app_user(req)->id)), &n, &err);
    kc_db_release(app->db, c);
    if (rc < 0) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:I}", "unread", (json_int_t)n));
}

void kc_api_notifications_read(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int64_t n = kc_db_exec(
        c,
        "UPDATE notifications SET read_at = coalesce(read_at, $3) WHERE "
        "id = $1 AND user_id = $2",
        KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_app_user(req)->id), KC_DBV_INT(kc_now())), &err);
    kc_db_release(app->db, c);
    if (n < 0) KC_FAIL(resp, &err);
    if (n == 0) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such notification");
    kc_resp_empty(resp, 204);
}

void kc_api_notifications_read_all(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int64_t n = kc_db_exec(c,
                           "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND "
                           "read_at IS NULL",
                           KC_ARGS(KC_DBV_INT(kc_app_user(req)->id), KC_DBV_INT(kc_now())), &err);
    kc_db_release(app->db, c);
    if (n < 0) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:I}", "marked", (json_int_t)n));
}
