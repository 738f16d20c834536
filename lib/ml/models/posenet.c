/*
 * posenet.c — PoseNet wrapper and single-pose decoder (see posenet.h).
 */
#include "ml/models/posenet.h"

#include <stdlib.h>

#include "ml/models/assets.h"
#include "ml/models/tfjs_model.h"

#define INPUT_LEN (KC_POSENET_SIZE * KC_POSENET_SIZE * 3)
#define CELLS     (KC_POSENET_GRID * KC_POSENET_GRID)

const char *const kc_posenet_names[KC_POSENET_KEYPOINTS] = {
    "nose",          "leftEye",   "rightEye",   "leftEar",   "rightEar",   "leftShoulder",
    "rightShoulder", "leftElbow", "rightElbow", "leftWrist", "rightWrist", "leftHip",
    "rightHip",      "leftKnee",  "rightKnee",  "leftAnkle", "rightAnkle",
};

struct kc_posenet {
    struct kc_tfjs_model *model;
    float *input; /* INPUT_LEN floats (1.8 MB, so not inline) */
};

struct kc_posenet *kc_posenet_open(const char *model_path, int threads, struct kc_err *err)
{
    static const int64_t shape[4] = {1, KC_POSENET_SIZE, KC_POSENET_SIZE, 3};
    struct kc_posenet *m = calloc(1, sizeof *m);
    if (m) m->input = malloc(INPUT_LEN * sizeof(float));
    if (!m || !m->input) {
        if (m) free(m);
        kc_err_set(err, KC_E_NOMEM, "out of memory for PoseNet");
        return NULL;
    }
    m->model = kc_ml_open_tfjs(model_path, KC_POSENET_FILE, "PoseNet", shape, threads, err);
    if (!m->model) {
        kc_posenet_free(m);
        return NULL;
    }
    return m;
}

void kc_posenet_free(struct kc_posenet *m)
{
    if (!m) return;
    kc_tfjs_free(m->model);
    free(m->input);
    free(m);
}

void kc_posenet_decode(const float *heatmap, const float *offsets, int gh, int gw,
                       struct kc_posenet_pose *pose)
{
    const int K = KC_POSENET_KEYPOINTS;
    float total = 0.0f;
    for (int k = 0; k < K; k++) {
        int best = 0;
        for (int c = 1; c < gh * gw; c++) {
            if (heatmap[c * K + k] > heatmap[best * K + k]) best = c;
        }
        struct kc_posenet_keypoint *p = &pose->keypoints[k];
        p->y = (float)(best / gw * KC_POSENET_STRIDE) + offsets[best * 2 * K + k];
        p->x = (float)(best % gw * KC_POSENET_STRIDE) + offsets[best * 2 * K + K + k];
        p->score = kc_ml_sigmoid(heatmap[best * K + k]);
        total += p->score;
    }
    pose->score = total / (float)K;
}

int kc_posenet_run(struct kc_posenet *m, const float *input, struct kc_posenet_pose *pose,
                   struct kc_err *err)
{
    if (!m || !input || !pose) return kc_err_set(err, KC_E_INVALID, "PoseNet: no input");
    if (kc_tfjs_run(m->model, input, INPUT_LEN, err) != 0) {
        kc_err_prefix(err, "PoseNet");
        return -1;
    }
    const float *hm = kc_ml_tfjs_output(m->model, "PoseNet", "MobilenetV1/heatmap_2/BiasAdd",
                                        CELLS * KC_POSENET_KEYPOINTS, err);
    const float *off = hm ? kc_ml_tfjs_output(m->model, "PoseNet", "MobilenetV1/offset_2/BiasAdd",
                                              CELLS * 2 * KC_POSENET_KEYPOINTS, err)
                          : NULL;
    if (!off) return -1;
    kc_posenet_decode(hm, off, KC_POSENET_GRID, KC_POSENET_GRID, pose);
    return 0;
}

int kc_posenet_run_image(struct kc_posenet *m, const struct kc_image *img,
                         struct kc_posenet_pose *pose, struct kc_err *err)
{
    if (!m || !img || !img->data || img->w <= 0 || img->h <= 0) {
        return kc_err_set(err, KC_E_INVALID, "PoseNet: no image");
    }
    struct kc_affine to_image = kc_affine_letterbox(img->w, img->h, KC_POSENET_SIZE);
    kc_image_warp_tensor(img, &to_image, KC_POSENET_SIZE, KC_POSENET_SIZE, KC_TENSOR_RGB_SIGNED,
                         m->input);
    if (kc_posenet_run(m, m->input, pose, err) != 0) return -1;
    for (int k = 0; k < KC_POSENET_KEYPOINTS; k++) {
        struct kc_posenet_keypoint *p = &pose->keypoints[k];
        kc_affine_apply(&to_image, p->x + 0.5f, p->y + 0.5f, &p->x, &p->y);
    }
    return 0;
}
