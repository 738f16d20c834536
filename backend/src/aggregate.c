/*
 * aggregate.c — evaluation scoring math (definitions in aggregate.h).
 */
#include "aggregate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void kc_aggregate_of(const double *v, int n, struct kc_aggregate *out)
{
    memset(out, 0, sizeof *out);
    out->count = n;
    if (n <= 0) return;
    double sum = 0, mn = v[0], mx = v[0];
    for (int i = 0; i < n; i++) {
        sum += v[i];
        mn = v[i] < mn ? v[i] : mn;
        mx = v[i] > mx ? v[i] : mx;
    }
    double mean = sum / n, ss = 0;
    for (int i = 0; i < n; i++) ss += (v[i] - mean) * (v[i] - mean);
    out->mean = mean, out->min = mn, out->max = mx, out->spread = sqrt(ss / n);
}

static int score_of(const json_t *scores, const char *name, double *out, struct kc_err *err)
{
    char field[64];
    snprintf(field, sizeof field, "scores.%s", name);
    json_t *v = json_object_get(scores, name);
    if (!v)
        return kc_err_field(err, KC_E_INVALID, field, "%s: a score for every criterion is required",
                            field);
    if (!json_is_number(v))
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be a number", field);
    double s = json_number_value(v);
    if (!(s >= 0 && s <= 100))
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be between 0 and 100", field);
    *out = s;
    return 0;
}

int kc_evaluation_total(const json_t *criteria, const json_t *scores, double *total,
                        struct kc_err *err)
{
    if (!json_is_object(scores))
        return kc_err_field(err, KC_E_INVALID, "scores", "scores: must be an object");
    size_t nc = json_array_size(criteria);
    if (nc == 0) {
        if (json_object_size(scores) != 1)
            return kc_err_field(err, KC_E_INVALID, "scores",
                                "scores: this job has no criteria; give only \"overall\"");
        return score_of(scores, "overall", total, err);
    }
    double wsum = 0, acc = 0, plain = 0;
    for (size_t i = 0; i < nc; i++) {
        const json_t *c = json_array_get(criteria, i);
        const char *name = json_string_value(json_object_get(c, "name"));
        double w = json_number_value(json_object_get(c, "weight")), s;
        if (!name || score_of(scores, name, &s, err)) return -1;
        wsum += w, acc += w * s, plain += s;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)scores, key, v)
    {
        int known = 0;
        for (size_t i = 0; i < nc && !known; i++)
            known = !strcmp(
                key, json_string_value(json_object_get(json_array_get(criteria, i), "name")));
        (void)v;
        if (!known) {
            char field[64];
            snprintf(field, sizeof field, "scores.%s", key);
            return kc_err_field(err, KC_E_INVALID, field, "%s: not a criterion of this job", field);
        }
    }
    *total = wsum > 0 ? acc / wsum : plain / (double)nc;
    return 0;
}

json_t *kc_aggregate_json(const struct kc_aggregate *a)
{
    if (a->count == 0)
        return json_pack("{s:i,s:n,s:n,s:n,s:n}", "count", 0, "mean", "min", "max", "spread");
    return json_pack("{s:i,s:f,s:f,s:f,s:f}", "count", a->count, "mean", a->mean, "min", a->min,
                     "max", a->max, "spread", a->spread);
}
