/*
 * test_image.c — image decoding and sampling (lib/ml/image.c).
 *
 * Expected values come from the geometry, not from the implementation: bilinear interpolation
 * reproduces a linear function exactly, an integer 2x downscale with half-pixel centres is the
 * mean of 2x2 blocks, a 90-degree rotation is an index permutation. Encoded fixtures are made
 * in memory with stb_image_write (PNG, JPEG) and then corrupted on purpose.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image_write.h>

#include "ml/image.h"

static void fill_pattern(struct kc_image *im)
{
    for (int y = 0; y < im->h; y++) {
        for (int x = 0; x < im->w; x++) {
            uint8_t *p = im->data + (size_t)y * im->stride + x * 3;
            p[0] = (uint8_t)(x * 7 + y * 3);
            p[1] = (uint8_t)(x * x + y * 11);
            p[2] = (uint8_t)(255 - x - y * 5);
        }
    }
}

static const uint8_t *px(const struct kc_image *im, int x, int y)
{
    return im->data + (size_t)y * im->stride + x * 3;
}

Test(image, resize_constant_is_exact)
{
    struct kc_image src, up, down;
    cr_assert_eq(kc_image_alloc(&src, 37, 23, NULL), 0);
    for (size_t i = 0; i < (size_t)37 * 23 * 3; i++) src.data[i] = (uint8_t)(i % 3 == 0 ? 201 : 17);
    cr_assert_eq(kc_image_alloc(&up, 64, 50, NULL), 0);
    cr_assert_eq(kc_image_alloc(&down, 10, 7, NULL), 0);
    kc_image_resize(&src, &up);
    kc_image_resize(&src, &down);
    for (int y = 0; y < up.h; y++)
        for (int x = 0; x < up.w; x++) {
            cr_assert_eq(px(&up, x, y)[0], 201);
            cr_assert_eq(px(&up, x, y)[1], 17);
        }
    for (int y = 0; y < down.h; y++)
        for (int x = 0; x < down.w; x++) cr_assert_eq(px(&down, x, y)[0], 201);
    kc_image_free(&src);
    kc_image_free(&up);
    kc_image_free(&down);
}

Test(image, resize_gradient_upscale_is_linear)
{
    struct kc_image src, dst;
    cr_assert_eq(kc_image_alloc(&src, 8, 4, NULL), 0);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 8; x++) {
            uint8_t *p = src.data + (size_t)y * src.stride + x * 3;
            p[0] = (uint8_t)(20 * x);
            p[1] = (uint8_t)(40 * y);
            p[2] = 7;
        }
    cr_assert_eq(kc_image_alloc(&dst, 16, 8, NULL), 0);
    kc_image_resize(&src, &dst);
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 16; x++) {
            /* output centre x+0.5 maps to source centre-space (x+0.5)/2-0.5, clamped */
            double sx = fmin(fmax((x + 0.5) / 2 - 0.5, 0), 7),
                   sy = fmin(fmax((y + 0.5) / 2 - 0.5, 0), 3);
            cr_assert_eq(px(&dst, x, y)[0], (int)lround(20 * sx), "R at %d,%d", x, y);
            cr_assert_eq(px(&dst, x, y)[1], (int)lround(40 * sy), "G at %d,%d", x, y);
            cr_assert_eq(px(&dst, x, y)[2], 7);
        }
    kc_image_free(&src);
    kc_image_free(&dst);
}

Test(image, resize_half_is_block_mean)
{
    struct kc_image src, dst;
    cr_assert_eq(kc_image_alloc(&src, 16, 12, NULL), 0);
    fill_pattern(&src);
    cr_assert_eq(kc_image_alloc(&dst, 8, 6, NULL), 0);
    kc_image_resize(&src, &dst);
    for (int y = 0; y < 6; y++)
        for (int x = 0; x < 8; x++)
            for (int c = 0; c < 3; c++) {
                double m = (px(&src, 2 * x, 2 * y)[c] + px(&src, 2 * x + 1, 2 * y)[c] +
                            px(&src, 2 * x, 2 * y + 1)[c] + px(&src, 2 * x + 1, 2 * y + 1)[c]) /
                           4.0;
                cr_assert(fabs(px(&dst, x, y)[c] - m) <= 0.5 + 1e-6, "%d,%d,%d: %d vs %.2f", x, y,
                          c, px(&dst, x, y)[c], m);
            }
    kc_image_free(&src);
    kc_image_free(&dst);
}

Test(image, warp_identity_and_translation)
{
    struct kc_image src, dst;
    cr_assert_eq(kc_image_alloc(&src, 20, 15, NULL), 0);
    fill_pattern(&src);
    cr_assert_eq(kc_image_alloc(&dst, 20, 15, NULL), 0);
    struct kc_affine id = {1, 0, 0, 0, 1, 0};
    kc_image_warp(&src, &id, &dst);
    cr_assert_eq(memcmp(src.data, dst.data, (size_t)20 * 15 * 3), 0);
    struct kc_affine shift = {1, 0, 3, 0, 1, 2}; /* out(x,y) = in(x+3, y+2) */
    kc_image_warp(&src, &shift, &dst);
    for (int y = 0; y < 15; y++)
        for (int x = 0; x < 20; x++)
            for (int c = 0; c < 3; c++) {
                int want = (x + 3 < 20 && y + 2 < 15) ? px(&src, x + 3, y + 2)[c] : 0;
                cr_assert_eq(px(&dst, x, y)[c], want, "%d,%d,%d", x, y, c);
            }
    kc_image_free(&src);
    kc_image_free(&dst);
}

Test(image, warp_rotation_90_is_permutation)
{
    enum { N = 16 };
    struct kc_image src, dst;
    cr_assert_eq(kc_image_alloc(&src, N, N, NULL), 0);
    fill_pattern(&src);
    cr_assert_eq(kc_image_alloc(&dst, N, N, NULL), 0);
    struct kc_affine m = kc_affine_rotated_square(N / 2.0f, N / 2.0f, N, (float)M_PI / 2, N);
    kc_image_warp(&src, &m, &dst);
    /* src = c + R(90)(dst - c): output pixel (i,j) shows source pixel (N-1-j, i) */
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++)
            for (int c = 0; c < 3; c++)
                cr_assert(abs(px(&dst, i, j)[c] - px(&src, N - 1 - j, i)[c]) <= 1, "%d,%d", i, j);
    kc_image_free(&src);
    kc_image_free(&dst);
}

Test(image, rotated_square_levels_a_tilted_line)
{
    /* two "eyes" on a line at 30 degrees: after the transform they must have equal y, be
     * centred and be `dist * size/side` apart */
    float ax = 100, ay = 80, ang = (float)(M_PI / 6), dist = 40;
    float bx = ax + dist * cosf(ang), by = ay + dist * sinf(ang);
    float cx = (ax + bx) / 2, cy = (ay + by) / 2;
    struct kc_affine m = kc_affine_rotated_square(cx, cy, 120, ang, 192), inv;
    cr_assert_eq(kc_affine_invert(&m, &inv), 0);
    float qa[2], qb[2], qc[2];
    kc_affine_apply(&inv, ax, ay, &qa[0], &qa[1]);
    kc_affine_apply(&inv, bx, by, &qb[0], &qb[1]);
    kc_affine_apply(&inv, cx, cy, &qc[0], &qc[1]);
    cr_assert_float_eq(qa[1], qb[1], 1e-3);
    cr_assert_float_eq(qc[0], 96, 1e-3);
    cr_assert_float_eq(qc[1], 96, 1e-3);
    cr_assert_float_eq(qb[0] - qa[0], dist * 192 / 120, 1e-3);
    cr_assert_gt(qb[0], qa[0]);
}

Test(image, warp_outside_is_black)
{
    struct kc_image src, dst;
    cr_assert_eq(kc_image_alloc(&src, 4, 4, NULL), 0);
    memset(src.data, 200, (size_t)4 * 4 * 3);
    cr_assert_eq(kc_image_alloc(&dst, 8, 8, NULL), 0);
    struct kc_affine m = kc_affine_letterbox(4, 2, 8); /* 4x2 content centred in 8x8 */
    src.h = 2;
    kc_image_warp(&src, &m, &dst);
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++) cr_assert_eq(px(&dst, x, y)[0], (y >= 2 && y < 6) ? 200 : 0);
    kc_image_free(&src);
    kc_image_free(&dst);
}

Test(image, gray_and_tensor_normalisations)
{
    struct kc_image im;
    cr_assert_eq(kc_image_alloc(&im, 2, 1, NULL), 0);
    uint8_t v[6] = {100, 150, 200, 0, 255, 51};
    memcpy(im.data, v, 6);
    float gray[2], unit[6], sgn[6], emo[2];
    kc_image_to_gray(&im, gray);
    cr_assert_float_eq(gray[0], 0.2989 * 100 + 0.587 * 150 + 0.114 * 200, 1e-3);
    cr_assert_float_eq(gray[1], 0.587 * 255 + 0.114 * 51, 1e-3);
    kc_image_to_tensor(&im, KC_TENSOR_RGB_UNIT, unit);
    kc_image_to_tensor(&im, KC_TENSOR_RGB_SIGNED, sgn);
    kc_image_to_tensor(&im, KC_TENSOR_GRAY_SIGNED, emo);
    for (int i = 0; i < 6; i++) {
        cr_assert_float_eq(unit[i], v[i] / 255.0, 1e-6);
        cr_assert_float_eq(sgn[i], v[i] / 127.5 - 1, 1e-6);
    }
    cr_assert_float_eq(emo[0], (gray[0] / 255.0 - 0.5) * 2, 1e-5);
    cr_assert_float_eq(emo[1], (gray[1] / 255.0 - 0.5) * 2, 1e-5);
    /* the warp sampler gives the same values at identity */
    struct kc_affine id = {1, 0, 0, 0, 1, 0};
    float w[6];
    kc_image_warp_tensor(&im, &id, 2, 1, KC_TENSOR_RGB_SIGNED, w);
    for (int i = 0; i < 6; i++) cr_assert_float_eq(w[i], sgn[i], 1e-6);
    kc_image_free(&im);
}

Test(image, crop_copies_and_checks_bounds)
{
    struct kc_image src, out;
    struct kc_err err = {0};
    cr_assert_eq(kc_image_alloc(&src, 10, 8, NULL), 0);
    fill_pattern(&src);
    cr_assert_eq(kc_image_crop(&src, 2, 3, 5, 4, &out, &err), 0);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 5; x++)
            cr_assert_eq(memcmp(px(&out, x, y), px(&src, x + 2, y + 3), 3), 0);
    kc_image_free(&out);
    cr_assert_eq(kc_image_crop(&src, 6, 0, 5, 4, &out, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_eq(kc_image_crop(&src, -1, 0, 5, 4, &out, &err), -1);
    kc_image_free(&src);
}

/* ---- decoding ---------------------------------------------------------------------------- */

struct membuf {
    uint8_t *data;
    size_t len;
};

static void mem_write(void *ctx, void *data, int size)
{
    struct membuf *b = ctx;
    b->data = realloc(b->data, b->len + (size_t)size);
    memcpy(b->data + b->len, data, (size_t)size);
    b->len += (size_t)size;
}

static struct membuf encode(const char *fmt, int w, int h)
{
    struct kc_image im;
    struct membuf b = {0};
    cr_assert_eq(kc_image_alloc(&im, w, h, NULL), 0);
    fill_pattern(&im);
    if (!strcmp(fmt, "png")) {
        cr_assert(stbi_write_png_to_func(mem_write, &b, w, h, 3, im.data, (int)im.stride));
    } else {
        cr_assert(stbi_write_jpg_to_func(mem_write, &b, w, h, 3, im.data, 95));
    }
    kc_image_free(&im);
    return b;
}

Test(image, decode_png_roundtrip_exact)
{
    struct membuf b = encode("png", 21, 13);
    struct kc_image im, ref;
    cr_assert_eq(kc_image_decode(b.data, b.len, &im, NULL), 0);
    cr_assert_eq(im.w, 21);
    cr_assert_eq(im.h, 13);
    cr_assert_eq(kc_image_alloc(&ref, 21, 13, NULL), 0);
    fill_pattern(&ref);
    cr_assert_eq(memcmp(im.data, ref.data, (size_t)21 * 13 * 3), 0);
    kc_image_free(&im);
    kc_image_free(&ref);
    free(b.data);
}

Test(image, decode_jpeg_and_astronaut)
{
    struct membuf b = encode("jpg", 32, 24);
    struct kc_image im;
    cr_assert_eq(kc_image_decode(b.data, b.len, &im, NULL), 0);
    cr_assert_eq(im.w, 32);
    cr_assert_eq(im.h, 24);
    kc_image_free(&im);
    free(b.data);
    const char *shared = getenv("KC_SHARED_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/testdata/astronaut.png", shared ? shared : "/work/shared");
    struct kc_err err = {0};
    cr_assert_eq(kc_image_load(path, &im, &err), 0, "%s", err.message);
    cr_assert_eq(im.w, 512);
    cr_assert_eq(im.h, 512);
    kc_image_free(&im);
}

static void expect_reject(const uint8_t *data, size_t len, enum kc_err_code code, const char *what)
{
    struct kc_image im;
    struct kc_err err = {0};
    cr_assert_eq(kc_image_decode(data, len, &im, &err), -1, "%s decoded", what);
    cr_assert_eq(err.code, code, "%s: code %d (%s)", what, err.code, err.message);
    cr_assert_null(im.data);
    cr_assert_neq(err.message[0], 0);
}

Test(image, corrupt_data_is_rejected)
{
    static const uint8_t garbage[] = "this is not an image at all, just some text";
    expect_reject(garbage, sizeof garbage, KC_E_UNPROCESSABLE, "text");
    expect_reject(garbage, 0, KC_E_UNPROCESSABLE, "empty");
    struct membuf png = encode("png", 64, 64);
    expect_reject(png.data, 40, KC_E_UNPROCESSABLE, "truncated png");
    /* destroy the zlib stream inside IDAT */
    for (size_t i = 45; i < png.len - 12; i++) png.data[i] ^= 0x5a;
    expect_reject(png.data, png.len, KC_E_UNPROCESSABLE, "png with corrupt IDAT");
    free(png.data);
    struct membuf jpg = encode("jpg", 64, 64);
    expect_reject(jpg.data, 20, KC_E_UNPROCESSABLE, "jpeg cut in its header");
    jpg.data[3] = 0x00; /* break the first marker after SOI */
    expect_reject(jpg.data, jpg.len, KC_E_UNPROCESSABLE, "jpeg with a broken marker");
    free(jpg.data);
}

/* Rewrite the size fields of an encoded image, keeping everything else. */
static void patch_be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

Test(image, absurd_dimensions_are_rejected)
{
    struct membuf png = encode("png", 8, 8);
    /* IHDR width and height are big-endian u32 at offsets 16 and 20 */
    memcpy(png.data + 16, (uint8_t[]){0, 0, 0x4e, 0x20}, 4); /* 20000 */
    memcpy(png.data + 20, (uint8_t[]){0, 0, 0x4e, 0x20}, 4);
    expect_reject(png.data, png.len, KC_E_TOO_LARGE, "20000x20000 png");
    free(png.data);
    struct membuf jpg = encode("jpg", 8, 8);
    for (size_t i = 2; i + 9 < jpg.len; i++) {
        if (jpg.data[i] == 0xff && (jpg.data[i + 1] == 0xc0 || jpg.data[i + 1] == 0xc2)) {
            patch_be16(jpg.data + i + 5, 30000); /* height */
            patch_be16(jpg.data + i + 7, 30000); /* width */
            break;
        }
    }
    expect_reject(jpg.data, jpg.len, KC_E_TOO_LARGE, "30000x30000 jpeg");
    free(jpg.data);
}

Test(image, load_missing_file)
{
    struct kc_image im;
    struct kc_err err = {0};
    cr_assert_eq(kc_image_load("/nonexistent/x.png", &im, &err), -1);
    cr_assert_eq(err.code, KC_E_NOT_FOUND);
}

/* Deterministic mutations of valid files: every outcome must be a clean success or a clean
 * error (the decoder never crashes, never returns an image without pixels). */
Test(image, decode_survives_mutations)
{
    static const char *fmts[2] = {"png", "jpg"};
    uint32_t seed = 42;
    for (int f = 0; f < 2; f++) {
        struct membuf b = encode(fmts[f], 48, 40);
        uint8_t *copy = malloc(b.len);
        int ok = 0, rejected = 0;
        for (int round = 0; round < 300; round++) {
            memcpy(copy, b.data, b.len);
            for (int k = 0; k < 1 + round % 8; k++) {
                seed = seed * 1664525u + 1013904223u;
                copy[(seed >> 8) % b.len] = (uint8_t)(seed >> 24);
            }
            seed = seed * 1664525u + 1013904223u;
            size_t len = round % 3 == 0 ? (seed >> 8) % b.len + 1 : b.len; /* also truncate */
            struct kc_image im;
            struct kc_err err = {0};
            if (kc_image_decode(copy, len, &im, &err) == 0) {
                cr_assert(im.data && im.w > 0 && im.h > 0 && im.w <= KC_IMAGE_MAX_DIM);
                kc_image_free(&im);
                ok++;
            } else {
                cr_assert_neq(err.code, KC_OK);
                cr_assert_null(im.data);
                rejected++;
            }
        }
        cr_log_info("%s mutations: %d decoded, %d rejected", fmts[f], ok, rejected);
        cr_assert_gt(rejected, 0);
        free(copy);
        free(b.data);
    }
}
