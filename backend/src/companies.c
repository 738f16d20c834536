/*
 * companies.c — company profile, departments, members and their roles, invitations.
 *
 * Scope: every route under /companies/{id} except the public profile first checks the
 * caller's membership of company {id} (kc_company_scope): not a member → 404, a member
 * whose role is too low → 403. A company always keeps at least one manager: demoting or
 * removing the last one answers 409.
 * Invitations carry a random token (stored as sha256) valid for 7 days; the token is
 * e-mailed through the outbox and also returned once to the inviting manager so it can be
 * handed over when no SMTP server is configured.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "validate.h"

#define INVITE_TTL_S (7 * 24 * 3600)

static const char *const member_roles[] = {"manager", "recruiter", "interviewer", NULL};

int kc_company_scope(struct kc_req *req, struct kc_resp *resp, enum kc_scope need, int64_t *cid)
{
    const struct kc_user *u = kc_app_user(req);
    if (kc_app_path_id(req, resp, "id", cid)) return -1;
    const char *role = kc_auth_company_role(u, *cid);
    if (!role) {
        kc_resp_errorf(resp, KC_E_NOT_FOUND, NULL, "no such company");
        return -1;
    }
    if ((need == KC_SCOPE_RECRUITER && !kc_auth_is_recruiter(u, *cid)) ||
        (need == KC_SCOPE_MANAGER && !kc_auth_is_manager(u, *cid))) {
        kc_resp_errorf(resp, KC_E_FORBIDDEN, NULL, "your role in this company may not do this");
        return -1;
    }
    return 0;
}

/* Run one SELECT and answer with its rows (times converted). */
static void answer_rows(struct kc_app *app, struct kc_resp *resp, const char *sql,
                        const struct kc_db_val *p, size_t np)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *rows = kc_db_query(c, sql, p, np, &err);
    kc_db_release(app->db, c);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

void kc_api_company_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid;
    if (kc_app_path_id(req, resp, "id", &cid)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *row = kc_db_query_one(c,
                                  "SELECT id, name, description, website, jurisdiction, "
                                  "created_at FROM companies WHERE id = $1",
                                  KC_ARGS(KC_DBV_INT(cid)), &err);
    kc_db_release(app->db, c);
    if (!row) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, kc_app_times(row));
}

void kc_api_company_put(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid;
    const char *name, *desc = "", *site = "", *jur = "KR";
    if (kc_company_scope(req, resp, KC_SCOPE_MANAGER, &cid)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "name", 1, KC_NAME_MAX, &name, &err) ||
        kc_json_str(b, "description", 0, KC_TEXT_MAX, &desc, &err) ||
        kc_json_str(b, "website", 0, KC_LINE_MAX, &site, &err) ||
        kc_json_str(b, "jurisdiction", 0, 2, &jur, &err))
        KC_FAIL(resp, &err);
    if (!*name) KC_ERRF(resp, KC_E_INVALID, "name", "name: must not be empty");
    if (strlen(jur) != 2 || jur[0] < 'A' || jur[0] > 'Z' || jur[1] < 'A' || jur[1] > 'Z')
        KC_ERRF(resp, KC_E_INVALID, "jurisdiction",
                "jurisdiction: an ISO 3166 two-letter country code such as KR");
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int64_t rc = kc_db_exec(c,
                            "UPDATE companies SET name = $2, description = $3, website = $4, "
                            "jurisdiction = $5 WHERE id = $1",
                            KC_ARGS(KC_DBV_INT(cid), KC_DBV_TEXT(name), KC_DBV_TEXT(desc),
                                    KC_DBV_TEXT(site), KC_DBV_TEXT(jur)),
                            &err);
    kc_db_release(app->db, c);
    if (rc < 0) KC_FAIL(resp, &err);
    kc_api_company_get(req, resp, ctx);
}

void kc_api_departments_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    int64_t cid;
    if (kc_company_scope(req, resp, KC_SCOPE_MEMBER, &cid)) return;
    answer_rows(ctx, resp,
                "SELECT id, name, created_at FROM departments WHERE company_id = $1 ORDER BY name",
                KC_ARGS(KC_DBV_INT(cid)));
}

void kc_api_departments_create(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid;
    const char *name;
    if (kc_company_scope(req, resp, KC_SCOPE_MANAGER, &cid)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "name", 1, KC_NAME_MAX, &name, &err)) KC_FAIL(resp, &err);
    if (!*name) KC_ERRF(resp, KC_E_INVALID, "name", "name: must not be empty");
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *row =
        kc_db_query_one(c,
                        "INSERT INTO departments(company_id, name, created_at) "
                        "VALUES ($1, $2, $3) RETURNING id, name, created_at",
                        KC_ARGS(KC_DBV_INT(cid), KC_DBV_TEXT(name), KC_DBV_INT(kc_now())), &err);
    kc_db_release(app->db, c);
    if (!row) {
        if (err.code == KC_E_CONFLICT)
            kc_err_field(&err, KC_E_CONFLICT, "name", "name: the department already exists");
        KC_FAIL(resp, &err);
    }
    kc_resp_json(resp, 201, kc_app_times(row));
}

void kc_api_departments_delete(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid, did;
    if (kc_company_scope(req, resp, KC_SCOPE_MANAGER, &cid)) return;
    if (kc_app_path_id(req, resp, "dept_id", &did)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int64_t n = kc_db_exec(c, "DELETE FROM departments WHERE id = $1 AND company_id = $2",
                           KC_ARGS(KC_DBV_INT(did), KC_DBV_INT(cid)), &err);
    kc_db_release(app->db, c);
    if (n < 0) KC_FAIL(resp, &err);
    if (n == 0) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such department");
    kc_resp_empty(resp, 204);
}

void kc_api_members_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    int64_t cid;
    if (kc_company_scope(req, resp, KC_SCOPE_MEMBER, &cid)) return;
    answer_rows(ctx, resp,
                "SELECT u.id AS user_id, u.email, u.name, m.role, m.department_id, m.created_at "
                "FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.company_id = $1 "
                "ORDER BY u.name",
                KC_ARGS(KC_DBV_INT(cid)));
}

/* 409 when the change would leave the company without a manager. */
static int keeps_a_manager(struct kc_db_conn *c, int64_t cid, int64_t uid, struct kc_err *err)
{
    int64_t others = 0;
    if (kc_db_query_int(c,
                        "SELECT count(*) FROM memberships WHERE company_id = $1 AND "
                        "role = 'manager' AND user_id <> $2",
                        KC_ARGS(KC_DBV_INT(cid), KC_DBV_INT(uid)), &others, err) < 0)
        return -1;
    if (others == 0)
        return kc_err_set(err, KC_E_CONFLICT, "a company must keep at least one manager");
    return 0;
}

static int change_member(struct kc_db_conn *c, int64_t cid, int64_t actor, int64_t uid,
                         const char *role, struct kc_err *err)
{
    if (kc_app_begin(c, err)) return -1;
    int64_t n = 0;
    if ((!role || strcmp(role, "manager") != 0) && keeps_a_manager(c, cid, uid, err)) goto fail;
    if (role)
        n = kc_db_exec(c, "UPDATE memberships SET role = $3 WHERE company_id = $1 AND user_id = $2",
                       KC_ARGS(KC_DBV_INT(cid), KC_DBV_INT(uid), KC_DBV_TEXT(role)), err);
    else
        n = kc_db_exec(c, "DELETE FROM memberships WHERE company_id = $1 AND user_id = $2",
                       KC_ARGS(KC_DBV_INT(cid), KC_DBV_INT(uid)), err);
    if (n < 0) goto fail;
    if (n == 0) {
        kc_err_set(err, KC_E_NOT_FOUND, "no such member");
        goto fail;
    }
    if (kc_audit(c, cid, actor, role ? "membership.role" : "membership.remove", "user", uid, NULL,
                 role ? json_pack("{s:s}", "role", role) : NULL, err))
        goto fail;
    return kc_app_commit(c, err);
fail:
    kc_db_rollback(c);
    return -1;
}

static void member_change(struct kc_req *req, struct kc_resp *resp, struct kc_app *app, int remove)
{
    struct kc_err err = {0};
    int64_t cid, uid;
    const char *role = NULL;
    if (kc_company_scope(req, resp, KC_SCOPE_MANAGER, &cid)) return;
    if (kc_app_path_id(req, resp, "user_id", &uid)) return;
    if (!remove) {
        json_t *b = kc_app_body(req, resp);
        if (!b) return;
        if (kc_json_enum(b, "role", 1, member_roles, &role, &err)) KC_FAIL(resp, &err);
    }
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int rc = change_member(c, cid, kc_app_user(req)->id, uid, role, &err);
    kc_db_release(app->db, c);
    if (rc) KC_FAIL(resp, &err);
    kc_resp_empty(resp, 204);
}

void kc_api_members_patch(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    member_change(req, resp, ctx, 0);
}

void kc_api_members_delete(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    member_change(req, resp, ctx, 1);
}

void kc_api_invitations_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    int64_t cid;
    if (kc_company_scope(req, resp, KC_SCOPE_MANAGER, &cid)) return;
    answer_rows(ctx, resp,
                "SELECT id, email, role, invited_by, expires_at, accepted_at, created_at "
                "FROM invitations WHERE company_id = $1 ORDER BY id DESC",
                KC_ARGS(KC_DBV_INT(cid)));
}

static json_t *invite(struct kc_db_conn *c, int64_t cid, int64_t actor, const char *email,
                      const char *role, const char *tok, struct kc_err *err)
{
    char hash[65], body[600];
    long now = kc_now();
    kc_token_sha256_hex(tok, hash);
    snprintf(body, sizeof body,
             "You were invited to join a company on kocruit as %s.\n"
             "Invitation code (valid for 7 days): %s\n",
             role, tok);
    if (kc_app_begin(c, err)) return NULL;
    json_t *row = kc_db_query_one(c,
                                  "INSERT INTO invitations(company_id, email, role, token_hash, "
                                  "invited_by, expires_at, created_at) VALUES ($1, $2, $3, $4, "
                                  "$5, $6, $7) RETURNING id, email, role, expires_at, created_at",
                                  KC_ARGS(KC_DBV_INT(cid), KC_DBV_TEXT(email), KC_DBV_TEXT(role),
                                          KC_DBV_TEXT(hash), KC_DBV_INT(actor),
                                          KC_DBV_INT(now + INVITE_TTL_S), KC_DBV_INT(now)),
                                  err);
    if (!row || kc_mail_queue(c, email, "kocruit invitation", body, err) ||
        kc_audit(c, cid, actor, "invitation.create", "invitation",
                 json_integer_value(json_object_get(row, "id")), NULL,
                 json_pack("{s:s,s:s}", "email", email, "role", role), err) ||
        kc_app_commit(c, err)) {
        kc_db_rollback(c);
        json_decref(row);
        return NULL;
    }
    return row;
}

void kc_api_invitations_create(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid;
    const char *email, *role;
    char tok[64];
    if (kc_company_scope(req, resp, KC_SCOPE_MANAGER, &cid)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "email", 1, KC_EMAIL_MAX, &email, &err) ||
        kc_valid_email("email", email, &err) ||
        kc_json_enum(b, "role", 1, member_roles, &role, &err))
        KC_FAIL(resp, &err);
    kc_token_random(tok, sizeof tok);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *row = invite(c, cid, kc_app_user(req)->id, email, role, tok, &err);
    kc_db_release(app->db, c);
    if (!row) KC_FAIL(resp, &err);
    json_object_set_new(row, "token", json_string(tok));
    kc_resp_json(resp, 201, kc_app_times(row));
}
