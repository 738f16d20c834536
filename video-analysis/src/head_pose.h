/*
 * head_pose.h — head orientation (yaw, pitch, roll in degrees) from 2D FaceMesh landmarks, and
 * nod counting on the pitch series.
 *
 * Method: a perspective-n-point fit of a canonical 3D face to the observed landmarks, solved
 * by Levenberg-Marquardt in two stages:
 *   1. weak perspective (scaled orthographic), which needs no camera intrinsics:
 *        u_i = s (R P_i).x + tx,   v_i = s (R P_i).y + ty,   R = Rz(roll) Rx(-pitch) Ry(-yaw)
 *      started from R = the roll of the outermost points, s and t from the point spreads;
 *   2. when a camera is given, a pinhole refinement from that solution:
 *        u_i = cx + f (R P_i + T).x / (R P_i + T).z   (same for v with y)
 *      after which R is re-expressed relative to the line of sight from the camera to the face
 *      centre (R' = Q^T R, Q the smallest rotation taking the optical axis onto the ray to T),
 *      so that 0 means "facing the lens" wherever the face sits in the frame — the quantity
 *      eye contact needs, and what the weak-perspective stage approximates.
 * Weak perspective alone overstates yaw by ~15-20 % at webcam distances (the nose tip is ~10
 * cm nearer the camera than the face contour, so it is magnified more); the pinhole stage
 * removes that bias to within the error of the assumed focal length. Video frames carry no
 * intrinsics, so kc_head_pose_webcam() assumes a typical webcam's horizontal field of view
 * (KC_HEAD_POSE_HFOV_DEG) and the principal point at the image centre; a real FOV between 50
 * and 80 degrees moves the angles by well under 2 degrees (tests/test_head_pose.c).
 *
 * P_i are KC_HEAD_POSE_POINTS vertices of MediaPipe's canonical face model (the metric face
 * the FaceMesh topology is defined on; Apache-2.0), in centimetres, expressed in image axes
 * (x to the image's right, y down, z away from the camera); the solver centres them.
 *
 * Angle conventions (all degrees, 0 = facing the camera with the eyes level):
 *   yaw   > 0  the face turns towards the image's right (the subject's own left)
 *   pitch > 0  the face tilts up (chin up)
 *   roll  > 0  the head tilts clockwise in the image (the subject's left eye lower)
 *
 * Nods: on the pitch series, a zig-zag filter with hysteresis KC_NOD_MIN_DEG keeps alternating
 * peaks and troughs; a nod is a peak -> trough -> peak pattern (down and back up by at least
 * KC_NOD_MIN_DEG each way) whose dip, measured between the crossings of the half-way levels on
 * either side, lasts at most KC_NOD_MAX_S (a slow look down at notes is not a nod). The series
 * is median-filtered over 3 samples first. A gap in the series longer than
 * max_gap_s restarts the filter. Consecutive nods share their peaks, so "nod nod nod" is 3.
 *
 * Thread-safety: all functions are pure (no state). Memory: callers own every buffer.
 */
#ifndef KC_HEAD_POSE_H
#define KC_HEAD_POSE_H

#include <stddef.h>

#define KC_HEAD_POSE_POINTS   12
#define KC_NOD_MIN_DEG        4.0  /* degrees down and back up */
#define KC_NOD_MAX_S          1.0  /* seconds: width of the dip at half its depth */
#define KC_HEAD_POSE_HFOV_DEG 65.0 /* assumed horizontal field of view of a webcam */

/* FaceMesh indices of the model points, and the points themselves (cm, image axes). */
extern const int kc_head_pose_landmarks[KC_HEAD_POSE_POINTS];
extern const float kc_head_pose_model[KC_HEAD_POSE_POINTS][3];

/* Pinhole intrinsics in image pixels. */
struct kc_head_pose_camera {
    float focal;  /* focal length, pixels */
    float cx, cy; /* principal point, pixels */
};

struct kc_head_pose {
    float yaw, pitch, roll; /* degrees, conventions above */
    float scale;            /* image pixels per model centimetre */
    float tx, ty;           /* image position of the model centre, pixels */
    float distance;         /* camera to model centre, cm (pinhole stage only; else 0); only
                               as good as the assumed focal length */
    float rms;              /* residual RMS in model centimetres (fit quality; ~0.2-0.5 good) */
    int iterations;
};

/* The rotation matrix (row-major 3x3) of the convention above, for tests and callers that
 * project the model. */
void kc_head_pose_rotation(float yaw_deg, float pitch_deg, float roll_deg, float r[9]);

/* Fit n >= 4 observed image points (pts[i] corresponds to model[i]); cam NULL = weak
 * perspective only. Returns 0, or -1 when the input is degenerate (points coincide, non-finite
 * values, invalid camera) or the fit diverges. */
int kc_head_pose_solve(const float (*pts)[2], const float (*model)[3], int n,
                       const struct kc_head_pose_camera *cam, struct kc_head_pose *out);

/* Fit from a full FaceMesh result (468 points in image pixels). */
int kc_head_pose_from_mesh(const float (*mesh)[2], const struct kc_head_pose_camera *cam,
                           struct kc_head_pose *out);

/* The assumed camera of a width x height video frame (see top). */
struct kc_head_pose_camera kc_head_pose_webcam(int width, int height);

/* Find nods in a pitch series (degrees, t in seconds, increasing). Writes the time of each
 * nod's trough into nod_t (at most cap of them; nod_t may be NULL with cap 0) and returns the
 * number of nods found (which may exceed cap). */
size_t kc_head_pose_nods(const double *t, const float *pitch, size_t n, double max_gap_s,
                         double *nod_t, size_t cap);

#endif
