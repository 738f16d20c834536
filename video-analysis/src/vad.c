/*
 * vad.c — Silero VAD v5 probabilities (lib/ml/models/silero_vad.h, a stateful 512-sample
 * stream over ONNX Runtime) and the hysteresis segmenter.
 *
 * The segmenter is a single pass with one pending-silence marker (temp_end): speech runs are
 * closed only once the silence after them has lasted min_silence_s, so short dips between
 * words never split a segment. Padding then widens segments, splitting a gap that is narrower
 * than two pads in the middle.
 */
#include "vad.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/models/silero_vad.h"

#define PROGRESS_EV 256 /* chunks between progress callbacks */

_Static_assert(KC_VAD_CHUNK == KC_SILERO_VAD_CHUNK && KC_VAD_RATE == KC_SILERO_VAD_RATE,
               "vad.h and lib/ml's Silero wrapper must agree on chunk and rate");

struct kc_vad_params kc_vad_default_params(void)
{
    return (struct kc_vad_params){KC_VAD_ON_THRESHOLD, KC_VAD_OFF_THRESHOLD, KC_VAD_MIN_SPEECH_S,
                                  KC_VAD_MIN_SILENCE_S, KC_VAD_PAD_S};
}

/* ---- model -------------------------------------------------------------------------------- */

int kc_vad_probs(const char *path, const float *pcm, size_t n, float **probs, size_t *n_probs,
                 void (*progress)(void *ctx, double fraction), void *ctx, struct kc_err *err)
{
    *probs = NULL;
    *n_probs = 0;
    struct kc_silero_vad *v = kc_silero_vad_open(path, err);
    if (!v) return -1;
    size_t nc = (n + KC_VAD_CHUNK - 1) / KC_VAD_CHUNK;
    float *p = malloc((nc ? nc : 1) * sizeof *p);
    int rc = p ? 0 : kc_err_set(err, KC_E_NOMEM, "out of memory");
    float tail[KC_VAD_CHUNK];
    for (size_t k = 0; rc == 0 && k < nc; k++) {
        const float *chunk = pcm + k * KC_VAD_CHUNK;
        if ((k + 1) * KC_VAD_CHUNK > n) { /* zero-pad the final partial chunk */
            memset(tail, 0, sizeof tail);
            memcpy(tail, chunk, (n - k * KC_VAD_CHUNK) * sizeof *tail);
            chunk = tail;
        }
        rc = kc_silero_vad_process(v, chunk, &p[k], err);
        if (rc == 0 && !isfinite(p[k])) p[k] = 0;
        if (progress && k % PROGRESS_EV == 0) progress(ctx, (double)k / (double)nc);
    }
    kc_silero_vad_free(v);
    if (rc < 0) {
        kc_err_prefix(err, "Silero VAD");
        free(p);
        return -1;
    }
    if (progress) progress(ctx, 1.0);
    *probs = p;
    *n_probs = nc;
    return 0;
}

/* ---- segmenter ---------------------------------------------------------------------------- */

static int push(struct kc_vad_segments *out, size_t *cap, double start, double end)
{
    if (out->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        struct kc_vad_segment *ns = realloc(out->seg, nc * sizeof *ns);
        if (!ns) return -1;
        out->seg = ns;
        *cap = nc;
    }
    out->seg[out->n++] = (struct kc_vad_segment){start, end};
    return 0;
}

/* Widen each segment by pad on both sides; a gap narrower than 2*pad is split in the middle. */
static void pad_segments(struct kc_vad_segments *s, double pad, double total_s)
{
    if (s->n == 0) return;
    s->seg[0].start = s->seg[0].start > pad ? s->seg[0].start - pad : 0;
    for (size_t i = 0; i + 1 < s->n; i++) {
        double gap = s->seg[i + 1].start - s->seg[i].end;
        double w = gap < 2 * pad ? gap / 2 : pad;
        s->seg[i].end += w;
        s->seg[i + 1].start -= w;
    }
    struct kc_vad_segment *last = &s->seg[s->n - 1];
    last->end = last->end + pad < total_s ? last->end + pad : total_s;
}

int kc_vad_segment(const float *probs, size_t n, double chunk_s, double total_s,
                   const struct kc_vad_params *params, struct kc_vad_segments *out,
                   struct kc_err *err)
{
    struct kc_vad_params p = params ? *params : kc_vad_default_params();
    out->seg = NULL;
    out->n = 0;
    if (!(chunk_s > 0) || !(p.off_threshold <= p.on_threshold) || p.min_speech_s < 0 ||
        p.min_silence_s < 0 || p.pad_s < 0)
        return kc_err_set(err, KC_E_INVALID, "invalid VAD segmenter parameters");
    size_t cap = 0;
    bool speaking = false;
    double start = 0, temp_end = -1;
    for (size_t i = 0; i < n; i++) {
        double t = (double)i * chunk_s;
        float pr = probs[i];
        if (pr >= p.on_threshold) {
            temp_end = -1;
            if (!speaking) {
                speaking = true;
                start = t;
            }
        } else if (speaking && pr < p.off_threshold) {
            if (temp_end < 0) temp_end = t;
            if (t + chunk_s - temp_end >= p.min_silence_s) {
                if (temp_end - start >= p.min_speech_s && push(out, &cap, start, temp_end) < 0)
                    goto nomem;
                speaking = false;
                temp_end = -1;
            }
        }
    }
    if (speaking) {
        double end = temp_end >= 0 ? temp_end : (double)n * chunk_s;
        if (end > total_s) end = total_s;
        if (end - start >= p.min_speech_s && push(out, &cap, start, end) < 0) goto nomem;
    }
    pad_segments(out, p.pad_s, total_s);
    return 0;
nomem:
    kc_vad_segments_free(out);
    return kc_err_set(err, KC_E_NOMEM, "out of memory");
}

double kc_vad_speech_time(const struct kc_vad_segments *s)
{
    double t = 0;
    for (size_t i = 0; i < s->n; i++) t += s->seg[i].end - s->seg[i].start;
    return t;
}

void kc_vad_segments_free(struct kc_vad_segments *s)
{
    if (!s) return;
    free(s->seg);
    s->seg = NULL;
    s->n = 0;
}
