/*
 * lexicon.c — TSV lexicon loading and longest-first trie matching. See lexicon.h.
 *
 * Trie nodes live in one growing array; node 0 is the root, whose children are also indexed by
 * first byte in root_tab for a constant-time start. A node's `entry` is the entry index of a
 * surface ending there (-1 if none) and `infix_ok` says that surface may start inside a Hangul
 * word. While matching, '\n' in the text is read as ' ' so multi-word surfaces match across a
 * line break.
 */
#include "text/lexicon.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/norm.h"
#include "text/utf8.h"

struct node {
    int32_t child, sibling, entry;
    uint8_t byte, infix_ok;
};

struct kc_lexicon {
    struct kc_lex_entry *entries;
    size_t n_entries, cap_entries, cap_lines;
    struct kc_lex_group *groups;
    size_t n_groups, cap_groups;
    struct node *nodes;
    size_t n_nodes, cap_nodes;
    int32_t root_tab[256];
    uint32_t *entry_line; /* source line of each entry, for error messages */
};

static int grow(void **v, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    void *p = realloc(*v, nc * elem);
    if (!p) return -1;
    *v = p;
    *cap = nc;
    return 0;
}

static int32_t new_node(struct kc_lexicon *lx, uint8_t byte)
{
    if (grow((void **)&lx->nodes, &lx->cap_nodes, lx->n_nodes + 1, sizeof(struct node)) != 0)
        return -1;
    lx->nodes[lx->n_nodes] = (struct node){-1, -1, -1, byte, 0};
    return (int32_t)lx->n_nodes++;
}

static int32_t child_of(const struct kc_lexicon *lx, int32_t n, uint8_t byte)
{
    if (n == 0) return lx->root_tab[byte];
    for (int32_t c = lx->nodes[n].child; c >= 0; c = lx->nodes[c].sibling)
        if (lx->nodes[c].byte == byte) return c;
    return -1;
}

static int32_t add_child(struct kc_lexicon *lx, int32_t n, uint8_t byte)
{
    int32_t c = new_node(lx, byte);
    if (c < 0) return -1;
    if (n == 0) {
        lx->root_tab[byte] = c;
    } else {
        lx->nodes[c].sibling = lx->nodes[n].child;
        lx->nodes[n].child = c;
    }
    return c;
}

/* Insert a normalised surface for entry e. Returns 0, 1 if it names another entry (*other set),
 * -1 on allocation failure. */
static int trie_insert(struct kc_lexicon *lx, const char *s, size_t len, uint32_t e, int32_t *other)
{
    int32_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int32_t c = child_of(lx, n, (uint8_t)s[i]);
        if (c < 0) c = add_child(lx, n, (uint8_t)s[i]);
        if (c < 0) return -1;
        n = c;
    }
    if (lx->nodes[n].entry >= 0 && lx->nodes[n].entry != (int32_t)e) {
        *other = lx->nodes[n].entry;
        return 1;
    }
    lx->nodes[n].entry = (int32_t)e;
    lx->nodes[n].infix_ok = kc_utf8_count(s, len) >= KC_LEX_HANGUL_INFIX_MIN;
    return 0;
}

/* Split line in place at tabs into at most max fields; returns the field count. */
static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == '\t') {
            *p = '\0';
            f[n++] = p + 1;
        }
    }
    return n;
}

static int add_group(struct kc_lexicon *lx, char **f, int nf, const char *name, size_t line,
                     struct kc_err *err)
{
    if (nf != 4 || !*f[1])
        return kc_err_set(err, KC_E_INVALID, "%s line %zu: @group needs id, ko, en labels", name,
                          line);
    if (grow((void **)&lx->groups, &lx->cap_groups, lx->n_groups + 1, sizeof *lx->groups) != 0)
        return kc_err_set(err, KC_E_NOMEM, "%s: out of memory", name);
    struct kc_lex_group *g = &lx->groups[lx->n_groups];
    g->id = strdup(f[1]);
    g->label_ko = strdup(f[2]);
    g->label_en = strdup(f[3]);
    lx->n_groups++;
    if (!g->id || !g->label_ko || !g->label_en)
        return kc_err_set(err, KC_E_NOMEM, "%s: out of memory", name);
    return 0;
}

/* Record a distinct normalised surface on the entry (takes ownership of ns). */
static int keep_surface(struct kc_lex_entry *en, char *ns)
{
    for (size_t i = 0; i < en->n_surfaces; i++) {
        if (strcmp(en->surfaces[i], ns) == 0) {
            free(ns);
            return 0;
        }
    }
    char **v = realloc(en->surfaces, (en->n_surfaces + 1) * sizeof *v);
    if (!v) {
        free(ns);
        return -1;
    }
    en->surfaces = v;
    en->surfaces[en->n_surfaces++] = ns;
    return 0;
}

static int add_surface(struct kc_lexicon *lx, const char *surface, uint32_t e, const char *name,
                       size_t line, struct kc_err *err)
{
    char *ns = kc_norm_dup(surface, strlen(surface));
    if (!ns) return kc_err_set(err, KC_E_NOMEM, "%s: out of memory", name);
    int32_t other = -1;
    int rc = *ns ? trie_insert(lx, ns, strlen(ns), e, &other) : 0;
    if (rc == 0 && *ns)
        rc = keep_surface(&lx->entries[e], ns);
    else
        free(ns);
    if (rc < 0) return kc_err_set(err, KC_E_NOMEM, "%s: out of memory", name);
    if (rc > 0)
        return kc_err_set(err, KC_E_INVALID,
                          "%s line %zu: surface \"%s\" already belongs to \"%s\" (line %u)", name,
                          line, surface, lx->entries[other].canonical, lx->entry_line[other]);
    return 0;
}

static int add_entry(struct kc_lexicon *lx, char **f, int nf, const char *name, size_t line,
                     struct kc_err *err)
{
    if (nf != 3 || !*f[0])
        return kc_err_set(err, KC_E_INVALID, "%s line %zu: expected canonical, group, surfaces",
                          name, line);
    int g = kc_lex_group_find(lx, f[1]);
    if (g < 0)
        return kc_err_set(err, KC_E_INVALID, "%s line %zu: undeclared group \"%s\"", name, line,
                          f[1]);
    size_t need = lx->n_entries + 1;
    if (grow((void **)&lx->entries, &lx->cap_entries, need, sizeof *lx->entries) != 0 ||
        grow((void **)&lx->entry_line, &lx->cap_lines, need, sizeof *lx->entry_line) != 0)
        return kc_err_set(err, KC_E_NOMEM, "%s: out of memory", name);
    uint32_t e = (uint32_t)lx->n_entries;
    struct kc_lex_entry *en = &lx->entries[e];
    memset(en, 0, sizeof *en);
    en->canonical = strdup(f[0]);
    en->key = kc_norm_dup(f[0], strlen(f[0]));
    en->group = (uint32_t)g;
    lx->entry_line[e] = (uint32_t)line;
    lx->n_entries++;
    if (!en->canonical || !en->key) return kc_err_set(err, KC_E_NOMEM, "%s: out of memory", name);
    if (add_surface(lx, f[0], e, name, line, err) != 0) return -1;
    for (char *s = f[2], *bar; s; s = bar ? bar + 1 : NULL) {
        bar = strchr(s, '|');
        if (bar) *bar = '\0';
        if (add_surface(lx, s, e, name, line, err) != 0) return -1;
    }
    return 0;
}

static int parse_line(struct kc_lexicon *lx, char *line, const char *name, size_t lineno,
                      struct kc_err *err)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ')) line[--n] = '\0';
    if (n == 0 || line[0] == '#') return 0;
    char *f[5];
    int nf = split_tabs(line, f, 5);
    if (strcmp(f[0], "@group") == 0) return add_group(lx, f, nf, name, lineno, err);
    return add_entry(lx, f, nf, name, lineno, err);
}

struct kc_lexicon *kc_lex_parse(const char *buf, size_t len, const char *name, struct kc_err *err)
{
    if (kc_utf8_validate(buf, len, NULL, name, err) != 0) return NULL;
    struct kc_lexicon *lx = calloc(1, sizeof *lx);
    char *copy = malloc(len + 1);
    if (!lx || !copy || new_node(lx, 0) < 0) {
        free(copy);
        kc_lex_free(lx);
        kc_err_set(err, KC_E_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    for (int i = 0; i < 256; i++) lx->root_tab[i] = -1;
    memcpy(copy, buf, len);
    copy[len] = '\0';
    size_t lineno = 1;
    for (char *line = copy, *nl; line; line = nl ? nl + 1 : NULL, lineno++) {
        nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (parse_line(lx, line, name, lineno, err) != 0) {
            free(copy);
            kc_lex_free(lx);
            return NULL;
        }
    }
    free(copy);
    return lx;
}

struct kc_lexicon *kc_lex_load(const char *path, struct kc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        kc_err_set(err, KC_E_IO, "opening %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (grow((void **)&buf, &cap, len + n, 1) != 0) {
            fclose(f);
            free(buf);
            kc_err_set(err, KC_E_NOMEM, "reading %s: out of memory", path);
            return NULL;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    const char *base = strrchr(path, '/');
    struct kc_lexicon *lx = kc_lex_parse(buf ? buf : "", len, base ? base + 1 : path, err);
    free(buf);
    return lx;
}

void kc_lex_free(struct kc_lexicon *lx)
{
    if (!lx) return;
    for (size_t i = 0; i < lx->n_entries; i++) {
        free(lx->entries[i].canonical);
        free(lx->entries[i].key);
        for (size_t k = 0; k < lx->entries[i].n_surfaces; k++) free(lx->entries[i].surfaces[k]);
        free(lx->entries[i].surfaces);
    }
    for (size_t i = 0; i < lx->n_groups; i++) {
        free(lx->groups[i].id);
        free(lx->groups[i].label_ko);
        free(lx->groups[i].label_en);
    }
    free(lx->entries);
    free(lx->entry_line);
    free(lx->groups);
    free(lx->nodes);
    free(lx);
}

size_t kc_lex_size(const struct kc_lexicon *lx)
{
    return lx->n_entries;
}

const struct kc_lex_entry *kc_lex_entry_at(const struct kc_lexicon *lx, size_t i)
{
    return i < lx->n_entries ? &lx->entries[i] : NULL;
}

size_t kc_lex_group_count(const struct kc_lexicon *lx)
{
    return lx->n_groups;
}

const struct kc_lex_group *kc_lex_group_at(const struct kc_lexicon *lx, size_t i)
{
    return i < lx->n_groups ? &lx->groups[i] : NULL;
}

int kc_lex_group_find(const struct kc_lexicon *lx, const char *id)
{
    for (size_t i = 0; i < lx->n_groups; i++)
        if (strcmp(lx->groups[i].id, id) == 0) return (int)i;
    return -1;
}

static bool latin_or_digit(uint32_t c)
{
    return kc_cp_is_latin(c) || kc_cp_is_digit(c);
}

/* Code point ending at byte offset end (end > 0). */
static uint32_t cp_before(const char *s, size_t end)
{
    size_t b = end - 1;
    while (b > 0 && ((uint8_t)s[b] & 0xC0) == 0x80) b--;
    uint32_t c = 0;
    if (kc_utf8_decode(s + b, end - b, &c) == 0) c = 0;
    return c;
}

/* Longest surface starting at pos that satisfies the boundary rules; returns its end or 0. */
static size_t longest_at(const struct kc_lexicon *lx, const char *s, size_t len, size_t pos,
                         bool hangul_infix, int32_t *entry)
{
    size_t best = 0;
    int32_t n = 0;
    for (size_t i = pos; i < len; i++) {
        uint8_t b = (uint8_t)(s[i] == '\n' ? ' ' : s[i]);
        n = child_of(lx, n, b);
        if (n < 0) break;
        const struct node *nd = &lx->nodes[n];
        if (nd->entry < 0 || (hangul_infix && !nd->infix_ok)) continue;
        if (i + 1 < len && ((uint8_t)s[i + 1] & 0xC0) == 0x80) continue; /* mid code point */
        uint32_t last = cp_before(s, i + 1), next = 0;
        if (i + 1 < len) kc_utf8_decode(s + i + 1, len - i - 1, &next);
        if (latin_or_digit(last) && latin_or_digit(next)) continue;
        best = i + 1;
        *entry = nd->entry;
    }
    return best;
}

static int push_match(struct kc_lex_matches *out, struct kc_lex_match m, struct kc_err *err)
{
    if (grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v) != 0)
        return kc_err_set(err, KC_E_NOMEM, "lexicon match: out of memory");
    out->v[out->n++] = m;
    return 0;
}

int kc_lex_find(const struct kc_lexicon *lx, const char *s, size_t len, struct kc_lex_matches *out,
                struct kc_err *err)
{
    uint32_t prev = 0;
    size_t pos = 0;
    while (pos < len) {
        uint32_t c;
        int step = kc_utf8_decode(s + pos, len - pos, &c);
        if (step == 0) step = 1, c = 0;
        bool blocked = latin_or_digit(c) && latin_or_digit(prev);
        if (!blocked) {
            int32_t entry = -1;
            bool infix = kc_cp_is_hangul(c) && kc_cp_is_hangul_syllable(prev);
            size_t end = longest_at(lx, s, len, pos, infix, &entry);
            if (end > 0) {
                struct kc_lex_match m = {(uint32_t)entry, (uint32_t)pos, (uint32_t)(end - pos)};
                if (push_match(out, m, err) != 0) return -1;
                prev = cp_before(s, end);
                pos = end;
                continue;
            }
        }
        prev = c;
        pos += (size_t)step;
    }
    return 0;
}

void kc_lex_matches_free(struct kc_lex_matches *m)
{
    if (!m) return;
    free(m->v);
    memset(m, 0, sizeof *m);
}

int kc_lex_lookup(const struct kc_lexicon *lx, const char *s, size_t len)
{
    if (len == 0) return -1;
    int32_t n = 0;
    for (size_t i = 0; i < len && n >= 0; i++) n = child_of(lx, n, (uint8_t)s[i]);
    return n > 0 ? lx->nodes[n].entry : -1;
}
