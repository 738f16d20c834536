/*
 * expression.h — smile as a physical mouth movement, and the emotion classifier's face crop.
 *
 * Smile geometry (a physical expression, NOT an emotion): per frame, from the 3D FaceMesh
 * points (crop pixels, x right, y down, z depth in the same scale), in the head's own frame so
 * that turning or tilting the head does not change the numbers:
 *   eye axis   ex   = unit(p263 - p33)                       (outer eye corners)
 *   down axis  ey   = unit((p152 - p10) minus its ex part)    (forehead -> chin)
 *   iod             = |p263 - p33|                            (outer inter-ocular distance)
 *   width_ratio     = |p291 - p61| / iod                      (mouth corners)
 *   corner_lift     = ((p13 - (p61 + p291) / 2) . ey) / iod   (corners relative to the upper
 *                     inner lip centre; rises towards 0 or above when the corners go up)
 * Baseline: the person's own neutral mouth, taken as the KC_SMILE_BASELINE_Q quantile of each
 * feature over all face frames of the recording (assumes the mouth is at rest at least that
 * fraction of the time; someone who smiles throughout has no neutral and shows few smiles).
 * A frame is smiling when BOTH
 *   width_ratio >= (1 + KC_SMILE_WIDTH_GAIN) x baseline width   (mouth at least 10 % wider)
 *   corner_lift >= baseline lift + KC_SMILE_LIFT_GAIN            (corners raised >= 0.02 iod)
 * The lift condition keeps wide vowels ("ee"), which widen without raising the corners, out.
 *
 * Emotion crop: a square around the FaceMesh landmarks' bounding box (side = its larger extent)
 * rotated so that the eyes are level, as the classifier (trained on upright face boxes)
 * expects. Whether the classifier runs at all is a policy decision made by the caller
 * (vision.c; DESIGN.md): this module never decides it.
 *
 * Thread-safety: pure functions, except kc_expression_emotion which uses the given model
 * instance. Units: ratios of the inter-ocular distance.
 */
#ifndef KC_EXPRESSION_H
#define KC_EXPRESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "ml/image.h"
#include "ml/models/emotion.h"

#define KC_SMILE_BASELINE_Q 0.20 /* quantile of the recording taken as the neutral mouth */
#define KC_SMILE_WIDTH_GAIN 0.10f
#define KC_SMILE_LIFT_GAIN  0.02f
#define KC_SMILE_MIN_FRAMES 30 /* face frames needed to form a baseline */

struct kc_mouth {
    float width_ratio; /* mouth width / outer inter-ocular distance */
    float corner_lift; /* see top; inter-ocular distances */
};

/* Mouth features from 468 FaceMesh points (x, y, z). -1 when the face is degenerate. */
int kc_expression_mouth(const float (*points)[3], struct kc_mouth *out);

struct kc_smile_baseline {
    float width_ratio, corner_lift; /* NaN when not enough frames */
    size_t frames;
};

/* Baseline over n frames (NaN entries ignored). -1 when memory runs out. */
int kc_smile_baseline(const struct kc_mouth *m, size_t n, struct kc_smile_baseline *out);
/* The smiling rule of the top comment (false when the baseline is not finite). */
bool kc_smile_is(const struct kc_mouth *m, const struct kc_smile_baseline *b);

/* Crop transform (64 x 64 emotion input -> image) from FaceMesh image points. */
struct kc_affine kc_expression_face_box(const float (*mesh)[2], int size);
/* Run the emotion classifier on the face of a FaceMesh result. probs: 7 probabilities in
 * kc_emotion_labels order. 0 ok, -1 with err. */
int kc_expression_emotion(struct kc_emotion *model, const struct kc_image *img,
                          const float (*mesh)[2], float probs[KC_EMOTION_CLASSES],
                          struct kc_err *err);

#endif
