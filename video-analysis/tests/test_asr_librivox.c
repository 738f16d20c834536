/*
 * test_asr_librivox.c — English ASR accuracy on the pocketsphinx-testdata LibriVox clips
 * (/usr/share/pocketsphinx/test/data/librivox: 5 read sentences with a reference transcript):
 * word error rate (word-level Levenshtein distance / reference words) over all clips must be
 * at most 35 %, both decoding whole clips and decoding Silero VAD segments (the pipeline's
 * path), and word timestamps must be ordered and inside the clip.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asr.h"
#include "fixtures.h"

#define DIR  "/usr/share/pocketsphinx/test/data/librivox"
#define MAXW 256

/* Lower-case words of a line; returns count. Words point into `buf`. */
static size_t split_words(char *buf, char **w, size_t max)
{
    size_t n = 0;
    for (char *p = buf; *p; p++) *p = (char)tolower((unsigned char)*p);
    for (char *tok = strtok(buf, " \t\n"); tok && n < max; tok = strtok(NULL, " \t\n"))
        if (strcmp(tok, "<s>") && strcmp(tok, "</s>")) w[n++] = tok;
    return n;
}

/* Word-level edit distance (substitutions, insertions, deletions all cost 1). */
static size_t edit_distance(char **ref, size_t nr, char **hyp, size_t nh)
{
    size_t *prev = malloc((nh + 1) * sizeof *prev), *cur = malloc((nh + 1) * sizeof *cur);
    for (size_t j = 0; j <= nh; j++) prev[j] = j;
    for (size_t i = 1; i <= nr; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= nh; j++) {
            size_t sub = prev[j - 1] + (strcmp(ref[i - 1], hyp[j - 1]) != 0);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[nh];
    free(prev);
    free(cur);
    return d;
}

Test(wer, edit_distance_is_right)
{
    char a[] = "the cat sat on the mat", b[] = "the cat sit on mat today";
    char *ra[MAXW], *hb[MAXW];
    size_t nr = split_words(a, ra, MAXW), nh = split_words(b, hb, MAXW);
    cr_expect_eq(edit_distance(ra, nr, hb, nh), 3); /* sat→sit, -the, +today */
    cr_expect_eq(edit_distance(ra, nr, ra, nr), 0);
    cr_expect_eq(edit_distance(ra, nr, hb, 0), nr);
}

static void run_corpus(bool with_vad)
{
    FILE *f = fopen(DIR "/transcription", "r");
    cr_assert_not_null(f, "pocketsphinx-testdata is not installed");
    char line[2048];
    size_t errors = 0, ref_words = 0, clips = 0;
    double audio_s = 0, decode_s = 0;
    while (fgets(line, sizeof line, f)) {
        char *paren = strrchr(line, '(');
        cr_assert_not_null(paren);
        char id[256];
        cr_assert_eq(sscanf(paren + 1, "%255[^)]", id), 1);
        *paren = '\0';
        char path[600];
        snprintf(path, sizeof path, "%s/%s.wav", DIR, id);
        size_t n;
        int rate;
        float *pcm = kc_fixture_read_wav(path, &n, &rate);
        cr_assert_not_null(pcm, "%s", path);
        cr_assert_eq(rate, 16000);

        struct kc_vad_segments segs = {NULL, 0};
        struct kc_err err = {0};
        if (with_vad) {
            float *p;
            size_t np;
            cr_assert_eq(kc_vad_probs(NULL, pcm, n, &p, &np, NULL, NULL, &err), 0, "%s",
                         err.message);
            cr_assert_eq(kc_vad_segment(p, np, 0.032, n / 16000.0, NULL, &segs, &err), 0);
            free(p);
        }
        struct kc_asr_opts o = {.language = "en", .threads = 2};
        struct kc_transcript t;
        cr_assert_eq(kc_asr_transcribe(pcm, n, with_vad ? &segs : NULL, &o, &t, &err), 0, "%s",
                     err.message);
        char hyp_buf[4096] = "";
        for (size_t i = 0; i < t.n; i++) {
            cr_expect_geq(t.words[i].end, t.words[i].start);
            cr_expect_leq(t.words[i].end, n / 16000.0 + 0.02);
            cr_expect(t.words[i].conf >= 0 && t.words[i].conf <= 1);
            if (i) cr_expect_geq(t.words[i].start, t.words[i - 1].end - 1e-6, "words overlap");
            strncat(hyp_buf, t.words[i].w, sizeof hyp_buf - strlen(hyp_buf) - 2);
            strcat(hyp_buf, " ");
        }
        char *ref[MAXW], *hyp[MAXW];
        size_t nr = split_words(line, ref, MAXW);
        char hyp_copy[4096];
        snprintf(hyp_copy, sizeof hyp_copy, "%s", hyp_buf);
        size_t nh = split_words(hyp_copy, hyp, MAXW);
        size_t d = edit_distance(ref, nr, hyp, nh);
        cr_log_info("%s: %zu/%zu errors: %s", id, d, nr, hyp_buf);
        errors += d;
        ref_words += nr;
        audio_s += n / 16000.0;
        decode_s += t.decode_s;
        clips++;
        kc_transcript_free(&t);
        kc_vad_segments_free(&segs);
        free(pcm);
    }
    fclose(f);
    cr_assert_eq(clips, 5);
    double wer = (double)errors / (double)ref_words;
    cr_log_info("%s WER %.1f %% (%zu/%zu), real-time factor %.3f", with_vad ? "VAD" : "whole",
                100 * wer, errors, ref_words, decode_s / audio_s);
    cr_expect_leq(wer, 0.35, "WER %.1f %%", 100 * wer);
}

Test(asr_librivox, whole_clips_wer)
{
    run_corpus(false);
}
Test(asr_librivox, vad_segments_wer)
{
    run_corpus(true);
}
