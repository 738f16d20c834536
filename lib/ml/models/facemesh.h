/*
 * facemesh.h — 468 face landmarks with MediaPipe FaceMesh (TF.js graph model).
 *
 * Model (ASSETS.md): input [1,192,192,3] RGB in [0,1]; "Identity_2" [1,1404] = 468 x (x,y,z)
 * in input pixels; "Identity_1" [1,1] the face-flag probability (the graph ends in a Sigmoid,
 * so it is already 0..1 — no further sigmoid); "Identity" [1,266] lip/eye contours (unused).
 *
 * Input crop: a square of ~1.5x the detector's face box, rotated so the eyes are level
 * (kc_blazeface_face_crop(face, 1.5f, KC_FACEMESH_SIZE)). Points use the continuous pixel
 * convention of image.h; z is depth relative to the face centre in the same pixel scale
 * (smaller = nearer the camera).
 *
 * Thread-safety: one instance per thread (it owns a TF.js model and buffers).
 */
#ifndef KC_ML_MODELS_FACEMESH_H
#define KC_ML_MODELS_FACEMESH_H

#include "core/err.h"
#include "ml/image.h"

#define KC_FACEMESH_SIZE   192
#define KC_FACEMESH_POINTS 468
#define KC_FACEMESH_FILE   "models/tfjs/facemesh.json"

struct kc_facemesh_result {
    float points[KC_FACEMESH_POINTS][3]; /* x, y, z in crop pixels */
    float image[KC_FACEMESH_POINTS][2];  /* x, y in image pixels (run_image), else = crop */
    float face_flag;                     /* probability 0..1 that the crop holds a face */
};

struct kc_facemesh;

/* NULL path = $KOCRUIT_ASSETS/KC_FACEMESH_FILE; threads <= 0 = 1. KC_E_UNAVAILABLE naming the
 * file when it is missing. Caller frees with kc_facemesh_free(). */
struct kc_facemesh *kc_facemesh_open(const char *model_path, int threads, struct kc_err *err);
void kc_facemesh_free(struct kc_facemesh *m);

/* Run on a prepared 192x192x3 tensor in [0,1] (NHWC). */
int kc_facemesh_run(struct kc_facemesh *m, const float *input, struct kc_facemesh_result *out,
                    struct kc_err *err);
/* Warp the crop out of `img` (crop_to_image maps 192x192 crop pixels to image pixels), run,
 * and also map the points back to image pixels. */
int kc_facemesh_run_image(struct kc_facemesh *m, const struct kc_image *img,
                          const struct kc_affine *crop_to_image, struct kc_facemesh_result *out,
                          struct kc_err *err);

#endif
