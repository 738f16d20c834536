/*
 * head_pose.c — weak-perspective PnP by Levenberg-Marquardt, and the nod counter (head_pose.h).
 *
 * Solver layout: parameters p = {a, b, c, s, tx, ty} with R = Rz(c) Rx(b) Ry(a), so that
 * yaw = -a, pitch = -b, roll = c in degrees (the sign flips give the conventions of the header:
 * with y down and z away from the camera a positive Ry moves the nose tip to the image's left
 * and a positive Rx moves it down). Residuals are model minus observation, 2 per point. The
 * rotation columns of the Jacobian are central differences (6 residual evaluations per
 * iteration on 12 points: negligible next to the networks); s, tx, ty are analytic. Everything
 * runs in double precision on the stack.
 *
 * Canonical points: MediaPipe canonical_face_model.obj (face_geometry module), vertices
 * 1, 152, 33, 263, 133, 362, 61, 291, 10, 6, 127, 356 (0-based = FaceMesh indices), converted
 * from the model's axes (y up, z towards the viewer) to image axes by negating y and z.
 */
#include "head_pose.h"

#include <math.h>
#include <string.h>

#define DEG (180.0 / M_PI)
#define NP  6

const int kc_head_pose_landmarks[KC_HEAD_POSE_POINTS] = {1,  152, 33, 263, 133, 362,
                                                         61, 291, 10, 6,   127, 356};

const float kc_head_pose_model[KC_HEAD_POSE_POINTS][3] = {
    {0.000000f, 1.126865f, -7.475604f},   /* 1 nose tip */
    {0.000000f, 9.403378f, -4.264492f},   /* 152 chin */
    {-4.445859f, -2.663991f, -3.173422f}, /* 33 right eye, outer corner (image left) */
    {4.445859f, -2.663991f, -3.173422f},  /* 263 left eye, outer corner */
    {-1.856432f, -2.585245f, -3.757904f}, /* 133 right eye, inner corner */
    {1.856432f, -2.585245f, -3.757904f},  /* 362 left eye, inner corner */
    {-2.456206f, 4.342621f, -4.283884f},  /* 61 mouth corner (image left) */
    {2.456206f, 4.342621f, -4.283884f},   /* 291 mouth corner (image right) */
    {0.000000f, -8.261778f, -4.481535f},  /* 10 forehead */
    {0.000000f, -2.473255f, -5.788627f},  /* 6 nose bridge */
    {-7.743095f, -2.364999f, 2.005167f},  /* 127 face contour at eye height (image left) */
    {7.743095f, -2.364999f, 2.005167f},   /* 356 face contour at eye height (image right) */
};

/* R = Rz(c) Rx(b) Ry(a), row-major. */
static void rotation(double a, double b, double c, double r[9])
{
    double ca = cos(a), sa = sin(a), cb = cos(b), sb = sin(b), cc = cos(c), sc = sin(c);
    /* Rx(b) Ry(a) */
    double m[9] = {ca, 0, sa, sb * sa, cb, -sb * ca, -cb * sa, sb, cb * ca};
    for (int j = 0; j < 3; j++) {
        r[j] = cc * m[j] - sc * m[3 + j];
        r[3 + j] = sc * m[j] + cc * m[3 + j];
        r[6 + j] = m[6 + j];
    }
}

void kc_head_pose_rotation(float yaw_deg, float pitch_deg, float roll_deg, float r[9])
{
    double d[9];
    rotation(-yaw_deg / DEG, -pitch_deg / DEG, roll_deg / DEG, d);
    for (int i = 0; i < 9; i++) r[i] = (float)d[i];
}

struct fit {
    int n;
    const struct kc_head_pose_camera *cam; /* NULL: weak perspective */
    double obs[KC_HEAD_POSE_POINTS][2];
    double model[KC_HEAD_POSE_POINTS][3]; /* centred */
};

/* Rotated model points for rotation parameters a, b, c. */
static void rotate_all(const struct fit *f, const double *p, double (*q)[3])
{
    double r[9];
    rotation(p[0], p[1], p[2], r);
    for (int i = 0; i < f->n; i++) {
        const double *m = f->model[i];
        for (int k = 0; k < 3; k++)
            q[i][k] = r[3 * k] * m[0] + r[3 * k + 1] * m[1] + r[3 * k + 2] * m[2];
    }
}

/* Weak perspective: p[3..5] = s, tx, ty. Pinhole: p[3..5] = X, Y, Z of the model centre (cm). */
static double residuals(const struct fit *f, const double *p, double *res)
{
    double q[KC_HEAD_POSE_POINTS][3], cost = 0;
    rotate_all(f, p, q);
    for (int i = 0; i < f->n; i++) {
        double u, v;
        if (f->cam) {
            double z = q[i][2] + p[5];
            if (z <= 1e-6) return INFINITY; /* behind the camera */
            u = f->cam->cx + f->cam->focal * (q[i][0] + p[3]) / z;
            v = f->cam->cy + f->cam->focal * (q[i][1] + p[4]) / z;
        } else {
            u = p[3] * q[i][0] + p[4];
            v = p[3] * q[i][1] + p[5];
        }
        res[2 * i] = u - f->obs[i][0];
        res[2 * i + 1] = v - f->obs[i][1];
        cost += res[2 * i] * res[2 * i] + res[2 * i + 1] * res[2 * i + 1];
    }
    return cost;
}

/* Jacobian (2n x 6, row-major) at p by central differences. */
static void jacobian(const struct fit *f, const double *p, double *jac)
{
    double rp[2 * KC_HEAD_POSE_POINTS], rm[2 * KC_HEAD_POSE_POINTS];
    for (int k = 0; k < NP; k++) {
        double pp[NP], pm[NP], h = 1e-6 * fmax(1.0, fabs(p[k]));
        memcpy(pp, p, sizeof pp);
        memcpy(pm, p, sizeof pm);
        pp[k] += h;
        pm[k] -= h;
        residuals(f, pp, rp);
        residuals(f, pm, rm);
        for (int i = 0; i < 2 * f->n; i++) jac[i * NP + k] = (rp[i] - rm[i]) / (2 * h);
    }
}

/* Solve the 6x6 system a x = b by Gaussian elimination with partial pivoting (a, b clobbered). */
static int solve6(double a[NP][NP], double b[NP], double x[NP])
{
    for (int c = 0; c < NP; c++) {
        int piv = c;
        for (int r = c + 1; r < NP; r++)
            if (fabs(a[r][c]) > fabs(a[piv][c])) piv = r;
        if (fabs(a[piv][c]) < 1e-15) return -1;
        if (piv != c) {
            for (int k = 0; k < NP; k++) {
                double t = a[c][k];
                a[c][k] = a[piv][k];
                a[piv][k] = t;
            }
            double t = b[c];
            b[c] = b[piv];
            b[piv] = t;
        }
        for (int r = c + 1; r < NP; r++) {
            double m = a[r][c] / a[c][c];
            for (int k = c; k < NP; k++) a[r][k] -= m * a[c][k];
            b[r] -= m * b[c];
        }
    }
    for (int r = NP - 1; r >= 0; r--) {
        double s = b[r];
        for (int k = r + 1; k < NP; k++) s -= a[r][k] * x[k];
        x[r] = s / a[r][r];
    }
    return 0;
}

/* Normal equations of the damped step: (JtJ + lambda diag(JtJ)) d = -Jt r. */
static int lm_step(const double *jac, const double *res, int m, double lambda, double *d)
{
    double a[NP][NP] = {{0}}, g[NP] = {0};
    for (int i = 0; i < m; i++) {
        const double *row = &jac[i * NP];
        for (int j = 0; j < NP; j++) {
            g[j] -= row[j] * res[i];
            for (int k = 0; k < NP; k++) a[j][k] += row[j] * row[k];
        }
    }
    for (int j = 0; j < NP; j++) a[j][j] += lambda * (a[j][j] > 1e-12 ? a[j][j] : 1e-12);
    return solve6(a, g, d);
}

/* Centre the model, copy the observations; starting point from spreads and the eye line. */
static int setup(struct fit *f, const float (*pts)[2], const float (*model)[3], int n, double *p)
{
    double mc[3] = {0}, oc[2] = {0};
    f->n = n;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++) mc[k] += model[i][k] / n;
        for (int k = 0; k < 2; k++) {
            if (!isfinite(pts[i][k])) return -1;
            f->obs[i][k] = pts[i][k];
            oc[k] += pts[i][k] / (double)n;
        }
    }
    double so = 0, sm = 0;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++) f->model[i][k] = model[i][k] - mc[k];
        so += pow(f->obs[i][0] - oc[0], 2) + pow(f->obs[i][1] - oc[1], 2);
        sm += pow(f->model[i][0], 2) + pow(f->model[i][1], 2);
    }
    if (so < 1e-6 || sm < 1e-9) return -1;
    /* roll from the direction of the two points with the largest model x extent */
    int lo = 0, hi = 0;
    for (int i = 1; i < n; i++) {
        if (f->model[i][0] < f->model[lo][0]) lo = i;
        if (f->model[i][0] > f->model[hi][0]) hi = i;
    }
    double roll = atan2(f->obs[hi][1] - f->obs[lo][1], f->obs[hi][0] - f->obs[lo][0]) -
                  atan2(f->model[hi][1] - f->model[lo][1], f->model[hi][0] - f->model[lo][0]);
    double init[NP] = {0, 0, roll, sqrt(so / sm), oc[0], oc[1]};
    memcpy(p, init, sizeof init);
    return 0;
}

static float wrap_deg(double rad)
{
    double d = fmod(rad * DEG, 360.0);
    if (d > 180) d -= 360;
    if (d <= -180) d += 360;
    return (float)d;
}

/* Rotation angles of R = Rz(c) Rx(b) Ry(a) (rows of rotation() above). */
static void angles_of(const double r[9], double *a, double *b, double *c)
{
    *b = asin(fmax(-1.0, fmin(1.0, r[7])));
    *a = atan2(-r[6], r[8]);
    *c = atan2(-r[1], r[4]);
}

/* Re-express the pinhole rotation p[0..2] relative to the line of sight to the model centre
 * p[3..5]: R' = Q^T R, Q the smallest rotation taking the optical axis onto that ray. */
static void relative_to_ray(double *p)
{
    double n = sqrt(p[3] * p[3] + p[4] * p[4] + p[5] * p[5]);
    double d[3] = {p[3] / n, p[4] / n, p[5] / n};
    double kx = -d[1], ky = d[0]; /* axis z x d, |k| = sin(theta) */
    double s = sqrt(kx * kx + ky * ky), c = d[2], q[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    if (s > 1e-12) { /* Rodrigues: Q = I + sin K + (1 - cos) K^2 with the unit axis */
        double ux = kx / s, uy = ky / s;
        double kk[9] = {0, 0, uy, 0, 0, -ux, -uy, ux, 0};
        double k2[9] = {-uy * uy, ux * uy, 0, ux * uy, -ux * ux, 0, 0, 0, -ux * ux - uy * uy};
        for (int i = 0; i < 9; i++) q[i] += s * kk[i] + (1 - c) * k2[i];
    }
    double r[9], rr[9];
    rotation(p[0], p[1], p[2], r);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            rr[3 * i + j] = q[i] * r[j] + q[3 + i] * r[3 + j] + q[6 + i] * r[6 + j];
    angles_of(rr, &p[0], &p[1], &p[2]);
}

/* Levenberg-Marquardt from p; returns the final cost (sum of squared residuals, px^2). */
static double minimise(const struct fit *f, double *p, int *iterations)
{
    double res[2 * KC_HEAD_POSE_POINTS], jac[2 * KC_HEAD_POSE_POINTS * NP];
    double cost = residuals(f, p, res), lambda = 1e-3;
    int it = 0;
    for (; it < 100 && lambda < 1e12 && isfinite(cost); it++) {
        double d[NP], trial[NP], tres[2 * KC_HEAD_POSE_POINTS];
        jacobian(f, p, jac);
        if (lm_step(jac, res, 2 * f->n, lambda, d) != 0) break;
        for (int k = 0; k < NP; k++) trial[k] = p[k] + d[k];
        double tcost = residuals(f, trial, tres);
        if (isfinite(tcost) && tcost < cost) {
            double gain = cost - tcost;
            memcpy(p, trial, sizeof trial);
            memcpy(res, tres, sizeof(double) * 2 * (size_t)f->n);
            cost = tcost;
            lambda = fmax(lambda / 3, 1e-9);
            if (gain < 1e-12 * (1 + cost) && fabs(d[0]) + fabs(d[1]) + fabs(d[2]) < 1e-9) break;
        } else {
            lambda *= 4;
        }
    }
    *iterations += it;
    return cost;
}

int kc_head_pose_solve(const float (*pts)[2], const float (*model)[3], int n,
                       const struct kc_head_pose_camera *cam, struct kc_head_pose *out)
{
    struct fit f;
    double p[NP];
    int it = 0;
    if (!pts || !model || !out || n < 4 || n > KC_HEAD_POSE_POINTS) return -1;
    if (cam && !(cam->focal > 0 && isfinite(cam->cx) && isfinite(cam->cy))) return -1;
    f.cam = NULL;
    if (setup(&f, pts, model, n, p) != 0) return -1;
    double cost = minimise(&f, p, &it);
    if (!isfinite(cost) || p[3] <= 0) return -1;
    double scale = p[3], cx = p[4], cy = p[5], distance = 0;
    if (cam) { /* refine with the pinhole camera, starting from the weak-perspective fit */
        f.cam = cam;
        p[5] = cam->focal / scale;
        p[3] = (cx - cam->cx) / scale;
        p[4] = (cy - cam->cy) / scale;
        cost = minimise(&f, p, &it);
        if (!isfinite(cost) || p[5] <= 0) return -1;
        distance = sqrt(p[3] * p[3] + p[4] * p[4] + p[5] * p[5]);
        scale = cam->focal / p[5];
        cx = cam->cx + scale * p[3];
        cy = cam->cy + scale * p[4];
        relative_to_ray(p);
    }
    out->yaw = wrap_deg(-p[0]);
    out->pitch = wrap_deg(-p[1]);
    out->roll = wrap_deg(p[2]);
    out->scale = (float)scale;
    out->tx = (float)cx;
    out->ty = (float)cy;
    out->distance = (float)distance;
    out->rms = (float)(sqrt(cost / n) / scale);
    out->iterations = it;
    return 0;
}

int kc_head_pose_from_mesh(const float (*mesh)[2], const struct kc_head_pose_camera *cam,
                           struct kc_head_pose *out)
{
    float pts[KC_HEAD_POSE_POINTS][2];
    if (!mesh) return -1;
    for (int i = 0; i < KC_HEAD_POSE_POINTS; i++) {
        pts[i][0] = mesh[kc_head_pose_landmarks[i]][0];
        pts[i][1] = mesh[kc_head_pose_landmarks[i]][1];
    }
    return kc_head_pose_solve((const float(*)[2])pts, kc_head_pose_model, KC_HEAD_POSE_POINTS, cam,
                              out);
}

struct kc_head_pose_camera kc_head_pose_webcam(int width, int height)
{
    struct kc_head_pose_camera c;
    c.focal = (float)(0.5 * width / tan(0.5 * KC_HEAD_POSE_HFOV_DEG / DEG));
    c.cx = 0.5f * (float)width;
    c.cy = 0.5f * (float)height;
    return c;
}

/* ---- nods ---------------------------------------------------------------------------------- */

struct series {
    const double *t;
    const float *p;
    size_t n;
    double max_gap;
};

static int gap_before(const struct series *s, size_t i)
{
    return i == 0 || s->t[i] - s->t[i - 1] > s->max_gap;
}

/* Median of three within a continuous stretch: removes single-frame landmark glitches. */
static float smooth(const struct series *s, size_t i)
{
    if (gap_before(s, i) || i + 1 >= s->n || gap_before(s, i + 1)) return s->p[i];
    float a = s->p[i - 1], b = s->p[i], c = s->p[i + 1];
    if (a > b) {
        float t = a;
        a = b;
        b = t;
    }
    return c < a ? a : (c > b ? b : c);
}

struct zig {
    int dir;            /* 0 unknown, -1 falling (tracking a trough), +1 rising (a peak) */
    size_t hi, lo;      /* indices of the running extremes */
    size_t ext[3];      /* the last confirmed extremes */
    int kind[3], n_ext; /* +1 peak, -1 trough */
    size_t nods;
};

/* Width of the dip between peaks ext[0], ext[2] around trough ext[1], measured between the
 * crossings of the half-way levels on each side. */
static double dip_width(const struct series *s, const size_t *ext)
{
    float tr = smooth(s, ext[1]);
    float down = tr + (smooth(s, ext[0]) - tr) / 2, up = tr + (smooth(s, ext[2]) - tr) / 2;
    size_t a = ext[1], b = ext[1];
    while (a > ext[0] && smooth(s, a - 1) < down) a--;
    while (b < ext[2] && smooth(s, b + 1) < up) b++;
    return s->t[b] - s->t[a];
}

static void confirm(const struct series *s, struct zig *z, int kind, size_t idx, double *nod_t,
                    size_t cap)
{
    if (z->n_ext == 3) {
        memmove(z->ext, z->ext + 1, 2 * sizeof z->ext[0]);
        memmove(z->kind, z->kind + 1, 2 * sizeof z->kind[0]);
        z->n_ext = 2;
    }
    z->ext[z->n_ext] = idx;
    z->kind[z->n_ext++] = kind;
    if (z->n_ext == 3 && z->kind[0] == 1 && z->kind[1] == -1 && z->kind[2] == 1 &&
        dip_width(s, z->ext) <= KC_NOD_MAX_S) {
        if (z->nods < cap) nod_t[z->nods] = s->t[z->ext[1]];
        z->nods++;
    }
}

static void zig_feed(const struct series *s, struct zig *z, size_t i, double *nod_t, size_t cap)
{
    const float a = (float)KC_NOD_MIN_DEG;
    float v = smooth(s, i);
    if (z->dir >= 0 && v > smooth(s, z->hi)) z->hi = i;
    if (z->dir <= 0 && v < smooth(s, z->lo)) z->lo = i;
    if (z->dir >= 0 && smooth(s, z->hi) - v >= a) {
        confirm(s, z, 1, z->hi, nod_t, cap);
        z->dir = -1;
        z->lo = i;
    } else if (z->dir <= 0 && v - smooth(s, z->lo) >= a) {
        confirm(s, z, -1, z->lo, nod_t, cap);
        z->dir = 1;
        z->hi = i;
    }
}

size_t kc_head_pose_nods(const double *t, const float *pitch, size_t n, double max_gap_s,
                         double *nod_t, size_t cap)
{
    struct series s = {t, pitch, n, max_gap_s};
    struct zig z;
    memset(&z, 0, sizeof z);
    if (!t || !pitch || n == 0) return 0;
    if (!nod_t) cap = 0;
    for (size_t i = 0; i < n; i++) {
        if (gap_before(&s, i)) {
            /* end of a stretch: a pending rise of at least the threshold completes a peak */
            if (i > 0 && z.dir == 1) confirm(&s, &z, 1, z.hi, nod_t, cap);
            memset(&z.ext, 0, sizeof z.ext);
            z.n_ext = 0;
            z.dir = 0;
            z.hi = z.lo = i;
            continue;
        }
        zig_feed(&s, &z, i, nod_t, cap);
    }
    if (z.dir == 1) confirm(&s, &z, 1, z.hi, nod_t, cap);
    return z.nods;
}
