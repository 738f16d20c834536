/*
 * cli_summary.c — see cli_summary.h. Pure formatting of a report; no computation.
 */
#include "cli_summary.h"

#include <string.h>

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_media(FILE *out, const json_t *m)
{
    const json_t *v = json_object_get(m, "video"), *a = json_object_get(m, "audio");
    fprintf(out, "media      %.1f s, %s\n", json_number_value(json_object_get(m, "duration_s")),
            str(m, "container"));
    if (json_object_get(v, "w"))
        fprintf(out, "  video    %lldx%lld %.2f fps %s\n",
                (long long)json_integer_value(json_object_get(v, "w")),
                (long long)json_integer_value(json_object_get(v, "h")),
                json_number_value(json_object_get(v, "fps")), str(v, "codec"));
    else
        fprintf(out, "  video    unavailable: %s\n", str(v, "reason"));
    if (json_object_get(a, "sample_rate"))
        fprintf(out, "  audio    %lld Hz, %lld ch, %s\n",
                (long long)json_integer_value(json_object_get(a, "sample_rate")),
                (long long)json_integer_value(json_object_get(a, "channels")), str(a, "codec"));
    else
        fprintf(out, "  audio    unavailable: %s\n", str(a, "reason"));
}

static void print_analyses(FILE *out, const json_t *an)
{
    const char *k;
    json_t *v;
    fprintf(out, "analyses\n");
    json_object_foreach((json_t *)an, k, v)
    {
        const char *reason = str(v, "reason");
        fprintf(out, "  %-16s %s%s%s\n", k, str(v, "status"), *reason ? ": " : "", reason);
    }
}

static void print_metrics(FILE *out, const json_t *metrics)
{
    const char *k;
    json_t *m;
    fprintf(out, "metrics (descriptive; value unit [samples] status)\n");
    json_object_foreach((json_t *)metrics, k, m)
    {
        json_t *v = json_object_get(m, "value");
        long long n = json_integer_value(json_object_get(m, "samples"));
        const char *st = str(m, "status");
        if (json_is_number(v))
            fprintf(out, "  %-32s %10.3f %-12s [%lld] %s\n", k, json_number_value(v),
                    str(m, "unit"), n, st);
        else
            fprintf(out, "  %-32s %10s %-12s [%lld] %s: %s\n", k, "-", str(m, "unit"), n, st,
                    str(m, "reason"));
    }
}

static void print_scoring(FILE *out, const json_t *s)
{
    fprintf(out, "scoring    %s\n", str(s, "status"));
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(s, "grades"), i, g)
    {
        const char *grade = str(g, "grade");
        fprintf(out, "  %-32s %s%s%s\n", str(g, "metric"), *grade ? grade : "not graded",
                *grade ? "" : ": ", *grade ? "" : str(g, "reason"));
    }
}

static void print_timings(FILE *out, const json_t *t)
{
    const char *k;
    json_t *v;
    fprintf(out, "timings ms ");
    json_object_foreach((json_t *)t, k, v) if (json_is_number(v))
        fprintf(out, " %s=%.0f", k, json_number_value(v));
    fputc('\n', out);
}

void kc_cli_print_summary(FILE *out, const json_t *r)
{
    print_media(out, json_object_get(r, "media"));
    print_analyses(out, json_object_get(r, "analyses"));
    print_metrics(out, json_object_get(r, "metrics"));
    const json_t *tr = json_object_get(r, "transcript");
    if (!strcmp(str(tr, "status"), "ok"))
        fprintf(out, "transcript (%s, %s)\n  %s\n", str(tr, "language"), str(tr, "engine"),
                str(tr, "text"));
    else
        fprintf(out, "transcript %s: %s\n", str(tr, "status"), str(tr, "reason"));
    const json_t *e = json_object_get(r, "emotion");
    const char *est = str(e, "status");
    if (*est)
        fprintf(out, "emotion    %s%s%s\n", est, *str(e, "reason") ? ": " : "", str(e, "reason"));
    else
        fprintf(out, "emotion    computed under the company policy (see --json); descriptive "
                     "only, never scored\n");
    print_scoring(out, json_object_get(r, "scoring"));
    print_timings(out, json_object_get(r, "timings_ms"));
}
