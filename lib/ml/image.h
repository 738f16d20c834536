/*
 * image.h — RGB8 images and the pixel operations that feed the vision models.
 *
 * Layout: struct kc_image is packed RGB, 3 bytes per pixel, rows `stride` bytes apart
 * (stride >= 3*w), top row first.
 *
 * Coordinates are continuous pixels: pixel (i,j) covers [i,i+1) x [j,j+1) and its centre is
 * (i+0.5, j+0.5); an image spans [0,w) x [0,h). Model outputs use the same convention (a
 * FaceMesh point at (96,96) is the centre of its 192x192 crop), so mapping a point from a crop
 * back to the image is one kc_affine_apply().
 *
 * Sampling: every geometric operation is "for each output pixel, map its centre through an
 * affine transform to a source position and sample bilinearly". Resize uses half-pixel centres
 * (TensorFlow half_pixel_centers / OpenCV INTER_LINEAR) and clamps to the edge; warp and the
 * tensor samplers return 0 (black) for positions outside the source image.
 *
 * Tensors: float NHWC without the batch dimension, w*h*channels floats, row-major.
 *   KC_TENSOR_RGB_UNIT    v/255                    in [0,1]   (FaceMesh, Iris)
 *   KC_TENSOR_RGB_SIGNED  v/127.5-1                in [-1,1]  (BlazeFace, PoseNet)
 *   KC_TENSOR_GRAY_SIGNED (g/255-0.5)*2, 1 channel  in [-1,1]  (Emotion)
 * with gray g = 0.2989 R + 0.587 G + 0.114 B.
 *
 * Memory: images from kc_image_decode/load/alloc own their pixels; free with kc_image_free().
 * Output buffers of the other functions belong to the caller. Thread-safety: all functions
 * are reentrant (no shared state).
 */
#ifndef KC_ML_IMAGE_H
#define KC_ML_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KC_IMAGE_MAX_DIM 16384 /* larger images are rejected as absurd */

struct kc_image {
    int w, h;
    size_t stride; /* bytes between rows */
    uint8_t *data;
};

/* dst -> src mapping: the source position of output position (x,y) is
 * (sx,sy) = (a*x + b*y + c, d*x + e*y + f), both in continuous pixel coordinates. */
struct kc_affine {
    float a, b, c;
    float d, e, f;
};

enum kc_tensor_format {
    KC_TENSOR_RGB_UNIT,
    KC_TENSOR_RGB_SIGNED,
    KC_TENSOR_GRAY_SIGNED,
};

/* Decode JPEG or PNG bytes into RGB8. Errors: KC_E_UNPROCESSABLE for corrupt/unknown data,
 * KC_E_TOO_LARGE for a side > KC_IMAGE_MAX_DIM, KC_E_NOMEM. */
int kc_image_decode(const void *bytes, size_t len, struct kc_image *out, struct kc_err *err);
/* Read a file and decode it (KC_E_IO / KC_E_NOT_FOUND when it cannot be read). */
int kc_image_load(const char *path, struct kc_image *out, struct kc_err *err);
/* Allocate a zeroed w x h image (stride 3*w). */
int kc_image_alloc(struct kc_image *im, int w, int h, struct kc_err *err);
void kc_image_free(struct kc_image *im);

/* Copy the rectangle [x,x+w) x [y,y+h) into a new image; it must lie inside src. */
int kc_image_crop(const struct kc_image *src, int x, int y, int w, int h, struct kc_image *out,
                  struct kc_err *err);
/* Bilinear resize of the whole of src into dst (dst->w, dst->h and dst->data set by caller). */
void kc_image_resize(const struct kc_image *src, struct kc_image *dst);
/* Bilinear affine warp into dst; pixels mapping outside src become 0. */
void kc_image_warp(const struct kc_image *src, const struct kc_affine *m, struct kc_image *dst);
/* Gray levels 0..255 (float, w*h) with g = 0.2989 R + 0.587 G + 0.114 B. */
void kc_image_to_gray(const struct kc_image *src, float *gray);

/* Warp src into a w x h tensor of the given format (see top); out-of-image pixels are black
 * (0 before normalisation). `out` holds w*h*channels floats. */
void kc_image_warp_tensor(const struct kc_image *src, const struct kc_affine *m, int w, int h,
                          enum kc_tensor_format fmt, float *out);
/* Convert an image of exactly the tensor size (no resampling). */
void kc_image_to_tensor(const struct kc_image *src, enum kc_tensor_format fmt, float *out);
int kc_tensor_channels(enum kc_tensor_format fmt);

/* Transforms (all dst -> src). */
/* Map the whole of a src_w x src_h image onto dst_w x dst_h (a pure scale). */
struct kc_affine kc_affine_resize(int src_w, int src_h, int dst_w, int dst_h);
/* Map the src rectangle (x, y, w, h) — top-left corner and size in pixels — onto dst. */
struct kc_affine kc_affine_rect(float x, float y, float w, float h, int dst_w, int dst_h);
/* Letterbox: scale the longer side of src to `size`, centre it, pad the rest. */
struct kc_affine kc_affine_letterbox(int src_w, int src_h, int size);
/* Square crop of side `side` src pixels centred on (cx,cy) onto a size x size output, rotated
 * so that a source line with direction `angle` (radians, atan2(dy,dx) in image coordinates,
 * y down) is horizontal in the output: pass the angle of the eye line to level the eyes. */
struct kc_affine kc_affine_rotated_square(float cx, float cy, float side, float angle, int size);
/* Apply m to a point. */
void kc_affine_apply(const struct kc_affine *m, float x, float y, float *sx, float *sy);
/* Inverse transform (src -> dst); returns -1 when m is singular. */
int kc_affine_invert(const struct kc_affine *m, struct kc_affine *inv);

#endif
