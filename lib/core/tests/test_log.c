/*
 * test_log.c — the JSON-lines logger: every line parses as JSON with the base keys in order,
 * levels filter, strings are escaped (quotes, control characters, invalid UTF-8), typed and
 * jansson extra fields are merged, base keys cannot be overridden, threads never interleave.
 * Each test logs into its own tmpfile() and parses what was written.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static FILE *sink;

static void setup(void)
{
    sink = tmpfile();
    cr_assert_not_null(sink);
    kc_log_init("backend", KC_LOG_DEBUG, sink);
}

static void teardown(void)
{
    kc_log_init("", KC_LOG_INFO, NULL);
    fclose(sink);
}

/* Read every line written so far; returns a JSON array of the parsed lines. */
static json_t *read_lines(void)
{
    json_t *lines = json_array();
    char *buf = NULL;
    size_t cap = 0;
    fflush(sink);
    rewind(sink);
    for (ssize_t got = getline(&buf, &cap, sink); got > 0; got = getline(&buf, &cap, sink)) {
        size_t n = (size_t)got;
        cr_assert(n > 0 && buf[n - 1] == '\n', "every line ends with a newline");
        json_error_t e;
        json_t *j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &e);
        cr_assert_not_null(j, "line is not JSON (%s): %s", e.text, buf);
        json_array_append_new(lines, j);
    }
    free(buf);
    return lines;
}

TestSuite(log, .init = setup, .fini = teardown);

Test(log, base_keys_in_order)
{
    kc_log(KC_LOG_INFO, "req-1", "hello %d", 42);
    char buf[512];
    rewind(sink);
    cr_assert_not_null(fgets(buf, sizeof buf, sink));
    cr_assert(strncmp(buf, "{\"ts\":\"", 7) == 0, "%s", buf);
    const char *lvl = strstr(buf, "\"level\""), *svc = strstr(buf, "\"service\"");
    const char *rid = strstr(buf, "\"request_id\""), *msg = strstr(buf, "\"msg\"");
    cr_assert(lvl && svc && rid && msg && lvl < svc && svc < rid && rid < msg, "%s", buf);
    json_t *lines = read_lines();
    json_t *l = json_array_get(lines, 0);
    cr_assert_str_eq(json_string_value(json_object_get(l, "level")), "info");
    cr_assert_str_eq(json_string_value(json_object_get(l, "service")), "backend");
    cr_assert_str_eq(json_string_value(json_object_get(l, "request_id")), "req-1");
    cr_assert_str_eq(json_string_value(json_object_get(l, "msg")), "hello 42");
    const char *ts = json_string_value(json_object_get(l, "ts"));
    int y, mo, d, h, mi, s, ms;
    char z;
    cr_assert_eq(sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &s, &ms, &z), 8,
                 "ts %s", ts);
    cr_assert_eq(z, 'Z');
    cr_assert_eq(strlen(ts), 24u);
    json_decref(lines);
}

Test(log, no_request_id_key_when_null)
{
    kc_info("plain");
    json_t *lines = read_lines();
    cr_assert_null(json_object_get(json_array_get(lines, 0), "request_id"));
    json_decref(lines);
}

Test(log, level_filter_and_parse)
{
    kc_log_init("agent", KC_LOG_WARN, sink);
    kc_info("dropped");
    kc_debug("dropped");
    kc_warn("kept");
    kc_error("kept too");
    cr_assert(!kc_log_enabled(KC_LOG_INFO));
    cr_assert(kc_log_enabled(KC_LOG_ERROR));
    json_t *lines = read_lines();
    cr_assert_eq(json_array_size(lines), 2u);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(lines, 0), "level")), "warn");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(lines, 1), "level")),
                     "error");
    json_decref(lines);
    enum kc_log_level lv;
    cr_assert_eq(kc_log_level_parse("debug", &lv), 0);
    cr_assert_eq(lv, KC_LOG_DEBUG);
    cr_assert_eq(kc_log_level_parse("error", &lv), 0);
    cr_assert_eq(lv, KC_LOG_ERROR);
    cr_assert_eq(kc_log_level_parse("verbose", &lv), -1);
    cr_assert_eq(kc_log_level_parse(NULL, &lv), -1);
}

Test(log, escaping_and_invalid_utf8)
{
    kc_log(KC_LOG_INFO, NULL,
           "q\"b\\s\nnl\ttab\x01 ctl \xff bad \xc3\xa9 ok \xed\xa0\x80 surrogate");
    json_t *lines = read_lines();
    const char *msg = json_string_value(json_object_get(json_array_get(lines, 0), "msg"));
    cr_assert_str_eq(msg, "q\"b\\s\nnl\ttab\x01 ctl \xef\xbf\xbd bad \xc3\xa9 ok "
                          "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd surrogate");
    json_decref(lines);
}

Test(log, typed_fields)
{
    struct kc_log_field f[] = {KC_LOGF_S("method", "GET"), KC_LOGF_I("status", 404),
                               KC_LOGF_D("ms", 1.5),       KC_LOGF_B("aborted", 1),
                               KC_LOGF_S("route", NULL),   KC_LOGF_S("msg", "override"),
                               KC_LOGF_D("nan", 0.0 / 0.0)};
    kc_log_kv(KC_LOG_INFO, "r", "request", f, sizeof f / sizeof f[0]);
    json_t *lines = read_lines();
    json_t *l = json_array_get(lines, 0);
    cr_assert_str_eq(json_string_value(json_object_get(l, "method")), "GET");
    cr_assert_eq(json_integer_value(json_object_get(l, "status")), 404);
    cr_assert_float_eq(json_number_value(json_object_get(l, "ms")), 1.5, 1e-9);
    cr_assert(json_is_true(json_object_get(l, "aborted")));
    cr_assert(json_is_null(json_object_get(l, "route")));
    cr_assert(json_is_null(json_object_get(l, "nan")));
    cr_assert_str_eq(json_string_value(json_object_get(l, "msg")), "request",
                     "base keys are not overridden");
    json_decref(lines);
}

Test(log, jansson_fields)
{
    json_t *f =
        json_pack("{s:s, s:i, s:[i,i], s:s}", "user", "ann", "n", 3, "ids", 1, 2, "level", "fake");
    kc_log_fields(KC_LOG_WARN, NULL, "with fields", f);
    kc_log_fields(KC_LOG_DEBUG, NULL, "no fields", NULL);
    json_t *lines = read_lines();
    json_t *l = json_array_get(lines, 0);
    cr_assert_str_eq(json_string_value(json_object_get(l, "user")), "ann");
    cr_assert_eq(json_integer_value(json_object_get(l, "n")), 3);
    cr_assert_eq(json_array_size(json_object_get(l, "ids")), 2u);
    cr_assert_str_eq(json_string_value(json_object_get(l, "level")), "warn");
    cr_assert_eq(json_array_size(lines), 2u);
    json_decref(lines);
}

Test(log, long_line)
{
    size_t n = 20000;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    struct kc_log_field f[] = {KC_LOGF_S("big", big)};
    kc_log_kv(KC_LOG_INFO, NULL, "long", f, 1);
    json_t *lines = read_lines();
    cr_assert_eq(strlen(json_string_value(json_object_get(json_array_get(lines, 0), "big"))), n);
    json_decref(lines);
    free(big);
}

static void *log_many(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 500; i++) {
        struct kc_log_field f[] = {KC_LOGF_I("thread", id), KC_LOGF_I("i", i),
                                   KC_LOGF_S("pad", "0123456789012345678901234567890123456789")};
        kc_log_kv(KC_LOG_INFO, NULL, "concurrent", f, 3);
    }
    return NULL;
}

Test(log, threads_do_not_interleave)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, log_many, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    json_t *lines = read_lines(); /* asserts every line parses */
    cr_assert_eq(json_array_size(lines), 2000u);
    json_decref(lines);
}

static long sink_size(void)
{
    fflush(sink);
    fseek(sink, 0, SEEK_END);
    return ftell(sink);
}

Test(log, buffering_keeps_order_and_flushes)
{
    kc_log_set_buffering(60000); /* the flusher will not run during the test */
    kc_info("first");
    kc_debug("second");
    cr_assert_eq(sink_size(), 0, "info lines wait in the buffer");
    kc_warn("third");
    json_t *lines = read_lines();
    cr_assert_eq(json_array_size(lines), 3u, "a warn line writes what is pending first");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(lines, 0), "msg")), "first");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(lines, 2), "msg")), "third");
    json_decref(lines);
    kc_info("fourth");
    kc_log_flush();
    lines = read_lines();
    cr_assert_eq(json_array_size(lines), 4u);
    json_decref(lines);
    /* more than the buffer holds is written as it fills */
    for (int i = 0; i < 1000; i++) kc_info("filler line %d with some padding to make it longer", i);
    cr_assert_gt(sink_size(), 32 * 1024);
    kc_log_set_buffering(0); /* writes the rest */
    lines = read_lines();
    cr_assert_eq(json_array_size(lines), 1004u);
    json_decref(lines);
}

Test(log, flusher_writes_in_the_background)
{
    kc_log_set_buffering(10);
    kc_info("background");
    int seen = 0;
    for (int i = 0; i < 500 && !seen; i++) {
        seen = sink_size() > 0;
        if (!seen) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    cr_assert(seen, "the flusher wrote the line");
    kc_log_set_buffering(0);
}

Test(log, reinit_writes_pending_lines_to_the_old_stream)
{
    kc_log_set_buffering(60000);
    kc_info("for the old stream");
    FILE *other = tmpfile();
    kc_log_init("other", KC_LOG_INFO, other);
    kc_log_set_buffering(0);
    kc_log_init("backend", KC_LOG_DEBUG, sink);
    json_t *lines = read_lines();
    cr_assert_eq(json_array_size(lines), 1u);
    json_decref(lines);
    fflush(other);
    cr_assert_eq(ftell(other), 0);
    fclose(other);
}
