/*
 * asr_whisper.c — Korean/English ASR with whisper.cpp, loaded at run time.
 *
 * The library (libwhisper.so, whisper.cpp 1.9.1 as built by scripts/bootstrap) is dlopen()ed
 * once per process and never unloaded; its logging is silenced. whisper.h is needed at build
 * time only for the layout of whisper_full_params (KC_HAVE_WHISPER_H, set by
 * media_speech.cmake when the bootstrap's source tree is present); without it this engine
 * reports itself unavailable with that reason.
 *
 * Decoding: one context per call (loading the model is the caller's cost; the service keeps
 * calls per recording), greedy sampling, token timestamps with max_len = 1 and split_on_word
 * so that every whisper segment is one word; segment times are centiseconds from the
 * utterance start. Confidence = mean probability of the word's text tokens (ids below EOT).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asr_engine.h"

#ifndef KC_DEFAULT_ASSETS
#define KC_DEFAULT_ASSETS "/root/.cache/kocruit/assets"
#endif

static int model_check(const char *model, struct kc_err *err)
{
    if (access(model, R_OK) != 0)
        return kc_err_set(err, KC_E_UNAVAILABLE,
                          "whisper model file not found at %s (KOCRUIT_WHISPER_MODEL)", model);
    return 0;
}

#ifndef KC_HAVE_WHISPER_H

int kc_asr_whisper_run(const struct kc_asr_job *job, const char *model, struct kc_err *err)
{
    (void)job;
    if (model_check(model, err) < 0) return -1;
    return kc_err_set(err, KC_E_UNAVAILABLE,
                      "this build has no whisper.cpp support (whisper.h was not found at build "
                      "time; run scripts/bootstrap and rebuild)");
}

#else

#include <whisper.h>

struct wapi {
    struct whisper_context_params (*context_default_params)(void);
    struct whisper_context *(*init)(const char *, struct whisper_context_params);
    struct whisper_full_params (*full_default_params)(enum whisper_sampling_strategy);
    int (*full)(struct whisper_context *, struct whisper_full_params, const float *, int);
    int (*n_segments)(struct whisper_context *);
    int64_t (*seg_t0)(struct whisper_context *, int);
    int64_t (*seg_t1)(struct whisper_context *, int);
    const char *(*seg_text)(struct whisper_context *, int);
    int (*n_tokens)(struct whisper_context *, int);
    whisper_token (*token_id)(struct whisper_context *, int, int);
    float (*token_p)(struct whisper_context *, int, int);
    whisper_token (*token_eot)(struct whisper_context *);
    void (*free_ctx)(struct whisper_context *);
    void (*log_set)(ggml_log_callback, void *);
};

static struct wapi g_w;
static int g_loaded;            /* 1 ok, -1 failed */
static char g_load_error[1024]; /* room for the 600-byte list of tried paths */
static pthread_mutex_t g_load_lock = PTHREAD_MUTEX_INITIALIZER;

static void silent_log(enum ggml_log_level level, const char *text, void *ud)
{
    (void)level;
    (void)text;
    (void)ud;
}

static void *open_lib(const char *explicit_path, char *tried, size_t n)
{
    const char *env = getenv("KOCRUIT_WHISPER_LIB");
    const char *assets = getenv("KOCRUIT_ASSETS");
    if (!assets || !*assets) assets = KC_DEFAULT_ASSETS;
    char c[4][600];
    int nc = 0;
    if (explicit_path)
        snprintf(c[nc++], sizeof c[0], "%s", explicit_path);
    else if (env && *env)
        snprintf(c[nc++], sizeof c[0], "%s", env);
    else {
        snprintf(c[nc++], sizeof c[0], "%s/whisper-build/bin/libwhisper.so", assets);
        snprintf(c[nc++], sizeof c[0], "%s/whisper-build/src/libwhisper.so", assets);
        snprintf(c[nc++], sizeof c[0], "%s/whisper-build/libwhisper.so", assets);
    }
    for (int i = 0; i < nc; i++) {
        void *h = dlopen(c[i], RTLD_NOW | RTLD_LOCAL);
        if (h) return h;
    }
    snprintf(tried, n, "%s", c[0]);
    return NULL;
}

#define SYM(field, name)                                                                           \
    do {                                                                                           \
        *(void **)(&g_w.field) = dlsym(h, name);                                                   \
        if (!g_w.field) {                                                                          \
            snprintf(g_load_error, sizeof g_load_error, "libwhisper.so lacks %s", name);           \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

static int bind_symbols(void *h)
{
    SYM(context_default_params, "whisper_context_default_params");
    SYM(init, "whisper_init_from_file_with_params");
    SYM(full_default_params, "whisper_full_default_params");
    SYM(full, "whisper_full");
    SYM(n_segments, "whisper_full_n_segments");
    SYM(seg_t0, "whisper_full_get_segment_t0");
    SYM(seg_t1, "whisper_full_get_segment_t1");
    SYM(seg_text, "whisper_full_get_segment_text");
    SYM(n_tokens, "whisper_full_n_tokens");
    SYM(token_id, "whisper_full_get_token_id");
    SYM(token_p, "whisper_full_get_token_p");
    SYM(token_eot, "whisper_token_eot");
    SYM(free_ctx, "whisper_free");
    SYM(log_set, "whisper_log_set");
    return 0;
}

static int load(const char *lib, struct kc_err *err)
{
    pthread_mutex_lock(&g_load_lock);
    if (g_loaded <= 0) { /* retry after a failure: the library may have been built since */
        char tried[600] = "";
        void *h = open_lib(lib, tried, sizeof tried);
        if (!h) {
            snprintf(g_load_error, sizeof g_load_error,
                     "whisper.cpp library not found (tried %s; set KOCRUIT_WHISPER_LIB)", tried);
            g_loaded = -1;
        } else if (bind_symbols(h) < 0) {
            dlclose(h);
            g_loaded = -1;
        } else {
            g_w.log_set(silent_log, NULL);
            g_loaded = 1;
        }
    }
    int ok = g_loaded;
    pthread_mutex_unlock(&g_load_lock);
    return ok > 0 ? 0 : kc_err_set(err, KC_E_UNAVAILABLE, "%s", g_load_error);
}

/* Store the words of the last whisper_full run, shifted by the utterance start t0. */
static int collect(struct whisper_context *ctx, const struct kc_asr_job *job, double t0)
{
    whisper_token eot = g_w.token_eot(ctx);
    int ns = g_w.n_segments(ctx);
    for (int s = 0; s < ns; s++) {
        const char *text = g_w.seg_text(ctx, s);
        while (text && *text == ' ') text++;
        if (!text || !*text || *text == '[' || *text == '(') continue; /* [BLANK_AUDIO] etc. */
        double psum = 0;
        int np = 0, nt = g_w.n_tokens(ctx, s);
        for (int k = 0; k < nt; k++) {
            if (g_w.token_id(ctx, s, k) >= eot) continue;
            psum += g_w.token_p(ctx, s, k);
            np++;
        }
        double a = t0 + g_w.seg_t0(ctx, s) / 100.0, b = t0 + g_w.seg_t1(ctx, s) / 100.0;
        if (kc_asr_add_word(job->out, text, a, b, np ? psum / np : 0) < 0) return -1;
    }
    return 0;
}

int kc_asr_whisper_run(const struct kc_asr_job *job, const char *model, struct kc_err *err)
{
    if (model_check(model, err) < 0 || load(job->opts->whisper_lib, err) < 0) return -1;
    struct whisper_context *ctx = g_w.init(model, g_w.context_default_params());
    if (!ctx)
        return kc_err_set(err, KC_E_UNPROCESSABLE,
                          "whisper could not load %s as a model (not a ggml whisper model?)",
                          model);
    const char *base = strrchr(model, '/');
    snprintf(job->out->engine, sizeof job->out->engine, "whisper.cpp (%s)",
             base ? base + 1 : model);
    struct whisper_full_params p = g_w.full_default_params(WHISPER_SAMPLING_GREEDY);
    p.n_threads = job->opts->threads > 0 ? job->opts->threads : 2;
    p.language = job->language;
    p.translate = false;
    p.print_progress = p.print_realtime = p.print_special = p.print_timestamps = false;
    p.token_timestamps = true;
    p.max_len = 1;
    p.split_on_word = true;
    p.no_context = true;
    int rc = 0;
    for (size_t u = 0; rc == 0 && u < job->utts->n; u++) {
        size_t i0 = (size_t)(job->utts->seg[u].start * 16000);
        size_t i1 = (size_t)(job->utts->seg[u].end * 16000);
        if (i1 > job->n) i1 = job->n;
        if (i1 <= i0) continue;
        if (g_w.full(ctx, p, job->pcm + i0, (int)(i1 - i0)) != 0)
            rc = kc_err_set(err, KC_E_UNPROCESSABLE, "whisper failed on %.1f-%.1f s",
                            job->utts->seg[u].start, job->utts->seg[u].end);
        else if (collect(ctx, job, i0 / 16000.0) < 0)
            rc = kc_err_set(err, KC_E_NOMEM, "out of memory during ASR");
        kc_asr_progress(job, u + 1);
    }
    g_w.free_ctx(ctx);
    return rc;
}

#endif
