/*
 * audio_features.c — loudness, pitch (YIN), pauses, speaking time and syllable nuclei.
 *
 * Data flow: one `struct scope` decides which instants count as speech (VAD segments by binary
 * search, or — without VAD — an energy gate over the 100 ms loudness frames). Each feature is a
 * separate pass over the samples that consults the scope; pitch keeps a per-window voiced flag
 * that the syllable pass reuses (de Jong & Wempe require nuclei to be voiced).
 *
 * Statistics: means are over frames; spreads are sample standard deviations; uncertainties are
 * standard errors (a lower bound: neighbouring frames are correlated) — see audio_features.h.
 */
#include "audio_features.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LAG 1024 /* YIN lags; rate/fmin must stay below this */

static const char DEF_RATIO[] =
    "Total duration of Silero VAD speech segments divided by the audio duration.";
static const char DEF_PAUSES[] = "Number of silences of at least 0.25 s between consecutive VAD "
                                 "speech segments (leading and trailing silence excluded).";
static const char DEF_PAUSE_MEAN[] =
    "Mean length of the silences of at least 0.25 s between consecutive VAD speech segments.";
static const char DEF_LOUD_VAD[] =
    "Mean of 20*log10(RMS) over 100 ms frames inside VAD speech segments (dBFS; a full-scale "
    "sine is -3.01 dBFS).";
static const char DEF_LOUD_GATE[] =
    "Mean of 20*log10(RMS) over active 100 ms frames (VAD unavailable: frames louder than -50 "
    "dBFS and within 30 dB of the 95th-percentile frame; dBFS, full-scale sine = -3.01).";
static const char DEF_LSPREAD_VAD[] =
    "Standard deviation of the 100 ms frame levels (dBFS) inside VAD speech segments.";
static const char DEF_LSPREAD_GATE[] = "Standard deviation of the 100 ms frame levels (dBFS) over "
                                       "energy-gated active frames (VAD unavailable).";
static const char DEF_PITCH_VAD[] =
    "Mean fundamental frequency by YIN (40 ms windows every 20 ms, 60-500 Hz) over voiced "
    "windows inside VAD speech segments.";
static const char DEF_PITCH_GATE[] =
    "Mean fundamental frequency by YIN (40 ms windows every 20 ms, 60-500 Hz) over voiced "
    "windows in energy-gated active audio (VAD unavailable).";
static const char DEF_PSPREAD_VAD[] =
    "Standard deviation of YIN F0 (Hz) over voiced windows inside VAD speech segments.";
static const char DEF_PSPREAD_GATE[] = "Standard deviation of YIN F0 (Hz) over voiced windows in "
                                       "energy-gated active audio (VAD unavailable).";
static const char DEF_SYL_VAD[] =
    "Estimate: syllable nuclei (de Jong & Wempe 2009: voiced intensity peaks within 25 dB of the "
    "99th-percentile level with a 2 dB dip) per minute of VAD speaking time.";
static const char DEF_SYL_GATE[] =
    "Estimate: syllable nuclei (de Jong & Wempe 2009: voiced intensity peaks within 25 dB of the "
    "99th-percentile level with a 2 dB dip) per minute of audio (VAD unavailable).";

/* ---- building blocks ---------------------------------------------------------------------- */

double kc_af_dbfs(const float *x, size_t n)
{
    double ss = 0;
    for (size_t i = 0; i < n; i++) ss += (double)x[i] * x[i];
    if (n == 0 || ss <= 0) return -INFINITY;
    return 10.0 * log10(ss / (double)n);
}

/* YIN difference function d[0..tmax] over an integration window of w samples. */
static void yin_difference(const float *x, int w, int tmax, double *d)
{
    d[0] = 0;
    for (int tau = 1; tau <= tmax; tau++) {
        float acc = 0; /* float: vectorises; w <= ~1000 terms of bounded size */
        const float *a = x, *b = x + tau;
        for (int j = 0; j < w; j++) {
            float df = a[j] - b[j];
            acc += df * df;
        }
        d[tau] = acc;
    }
}

double kc_af_yin(const float *x, size_t n, int rate, double fmin, double fmax, double *aperiodicity)
{
    double d[MAX_LAG + 1], cm[MAX_LAG + 1];
    int tmax = (int)ceil(rate / fmin), tmin = (int)floor(rate / fmax);
    if (aperiodicity) *aperiodicity = 1.0;
    if (tmin < 2) tmin = 2;
    if (tmax >= MAX_LAG || tmax <= tmin || n < (size_t)tmax + 32) return 0;
    int w = (int)n - tmax;
    yin_difference(x, w, tmax, d);
    double run = 0;
    cm[0] = 1;
    for (int tau = 1; tau <= tmax; tau++) {
        run += d[tau];
        cm[tau] = run > 0 ? d[tau] * tau / run : 1;
    }
    int best = -1;
    for (int tau = tmin; tau <= tmax; tau++) {
        if (cm[tau] < KC_AF_YIN_THRESHOLD) {
            while (tau + 1 <= tmax && cm[tau + 1] < cm[tau]) tau++;
            best = tau;
            break;
        }
    }
    if (best < 0) { /* no dip under the threshold: the global minimum, judged by the caller */
        best = tmin;
        for (int tau = tmin + 1; tau <= tmax; tau++)
            if (cm[tau] < cm[best]) best = tau;
    }
    if (aperiodicity) *aperiodicity = cm[best];
    double shift = 0;
    if (best > 1 && best < tmax) {
        double a = d[best - 1], b = d[best], c = d[best + 1], den = a - 2 * b + c;
        if (den > 0) shift = 0.5 * (a - c) / den;
        if (shift > 1 || shift < -1) shift = 0;
    }
    return rate / (best + shift);
}

int kc_af_timeline(const float *pcm, size_t n, double step_s, double **out, size_t *n_out)
{
    size_t step = (size_t)llround(step_s * KC_AF_RATE);
    size_t k = step ? (n + step - 1) / step : 0;
    *out = malloc((k ? k : 1) * sizeof **out);
    *n_out = 0;
    if (!*out) return -1;
    for (size_t i = 0; i < k; i++) {
        size_t len = (i + 1) * step <= n ? step : n - i * step;
        double db = kc_af_dbfs(pcm + i * step, len);
        (*out)[i] = isfinite(db) ? db : NAN;
    }
    *n_out = k;
    return 0;
}

/* ---- speech scope ------------------------------------------------------------------------- */

struct scope {
    const struct kc_vad_segments *vad; /* or NULL: energy gate */
    const double *frame_db;            /* 100 ms frame levels (gate) */
    size_t n_frames;
    double gate_db;
};

static bool in_speech(const struct scope *s, double t)
{
    if (s->vad) {
        size_t lo = 0, hi = s->vad->n; /* first segment with end > t */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->vad->seg[mid].end <= t)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < s->vad->n && s->vad->seg[lo].start <= t;
    }
    size_t k = (size_t)(t / KC_AF_LOUD_FRAME_S);
    return k < s->n_frames && s->frame_db[k] > s->gate_db;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* q-quantile of the finite values of v[0..n) (NaN if none). */
static double quantile(const double *v, size_t n, double q)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    size_t m = 0;
    if (!c) return NAN;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) c[m++] = v[i];
    double r = NAN;
    if (m) {
        qsort(c, m, sizeof *c, cmp_double);
        r = c[(size_t)(q * (double)(m - 1) + 0.5)];
    }
    free(c);
    return r;
}

/* ---- statistics helper -------------------------------------------------------------------- */

struct acc {
    double sum, sum2;
    long n;
};

static void acc_add(struct acc *a, double v)
{
    a->sum += v;
    a->sum2 += v * v;
    a->n++;
}

static double acc_mean(const struct acc *a)
{
    return a->sum / (double)a->n;
}

static double acc_sd(const struct acc *a)
{
    if (a->n < 2) return 0;
    double m = acc_mean(a), var = (a->sum2 - a->n * m * m) / (double)(a->n - 1);
    return var > 0 ? sqrt(var) : 0;
}

/* Fill mean/spread metrics from an accumulator, or mark them insufficient. */
static void set_mean_spread(struct kc_metric *mean, struct kc_metric *spread, const struct acc *a,
                            long min_n, const char *what)
{
    if (a->n < min_n) {
        kc_metric_insufficient(mean, "%ld %s; at least %ld needed", a->n, what, min_n);
        kc_metric_insufficient(spread, "%ld %s; at least %ld needed", a->n, what, min_n);
        mean->samples = spread->samples = a->n;
        return;
    }
    double sd = acc_sd(a);
    kc_metric_set(mean, acc_mean(a), a->n, sd / sqrt((double)a->n));
    /* standard error of a standard deviation, normal approximation */
    kc_metric_set(spread, sd, a->n, sd / sqrt(2.0 * (double)(a->n - 1)));
}

/* ---- features ----------------------------------------------------------------------------- */

static void loudness(const struct scope *s, struct kc_audio_features *f)
{
    struct acc a = {0};
    for (size_t k = 0; k < s->n_frames; k++) {
        double t = ((double)k + 0.5) * KC_AF_LOUD_FRAME_S;
        if (isfinite(s->frame_db[k]) && in_speech(s, t)) acc_add(&a, s->frame_db[k]);
    }
    set_mean_spread(&f->loudness_mean_dbfs, &f->loudness_spread_db, &a, KC_AF_MIN_LOUD_FRAMES,
                    "speech frames");
}

/* Pitch over speech windows; voiced[i] (window i starts at i*hop) is filled for syllables. */
static void pitch(const float *pcm, size_t n, const struct scope *s, unsigned char *voiced,
                  size_t n_win, struct kc_audio_features *f)
{
    size_t hop = (size_t)(KC_AF_PITCH_HOP_S * KC_AF_RATE),
           win = (size_t)(KC_AF_PITCH_WIN_S * KC_AF_RATE);
    struct acc a = {0};
    for (size_t i = 0; i < n_win; i++) {
        size_t off = i * hop;
        voiced[i] = 0;
        if (off + win > n || !in_speech(s, (off + win / 2) / (double)KC_AF_RATE)) continue;
        if (kc_af_dbfs(pcm + off, win) < KC_AF_VOICED_MIN_DBFS) continue;
        double ap,
            f0 = kc_af_yin(pcm + off, win, KC_AF_RATE, KC_AF_F0_MIN_HZ, KC_AF_F0_MAX_HZ, &ap);
        if (f0 <= 0 || ap >= KC_AF_VOICED_MAX_AP) continue;
        voiced[i] = 1;
        acc_add(&a, f0);
    }
    set_mean_spread(&f->pitch_mean_hz, &f->pitch_spread_hz, &a, KC_AF_MIN_PITCH_WINS,
                    "voiced windows");
}

static bool voiced_at(const unsigned char *voiced, size_t n_win, double t)
{
    double c = (t - KC_AF_PITCH_WIN_S / 2) / KC_AF_PITCH_HOP_S;
    long i = lround(c);
    for (long k = i - 1; k <= i + 1; k++) /* the nearest window or a neighbour (±20 ms) */
        if (k >= 0 && (size_t)k < n_win && voiced[k]) return true;
    return false;
}

/* Syllable nuclei count (de Jong & Wempe 2009, adapted; see audio_features.h). */
static long syllable_nuclei(const float *pcm, size_t n, const struct scope *s,
                            const unsigned char *voiced, size_t n_win)
{
    size_t hop = (size_t)(KC_AF_SYL_HOP_S * KC_AF_RATE),
           win = (size_t)(KC_AF_SYL_WIN_S * KC_AF_RATE);
    size_t m = n >= win ? (n - win) / hop + 1 : 0;
    double *in = malloc((m ? m : 1) * sizeof *in);
    if (!in) return -1;
    for (size_t i = 0; i < m; i++) {
        double db = kc_af_dbfs(pcm + i * hop, win);
        double t = (i * hop + win / 2) / (double)KC_AF_RATE;
        in[i] = isfinite(db) && in_speech(s, t) ? db : NAN;
    }
    double thr = quantile(in, m, 0.99) - KC_AF_SYL_SILENCE_DB;
    long count = 0;
    for (size_t i = 1; i + 1 < m; i++) {
        if (!(in[i] > thr && in[i] > in[i - 1] && in[i] >= in[i + 1])) continue;
        double dip = in[i]; /* lowest point before the next peak (or the end of speech) */
        size_t j = i + 1;
        for (; j < m && isfinite(in[j]); j++) {
            if (in[j] < dip) dip = in[j];
            if (j + 1 < m && in[j] > in[j - 1] && isfinite(in[j + 1]) && in[j] >= in[j + 1]) break;
        }
        if (j >= m || !isfinite(in[j])) dip = -INFINITY; /* speech ends: a full dip */
        double t = (i * hop + win / 2) / (double)KC_AF_RATE;
        if (in[i] - dip >= KC_AF_SYL_MIN_DIP_DB && voiced_at(voiced, n_win, t)) count++;
    }
    free(in);
    return count;
}

static void vad_metrics(const struct kc_vad_segments *v, double dur, struct kc_audio_features *f)
{
    double speech = kc_vad_speech_time(v);
    f->speaking_time_s = speech;
    long chunks = (long)(dur / (KC_VAD_CHUNK / (double)KC_VAD_RATE) + 0.5);
    kc_metric_set(&f->speaking_time_ratio, speech / dur, chunks,
                  fmin(1.0, 2.0 * (double)v->n * (KC_VAD_CHUNK / (double)KC_VAD_RATE) / dur));
    struct acc a = {0};
    for (size_t i = 0; i + 1 < v->n; i++) {
        double gap = v->seg[i + 1].start - v->seg[i].end;
        if (gap >= KC_AF_PAUSE_MIN_S) acc_add(&a, gap);
    }
    if (v->n == 0) {
        kc_metric_insufficient(&f->pause_count, "no speech detected");
        kc_metric_insufficient(&f->pause_mean_s, "no speech detected");
        return;
    }
    kc_metric_set(&f->pause_count, (double)a.n, (long)v->n, sqrt((double)a.n));
    if (a.n == 0) {
        kc_metric_insufficient(&f->pause_mean_s, "no pauses of at least %.2f s", KC_AF_PAUSE_MIN_S);
        return;
    }
    kc_metric_set(&f->pause_mean_s, acc_mean(&a), a.n, acc_sd(&a) / sqrt((double)a.n));
}

static void init_metrics(struct kc_audio_features *f, bool vad)
{
    f->speaking_time_ratio = kc_metric_init("speaking_time_ratio", "ratio", DEF_RATIO);
    f->pause_count = kc_metric_init("pause_count", "count", DEF_PAUSES);
    f->pause_mean_s = kc_metric_init("pause_mean_s", "s", DEF_PAUSE_MEAN);
    f->loudness_mean_dbfs =
        kc_metric_init("loudness_mean_dbfs", "dBFS", vad ? DEF_LOUD_VAD : DEF_LOUD_GATE);
    f->loudness_spread_db =
        kc_metric_init("loudness_spread_db", "dB", vad ? DEF_LSPREAD_VAD : DEF_LSPREAD_GATE);
    f->pitch_mean_hz = kc_metric_init("pitch_mean_hz", "Hz", vad ? DEF_PITCH_VAD : DEF_PITCH_GATE);
    f->pitch_spread_hz =
        kc_metric_init("pitch_spread_hz", "Hz", vad ? DEF_PSPREAD_VAD : DEF_PSPREAD_GATE);
    f->syllable_rate = kc_metric_init("speech_rate_syllables_per_min", "syllables/min",
                                      vad ? DEF_SYL_VAD : DEF_SYL_GATE);
    f->syllable_rate.estimate = true;
    struct kc_metric *all[] = {&f->speaking_time_ratio, &f->pause_count,        &f->pause_mean_s,
                               &f->loudness_mean_dbfs,  &f->loudness_spread_db, &f->pitch_mean_hz,
                               &f->pitch_spread_hz,     &f->syllable_rate};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) all[i]->not_scored = true;
}

static void set_all_failed(struct kc_audio_features *f, const char *why, bool insufficient)
{
    struct kc_metric *all[] = {&f->speaking_time_ratio, &f->pause_count,        &f->pause_mean_s,
                               &f->loudness_mean_dbfs,  &f->loudness_spread_db, &f->pitch_mean_hz,
                               &f->pitch_spread_hz,     &f->syllable_rate};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        if (insufficient)
            kc_metric_insufficient(all[i], "%s", why);
        else
            kc_metric_unavailable(all[i], "%s", why);
    }
}

static void syllables(const float *pcm, size_t n, const struct scope *s,
                      const unsigned char *voiced, size_t n_win, struct kc_audio_features *f)
{
    long syl = syllable_nuclei(pcm, n, s, voiced, n_win);
    if (syl < 0) {
        kc_metric_unavailable(&f->syllable_rate, "out of memory");
        return;
    }
    f->syllables = syl;
    double minutes = (s->vad ? f->speaking_time_s : f->duration_s) / 60.0;
    if (minutes <= 0 || syl == 0) {
        kc_metric_insufficient(&f->syllable_rate, "no voiced syllable nuclei in speech");
        f->syllable_rate.samples = syl;
        return;
    }
    kc_metric_set(&f->syllable_rate, (double)syl / minutes, syl, sqrt((double)syl) / minutes);
}

void kc_audio_features_compute(const float *pcm, size_t n, const struct kc_vad_segments *speech,
                               const char *vad_reason, struct kc_audio_features *out)
{
    memset(out, 0, sizeof *out);
    init_metrics(out, speech != NULL);
    out->duration_s = (double)n / KC_AF_RATE;
    out->speaking_time_s = NAN;
    if (n < KC_AF_RATE) {
        set_all_failed(out, "less than one second of audio", true);
        return;
    }
    struct scope s = {.vad = speech};
    double *frame_db = NULL;
    size_t n_frames = 0, hop = (size_t)(KC_AF_PITCH_HOP_S * KC_AF_RATE);
    size_t n_win = n / hop + 1;
    unsigned char *voiced = malloc(n_win);
    if (!voiced || kc_af_timeline(pcm, n, KC_AF_LOUD_FRAME_S, &frame_db, &n_frames) < 0) {
        set_all_failed(out, "out of memory", false);
        free(voiced);
        free(frame_db);
        return;
    }
    s.frame_db = frame_db;
    s.n_frames = n_frames;
    if (speech) {
        vad_metrics(speech, out->duration_s, out);
    } else {
        double p95 = quantile(frame_db, n_frames, 0.95);
        s.gate_db = fmax(KC_AF_GATE_MIN_DBFS, p95 - KC_AF_GATE_RANGE_DB);
        const char *why = vad_reason && *vad_reason ? vad_reason : "VAD unavailable";
        kc_metric_unavailable(&out->speaking_time_ratio, "VAD unavailable: %s", why);
        kc_metric_unavailable(&out->pause_count, "VAD unavailable: %s", why);
        kc_metric_unavailable(&out->pause_mean_s, "VAD unavailable: %s", why);
    }
    loudness(&s, out);
    pitch(pcm, n, &s, voiced, n_win, out);
    syllables(pcm, n, &s, voiced, n_win, out);
    free(voiced);
    free(frame_db);
}
