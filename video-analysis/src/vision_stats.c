/*
 * vision_stats.c — quantiles and the Welford accumulator (vision_stats.h).
 */
#include "vision_stats.h"

#include <math.h>
#include <stdlib.h>

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int kc_vision_quantile(const float *v, size_t n, double q, float *out)
{
    *out = NAN;
    if (!v || n == 0 || !(q >= 0 && q <= 1)) return 0;
    float *s = malloc(n * sizeof *s);
    if (!s) return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) s[m++] = v[i];
    float r = NAN;
    if (m > 0) {
        qsort(s, m, sizeof *s, cmp_float);
        double pos = q * (double)(m - 1);
        size_t lo = (size_t)pos;
        size_t hi = lo + 1 < m ? lo + 1 : lo;
        double f = pos - (double)lo;
        r = (float)((1 - f) * s[lo] + f * s[hi]);
    }
    free(s);
    *out = r;
    return 0;
}

void kc_vision_acc_add(struct kc_vision_acc *a, double x)
{
    a->n++;
    double d = x - a->mean;
    a->mean += d / (double)a->n;
    a->m2 += d * (x - a->mean);
}

double kc_vision_acc_sd(const struct kc_vision_acc *a)
{
    return a->n < 2 ? NAN : sqrt(a->m2 / (double)(a->n - 1));
}
