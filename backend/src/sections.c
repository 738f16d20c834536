/*
 * sections.c — the resume section parser (see sections.h for the output shape).
 *
 * Pass 1 splits the text into lines. A line is a heading when, after dropping decoration
 * (bullets, brackets, box symbols, numbering, spaces, punctuation) and lower-casing ASCII,
 * it equals a lexicon entry ("경력사항", "workexperience"); "Skills: C, Go" is a heading with
 * inline content. Lines before the first heading go to other[{"heading":""}].
 * Pass 2 fills the current section: in dated sections (education, experience, projects) a
 * line with a date range starts an entry whose title is the line without the range, other
 * lines become details of the current entry (or an undated entry when there is none);
 * skills are split on , · | / ; and bullets; certificates and awards are one per line with
 * an optional single date.
 * Dates: a small tokenizer recognises YYYY.MM(.DD), YYYY-MM, YYYY/MM, YYYY년 M월, "Mar 2019",
 * a bare year, present-words (현재, 재직중, 진행중, 재학중, present, current, now) and
 * separators (~ - – — to). A range is DATE SEP (DATE | PRESENT).
 */
#include "sections.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

#define MAX_TOKENS 48

struct lexicon_entry {
    const char *norm;
    const char *section;
};

/* Normalised forms: ASCII lower-case letters and non-ASCII letters only. */
static const struct lexicon_entry lexicon[] = {
    {"학력", "education"},
    {"학력사항", "education"},
    {"교육", "education"},
    {"교육사항", "education"},
    {"교육이수", "education"},
    {"학력및교육", "education"},
    {"education", "education"},
    {"academicbackground", "education"},
    {"경력", "experience"},
    {"경력사항", "experience"},
    {"직무경험", "experience"},
    {"경험", "experience"},
    {"근무경력", "experience"},
    {"업무경력", "experience"},
    {"주요경력", "experience"},
    {"experience", "experience"},
    {"workexperience", "experience"},
    {"professionalexperience", "experience"},
    {"employment", "experience"},
    {"employmenthistory", "experience"},
    {"career", "experience"},
    {"workhistory", "experience"},
    {"기술", "skills"},
    {"보유기술", "skills"},
    {"기술스택", "skills"},
    {"스킬", "skills"},
    {"역량", "skills"},
    {"핵심역량", "skills"},
    {"skills", "skills"},
    {"technicalskills", "skills"},
    {"techstack", "skills"},
    {"skillset", "skills"},
    {"자격증", "certificates"},
    {"자격", "certificates"},
    {"자격사항", "certificates"},
    {"면허", "certificates"},
    {"자격면허", "certificates"},
    {"certificates", "certificates"},
    {"certifications", "certificates"},
    {"certification", "certificates"},
    {"licenses", "certificates"},
    {"licensescertifications", "certificates"},
    {"수상", "awards"},
    {"수상경력", "awards"},
    {"수상내역", "awards"},
    {"awards", "awards"},
    {"honors", "awards"},
    {"honours", "awards"},
    {"awardshonors", "awards"},
    {"awardsandhonors", "awards"},
    {"프로젝트", "projects"},
    {"프로젝트경험", "projects"},
    {"주요프로젝트", "projects"},
    {"projects", "projects"},
    {"projectexperience", "projects"},
    {"personalprojects", "projects"},
    {"자기소개", "other"},
    {"자기소개서", "other"},
    {"소개", "other"},
    {"요약", "other"},
    {"summary", "other"},
    {"profile", "other"},
    {"about", "other"},
    {"aboutme", "other"},
    {"objective", "other"},
    {"어학", "other"},
    {"외국어", "other"},
    {"어학능력", "other"},
    {"languages", "other"},
    {"활동", "other"},
    {"대외활동", "other"},
    {"activities", "other"},
    {"인적사항", "other"},
    {"personalinformation", "other"},
    {NULL, NULL},
};

static const char *const section_keys[] = {"education",    "experience", "projects", "skills",
                                           "certificates", "awards",     "other",    NULL};

/* Decode one code point; returns its byte length (1 for a malformed byte). */
static size_t cp_at(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len > n || (c >= 0x80 && c < 0xC0)) return *cp = 0xFFFD, 1;
    *cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t i = 1; i < len; i++) *cp = (*cp << 6) | (s[i] & 0x3F);
    return len;
}

/* Punctuation and symbol blocks that decorate headings (■ 【 】 ▶ ： etc.). */
static int is_decoration(unsigned cp)
{
    return (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFF00 && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) || cp == 0x00B7 ||
           cp == 0xFFFD;
}

static size_t normalise_heading(const char *line, size_t len, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)line;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t l = cp_at(p + i, len - i, &cp);
        if (cp < 0x80) {
            if (isalpha((int)cp) && o + 1 < cap) out[o++] = (char)tolower((int)cp);
        } else if (!is_decoration(cp) && o + l < cap) {
            memcpy(out + o, p + i, l);
            o += l;
        }
        i += l;
    }
    out[o] = '\0';
    return o;
}

static const char *lookup_heading(const char *line, size_t len)
{
    char norm[128];
    if (len == 0 || len > 80) return NULL;
    if (normalise_heading(line, len, norm, sizeof norm) == 0) return NULL;
    for (const struct lexicon_entry *e = lexicon; e->norm; e++)
        if (!strcmp(e->norm, norm)) return e->section;
    return NULL;
}

/* The offset just past the first ':' or '：' (U+FF1A), or 0. */
static size_t colon_split(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (line[i] == ':') return i + 1;
        if (i + 2 < len && (unsigned char)line[i] == 0xEF && (unsigned char)line[i + 1] == 0xBC &&
            (unsigned char)line[i + 2] == 0x9A)
            return i + 3;
    }
    return 0;
}

const char *kc_resume_heading(const char *line, size_t len, size_t *rest_off)
{
    *rest_off = 0;
    size_t c = colon_split(line, len);
    if (c) {
        const char *s = lookup_heading(line, c);
        if (s) {
            *rest_off = c;
            return s;
        }
        return NULL; /* "Name: ..." is content, not a heading */
    }
    return lookup_heading(line, len);
}

enum tok_kind { T_DATE, T_PRESENT, T_SEP, T_OTHER };

struct token {
    enum tok_kind kind;
    size_t start, end;
    int year, month;
};

static int read_num(const char *s, size_t n, size_t *i, int maxd)
{
    int v = 0, d = 0;
    while (*i < n && d < maxd && isdigit((unsigned char)s[*i])) v = v * 10 + (s[(*i)++] - '0'), d++;
    return d ? v : -1;
}

static int month_name(const char *w, size_t n)
{
    static const char *m[] = {"jan", "feb", "mar", "apr", "may", "jun",
                              "jul", "aug", "sep", "oct", "nov", "dec"};
    static const char *full[] = {"january",   "february", "march",    "april",
                                 "may",       "june",     "july",     "august",
                                 "september", "october",  "november", "december"};
    char low[16];
    if (n < 3 || n >= sizeof low) return 0;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)w[i]);
    low[n] = '\0';
    for (int i = 0; i < 12; i++)
        if ((n == 3 && !strcmp(low, m[i])) || !strcmp(low, full[i]) ||
            (n == 4 && !strcmp(low, "sept") && i == 8))
            return i + 1;
    return 0;
}

static int word_is(const char *w, size_t n, const char *lit)
{
    if (strlen(lit) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)w[i]) != lit[i]) return 0;
    return 1;
}

/* A numeric date at s[*i]: YYYY, YYYY.MM, YYYY-MM-DD, YYYY년 M월. Advances *i on success. */
static int numeric_date(const char *s, size_t n, size_t *i, struct token *t)
{
    size_t j = *i;
    if (j > 0 && isdigit((unsigned char)s[j - 1])) return 0;
    int y = read_num(s, n, &j, 4);
    if (y < 1950 || y > 2100 || (j < n && isdigit((unsigned char)s[j]))) return 0;
    t->year = y, t->month = 0;
    size_t k = j;
    if (k < n && (s[k] == '.' || s[k] == '-' || s[k] == '/')) {
        char sep = s[k++];
        int mo = read_num(s, n, &k, 2);
        if (mo >= 1 && mo <= 12 && !(k < n && isdigit((unsigned char)s[k]))) {
            t->month = mo, j = k;
            if (k + 1 < n && s[k] == sep && isdigit((unsigned char)s[k + 1])) {
                k++;
                if (read_num(s, n, &k, 2) >= 1) j = k;
            }
            if (j < n && s[j] == '.') j++;
        }
    } else if (k + 3 <= n && !memcmp(s + k, "년", 3)) {
        k += 3;
        while (k < n && s[k] == ' ') k++;
        int mo = read_num(s, n, &k, 2);
        j += 3;
        if (mo >= 1 && mo <= 12 && k + 3 <= n && !memcmp(s + k, "월", 3)) t->month = mo, j = k + 3;
    }
    *i = j;
    return 1;
}

static const char *const present_words[] = {"현재",    "재직중", "재직 중", "진행중",
                                            "진행 중", "재학중", "재학 중", NULL};

static size_t scan_token(const char *s, size_t n, size_t i, struct token *t)
{
    t->start = i, t->kind = T_OTHER;
    unsigned char c = (unsigned char)s[i];
    if (isdigit(c)) {
        size_t j = i;
        if (numeric_date(s, n, &j, t)) return t->kind = T_DATE, t->end = j;
        while (j < n && isdigit((unsigned char)s[j])) j++;
        return t->end = j;
    }
    if (isalpha(c)) {
        size_t j = i;
        while (j < n && isalpha((unsigned char)s[j])) j++;
        int mo = month_name(s + i, j - i);
        size_t k = j;
        while (k < n && (s[k] == '.' || s[k] == ',' || s[k] == ' ')) k++;
        struct token y;
        if (mo && k < n && isdigit((unsigned char)s[k]) && numeric_date(s, n, &k, &y) &&
            y.month == 0)
            return t->kind = T_DATE, t->year = y.year, t->month = mo, t->end = k;
        if (word_is(s + i, j - i, "present") || word_is(s + i, j - i, "current") ||
            word_is(s + i, j - i, "now"))
            t->kind = T_PRESENT;
        else if (word_is(s + i, j - i, "to"))
            t->kind = T_SEP;
        return t->end = j;
    }
    if (c == '~' || c == '-') return t->kind = T_SEP, t->end = i + 1;
    if (n - i >= 3 && (!memcmp(s + i, "–", 3) || !memcmp(s + i, "—", 3) || !memcmp(s + i, "～", 3)))
        return t->kind = T_SEP, t->end = i + 3;
    for (int w = 0; present_words[w]; w++) {
        size_t l = strlen(present_words[w]);
        if (n - i >= l && !memcmp(s + i, present_words[w], l))
            return t->kind = T_PRESENT, t->end = i + l;
    }
    unsigned cp;
    return t->end = i + cp_at((const unsigned char *)s + i, n - i, &cp);
}

static int tokenize(const char *s, size_t n, struct token *toks, int cap)
{
    int k = 0;
    for (size_t i = 0; i < n && k < cap;) {
        if (s[i] == ' ' || s[i] == '\t') {
            i++;
            continue;
        }
        i = scan_token(s, n, i, &toks[k++]);
    }
    return k;
}

static void format_date(const struct token *t, char out[8])
{
    unsigned y = (unsigned)t->year % 10000u, m = (unsigned)t->month % 100u;
    if (m)
        snprintf(out, 8, "%04u-%02u", y, m);
    else
        snprintf(out, 8, "%04u", y);
}

int kc_resume_date_before(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return strncmp(a, b, la < lb ? la : lb) < 0;
}

int kc_resume_find_range(const char *line, size_t len, struct kc_date_range *out)
{
    struct token t[MAX_TOKENS];
    int n = tokenize(line, len, t, MAX_TOKENS);
    for (int i = 0; i + 2 < n; i++) {
        if (t[i].kind != T_DATE || t[i + 1].kind != T_SEP) continue;
        if (t[i + 2].kind != T_DATE && t[i + 2].kind != T_PRESENT) continue;
        memset(out, 0, sizeof *out);
        out->start = t[i].start, out->end = t[i + 2].end;
        format_date(&t[i], out->from);
        if (t[i + 2].kind == T_DATE)
            format_date(&t[i + 2], out->to);
        else
            out->current = 1;
        /* "2019~2003" is no range: keep looking rather than produce one the validator
         * (and the applicant's review) would reject */
        if (!out->current && kc_resume_date_before(out->to, out->from)) continue;
        return 1;
    }
    return 0;
}

int kc_resume_find_date(const char *line, size_t len, char out[8], size_t *start, size_t *end)
{
    struct token t[MAX_TOKENS];
    int n = tokenize(line, len, t, MAX_TOKENS);
    for (int i = 0; i < n; i++)
        if (t[i].kind == T_DATE) {
            format_date(&t[i], out);
            *start = t[i].start, *end = t[i].end;
            return 1;
        }
    return 0;
}

/* Trim spaces and separator punctuation from both ends; returns a new JSON string or NULL
 * when nothing is left. */
static json_t *trimmed(const char *s, size_t n)
{
    static const char trim[] = " \t|,-/:;~";
    while (n && strchr(trim, s[0])) s++, n--;
    while (n && strchr(trim, s[n - 1])) n--;
    /* bullets "• " "· " "▪ " "■ " at the start */
    while (n >= 2 && ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xB7)) s += 2, n -= 2;
    while (n >= 3 && (unsigned char)s[0] == 0xE2 &&
           ((unsigned char)s[1] == 0x80 || (unsigned char)s[1] == 0x96 ||
            (unsigned char)s[1] == 0x97)) {
        s += 3, n -= 3;
        while (n && (s[0] == ' ' || s[0] == '\t')) s++, n--;
    }
    if (!n || !kc_utf8_valid(s, n)) return NULL;
    return json_stringn(s, n);
}

/* Title = line without the date span, with empty brackets and separators removed. */
static json_t *without_span(const char *line, size_t len, size_t a, size_t b)
{
    char buf[1024];
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < sizeof buf; i++)
        if (i < a || i >= b) buf[n++] = line[i];
    buf[n] = '\0';
    /* drop brackets left empty by removing the dates: "()", "[]", "( )" */
    static const char *const empties[] = {"( )", "()", "[]"};
    for (int k = 0; k < 3; k++) {
        size_t el = strlen(empties[k]);
        char *p = strstr(buf, empties[k]);
        while (p) {
            memmove(p, p + el, strlen(p + el) + 1);
            p = strstr(buf, empties[k]);
        }
    }
    return trimmed(buf, strlen(buf));
}

struct parser {
    json_t *root;
    const char *section; /* current section key */
    json_t *current;     /* current dated entry or other-group, borrowed */
};

static json_t *new_entry(json_t *title, const struct kc_date_range *r)
{
    json_t *e = json_object();
    json_object_set_new(e, "title", title ? title : json_string(""));
    json_object_set_new(e, "start", r && r->from[0] ? json_string(r->from) : json_null());
    json_object_set_new(e, "end", r && r->to[0] ? json_string(r->to) : json_null());
    json_object_set_new(e, "current", json_boolean(r && r->current));
    json_object_set_new(e, "details", json_array());
    return e;
}

static void add_dated(struct parser *ps, const char *line, size_t len)
{
    json_t *arr = json_object_get(ps->root, ps->section);
    struct kc_date_range r;
    if (kc_resume_find_range(line, len, &r)) {
        ps->current = new_entry(without_span(line, len, r.start, r.end), &r);
        json_array_append_new(arr, ps->current);
        return;
    }
    json_t *text = trimmed(line, len);
    if (!text) return;
    if (!ps->current) {
        ps->current = new_entry(text, NULL);
        json_array_append_new(arr, ps->current);
        return;
    }
    json_array_append_new(json_object_get(ps->current, "details"), text);
}

static void add_skills(struct parser *ps, const char *line, size_t len)
{
    json_t *arr = json_object_get(ps->root, "skills");
    size_t a = 0;
    for (size_t i = 0; i <= len; i++) {
        int cut = i == len || strchr(",|/;", line[i]) != NULL;
        size_t skip = 1;
        if (!cut && i + 1 < len && (unsigned char)line[i] == 0xC2 &&
            (unsigned char)line[i + 1] == 0xB7)
            cut = 1, skip = 2; /* · */
        if (!cut && i + 2 < len && !memcmp(line + i, "•", 3)) cut = 1, skip = 3;
        if (!cut) continue;
        json_t *s = trimmed(line + a, i - a);
        int dup = 0;
        for (size_t k = 0; s && k < json_array_size(arr); k++)
            dup |= json_equal(json_array_get(arr, k), s);
        if (s && !dup)
            json_array_append_new(arr, s);
        else
            json_decref(s);
        a = i + skip;
        i += skip - 1;
    }
}

static void add_named(struct parser *ps, const char *line, size_t len)
{
    char date[8];
    size_t a, b;
    json_t *e = json_object(), *name;
    if (kc_resume_find_date(line, len, date, &a, &b)) {
        name = without_span(line, len, a, b);
        json_object_set_new(e, "date", json_string(date));
    } else {
        name = trimmed(line, len);
        json_object_set_new(e, "date", json_null());
    }
    if (!name) {
        json_decref(e);
        return;
    }
    json_object_set_new(e, "name", name);
    json_array_append_new(json_object_get(ps->root, ps->section), e);
}

static void add_other(struct parser *ps, const char *line, size_t len)
{
    json_t *text = trimmed(line, len);
    if (!text) return;
    if (!ps->current) {
        ps->current = json_pack("{s:s,s:[]}", "heading", "", "lines");
        json_array_append_new(json_object_get(ps->root, "other"), ps->current);
    }
    json_array_append_new(json_object_get(ps->current, "lines"), text);
}

static void add_line(struct parser *ps, const char *line, size_t len)
{
    if (!strcmp(ps->section, "skills"))
        add_skills(ps, line, len);
    else if (!strcmp(ps->section, "certificates") || !strcmp(ps->section, "awards"))
        add_named(ps, line, len);
    else if (!strcmp(ps->section, "other"))
        add_other(ps, line, len);
    else
        add_dated(ps, line, len);
}

static void start_section(struct parser *ps, const char *key, const char *line, size_t len)
{
    ps->section = key;
    ps->current = NULL;
    if (!strcmp(key, "other")) {
        json_t *h = trimmed(line, len);
        ps->current = json_pack("{s:o,s:[]}", "heading", h ? h : json_string(""), "lines");
        json_array_append_new(json_object_get(ps->root, "other"), ps->current);
    }
}

/* Cut a JSON string to at most max bytes at a UTF-8 character boundary. */
static void cap_string(json_t *str, size_t max)
{
    const char *v = json_string_value(str);
    size_t n = json_string_length(str);
    if (!v || n <= max) return;
    while (max && ((unsigned char)v[max] & 0xC0) == 0x80) max--;
    json_string_setn(str, v, max);
}

/* Cut an array to at most max items. */
static void cap_array(json_t *arr, size_t max)
{
    while (json_array_size(arr) > max) json_array_remove(arr, json_array_size(arr) - 1);
}

/* The parser's output always passes kc_resume_sections_validate (the applicant saves it
 * back unchanged): one-line fields are cut to KC_SECTIONS_LINE_MAX, free text to
 * KC_SECTIONS_TEXT_MAX, lists to their item limits. Found necessary by tests/fuzz. */
static void conform(json_t *root)
{
    const char *key;
    json_t *arr;
    json_object_foreach(root, key, arr)
    {
        cap_array(arr, KC_SECTIONS_MAX_ITEMS);
        size_t i;
        json_t *item;
        json_array_foreach(arr, i, item)
        {
            if (json_is_string(item)) { /* skills */
                cap_string(item, KC_SECTIONS_LINE_MAX);
                continue;
            }
            static const char *const line_keys[] = {"title", "name", "heading", NULL};
            for (int k = 0; line_keys[k]; k++)
                cap_string(json_object_get(item, line_keys[k]), KC_SECTIONS_LINE_MAX);
            json_t *details = json_object_get(item, "details");
            json_t *lines = json_object_get(item, "lines");
            cap_array(details, KC_SECTIONS_MAX_DETAILS);
            cap_array(lines, KC_SECTIONS_MAX_ITEMS);
            size_t j;
            json_t *t;
            json_array_foreach(details, j, t) cap_string(t, KC_SECTIONS_TEXT_MAX);
            json_array_foreach(lines, j, t) cap_string(t, KC_SECTIONS_TEXT_MAX);
        }
    }
}

json_t *kc_resume_parse(const char *text)
{
    struct parser ps = {.root = json_object(), .section = "other"};
    for (int i = 0; section_keys[i]; i++)
        json_object_set_new(ps.root, section_keys[i], json_array());
    const char *p = text ? text : "";
    while (*p) {
        size_t len = strcspn(p, "\r\n");
        size_t rest = 0;
        const char *key = kc_resume_heading(p, len, &rest);
        if (key) {
            start_section(&ps, key, p, !rest ? len : p[rest - 1] == ':' ? rest - 1 : rest - 3);
            if (rest && rest < len) add_line(&ps, p + rest, len - rest);
        } else if (len) {
            add_line(&ps, p, len);
        }
        p += len;
        while (*p == '\r' || *p == '\n') p++;
    }
    conform(ps.root);
    return ps.root;
}
