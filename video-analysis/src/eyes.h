/*
 * eyes.h — the eye track: eye aspect ratio (EAR) and blinks from FaceMesh eyelid points, iris
 * position from MediaPipe Iris, and the eye-contact rule.
 *
 * EAR (Soukupova & Cech 2016) of one eye from six FaceMesh points: corners p1, p4 and two
 * upper/lower lid pairs (p2,p6), (p3,p5):  EAR = (|p2-p6| + |p3-p5|) / (2 |p1-p4|).
 *   subject's right eye (image left): p1..p6 = 33, 160, 158, 133, 153, 144
 *   subject's left eye (image right): p1..p6 = 362, 385, 387, 263, 373, 380
 * It is scale- and roll-invariant; ~0.25-0.35 open, falling towards 0.1 when the lids close.
 *
 * Blinks: the per-frame EAR (mean of both eyes) is compared with the person's own open-eye
 * level, baseline = the median EAR over the face frames of the whole recording (eyes are open
 * most of the time, so the median is an open-eye value whatever the face's shape). A blink
 * starts at the first sample below close_ratio x baseline and ends at the first sample back
 * above reopen_ratio x baseline (hysteresis against jitter); its duration is the time between
 * those two samples and must lie in [min_s, max_s] — shorter is landmark noise, longer is a
 * deliberate closure or a look down. A gap in the face track (> max_gap_s between samples)
 * or a non-finite sample abandons an open run, and a new one can only start after an open-eye
 * sample (eyes found closed right after a gap have no known start). Needs a dense eye track: a
 * typical blink keeps the lids low for 100-300 ms, i.e. 1.5-4.5 frames at 15 fps, so below 15
 * analysed fps blinks are missed (vision.c reports blinks_per_minute as insufficient_data then).
 *
 * Iris / gaze: the Iris model runs on a crop around each eye (corners from FaceMesh, the right
 * eye mirrored, see ml/models/iris.h). The iris centre is expressed in the eye's own frame,
 * in units of the eye width (corner distance):
 *   h = (iris - corner midpoint) . eye axis         > 0: towards the image's right
 *   v = (iris - lid midpoint) . eye axis normal     > 0: downwards in the image
 * with the lid midpoint between the upper and lower lid centres (159/145 right, 386/374 left).
 * The frame's gaze is the mean of both eyes.
 *
 * Eye contact (one analysed frame with an iris result): |yaw| <= KC_EYE_CONTACT_MAX_YAW,
 * |pitch| <= KC_EYE_CONTACT_MAX_PITCH (head roughly facing the camera) AND |h| <=
 * KC_EYE_CONTACT_MAX_H, |v| <= KC_EYE_CONTACT_MAX_V (iris centred in the eye). This is
 * "facing the camera with centred eyes", a proxy for looking at the camera: a camera above
 * the screen makes someone reading the screen look ~5-15 degrees down, inside the limits.
 *
 * Thread-safety: pure functions except kc_eyes_iris, which uses the given model instance (one
 * thread at a time per instance). Units: EAR is a ratio, h/v in eye widths, times in seconds.
 */
#ifndef KC_EYES_H
#define KC_EYES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "ml/image.h"
#include "ml/models/iris.h"

#define KC_EYE_CONTACT_MAX_YAW   15.0f /* degrees */
#define KC_EYE_CONTACT_MAX_PITCH 15.0f /* degrees */
#define KC_EYE_CONTACT_MAX_H     0.10f /* eye widths */
#define KC_EYE_CONTACT_MAX_V     0.12f /* eye widths */

enum kc_eye {
    KC_EYE_RIGHT, /* the subject's right eye: on the image's left for a frontal face */
    KC_EYE_LEFT,
};

/* EAR of one eye from 468 FaceMesh points (image pixels); NaN when the corners coincide. */
float kc_eyes_ear(const float (*mesh)[2], enum kc_eye eye);
/* Mean EAR of both eyes (NaN when either is undefined). */
float kc_eyes_ear_mean(const float (*mesh)[2]);

struct kc_eye_gaze {
    float h, v; /* iris offset in eye widths (see top) */
};

/* Iris offset of one eye given its iris centre in image pixels; -1 when the eye is degenerate. */
int kc_eyes_gaze_offset(const float (*mesh)[2], enum kc_eye eye, float iris_x, float iris_y,
                        struct kc_eye_gaze *out);

/* Run the Iris model on both eyes of a FaceMesh result and write the mean offset. 0 ok, -1 on a
 * model error (err says why) or a degenerate eye (err KC_E_UNPROCESSABLE). */
int kc_eyes_iris(struct kc_iris *model, const struct kc_image *img, const float (*mesh)[2],
                 struct kc_eye_gaze *out, struct kc_err *err);

/* The eye-contact rule of the top comment. */
bool kc_eyes_contact(float yaw_deg, float pitch_deg, const struct kc_eye_gaze *g);

struct kc_blink_params {
    float close_ratio;  /* start below this fraction of the baseline (default 0.75) */
    float reopen_ratio; /* end above this fraction (default 0.85) */
    double min_s;       /* shortest blink (default 0.05 s) */
    double max_s;       /* longest blink (default 0.5 s) */
    double max_gap_s;   /* a larger gap between samples breaks a run (default 0.25 s) */
};

struct kc_blink_params kc_blink_params_default(void);

struct kc_blink {
    double start, end; /* s: first sample below the close level, first back above reopen */
    float min_ear;
};

/* Detect blinks in an EAR series (t increasing, s). Writes at most cap blinks to out (may be
 * NULL with cap 0), returns the number found, or (size_t)-1 when memory runs out. *baseline
 * receives the median EAR (NaN for an empty series). params NULL = defaults. */
size_t kc_eyes_blinks(const double *t, const float *ear, size_t n, const struct kc_blink_params *p,
                      struct kc_blink *out, size_t cap, float *baseline);

#endif
