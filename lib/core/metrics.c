/*
 * metrics.c — counters, gauges and histograms with Prometheus text output (see metrics.h).
 *
 * Data layout
 *  - A series is one (name, labels) pair. Series live in a fixed open-addressing table of
 *    TABLE_SIZE slots (linear probing, FNV-1a hash of name and labels). Slots are atomic
 *    pointers: a lookup is lock-free; creating a series takes `insert_lock`, probes again and
 *    publishes the new series with a release store. Series are never removed, so a pointer
 *    read from a slot stays valid until kc_metrics_free.
 *  - A family is one metric name with its HELP text and type. Families and their series are
 *    kept in creation order in singly linked lists (appended under `insert_lock`) so the
 *    exposition groups each family's series under one HELP/TYPE header, as 0.0.4 requires.
 *  - Values are atomics: counters and gauges hold a double as its 64-bit pattern (adds are a
 *    CAS loop); histograms hold one non-cumulative count per bucket plus the sum. The
 *    rendered `_count` is the sum of the bucket counts, so `_count` always equals the +Inf
 *    bucket even while other threads observe.
 *
 * Invariants: at most KC_METRICS_MAX_SERIES series (75 % of the table, keeping probes short);
 * a name has one type for the registry's lifetime.
 */
#include "metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_SIZE 4096 /* power of two, > KC_METRICS_MAX_SERIES / 0.75 */

enum metric_type { MT_COUNTER, MT_GAUGE, MT_HISTOGRAM };

/* Latency buckets in seconds (upper bounds); the +Inf bucket follows them. */
static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

struct family {
    char *name;
    char *help;
    enum metric_type type;
    struct series *first, *last;
    struct family *next;
};

struct series {
    uint64_t hash;
    struct family *fam;
    char *labels;
    struct series *next;                    /* in the family */
    _Atomic uint64_t value_bits;            /* counter/gauge value; histogram sum */
    _Atomic uint64_t buckets[NBUCKETS + 1]; /* histogram only; last is +Inf */
};

struct kc_metrics {
    _Atomic(struct series *) slots[TABLE_SIZE];
    pthread_mutex_t insert_lock;
    struct family *families, *families_last;
    size_t nseries;
    _Atomic uint64_t dropped;
};

static uint64_t d2u(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double u2d(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void atomic_add_double(_Atomic uint64_t *a, double delta)
{
    uint64_t old = atomic_load_explicit(a, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(a, &old, d2u(u2d(old) + delta),
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

static uint64_t hash_key(const char *name, const char *labels)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL; /* separator: ("ab","c") != ("a","bc") */
    for (const unsigned char *p = (const unsigned char *)labels; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static int valid_name(const char *name)
{
    if (!name || !*name) return 0;
    for (const char *p = name; *p; p++) {
        int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == ':';
        int digit = *p >= '0' && *p <= '9';
        if (!alpha && !(digit && p != name)) return 0;
    }
    return 1;
}

struct kc_metrics *kc_metrics_new(void)
{
    struct kc_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    pthread_mutex_init(&m->insert_lock, NULL);
    return m;
}

void kc_metrics_free(struct kc_metrics *m)
{
    if (!m) return;
    struct family *f = m->families;
    while (f) {
        struct series *s = f->first;
        while (s) {
            struct series *next = s->next;
            free(s->labels);
            free(s);
            s = next;
        }
        struct family *fnext = f->next;
        free(f->name);
        free(f->help);
        free(f);
        f = fnext;
    }
    pthread_mutex_destroy(&m->insert_lock);
    free(m);
}

/* Probe for (name, labels). Returns the series or NULL; *slot_out is the first empty slot. */
static struct series *probe(struct kc_metrics *m, uint64_t h, const char *name, const char *labels,
                            size_t *slot_out)
{
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        size_t slot = (h + i) & (TABLE_SIZE - 1);
        struct series *s = atomic_load_explicit(&m->slots[slot], memory_order_acquire);
        if (!s) {
            *slot_out = slot;
            return NULL;
        }
        if (s->hash == h && strcmp(s->fam->name, name) == 0 && strcmp(s->labels, labels) == 0)
            return s;
    }
    *slot_out = TABLE_SIZE;
    return NULL;
}

static struct family *family_get(struct kc_metrics *m, const char *name, const char *help,
                                 enum metric_type type)
{
    for (struct family *f = m->families; f; f = f->next)
        if (strcmp(f->name, name) == 0) return f;
    struct family *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    f->type = type;
    if (!f->name || !f->help) {
        free(f->name);
        free(f->help);
        free(f);
        return NULL;
    }
    if (m->families_last)
        m->families_last->next = f;
    else
        m->families = f;
    m->families_last = f;
    return f;
}

static struct series *series_create(struct kc_metrics *m, uint64_t h, const char *name,
                                    const char *help, const char *labels, enum metric_type type)
{
    struct series *s = NULL;
    size_t slot;
    pthread_mutex_lock(&m->insert_lock);
    s = probe(m, h, name, labels, &slot);
    if (s || slot == TABLE_SIZE || m->nseries >= KC_METRICS_MAX_SERIES) goto out;
    struct family *f = family_get(m, name, help, type);
    if (!f || f->type != type) goto out;
    s = calloc(1, sizeof *s);
    char *copy = s ? strdup(labels) : NULL;
    if (!copy) {
        free(s);
        s = NULL;
        goto out;
    }
    s->labels = copy;
    s->hash = h;
    s->fam = f;
    if (f->last)
        f->last->next = s;
    else
        f->first = s;
    f->last = s;
    m->nseries++;
    atomic_store_explicit(&m->slots[slot], s, memory_order_release);
out:
    pthread_mutex_unlock(&m->insert_lock);
    return s;
}

/* Find or create the series; NULL (update dropped) on a bad name, a type clash or when full. */
static struct series *series_get(struct kc_metrics *m, const char *name, const char *help,
                                 const char *labels, enum metric_type type)
{
    if (!m) return NULL;
    if (!labels) labels = "";
    uint64_t h = hash_key(name ? name : "", labels);
    size_t slot;
    struct series *s = name ? probe(m, h, name, labels, &slot) : NULL;
    if (!s && valid_name(name) && !strchr(labels, '\n'))
        s = series_create(m, h, name, help, labels, type);
    if (!s || s->fam->type != type) {
        atomic_fetch_add_explicit(&m->dropped, 1, memory_order_relaxed);
        return NULL;
    }
    return s;
}

void kc_metrics_inc(struct kc_metrics *m, const char *name, const char *help, const char *labels,
                    double delta)
{
    struct series *s = series_get(m, name, help, labels, MT_COUNTER);
    if (s && delta >= 0) atomic_add_double(&s->value_bits, delta);
}

void kc_metrics_set(struct kc_metrics *m, const char *name, const char *help, const char *labels,
                    double value)
{
    struct series *s = series_get(m, name, help, labels, MT_GAUGE);
    if (s) atomic_store_explicit(&s->value_bits, d2u(value), memory_order_relaxed);
}

void kc_metrics_observe(struct kc_metrics *m, const char *name, const char *help,
                        const char *labels, double value)
{
    struct series *s = series_get(m, name, help, labels, MT_HISTOGRAM);
    if (!s || isnan(value)) return;
    size_t b = 0;
    while (b < NBUCKETS && value > bucket_bounds[b]) b++;
    atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
    atomic_add_double(&s->value_bits, value);
}

static uint64_t hist_count(struct series *s)
{
    uint64_t n = 0;
    for (size_t b = 0; b <= NBUCKETS; b++)
        n += atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
    return n;
}

double kc_metrics_value(struct kc_metrics *m, const char *name, const char *labels)
{
    if (!m || !name) return NAN;
    if (!labels) labels = "";
    size_t slot;
    struct series *s = probe(m, hash_key(name, labels), name, labels, &slot);
    if (!s) return NAN;
    if (s->fam->type == MT_HISTOGRAM) return (double)hist_count(s);
    return u2d(atomic_load_explicit(&s->value_bits, memory_order_relaxed));
}

size_t kc_metrics_label_escape(char *dst, size_t cap, const char *value)
{
    size_t n = 0;
    if (cap == 0) return 0;
    for (const char *p = value ? value : ""; *p; p++) {
        const char *rep = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" : *p == '\n' ? "\\n" : NULL;
        size_t len = rep ? 2 : 1;
        if (n + len >= cap) break;
        if (rep)
            memcpy(dst + n, rep, 2);
        else
            dst[n] = *p;
        n += len;
    }
    dst[n] = '\0';
    return n;
}

/* --- rendering --- */

struct out {
    char *p;
    size_t len, cap;
    int failed;
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2 && !o->failed; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->failed = 1;
            return;
        }
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap * 2 + (size_t)n;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->failed = 1;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
}

/* Prometheus floats: integers without a fraction, others with 15 significant digits. */
static void fmt_value(char *buf, size_t cap, double v)
{
    if (isnan(v))
        snprintf(buf, cap, "NaN");
    else if (isinf(v))
        snprintf(buf, cap, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, cap, "%.0f", v);
    else
        snprintf(buf, cap, "%.15g", v);
}

static void render_help(struct out *o, const struct family *f)
{
    static const char *const type_names[] = {"counter", "gauge", "histogram"};
    out_printf(o, "# HELP %s ", f->name);
    for (const char *p = f->help; *p; p++) {
        if (*p == '\\')
            out_printf(o, "\\\\");
        else if (*p == '\n')
            out_printf(o, "\\n");
        else
            out_printf(o, "%c", *p);
    }
    out_printf(o, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
}

static void render_histogram(struct out *o, const struct family *f, struct series *s)
{
    const char *sep = s->labels[0] ? "," : "";
    char num[40];
    uint64_t cum = 0;
    for (size_t b = 0; b <= NBUCKETS; b++) {
        cum += atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
        if (b < NBUCKETS)
            fmt_value(num, sizeof num, bucket_bounds[b]);
        else
            snprintf(num, sizeof num, "+Inf");
        out_printf(o, "%s_bucket{%s%sle=\"%s\"} %llu\n", f->name, s->labels, sep, num,
                   (unsigned long long)cum);
    }
    fmt_value(num, sizeof num, u2d(atomic_load_explicit(&s->value_bits, memory_order_relaxed)));
    const char *lo = s->labels[0] ? "{" : "", *lc = s->labels[0] ? "}" : "";
    out_printf(o, "%s_sum%s%s%s %s\n", f->name, lo, s->labels, lc, num);
    out_printf(o, "%s_count%s%s%s %llu\n", f->name, lo, s->labels, lc, (unsigned long long)cum);
}

static void render_family(struct out *o, const struct family *f)
{
    render_help(o, f);
    for (struct series *s = f->first; s; s = s->next) {
        if (f->type == MT_HISTOGRAM) {
            render_histogram(o, f, s);
            continue;
        }
        char num[40];
        fmt_value(num, sizeof num, u2d(atomic_load_explicit(&s->value_bits, memory_order_relaxed)));
        if (s->labels[0])
            out_printf(o, "%s{%s} %s\n", f->name, s->labels, num);
        else
            out_printf(o, "%s %s\n", f->name, num);
    }
}

char *kc_metrics_render(struct kc_metrics *m, size_t *len)
{
    struct out o = {malloc(4096), 0, 4096, 0};
    if (!o.p) return NULL;
    o.p[0] = '\0';
    if (m) {
        pthread_mutex_lock(&m->insert_lock);
        for (struct family *f = m->families; f; f = f->next) render_family(&o, f);
        pthread_mutex_unlock(&m->insert_lock);
        uint64_t dropped = atomic_load_explicit(&m->dropped, memory_order_relaxed);
        out_printf(&o,
                   "# HELP kc_metrics_dropped_total Metric updates dropped (bad name, type clash "
                   "or series limit).\n# TYPE kc_metrics_dropped_total counter\n"
                   "kc_metrics_dropped_total %llu\n",
                   (unsigned long long)dropped);
    }
    if (o.failed) {
        free(o.p);
        return NULL;
    }
    if (len) *len = o.len;
    return o.p;
}
