/*
 * test_eyes.c — EAR geometry, the blink detector on synthetic EAR series with known blinks,
 * iris offsets and the eye-contact rule (eyes.h). No model is needed.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "eyes.h"

static float mesh[468][2];

/* Place one eye: corners at (x0, y0) and (x0 + w, y0), lids at +-h, rotated by `deg` around the
 * eye centre. EAR is then 2h / w. */
static void put_eye(enum kc_eye eye, float x0, float y0, float w, float h, float deg)
{
    static const int idx[2][10] = {
        /* p1 p2 p3 p4 p5 p6 upper lower (EAR), then corners for the gaze frame */
        {33, 160, 158, 133, 153, 144, 159, 145, 0, 0},
        {362, 385, 387, 263, 373, 380, 386, 374, 0, 0}};
    const int *p = idx[eye];
    float pts[8][2] = {{0, 0},         {0.27f * w, -h}, {0.73f * w, -h}, {w, 0},
                       {0.73f * w, h}, {0.27f * w, h},  {0.5f * w, -h},  {0.5f * w, h}};
    float c = cosf(deg * (float)M_PI / 180), s = sinf(deg * (float)M_PI / 180);
    for (int i = 0; i < 8; i++) {
        float x = pts[i][0] - w / 2, y = pts[i][1];
        mesh[p[i]][0] = x0 + w / 2 + c * x - s * y;
        mesh[p[i]][1] = y0 + s * x + c * y;
    }
}

Test(eyes, ear_geometry)
{
    put_eye(KC_EYE_RIGHT, 100, 100, 30, 4.5f, 0);
    put_eye(KC_EYE_LEFT, 160, 100, 30, 3.0f, 0);
    cr_assert_float_eq(kc_eyes_ear((const float(*)[2])mesh, KC_EYE_RIGHT), 0.3f, 1e-5);
    cr_assert_float_eq(kc_eyes_ear((const float(*)[2])mesh, KC_EYE_LEFT), 0.2f, 1e-5);
    cr_assert_float_eq(kc_eyes_ear_mean((const float(*)[2])mesh), 0.25f, 1e-5);
    /* rotation and scale do not change it */
    put_eye(KC_EYE_RIGHT, 40, 300, 90, 13.5f, 35);
    cr_assert_float_eq(kc_eyes_ear((const float(*)[2])mesh, KC_EYE_RIGHT), 0.3f, 1e-4);
    /* degenerate: corners on top of each other */
    put_eye(KC_EYE_RIGHT, 100, 100, 0, 3, 0);
    cr_assert(isnan(kc_eyes_ear((const float(*)[2])mesh, KC_EYE_RIGHT)));
    cr_assert(isnan(kc_eyes_ear(NULL, KC_EYE_LEFT)));
}

Test(eyes, gaze_offsets)
{
    struct kc_eye_gaze g;
    put_eye(KC_EYE_RIGHT, 100, 100, 40, 6, 0);
    cr_assert_eq(kc_eyes_gaze_offset((const float(*)[2])mesh, KC_EYE_RIGHT, 120, 100, &g), 0);
    cr_assert_float_eq(g.h, 0, 1e-5);
    cr_assert_float_eq(g.v, 0, 1e-5);
    /* iris 8 px right (0.2 eye widths) and 2 px down (0.05) */
    kc_eyes_gaze_offset((const float(*)[2])mesh, KC_EYE_RIGHT, 128, 102, &g);
    cr_assert_float_eq(g.h, 0.2f, 1e-5);
    cr_assert_float_eq(g.v, 0.05f, 1e-5);
    /* the same in a head rolled by 30 degrees: offsets follow the eye's own axes */
    put_eye(KC_EYE_LEFT, 100, 100, 40, 6, 30);
    float c = cosf((float)M_PI / 6), s = sinf((float)M_PI / 6);
    float ix = 120 + c * 8 - s * 2, iy = 100 + s * 8 + c * 2;
    cr_assert_eq(kc_eyes_gaze_offset((const float(*)[2])mesh, KC_EYE_LEFT, ix, iy, &g), 0);
    cr_assert_float_eq(g.h, 0.2f, 1e-4);
    cr_assert_float_eq(g.v, 0.05f, 1e-4);
    cr_assert_eq(kc_eyes_gaze_offset((const float(*)[2])mesh, KC_EYE_LEFT, NAN, 1, &g), -1);
}

Test(eyes, contact_rule)
{
    struct kc_eye_gaze centred = {0.02f, -0.03f}, aside = {0.2f, 0}, low = {0, 0.2f};
    cr_assert(kc_eyes_contact(3, -8, &centred));
    cr_assert(kc_eyes_contact(-15, 15, &centred));
    cr_assert_not(kc_eyes_contact(20, 0, &centred));
    cr_assert_not(kc_eyes_contact(0, -16, &centred));
    cr_assert_not(kc_eyes_contact(0, 0, &aside));
    cr_assert_not(kc_eyes_contact(0, 0, &low));
    cr_assert_not(kc_eyes_contact(0, 0, NULL));
}

/* ---- blinks ------------------------------------------------------------------------------- */

struct series {
    double t[4000];
    float ear[4000];
    size_t n;
};

/* Open eyes at `open` with +-noise, sampled at fps for dur seconds. */
static void open_eyes(struct series *s, double fps, double dur, float open, float noise)
{
    s->n = 0;
    for (double t = 0; t < dur && s->n < 4000; t += 1.0 / fps, s->n++) {
        s->t[s->n] = t;
        s->ear[s->n] = open + noise * (2.0f * (float)rand() / (float)RAND_MAX - 1.0f);
    }
}

/* Close the eyes to `closed` on the samples in [start, start + len). */
static void close_eyes(struct series *s, double start, double len, float closed)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->t[i] >= start - 1e-9 && s->t[i] < start + len - 1e-9) s->ear[i] = closed;
}

Test(eyes, blinks_at_15_fps)
{
    static struct series s;
    struct kc_blink b[32];
    float base;
    srand(11);
    open_eyes(&s, 15, 60, 0.30f, 0.015f);
    /* 10 blinks of 1-4 frames (67-267 ms below the close level) */
    const double at[10] = {2, 7.5, 13, 19.2, 24, 30.4, 37, 41.1, 50, 56.6};
    for (int i = 0; i < 10; i++) close_eyes(&s, at[i], (1 + i % 4) / 15.0, 0.08f + 0.02f * (i % 3));
    /* not blinks: a 1.2 s closure (deliberate), a dip to 0.8 x (partial, above 0.75 x) */
    close_eyes(&s, 45, 1.2, 0.05f);
    close_eyes(&s, 53, 0.2, 0.24f);
    size_t n = kc_eyes_blinks(s.t, s.ear, s.n, NULL, b, 32, &base);
    cr_assert_float_eq(base, 0.30f, 0.01f);
    cr_assert_eq(n, 10u, "found %zu blinks", n);
    for (size_t i = 0; i < n && i < 10; i++) {
        cr_expect_float_eq(b[i].start, at[i], 1.0 / 15 + 1e-6, "blink %zu at %f", i, b[i].start);
        cr_expect_lt(b[i].min_ear, 0.13f);
    }
}

Test(eyes, blinks_adapt_to_the_person)
{
    static struct series s;
    /* narrow eyes: open EAR 0.20 — a fixed 0.2 threshold would see blinks everywhere */
    srand(5);
    open_eyes(&s, 30, 40, 0.20f, 0.01f);
    for (int i = 0; i < 8; i++) close_eyes(&s, 3.0 + 4.5 * i, 0.15, 0.07f);
    cr_assert_eq(kc_eyes_blinks(s.t, s.ear, s.n, NULL, NULL, 0, NULL), 8u);
}

Test(eyes, blink_noise_and_gaps)
{
    static struct series s;
    float base;
    srand(9);
    open_eyes(&s, 30, 20, 0.30f, 0.01f);
    /* a single-frame glitch at 30 fps lasts 33 ms < 50 ms: landmark noise, not a blink */
    close_eyes(&s, 5.0, 1.0 / 30, 0.05f);
    cr_assert_eq(kc_eyes_blinks(s.t, s.ear, s.n, NULL, NULL, 0, &base), 0u);
    /* a dip that spans a hole in the face track is not counted */
    close_eyes(&s, 10.0, 0.2, 0.05f);
    for (size_t i = 0; i < s.n; i++)
        if (s.t[i] > 10.05) s.t[i] += 1.0;
    cr_assert_eq(kc_eyes_blinks(s.t, s.ear, s.n, NULL, NULL, 0, &base), 0u);
    /* non-finite samples are skipped, an empty series has no baseline */
    s.ear[3] = NAN;
    cr_assert_eq(kc_eyes_blinks(s.t, s.ear, 10, NULL, NULL, 0, &base), 0u);
    cr_assert_eq(kc_eyes_blinks(s.t, s.ear, 0, NULL, NULL, 0, &base), 0u);
    cr_assert(isnan(base));
}
