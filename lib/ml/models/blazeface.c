/*
 * blazeface.c — BlazeFace front-128 detector: letterbox, ONNX Runtime, anchor decode,
 * weighted NMS (see blazeface.h for the model and the units).
 *
 * Anchors: layer 0 is a 16x16 grid with 2 anchors per cell (indices 0..511), layer 1 an 8x8
 * grid with 6 per cell (512..895), in row-major cell order with the anchors of a cell
 * consecutive. Every anchor has unit size (MediaPipe "fixed_anchor_size"), so regressors are
 * offsets/sizes in 128-pixel input units: cx = ax + dx/128, w = dw/128.
 *
 * A detection pass maps its candidates straight into image pixels; candidates of all passes
 * (whole image, then tiles when asked) are pooled in the detector's buffer and merged by one
 * weighted NMS, so a face seen by several passes becomes one face. A candidate from a tile that
 * touches an inner tile edge is dropped: it is a cut-off face that another pass sees whole.
 */
#include "ml/models/blazeface.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/models/assets.h"
#include "ml/ort.h"

#define MAX_CANDIDATES 4096
#define TILE_FRACTION  0.6f /* tile side / shorter image side */

struct kc_blazeface {
    struct kc_ort_session *session;
    struct kc_blazeface_options opt;
    float input[KC_BLAZEFACE_SIZE * KC_BLAZEFACE_SIZE * 3];
    float scores16[512], scores8[384], boxes16[512 * 16], boxes8[384 * 16];
    struct kc_blazeface_face cand[MAX_CANDIDATES];
    struct kc_blazeface_face pass[KC_BLAZEFACE_ANCHORS];
};

static void defaults(struct kc_blazeface_options *o, const struct kc_blazeface_options *in)
{
    if (in)
        *o = *in;
    else
        memset(o, 0, sizeof *o);
    if (o->min_score <= 0.0f) o->min_score = 0.75f;
    if (o->iou_threshold <= 0.0f) o->iou_threshold = 0.3f;
    if (o->threads <= 0) o->threads = 1;
}

struct kc_blazeface *kc_blazeface_open(const char *model_path,
                                       const struct kc_blazeface_options *opt, struct kc_err *err)
{
    char path[1024];
    if (kc_ml_model_file(path, sizeof path, model_path, "models/" KC_BLAZEFACE_FILE, "BlazeFace",
                         err) != 0) {
        return NULL;
    }
    struct kc_blazeface *m = calloc(1, sizeof *m);
    if (!m) {
        kc_err_set(err, KC_E_NOMEM, "out of memory for BlazeFace");
        return NULL;
    }
    defaults(&m->opt, opt);
    struct kc_ort_options oo = {.intra_threads = m->opt.threads};
    m->session = kc_ort_session_open(path, &oo, err);
    if (!m->session) {
        free(m);
        return NULL;
    }
    return m;
}

void kc_blazeface_free(struct kc_blazeface *m)
{
    if (!m) return;
    kc_ort_session_free(m->session);
    free(m);
}

/* ---- decoding ---------------------------------------------------------------------------- */

/* Anchor centre of index i in [0,1] input units. */
static void anchor_centre(int i, float *ax, float *ay)
{
    int grid = i < 512 ? 16 : 8, per = i < 512 ? 2 : 6, cell = (i < 512 ? i : i - 512) / per;
    *ax = ((float)(cell % grid) + 0.5f) / (float)grid;
    *ay = ((float)(cell / grid) + 0.5f) / (float)grid;
}

/* Anchor i's detection in image pixels. */
static void decode_anchor(const struct kc_blazeface_raw *raw, int i, const struct kc_affine *m,
                          float score, struct kc_blazeface_face *f)
{
    const float *r = i < 512 ? raw->boxes16 + 16 * i : raw->boxes8 + 16 * (i - 512);
    const float s = (float)KC_BLAZEFACE_SIZE;
    float ax, ay, x0, y0, x1, y1;
    anchor_centre(i, &ax, &ay);
    float cx = ax * s + r[0], cy = ay * s + r[1]; /* input pixels */
    kc_affine_apply(m, cx - r[2] / 2, cy - r[3] / 2, &x0, &y0);
    kc_affine_apply(m, cx + r[2] / 2, cy + r[3] / 2, &x1, &y1);
    f->x = fminf(x0, x1);
    f->y = fminf(y0, y1);
    f->w = fabsf(x1 - x0);
    f->h = fabsf(y1 - y0);
    f->score = score;
    for (int k = 0; k < KC_BLAZEFACE_KEYPOINTS; k++) {
        kc_affine_apply(m, ax * s + r[4 + 2 * k], ay * s + r[5 + 2 * k], &f->keypoints[k].x,
                        &f->keypoints[k].y);
    }
}

int kc_blazeface_candidates(const struct kc_blazeface_raw *raw, const struct kc_affine *to_image,
                            float min_score, struct kc_blazeface_face *out, int cap)
{
    int n = 0;
    for (int i = 0; i < KC_BLAZEFACE_ANCHORS && n < cap; i++) {
        float p = kc_ml_sigmoid(i < 512 ? raw->scores16[i] : raw->scores8[i - 512]);
        if (p >= min_score) decode_anchor(raw, i, to_image, p, &out[n++]);
    }
    return n;
}

static float iou(const struct kc_blazeface_face *a, const struct kc_blazeface_face *b)
{
    float ix = fminf(a->x + a->w, b->x + b->w) - fmaxf(a->x, b->x);
    float iy = fminf(a->y + a->h, b->y + b->h) - fmaxf(a->y, b->y);
    if (ix <= 0.0f || iy <= 0.0f) return 0.0f;
    float inter = ix * iy, uni = a->w * a->h + b->w * b->h - inter;
    return uni > 0.0f ? inter / uni : 0.0f;
}

static int by_score_desc(const void *pa, const void *pb)
{
    const struct kc_blazeface_face *a = pa, *b = pb;
    if (a->score != b->score) return a->score < b->score ? 1 : -1;
    if (a->x != b->x) return a->x < b->x ? -1 : 1; /* deterministic order for ties */
    return (a->y > b->y) - (a->y < b->y);
}

/* Score-weighted mean of cand[top] and every later live candidate overlapping it by more than
 * the threshold; marks them dead (score < 0). The result keeps the best score. */
static void merge_cluster(struct kc_blazeface_face *cand, int n, int top, float threshold,
                          struct kc_blazeface_face *out)
{
    const struct kc_blazeface_face best = cand[top];
    double acc[4 + 2 * KC_BLAZEFACE_KEYPOINTS] = {0}, wsum = 0.0;
    for (int j = top; j < n; j++) {
        struct kc_blazeface_face *c = &cand[j];
        if (c->score < 0.0f || (j != top && iou(&best, c) <= threshold)) continue;
        double w = c->score;
        const float v[4] = {c->x, c->y, c->w, c->h};
        for (int k = 0; k < 4; k++) acc[k] += w * v[k];
        for (int k = 0; k < KC_BLAZEFACE_KEYPOINTS; k++) {
            acc[4 + 2 * k] += w * c->keypoints[k].x;
            acc[5 + 2 * k] += w * c->keypoints[k].y;
        }
        wsum += w;
        c->score = -1.0f;
    }
    out->x = (float)(acc[0] / wsum);
    out->y = (float)(acc[1] / wsum);
    out->w = (float)(acc[2] / wsum);
    out->h = (float)(acc[3] / wsum);
    out->score = best.score;
    for (int k = 0; k < KC_BLAZEFACE_KEYPOINTS; k++) {
        out->keypoints[k].x = (float)(acc[4 + 2 * k] / wsum);
        out->keypoints[k].y = (float)(acc[5 + 2 * k] / wsum);
    }
}

int kc_blazeface_nms(struct kc_blazeface_face *cand, int n, float iou_threshold,
                     struct kc_blazeface_face *faces, int max_faces)
{
    int nf = 0;
    qsort(cand, (size_t)n, sizeof cand[0], by_score_desc);
    for (int i = 0; i < n && nf < max_faces; i++) {
        if (cand[i].score < 0.0f) continue;
        merge_cluster(cand, n, i, iou_threshold, &faces[nf++]);
    }
    return nf;
}

/* ---- detection --------------------------------------------------------------------------- */

/* One pass over the square region `to_image` maps 128x128 onto; candidates are appended to
 * m->cand (from *n). `inner` (x0,y0,x1,y1) is the region whose edges are not image edges:
 * candidates crossing such an edge are dropped (NULL for the whole-image pass). */
static int run_pass(struct kc_blazeface *m, const struct kc_image *img,
                    const struct kc_affine *to_image, const float *inner, int *n,
                    struct kc_err *err)
{
    const int s = KC_BLAZEFACE_SIZE;
    kc_image_warp_tensor(img, to_image, s, s, KC_TENSOR_RGB_SIGNED, m->input);
    static const int64_t shape[4] = {1, KC_BLAZEFACE_SIZE, KC_BLAZEFACE_SIZE, 3};
    struct kc_ort_input in = {"input:0", KC_ORT_FLOAT, m->input, shape, 4};
    struct kc_ort_output out[4] = {
        {.name = "Identity:0", .data = m->scores16, .capacity = 512},
        {.name = "Identity_1:0", .data = m->scores8, .capacity = 384},
        {.name = "Identity_2:0", .data = m->boxes16, .capacity = 512 * 16},
        {.name = "Identity_3:0", .data = m->boxes8, .capacity = 384 * 16},
    };
    if (kc_ort_run(m->session, &in, 1, out, 4, err) != 0) {
        kc_err_prefix(err, "BlazeFace");
        return -1;
    }
    struct kc_blazeface_raw raw = {m->scores16, m->scores8, m->boxes16, m->boxes8};
    int np =
        kc_blazeface_candidates(&raw, to_image, m->opt.min_score, m->pass, KC_BLAZEFACE_ANCHORS);
    for (int i = 0; i < np && *n < MAX_CANDIDATES; i++) {
        const struct kc_blazeface_face *f = &m->pass[i];
        if (inner && ((inner[0] > 0 && f->x < inner[0]) || (inner[1] > 0 && f->y < inner[1]) ||
                      (inner[2] < img->w && f->x + f->w > inner[2]) ||
                      (inner[3] < img->h && f->y + f->h > inner[3]))) {
            continue;
        }
        m->cand[(*n)++] = *f;
    }
    return 0;
}

/* Tile origins along one axis: 0, step, 2*step, ... and finally len - side. */
static int tile_origins(int len, int side, float *origins, int cap)
{
    int n = 0;
    float step = side / 2.0f;
    for (float o = 0.0f; n < cap; o += step) {
        if (o + (float)side >= (float)len) {
            origins[n++] = (float)(len - side);
            break;
        }
        origins[n++] = o;
    }
    return n;
}

static int run_tiles(struct kc_blazeface *m, const struct kc_image *img, int *n, struct kc_err *err)
{
    int side = (int)(TILE_FRACTION * (float)(img->w < img->h ? img->w : img->h));
    if (side < KC_BLAZEFACE_SIZE) return 0; /* the whole-image pass already sees it all */
    float ox[16], oy[16];
    int nx = tile_origins(img->w, side, ox, 16), ny = tile_origins(img->h, side, oy, 16);
    for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
            struct kc_affine t = kc_affine_rect(ox[i], oy[j], (float)side, (float)side,
                                                KC_BLAZEFACE_SIZE, KC_BLAZEFACE_SIZE);
            float inner[4] = {ox[i], oy[j], ox[i] + (float)side, oy[j] + (float)side};
            if (run_pass(m, img, &t, inner, n, err) != 0) return -1;
        }
    }
    return 0;
}

int kc_blazeface_detect(struct kc_blazeface *m, const struct kc_image *img,
                        struct kc_blazeface_face *faces, int max_faces, struct kc_err *err)
{
    if (!m || !img || !img->data || img->w <= 0 || img->h <= 0 || max_faces < 0) {
        return kc_err_set(err, KC_E_INVALID, "BlazeFace: no image");
    }
    int n = 0;
    struct kc_affine whole = kc_affine_letterbox(img->w, img->h, KC_BLAZEFACE_SIZE);
    if (run_pass(m, img, &whole, NULL, &n, err) != 0) return -1;
    if (m->opt.scan_tiles && run_tiles(m, img, &n, err) != 0) return -1;
    return kc_blazeface_nms(m->cand, n, m->opt.iou_threshold, faces, max_faces);
}

struct kc_affine kc_blazeface_face_crop(const struct kc_blazeface_face *f, float enlarge, int size)
{
    const struct kc_point2 *r = &f->keypoints[KC_BLAZEFACE_RIGHT_EYE];
    const struct kc_point2 *l = &f->keypoints[KC_BLAZEFACE_LEFT_EYE];
    float angle = atan2f(l->y - r->y, l->x - r->x);
    float side = enlarge * fmaxf(f->w, f->h);
    return kc_affine_rotated_square(f->x + f->w / 2, f->y + f->h / 2, side, angle, size);
}
