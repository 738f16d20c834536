/*
 * service.c — wiring of the video-analysis service (service.h): folders, routes, workers.
 *
 * Folders under KOCRUIT_DATA_DIR: media/ (inputs by sha256; mode 0700) and work/ (per-job
 * files of the analysis child processes). The worker pool is KOCRUIT_WORKERS threads of kind
 * "video.analyze" with KOCRUIT_JOB_MAX_ATTEMPTS and KOCRUIT_JOB_CLAIM_IDLE_MS; each thread
 * supervises one child process at a time, so KOCRUIT_WORKERS is also the number of analyses
 * that run at once on this host. Stop order (on_stop hook): set `stopping` (running children
 * are killed and their jobs requeued), then stop and join the workers.
 */
#include "service.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "service_private.h"

#ifndef KC_VIDEO_MIGRATIONS_DIR
#define KC_VIDEO_MIGRATIONS_DIR "video-analysis/migrations"
#endif

int kc_video_analyzer_path(char *buf, size_t cap)
{
    const char *env = getenv("KOCRUIT_VIDEO_ANALYZER");
    if (env && *env) {
        snprintf(buf, cap, "%s", env);
    } else {
        char exe[1024];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) return -1;
        exe[n] = '\0';
        snprintf(buf, cap, "%s/kocruit-video-analyze", dirname(exe));
    }
    return access(buf, X_OK) == 0 ? 0 : -1;
}

const char *kc_video_migrations_dir(void)
{
    static char dir[1100];
    const char *env = getenv("KOCRUIT_MIGRATIONS_DIR");
    struct stat sb;
    if (env && *env) return env;
    if (stat(KC_VIDEO_MIGRATIONS_DIR, &sb) == 0 && S_ISDIR(sb.st_mode))
        return KC_VIDEO_MIGRATIONS_DIR;
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return KC_VIDEO_MIGRATIONS_DIR;
    exe[n] = '\0';
    snprintf(dir, sizeof dir, "%s/../share/kocruit/video-analysis/migrations", dirname(exe));
    return dir;
}

static int make_dir(const char *path, struct kc_err *err)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST) return 0;
    return kc_err_set(err, KC_E_IO, "cannot create %s: %s", path, strerror(errno));
}

static void on_stop(void *ctx)
{
    struct kc_vsvc *vs = ctx;
    atomic_store(&vs->stopping, 1);
    if (vs->workers) kc_workers_stop(vs->workers);
    vs->workers = NULL;
}

static int start_workers(struct kc_vsvc *vs, struct kc_err *err)
{
    const struct kc_config *c = vs->cfg;
    struct kc_worker_config wc = {.kind = KC_VS_JOB_KIND,
                                  .threads = c->workers,
                                  .claim_idle_ms = c->job_claim_idle_ms,
                                  .max_attempts = c->job_max_attempts,
                                  .fn = kc_vs_job,
                                  .ctx = vs,
                                  .metrics = vs->svc->metrics};
    vs->workers = kc_workers_start(vs->svc->redis, &wc, err);
    return vs->workers ? 0 : -1;
}

int kc_video_service_start(struct kc_service *s, struct kc_err *err)
{
    if (!s->db) return kc_err_set(err, KC_E_INTERNAL, "the video service needs its database");
    if (sodium_init() < 0) return kc_err_set(err, KC_E_INTERNAL, "libsodium failed to start");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return kc_err_set(err, KC_E_INTERNAL, "libcurl failed to start");
    /* One service per process; routes and workers use it until the process ends (HTTP
     * requests may still run after the stop hooks), so it has static storage. */
    static struct kc_vsvc service;
    struct kc_vsvc *vs = &service;
    memset(vs, 0, sizeof *vs);
    vs->svc = s;
    vs->cfg = &s->cfg;
    snprintf(vs->media_dir, sizeof vs->media_dir, "%s/media", s->cfg.data_dir);
    snprintf(vs->work_dir, sizeof vs->work_dir, "%s/work", s->cfg.data_dir);
    if (kc_video_analyzer_path(vs->exe, sizeof vs->exe) != 0)
        return kc_err_set(err, KC_E_UNAVAILABLE,
                          "the analysis program %s is missing (build kocruit-video-analyze)",
                          vs->exe);
    if (make_dir(s->cfg.data_dir, err) || make_dir(vs->media_dir, err) ||
        make_dir(vs->work_dir, err) || kc_vs_routes(vs, err) || start_workers(vs, err))
        return -1;
    kc_service_on_stop(s, on_stop, vs);
    return 0;
}
