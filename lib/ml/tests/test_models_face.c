/*
 * test_models_face.c — semantic checks of the TF.js model wrappers on real photos.
 *
 * Chain as in production: BlazeFace box -> levelled 1.5x crop -> FaceMesh; FaceMesh eye
 * corners -> Iris crops (the right eye mirrored); face box -> Emotion; whole image -> PoseNet.
 * What the photos show was checked by eye: astronaut.png is one smiling man facing the camera;
 * in sample1.jpg the rightmost of three women laughs; in sample2.jpg the middle woman looks
 * down with a neutral-to-sad face. Tests skip only when the asset directory is missing.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ml/models/blazeface.h"
#include "ml/models/emotion.h"
#include "ml/models/facemesh.h"
#include "ml/models/iris.h"
#include "ml/models/posenet.h"

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

static void load(const char *which, struct kc_image *im)
{
    char path[1024];
    struct kc_err err = {0};
    if (!strcmp(which, "astronaut")) {
        const char *shared = getenv("KC_SHARED_DIR");
        snprintf(path, sizeof path, "%s/testdata/astronaut.png", shared ? shared : "/work/shared");
    } else {
        snprintf(path, sizeof path, "%s/img/%s.jpg", assets(), which);
    }
    cr_assert_eq(kc_image_load(path, im, &err), 0, "%s", err.message);
}

/* Faces of an image sorted left to right. */
static int faces_of(const struct kc_image *im, int tiles, struct kc_blazeface_face *f, int max)
{
    struct kc_err err = {0};
    struct kc_blazeface_options o = {.scan_tiles = tiles};
    struct kc_blazeface *bf = kc_blazeface_open(NULL, &o, &err);
    cr_assert_not_null(bf, "%s", err.message);
    int n = kc_blazeface_detect(bf, im, f, max, &err);
    cr_assert_geq(n, 1, "no face (%s)", err.message);
    kc_blazeface_free(bf);
    for (int i = 1; i < n; i++) /* insertion sort by x */
        for (int j = i; j > 0 && f[j].x < f[j - 1].x; j--) {
            struct kc_blazeface_face t = f[j];
            f[j] = f[j - 1];
            f[j - 1] = t;
        }
    return n;
}

static float dist(float ax, float ay, float bx, float by)
{
    return hypotf(ax - bx, ay - by);
}

Test(face_models, missing_or_wrong_files)
{
    struct kc_err err = {0};
    cr_assert_null(kc_facemesh_open("/nonexistent/fm.json", 1, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert_not_null(strstr(err.message, "/nonexistent/fm.json"), "%s", err.message);
    cr_assert_null(kc_iris_open("/nonexistent/iris.json", 1, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert_null(kc_emotion_open("/nonexistent/e.json", 1, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert_null(kc_posenet_open("/nonexistent/p.json", 1, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    need_assets();
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", assets(), KC_IRIS_FILE);
    kc_err_clear(&err);
    cr_assert_null(kc_facemesh_open(path, 1, &err), "iris.json accepted as FaceMesh");
    cr_assert_eq(err.code, KC_E_UNPROCESSABLE, "%s", err.message);
}

Test(face_models, facemesh_and_iris_on_astronaut)
{
    need_assets();
    struct kc_image im;
    struct kc_blazeface_face f[4];
    struct kc_err err = {0};
    load("astronaut", &im);
    cr_assert_eq(faces_of(&im, 0, f, 4), 1);
    struct kc_facemesh *fm = kc_facemesh_open(NULL, 1, &err);
    cr_assert_not_null(fm, "%s", err.message);
    static struct kc_facemesh_result r;
    struct kc_affine crop = kc_blazeface_face_crop(&f[0], 1.5f, KC_FACEMESH_SIZE);
    cr_assert_eq(kc_facemesh_run_image(fm, &im, &crop, &r, &err), 0, "%s", err.message);
    cr_assert_gt(r.face_flag, 0.9f, "face flag %f", r.face_flag);
    for (int i = 0; i < KC_FACEMESH_POINTS; i++) {
        cr_assert(r.points[i][0] >= 0 && r.points[i][0] <= 192 && r.points[i][1] >= 0 &&
                      r.points[i][1] <= 192,
                  "point %d at %f,%f outside the crop", i, r.points[i][0], r.points[i][1]);
    }
    /* mesh eye centres (corner midpoints) agree with the detector's eye keypoints */
    float lx = (r.image[362][0] + r.image[263][0]) / 2,
          ly = (r.image[362][1] + r.image[263][1]) / 2;
    float rx = (r.image[33][0] + r.image[133][0]) / 2, ry = (r.image[33][1] + r.image[133][1]) / 2;
    const struct kc_point2 *bl = &f[0].keypoints[KC_BLAZEFACE_LEFT_EYE];
    const struct kc_point2 *br = &f[0].keypoints[KC_BLAZEFACE_RIGHT_EYE];
    cr_assert_lt(dist(lx, ly, bl->x, bl->y), 0.1f * f[0].w, "left eye %f,%f", lx, ly);
    cr_assert_lt(dist(rx, ry, br->x, br->y), 0.1f * f[0].w, "right eye %f,%f", rx, ry);

    /* a crop of background (top-left corner, no face) has a low face flag */
    struct kc_affine bg = kc_affine_rect(0, 0, 100, 100, KC_FACEMESH_SIZE, KC_FACEMESH_SIZE);
    static struct kc_facemesh_result rb;
    cr_assert_eq(kc_facemesh_run_image(fm, &im, &bg, &rb, &err), 0, "%s", err.message);
    cr_log_info("face flag: face %.4f, background %.4f", r.face_flag, rb.face_flag);
    cr_assert_lt(rb.face_flag, 0.5f, "background face flag %f", rb.face_flag);

    /* iris: both eyes, the right one mirrored; centres land on the detector's eyes */
    struct kc_iris *ir = kc_iris_open(NULL, 1, &err);
    cr_assert_not_null(ir, "%s", err.message);
    static struct kc_iris_result il, irr;
    struct kc_affine el =
        kc_iris_eye_crop(r.image[362][0], r.image[362][1], r.image[263][0], r.image[263][1], 0);
    struct kc_affine er =
        kc_iris_eye_crop(r.image[33][0], r.image[33][1], r.image[133][0], r.image[133][1], 1);
    cr_assert_eq(kc_iris_run_image(ir, &im, &el, &il, &err), 0, "%s", err.message);
    cr_assert_eq(kc_iris_run_image(ir, &im, &er, &irr, &err), 0, "%s", err.message);
    for (int i = 0; i < KC_IRIS_POINTS; i++) {
        cr_assert(il.iris[i][0] > 8 && il.iris[i][0] < 56 && il.iris[i][1] > 8 &&
                  il.iris[i][1] < 56);
    }
    cr_assert_lt(dist(il.iris_image[0][0], il.iris_image[0][1], lx, ly), 0.08f * f[0].w);
    cr_assert_lt(dist(irr.iris_image[0][0], irr.iris_image[0][1], rx, ry), 0.08f * f[0].w);
    cr_assert_lt(irr.iris_image[0][0], il.iris_image[0][0], "right eye is on the image left");
    kc_iris_free(ir);
    kc_facemesh_free(fm);
    kc_image_free(&im);
}

static int argmax7(const float *p)
{
    int a = 0;
    for (int i = 1; i < KC_EMOTION_CLASSES; i++)
        if (p[i] > p[a]) a = i;
    return a;
}

Test(face_models, emotion_happy_on_smiles_only)
{
    need_assets();
    struct kc_err err = {0};
    struct kc_emotion *em = kc_emotion_open(NULL, 1, &err);
    cr_assert_not_null(em, "%s", err.message);
    static const struct {
        const char *image;
        int tiles, pick; /* face index left to right; -1 = rightmost */
        int happy;
    } cases[] = {{"astronaut", 0, 0, 1}, {"sample1", 1, -1, 1}, {"sample2", 1, 1, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct kc_image im;
        struct kc_blazeface_face f[8];
        load(cases[c].image, &im);
        int n = faces_of(&im, cases[c].tiles, f, 8);
        const struct kc_blazeface_face *face = &f[cases[c].pick < 0 ? n - 1 : cases[c].pick];
        struct kc_affine box =
            kc_affine_rect(face->x, face->y, face->w, face->h, KC_EMOTION_SIZE, KC_EMOTION_SIZE);
        float p[KC_EMOTION_CLASSES], sum = 0;
        cr_assert_eq(kc_emotion_run_image(em, &im, &box, p, &err), 0, "%s", err.message);
        for (int i = 0; i < KC_EMOTION_CLASSES; i++) sum += p[i];
        cr_assert_float_eq(sum, 1.0, 1e-4);
        int a = argmax7(p);
        cr_log_info("%s: %s %.3f, happy %.3f", cases[c].image, kc_emotion_labels[a], p[a],
                    p[KC_EMOTION_HAPPY]);
        if (cases[c].happy) {
            cr_assert_eq(a, KC_EMOTION_HAPPY, "%s: %s", cases[c].image, kc_emotion_labels[a]);
            cr_assert_gt(p[KC_EMOTION_HAPPY], 0.9f);
        } else {
            cr_assert_lt(p[KC_EMOTION_HAPPY], 0.5f, "%s", cases[c].image);
        }
        kc_image_free(&im);
    }
    kc_emotion_free(em);
}

Test(face_models, posenet_on_astronaut)
{
    need_assets();
    struct kc_image im;
    struct kc_blazeface_face f[4];
    struct kc_err err = {0};
    load("astronaut", &im);
    cr_assert_eq(faces_of(&im, 0, f, 4), 1);
    struct kc_posenet *pn = kc_posenet_open(NULL, 1, &err);
    cr_assert_not_null(pn, "%s", err.message);
    struct kc_posenet_pose pose;
    cr_assert_eq(kc_posenet_run_image(pn, &im, &pose, &err), 0, "%s", err.message);
    const struct kc_posenet_keypoint *k = pose.keypoints;
    for (int i = 0; i < 3; i++) { /* nose, left eye, right eye: confident and inside the face */
        cr_assert_gt(k[i].score, 0.9f, "%s score %f", kc_posenet_names[i], k[i].score);
        cr_assert(k[i].x > f[0].x && k[i].x < f[0].x + f[0].w && k[i].y > f[0].y &&
                      k[i].y < f[0].y + f[0].h,
                  "%s at %f,%f outside the face box", kc_posenet_names[i], k[i].x, k[i].y);
    }
    /* the subject's left eye is on the image's right and matches BlazeFace's left eye */
    cr_assert_gt(k[1].x, k[2].x);
    cr_assert_lt(dist(k[1].x, k[1].y, f[0].keypoints[1].x, f[0].keypoints[1].y), 0.1f * f[0].w);
    /* the left shoulder is below the face, on the image's right */
    cr_assert_gt(k[5].score, 0.5f);
    cr_assert_gt(k[5].y, f[0].y + f[0].h);
    cr_assert_gt(k[5].x, f[0].x + f[0].w / 2);
    kc_posenet_free(pn);
    kc_image_free(&im);
}
