/*
 * http_sse.c — Server-Sent Events without tying up the server's threads.
 *
 * Design
 *  - A stream has a producer thread that calls the handler's `next` callback (which may block
 *    up to ~1 s, e.g. on a Redis subscription) and appends complete events to a byte queue.
 *    The MHD side is a content-reader callback on the pool thread: it hands out queued bytes,
 *    and when the queue is empty it suspends the connection (MHD_suspend_connection, allowed
 *    from a content reader) instead of blocking, so a handful of idle streams cannot stall a
 *    2-thread pool. The producer resumes the connection when it queues bytes.
 *  - Exactly one party resumes a suspended connection: whoever flips `suspended` from 1 to 0
 *    under the stream's lock, and it calls MHD_resume_connection after unlocking. A suspended
 *    connection cannot be closed by MHD (it is not polled), so the pointer stays valid until
 *    that resume.
 *  - After `keepalive_ms` without an event the producer queues a ": keepalive" comment; that
 *    write is also how a vanished client is noticed (MHD does not poll suspended sockets).
 *  - The stream ends when `next` returns -1 (the reader then ends the chunked body), when
 *    the client disconnects (MHD destroys the response: free callback sets consumer_gone),
 *    or when the server stops (kc_sse_stop_all). The producer then calls free_ctx.
 *  - Lifetime: two references, the producer thread's and the MHD response's; the last one
 *    frees the stream. The server lists live streams (for stop) and counts producer threads
 *    (stop waits for them). Lock order: srv->sse_lock before a stream's lock; MHD functions are
 *    never called under srv->sse_lock, and only MHD_suspend_connection under a stream lock.
 *  - Back-pressure: the producer waits while more than SSE_QUEUE_CAP - SSE_EVENT_MAX bytes are
 *    queued, so a slow client costs at most SSE_QUEUE_CAP bytes of memory.
 */
#include "http_private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define SSE_QUEUE_CAP (256 * 1024)
#define SSE_EVENT_MAX (64 * 1024)
#define SSE_BLOCK     (16 * 1024)

struct kc_sse {
    pthread_mutex_t lock;
    pthread_cond_t space; /* producer waits here for queue space */
    struct kc_http_server *srv;
    struct MHD_Connection *conn;
    kc_sse_next next;
    void *ctx;
    void (*free_ctx)(void *);
    char *buf;
    size_t off, len; /* queued bytes are buf[off, len) */
    int suspended, producer_done, consumer_gone, stop;
    int refs;
    uint64_t *bytes_out; /* the request's byte count, updated by the reader */
    struct kc_sse *prev, *next_stream;
};

static void sse_unref(struct kc_sse *s)
{
    pthread_mutex_lock(&s->lock);
    int refs = --s->refs;
    pthread_mutex_unlock(&s->lock);
    if (refs > 0) return;
    struct kc_http_server *srv = s->srv;
    pthread_mutex_lock(&srv->sse_lock);
    if (s->prev)
        s->prev->next_stream = s->next_stream;
    else
        srv->sse_list = s->next_stream;
    if (s->next_stream) s->next_stream->prev = s->prev;
    pthread_mutex_unlock(&srv->sse_lock);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->space);
    free(s->buf);
    free(s);
}

/* Under s->lock: claim the duty to resume the connection. */
static struct MHD_Connection *take_suspended(struct kc_sse *s)
{
    if (!s->suspended || s->consumer_gone) return NULL;
    s->suspended = 0;
    return s->conn;
}

static void queue_bytes(struct kc_sse *s, const char *data, size_t n)
{
    pthread_mutex_lock(&s->lock);
    if (s->off && s->len + n > SSE_QUEUE_CAP) {
        memmove(s->buf, s->buf + s->off, s->len - s->off);
        s->len -= s->off;
        s->off = 0;
    }
    if (s->len + n <= SSE_QUEUE_CAP) {
        memcpy(s->buf + s->len, data, n);
        s->len += n;
    }
    struct MHD_Connection *conn = take_suspended(s);
    pthread_mutex_unlock(&s->lock);
    if (conn) MHD_resume_connection(conn);
}

/* Wait for queue space; returns 0 to go on, -1 when the stream is over. */
static int wait_for_space(struct kc_sse *s)
{
    pthread_mutex_lock(&s->lock);
    while (!s->consumer_gone && !s->stop && s->len - s->off > SSE_QUEUE_CAP - SSE_EVENT_MAX)
        pthread_cond_wait(&s->space, &s->lock);
    int over = s->consumer_gone || s->stop;
    pthread_mutex_unlock(&s->lock);
    return over ? -1 : 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *producer_main(void *arg)
{
    struct kc_sse *s = arg;
    struct kc_http_server *srv = s->srv;
    const uint64_t keepalive_ns = (uint64_t)srv->sse_keepalive_ms * 1000000u;
    char *event = malloc(SSE_EVENT_MAX);
    uint64_t last_write = kc_http_now_ns();
    while (event && wait_for_space(s) == 0) {
        uint64_t t0 = kc_http_now_ns();
        long n = s->next(s->ctx, event, SSE_EVENT_MAX);
        if (n < 0 || n > SSE_EVENT_MAX) break;
        uint64_t t1 = kc_http_now_ns();
        if (n > 0) {
            queue_bytes(s, event, (size_t)n);
            last_write = t1;
            continue;
        }
        if (t1 - last_write >= keepalive_ns) {
            queue_bytes(s, ": keepalive\n\n", 13);
            last_write = t1;
        }
        if (t1 - t0 < 20 * 1000000u) sleep_ms(50); /* `next` did not wait: do not spin */
    }
    free(event);
    pthread_mutex_lock(&s->lock);
    s->producer_done = 1;
    struct MHD_Connection *conn = take_suspended(s);
    pthread_mutex_unlock(&s->lock);
    if (conn) MHD_resume_connection(conn);
    if (s->free_ctx) s->free_ctx(s->ctx);
    sse_unref(s);
    pthread_mutex_lock(&srv->sse_lock);
    srv->sse_count--;
    pthread_cond_broadcast(&srv->sse_cond);
    pthread_mutex_unlock(&srv->sse_lock);
    return NULL;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct kc_sse *s = cls;
    pthread_mutex_lock(&s->lock);
    if (s->len > s->off) {
        size_t n = s->len - s->off < max ? s->len - s->off : max;
        memcpy(out, s->buf + s->off, n);
        s->off += n;
        if (s->off == s->len) s->off = s->len = 0;
        pthread_cond_signal(&s->space);
        pthread_mutex_unlock(&s->lock);
        *s->bytes_out += n;
        return (ssize_t)n;
    }
    if (s->producer_done || s->stop) {
        pthread_mutex_unlock(&s->lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    s->suspended = 1;
    MHD_suspend_connection(s->conn);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

static void sse_response_gone(void *cls)
{
    struct kc_sse *s = cls;
    pthread_mutex_lock(&s->lock);
    s->consumer_gone = 1;
    s->suspended = 0;
    pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->lock);
    sse_unref(s);
}

static int start_producer(struct kc_sse *s)
{
    struct kc_http_server *srv = s->srv;
    pthread_attr_t attr;
    pthread_t tid;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    pthread_mutex_lock(&srv->sse_lock);
    s->next_stream = srv->sse_list;
    if (srv->sse_list) srv->sse_list->prev = s;
    srv->sse_list = s;
    s->stop = atomic_load(&srv->stopping);
    srv->sse_count++;
    int rc = pthread_create(&tid, &attr, producer_main, s);
    if (rc != 0) srv->sse_count--;
    pthread_mutex_unlock(&srv->sse_lock);
    pthread_attr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

void kc_resp_sse(struct kc_resp *resp, kc_sse_next next, void *ctx, void (*free_ctx)(void *))
{
    struct kc_sse *s = calloc(1, sizeof *s);
    char *buf = s ? malloc(SSE_QUEUE_CAP) : NULL;
    struct MHD_Response *mhd =
        buf ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK, sse_read, s,
                                                sse_response_gone)
            : NULL;
    if (!mhd) {
        free(buf);
        free(s);
        if (free_ctx) free_ctx(ctx);
        kc_resp_errorf(resp, KC_E_NOMEM, NULL, "out of memory");
        return;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->space, NULL);
    s->srv = resp->req->srv;
    s->conn = resp->req->conn;
    s->next = next;
    s->ctx = ctx;
    s->free_ctx = free_ctx;
    s->buf = buf;
    s->refs = 2;
    s->bytes_out = &resp->bytes;
    kc_resp_set(resp, 200, mhd, "text/event-stream", 0);
    MHD_add_response_header(mhd, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(mhd, "X-Accel-Buffering", "no");
    if (start_producer(s) != 0) {
        kc_log(KC_LOG_ERROR, resp->req->id, "http: cannot start an SSE producer thread");
        s->producer_done = 1; /* the reader ends the body at once */
        if (free_ctx) free_ctx(ctx);
        sse_unref(s);
    }
}

void kc_sse_stop_all(struct kc_http_server *srv)
{
    size_t n = 0, k = 0;
    pthread_mutex_lock(&srv->sse_lock);
    for (struct kc_sse *s = srv->sse_list; s; s = s->next_stream) n++;
    struct MHD_Connection **conns = n ? calloc(n, sizeof *conns) : NULL;
    for (struct kc_sse *s = srv->sse_list; s; s = s->next_stream) {
        pthread_mutex_lock(&s->lock);
        s->stop = 1;
        struct MHD_Connection *c = take_suspended(s);
        if (c && conns)
            conns[k++] = c;
        else if (c)
            s->suspended = 1; /* cannot record it: leave it for the producer */
        pthread_cond_broadcast(&s->space);
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_unlock(&srv->sse_lock);
    for (size_t i = 0; i < k; i++) MHD_resume_connection(conns[i]);
    free(conns);
}

int kc_sse_wait_all(struct kc_http_server *srv, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) deadline.tv_sec++, deadline.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&srv->sse_lock);
    int rc = 0;
    while (srv->sse_count > 0 && rc == 0)
        rc = pthread_cond_timedwait(&srv->sse_cond, &srv->sse_lock, &deadline);
    long left = srv->sse_count;
    pthread_mutex_unlock(&srv->sse_lock);
    return left > 0 ? -1 : 0;
}
