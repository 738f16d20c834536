/*
 * main.c — kocruit-backend, the hiring pipeline API service (:8000).
 *
 *   kocruit-backend                     run the service (configuration: config.h, app.h)
 *   kocruit-backend create-admin EMAIL  create an admin; the password is read from stdin
 *
 * Start-up: kc_service_init (config, log, metrics, Redis, SQLite with the migrations in
 * backend/migrations/sqlite or KOCRUIT_MIGRATIONS_DIR, HTTP server with /health and
 * /metrics) → backend settings → every route of routes.c with the app as ctx → the guard →
 * the OpenAPI document rendered once → the mail sender (when SMTP is configured) → run
 * until SIGTERM/SIGINT.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "guard.h"
#include "service.h"
#include "trust.h"

#define UPLOAD_OVERHEAD (64 * 1024) /* multipart headers around the file */

static int add_routes(struct kc_app *app, struct kc_err *err)
{
    size_t n;
    const struct kc_route *table = kc_backend_routes(&n);
    for (size_t i = 0; i < n; i++) {
        struct kc_route r = table[i];
        r.ctx = app;
        if (r.body == KC_BODY_UPLOAD) r.max_body = app->max_resume_bytes + UPLOAD_OVERHEAD;
        if (kc_http_route(app->svc->http, &r, err)) {
            kc_err_prefix(err, "route %s %s", r.method, r.pattern);
            return -1;
        }
    }
    return 0;
}

static int build_openapi(struct kc_app *app, struct kc_err *err)
{
    size_t n = kc_http_route_count(app->svc->http);
    struct kc_route *all = calloc(n ? n : 1, sizeof *all);
    if (!all) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) all[i] = *kc_http_route_at(app->svc->http, i);
    json_t *doc = kc_openapi_document(all, n);
    free(all);
    app->openapi_json = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    return app->openapi_json ? 0 : kc_err_set(err, KC_E_INTERNAL, "cannot render OpenAPI");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "create-admin")) return kc_admin_cli(argc, argv);
    if (argc >= 2) {
        fprintf(stderr, "usage: %s [create-admin EMAIL]\n", argv[0]);
        return 2;
    }
    static struct kc_service svc;
    static struct kc_app app;
    struct kc_err err = {0};
    struct kc_service_options opt = {.name = "backend",
                                     .migrations_dir = kc_backend_migrations_dir()};
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (kc_service_init(&svc, &opt, &err)) {
        fprintf(stderr, "kocruit-backend: %s\n", err.message);
        return 1;
    }
    app.svc = &svc;
    app.cfg = &svc.cfg;
    app.db = svc.db;
    app.redis = svc.redis;
    if (kc_auth_init(&err) || kc_app_configure(&app, &err) || add_routes(&app, &err) ||
        build_openapi(&app, &err) || kc_mail_start(&app, &err) || kc_trust_start(&app, &err)) {
        fprintf(stderr, "kocruit-backend: %s\n", err.message);
        kc_service_free(&svc);
        return 1;
    }
    kc_http_set_guard(svc.http, kc_guard, &app);
    kc_service_on_stop(&svc, kc_mail_stop, &app);
    kc_service_on_stop(&svc, kc_trust_stop, &app); /* the trust sweeper (trust_sweep.c) */
    int rc = kc_service_run(&svc);                 /* returns after in-flight requests finished */
    free(app.openapi_json);
    curl_global_cleanup();
    return rc;
}
