/*
 * mail.c — the e-mail outbox: messages are rows of email_outbox written in the same
 * transaction as what caused them (reset codes, invitations). When KOCRUIT_SMTP_URL is set
 * a sender thread delivers queued rows over SMTP with libcurl every 2 s (3 attempts, then
 * `failed` with the error); without it the outbox is only listed to admins at
 * GET /api/v1/admin/outbox, which is how a single-machine install hands out reset codes.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "config.h"
#include "log.h"

#define MAX_ATTEMPTS 3

static pthread_t sender;
static atomic_int sender_running; /* set by start/stop on the main thread */

void kc_api_admin_outbox(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    long limit, offset;
    if (kc_app_query_int(req, resp, "limit", 1, 200, 50, &limit) ||
        kc_app_query_int(req, resp, "offset", 0, 1000000, 0, &offset))
        return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *rows = kc_db_query(c,
                               "SELECT id, to_addr, subject, body, status, attempts, last_error, "
                               "created_at, sent_at FROM email_outbox ORDER BY id DESC "
                               "LIMIT $1 OFFSET $2",
                               KC_ARGS(KC_DBV_INT(limit), KC_DBV_INT(offset)), &err);
    kc_db_release(app->db, c);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200,
                 json_pack("{s:o,s:b}", "items", kc_app_times(rows), "smtp_configured",
                           app->cfg->smtp_url[0] != 0));
}

struct payload {
    const char *data;
    size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *ud)
{
    struct payload *p = ud;
    size_t left = p->len - p->off, want = size * n;
    size_t k = left < want ? left : want;
    memcpy(buf, p->data + p->off, k);
    p->off += k;
    return k;
}

static int send_one(const struct kc_config *cfg, const json_t *m, char *errbuf)
{
    const char *to = json_string_value(json_object_get(m, "to_addr"));
    char *msg = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&msg, &len);
    if (!f) return -1;
    fprintf(f,
            "To: <%s>\r\nFrom: <%s>\r\nSubject: %s\r\nContent-Type: text/plain; "
            "charset=utf-8\r\n\r\n%s\r\n",
            to, cfg->smtp_from, json_string_value(json_object_get(m, "subject")),
            json_string_value(json_object_get(m, "body")));
    fclose(f);
    struct payload p = {msg, len, 0};
    CURL *curl = curl_easy_init();
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    CURLcode rc = CURLE_FAILED_INIT;
    if (curl && rcpt) {
        char from[160];
        snprintf(from, sizeof from, "<%s>", cfg->smtp_from);
        curl_easy_setopt(curl, CURLOPT_URL, cfg->smtp_url);
        curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
        curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(curl, CURLOPT_READDATA, &p);
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
        rc = curl_easy_perform(curl);
        if (rc != CURLE_OK && !errbuf[0])
            snprintf(errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
    }
    curl_slist_free_all(rcpt);
    if (curl) curl_easy_cleanup(curl);
    free(msg);
    return rc == CURLE_OK ? 0 : -1;
}

static void deliver_batch(struct kc_app *app)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    if (!c) return;
    json_t *rows = kc_db_query(c,
                               "SELECT id, to_addr, subject, body, attempts FROM email_outbox "
                               "WHERE status = 'queued' ORDER BY id LIMIT 20",
                               NULL, 0, &err);
    kc_db_release(app->db, c);
    for (size_t i = 0; rows && i < json_array_size(rows); i++) {
        json_t *m = json_array_get(rows, i);
        char errbuf[CURL_ERROR_SIZE] = "";
        int ok = send_one(app->cfg, m, errbuf) == 0;
        int attempts = (int)json_integer_value(json_object_get(m, "attempts")) + 1;
        c = kc_db_acquire(app->db, &err);
        if (!c) break;
        kc_db_exec(c,
                   "UPDATE email_outbox SET status = $2, attempts = $3, last_error = $4, "
                   "sent_at = $5 WHERE id = $1",
                   KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(m, "id"))),
                           KC_DBV_TEXT(ok                         ? "sent"
                                       : attempts >= MAX_ATTEMPTS ? "failed"
                                                                  : "queued"),
                           KC_DBV_INT(attempts), ok ? KC_DBV_NULL : KC_DBV_TEXT(errbuf),
                           ok ? KC_DBV_INT(kc_now()) : KC_DBV_NULL),
                   &err);
        kc_db_release(app->db, c);
        if (!ok) kc_warn("smtp delivery failed: %s", errbuf);
    }
    json_decref(rows);
}

static void *sender_main(void *arg)
{
    struct kc_app *app = arg;
    while (sender_running) {
        deliver_batch(app);
        for (int i = 0; i < 20 && sender_running; i++) usleep(100 * 1000);
    }
    return NULL;
}

int kc_mail_start(struct kc_app *app, struct kc_err *err)
{
    if (!app->cfg->smtp_url[0]) return 0;
    sender_running = 1;
    if (pthread_create(&sender, NULL, sender_main, app) != 0) {
        sender_running = 0;
        return kc_err_set(err, KC_E_INTERNAL, "cannot start the mail sender thread");
    }
    kc_info("smtp sender started");
    return 0;
}

void kc_mail_stop(void *arg)
{
    (void)arg;
    if (!sender_running) return;
    sender_running = 0;
    pthread_join(sender, NULL);
}
