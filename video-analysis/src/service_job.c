/*
 * service_job.c — the "video.analyze" job handler: one analysis in a child process.
 *
 * Why a child process: an analysis is minutes of FFmpeg decoding and model inference on
 * client-supplied media. Running it as `kocruit-video analyze` (this binary, cli.h) in a
 * child means (1) a crash in a decoder or an out-of-memory kill fails one job, never the
 * service; (2) withdrawal of consent stops the work at once (SIGKILL), whatever the pipeline is
 * doing; (3) the memory of a finished analysis goes back to the system; (4) the API's report
 * is exactly the CLI's. The child gets the validated options (from the DB row, never client
 * text) in <work>/<id>.options.json, writes progress lines to a pipe (fd 3) and the report
 * or {"error":…} to <work>/<id>.out.json; its stderr goes to <work>/<id>.stderr. It dies with
 * its worker thread (PR_SET_PDEATHSIG), so a SIGKILLed service leaves no orphan analysis; the
 * job's stream entry then goes idle and another worker reclaims it (jobs.h).
 *
 * The handler is idempotent: a job whose analysis is done, failed, cancelled or deleted is
 * acknowledged without work; a queued or running one (a reclaimed job) starts from scratch
 * and overwrites. The final UPDATE only applies to a row still 'running', and counts
 * completions, so a result is stored exactly once.
 *
 * Outcomes: exit 0 → done; exit 1/2 with an error document → failed (the input or options
 * will not get better: no retry); killed by a signal → retried (attempt < max) or failed;
 * withdrawal → cancelled (the DELETE already wrote the tombstone); service stop → the row goes
 * back to queued and the job is retried by the next worker; a child still running after
 * MAX_RUN_MS → failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/metrics.h"
#include "service_private.h"

#define POLL_MS           250
#define CANCEL_CHECK_MS   500
#define ANNOUNCE_EVERY_MS 200
#define DB_SAVE_EVERY_MS  2000
/* An analysis runs at several times real time and media is capped at 4 h (media.h): a child
 * still running after this long is stuck, not slow. */
#define MAX_RUN_MS (3LL * 3600 * 1000)

enum outcome { OUT_DONE, OUT_FAILED, OUT_RETRY, OUT_CANCELLED, OUT_STOPPED, OUT_TIMEOUT };

struct child {
    struct kc_vsvc *vs;
    const char *id;
    pid_t pid;
    int fd; /* progress pipe, read end */
    char buf[512];
    size_t len;
    double progress;
    char stage[32];
    long long last_cancel, last_announce, last_save;
    int wstatus;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- child process ------------------------------------------------------------------------ */

/* Runs in the forked child: only async-signal-safe calls until execv. */
static void child_exec(char *const argv[], const char *err_path, int wfd, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127); /* the worker died before prctl */
    int in = open("/dev/null", O_RDONLY), e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || e < 0 || dup2(in, 0) < 0 || dup2(e, 1) < 0 || dup2(e, 2) < 0 ||
        (wfd == 3 ? fcntl(3, F_SETFD, 0) : dup2(wfd, 3)) < 0)
        _exit(127);
    closefrom(4);
    signal(SIGPIPE, SIG_DFL);
    execv(argv[0], argv);
    _exit(127);
}

static int spawn(struct child *c, const char *input, struct kc_err *err)
{
    char opts[800], out[800], errp[800];
    kc_vs_work_path(c->vs, c->id, "options.json", opts, sizeof opts);
    kc_vs_work_path(c->vs, c->id, "out.json", out, sizeof out);
    kc_vs_work_path(c->vs, c->id, "stderr", errp, sizeof errp);
    unlink(out);
    char *argv[] = {c->vs->exe, (char *)input, "--options",     opts, "--id", (char *)c->id,
                    "--output", out,           "--progress-fd", "3",  NULL};
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return kc_err_set(err, KC_E_IO, "pipe: %s", strerror(errno));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return kc_err_set(err, KC_E_INTERNAL, "fork: %s", strerror(errno));
    }
    if (pid == 0) child_exec(argv, errp, p[1], parent);
    close(p[1]);
    c->pid = pid;
    c->fd = p[0];
    return 0;
}

/* ---- monitoring ----------------------------------------------------------------------------- */

static void on_line(struct child *c, const char *line)
{
    double f;
    char stage[32];
    if (sscanf(line, "progress %lf %31s", &f, stage) != 2 || !(f >= 0 && f <= 1)) return;
    c->progress = f;
    bool new_stage = strcmp(stage, c->stage) != 0;
    snprintf(c->stage, sizeof c->stage, "%s", stage);
    long long t = now_ms();
    if (new_stage || t - c->last_announce >= ANNOUNCE_EVERY_MS) {
        c->last_announce = t;
        kc_vs_announce(c->vs, c->id, "running", f, stage, NULL);
    }
    if (new_stage || t - c->last_save >= DB_SAVE_EVERY_MS) {
        c->last_save = t;
        kc_vs_save_progress(c->vs, c->id, f, stage);
    }
    c->last_cancel = 0; /* check the cancel flag at every progress step (rate-limited below) */
}

/* Read what the pipe has. 0 more to come, 1 at end of file. */
static int drain(struct child *c)
{
    ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
    if (n == 0) return 1;
    if (n < 0) return errno == EINTR || errno == EAGAIN ? 0 : 1;
    c->len += (size_t)n;
    c->buf[c->len] = '\0';
    char *start = c->buf, *nl;
    while ((nl = strchr(start, '\n'))) {
        *nl = '\0';
        on_line(c, start);
        start = nl + 1;
    }
    c->len = strlen(start);
    memmove(c->buf, start, c->len + 1);
    if (c->len == sizeof c->buf - 1) c->len = 0; /* a line too long: not ours, drop it */
    return 0;
}

static enum outcome monitor(struct child *c)
{
    enum outcome stop = OUT_DONE;
    long long started = now_ms();
    for (;;) {
        struct pollfd pf = {.fd = c->fd, .events = POLLIN};
        int r = poll(&pf, 1, POLL_MS);
        if (r > 0 && drain(c)) break;
        long long t = now_ms();
        if (atomic_load(&c->vs->stopping)) {
            stop = OUT_STOPPED;
            break;
        }
        if (t - started > MAX_RUN_MS) {
            stop = OUT_TIMEOUT;
            break;
        }
        if (t - c->last_cancel >= CANCEL_CHECK_MS) {
            c->last_cancel = t;
            if (kc_vs_cancel_requested(c->vs, c->id)) {
                stop = OUT_CANCELLED;
                break;
            }
        }
    }
    if (stop != OUT_DONE) kill(c->pid, SIGKILL);
    close(c->fd);
    while (waitpid(c->pid, &c->wstatus, 0) < 0 && errno == EINTR) {
    }
    return stop;
}

/* ---- outcome of the child -------------------------------------------------------------------- */

static char *slurp(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Last non-empty line of the child's stderr, for a crash message. */
static void stderr_tail(struct kc_vsvc *vs, const char *id, char *out, size_t cap)
{
    char p[800];
    kc_vs_work_path(vs, id, "stderr", p, sizeof p);
    char *t = slurp(p, 1 << 20);
    out[0] = '\0';
    if (!t) return;
    size_t n = strlen(t);
    while (n && (t[n - 1] == '\n' || t[n - 1] == '\r')) t[--n] = '\0';
    char *last = strrchr(t, '\n');
    snprintf(out, cap, "%.300s", last ? last + 1 : t);
    free(t);
}

/* Classify the finished child; *doc gets the report text on OUT_DONE, msg the error. */
static enum outcome classify(struct child *c, char **doc, char *msg, size_t cap)
{
    char out[800];
    kc_vs_work_path(c->vs, c->id, "out.json", out, sizeof out);
    int ws = c->wstatus;
    if (WIFSIGNALED(ws)) {
        char tail[320];
        stderr_tail(c->vs, c->id, tail, sizeof tail);
        snprintf(msg, cap, "the analysis process died (signal %d: %s)%s%s", WTERMSIG(ws),
                 strsignal(WTERMSIG(ws)), tail[0] ? "; last message: " : "", tail);
        return OUT_RETRY;
    }
    char *text = slurp(out, (size_t)512 << 20);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    enum outcome o = OUT_FAILED;
    if (code == 0 && json_is_object(j) && !json_object_get(j, "error")) {
        *doc = text;
        text = NULL;
        o = OUT_DONE;
    } else if (json_object_get(j, "error")) {
        const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        snprintf(msg, cap, "%s", m ? m : "the analysis failed");
    } else {
        char tail[320];
        stderr_tail(c->vs, c->id, tail, sizeof tail);
        snprintf(msg, cap, "the analysis process exited with status %d%s%s", code,
                 tail[0] ? ": " : "", tail);
        o = code == 127 ? OUT_RETRY : OUT_FAILED;
    }
    json_decref(j);
    free(text);
    return o;
}

/* ---- the handler ------------------------------------------------------------------------------
 */

static void cleanup_files(struct kc_vsvc *vs, const char *id)
{
    static const char *const ext[] = {"options.json", "out.json", "stderr"};
    for (size_t i = 0; i < 3; i++) {
        char p[800];
        kc_vs_work_path(vs, id, ext[i], p, sizeof p);
        unlink(p);
    }
}

static int write_options(struct kc_vsvc *vs, const char *id, const json_t *row, struct kc_err *err)
{
    char p[800];
    kc_vs_work_path(vs, id, "options.json", p, sizeof p);
    const json_t *opts = json_object_get(row, "options");
    if (!json_is_object(opts) || json_dump_file(opts, p, JSON_COMPACT) != 0)
        return kc_err_set(err, KC_E_IO, "cannot write the options of analysis %s", id);
    return 0;
}

/* Make sure the input exists locally (fetching a blob from the backend if needed). */
static int ensure_input(struct kc_vsvc *vs, const json_t *row, struct kc_err *err)
{
    const char *path = json_string_value(json_object_get(row, "input_path"));
    const char *sha = json_string_value(json_object_get(row, "input_sha256"));
    struct stat sb;
    if (path && stat(path, &sb) == 0) return 0;
    const char *src = json_string_value(json_object_get(row, "input_source"));
    if (!path || !sha || !src || strcmp(src, "blob"))
        return kc_err_set(err, KC_E_UNPROCESSABLE,
                          "the uploaded media of this analysis is no longer stored");
    return kc_vs_fetch_blob(vs, sha, path, err);
}

static void count(struct kc_vsvc *vs, const char *outcome)
{
    char labels[64];
    snprintf(labels, sizeof labels, "outcome=\"%s\"", outcome);
    kc_metrics_inc(vs->svc->metrics, "kc_video_analyses_total",
                   "Analyses finished by this process, by outcome", labels, 1);
}

static int store_done(struct kc_vsvc *vs, const char *id, char *doc, struct kc_err *err)
{
    int n = kc_vs_finish(vs, id, "done", doc, NULL, err);
    if (n < 0) return -1; /* DB trouble: retry the job */
    if (n == 0) {
        kc_info("analysis %s finished after a withdrawal: result discarded", id);
        return 0;
    }
    kc_vs_cache_result(vs, id, doc);
    kc_vs_announce(vs, id, "done", 1.0, "done", NULL);
    count(vs, "done");
    kc_info("analysis %s done", id);
    return 0;
}

static int store_failed(struct kc_vsvc *vs, const char *id, const char *msg)
{
    struct kc_err err = {0};
    if (kc_vs_finish(vs, id, "failed", NULL, msg, &err) > 0) {
        kc_vs_announce(vs, id, "failed", 0, "failed", msg);
        count(vs, "failed");
        kc_warn("analysis %s failed: %s", id, msg);
    } else {
        kc_info("analysis %s ended after a withdrawal or deletion", id);
    }
    return 0;
}

static int requeue(struct kc_vsvc *vs, const struct kc_job *job, const char *msg,
                   struct kc_err *err)
{
    int last = job->attempt >= vs->cfg->job_max_attempts;
    if (last) {
        char m[700];
        snprintf(m, sizeof m, "%s (attempt %d of %d)", msg, job->attempt,
                 vs->cfg->job_max_attempts);
        store_failed(vs, json_string_value(json_object_get(job->payload, "id")), m);
    } else {
        const char *id = json_string_value(json_object_get(job->payload, "id"));
        struct kc_err e = {0};
        if (kc_vs_finish(vs, id, "queued", NULL, msg, &e) > 0)
            kc_vs_announce(vs, id, "queued", 0, "retrying", msg);
    }
    return kc_err_set(err, KC_E_UNAVAILABLE, "%s", msg);
}

static int run_child(struct kc_vsvc *vs, const struct kc_job *job, const char *id,
                     const json_t *row, struct kc_err *err)
{
    struct child c = {.vs = vs, .id = id, .fd = -1};
    snprintf(c.stage, sizeof c.stage, "starting");
    if (spawn(&c, json_string_value(json_object_get(row, "input_path")), err))
        return requeue(vs, job, err->message, err);
    enum outcome o = monitor(&c);
    char *doc = NULL, msg[600] = "";
    if (o == OUT_DONE) o = classify(&c, &doc, msg, sizeof msg);
    int rc = 0;
    switch (o) {
    case OUT_DONE: rc = store_done(vs, id, doc, err); break;
    case OUT_FAILED: rc = store_failed(vs, id, msg); break;
    case OUT_RETRY: rc = requeue(vs, job, msg, err); break;
    case OUT_CANCELLED: kc_info("analysis %s: stopped after withdrawal", id); break;
    case OUT_TIMEOUT:
        rc = store_failed(vs, id, "the analysis did not finish within 3 hours and was stopped");
        break;
    case OUT_STOPPED:
        rc = requeue(vs, job, "the service stopped during the analysis; it will be retried", err);
        break;
    }
    free(doc);
    cleanup_files(vs, id);
    return rc;
}

int kc_vs_job(const struct kc_job *job, void *ctx, struct kc_err *err)
{
    struct kc_vsvc *vs = ctx;
    const char *id = json_string_value(json_object_get(job->payload, "id"));
    if (!kc_vs_valid_id(id)) {
        kc_warn("video.analyze job %s without a valid analysis id: dropped", job->stream_id);
        return 0;
    }
    json_t *row = kc_vs_row(vs, id, err);
    if (!row) return err->code == KC_E_NOT_FOUND ? 0 : -1;
    int rc = 0;
    int started = kc_vs_cancel_requested(vs, id) ? 0 : kc_vs_mark_running(vs, id, err);
    if (started < 0) rc = -1;
    if (started > 0) {
        kc_vs_announce(vs, id, "running", 0, "starting", NULL);
        struct kc_err e = {0};
        if (ensure_input(vs, row, &e) || write_options(vs, id, row, &e)) {
            if (e.code == KC_E_UNAVAILABLE || e.code == KC_E_IO)
                rc = requeue(vs, job, e.message, err);
            else
                rc = store_failed(vs, id, e.message);
        } else {
            rc = run_child(vs, job, id, row, err);
        }
    }
    json_decref(row);
    return rc;
}
