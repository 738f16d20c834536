/*
 * asr_sphinx.c — English ASR with pocketsphinx 5prealpha (Debian), utterances decoded in
 * parallel by a small pool of threads, one decoder per thread.
 *
 * Decoders are created sequentially on the calling thread (sphinxbase's logging set-up is
 * process-global, and creation is the slow part: ~0.3 s to load the model), then the workers
 * take utterance indices from a shared counter under a mutex. Each worker converts its
 * utterance to 16-bit PCM, decodes it as one full utterance and appends the words (file time)
 * to the transcript under the same mutex.
 *
 * Word list hygiene: sentence markers (<s>, </s>), silences (<sil>) and noise/filler tokens
 * ([NOISE], ++UH++) are dropped; alternative-pronunciation suffixes ("read(2)") removed.
 * Confidence = lattice posterior of the word (needs -bestpath yes, the default).
 */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pocketsphinx.h>

#include "asr_engine.h"

#define FRAME_RATE  100.0 /* pocketsphinx feature frames per second (-frate default) */
#define MAX_THREADS 8

struct pool {
    const struct kc_asr_job *job;
    ps_decoder_t *dec[MAX_THREADS];
    cmd_ln_t *cfg[MAX_THREADS];
    pthread_mutex_t lock;
    size_t next, done;
    int failed; /* set when a word could not be stored (no memory) */
};

static int open_decoder(const char *dir, ps_decoder_t **dec, cmd_ln_t **cfg, struct kc_err *err)
{
    char hmm[600], lm[600], dict[600], mdef[640];
    snprintf(hmm, sizeof hmm, "%s/en-us", dir);
    snprintf(lm, sizeof lm, "%s/en-us.lm.bin", dir);
    snprintf(dict, sizeof dict, "%s/cmudict-en-us.dict", dir);
    snprintf(mdef, sizeof mdef, "%s/mdef", hmm);
    if (access(mdef, R_OK) || access(lm, R_OK) || access(dict, R_OK))
        return kc_err_set(err, KC_E_UNAVAILABLE,
                          "pocketsphinx English model not found in %s (install pocketsphinx-en-us)",
                          dir);
    *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-lm", lm, "-dict", dict, "-logfn",
                       "/dev/null", "-bestpath", "yes", NULL);
    *dec = *cfg ? ps_init(*cfg) : NULL;
    if (!*dec) {
        if (*cfg) cmd_ln_free_r(*cfg);
        *cfg = NULL;
        return kc_err_set(err, KC_E_UNAVAILABLE, "pocketsphinx failed to load its model from %s",
                          dir);
    }
    return 0;
}

/* Copy a recognised token into buf without its "(n)" suffix; 0 when it is not a word. */
static int clean_word(const char *w, char *buf, size_t n)
{
    if (!w || !*w || w[0] == '<' || w[0] == '[' || w[0] == '+') return 0;
    snprintf(buf, n, "%s", w);
    char *paren = strchr(buf, '(');
    if (paren && paren != buf) *paren = '\0';
    return buf[0] != '\0';
}

static void decode_one(struct pool *p, ps_decoder_t *ps, size_t u, int16_t *buf)
{
    const struct kc_asr_job *job = p->job;
    double a = job->utts->seg[u].start, b = job->utts->seg[u].end;
    size_t i0 = (size_t)(a * 16000), i1 = (size_t)(b * 16000);
    if (i1 > job->n) i1 = job->n;
    if (i0 >= i1) return;
    for (size_t i = i0; i < i1; i++) {
        float x = job->pcm[i] * 32767.0f;
        buf[i - i0] = (int16_t)(x > 32767.0f ? 32767 : x < -32768.0f ? -32768 : lrintf(x));
    }
    ps_start_utt(ps);
    ps_process_raw(ps, buf, i1 - i0, FALSE, TRUE);
    ps_end_utt(ps);
    logmath_t *lm = ps_get_logmath(ps);
    for (ps_seg_t *seg = ps_seg_iter(ps); seg; seg = ps_seg_next(seg)) {
        char word[128];
        if (!clean_word(ps_seg_word(seg), word, sizeof word)) continue;
        int sf, ef;
        int32 ascr, lscr, lback;
        ps_seg_frames(seg, &sf, &ef);
        double conf = logmath_exp(lm, ps_seg_prob(seg, &ascr, &lscr, &lback));
        if (!(conf >= 0)) conf = 0;
        if (conf > 1) conf = 1;
        pthread_mutex_lock(&p->lock);
        if (kc_asr_add_word(job->out, word, a + sf / FRAME_RATE, a + (ef + 1) / FRAME_RATE, conf) <
            0)
            p->failed = 1;
        pthread_mutex_unlock(&p->lock);
    }
}

struct worker {
    struct pool *p;
    ps_decoder_t *ps;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct pool *p = w->p;
    size_t max_len = 0;
    for (size_t i = 0; i < p->job->utts->n; i++) {
        size_t len = (size_t)((p->job->utts->seg[i].end - p->job->utts->seg[i].start) * 16000) + 2;
        if (len > max_len) max_len = len;
    }
    int16_t *buf = malloc(max_len * sizeof *buf);
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t u = p->next++;
        if (!buf) p->failed = 1;
        pthread_mutex_unlock(&p->lock);
        if (u >= p->job->utts->n || !buf) break;
        decode_one(p, w->ps, u, buf);
        pthread_mutex_lock(&p->lock);
        kc_asr_progress(p->job, ++p->done);
        pthread_mutex_unlock(&p->lock);
    }
    free(buf);
    return NULL;
}

int kc_asr_sphinx_run(const struct kc_asr_job *job, struct kc_err *err)
{
    const char *dir = job->opts->ps_model_dir ? job->opts->ps_model_dir : KC_ASR_PS_MODEL_DIR;
    int nt = job->opts->threads > 0 ? job->opts->threads : 2;
    if (nt > MAX_THREADS) nt = MAX_THREADS;
    if ((size_t)nt > job->utts->n) nt = job->utts->n ? (int)job->utts->n : 1;
    struct pool p = {.job = job};
    snprintf(job->out->engine, sizeof job->out->engine, "pocketsphinx 5prealpha (en-us)");
    int rc = 0, made = 0;
    for (; made < nt && rc == 0; made++) rc = open_decoder(dir, &p.dec[made], &p.cfg[made], err);
    if (rc < 0) made--;
    pthread_mutex_init(&p.lock, NULL);
    pthread_t th[MAX_THREADS];
    struct worker wk[MAX_THREADS];
    bool running[MAX_THREADS] = {false};
    for (int i = 0; rc == 0 && i < made; i++) {
        wk[i] = (struct worker){&p, p.dec[i]};
        /* a thread that cannot start just leaves its share to the others */
        if (i > 0) running[i] = pthread_create(&th[i], NULL, work, &wk[i]) == 0;
    }
    if (rc == 0) work(&wk[0]); /* the calling thread is worker 0 */
    for (int i = 1; i < made; i++)
        if (running[i]) pthread_join(th[i], NULL);
    pthread_mutex_destroy(&p.lock);
    for (int i = 0; i < made; i++) {
        ps_free(p.dec[i]);
        cmd_ln_free_r(p.cfg[i]);
    }
    if (rc == 0 && p.failed) rc = kc_err_set(err, KC_E_NOMEM, "out of memory during ASR");
    return rc;
}
