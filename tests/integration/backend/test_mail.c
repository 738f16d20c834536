/*
 * test_mail.c — with KOCRUIT_SMTP_URL set, outbox mail is delivered over SMTP (libcurl) to a
 * tiny SMTP sink run by this test, and the outbox row turns `sent`; and the password change
 * flow (old sessions end, the new password works).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bt.h"

static struct bt B;

struct sink {
    int fd, port;
    char data[8192];
    size_t len;
    pthread_t th;
};

static void say(int c, const char *s)
{
    if (write(c, s, strlen(s)) < 0) return;
}

/* One SMTP session: answers EHLO/HELO/MAIL/RCPT/RSET/NOOP with 250, collects DATA. */
static void *sink_main(void *arg)
{
    struct sink *s = arg;
    int c = accept(s->fd, NULL, NULL);
    if (c < 0) return NULL;
    char buf[4096], line[1024];
    size_t ll = 0;
    int in_data = 0;
    say(c, "220 sink ESMTP\r\n");
    for (;;) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; i++) {
            if (ll + 1 < sizeof line) line[ll++] = buf[i];
            if (buf[i] != '\n') continue;
            line[ll] = '\0';
            if (in_data) {
                if (!strcmp(line, ".\r\n"))
                    in_data = 0, say(c, "250 queued\r\n");
                else if (s->len + ll < sizeof s->data)
                    memcpy(s->data + s->len, line, ll), s->len += ll;
            } else if (!strncasecmp(line, "DATA", 4)) {
                in_data = 1;
                say(c, "354 go ahead\r\n");
            } else if (!strncasecmp(line, "QUIT", 4)) {
                say(c, "221 bye\r\n");
                close(c);
                return NULL;
            } else {
                say(c, "250 ok\r\n");
            }
            ll = 0;
        }
    }
    close(c);
    return NULL;
}

static void sink_start(struct sink *s)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    memset(s, 0, sizeof *s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_eq(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(s->fd, 4), 0);
    getsockname(s->fd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    pthread_create(&s->th, NULL, sink_main, s);
}

Test(mail, outbox_is_delivered_over_smtp, .timeout = 60)
{
    static struct sink s;
    static char url[80];
    sink_start(&s);
    snprintf(url, sizeof url, "KOCRUIT_SMTP_URL=smtp://127.0.0.1:%d", s.port);
    const char *env[] = {url, "KOCRUIT_SMTP_FROM=noreply@kocruit.example", NULL};
    bt_start(&B, env);
    long st;
    free(bt_signup_applicant(&B, "mail@v.example", NULL));
    json_decref(bt_req(&B, "POST", "/api/v1/auth/password-reset", NULL,
                       "{\"email\":\"mail@v.example\"}", &st));
    cr_assert_eq(st, 202);
    pthread_join(s.th, NULL); /* the sender delivers within ~2 s */
    s.data[s.len] = '\0';
    cr_expect(strstr(s.data, "To: <mail@v.example>") != NULL, "mail: %s", s.data);
    cr_expect(strstr(s.data, "Reset code") != NULL);
    char *admin = bt_admin(&B, "root@v.example");
    int sent = 0;
    for (int i = 0; i < 50 && !sent; i++) {
        json_t *ob = bt_req(&B, "GET", "/api/v1/admin/outbox", admin, NULL, &st);
        const char *status = json_string_value(
            json_object_get(json_array_get(json_object_get(ob, "items"), 0), "status"));
        sent = status && !strcmp(status, "sent");
        json_decref(ob);
        if (!sent) usleep(100 * 1000);
    }
    cr_expect(sent, "the outbox row was marked sent");
    free(admin);
    bt_stop(&B);
    close(s.fd);
}

Test(mail, password_change_ends_old_sessions, .timeout = 60)
{
    bt_start(&B, NULL);
    long st;
    char *old = bt_signup_applicant(&B, "pw@v.example", NULL);
    json_t *r = bt_req(
        &B, "POST", "/api/v1/auth/password", old,
        "{\"current_password\":\"wrong wrong wrong\",\"new_password\":\"new secret 123\"}", &st);
    cr_expect_eq(st, 400);
    json_decref(r);
    char body[300];
    snprintf(body, sizeof body, "{\"current_password\":\"%s\",\"new_password\":\"new secret 123\"}",
             BT_PASSWORD);
    r = bt_req(&B, "POST", "/api/v1/auth/password", old, body, &st);
    cr_assert_eq(st, 200, "%s", json_dumps(r, 0));
    char *fresh = strdup(json_string_value(json_object_get(r, "access_token")));
    json_decref(r);
    json_decref(bt_req(&B, "GET", "/api/v1/me", old, NULL, &st));
    cr_expect_eq(st, 401, "the old access token ended");
    json_decref(bt_req(&B, "GET", "/api/v1/me", fresh, NULL, &st));
    cr_expect_eq(st, 200, "the new one works");
    json_decref(bt_req(&B, "POST", "/api/v1/auth/login", NULL,
                       "{\"email\":\"pw@v.example\",\"password\":\"new secret 123\"}", &st));
    cr_expect_eq(st, 200);
    /* logout everywhere ends the fresh token too */
    json_decref(bt_req(&B, "POST", "/api/v1/auth/logout", fresh, "{\"all\":true}", &st));
    cr_expect_eq(st, 204);
    json_decref(bt_req(&B, "GET", "/api/v1/me", fresh, NULL, &st));
    cr_expect_eq(st, 401);
    free(old), free(fresh);
    bt_stop(&B);
}
