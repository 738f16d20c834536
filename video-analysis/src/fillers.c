/*
 * fillers.c — rule-based filler detection (rules and their rationale in fillers.h).
 *
 * Pass 1 builds a `struct tok` per word: the normalised text, whether punctuation or a pause
 * sets it off on the left/right, and its sentence-final mark. Pass 2 walks the tokens once and
 * applies the language's rules, which only look at a word and its immediate neighbours.
 */
#include "fillers.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NORM_MAX 64

struct tok {
    char norm[NORM_MAX]; /* normalised text */
    bool off_left;       /* punctuation or pause before, or transcript start */
    bool off_right;      /* punctuation or pause after, or transcript end */
    char final;          /* '.', '?', '!' when the word ends a sentence, else 0 */
};

/* Length of a punctuation character at s (ASCII or a few UTF-8 marks), 0 if none. */
static size_t punct_len(const unsigned char *s)
{
    static const char *const marks[] = {"\xE2\x80\xA6", "\xE3\x80\x82", "\xE3\x80\x81",
                                        "\xEF\xBC\x9F", "\xEF\xBC\x81", "\xEF\xBC\x8C"};
    if (*s < 0x80) return (ispunct(*s) && *s != '\'') || isspace(*s) ? 1 : 0;
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (!strncmp((const char *)s, marks[i], strlen(marks[i]))) return strlen(marks[i]);
    return 0;
}

/* Sentence mark carried by punctuation p (ASCII or full-width ? ! and ideographic full stop). */
static char mark_of(const unsigned char *p, size_t len)
{
    if (len == 1 && (*p == '.' || *p == '?' || *p == '!')) return (char)*p;
    if (len == 3 && !memcmp(p, "\xEF\xBC\x9F", 3)) return '?';
    if (len == 3 && !memcmp(p, "\xEF\xBC\x81", 3)) return '!';
    if (len == 3 && !memcmp(p, "\xE3\x80\x82", 3)) return '.';
    return 0;
}

/* Strip punctuation from both ends into t->norm (lower-cased); report what was stripped. */
static void normalise(const char *w, struct tok *t, bool *punct_before, bool *punct_after)
{
    const unsigned char *s = (const unsigned char *)(w ? w : "");
    size_t n = strlen((const char *)s), a = 0, b = n, len;
    *punct_before = *punct_after = false;
    while (a < b) {
        len = punct_len(s + a);
        if (len == 0) break;
        if (!isspace(s[a])) *punct_before = true;
        a += len;
    }
    for (;;) { /* trailing: find the last punctuation character that ends at b */
        size_t found = 0;
        for (size_t back = 1; back <= 3 && back <= b - a && !found; back++)
            if (punct_len(s + b - back) == back) found = back;
        if (!found || b - found < a) break;
        b -= found;
        if (!isspace(s[b])) *punct_after = true;
        char m = mark_of(s + b, found);
        if (m && !t->final) t->final = m;
    }
    size_t m = 0;
    for (size_t i = a; i < b && m + 1 < NORM_MAX; i++)
        t->norm[m++] = (char)(s[i] < 0x80 ? tolower(s[i]) : s[i]);
    t->norm[m] = '\0';
}

static bool gap(const struct kc_word *a, const struct kc_word *b)
{
    return isfinite(a->end) && isfinite(b->start) && b->start - a->end >= KC_FILLER_PAUSE_S;
}

static int build_tokens(const struct kc_word *w, size_t n, struct tok *t)
{
    bool *after = calloc(n ? n : 1, sizeof *after);
    if (!after) return -1;
    for (size_t i = 0; i < n; i++) {
        bool before;
        memset(&t[i], 0, sizeof t[i]);
        normalise(w[i].w, &t[i], &before, &after[i]);
        t[i].off_left = i == 0 || before || after[i - 1] || gap(&w[i - 1], &w[i]);
    }
    for (size_t i = 0; i < n; i++) t[i].off_right = i + 1 == n || after[i] || t[i + 1].off_left;
    free(after);
    return 0;
}

static bool in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(w, *list)) return true;
    return false;
}

/* "ummm" → "um" etc.; returns the canonical hesitation sound or NULL. */
static const char *hesitation(const char *w)
{
    static const char *const canon[][2] = {{"um", "um"},  {"uhm", "um"},  {"uh", "uh"},
                                           {"er", "er"},  {"erm", "erm"}, {"ah", "ah"},
                                           {"hm", "hmm"}, {"m", "mm"}};
    char c[NORM_MAX];
    size_t m = 0;
    for (const char *p = w; *p && m + 1 < sizeof c; p++)
        if (m == 0 || c[m - 1] != *p) c[m++] = *p;
    c[m] = '\0';
    for (size_t i = 0; i < sizeof canon / sizeof *canon; i++)
        if (!strcmp(c, canon[i][0])) return canon[i][1];
    return NULL;
}

static const char *const LIKE_GRAMMATICAL_PREV[] = {
    "i",        "you",    "we",      "they",   "he",    "she",       "would",    "i'd",
    "you'd",    "we'd",   "they'd",  "to",     "don't", "didn't",    "doesn't",  "do",
    "does",     "did",    "feel",    "feels",  "felt",  "look",      "looks",    "looked",
    "sound",    "sounds", "sounded", "seem",   "seems", "something", "anything", "nothing",
    "more",     "most",   "much",    "really", "also",  "not",       "people",   "things",
    "would've", "just",   "taste",   "tastes", "smell", "smells",    NULL};
static const char *const LIKE_BE_PREV[] = {"is",   "was",  "were",   "are",     "am", "be",
                                           "been", "it's", "that's", "there's", NULL};
static const char *const LIKE_CONJUNCTION_PREV[] = {"and", "but", "so", "or", "because", NULL};
static const char *const DETERMINERS[] = {"a",     "an",    "the",   "this", "that",
                                          "these", "those", "my",    "your", "his",
                                          "her",   "our",   "their", "its",  NULL};
static const char *const YK_BLOCK_PREV[] = {"do",   "did",  "don't",   "didn't", "if",    "as",
                                            "what", "how",  "would",   "will",   "could", "should",
                                            "can",  "that", "whether", "where",  "who",   NULL};
static const char *const YK_OBJECT_NEXT[] = {"that", "what", "how",  "who",  "where",   "why",
                                             "when", "him",  "her",  "them", "it",      "about",
                                             "me",   "us",   "this", "if",   "whether", NULL};
static const char *const YK_CLAUSE_NEXT[] = {"i",  "we", "they", "so",  "and",   "but", "like",
                                             "um", "uh", "he",   "she", "there", "the", NULL};
static const char *const IM_BLOCK_PREV[] = {"what", "do", "did", "if", "don't", "didn't", NULL};
static const char *const IM_OBJECT_NEXT[] = {"it",  "that", "this", "what", "to", "you",
                                             "him", "her",  "them", "well", NULL};

static bool is_en_filler_word(const struct tok *t)
{
    return hesitation(t->norm) != NULL;
}

static bool like_is_filler(const struct tok *t, size_t i, size_t n)
{
    bool left = i > 0 && t[i].off_left; /* the transcript start alone does not set it off */
    if (left || t[i].off_right) {
        /* "I like, uh" is still the verb: a grammatical left neighbour wins unless a comma
         * separates them */
        return !(i > 0 && !left && in_list(t[i - 1].norm, LIKE_GRAMMATICAL_PREV));
    }
    if (i == 0 || in_list(t[i - 1].norm, LIKE_GRAMMATICAL_PREV)) return false;
    if (in_list(t[i - 1].norm, LIKE_CONJUNCTION_PREV) || is_en_filler_word(&t[i - 1]))
        return true; /* "so like the team grew" */
    /* after "be": "it was like huge" is a filler, "it is like a car" a preposition */
    return in_list(t[i - 1].norm, LIKE_BE_PREV) &&
           !(i + 1 < n && in_list(t[i + 1].norm, DETERMINERS));
}

static bool you_know_is_filler(const struct tok *t, size_t i, size_t n)
{
    /* t[i] = "you", t[i+1] = "know" */
    if (i > 0 && !t[i].off_left && in_list(t[i - 1].norm, YK_BLOCK_PREV)) return false;
    if (t[i + 1].off_right) return true;
    if (i + 2 < n && in_list(t[i + 2].norm, YK_OBJECT_NEXT)) return false;
    if (t[i].off_left) return true;
    return i + 2 < n && in_list(t[i + 2].norm, YK_CLAUSE_NEXT);
}

static bool i_mean_is_filler(const struct tok *t, size_t i, size_t n)
{
    if (i > 0 && !t[i].off_left && in_list(t[i - 1].norm, IM_BLOCK_PREV)) return false;
    if (t[i + 1].off_right) return true;
    if (i + 2 < n && in_list(t[i + 2].norm, IM_OBJECT_NEXT)) return false;
    return t[i].off_left;
}

static int push(struct kc_fillers *f, size_t *cap, size_t index, size_t nw, const char *kind)
{
    if (f->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        struct kc_filler_hit *nh = realloc(f->hits, nc * sizeof *nh);
        if (!nh) return -1;
        f->hits = nh;
        *cap = nc;
    }
    f->hits[f->n++] = (struct kc_filler_hit){index, nw, kind};
    return 0;
}

static int find_en(const struct tok *t, size_t n, struct kc_fillers *f)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        const char *h = hesitation(t[i].norm);
        int rc = 0;
        if (h) {
            rc = push(f, &cap, i, 1, h);
        } else if (!strcmp(t[i].norm, "like") && like_is_filler(t, i, n)) {
            rc = push(f, &cap, i, 1, "like");
        } else if (i + 1 < n && !strcmp(t[i].norm, "you") && !strcmp(t[i + 1].norm, "know") &&
                   !t[i].off_right && you_know_is_filler(t, i, n)) {
            rc = push(f, &cap, i, 2, "you know");
            i++;
        } else if (i + 1 < n && !strcmp(t[i].norm, "i") && !strcmp(t[i + 1].norm, "mean") &&
                   !t[i].off_right && i_mean_is_filler(t, i, n)) {
            rc = push(f, &cap, i, 2, "I mean");
            i++;
        }
        if (rc < 0) return -1;
    }
    return 0;
}

static const char *const KO_ALWAYS[] = {"음", "어", "이제", NULL};
static const char *const KO_HESITANT[] = {"그", "저", NULL};

static bool ko_is_any(const char *w)
{
    return in_list(w, KO_ALWAYS) || in_list(w, KO_HESITANT) || !strcmp(w, "뭐");
}

static bool sentence_is_question(const struct tok *t, size_t i, size_t n)
{
    for (size_t k = i; k < n; k++)
        if (t[k].final) return t[k].final == '?';
    return false;
}

/* The table's own (static) spelling of w, or NULL. */
static const char *lookup(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(w, *list)) return *list;
    return NULL;
}

static int find_ko(const struct tok *t, size_t n, struct kc_fillers *f)
{
    static const char *const WHAT[] = {"뭐", NULL};
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        const char *w = t[i].norm, *kind = lookup(w, KO_ALWAYS), *hes = lookup(w, KO_HESITANT);
        if (!kind && hes) {
            bool repeated =
                (i + 1 < n && !strcmp(t[i + 1].norm, w)) || (i > 0 && !strcmp(t[i - 1].norm, w));
            bool next_filler = i + 1 < n && ko_is_any(t[i + 1].norm);
            if (t[i].off_right || repeated || next_filler) kind = hes;
        } else if (!kind && lookup(w, WHAT) && !sentence_is_question(t, i, n)) {
            kind = WHAT[0];
        }
        if (kind && push(f, &cap, i, 1, kind) < 0) return -1;
    }
    return 0;
}

int kc_fillers_find(const struct kc_word *words, size_t n, const char *lang, struct kc_fillers *out,
                    struct kc_err *err)
{
    out->hits = NULL;
    out->n = 0;
    bool en = lang && !strcmp(lang, "en"), ko = lang && !strcmp(lang, "ko");
    if (!en && !ko)
        return kc_err_field(err, KC_E_INVALID, "language",
                            "filler detection supports \"en\" and \"ko\", not \"%s\"",
                            lang ? lang : "(none)");
    struct tok *t = malloc((n ? n : 1) * sizeof *t);
    if (!t || build_tokens(words, n, t) < 0) {
        free(t);
        return kc_err_set(err, KC_E_NOMEM, "out of memory");
    }
    int rc = en ? find_en(t, n, out) : find_ko(t, n, out);
    free(t);
    if (rc < 0) {
        kc_fillers_free(out);
        return kc_err_set(err, KC_E_NOMEM, "out of memory");
    }
    return 0;
}

void kc_fillers_free(struct kc_fillers *f)
{
    if (!f) return;
    free(f->hits);
    f->hits = NULL;
    f->n = 0;
}
