/*
 * service.h — what the three service binaries share: start-up, health, metrics, shutdown.
 *
 * kc_service_init loads and validates the configuration (exits the process with a message
 * naming the variable on a bad value — that is the contract of a service main), initialises
 * logging, the metrics registry, the Redis pool, the database when the service has one
 * (migrating it from `migrations_dir`), and an HTTP server that already serves:
 *   GET /health  → 200 {"status":"ok","service":"backend","version":"…",
 *                       "checks":{"redis":"ok","db":"ok"}}
 *                  or 503 {"status":"degraded",…,"checks":{"redis":"unavailable: …"}}
 *   GET /metrics → Prometheus text: request counts and latency histograms by route and
 *                  status, job counters, process RSS and uptime.
 * (The /health checks are cached for up to 1 s, so it can be polled at any rate without a
 * Redis round trip per request; a change in Redis or the database shows within ~1 s.)
 * A bad configuration value is logged and the process exits with status 2; any other
 * start-up failure returns -1 with err. kc_service_init creates data_dir and
 * data_dir/uploads (the HTTP server's upload_dir), installs the SIGTERM/SIGINT handlers and
 * turns on log buffering (kc_log_set_buffering; warn/error lines are still written at once).
 * The service then adds its routes and workers and calls kc_service_run, which starts the
 * server, waits for SIGTERM/SIGINT, stops taking new jobs (the on_stop hooks, in reverse
 * order of registration), lets in-flight requests finish, frees everything and returns 0.
 */
#ifndef KC_SERVICE_H
#define KC_SERVICE_H

#include "config.h"
#include "db.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"

struct kc_service {
    struct kc_config cfg;
    struct kc_metrics *metrics;
    struct kc_redis *redis;
    struct kc_db *db; /* NULL when the service was initialised without a database */
    struct kc_http_server *http;
    /* private */
    struct kc_service_hook *hooks;
    long long started_ms;
    int stop_pipe[2];                 /* self-pipe: signal handler / kc_service_stop → run */
    struct kc_service_health *health; /* cached /health result (service.c) */
};

struct kc_service_options {
    const char *name;           /* "backend" | "agent" | "video-analysis" */
    const char *migrations_dir; /* NULL = no database */
};

int kc_service_init(struct kc_service *s, const struct kc_service_options *opt, struct kc_err *err);
/* Register a hook to run at shutdown before the HTTP server stops (stop workers, flush). */
void kc_service_on_stop(struct kc_service *s, void (*fn)(void *ctx), void *ctx);
/* Runs until SIGTERM/SIGINT; returns the process exit code. */
int kc_service_run(struct kc_service *s);
/* Safe to call twice (kc_service_run already frees; a main may still call it). */
void kc_service_free(struct kc_service *s);
/* Make kc_service_run return as if SIGTERM had arrived (tests, admin endpoints).
 * Async-signal-safe and thread-safe. */
void kc_service_stop(struct kc_service *s);

#endif
