/*
 * routes.c — THE route table of the backend: every path, its handler, body mode and access
 * policy (auth bits from auth.h; 0 = public on purpose). main.c registers these entries
 * (setting ctx to the app and upload limits from the configuration), the table-driven
 * auth test iterates them, and openapi.c documents them. Adding a route anywhere else is
 * a bug: this file is the one place to review who may call what.
 */
#include "api.h"

#define GET(p, h, a, s, t)                                                                         \
    {                                                                                              \
        "GET", p, h, NULL, KC_BODY_NONE, 0, a, s, t                                                \
    }
#define DEL(p, h, a, s, t)                                                                         \
    {                                                                                              \
        "DELETE", p, h, NULL, KC_BODY_NONE, 0, a, s, t                                             \
    }
#define POST(p, h, a, s, t)                                                                        \
    {                                                                                              \
        "POST", p, h, NULL, KC_BODY_BUFFER, 0, a, s, t                                             \
    }
#define PUT(p, h, a, s, t)                                                                         \
    {                                                                                              \
        "PUT", p, h, NULL, KC_BODY_BUFFER, 0, a, s, t                                              \
    }
#define PATCH(p, h, a, s, t)                                                                       \
    {                                                                                              \
        "PATCH", p, h, NULL, KC_BODY_BUFFER, 0, a, s, t                                            \
    }
#define UPLOAD(p, h, a, s, t)                                                                      \
    {                                                                                              \
        "POST", p, h, NULL, KC_BODY_UPLOAD, 0, a, s, t                                             \
    }

#define V1        "/api/v1"
#define PUBLIC    KC_AUTH_PUBLIC
#define USER      KC_AUTH_USER
#define APPLICANT KC_AUTH_APPLICANT
#define STAFF     KC_AUTH_STAFF
#define RECRUITER KC_AUTH_RECRUITER
#define MANAGER   KC_AUTH_MANAGER
#define ADMIN     KC_AUTH_ADMIN
#define INTERNAL  KC_AUTH_INTERNAL

static const struct kc_route routes[] = {
    /* accounts */
    POST(V1 "/auth/signup", kc_api_signup_applicant, PUBLIC, "Sign up as an applicant", "auth"),
    POST(V1 "/auth/signup-company", kc_api_signup_company, PUBLIC,
         "Create a company and its first manager", "auth"),
    POST(V1 "/auth/login", kc_api_login, PUBLIC, "Sign in (rate-limited per IP and e-mail)",
         "auth"),
    POST(V1 "/auth/refresh", kc_api_refresh, PUBLIC, "Rotate a refresh token", "auth"),
    POST(V1 "/auth/logout", kc_api_logout, USER, "Revoke a refresh token family or all sessions",
         "auth"),
    POST(V1 "/auth/password", kc_api_password_change, USER, "Change the password", "auth"),
    POST(V1 "/auth/password-reset", kc_api_reset_request, PUBLIC, "E-mail a reset code", "auth"),
    POST(V1 "/auth/password-reset/confirm", kc_api_reset_confirm, PUBLIC,
         "Set a new password with a reset code", "auth"),
    POST(V1 "/invitations/accept", kc_api_invitation_accept, PUBLIC,
         "Join a company with an invitation code", "auth"),
    GET(V1 "/me", kc_api_me, USER, "The signed-in user and memberships", "auth"),
    /* companies */
    GET(V1 "/companies/{id}", kc_api_company_get, PUBLIC, "Company profile", "companies"),
    PUT(V1 "/companies/{id}", kc_api_company_put, MANAGER, "Edit the company profile", "companies"),
    GET(V1 "/companies/{id}/departments", kc_api_departments_list, STAFF, "Departments",
        "companies"),
    POST(V1 "/companies/{id}/departments", kc_api_departments_create, MANAGER, "Add a department",
         "companies"),
    DEL(V1 "/companies/{id}/departments/{dept_id}", kc_api_departments_delete, MANAGER,
        "Remove a department", "companies"),
    GET(V1 "/companies/{id}/members", kc_api_members_list, STAFF, "Members and roles", "companies"),
    PATCH(V1 "/companies/{id}/members/{user_id}", kc_api_members_patch, MANAGER,
          "Change a member's role", "companies"),
    DEL(V1 "/companies/{id}/members/{user_id}", kc_api_members_delete, MANAGER, "Remove a member",
        "companies"),
    GET(V1 "/companies/{id}/invitations", kc_api_invitations_list, MANAGER, "Invitations",
        "companies"),
    POST(V1 "/companies/{id}/invitations", kc_api_invitations_create, MANAGER,
         "Invite someone to join", "companies"),
    GET(V1 "/companies/{id}/jobs", kc_api_company_jobs, STAFF, "All jobs of the company (staff)",
        "jobs"),
    /* jobs */
    GET(V1 "/jobs", kc_api_jobs_list, PUBLIC, "Search open jobs", "jobs"),
    POST(V1 "/jobs", kc_api_jobs_create, RECRUITER, "Create a job post", "jobs"),
    GET(V1 "/jobs/{id}", kc_api_jobs_get, PUBLIC, "A published job post", "jobs"),
    PUT(V1 "/jobs/{id}", kc_api_jobs_update, RECRUITER, "Replace a job post", "jobs"),
    DEL(V1 "/jobs/{id}", kc_api_jobs_delete, RECRUITER, "Delete a job without applications",
        "jobs"),
    GET(V1 "/jobs/{id}/manage", kc_api_jobs_manage, STAFF,
        "A job with criteria, thresholds and questions (staff)", "jobs"),
    GET(V1 "/jobs/{id}/stats", kc_api_job_stats, RECRUITER, "Statistics of a job", "jobs"),
    GET(V1 "/jobs/{id}/applications", kc_api_job_applications, RECRUITER, "Applications to a job",
        "applications"),
    POST(V1 "/jobs/{id}/applications", kc_api_apply, APPLICANT, "Apply to a job", "applications"),
    POST(V1 "/jobs/{id}/decisions", kc_api_bulk_decision, RECRUITER,
         "Decide many applications at once (all or nothing)", "applications"),
    GET(V1 "/jobs/{id}/panels", kc_api_panels_list, STAFF, "Interview panels of a job", "panels"),
    POST(V1 "/jobs/{id}/panels", kc_api_panels_create, RECRUITER, "Assign an interviewer",
         "panels"),
    /* resumes */
    UPLOAD(V1 "/resumes", kc_api_resumes_upload, APPLICANT,
           "Upload a resume (PDF, text or JSON; multipart field \"file\")", "resumes"),
    GET(V1 "/resumes", kc_api_resumes_list, APPLICANT, "My resumes", "resumes"),
    GET(V1 "/resumes/{id}", kc_api_resumes_get, APPLICANT | STAFF, "A resume with its sections",
        "resumes"),
    PUT(V1 "/resumes/{id}/sections", kc_api_resumes_put_sections, APPLICANT,
        "Correct the parsed sections", "resumes"),
    DEL(V1 "/resumes/{id}", kc_api_resumes_delete, APPLICANT, "Delete an unused resume", "resumes"),
    GET(V1 "/resumes/{id}/file", kc_api_resumes_file, APPLICANT | STAFF, "The original file",
        "resumes"),
    /* applications */
    GET(V1 "/me/applications", kc_api_my_applications, APPLICANT, "My applications",
        "applications"),
    GET(V1 "/applications/{id}", kc_api_application_get, APPLICANT | STAFF,
        "An application with its stage history", "applications"),
    POST(V1 "/applications/{id}/withdraw", kc_api_application_withdraw, APPLICANT,
         "Withdraw my application", "applications"),
    POST(V1 "/applications/{id}/decision", kc_api_decision, RECRUITER,
         "Pass, fail or hold the current stage", "applications"),
    GET(V1 "/applications/{id}/memos", kc_api_memos_list, RECRUITER, "Memos", "applications"),
    POST(V1 "/applications/{id}/memos", kc_api_memos_create, RECRUITER, "Add a memo",
         "applications"),
    GET(V1 "/applications/{id}/audit", kc_api_application_audit, RECRUITER,
        "Audit trail of an application", "applications"),
    GET(V1 "/applications/{id}/slots", kc_api_slots_list, APPLICANT | STAFF, "Interview slots",
        "panels"),
    POST(V1 "/applications/{id}/slots", kc_api_slots_create, RECRUITER, "Schedule an interview",
         "panels"),
    GET(V1 "/applications/{id}/stages/{stage}", kc_api_stage_view, STAFF,
        "A stage with evaluations and their aggregate", "panels"),
    PUT(V1 "/applications/{id}/stages/{stage}/evaluation", kc_api_evaluation_put, STAFF,
        "Submit my itemised evaluation", "panels"),
    /* panels */
    GET(V1 "/me/panels", kc_api_my_panels, STAFF, "My panel assignments", "panels"),
    DEL(V1 "/panels/{id}", kc_api_panels_delete, RECRUITER, "Remove a panel member", "panels"),
    POST(V1 "/panels/{id}/respond", kc_api_panels_respond, STAFF, "Accept or decline a panel",
         "panels"),
    /* notifications */
    GET(V1 "/notifications", kc_api_notifications_list, USER, "My notifications", "notifications"),
    GET(V1 "/notifications/unread-count", kc_api_notifications_unread, USER, "Unread count",
        "notifications"),
    POST(V1 "/notifications/read-all", kc_api_notifications_read_all, USER, "Mark all read",
         "notifications"),
    POST(V1 "/notifications/{id}/read", kc_api_notifications_read, USER, "Mark one read",
         "notifications"),
    /* admin and internal */
    GET(V1 "/admin/outbox", kc_api_admin_outbox, ADMIN, "The e-mail outbox", "admin"),
    GET("/internal/blobs/{sha256}", kc_api_internal_blob, INTERNAL, "A blob by sha256", "internal"),
    GET("/internal/applications/{id}", kc_api_internal_application, INTERNAL,
        "Application, job criteria and resume text for the agent", "internal"),
/* feature tables kept in their own files (one owner each) */
#include "routes_ai.inc"
#include "routes_trust.inc"
    /* documentation and web UI */
    GET(V1 "/openapi.json", kc_api_openapi, PUBLIC, "This API as OpenAPI 3.1", "docs"),
    GET(V1 "/docs", kc_api_docs, PUBLIC, "Human-readable API documentation", "docs"),
    GET("/", kc_api_web, PUBLIC, "Web UI", "web"),
    GET("/{file}", kc_api_web, PUBLIC, "Web UI file", "web"),
    GET("/assets/{file}", kc_api_web, PUBLIC, "Web UI asset", "web"),
};

const struct kc_route *kc_backend_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
