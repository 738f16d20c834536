/*
 * fake_llm.h — a local OpenAI-compatible chat-completions server for tests: raw sockets, one
 * thread, a script of canned responses (status, extra headers, body, delay) served in order
 * (the last one repeats), and a record of what each request carried (path, Authorization,
 * body, arrival time).
 *
 * One server per test process (Criterion runs each test in its own process). Not thread-safe
 * except for the recorded fields, which the server writes under fake.mu.
 */
#ifndef KC_AGENT_TEST_FAKE_LLM_H
#define KC_AGENT_TEST_FAKE_LLM_H

#include <pthread.h>

struct canned {
    int status;
    const char *headers; /* extra header lines, each ending in \r\n */
    char *body;          /* owned */
    int delay_ms;
};

#define MAX_CANNED 8
#define MAX_SEEN   16

struct fake_llm {
    int fd, port;
    pthread_t tid;
    volatile int stop;
    pthread_mutex_t mu;
    struct canned script[MAX_CANNED];
    int n_script;
    int n_seen;
    char *seen_body[MAX_SEEN];
    char seen_auth[MAX_SEEN][128];
    char seen_path[MAX_SEEN][128];
    double seen_ms[MAX_SEEN];
};

extern struct fake_llm fake;

void fake_start(void);
void fake_stop(void);
/* Append a canned response (takes body). */
void script(int status, const char *headers, char *body, int delay_ms);
/* A chat.completion body whose choices[0].message.content is content (malloc'd). */
char *completion(const char *content);
double mono_ms(void);

#endif
