/*
 * test_models_blazeface.c — BlazeFace wrapper (lib/ml/models/blazeface.c).
 *
 * ONNX Runtime's outputs are the reference for an ONNX model, so the golden tests check our
 * pre- and post-processing against independent math written here: the 512->128 letterbox of
 * the astronaut is an exact 4x downscale (mean of source pixels 4x+1 and 4x+2 per axis), and
 * the decode is re-derived from the raw tensors (anchor grid, sigmoid, score-weighted cluster).
 * Semantic tests: one face in astronaut.png, all faces of the group photos with tiling.
 * Tests needing assets skip only when the asset directory is missing.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ml/models/blazeface.h"
#include "ml/ort.h"

static const char *assets(void)
{
    const char *a = getenv("KOCRUIT_ASSETS");
    return a && *a ? a : KC_DEFAULT_ASSETS;
}

static void need_assets(void)
{
    struct stat st;
    if (stat(assets(), &st) != 0) cr_skip_test("asset directory %s is missing", assets());
}

static void load_astronaut(struct kc_image *im)
{
    const char *shared = getenv("KC_SHARED_DIR");
    char path[1024];
    struct kc_err err = {0};
    snprintf(path, sizeof path, "%s/testdata/astronaut.png", shared ? shared : "/work/shared");
    cr_assert_eq(kc_image_load(path, im, &err), 0, "%s", err.message);
}

static int inside(const struct kc_blazeface_face *f, struct kc_point2 p)
{
    return p.x >= f->x && p.x <= f->x + f->w && p.y >= f->y && p.y <= f->y + f->h;
}

/* ---- decode on synthetic raw tensors ------------------------------------------------------ */

struct raw_buf {
    float s16[512], s8[384], b16[512 * 16], b8[384 * 16];
};

static void raw_init(struct raw_buf *r)
{
    for (int i = 0; i < 512; i++) r->s16[i] = -10;
    for (int i = 0; i < 384; i++) r->s8[i] = -10;
    memset(r->b16, 0, sizeof r->b16);
    memset(r->b8, 0, sizeof r->b8);
}

static float logit(float p)
{
    return logf(p / (1 - p));
}

Test(blazeface, decode_single_anchor_by_hand)
{
    static struct raw_buf r;
    raw_init(&r);
    /* anchor 600 = layer 1 (8x8x6), cell (600-512)/6 = 14 -> gx 6, gy 1: centre (104, 24) px */
    r.s8[88] = logit(0.9f);
    float *b = r.b8 + 16 * 88;
    b[0] = 4, b[1] = -8, b[2] = 32, b[3] = 40;
    for (int k = 0; k < 6; k++) b[4 + 2 * k] = (float)k, b[5 + 2 * k] = (float)-k;
    /* image 256x128 letterboxed into 128x128: side 256, scale 2, y offset -64 */
    struct kc_affine m = kc_affine_letterbox(256, 128, 128);
    struct kc_blazeface_raw raw = {r.s16, r.s8, r.b16, r.b8};
    struct kc_blazeface_face c[4], f[4];
    int n = kc_blazeface_candidates(&raw, &m, 0.75f, c, 4);
    cr_assert_eq(n, 1);
    cr_assert_eq(kc_blazeface_nms(c, n, 0.3f, f, 4), 1);
    /* centre (108, 16) px, size 32x40 -> image: x*2, y*2-64 */
    cr_assert_float_eq(f[0].x, (108 - 16) * 2.0, 1e-4);
    cr_assert_float_eq(f[0].y, (16 - 20) * 2.0 - 64, 1e-4);
    cr_assert_float_eq(f[0].w, 64, 1e-4);
    cr_assert_float_eq(f[0].h, 80, 1e-4);
    cr_assert_float_eq(f[0].score, 0.9, 1e-5);
    for (int k = 0; k < 6; k++) {
        cr_assert_float_eq(f[0].keypoints[k].x, (104 + k) * 2.0, 1e-4);
        cr_assert_float_eq(f[0].keypoints[k].y, (24 - k) * 2.0 - 64, 1e-4);
    }
}

Test(blazeface, weighted_nms_merges_overlaps_only)
{
    static struct raw_buf r;
    raw_init(&r);
    /* anchors 0 and 1 share the cell (4,4) px centre; anchor 2 at (12,4); anchor 300 far away */
    r.s16[0] = logit(0.9f), r.s16[1] = logit(0.8f), r.s16[300] = logit(0.85f);
    r.s16[2] = logit(0.5f); /* below min score: ignored */
    float *b0 = r.b16, *b1 = r.b16 + 16, *b2 = r.b16 + 32;
    b0[2] = b0[3] = 20;
    b1[0] = 2, b1[2] = b1[3] = 20; /* shifted by 2 px: IoU 18*20/(800-360) = 0.82 */
    b2[2] = b2[3] = 20;
    r.b16[300 * 16 + 2] = r.b16[300 * 16 + 3] = 10;
    struct kc_affine id = kc_affine_resize(128, 128, 128, 128);
    struct kc_blazeface_raw raw = {r.s16, r.s8, r.b16, r.b8};
    struct kc_blazeface_face c[8], f[8];
    int n = kc_blazeface_candidates(&raw, &id, 0.75f, c, 8);
    cr_assert_eq(n, 3);
    cr_assert_eq(kc_blazeface_nms(c, n, 0.3f, f, 8), 2);
    cr_assert_float_eq(f[0].score, 0.9, 1e-5);
    double cx = (0.9 * 4 + 0.8 * 6) / 1.7; /* weighted centre x */
    cr_assert_float_eq(f[0].x + f[0].w / 2, cx, 1e-4);
    cr_assert_float_eq(f[0].w, 20, 1e-4);
    cr_assert_float_eq(f[1].score, 0.85, 1e-5);
    /* anchor 300: cell 150 -> gx 6, gy 9: centre (52, 76), size 10 */
    cr_assert_float_eq(f[1].x, 47, 1e-4);
    cr_assert_float_eq(f[1].y, 71, 1e-4);
    cr_assert_eq(kc_blazeface_nms(c, 0, 0.3f, f, 8), 0);
}

/* ---- with the model ----------------------------------------------------------------------- */

Test(blazeface, missing_model_is_unavailable)
{
    struct kc_err err = {0};
    cr_assert_null(kc_blazeface_open("/nonexistent/bf.onnx", NULL, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert_not_null(strstr(err.message, "/nonexistent/bf.onnx"), "%s", err.message);
}

Test(blazeface, astronaut_has_one_face_with_eyes_inside)
{
    need_assets();
    struct kc_err err = {0};
    struct kc_blazeface *m = kc_blazeface_open(NULL, NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    struct kc_image im;
    load_astronaut(&im);
    struct kc_blazeface_face f[8];
    int n = kc_blazeface_detect(m, &im, f, 8, &err);
    cr_assert_eq(n, 1, "faces: %d (%s)", n, err.message);
    cr_assert(f[0].score >= 0.75f && f[0].score <= 1.0f, "score %f", f[0].score);
    cr_assert(inside(&f[0], f[0].keypoints[KC_BLAZEFACE_RIGHT_EYE]));
    cr_assert(inside(&f[0], f[0].keypoints[KC_BLAZEFACE_LEFT_EYE]));
    /* the subject's right eye is on the image's left */
    cr_assert_lt(f[0].keypoints[0].x, f[0].keypoints[1].x);
    /* the face crop transform maps the crop centre to the box centre */
    struct kc_affine c = kc_blazeface_face_crop(&f[0], 1.5f, 192);
    float x, y;
    kc_affine_apply(&c, 96, 96, &x, &y);
    cr_assert_float_eq(x, f[0].x + f[0].w / 2, 1e-3);
    cr_assert_float_eq(y, f[0].y + f[0].h / 2, 1e-3);
    kc_image_free(&im);
    kc_blazeface_free(m);
}

/* Our preprocessing and decode against independent math on ORT's raw outputs. */
Test(blazeface, golden_astronaut_pre_and_post_processing)
{
    need_assets();
    struct kc_image im;
    load_astronaut(&im);
    static float mine[128 * 128 * 3], ref[128 * 128 * 3];
    struct kc_affine lb = kc_affine_letterbox(512, 512, 128);
    kc_image_warp_tensor(&im, &lb, 128, 128, KC_TENSOR_RGB_SIGNED, mine);
    for (int y = 0; y < 128; y++)
        for (int x = 0; x < 128; x++)
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int dy = 1; dy <= 2; dy++)
                    for (int dx = 1; dx <= 2; dx++)
                        s += im.data[(size_t)(4 * y + dy) * im.stride + (4 * x + dx) * 3 + c];
                ref[(y * 128 + x) * 3 + c] = (float)(s / 4 / 127.5 - 1);
            }
    for (int i = 0; i < 128 * 128 * 3; i++) cr_assert_float_eq(mine[i], ref[i], 1e-5, "at %d", i);

    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s", assets(), KC_BLAZEFACE_FILE);
    struct kc_err err = {0};
    struct kc_ort_session *s = kc_ort_session_open(path, NULL, &err);
    cr_assert_not_null(s, "%s", err.message);
    static float s16[512], s8[384], b16[512 * 16], b8[384 * 16];
    int64_t shape[4] = {1, 128, 128, 3};
    struct kc_ort_input in = {"input:0", KC_ORT_FLOAT, ref, shape, 4};
    struct kc_ort_output out[4] = {{.name = "Identity:0", .data = s16, .capacity = 512},
                                   {.name = "Identity_1:0", .data = s8, .capacity = 384},
                                   {.name = "Identity_2:0", .data = b16, .capacity = 512 * 16},
                                   {.name = "Identity_3:0", .data = b8, .capacity = 384 * 16}};
    cr_assert_eq(kc_ort_run(s, &in, 1, out, 4, &err), 0, "%s", err.message);
    kc_ort_session_free(s);

    /* independent decode: anchors as (layer, gy, gx, a), boxes in [0,1] units */
    double cand[896][5]; /* score, x0, y0, x1, y1 (normalised) */
    double kp[896][12];
    int n = 0, best = -1;
    for (int i = 0; i < 896; i++) {
        int l1 = i >= 512, j = l1 ? i - 512 : i, g = l1 ? 8 : 16, per = l1 ? 6 : 2;
        double ax = (j / per % g + 0.5) / g, ay = (j / per / g + 0.5) / g;
        const float *r = l1 ? b8 + 16 * j : b16 + 16 * j;
        double p = 1 / (1 + exp(-(double)(l1 ? s8[j] : s16[j])));
        if (p < 0.75) continue;
        double cx = ax + r[0] / 128.0, cy = ay + r[1] / 128.0, w = r[2] / 128.0, h = r[3] / 128.0;
        cand[n][0] = p, cand[n][1] = cx - w / 2, cand[n][2] = cy - h / 2;
        cand[n][3] = cx + w / 2, cand[n][4] = cy + h / 2;
        for (int k = 0; k < 6; k++) kp[n][2 * k] = ax + r[4 + 2 * k] / 128.0;
        for (int k = 0; k < 6; k++) kp[n][2 * k + 1] = ay + r[5 + 2 * k] / 128.0;
        if (best < 0 || p > cand[best][0]) best = n;
        n++;
    }
    cr_assert_geq(best, 0, "no anchor above 0.75");
    double acc[4] = {0}, acck[12] = {0}, ws = 0;
    for (int i = 0; i < n; i++) {
        double ix = fmin(cand[i][3], cand[best][3]) - fmax(cand[i][1], cand[best][1]);
        double iy = fmin(cand[i][4], cand[best][4]) - fmax(cand[i][2], cand[best][2]);
        double ai = (cand[i][3] - cand[i][1]) * (cand[i][4] - cand[i][2]);
        double ab = (cand[best][3] - cand[best][1]) * (cand[best][4] - cand[best][2]);
        double inter = ix > 0 && iy > 0 ? ix * iy : 0;
        if (i != best && inter / (ai + ab - inter) <= 0.3) continue;
        for (int k = 0; k < 4; k++) acc[k] += cand[i][0] * cand[i][1 + k];
        for (int k = 0; k < 12; k++) acck[k] += cand[i][0] * kp[i][k];
        ws += cand[i][0];
    }
    struct kc_blazeface *m = kc_blazeface_open(NULL, NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    struct kc_blazeface_face f[4];
    cr_assert_eq(kc_blazeface_detect(m, &im, f, 4, &err), 1);
    /* normalised -> image pixels: x 512 (the astronaut is square, no letterbox offset) */
    cr_assert_float_eq(f[0].score, cand[best][0], 1e-5);
    cr_assert_float_eq(f[0].x, acc[0] / ws * 512, 1e-4 * 512);
    cr_assert_float_eq(f[0].y, acc[1] / ws * 512, 1e-4 * 512);
    cr_assert_float_eq(f[0].x + f[0].w, acc[2] / ws * 512, 1e-4 * 512);
    cr_assert_float_eq(f[0].y + f[0].h, acc[3] / ws * 512, 1e-4 * 512);
    for (int k = 0; k < 6; k++) {
        cr_assert_float_eq(f[0].keypoints[k].x, acck[2 * k] / ws * 512, 1e-4 * 512);
        cr_assert_float_eq(f[0].keypoints[k].y, acck[2 * k + 1] / ws * 512, 1e-4 * 512);
    }
    kc_blazeface_free(m);
    kc_image_free(&im);
}

/* Group photos (what is in them was checked by eye): 3, 3, 3 and 4 people facing the camera,
 * faces 160-280 px in ~1920 px images — too small for one 128x128 pass, found with tiling. */
Test(blazeface, group_photos_with_tiles)
{
    need_assets();
    static const struct {
        const char *file;
        int faces;
    } cases[] = {{"sample1.jpg", 3}, {"sample2.jpg", 3}, {"sample3.jpg", 3}, {"sample6.jpg", 4}};
    struct kc_err err = {0};
    struct kc_blazeface_options opt = {.scan_tiles = 1};
    struct kc_blazeface *m = kc_blazeface_open(NULL, &opt, &err);
    cr_assert_not_null(m, "%s", err.message);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/img/%s", assets(), cases[c].file);
        struct kc_image im;
        cr_assert_eq(kc_image_load(path, &im, &err), 0, "%s", err.message);
        struct kc_blazeface_face f[16];
        int n = kc_blazeface_detect(m, &im, f, 16, &err);
        cr_assert_eq(n, cases[c].faces, "%s: %d faces", cases[c].file, n);
        for (int i = 0; i < n; i++) {
            cr_assert(inside(&f[i], f[i].keypoints[0]) && inside(&f[i], f[i].keypoints[1]),
                      "%s face %d: eyes outside the box", cases[c].file, i);
            cr_assert(f[i].w > 100 && f[i].w < 400, "%s face %d: width %f", cases[c].file, i,
                      f[i].w);
            for (int j = 0; j < i; j++) { /* distinct people: centres far apart */
                float dx = (f[i].x + f[i].w / 2) - (f[j].x + f[j].w / 2);
                float dy = (f[i].y + f[i].h / 2) - (f[j].y + f[j].h / 2);
                cr_assert_gt(hypotf(dx, dy), f[i].w / 2);
            }
        }
        kc_image_free(&im);
    }
    kc_blazeface_free(m);
}
