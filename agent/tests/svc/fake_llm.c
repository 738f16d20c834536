/*
 * fake_llm.c — the test chat-completions server (see fake_llm.h).
 */
#include "fake_llm.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- the fake server ---------------------------------------------------------------------- */

struct fake_llm fake = {.mu = PTHREAD_MUTEX_INITIALIZER};

double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

char *completion(const char *content)
{
    json_t *j = json_pack("{s:s,s:s,s:[{s:i,s:{s:s,s:s},s:s}]}", "id", "chatcmpl-test", "object",
                          "chat.completion", "choices", "index", 0, "message", "role", "assistant",
                          "content", content, "finish_reason", "stop");
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

void script(int status, const char *headers, char *body, int delay_ms)
{
    cr_assert_lt(fake.n_script, MAX_CANNED);
    fake.script[fake.n_script++] = (struct canned){status, headers ? headers : "", body, delay_ms};
}

static void header_value(const char *req, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    const char *p = strcasestr(req, name);
    if (!p) return;
    p += strlen(name);
    while (*p == ' ') p++;
    size_t n = strcspn(p, "\r\n");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
}

static void serve_one(int c)
{
    char req[65536];
    size_t n = 0;
    char *end = NULL;
    while (n < sizeof req - 1 && !end) {
        ssize_t k = recv(c, req + n, sizeof req - 1 - n, 0);
        if (k <= 0) return;
        n += (size_t)k;
        req[n] = '\0';
        end = strstr(req, "\r\n\r\n");
    }
    char cl[32];
    header_value(req, "Content-Length:", cl, sizeof cl);
    size_t want = (size_t)(end - req) + 4 + (size_t)atol(cl);
    while (n < want && n < sizeof req - 1) {
        ssize_t k = recv(c, req + n, sizeof req - 1 - n, 0);
        if (k <= 0) break;
        n += (size_t)k;
    }
    req[n] = '\0';
    pthread_mutex_lock(&fake.mu);
    int i = fake.n_seen < MAX_SEEN ? fake.n_seen : MAX_SEEN - 1;
    fake.seen_body[i] = strdup(end + 4);
    header_value(req, "Authorization:", fake.seen_auth[i], sizeof fake.seen_auth[i]);
    sscanf(req, "POST %127s", fake.seen_path[i]);
    fake.seen_ms[i] = mono_ms();
    int which = fake.n_seen < fake.n_script ? fake.n_seen : fake.n_script - 1;
    fake.n_seen++;
    struct canned cn = fake.script[which];
    pthread_mutex_unlock(&fake.mu);
    if (cn.delay_ms) usleep((useconds_t)cn.delay_ms * 1000);
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n%s\r\n",
                      cn.status, strlen(cn.body), cn.headers);
    send(c, head, (size_t)hl, MSG_NOSIGNAL);
    send(c, cn.body, strlen(cn.body), MSG_NOSIGNAL);
}

static void *serve(void *arg)
{
    (void)arg;
    while (!fake.stop) {
        struct pollfd p = {fake.fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        int c = accept(fake.fd, NULL, NULL);
        if (c < 0) continue;
        serve_one(c);
        close(c);
    }
    return NULL;
}

void fake_start(void)
{
    fake.fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fake.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fake.fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(fake.fd, 16), 0);
    socklen_t len = sizeof a;
    getsockname(fake.fd, (struct sockaddr *)&a, &len);
    fake.port = ntohs(a.sin_port);
    pthread_create(&fake.tid, NULL, serve, NULL);
}

void fake_stop(void)
{
    fake.stop = 1;
    pthread_join(fake.tid, NULL);
    close(fake.fd);
    for (int i = 0; i < fake.n_script; i++) free(fake.script[i].body);
    for (int i = 0; i < MAX_SEEN; i++) free(fake.seen_body[i]);
}
