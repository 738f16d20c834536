/*
 * blazeface.h — face detection with MediaPipe BlazeFace (front camera model, 128x128, ONNX).
 *
 * Model (ASSETS.md): input "input:0" [1,128,128,3] NHWC in [-1,1]; per anchor a score logit
 * ("Identity:0" [1,512,1] for the 16x16x2 grid, "Identity_1:0" [1,384,1] for 8x8x6) and 16
 * regressors ("Identity_2:0"/"Identity_3:0"): box centre offset dx,dy, size w,h, then 6
 * keypoints (x,y), all in input pixels relative to the anchor centre.
 *
 * Pipeline: letterbox the image into 128x128 (longer side fits, black bars), run, decode
 * (cx = anchor_x + dx/128 in [0,1] input units, score = sigmoid(logit)), keep scores >=
 * min_score, then weighted non-maximum suppression as MediaPipe does it: the best remaining
 * detection absorbs every detection overlapping it by IoU > iou_threshold, and the result is
 * the score-weighted mean of their boxes and keypoints with the best score.
 *
 * Units: boxes and keypoints in pixels of the input image (continuous coordinates, see
 * image.h), score a probability 0..1. Keypoints are the subject's right eye, left eye, nose
 * tip, mouth centre, right ear tragion, left ear tragion; the subject's right eye is on the
 * image's left for a frontal face.
 *
 * Thread-safety: a detector is used by one thread at a time (it owns an ORT session and
 * buffers). kc_blazeface_candidates/nms/face_crop are pure.
 */
#ifndef KC_ML_MODELS_BLAZEFACE_H
#define KC_ML_MODELS_BLAZEFACE_H

#include "core/err.h"
#include "ml/image.h"

#define KC_BLAZEFACE_SIZE      128
#define KC_BLAZEFACE_ANCHORS   896 /* 16*16*2 + 8*8*6 */
#define KC_BLAZEFACE_KEYPOINTS 6
#define KC_BLAZEFACE_FILE      "face_detection_front_128x128_barracuda.onnx"

enum kc_blazeface_keypoint {
    KC_BLAZEFACE_RIGHT_EYE,
    KC_BLAZEFACE_LEFT_EYE,
    KC_BLAZEFACE_NOSE,
    KC_BLAZEFACE_MOUTH,
    KC_BLAZEFACE_RIGHT_EAR,
    KC_BLAZEFACE_LEFT_EAR,
};

struct kc_point2 {
    float x, y;
};

struct kc_blazeface_face {
    float x, y, w, h; /* box: top-left corner and size, image pixels */
    float score;      /* probability 0..1 */
    struct kc_point2 keypoints[KC_BLAZEFACE_KEYPOINTS];
};

struct kc_blazeface_options {
    float min_score;     /* default 0.75 */
    float iou_threshold; /* default 0.3 */
    int threads;         /* ORT intra-op threads; default 1 */
    /* 0: one pass over the whole letterboxed image — right for a webcam frame, where the face
     * is large. 1: also scan overlapping square tiles (side 0.6 x the shorter image side, half
     * a tile apart) and merge everything, which finds the small faces of a group photo at the
     * cost of ~10-15 more runs. */
    int scan_tiles;
};

/* The four raw model outputs (borrowed). */
struct kc_blazeface_raw {
    const float *scores16; /* 512 logits */
    const float *scores8;  /* 384 logits */
    const float *boxes16;  /* 512 x 16 */
    const float *boxes8;   /* 384 x 16 */
};

struct kc_blazeface;

/* Open the ONNX model (NULL path = $KOCRUIT_ASSETS/models/KC_BLAZEFACE_FILE, NULL opt =
 * defaults). KC_E_UNAVAILABLE naming the file when it or ONNX Runtime is missing. */
struct kc_blazeface *kc_blazeface_open(const char *model_path,
                                       const struct kc_blazeface_options *opt, struct kc_err *err);
void kc_blazeface_free(struct kc_blazeface *m);

/* Detect faces; writes up to max_faces into `faces` by descending score and returns how many
 * (0 is a valid answer), or -1 on error. */
int kc_blazeface_detect(struct kc_blazeface *m, const struct kc_image *img,
                        struct kc_blazeface_face *faces, int max_faces, struct kc_err *err);

/* The two decoding steps, exposed for tests and other front ends.
 * kc_blazeface_candidates: every anchor with sigmoid(logit) >= min_score as a face in image
 * pixels (to_image maps 128x128 input pixels to image pixels); writes at most `cap`, returns
 * the count. kc_blazeface_nms: weighted NMS of n candidates (reordered in place) into at most
 * max_faces faces by descending score; returns the count. */
int kc_blazeface_candidates(const struct kc_blazeface_raw *raw, const struct kc_affine *to_image,
                            float min_score, struct kc_blazeface_face *out, int cap);
int kc_blazeface_nms(struct kc_blazeface_face *cand, int n, float iou_threshold,
                     struct kc_blazeface_face *faces, int max_faces);

/* Transform (crop -> image) for a size x size face crop: a square of side enlarge*max(w,h)
 * centred on the box, rotated so the eye line is level. Use with kc_image_warp_tensor(). */
struct kc_affine kc_blazeface_face_crop(const struct kc_blazeface_face *f, float enlarge, int size);

#endif
