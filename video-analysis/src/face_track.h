/*
 * face_track.h — one face followed through consecutive video frames: BlazeFace detection,
 * FaceMesh landmarks, and the next frame's crop taken from the current landmarks.
 *
 * Per frame (kc_face_track_step):
 *   1. When a crop is being tracked and no re-detection is due, FaceMesh runs on that crop; a
 *      face flag >= min_face_flag accepts the frame.
 *   2. Otherwise (no track, flag dropped, or redetect_every frames since the last detection)
 *      BlazeFace runs on the whole frame, letterboxed into its 128x128 input. The front-camera
 *      model needs a face of roughly 1/6 of the input, so when a clearly non-square frame
 *      (16:9 webcam) shows no face it also runs on square windows of the frame's height spread
 *      across its width (3 for 16:9), where a face is 1.8x larger. No face -> the frame has no
 *      face and the track ends.
 *      With several faces, the largest box is the interviewee. FaceMesh then runs on that
 *      box's crop (kc_blazeface_face_crop, 1.5x, eyes levelled); a flag below the threshold
 *      means "no face" too (the detector and the landmark model disagree).
 *   3. After an accepted frame the next crop is the landmarks' extent in the eye-levelled
 *      frame, enlarged by `enlarge`, rotated so the eyes are level (kc_affine), the way
 *      MediaPipe's face landmark graph derives its ROI from landmarks.
 * Without a FaceMesh model (kc_face_track_new with fm NULL) every frame is a BlazeFace
 * detection and only presence is known.
 *
 * Ownership and threads: the tracker borrows the two models (the caller keeps and frees them)
 * and is used by one thread at a time, like the models. Times in ms, coordinates in image
 * pixels (image.h convention).
 */
#ifndef KC_FACE_TRACK_H
#define KC_FACE_TRACK_H

#include <stdbool.h>

#include "core/err.h"
#include "ml/image.h"
#include "ml/models/blazeface.h"
#include "ml/models/facemesh.h"

struct kc_face_track_options {
    float enlarge;       /* crop side / landmark extent; <= 0 = 1.5 */
    float min_face_flag; /* FaceMesh face probability to accept; <= 0 = 0.5 */
    int redetect_every;  /* detect at least every N frames; 0 = only when the track is lost */
};

struct kc_face_obs {
    bool found;         /* a face is in this frame */
    bool detected;      /* BlazeFace ran on this frame */
    bool has_mesh;      /* mesh below is valid (found and a FaceMesh model exists) */
    float detect_score; /* BlazeFace score when detected and found, else 0 */
    struct kc_facemesh_result mesh;
};

struct kc_face_track_stats {
    double detect_ms, mesh_ms; /* CPU time of the calling thread in the models */
    long detect_runs, mesh_runs;
};

struct kc_face_track;

/* bf is required; fm may be NULL (presence only). opt NULL = defaults. NULL on no memory. */
struct kc_face_track *kc_face_track_new(struct kc_blazeface *bf, struct kc_facemesh *fm,
                                        const struct kc_face_track_options *opt,
                                        struct kc_err *err);
void kc_face_track_free(struct kc_face_track *tr);
/* Forget the current track: the next step detects. */
void kc_face_track_reset(struct kc_face_track *tr);
/* Process one frame. Returns 1 (face, *out filled), 0 (no face), -1 (model error, err set). */
int kc_face_track_step(struct kc_face_track *tr, const struct kc_image *img,
                       struct kc_face_obs *out, struct kc_err *err);
/* Accumulated model times and run counts since creation. */
void kc_face_track_stats(const struct kc_face_track *tr, struct kc_face_track_stats *out);

/* Crop transform (size x size -> image) covering the landmarks (468 image points) enlarged by
 * `enlarge`, eyes levelled. Pure. */
struct kc_affine kc_face_track_crop_from_mesh(const float (*mesh)[2], float enlarge, int size);

#endif
