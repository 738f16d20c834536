/*
 * timeline.c — per-second bucket means (timeline.h). Two parallel arrays (sum, count) sized
 * once from the media duration.
 */
#include "timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int kc_timeline_init(struct kc_timeline *tl, double duration_s, double step_s)
{
    memset(tl, 0, sizeof *tl);
    if (!(step_s > 0) || !isfinite(duration_s) || !isfinite(step_s) || duration_s < 0) return -1;
    double buckets = ceil(duration_s / step_s);
    if (buckets > 1e7) return -1;
    tl->n = buckets < 1 ? 1 : (size_t)buckets;
    tl->step = step_s;
    tl->sum = calloc(tl->n, sizeof *tl->sum);
    tl->count = calloc(tl->n, sizeof *tl->count);
    if (!tl->sum || !tl->count) {
        kc_timeline_free(tl);
        return -1;
    }
    return 0;
}

void kc_timeline_free(struct kc_timeline *tl)
{
    free(tl->sum);
    free(tl->count);
    memset(tl, 0, sizeof *tl);
}

void kc_timeline_add(struct kc_timeline *tl, double t, double v)
{
    if (!tl->n || !isfinite(t) || !isfinite(v) || t < 0) return;
    double k = floor(t / tl->step);
    if (k >= (double)tl->n) return;
    tl->sum[(size_t)k] += v;
    tl->count[(size_t)k]++;
}

double kc_timeline_mean(const struct kc_timeline *tl, size_t k)
{
    if (k >= tl->n || tl->count[k] == 0) return NAN;
    return tl->sum[k] / (double)tl->count[k];
}

json_t *kc_timeline_json(const struct kc_timeline *tl, int decimals)
{
    json_t *a = json_array();
    double scale = pow(10.0, decimals);
    for (size_t k = 0; a && k < tl->n; k++) {
        double m = kc_timeline_mean(tl, k);
        json_t *v = isfinite(m) ? json_real(round(m * scale) / scale) : json_null();
        if (json_array_append_new(a, v) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}
