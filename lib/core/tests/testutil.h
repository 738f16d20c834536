/*
 * testutil.h — helpers for kocruit's tests (static library `kc_testutil`, declared in
 * lib/core/tests_data.cmake; link it with `LIBS kc_testutil`).
 *
 * What is here and why:
 *  - free ports, so every test can start its own servers and tests run in parallel;
 *  - a private redis-server per test (kc_test_redis_*), started as a child on a free port with
 *    `--bind 127.0.0.1 --save '' --appendonly no`, killed with the test process
 *    (PR_SET_PDEATHSIG) if the test crashes;
 *  - temporary folders (kc_test_tmpdir / kc_test_rmrf);
 *  - starting service binaries and waiting for their /health (kc_test_spawn,
 *    kc_test_wait_http_ok, kc_test_kill) for integration tests;
 *  - a small blocking HTTP client on libcurl (kc_test_http).
 * Nothing here depends on kc_core, so tests of kc_core use a tool they do not test.
 *
 * Thread-safety: call from the test's main thread (Criterion runs each test in its own
 * process; children die with the thread that started them). All functions return 0 / a valid
 * value on success and -1 / NULL on failure with a line on stderr saying why.
 */
#ifndef KC_TESTUTIL_H
#define KC_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read it back, close). */
int kc_test_free_port(void);

struct kc_test_redis {
    pid_t pid; /* 0 when not running */
    int port;
    char url[64]; /* "redis://127.0.0.1:PORT" */
};

/* Start redis-server (KC_REDIS_SERVER overrides the binary) on a free port and wait (≤ 10 s)
 * until PING answers. Retries on another port if the chosen one was taken meanwhile. */
int kc_test_redis_start(struct kc_test_redis *h);
/* Start it again on the same port after stop/kill (a restart as clients see it). */
int kc_test_redis_restart(struct kc_test_redis *h);
/* SIGTERM and wait. Safe to call when not running. */
void kc_test_redis_stop(struct kc_test_redis *h);
/* SIGKILL and wait (a crash as clients see it). */
void kc_test_redis_kill(struct kc_test_redis *h);

/* A fresh folder /tmp/kc-test-XXXXXX (caller frees the string; remove with kc_test_rmrf). */
char *kc_test_tmpdir(void);
/* rm -rf path. 0 ok. */
int kc_test_rmrf(const char *path);

/* fork + execve(argv[0] looked up in PATH when it has no '/'); envp NULL = this environment.
 * The child's stdout/stderr go to this process' stderr; it gets SIGKILL if the test dies.
 * Returns the pid, or -1. */
pid_t kc_test_spawn(char *const argv[], char *const envp[]);
/* GET url until it answers 200 or timeout_ms passes. 0 when it did. */
int kc_test_wait_http_ok(const char *url, int timeout_ms);
/* Send sig and wait for the process. Returns its wait status (see waitpid), or -1. */
int kc_test_kill(pid_t pid, int sig);

/* One HTTP request. headers: NULL-terminated "Name: value" strings or NULL; body: sent when
 * non-NULL (as-is, strlen bytes). *status gets the HTTP status, *resp_body (may be NULL) a
 * NUL-terminated malloc'd body the caller frees. 10 s timeout. 0 when a response arrived. */
int kc_test_http(const char *method, const char *url, const char *const *headers, const char *body,
                 long *status, char **resp_body);
/* Same with a body of explicit length (binary uploads). */
int kc_test_http_n(const char *method, const char *url, const char *const *headers,
                   const void *body, size_t body_len, long *status, char **resp_body,
                   size_t *resp_len);

#endif
