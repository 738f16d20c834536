/*
 * iris.h — eye contour and iris landmarks with MediaPipe Iris (TF.js graph model).
 *
 * Model (ASSETS.md): input [1,64,64,3] RGB in [0,1]; "Identity" [1,1,1,228] = 76 points x
 * (x,y,z) in input pixels: 71 eye contour / brow points, then 5 iris points (centre first,
 * then four on the iris edge).
 *
 * The network was trained on the subject's LEFT eye (the one on the image's right). A right
 * eye is fed mirrored: kc_iris_eye_crop(..., right_eye=1) builds a transform that includes the
 * mirror, and because kc_iris_run_image maps points back through the same transform, `image`
 * coordinates are correct for both eyes (crop coordinates stay in the mirrored crop).
 *
 * Thread-safety: one instance per thread.
 */
#ifndef KC_ML_MODELS_IRIS_H
#define KC_ML_MODELS_IRIS_H

#include "core/err.h"
#include "ml/image.h"

#define KC_IRIS_SIZE    64
#define KC_IRIS_CONTOUR 71
#define KC_IRIS_POINTS  5
#define KC_IRIS_ENLARGE 2.3f /* crop side / eye-corner distance */
#define KC_IRIS_FILE    "models/tfjs/iris.json"

struct kc_iris_result {
    float contour[KC_IRIS_CONTOUR][3];       /* x, y, z in crop pixels */
    float iris[KC_IRIS_POINTS][3];           /* [0] = iris centre; crop pixels */
    float contour_image[KC_IRIS_CONTOUR][2]; /* image pixels (run_image), else = crop */
    float iris_image[KC_IRIS_POINTS][2];
};

struct kc_iris;

/* NULL path = $KOCRUIT_ASSETS/KC_IRIS_FILE; threads <= 0 = 1. */
struct kc_iris *kc_iris_open(const char *model_path, int threads, struct kc_err *err);
void kc_iris_free(struct kc_iris *m);

/* Run on a prepared 64x64x3 tensor in [0,1]. */
int kc_iris_run(struct kc_iris *m, const float *input, struct kc_iris_result *out,
                struct kc_err *err);
/* Warp the eye crop out of img and run; also fills the *_image coordinates. */
int kc_iris_run_image(struct kc_iris *m, const struct kc_image *img,
                      const struct kc_affine *crop_to_image, struct kc_iris_result *out,
                      struct kc_err *err);

/* Crop transform for one eye from its two corners (image pixels, in either order): a square of
 * KC_IRIS_ENLARGE x the corner distance centred between them, rotated so the corners are
 * level, mirrored horizontally when right_eye is set. */
struct kc_affine kc_iris_eye_crop(float ax, float ay, float bx, float by, int right_eye);

#endif
