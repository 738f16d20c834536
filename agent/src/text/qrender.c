/*
 * qrender.c — template rendering and near-duplicate filtering. See qrender.h.
 */
#include "text/qrender.h"

#include <stdlib.h>
#include <string.h>

#include "text/josa.h"
#include "text/norm.h"
#include "text/questions.h"
#include "text/strbuf.h"
#include "text/token.h"

static const char *var_value(const struct kc_qvars *v, const char *name, size_t n)
{
    static const char *const names[] = {"skill", "quote", "start",   "end",
                                        "value", "years", "required"};
    const char *vals[] = {v->skill, v->quote, v->start, v->end, v->value, v->years, v->required};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0) return vals[i];
    return NULL;
}

char *kc_q_render(const char *t, const struct kc_qvars *v)
{
    struct kc_sb sb = {0};
    bool ok = true;
    while (*t && ok) {
        const char *open = strchr(t, '{'), *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            kc_sb_puts(&sb, t);
            break;
        }
        kc_sb_append(&sb, t, (size_t)(open - t));
        size_t n = (size_t)(close - open - 1);
        char name[32];
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, open + 1, n);
        name[n] = '\0';
        const char *val =
            strchr(name, '/') ? kc_josa_pick(kc_sb_str(&sb), sb.len, name) : var_value(v, name, n);
        if (val)
            kc_sb_puts(&sb, val);
        else
            ok = false;
        t = close + 1;
    }
    if (!ok || sb.failed) {
        kc_sb_free(&sb);
        return NULL;
    }
    if (!sb.p) kc_sb_puts(&sb, "");
    return sb.p;
}

struct grams {
    uint64_t *v;
    size_t n, cap;
};

static void on_gram(void *ud, uint64_t h, uint32_t off, uint32_t len)
{
    (void)off, (void)len;
    struct grams *g = ud;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        uint64_t *v = realloc(g->v, cap * sizeof *v);
        if (!v) return;
        g->v = v;
        g->cap = cap;
    }
    g->v[g->n++] = h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void text_grams(const char *text, struct grams *g)
{
    char *n = kc_norm_dup(text, strlen(text));
    if (!n) return;
    kc_tok_char_ngrams(n, strlen(n), 3, on_gram, g);
    free(n);
    if (!g->v) return;
    qsort(g->v, g->n, sizeof *g->v, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < g->n; i++)
        if (u == 0 || g->v[u - 1] != g->v[i]) g->v[u++] = g->v[i];
    g->n = u;
}

static double jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t inter = 0;
    for (size_t i = 0, j = 0; i < na && j < nb;) {
        if (a[i] < b[j])
            i++;
        else if (a[i] > b[j])
            j++;
        else
            inter++, i++, j++;
    }
    return na + nb - inter ? (double)inter / (double)(na + nb - inter) : 1.0;
}

static json_t *render_points(const json_t *item, const char *lang, const struct kc_qvars *v)
{
    char key[16];
    snprintf(key, sizeof key, "points_%s", lang);
    json_t *out = json_array();
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(item, key), i, p)
    {
        char *r = kc_q_render(json_string_value(p), v);
        if (!r) {
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, json_string(r));
        free(r);
    }
    return out;
}

static bool duplicate(const struct kc_qlist *l, const struct grams *g)
{
    for (size_t i = 0; i < l->n; i++)
        if (jaccard(l->v[i].grams, l->v[i].n_grams, g->v, g->n) >= KC_Q_DUP_JACCARD) return true;
    return false;
}

static int grow(struct kc_qlist *l)
{
    if (l->n < l->cap) return 0;
    size_t cap = l->cap ? l->cap * 2 : 16;
    struct kc_qitem *v = realloc(l->v, cap * sizeof *v);
    if (!v) return -1;
    l->v = v;
    l->cap = cap;
    return 0;
}

int kc_qlist_add(struct kc_qlist *l, const json_t *item, const char *kind, const char *lang,
                 const struct kc_qvars *v, const char *skill, json_t *source)
{
    char *text = kc_q_render(json_string_value(json_object_get(item, lang)), v);
    json_t *points = text ? render_points(item, lang, v) : NULL;
    struct grams g = {0};
    if (text) text_grams(text, &g);
    int rc = 0;
    if (!text || !points || !g.v || duplicate(l, &g)) {
        l->rejected_duplicates += text && points && g.v;
    } else if (grow(l) != 0) {
        rc = -1;
    } else {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "id",
                              json_string_value(json_object_get(item, "id")), "kind",
                              kind ? kind : json_string_value(json_object_get(item, "kind")),
                              "competency", json_string_value(json_object_get(item, "competency")),
                              "lang", lang, "text", text, "good_answer", points);
        const json_t *trigger = json_object_get(item, "trigger");
        if (trigger && strcmp(kind ? kind : "", "personal") == 0)
            json_object_set(o, "trigger", (json_t *)trigger);
        if (skill) json_object_set_new(o, "skill", json_string(skill));
        if (source) json_object_set(o, "source", source);
        l->v[l->n++] = (struct kc_qitem){o, g.v, g.n};
        g.v = NULL;
        rc = 1;
    }
    free(g.v);
    free(text);
    json_decref(points);
    json_decref(source);
    return rc;
}

void kc_qlist_free(struct kc_qlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        json_decref(l->v[i].obj);
        free(l->v[i].grams);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}
