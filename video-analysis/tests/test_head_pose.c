/*
 * test_head_pose.c — the weak-perspective PnP solver and the nod counter on synthetic data.
 *
 * Pose: the canonical model points are rotated with an independently written rotation
 * (R = Rz(roll) Rx(-pitch) Ry(-yaw), the convention head_pose.h documents), projected either
 * orthographically (the solver's own camera model: recovery must be essentially exact) or
 * through a pinhole camera at a realistic distance (the model's approximation error: within
 * 2 degrees), with optional pixel noise, and the angles must come back. The sign conventions
 * are checked against what an observer sees (nose tip moving right for positive yaw, ...).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "head_pose.h"

#define RAD (M_PI / 180.0)

/* Written out independently of head_pose.c: rotate about y, then x, then z. */
static void rotate(const float p[3], double yaw, double pitch, double roll, double q[3])
{
    double a = -yaw * RAD, b = -pitch * RAD, c = roll * RAD;
    double x1 = cos(a) * p[0] + sin(a) * p[2], y1 = p[1], z1 = -sin(a) * p[0] + cos(a) * p[2];
    double x2 = x1, y2 = cos(b) * y1 - sin(b) * z1, z2 = sin(b) * y1 + cos(b) * z1;
    q[0] = cos(c) * x2 - sin(c) * y2;
    q[1] = sin(c) * x2 + cos(c) * y2;
    q[2] = z2;
}

/* Project the model, centred on its centroid: dist_cm <= 0 means orthographic with scale
 * `px_per_cm`; otherwise a pinhole camera with the centroid on the optical axis dist_cm away and
 * a focal length that gives the centroid the scale px_per_cm. Noise: uniform +-noise_px. */
static void project(double yaw, double pitch, double roll, double dist_cm, double px_per_cm,
                    double noise_px, float (*out)[2])
{
    double c[3] = {0, 0, 0};
    for (int i = 0; i < KC_HEAD_POSE_POINTS; i++)
        for (int k = 0; k < 3; k++) c[k] += kc_head_pose_model[i][k] / KC_HEAD_POSE_POINTS;
    for (int i = 0; i < KC_HEAD_POSE_POINTS; i++) {
        float p[3];
        double q[3];
        for (int k = 0; k < 3; k++) p[k] = (float)(kc_head_pose_model[i][k] - c[k]);
        rotate(p, yaw, pitch, roll, q);
        double s = dist_cm > 0 ? px_per_cm * dist_cm / (dist_cm + q[2]) : px_per_cm;
        double nx = noise_px * (2.0 * rand() / RAND_MAX - 1.0);
        double ny = noise_px * (2.0 * rand() / RAND_MAX - 1.0);
        out[i][0] = (float)(640 + s * q[0] + nx);
        out[i][1] = (float)(360 + s * q[1] + ny);
    }
}

static const double poses[][3] = {
    {0, 0, 0},   {20, 0, 0},  {-25, 0, 0},   {0, 15, 0},    {0, -20, 0},   {0, 0, 12},
    {0, 0, -30}, {15, 10, 5}, {-30, -15, 8}, {35, 20, -15}, {-10, 25, 20}, {5, -5, -45},
};

Test(head_pose, orthographic_exact)
{
    for (size_t k = 0; k < sizeof poses / sizeof poses[0]; k++) {
        float pts[KC_HEAD_POSE_POINTS][2];
        struct kc_head_pose hp;
        project(poses[k][0], poses[k][1], poses[k][2], 0, 12.0, 0, pts);
        cr_assert_eq(kc_head_pose_solve((const float(*)[2])pts, kc_head_pose_model,
                                        KC_HEAD_POSE_POINTS, NULL, &hp),
                     0);
        cr_expect_float_eq(hp.yaw, poses[k][0], 0.05, "pose %zu yaw %f", k, hp.yaw);
        cr_expect_float_eq(hp.pitch, poses[k][1], 0.05, "pose %zu pitch %f", k, hp.pitch);
        cr_expect_float_eq(hp.roll, poses[k][2], 0.05, "pose %zu roll %f", k, hp.roll);
        cr_expect_float_eq(hp.scale, 12.0, 0.01);
        cr_expect_lt(hp.rms, 1e-3);
    }
}

/* A 1280x720 webcam with horizontal field of view hfov; the face centre dist_cm away. */
static void pinhole_case(double hfov, double assumed_hfov, double tol)
{
    srand(7);
    double focal = 640.0 / tan(hfov / 2 * RAD);
    for (size_t k = 0; k < sizeof poses / sizeof poses[0]; k++) {
        float pts[KC_HEAD_POSE_POINTS][2];
        struct kc_head_pose hp, weak;
        /* 55 cm away, half a pixel of landmark noise */
        project(poses[k][0], poses[k][1], poses[k][2], 55.0, focal / 55.0, 0.5, pts);
        struct kc_head_pose_camera cam = {(float)(640.0 / tan(assumed_hfov / 2 * RAD)), 640.0f,
                                          360.0f};
        cr_assert_eq(kc_head_pose_solve((const float(*)[2])pts, kc_head_pose_model,
                                        KC_HEAD_POSE_POINTS, &cam, &hp),
                     0);
        cr_assert_eq(kc_head_pose_solve((const float(*)[2])pts, kc_head_pose_model,
                                        KC_HEAD_POSE_POINTS, NULL, &weak),
                     0);
        cr_log_info("fov %.0f/%.0f pose %zu: pinhole %.2f %.2f %.2f, weak %.2f %.2f %.2f, %.1f cm",
                    hfov, assumed_hfov, k, hp.yaw, hp.pitch, hp.roll, weak.yaw, weak.pitch,
                    weak.roll, hp.distance);
        cr_expect_float_eq(hp.yaw, poses[k][0], tol, "pose %zu yaw %f", k, hp.yaw);
        cr_expect_float_eq(hp.pitch, poses[k][1], tol, "pose %zu pitch %f", k, hp.pitch);
        cr_expect_float_eq(hp.roll, poses[k][2], tol, "pose %zu roll %f", k, hp.roll);
    }
}

Test(head_pose, pinhole_known_camera)
{
    pinhole_case(65.0, 65.0, 0.5);
}

Test(head_pose, pinhole_assumed_camera_within_two_degrees)
{
    pinhole_case(50.0, KC_HEAD_POSE_HFOV_DEG, 2.0);
    pinhole_case(80.0, KC_HEAD_POSE_HFOV_DEG, 2.0);
}

/* A face off the optical axis that looks straight at the lens has rotation Q (the turn from
 * the optical axis onto the ray to the face) in camera axes; the solver reports it relative to
 * that ray, i.e. (0, 0, 0) plus whatever the head does on top. */
Test(head_pose, angles_relative_to_line_of_sight)
{
    const double focal = 640.0 / tan(32.5 * RAD), pos[3] = {-18, -10, 60}; /* up left, 60 cm */
    double n = sqrt(pos[0] * pos[0] + pos[1] * pos[1] + pos[2] * pos[2]);
    double d[3] = {pos[0] / n, pos[1] / n, pos[2] / n};
    double s = sqrt(d[0] * d[0] + d[1] * d[1]), ux = -d[1] / s, uy = d[0] / s, cth = d[2];
    /* Rodrigues for axis (ux, uy, 0), angle acos(d_z) */
    double q[9] = {cth + ux * ux * (1 - cth),
                   ux * uy * (1 - cth),
                   uy * s,
                   ux * uy * (1 - cth),
                   cth + uy * uy * (1 - cth),
                   -ux * s,
                   -uy * s,
                   ux * s,
                   cth};
    const double rel[][3] = {{0, 0, 0}, {10, -5, 3}, {-20, 10, -8}};
    double c[3] = {0, 0, 0};
    for (int i = 0; i < KC_HEAD_POSE_POINTS; i++)
        for (int k = 0; k < 3; k++) c[k] += kc_head_pose_model[i][k] / KC_HEAD_POSE_POINTS;
    for (size_t k = 0; k < sizeof rel / sizeof rel[0]; k++) {
        float pts[KC_HEAD_POSE_POINTS][2];
        for (int i = 0; i < KC_HEAD_POSE_POINTS; i++) {
            float p[3];
            double r[3], cam[3];
            for (int j = 0; j < 3; j++) p[j] = (float)(kc_head_pose_model[i][j] - c[j]);
            rotate(p, rel[k][0], rel[k][1], rel[k][2], r);
            for (int j = 0; j < 3; j++)
                cam[j] = q[3 * j] * r[0] + q[3 * j + 1] * r[1] + q[3 * j + 2] * r[2] + pos[j];
            pts[i][0] = (float)(640 + focal * cam[0] / cam[2]);
            pts[i][1] = (float)(360 + focal * cam[1] / cam[2]);
        }
        struct kc_head_pose_camera cam = {(float)focal, 640, 360};
        struct kc_head_pose hp;
        cr_assert_eq(kc_head_pose_solve((const float(*)[2])pts, kc_head_pose_model,
                                        KC_HEAD_POSE_POINTS, &cam, &hp),
                     0);
        cr_expect_float_eq(hp.yaw, rel[k][0], 0.05, "case %zu yaw %f", k, hp.yaw);
        cr_expect_float_eq(hp.pitch, rel[k][1], 0.05, "case %zu pitch %f", k, hp.pitch);
        cr_expect_float_eq(hp.roll, rel[k][2], 0.05, "case %zu roll %f", k, hp.roll);
        cr_expect_float_eq(hp.distance, n, 0.05);
    }
}

Test(head_pose, webcam_camera)
{
    struct kc_head_pose_camera c = kc_head_pose_webcam(1280, 720);
    cr_assert_float_eq(c.cx, 640.0f, 1e-3);
    cr_assert_float_eq(c.cy, 360.0f, 1e-3);
    cr_assert_float_eq(c.focal, 640.0 / tan(KC_HEAD_POSE_HFOV_DEG / 2 * RAD), 1e-2);
}

Test(head_pose, sign_conventions_as_seen)
{
    /* a face turned to the image's right shows its nose tip right of the face centre */
    float pts[KC_HEAD_POSE_POINTS][2];
    struct kc_head_pose hp;
    project(20, 0, 0, 0, 10.0, 0, pts);
    cr_assert_gt(pts[0][0], 640.0f + 10.0f); /* landmark 1, the nose tip */
    cr_assert_eq(kc_head_pose_solve((const float(*)[2])pts, kc_head_pose_model, KC_HEAD_POSE_POINTS,
                                    NULL, &hp),
                 0);
    cr_assert_gt(hp.yaw, 15.0f);
    /* chin up: the nose tip rises above its frontal position */
    float front[KC_HEAD_POSE_POINTS][2];
    project(0, 0, 0, 0, 10.0, 0, front);
    project(0, 20, 0, 0, 10.0, 0, pts);
    cr_assert_lt(pts[0][1], front[0][1]);
    /* clockwise roll: the image-right eye corner (263) goes down */
    project(0, 0, 15, 0, 10.0, 0, pts);
    cr_assert_gt(pts[3][1], pts[2][1]);
    float r[9];
    kc_head_pose_rotation(10, 20, 30, r);
    double q[3];
    rotate(kc_head_pose_model[0], 10, 20, 30, q);
    const float *p = kc_head_pose_model[0];
    cr_assert_float_eq(r[0] * p[0] + r[1] * p[1] + r[2] * p[2], q[0], 1e-4);
    cr_assert_float_eq(r[3] * p[0] + r[4] * p[1] + r[5] * p[2], q[1], 1e-4);
    cr_assert_float_eq(r[6] * p[0] + r[7] * p[1] + r[8] * p[2], q[2], 1e-4);
}

Test(head_pose, from_mesh_uses_the_documented_landmarks)
{
    static float mesh[468][2];
    float pts[KC_HEAD_POSE_POINTS][2];
    project(-12, 8, 4, 0, 9.0, 0, pts);
    for (int i = 0; i < 468; i++) mesh[i][0] = mesh[i][1] = NAN; /* unused points are ignored */
    for (int i = 0; i < KC_HEAD_POSE_POINTS; i++) {
        mesh[kc_head_pose_landmarks[i]][0] = pts[i][0];
        mesh[kc_head_pose_landmarks[i]][1] = pts[i][1];
    }
    struct kc_head_pose hp;
    cr_assert_eq(kc_head_pose_from_mesh((const float(*)[2])mesh, NULL, &hp), 0);
    cr_expect_float_eq(hp.yaw, -12.0, 0.05);
    cr_expect_float_eq(hp.pitch, 8.0, 0.05);
    cr_expect_float_eq(hp.roll, 4.0, 0.05);
}

Test(head_pose, degenerate_input_is_refused)
{
    float same[KC_HEAD_POSE_POINTS][2];
    struct kc_head_pose hp;
    for (int i = 0; i < KC_HEAD_POSE_POINTS; i++) same[i][0] = same[i][1] = 5.0f;
    cr_assert_eq(kc_head_pose_solve((const float(*)[2])same, kc_head_pose_model,
                                    KC_HEAD_POSE_POINTS, NULL, &hp),
                 -1);
    same[3][0] = NAN;
    cr_assert_eq(kc_head_pose_solve((const float(*)[2])same, kc_head_pose_model,
                                    KC_HEAD_POSE_POINTS, NULL, &hp),
                 -1);
    cr_assert_eq(kc_head_pose_solve(NULL, kc_head_pose_model, KC_HEAD_POSE_POINTS, NULL, &hp), -1);
    cr_assert_eq(kc_head_pose_solve((const float(*)[2])same, kc_head_pose_model, 3, NULL, &hp), -1);
}

/* A pitch series at 15 fps: still, `nods` down-up cycles of amplitude amp at 1 Hz, still. */
static size_t make_series(double *t, float *pitch, int nods, double amp, double noise)
{
    size_t n = 0;
    double fps = 15.0, dur = 2.0 + nods + 2.0;
    for (double s = 0; s < dur; s += 1.0 / fps, n++) {
        t[n] = s;
        double v = -5.0; /* looking slightly down at the screen */
        if (s >= 2.0 && s < 2.0 + nods) v -= amp * 0.5 * (1 - cos(2 * M_PI * (s - 2.0)));
        pitch[n] = (float)(v + noise * (2.0 * rand() / RAND_MAX - 1.0));
    }
    return n;
}

Test(head_pose, nods_counted)
{
    static double t[400];
    static float p[400];
    double when[8];
    srand(3);
    for (int nods = 0; nods <= 4; nods++) {
        size_t n = make_series(t, p, nods, 10.0, 1.0);
        size_t got = kc_head_pose_nods(t, p, n, 0.5, when, 8);
        cr_expect_eq(got, (size_t)nods, "%d nods: counted %zu", nods, got);
        for (size_t i = 0; i < got && i < 8; i++) {
            cr_expect_float_eq(when[i], 2.5 + (double)i, 0.15, "nod %zu at %f", i, when[i]);
        }
    }
    /* small wobble below the threshold is not a nod */
    size_t n = make_series(t, p, 3, 2.5, 0.3);
    cr_expect_eq(kc_head_pose_nods(t, p, n, 0.5, NULL, 0), 0u);
    /* a slow look down and back up over 3 s is not a nod */
    n = 0;
    for (double s = 0; s < 6; s += 1.0 / 15, n++) {
        t[n] = s;
        p[n] = (float)(s > 1 && s < 4 ? -15.0 * sin(M_PI * (s - 1) / 3) : 0.0);
    }
    cr_expect_eq(kc_head_pose_nods(t, p, n, 0.5, NULL, 0), 0u);
    /* a gap in the face track cuts a cycle: no nod across it */
    n = make_series(t, p, 1, 10.0, 0.0);
    for (size_t i = 0; i < n; i++)
        if (t[i] > 2.45) t[i] += 2.0;
    cr_expect_eq(kc_head_pose_nods(t, p, n, 0.5, NULL, 0), 0u);
}
