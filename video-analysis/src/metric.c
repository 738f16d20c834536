/*
 * metric.c — construction and JSON serialisation of struct kc_metric (see metric.h).
 *
 * The only subtle part is JSON validity: jansson refuses NaN/Inf reals, so every number passes
 * through num_or_null(). A record that claims ok but holds a non-finite value is downgraded to
 * unavailable on output instead of silently printing a null "ok" value.
 */
#include "metric.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct kc_metric kc_metric_init(const char *name, const char *unit, const char *definition)
{
    struct kc_metric m;
    memset(&m, 0, sizeof m);
    m.name = name;
    m.unit = unit;
    m.definition = definition;
    m.value = NAN;
    m.uncertainty = NAN;
    m.status = KC_METRIC_UNAVAILABLE;
    snprintf(m.reason, sizeof m.reason, "not computed");
    return m;
}

void kc_metric_set(struct kc_metric *m, double value, long samples, double uncertainty)
{
    m->value = value;
    m->samples = samples;
    m->uncertainty = uncertainty;
    m->status = KC_METRIC_OK;
    m->reason[0] = '\0';
}

/* vsnprintf may cut a multi-byte UTF-8 character (Korean reasons); drop the partial tail. */
static void trim_partial_utf8(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
    if (i == 0) return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need) s[i - 1] = '\0';
}

static void set_status(struct kc_metric *m, enum kc_metric_status st, const char *fmt, va_list ap)
{
    m->status = st;
    m->value = NAN;
    m->uncertainty = NAN;
    vsnprintf(m->reason, sizeof m->reason, fmt, ap);
    trim_partial_utf8(m->reason);
}

void kc_metric_unavailable(struct kc_metric *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_status(m, KC_METRIC_UNAVAILABLE, fmt, ap);
    va_end(ap);
}

void kc_metric_insufficient(struct kc_metric *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_status(m, KC_METRIC_INSUFFICIENT, fmt, ap);
    va_end(ap);
}

const char *kc_metric_status_name(enum kc_metric_status status)
{
    switch (status) {
    case KC_METRIC_OK: return "ok";
    case KC_METRIC_INSUFFICIENT: return "insufficient_data";
    case KC_METRIC_UNAVAILABLE: return "unavailable";
    }
    return "unavailable";
}

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *kc_metric_to_json(const struct kc_metric *m)
{
    enum kc_metric_status st = m->status;
    const char *reason = m->reason;
    if (st == KC_METRIC_OK && !isfinite(m->value)) {
        st = KC_METRIC_UNAVAILABLE;
        reason = "value not finite";
    }
    json_t *o = json_object();
    if (!o) return NULL;
    int rc = 0;
    rc |= json_object_set_new(o, "value", st == KC_METRIC_OK ? json_real(m->value) : json_null());
    rc |= json_object_set_new(o, "unit", json_string(m->unit ? m->unit : ""));
    rc |= json_object_set_new(o, "samples", json_integer(m->samples));
    rc |= json_object_set_new(o, "status", json_string(kc_metric_status_name(st)));
    rc |= json_object_set_new(o, "definition", json_string(m->definition ? m->definition : ""));
    rc |= json_object_set_new(o, "uncertainty",
                              st == KC_METRIC_OK ? num_or_null(m->uncertainty) : json_null());
    if (st != KC_METRIC_OK) {
        /* json_string rejects invalid UTF-8; a reason built from a file name might hold some */
        json_t *r = json_string(reason);
        rc |= json_object_set_new(o, "reason", r ? r : json_string("(reason not valid UTF-8)"));
    }
    if (m->not_scored) rc |= json_object_set_new(o, "not_scored", json_true());
    if (m->estimate) rc |= json_object_set_new(o, "estimate", json_true());
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int kc_metric_add(json_t *obj, const struct kc_metric *m)
{
    json_t *j = kc_metric_to_json(m);
    if (!j) return -1;
    return json_object_set_new(obj, m->name, j) ? -1 : 0;
}
