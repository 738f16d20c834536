/*
 * audio_features.h — acoustic speech measurements over 16 kHz mono audio.
 *
 * Every measurement is taken over *speech*: the VAD segments when VAD ran, otherwise (VAD
 * unavailable) over "active" frames chosen by an energy gate — and the metric's definition then
 * says so. Metrics that are VAD by nature (speaking_time_ratio, pauses) are unavailable without
 * VAD; nothing energy-based is ever labelled VAD.
 *
 * Definitions (constants below):
 *   loudness      20·log10(RMS) of each 100 ms frame (dBFS, RMS relative to full scale: a
 *                 full-scale sine is -3.01 dBFS); mean and standard deviation over speech
 *                 frames (a frame is speech when its centre lies in a segment).
 *   pitch (F0)    YIN (de Cheveigné & Kawahara 2002) on 40 ms windows every 20 ms, 60–500 Hz,
 *                 threshold 0.15, parabolic refinement; a window is voiced when its cumulative
 *                 mean normalised difference minimum is < 0.25 and it is louder than -50 dBFS.
 *                 Mean and standard deviation (Hz) over voiced speech windows.
 *   pauses        silences between consecutive speech segments lasting >= 0.25 s (the classic
 *                 Goldman-Eisler threshold); count and mean length (s). Leading/trailing silence
 *                 is not a pause.
 *   speaking_time_ratio  total speech-segment time / audio duration.
 *   syllable rate de Jong & Wempe (2009) syllable nuclei: local maxima of a 50 ms intensity
 *                 contour (10 ms step) in speech that lie within 25 dB of the 99th-percentile
 *                 level, stand >= 2 dB above the lowest point before the next maximum, and are
 *                 voiced (YIN); per minute of speaking time (VAD) or of audio duration (no
 *                 VAD). An estimate, labelled so.
 * Uncertainties: standard error of the mean (frames are correlated, so this is a lower bound)
 * for means, sd/sqrt(2(n-1)) for spreads, sqrt(count) (Poisson) for pause and syllable counts
 * and rates, and for speaking_time_ratio a bound of one VAD chunk (32 ms) per segment boundary.
 *
 * Thread-safety: all functions are pure (no shared state); results are caller-owned.
 */
#ifndef KC_AUDIO_FEATURES_H
#define KC_AUDIO_FEATURES_H

#include <stddef.h>

#include "metric.h"
#include "vad.h"

#define KC_AF_RATE            16000
#define KC_AF_LOUD_FRAME_S    0.100 /* loudness frame */
#define KC_AF_PITCH_WIN_S     0.040 /* YIN analysis window (incl. lag range) */
#define KC_AF_PITCH_HOP_S     0.020
#define KC_AF_F0_MIN_HZ       60.0
#define KC_AF_F0_MAX_HZ       500.0
#define KC_AF_YIN_THRESHOLD   0.15
#define KC_AF_VOICED_MAX_AP   0.25 /* max aperiodicity (CMND minimum) of a voiced window */
#define KC_AF_VOICED_MIN_DBFS (-50.0)
#define KC_AF_PAUSE_MIN_S     0.25
#define KC_AF_GATE_MIN_DBFS   (-50.0) /* energy gate (no VAD): absolute floor ... */
#define KC_AF_GATE_RANGE_DB   30.0    /* ... and within this of the 95th-percentile frame */
#define KC_AF_SYL_WIN_S       0.050
#define KC_AF_SYL_HOP_S       0.010
#define KC_AF_SYL_SILENCE_DB  25.0 /* nuclei must be within this of the 99th-percentile level */
#define KC_AF_SYL_MIN_DIP_DB  2.0
#define KC_AF_MIN_LOUD_FRAMES 5
#define KC_AF_MIN_PITCH_WINS  10

struct kc_audio_features {
    struct kc_metric speaking_time_ratio; /* ratio */
    struct kc_metric pause_count;         /* count */
    struct kc_metric pause_mean_s;        /* s */
    struct kc_metric loudness_mean_dbfs;  /* dBFS */
    struct kc_metric loudness_spread_db;  /* dB (standard deviation) */
    struct kc_metric pitch_mean_hz;       /* Hz */
    struct kc_metric pitch_spread_hz;     /* Hz (standard deviation) */
    struct kc_metric syllable_rate;       /* syllables/min, estimate */
    double duration_s;                    /* audio analysed */
    double speaking_time_s;               /* VAD speech time, NaN without VAD */
    long syllables;                       /* nuclei found */
};

/* Compute all features of pcm[0..n) (16 kHz). speech = VAD segments in the same time base, or
 * NULL when VAD is unavailable, in which case vad_reason says why (copied into the
 * unavailable metrics). Never fails: each metric carries its own status. */
void kc_audio_features_compute(const float *pcm, size_t n, const struct kc_vad_segments *speech,
                               const char *vad_reason, struct kc_audio_features *out);

/* ---- building blocks (exposed for tests and for the per-second timeline) ------------------ */

/* 20·log10(RMS) of x[0..n) in dBFS; -INFINITY for digital silence or n == 0. */
double kc_af_dbfs(const float *x, size_t n);

/* YIN F0 of one window x[0..n): n must be >= rate/fmin + some; returns Hz, or 0 when no period
 * is found. *aperiodicity (may be NULL) receives the CMND minimum (0 = perfectly periodic). */
double kc_af_yin(const float *x, size_t n, int rate, double fmin, double fmax,
                 double *aperiodicity);

/* Loudness timeline: dBFS of consecutive step_s windows over the whole audio (speech or not);
 * NaN for digital silence. *out (caller frees) gets *n_out values. 0 ok, -1 no memory. */
int kc_af_timeline(const float *pcm, size_t n, double step_s, double **out, size_t *n_out);

#endif
