/*
 * test_speech_fillers.c — filler detection on made-up English and Korean transcripts, covering
 * each rule of fillers.h in both directions (filler / not a filler).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fillers.h"

/* Split a sentence on spaces into words without times; "|" marks a 0.5 s pause before the
 * next word (times are then assigned 0.3 s per word). */
static size_t words_of(const char *text, struct kc_word *w, char store[][32], size_t max)
{
    size_t n = 0;
    double t = 0;
    bool timed = strchr(text, '|') != NULL;
    const char *p = text;
    while (*p && n < max) {
        while (*p == ' ') p++;
        if (*p == '|') {
            t += 0.5;
            p++;
            continue;
        }
        size_t len = strcspn(p, " |");
        if (!len) break;
        snprintf(store[n], 32, "%.*s", (int)len, p);
        w[n] = (struct kc_word){store[n], timed ? t : NAN, timed ? t + 0.25 : NAN, NAN};
        t += 0.3;
        p += len;
        n++;
    }
    return n;
}

/* Run detection and return the hits as "index:kind" joined by spaces. */
static const char *detect(const char *lang, const char *text)
{
    static char out[512];
    struct kc_word w[64];
    char store[64][32];
    size_t n = words_of(text, w, store, 64);
    struct kc_fillers f;
    struct kc_err err = {0};
    cr_assert_eq(kc_fillers_find(w, n, lang, &f, &err), 0, "%s", err.message);
    out[0] = '\0';
    for (size_t i = 0; i < f.n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, sizeof out - len, "%s%zu:%s", i ? " " : "", f.hits[i].index,
                 f.hits[i].kind);
    }
    kc_fillers_free(&f);
    return out;
}

#define EXPECT(lang, text, want) cr_expect_str_eq(detect(lang, text), want, "%s", text)

Test(fillers, english_hesitation_sounds)
{
    EXPECT("en", "Um, I think uh the answer is, er, yes", "0:um 3:uh 7:er");
    EXPECT("en", "Ummm well Uhh maybe hmmm", "0:um 2:uh 4:hmm");
    EXPECT("en", "the summit is umbrella shaped", "");
}

Test(fillers, english_like)
{
    EXPECT("en", "I like working with people", "");
    EXPECT("en", "I would like to join", "");
    EXPECT("en", "it looks like rain", "");
    EXPECT("en", "it was like huge", "2:like");
    EXPECT("en", "and like we shipped it", "1:like");
    EXPECT("en", "we had, like, three weeks", "2:like");
    EXPECT("en", "it is like a car", "");
    EXPECT("en", "so like the team grew", "1:like");
    EXPECT("en", "Like I said before", "");
    EXPECT("en", "it works just like the old one", "");
    EXPECT("en", "Like, I do not know", "0:like");
    EXPECT("en", "we shipped | like | three features", "2:like");
}

Test(fillers, english_you_know_and_i_mean)
{
    EXPECT("en", "we tried, you know, everything", "2:you know");
    EXPECT("en", "do you know the answer", "");
    EXPECT("en", "you know what I did", "");
    EXPECT("en", "and you know we tried again", "1:you know");
    EXPECT("en", "it was hard you know", "3:you know");
    EXPECT("en", "I mean, it worked", "0:I mean");
    EXPECT("en", "that is what I mean", "");
    EXPECT("en", "I mean it", "");
    EXPECT("en", "it was good. I mean we won", "3:I mean");
}

Test(fillers, korean)
{
    EXPECT("ko", "음 저는 어 개발자입니다", "0:음 2:어");
    EXPECT("ko", "그 사람이 저 회사에 갔어요", "");
    EXPECT("ko", "그, 제가 맡은 일은", "0:그");
    EXPECT("ko", "그 그 프로젝트는", "0:그 1:그");
    EXPECT("ko", "저... 잘 모르겠습니다", "0:저");
    EXPECT("ko", "그 음 생각해보면", "0:그 1:음");
    EXPECT("ko", "뭐 그런 경험이 있습니다.", "0:뭐");
    EXPECT("ko", "이게 뭐 예요?", "");
    EXPECT("ko", "이제 제 장점을 말씀드리면", "0:이제");
    EXPECT("ko", "음~ 좋은 질문입니다", "0:음");
    EXPECT("ko", "음악을 좋아합니다", "");
}

Test(fillers, pauses_set_words_off)
{
    /* "그" followed by a 0.5 s pause is a hesitation */
    EXPECT("ko", "그 | 프로젝트에서", "0:그");
}

Test(fillers, rejects_unknown_language)
{
    struct kc_word w[1] = {{"um", 0, 0.2, 1}};
    struct kc_fillers f;
    struct kc_err err = {0};
    cr_expect_eq(kc_fillers_find(w, 1, "fr", &f, &err), -1);
    cr_expect_eq(err.code, KC_E_INVALID);
    cr_expect_str_eq(err.field, "language");
    cr_expect_eq(kc_fillers_find(w, 0, "en", &f, &err), 0);
    cr_expect_eq(f.n, 0);
}
