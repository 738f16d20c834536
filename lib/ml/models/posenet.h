/*
 * posenet.h — single-person body pose with PoseNet MobileNetV1 (TF.js graph model).
 *
 * Model (ASSETS.md): input [1,385,385,3] RGB in [-1,1]; output stride 16, so a 25x25 grid:
 * "MobilenetV1/heatmap_2/BiasAdd" [1,25,25,17] keypoint logits and
 * "MobilenetV1/offset_2/BiasAdd" [1,25,25,34] offsets in input pixels (17 y, then 17 x).
 *
 * Single-pose decode: for each keypoint the heatmap cell with the highest logit (the first in
 * row-major order on ties), position = cell * 16 + offset, score = sigmoid(logit). Positions
 * from kc_posenet_run are in PoseNet's input-pixel convention (cell r sits on input pixel
 * index r*16); kc_posenet_run_image letterboxes the image and returns image pixels in the
 * continuous convention of image.h (+0.5 to reach the pixel centre, then the letterbox
 * transform). pose.score is the mean keypoint score.
 *
 * Thread-safety: one instance per thread. kc_posenet_decode is pure.
 */
#ifndef KC_ML_MODELS_POSENET_H
#define KC_ML_MODELS_POSENET_H

#include "core/err.h"
#include "ml/image.h"

#define KC_POSENET_SIZE      385
#define KC_POSENET_STRIDE    16
#define KC_POSENET_GRID      25 /* (385 - 1) / 16 + 1 */
#define KC_POSENET_KEYPOINTS 17
#define KC_POSENET_FILE      "models/tfjs/posenet.json"

/* COCO order: nose, leftEye, rightEye, leftEar, rightEar, leftShoulder, rightShoulder,
 * leftElbow, rightElbow, leftWrist, rightWrist, leftHip, rightHip, leftKnee, rightKnee,
 * leftAnkle, rightAnkle ("left" = the subject's left). */
extern const char *const kc_posenet_names[KC_POSENET_KEYPOINTS];

struct kc_posenet_keypoint {
    float x, y;  /* pixels, see above */
    float score; /* probability 0..1 */
};

struct kc_posenet_pose {
    struct kc_posenet_keypoint keypoints[KC_POSENET_KEYPOINTS];
    float score; /* mean keypoint score */
};

struct kc_posenet;

/* NULL path = $KOCRUIT_ASSETS/KC_POSENET_FILE; threads <= 0 = 1. */
struct kc_posenet *kc_posenet_open(const char *model_path, int threads, struct kc_err *err);
void kc_posenet_free(struct kc_posenet *m);

/* Run on a prepared 385x385x3 tensor in [-1,1]; positions in input pixels. */
int kc_posenet_run(struct kc_posenet *m, const float *input, struct kc_posenet_pose *pose,
                   struct kc_err *err);
/* Letterbox the whole image, run, positions in image pixels. */
int kc_posenet_run_image(struct kc_posenet *m, const struct kc_image *img,
                         struct kc_posenet_pose *pose, struct kc_err *err);

/* Decode a gh x gw heatmap (gh*gw*17) and offsets (gh*gw*34). */
void kc_posenet_decode(const float *heatmap, const float *offsets, int gh, int gw,
                       struct kc_posenet_pose *pose);

#endif
