/*
 * test_metrics.c — the metrics registry: Prometheus 0.0.4 text (HELP/TYPE once per family,
 * cumulative histogram buckets, _sum, _count), counts under concurrent updates, label
 * escaping, type clashes and bad names counted as dropped.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static int count_substr(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

Test(metrics, counter_and_gauge_format)
{
    struct kc_metrics *m = kc_metrics_new();
    kc_metrics_inc(m, "kc_jobs_total", "Jobs by outcome.", "kind=\"video\",outcome=\"ok\"", 1);
    kc_metrics_inc(m, "kc_jobs_total", "ignored later help", "kind=\"video\",outcome=\"ok\"", 2);
    kc_metrics_inc(m, "kc_jobs_total", NULL, "kind=\"video\",outcome=\"failed\"", 1);
    kc_metrics_set(m, "process_resident_memory_bytes", "RSS.", NULL, 6291456);
    kc_metrics_set(m, "kc_ratio", "A ratio.\nsecond line", "", 0.25);
    size_t len = 0;
    char *text = kc_metrics_render(m, &len);
    cr_assert_not_null(text);
    cr_assert_eq(strlen(text), len);
    cr_assert(strstr(text, "# HELP kc_jobs_total Jobs by outcome.\n# TYPE kc_jobs_total counter\n"
                           "kc_jobs_total{kind=\"video\",outcome=\"ok\"} 3\n"
                           "kc_jobs_total{kind=\"video\",outcome=\"failed\"} 1\n"),
              "%s", text);
    cr_assert_eq(count_substr(text, "# TYPE kc_jobs_total"), 1);
    cr_assert(strstr(text, "# TYPE process_resident_memory_bytes gauge\n"
                           "process_resident_memory_bytes 6291456\n"),
              "%s", text);
    cr_assert(strstr(text, "# HELP kc_ratio A ratio.\\nsecond line\n"), "%s", text);
    cr_assert(strstr(text, "kc_ratio 0.25\n"), "%s", text);
    cr_assert(strstr(text, "kc_metrics_dropped_total 0\n"), "%s", text);
    cr_assert_eq(text[len - 1], '\n');
    cr_assert_float_eq(kc_metrics_value(m, "kc_jobs_total", "kind=\"video\",outcome=\"ok\""), 3,
                       1e-12);
    cr_assert(isnan(kc_metrics_value(m, "kc_jobs_total", "kind=\"none\"")));
    free(text);
    kc_metrics_free(m);
}

Test(metrics, histogram_is_cumulative)
{
    struct kc_metrics *m = kc_metrics_new();
    const double values[] = {0.0001, 0.0005, 0.003, 0.2, 0.2, 7, 50};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        kc_metrics_observe(m, "kc_http_request_duration_seconds", "Latency.", "route=\"/x\"",
                           values[i]);
    char *text = kc_metrics_render(m, NULL);
    cr_assert(strstr(text, "# TYPE kc_http_request_duration_seconds histogram\n"), "%s", text);
    /* le is an upper bound, inclusive: 0.0005 falls in the 0.0005 bucket */
    cr_assert(
        strstr(text, "kc_http_request_duration_seconds_bucket{route=\"/x\",le=\"0.0005\"} 2\n"),
        "%s", text);
    cr_assert(strstr(text, "_bucket{route=\"/x\",le=\"0.001\"} 2\n"), "%s", text);
    cr_assert(strstr(text, "_bucket{route=\"/x\",le=\"0.005\"} 3\n"), "%s", text);
    cr_assert(strstr(text, "_bucket{route=\"/x\",le=\"0.25\"} 5\n"), "%s", text);
    cr_assert(strstr(text, "_bucket{route=\"/x\",le=\"10\"} 6\n"), "%s", text);
    cr_assert(strstr(text, "_bucket{route=\"/x\",le=\"+Inf\"} 7\n"), "%s", text);
    cr_assert(strstr(text, "kc_http_request_duration_seconds_count{route=\"/x\"} 7\n"), "%s", text);
    const char *sum = strstr(text, "kc_http_request_duration_seconds_sum{route=\"/x\"} ");
    cr_assert_not_null(sum);
    cr_assert_float_eq(
        strtod(sum + strlen("kc_http_request_duration_seconds_sum{route=\"/x\"} "), NULL), 57.4036,
        1e-9);
    /* bucket lines are in increasing le order and non-decreasing */
    long prev = -1;
    for (const char *p = strstr(text, "_bucket{"); p; p = strstr(p + 1, "_bucket{")) {
        long v = strtol(strchr(p, '}') + 2, NULL, 10);
        cr_assert(v >= prev);
        prev = v;
    }
    cr_assert_float_eq(kc_metrics_value(m, "kc_http_request_duration_seconds", "route=\"/x\""), 7,
                       1e-12);
    free(text);
    kc_metrics_free(m);
}

Test(metrics, histogram_without_labels)
{
    struct kc_metrics *m = kc_metrics_new();
    kc_metrics_observe(m, "kc_lat_seconds", "L.", NULL, 0.01);
    char *text = kc_metrics_render(m, NULL);
    cr_assert(strstr(text, "kc_lat_seconds_bucket{le=\"0.01\"} 1\n"), "%s", text);
    cr_assert(strstr(text, "kc_lat_seconds_sum 0.01\n"), "%s", text);
    cr_assert(strstr(text, "kc_lat_seconds_count 1\n"), "%s", text);
    free(text);
    kc_metrics_free(m);
}

Test(metrics, clashes_and_bad_names_are_dropped)
{
    struct kc_metrics *m = kc_metrics_new();
    kc_metrics_inc(m, "kc_a_total", "A.", NULL, 1);
    kc_metrics_set(m, "kc_a_total", "A.", NULL, 5);          /* type clash */
    kc_metrics_observe(m, "kc_a_total", "A.", "x=\"1\"", 1); /* type clash, new labels */
    kc_metrics_inc(m, "9bad", "B.", NULL, 1);                /* bad name */
    kc_metrics_inc(m, "kc b", "B.", NULL, 1);                /* bad name */
    kc_metrics_inc(m, "kc_c_total", "C.", "x=\"a\nb\"", 1);  /* raw newline in labels */
    cr_assert_float_eq(kc_metrics_value(m, "kc_a_total", NULL), 1, 1e-12);
    char *text = kc_metrics_render(m, NULL);
    cr_assert(strstr(text, "kc_metrics_dropped_total 5\n"), "%s", text);
    cr_assert_null(strstr(text, "9bad"));
    cr_assert_null(strstr(text, "x=\"1\""), "%s", text);
    free(text);
    kc_metrics_free(m);
}

Test(metrics, label_escape)
{
    char buf[64];
    size_t n = kc_metrics_label_escape(buf, sizeof buf, "a\"b\\c\nd");
    cr_assert_str_eq(buf, "a\\\"b\\\\c\\nd");
    cr_assert_eq(n, strlen(buf));
    n = kc_metrics_label_escape(buf, 4, "abcdef");
    cr_assert_str_eq(buf, "abc");
    n = kc_metrics_label_escape(buf, 3, "\"\"\"");
    cr_assert_str_eq(buf, "\\\"", "an escape is never split");
}

Test(metrics, series_limit)
{
    struct kc_metrics *m = kc_metrics_new();
    char labels[32];
    for (int i = 0; i < KC_METRICS_MAX_SERIES + 10; i++) {
        snprintf(labels, sizeof labels, "i=\"%d\"", i);
        kc_metrics_inc(m, "kc_many_total", "Many.", labels, 1);
    }
    cr_assert_float_eq(kc_metrics_value(m, "kc_many_total", "i=\"0\""), 1, 1e-12);
    cr_assert(isnan(kc_metrics_value(m, "kc_many_total", "i=\"3080\"")));
    char *text = kc_metrics_render(m, NULL);
    cr_assert(strstr(text, "kc_metrics_dropped_total 10\n"), "%s",
              strstr(text, "kc_metrics_dropped"));
    free(text);
    kc_metrics_free(m);
}

struct worker_arg {
    struct kc_metrics *m;
    int id;
};

static void *worker(void *p)
{
    struct worker_arg *a = p;
    char labels[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(labels, sizeof labels, "k=\"%d\"", i % 8);
        kc_metrics_inc(a->m, "kc_par_total", "P.", labels, 1);
        kc_metrics_observe(a->m, "kc_par_seconds", "P.", labels, 0.001 * (i % 10));
    }
    return NULL;
}

Test(metrics, concurrent_updates_are_exact)
{
    struct kc_metrics *m = kc_metrics_new();
    pthread_t t[4];
    struct worker_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (struct worker_arg){m, i};
        pthread_create(&t[i], NULL, worker, &a[i]);
    }
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    double total = 0, hist = 0;
    char labels[32];
    for (int k = 0; k < 8; k++) {
        snprintf(labels, sizeof labels, "k=\"%d\"", k);
        total += kc_metrics_value(m, "kc_par_total", labels);
        hist += kc_metrics_value(m, "kc_par_seconds", labels);
    }
    cr_assert_float_eq(total, 80000, 1e-9);
    cr_assert_float_eq(hist, 80000, 1e-9);
    char *text = kc_metrics_render(m, NULL);
    cr_assert_eq(count_substr(text, "# TYPE kc_par_total counter"), 1);
    cr_assert_eq(count_substr(text, "kc_par_total{"), 8);
    free(text);
    kc_metrics_free(m);
}
