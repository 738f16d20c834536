/*
 * token.c — word tokenizer, josa stripping, BM25 terms, character n-grams. See token.h.
 *
 * The particle and exception lists below are linguistic facts of the algorithm (not tunable
 * data), so they live here next to the rules that use them. Lists are in NFC UTF-8.
 */
#include "text/token.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text/hash.h"
#include "text/utf8.h"

/* Particles of two or more syllables, longest first (stripped when >= 1 syllable remains). */
static const char *const JOSA_LONG[] = {
    "에서부터", "으로부터", "에서는", "에서도", "에서의", "으로는", "으로도", "으로서", "으로써",
    "에게서",   "에게는",   "까지는", "부터는", "이라는", "이라고", "에서",   "으로",   "에게",
    "한테",     "까지",     "부터",   "보다",   "처럼",   "만큼",   "이나",   "이며",   "이고",
    "이랑",     "라는",     "라고",   "께서",   "에는",   "에도",   "와는",   "과는",   "로는",
    "로서",     "로써",     "로도",   "이란",   "이든"};
/* Single-syllable particles (stripped when >= 2 syllables remain and no exception applies). */
static const char *const JOSA_SHORT[] = {"은", "는", "이", "가", "을", "를", "에",
                                         "로", "와", "과", "의", "도", "만"};
/* Nouns whose last syllable looks like a particle: a word ending with one keeps its ending. */
static const char *const JOSA_EXCEPTIONS[] = {
    "결과",   "성과",   "효과",   "학과",   "회의",   "정의",   "논의",   "강의",   "협의",
    "합의",   "주의",   "평가",   "국가",   "단가",   "원가",   "전문가", "분석가", "기획가",
    "사업가", "투자가", "예술가", "창업가", "기업가", "건축가", "번역가", "연구가", "전략가",
    "평론가", "활동가", "작가",   "경로",   "진로",   "회로",   "통로",   "정도",   "속도",
    "온도",   "강도",   "태도",   "제도",   "빈도",   "용도",   "시도",   "지도",   "보도",
    "난이도", "정확도", "만족도", "완성도", "신뢰도", "숙련도", "기여도", "중요도", "인지도",
    "선호도", "충성도", "밀도",   "고도",   "각도",   "어도비", "아이",   "놀이",   "길이",
    "높이",   "깊이",   "넓이",   "나이",   "차이",   "사이"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool ends_with(const char *w, size_t len, const char *suffix, size_t *slen)
{
    size_t n = strlen(suffix);
    *slen = n;
    return n <= len && memcmp(w + len - n, suffix, n) == 0;
}

/* Last syllables of all particles: a word ending otherwise keeps its length without scanning
 * the lists (the common case, and the tokenizer's hot path). */
static const char JOSA_LAST[] = "서로는도의써게테지터다럼큼나며고랑라께에은이가을를와과만란든";

static bool may_end_with_josa(const char *w, size_t len)
{
    if (len < 3) return false;
    for (size_t i = 0; i + 3 <= sizeof JOSA_LAST - 1; i += 3)
        if (memcmp(w + len - 3, JOSA_LAST + i, 3) == 0) return true;
    return false;
}

/* Every Hangul syllable is 3 bytes in UTF-8, so syllable counts are byte counts / 3. */
size_t kc_tok_strip_josa(const char *w, size_t len)
{
    if (!may_end_with_josa(w, len)) return len;
    size_t slen;
    for (size_t i = 0; i < COUNT(JOSA_LONG); i++)
        if (ends_with(w, len, JOSA_LONG[i], &slen) && len - slen >= 3) return len - slen;
    for (size_t i = 0; i < COUNT(JOSA_EXCEPTIONS); i++)
        if (ends_with(w, len, JOSA_EXCEPTIONS[i], &slen)) return len;
    for (size_t i = 0; i < COUNT(JOSA_SHORT); i++)
        if (ends_with(w, len, JOSA_SHORT[i], &slen) && len - slen >= 6) return len - slen;
    return len;
}

static bool is_particle(const char *w, size_t len)
{
    for (size_t i = 0; i < COUNT(JOSA_LONG); i++)
        if (strlen(JOSA_LONG[i]) == len && memcmp(w, JOSA_LONG[i], len) == 0) return true;
    for (size_t i = 0; i < COUNT(JOSA_SHORT); i++)
        if (strlen(JOSA_SHORT[i]) == len && memcmp(w, JOSA_SHORT[i], len) == 0) return true;
    return false;
}

static int script_of(uint32_t c)
{
    if (kc_cp_is_hangul(c)) return KC_SCRIPT_HANGUL;
    if (kc_cp_is_word(c)) return KC_SCRIPT_LATIN;
    return KC_SCRIPT_OTHER;
}

static int push_token(struct kc_tokens *t, const struct kc_token *tok, struct kc_err *err)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct kc_token *v = realloc(t->v, cap * sizeof *v);
        if (!v) return kc_err_set(err, KC_E_NOMEM, "tokenizer: out of memory");
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *tok;
    return 0;
}

/* Is the ASCII joiner at s[i] part of a Latin word? ('.'/'\'' between alnums, '+'/'#' after). */
static size_t latin_joiner(const char *s, size_t len, size_t i)
{
    char c = s[i];
    bool prev_alnum = i > 0 && (unsigned char)s[i - 1] < 0x80 && kc_cp_is_word((uint8_t)s[i - 1]);
    if (!prev_alnum) return 0;
    if ((c == '.' || c == '\'') && i + 1 < len && (unsigned char)s[i + 1] < 0x80 &&
        kc_cp_is_word((uint8_t)s[i + 1]))
        return 1;
    if (c == '+' || c == '#') {
        size_t j = i;
        while (j < len && (s[j] == '+' || s[j] == '#')) j++;
        if (j == len || !kc_cp_is_word((uint8_t)s[j])) return j - i;
    }
    return 0;
}

/* Scan one word of a single script starting at i; returns its end offset and char count. */
static size_t scan_word(const char *s, size_t len, size_t i, int script, uint16_t *nchars)
{
    size_t j = i;
    unsigned count = 0;
    while (j < len) {
        uint32_t c;
        int n = kc_utf8_decode(s + j, len - j, &c);
        if (n == 0) break;
        if (script_of(c) != script) {
            size_t jn = script == KC_SCRIPT_LATIN ? latin_joiner(s, len, j) : 0;
            if (jn == 0) break;
            j += jn;
            count += (unsigned)jn;
            continue;
        }
        j += (size_t)n;
        count++;
    }
    *nchars = (uint16_t)(count > 65535 ? 65535 : count);
    return j;
}

int kc_tok_words(const char *s, size_t len, struct kc_tokens *out, struct kc_err *err)
{
    size_t i = 0;
    int prev_script = KC_SCRIPT_OTHER;
    size_t prev_end = (size_t)-1;
    while (i < len) {
        uint32_t c;
        int n = kc_utf8_decode(s + i, len - i, &c);
        if (n == 0) n = 1, c = 0;
        int script = script_of(c);
        if (script == KC_SCRIPT_OTHER) {
            i += (size_t)n;
            continue;
        }
        struct kc_token tok = {.off = (uint32_t)i, .script = (uint8_t)script};
        size_t end = scan_word(s, len, i, script, &tok.nchars);
        tok.full_len = tok.len = (uint32_t)(end - i);
        if (script == KC_SCRIPT_HANGUL) {
            bool glued = prev_end == i && prev_script == KC_SCRIPT_LATIN;
            if (glued && is_particle(s + i, end - i)) {
                tok.len = 0;
            } else {
                tok.len = (uint32_t)kc_tok_strip_josa(s + i, end - i);
                tok.nchars = (uint16_t)(tok.len / 3);
            }
        }
        if (tok.len > 0 && push_token(out, &tok, err) != 0) return -1;
        prev_script = script;
        prev_end = end;
        i = end;
    }
    return 0;
}

void kc_tokens_free(struct kc_tokens *t)
{
    if (!t) return;
    free(t->v);
    memset(t, 0, sizeof *t);
}

enum { TERM_SEED_WORD = 0x57, TERM_SEED_BIGRAM = 0xB1 };

uint64_t kc_tok_term_hash(const char *s, size_t len)
{
    return kc_hash64(s, len, TERM_SEED_WORD);
}

static int push_term(uint64_t **terms, size_t *n, size_t *cap, uint64_t h, struct kc_err *err)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        uint64_t *v = realloc(*terms, nc * sizeof *v);
        if (!v) return kc_err_set(err, KC_E_NOMEM, "terms: out of memory");
        *terms = v;
        *cap = nc;
    }
    (*terms)[(*n)++] = h;
    return 0;
}

int kc_tok_terms(const char *norm, size_t len, uint64_t **terms, size_t *n, size_t *cap,
                 struct kc_err *err)
{
    struct kc_tokens toks = {0};
    if (kc_tok_words(norm, len, &toks, err) != 0) return -1;
    int rc = 0;
    for (size_t i = 0; i < toks.n && rc == 0; i++) {
        const struct kc_token *t = &toks.v[i];
        rc = push_term(terms, n, cap, kc_tok_term_hash(norm + t->off, t->len), err);
        if (t->script != KC_SCRIPT_HANGUL || t->nchars < 3) continue;
        for (uint32_t b = 0; b + 6 <= t->len && rc == 0; b += 3)
            rc = push_term(terms, n, cap, kc_hash64(norm + t->off + b, 6, TERM_SEED_BIGRAM), err);
    }
    kc_tokens_free(&toks);
    return rc;
}

enum { NGRAM_MAX = 8 };

size_t kc_tok_char_ngrams(const char *s, size_t len, int n, kc_ngram_fn fn, void *ud)
{
    if (n < 1 || n > NGRAM_MAX) return 0;
    uint32_t cps[NGRAM_MAX], offs[NGRAM_MAX];
    bool word[NGRAM_MAX];
    size_t count = 0, filled = 0, i = 0;
    while (i < len) {
        uint32_t c;
        int step = kc_utf8_decode(s + i, len - i, &c);
        if (step == 0) step = 1, c = 0xFFFD;
        size_t slot = filled % (size_t)n;
        cps[slot] = c == '\n' ? ' ' : c;
        offs[slot] = (uint32_t)i;
        word[slot] = kc_cp_is_word(c);
        filled++;
        i += (size_t)step;
        if (filled < (size_t)n) continue;
        uint64_t h = 0xcbf29ce484222325ULL;
        bool any_word = false;
        for (int k = 0; k < n; k++) {
            size_t idx = (filled - (size_t)n + (size_t)k) % (size_t)n;
            h = (h ^ cps[idx]) * 0x100000001b3ULL;
            any_word |= word[idx];
        }
        if (!any_word) continue;
        uint32_t start = offs[(filled - (size_t)n) % (size_t)n];
        fn(ud, kc_mix64(h), start, (uint32_t)(i - start));
        count++;
    }
    return count;
}
