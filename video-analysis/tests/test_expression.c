/*
 * test_expression.c — the smile measure on synthetic mouth geometry (expression.h): feature
 * values, their invariance to head rotation/scale, the personal baseline and the smiling rule
 * on a series with a known fraction of smiles, and the emotion face box. No model is needed.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "expression.h"

#define RAD ((float)M_PI / 180.0f)

enum mouth_shape { NEUTRAL, SMILE, WIDE_VOWEL, OPEN_SMILE };

/* A face in millimetres (x right, y down, z away from the camera): outer eye corners 88 mm
 * apart, forehead (10) and chin (152) on the midline, upper inner lip (13) at y = 40. */
static void face(float (*p)[3], enum mouth_shape shape)
{
    memset(p, 0, 468 * sizeof *p);
    float pts[][4] = {
        {33, -44, -27, 0}, {263, 44, -27, 0}, {10, 0, -80, 0}, {152, 0, 90, 0}, {13, 0, 40, -5}};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
        memcpy(p[(int)pts[i][0]], &pts[i][1], 3 * sizeof(float));
    float half = 25, y = 45; /* neutral: 50 mm wide, corners 5 mm below the lip centre */
    if (shape == SMILE) half = 29, y = 42;
    if (shape == WIDE_VOWEL) half = 28.5f, y = 45;
    if (shape == OPEN_SMILE) half = 30, y = 41, p[13][1] = 39;
    float l[3] = {-half, y, 5}, r[3] = {half, y, 5};
    memcpy(p[61], l, sizeof l);
    memcpy(p[291], r, sizeof r);
}

/* Rotate (yaw about y, pitch about x, roll about z), scale and shift every point. */
static void move(float (*p)[3], float yaw, float pitch, float roll, float scale)
{
    float a = yaw * RAD, b = pitch * RAD, c = roll * RAD;
    for (int i = 0; i < 468; i++) {
        float x = p[i][0], y = p[i][1], z = p[i][2];
        float x1 = cosf(a) * x + sinf(a) * z, z1 = -sinf(a) * x + cosf(a) * z;
        float y2 = cosf(b) * y - sinf(b) * z1, z2 = sinf(b) * y + cosf(b) * z1;
        float x3 = cosf(c) * x1 - sinf(c) * y2, y3 = sinf(c) * x1 + cosf(c) * y2;
        p[i][0] = 96 + scale * x3, p[i][1] = 96 + scale * y3, p[i][2] = scale * z2;
    }
}

static float pts[468][3];

Test(expression, mouth_features)
{
    struct kc_mouth m;
    face(pts, NEUTRAL);
    cr_assert_eq(kc_expression_mouth((const float(*)[3])pts, &m), 0);
    cr_assert_float_eq(m.width_ratio, 50.0f / 88, 1e-5);
    cr_assert_float_eq(m.corner_lift, -5.0f / 88, 1e-5);
    face(pts, SMILE);
    kc_expression_mouth((const float(*)[3])pts, &m);
    cr_assert_float_eq(m.width_ratio, 58.0f / 88, 1e-5);
    cr_assert_float_eq(m.corner_lift, -2.0f / 88, 1e-5);
}

Test(expression, invariant_to_head_pose)
{
    struct kc_mouth ref, m;
    face(pts, SMILE);
    kc_expression_mouth((const float(*)[3])pts, &ref);
    const float poses[][4] = {
        {25, 0, 0, 1}, {0, -20, 0, 0.7f}, {0, 0, 30, 2}, {-30, 15, -12, 1.3f}};
    for (size_t k = 0; k < sizeof poses / sizeof poses[0]; k++) {
        face(pts, SMILE);
        move(pts, poses[k][0], poses[k][1], poses[k][2], poses[k][3]);
        cr_assert_eq(kc_expression_mouth((const float(*)[3])pts, &m), 0);
        cr_expect_float_eq(m.width_ratio, ref.width_ratio, 1e-4, "pose %zu", k);
        cr_expect_float_eq(m.corner_lift, ref.corner_lift, 1e-4, "pose %zu", k);
    }
    memset(pts, 0, sizeof pts);
    cr_assert_eq(kc_expression_mouth((const float(*)[3])pts, &m), -1, "degenerate face");
}

Test(expression, smile_ratio_against_own_baseline)
{
    /* 100 frames: 60 neutral, 10 wide vowels, 25 closed smiles, 5 open smiles, each under a
     * different head pose; exactly 30 % are smiles */
    static struct kc_mouth series[100];
    for (int i = 0; i < 100; i++) {
        enum mouth_shape s = i < 60 ? NEUTRAL : i < 70 ? WIDE_VOWEL : i < 95 ? SMILE : OPEN_SMILE;
        face(pts, s);
        move(pts, (float)(i % 7) * 5 - 15, (float)(i % 5) * 4 - 8, (float)(i % 3) * 6 - 6, 1.5f);
        cr_assert_eq(kc_expression_mouth((const float(*)[3])pts, &series[i]), 0);
    }
    struct kc_smile_baseline b;
    cr_assert_eq(kc_smile_baseline(series, 100, &b), 0);
    cr_assert_eq(b.frames, 100u);
    cr_assert_float_eq(b.width_ratio, 50.0f / 88, 1e-3);
    cr_assert_float_eq(b.corner_lift, -5.0f / 88, 1e-3);
    int smiles = 0;
    for (int i = 0; i < 100; i++) smiles += kc_smile_is(&series[i], &b);
    cr_assert_eq(smiles, 30);
    cr_assert_not(kc_smile_is(&series[65], &b), "a wide vowel is not a smile");
    /* too few frames: no baseline, nothing is called a smile */
    cr_assert_eq(kc_smile_baseline(series, KC_SMILE_MIN_FRAMES - 1, &b), 0);
    cr_assert(isnan(b.width_ratio));
    cr_assert_not(kc_smile_is(&series[80], &b));
}

Test(expression, emotion_face_box_covers_the_face)
{
    static float mesh[468][2];
    /* landmarks filling a 100 x 140 box centred at (300, 200), rolled by 20 degrees */
    float c = cosf(20 * RAD), s = sinf(20 * RAD);
    for (int i = 0; i < 468; i++) {
        float x = (float)(i % 11) * 10 - 50, y = (float)(i % 15) * 10 - 70;
        if (i == 33) x = -40, y = -20;
        if (i == 263) x = 40, y = -20;
        mesh[i][0] = 300 + c * x - s * y;
        mesh[i][1] = 200 + s * x + c * y;
    }
    struct kc_affine m = kc_expression_face_box((const float(*)[2])mesh, 64);
    float cx, cy, ex, ey, tx, ty;
    kc_affine_apply(&m, 32, 32, &cx, &cy); /* crop centre -> face centre */
    cr_assert_float_eq(cx, 300, 0.5);
    cr_assert_float_eq(cy, 200, 0.5);
    kc_affine_apply(&m, 64, 32, &ex, &ey); /* right edge, mid height: 70 px along the eye line */
    cr_assert_float_eq(hypotf(ex - cx, ey - cy), 70, 0.5);
    cr_assert_float_eq(atan2f(ey - cy, ex - cx) / RAD, 20, 0.5);
    kc_affine_apply(&m, 32, 0, &tx, &ty); /* top edge: the crop is square, side 140 */
    cr_assert_float_eq(hypotf(tx - cx, ty - cy), 70, 0.5);
}
