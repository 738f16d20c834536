/*
 * posture.h — posture metrics from PoseNet keypoints sampled at a low rate (~1 fps).
 *
 * A keypoint counts when its score >= KC_POSTURE_MIN_SCORE; a sample counts for the shoulder
 * metrics when both shoulders do. Definitions (image pixels, "left" = the subject's left, which
 * is on the image's right):
 *   shoulder_tilt_deg  atan2(yL - yR, xL - xR) of the shoulder line: 0 level, > 0 when the
 *                      subject's left shoulder is lower in the image. Mean over samples (and SD).
 *   lean               shoulder width relative to the person's own baseline, w / w_base - 1, with
 *                      w_base the median shoulder width over the whole recording: > 0 nearer the
 *                      camera than usual (leaning in), < 0 further (leaning back). Mean (and SD;
 *                      over the whole recording the mean is ~0 by construction and the SD says
 *                      how much the person moves to and fro; per question it says whether they
 *                      sat nearer or further than usual).
 *   movement_energy    between consecutive samples at most KC_POSTURE_MAX_GAP_S apart: the mean
 *                      displacement of the upper-body keypoints confident in both (nose, eyes,
 *                      ears, shoulders, elbows, wrists; >= 3 needed) divided by the mean shoulder
 *                      width and by the time between the samples. Unit: shoulder widths per
 *                      second. At ~1 fps it measures posture shifts and gestures that persist
 *                      for about a second, not fast fidgeting.
 *
 * Thread-safety: pure functions. Memory: callers own every buffer.
 */
#ifndef KC_POSTURE_H
#define KC_POSTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "metric.h"
#include "ml/models/posenet.h"

#define KC_POSTURE_MIN_SCORE   0.5f
#define KC_POSTURE_MAX_GAP_S   2.5
#define KC_POSTURE_MIN_SAMPLES 3 /* for tilt and lean; movement needs 2 pairs */

struct kc_posture_sample {
    double t; /* s of file time */
    struct kc_posenet_pose pose;
};

/* Shoulder geometry of one sample; false when either shoulder is below the score threshold. */
bool kc_posture_shoulders(const struct kc_posenet_pose *p, float *tilt_deg, float *width);

/* Baseline shoulder width: median over all samples with shoulders; NaN when there are none.
 * -1 when memory runs out. */
int kc_posture_baseline(const struct kc_posture_sample *s, size_t n, float *width);

/* The three metrics over samples with t in [t0, t1). Each output is fully set (ok,
 * insufficient_data with the reason); sd receive the spreads (NaN when undefined). */
void kc_posture_metrics(const struct kc_posture_sample *s, size_t n, double t0, double t1,
                        float base_width, struct kc_metric *tilt, double *tilt_sd,
                        struct kc_metric *lean, double *lean_sd, struct kc_metric *energy,
                        double *energy_sd);

/* Metric records with their names, units and definitions, status unavailable (not computed). */
struct kc_metric kc_posture_metric_tilt(void);
struct kc_metric kc_posture_metric_lean(void);
struct kc_metric kc_posture_metric_energy(void);

#endif
