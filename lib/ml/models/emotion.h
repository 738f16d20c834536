/*
 * emotion.h — 7-class facial expression classifier (mini-Xception, TF.js graph model).
 *
 * POLICY (DESIGN.md): inferring emotions of candidates is prohibited in the EU and weakly
 * founded. Callers run this only when a company administrator enabled it (audited), never for
 * EU jurisdictions, show it as a descriptive observation and never feed it into any score.
 * This wrapper only computes the model's output.
 *
 * Model (ASSETS.md): input [1,64,64,1] gray g = 0.2989R + 0.587G + 0.114B normalised as
 * (g/255 - 0.5) * 2; "Identity" [1,7] softmax probabilities in the order of
 * enum kc_emotion_class. Input crop: the face box (a tight square around the face).
 *
 * Thread-safety: one instance per thread.
 */
#ifndef KC_ML_MODELS_EMOTION_H
#define KC_ML_MODELS_EMOTION_H

#include "core/err.h"
#include "ml/image.h"

#define KC_EMOTION_SIZE    64
#define KC_EMOTION_CLASSES 7
#define KC_EMOTION_FILE    "models/tfjs/emotion.json"

enum kc_emotion_class {
    KC_EMOTION_ANGRY,
    KC_EMOTION_DISGUST,
    KC_EMOTION_FEAR,
    KC_EMOTION_HAPPY,
    KC_EMOTION_SAD,
    KC_EMOTION_SURPRISE,
    KC_EMOTION_NEUTRAL,
};

/* "angry", "disgust", ... in enum order. */
extern const char *const kc_emotion_labels[KC_EMOTION_CLASSES];

struct kc_emotion;

/* NULL path = $KOCRUIT_ASSETS/KC_EMOTION_FILE; threads <= 0 = 1. */
struct kc_emotion *kc_emotion_open(const char *model_path, int threads, struct kc_err *err);
void kc_emotion_free(struct kc_emotion *m);

/* Run on a prepared 64x64 normalised gray tensor; probs receives 7 probabilities (sum 1). */
int kc_emotion_run(struct kc_emotion *m, const float *input, float probs[KC_EMOTION_CLASSES],
                   struct kc_err *err);
/* Warp the face crop (crop_to_image maps 64x64 crop pixels to image pixels) and run. */
int kc_emotion_run_image(struct kc_emotion *m, const struct kc_image *img,
                         const struct kc_affine *crop_to_image, float probs[KC_EMOTION_CLASSES],
                         struct kc_err *err);

#endif
