/*
 * testutil.c — see testutil.h. Children are started with fork + exec and PR_SET_PDEATHSIG so a
 * crashed test never leaves a redis-server or service behind; readiness is polled (PING for
 * Redis, GET for HTTP) in 20–50 ms steps up to a deadline.
 */
#include "testutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int kc_test_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    if (port < 0) perror("kc_test_free_port");
    return port;
}

/* ---- processes -------------------------------------------------------------------------- */

/* In the child: die with the parent, send stdout (and optionally stderr) where asked. */
static void child_setup(pid_t parent, int quiet)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int null_fd = quiet ? open("/dev/null", O_WRONLY) : -1;
    if (quiet && null_fd >= 0) {
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        close(null_fd);
    } else {
        dup2(STDERR_FILENO, STDOUT_FILENO);
    }
}

static pid_t spawn(char *const argv[], char *const envp[], int quiet)
{
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return -1;
    }
    if (pid == 0) {
        child_setup(parent, quiet);
        execvpe(argv[0], argv, envp ? envp : environ);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

pid_t kc_test_spawn(char *const argv[], char *const envp[])
{
    return spawn(argv, envp, 0);
}

int kc_test_kill(pid_t pid, int sig)
{
    if (pid <= 0) return -1;
    kill(pid, sig);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return status;
}

/* ---- redis ------------------------------------------------------------------------------ */

static int redis_pings(int port)
{
    struct timeval tv = {0, 200000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    int ok = 0;
    if (c && !c->err) {
        redisSetTimeout(c, tv);
        redisReply *r = redisCommand(c, "PING");
        ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
        if (r) freeReplyObject(r);
    }
    if (c) redisFree(c);
    return ok;
}

/* Start on h->port; 0 ready, 1 exited early (port taken?), -1 other failure. */
static int redis_try_start(struct kc_test_redis *h)
{
    char port[16];
    snprintf(port, sizeof port, "%d", h->port);
    const char *bin = getenv("KC_REDIS_SERVER");
    char *argv[] = {(char *)(bin ? bin : "redis-server"),
                    "--port",
                    port,
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    NULL};
    h->pid = spawn(argv, NULL, 1);
    if (h->pid < 0) {
        h->pid = 0;
        return -1;
    }
    long long deadline = now_ms() + 10000;
    while (now_ms() < deadline) {
        int status;
        if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
            h->pid = 0;
            return 1;
        }
        if (redis_pings(h->port)) {
            snprintf(h->url, sizeof h->url, "redis://127.0.0.1:%d", h->port);
            return 0;
        }
        sleep_ms(20);
    }
    fprintf(stderr, "kc_test_redis_start: no PONG on port %d within 10 s\n", h->port);
    kc_test_redis_kill(h);
    return -1;
}

int kc_test_redis_start(struct kc_test_redis *h)
{
    memset(h, 0, sizeof *h);
    for (int tries = 0; tries < 5; tries++) {
        h->port = kc_test_free_port();
        if (h->port < 0) return -1;
        int rc = redis_try_start(h);
        if (rc <= 0) return rc;
    }
    fprintf(stderr,
            "kc_test_redis_start: redis-server exited at once 5 times (is it installed?)\n");
    return -1;
}

int kc_test_redis_restart(struct kc_test_redis *h)
{
    if (h->pid) kc_test_redis_stop(h);
    for (int tries = 0; tries < 50; tries++) { /* the old socket may linger a moment */
        int rc = redis_try_start(h);
        if (rc <= 0) return rc;
        sleep_ms(50);
    }
    fprintf(stderr, "kc_test_redis_restart: port %d stays busy\n", h->port);
    return -1;
}

void kc_test_redis_stop(struct kc_test_redis *h)
{
    if (h->pid > 0) kc_test_kill(h->pid, SIGTERM);
    h->pid = 0;
}

void kc_test_redis_kill(struct kc_test_redis *h)
{
    if (h->pid > 0) kc_test_kill(h->pid, SIGKILL);
    h->pid = 0;
}

/* ---- files ----------------------------------------------------------------------------- */

char *kc_test_tmpdir(void)
{
    char tmpl[] = "/tmp/kc-test-XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return NULL;
    }
    return strdup(tmpl);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0 && errno != ENOENT) {
        perror(path);
        return -1;
    }
    return 0;
}

int kc_test_rmrf(const char *path)
{
    if (!path) return 0;
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT ? 0 : -1;
}

/* ---- HTTP ------------------------------------------------------------------------------ */

struct buf {
    char *p;
    size_t n;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t add = size * nmemb;
    char *p = realloc(b->p, b->n + add + 1);
    if (!p) return 0;
    memcpy(p + b->n, data, add);
    b->p = p;
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int http_request(const char *method, const char *url, const char *const *headers,
                        const void *body, size_t body_len, long timeout_ms, long *status,
                        struct buf *out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, curl_init_once);
    CURL *c = curl_easy_init();
    if (!c) return -1;
    struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; headers && headers[i]; i++) hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}

int kc_test_http_n(const char *method, const char *url, const char *const *headers,
                   const void *body, size_t body_len, long *status, char **resp_body,
                   size_t *resp_len)
{
    struct buf b = {0};
    long st = 0;
    int rc = http_request(method, url, headers, body, body_len, 10000, &st, &b);
    if (status) *status = st;
    if (rc != 0) fprintf(stderr, "kc_test_http %s %s: no response\n", method, url);
    if (rc == 0 && !b.p) b.p = calloc(1, 1);
    if (resp_len) *resp_len = b.n;
    if (resp_body)
        *resp_body = b.p;
    else
        free(b.p);
    return rc;
}

int kc_test_http(const char *method, const char *url, const char *const *headers, const char *body,
                 long *status, char **resp_body)
{
    return kc_test_http_n(method, url, headers, body, body ? strlen(body) : 0, status, resp_body,
                          NULL);
}

int kc_test_wait_http_ok(const char *url, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    do {
        struct buf b = {0};
        long st = 0;
        int rc = http_request("GET", url, NULL, NULL, 0, 1000, &st, &b);
        free(b.p);
        if (rc == 0 && st == 200) return 0;
        sleep_ms(50);
    } while (now_ms() < deadline);
    return -1;
}
