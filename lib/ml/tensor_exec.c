/*
 * tensor_exec.c — runs a planned graph: step descriptors built at load, a small worker pool.
 *
 * At load every executable node gets a step. Window ops (conv, depthwise, pooling) carry a
 * ready kc_kwin with all pointers resolved (arena, weights, residual); only a pointer to the
 * caller's input is patched per run. A run is then a loop over the steps with no allocation.
 *
 * Threads: with threads = T > 1 the model owns T-1 workers. A window step big enough to be
 * worth it (PARALLEL_MIN_MACS) is cut into 4T chunks of output rows that the calling thread and
 * the workers claim with a compare-and-swap on one atomic word (job generation | chunk count |
 * next chunk), each thread on its own kernel scratch. Claiming instead of assigning means a
 * worker that the OS has not scheduled simply leaves its chunks to the caller: on a busy
 * machine a run degrades towards one thread instead of stalling on every step. Other steps
 * (small elementwise/reshape ops) run on the calling thread. Workers spin (pause, then
 * sched_yield) between steps — a step is tens of microseconds, too short for a condition
 * variable — and sleep on a condition variable after SPIN_LIMIT rounds, e.g. between runs.
 * OpenBLAS is always asked for one thread (sgemm is called from inside the chunks), so the two
 * kinds of intra-op threads never multiply.
 */
#include "ml/kernels.h"
#include "ml/tensor.h"

#include <cblas.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Steps below this many multiply-adds (~10-20 us on one core) run on the calling thread: a
 * hand-off to a worker costs a few microseconds even when both threads are on a core. */
#define PARALLEL_MIN_MACS (1 << 20)
#define SPIN_LIMIT        4096 /* pause ~30 us, yield ~2000 times (>= ~1 ms), then sleep */
#define MAX_THREADS       64

struct step {
    int node;
    int window; /* the op (enum kc_top) of a kc_kwin step split by rows, else 0 */
    struct kc_kwin win;
    int64_t rows;
    int64_t macs; /* multiply-adds (or element visits for pooling): worth splitting? */
    int x_is_input, res_is_input;
    float *packed; /* owned: the conv filter packed for kc_k_gemm */
};

struct exec {
    struct step *steps;
    int n_steps;
    float *scratch;
    size_t scratch_per; /* floats per thread */
    int threads;
    /* pool */
    pthread_t *th;
    int n_started;
    uint32_t gen;           /* the calling thread's job counter */
    _Atomic uint64_t claim; /* gen << 32 | chunks << 16 | next chunk to take */
    atomic_int done;        /* chunks of the current job finished */
    atomic_int sleepers, stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const struct step *job;
};

struct worker_arg {
    struct exec *e;
    int t;
};

/* ---- one step ------------------------------------------------------------------------------ */

static void run_window(const struct step *s, int64_t r0, int64_t r1, float *scratch)
{
    if (r0 >= r1) return;
    enum kc_top op = (enum kc_top)s->window;
    if (op == KC_OP_CONV)
        kc_k_conv(&s->win, r0, r1, scratch);
    else if (op == KC_OP_DWCONV)
        kc_k_dwconv(&s->win, r0, r1);
    else if (op == KC_OP_MAXPOOL)
        kc_k_maxpool(&s->win, r0, r1);
    else
        kc_k_avgpool(&s->win, r0, r1);
}

/* Chunk c of n of a step's output rows, on thread t's scratch. */
static void run_chunk(struct exec *e, const struct step *s, int c, int n, int t)
{
    int64_t per = (s->rows + n - 1) / n, r0 = per * c;
    int64_t r1 = r0 + per < s->rows ? r0 + per : s->rows;
    run_window(s, r0, r1, e->scratch + e->scratch_per * (size_t)t);
}

int kc_tnode_eval(struct kc_tgraph *g, struct kc_tnode *n)
{
    const struct kc_tnode *a = n->n_in > 0 ? &g->nodes[n->in[0]] : NULL;
    const struct kc_tnode *b = n->n_in > 1 ? &g->nodes[n->in[1]] : NULL;
    size_t cnt = kc_tshape_count(&n->shape);
    switch (n->op) {
    case KC_OP_IDENTITY:
    case KC_OP_RESHAPE:
        if (n->buf != a->buf) memcpy(n->buf, a->buf, cnt * sizeof(float));
        return 0;
    case KC_OP_ADD:
    case KC_OP_SUB:
    case KC_OP_MUL:
    case KC_OP_PRELU:
        kc_k_binary(n->op, a->buf, &a->shape, b->buf, &b->shape, n->buf, &n->shape);
        return 0;
    case KC_OP_RELU:
    case KC_OP_RELU6:
    case KC_OP_SIGMOID:
    case KC_OP_TANH: kc_k_unary(n->op, a->buf, n->buf, cnt); return 0;
    case KC_OP_MEAN: kc_k_mean(a->buf, &a->shape, n->axes_mask, n->buf); return 0;
    case KC_OP_SOFTMAX: {
        size_t c = (size_t)n->shape.dim[n->shape.rank - 1];
        kc_k_softmax(a->buf, n->buf, cnt / c, c);
        return 0;
    }
    case KC_OP_PAD: kc_k_pad(a->buf, &a->shape, n->pads, n->pad_value, n->buf, &n->shape); return 0;
    case KC_OP_CONCAT: {
        const float *xs[64];
        const struct kc_tshape *shapes[64];
        int k = n->n_in - 1;
        for (int i = 0; i < k; i++)
            xs[i] = g->nodes[n->in[i]].buf, shapes[i] = &g->nodes[n->in[i]].shape;
        kc_k_concat(xs, shapes, k, n->axis, n->buf, &n->shape);
        return 0;
    }
    default: return -1; /* window ops run through steps */
    }
}

/* ---- pool --------------------------------------------------------------------------------- */

/* Busy-wait politely: pause for the first ~20-40 us (a step hand-off is usually quicker), then
 * yield the core on every round in case the thread we wait for is not running (more runnable
 * threads than cores); after SPIN_LIMIT rounds a worker sleeps on the condition variable. */
static void relax(int spins)
{
    if (spins < 2048)
        __builtin_ia32_pause();
    else
        sched_yield();
}

static uint32_t gen_of(uint64_t claim)
{
    return (uint32_t)(claim >> 32);
}

/* Take the next chunk of job `gen`; 0 when it is finished or another job is posted. Chunks are
 * claimed, not assigned: a thread that is not running leaves its share to the others, so a
 * busy machine never makes a step wait for a descheduled worker. */
static int claim_chunk(struct exec *e, uint32_t gen, int *c, int *n)
{
    uint64_t cur = atomic_load(&e->claim);
    for (;;) {
        int next = (int)(cur & 0xffff), chunks = (int)(cur >> 16 & 0xffff);
        if (gen_of(cur) != gen || next >= chunks) return 0;
        if (atomic_compare_exchange_weak(&e->claim, &cur, cur + 1)) {
            *c = next, *n = chunks;
            return 1;
        }
    }
}

/* Run chunks of job gen until none is left (the job pointer is stable while a chunk of it is
 * claimed and unfinished: the poster waits for all of them). */
static void work_on(struct exec *e, uint32_t gen, int t)
{
    int c, n;
    while (claim_chunk(e, gen, &c, &n)) {
        run_chunk(e, e->job, c, n, t);
        atomic_fetch_add(&e->done, 1);
    }
}

static void *worker(void *p)
{
    struct worker_arg *wa = p;
    struct exec *e = wa->e;
    int t = wa->t;
    free(wa);
    /* job 0 is never posted, so a job posted before this thread first runs is still seen */
    uint32_t seen = 0;
    for (;;) {
        int spins = 0;
        while (gen_of(atomic_load(&e->claim)) == seen && !atomic_load(&e->stop)) {
            if (++spins < SPIN_LIMIT) {
                relax(spins);
                continue;
            }
            pthread_mutex_lock(&e->mu);
            atomic_fetch_add(&e->sleepers, 1);
            while (gen_of(atomic_load(&e->claim)) == seen && !atomic_load(&e->stop))
                pthread_cond_wait(&e->cv, &e->mu);
            atomic_fetch_sub(&e->sleepers, 1);
            pthread_mutex_unlock(&e->mu);
        }
        if (atomic_load(&e->stop)) return NULL;
        seen = gen_of(atomic_load(&e->claim));
        work_on(e, seen, t);
    }
}

static void wake(struct exec *e)
{
    if (atomic_load(&e->sleepers)) {
        pthread_mutex_lock(&e->mu);
        pthread_cond_broadcast(&e->cv);
        pthread_mutex_unlock(&e->mu);
    }
}

static void run_parallel(struct exec *e, const struct step *s)
{
    if (e->threads == 1 || s->rows < 2 || s->macs < PARALLEL_MIN_MACS) {
        run_window(s, 0, s->rows, e->scratch);
        return;
    }
    int64_t chunks = 4 * (int64_t)e->threads < s->rows ? 4 * (int64_t)e->threads : s->rows;
    e->job = s;
    atomic_store(&e->done, 0);
    e->gen = e->gen + 1 ? e->gen + 1 : 1; /* 0 means "no job yet" */
    atomic_store(&e->claim, (uint64_t)e->gen << 32 | (uint64_t)chunks << 16);
    wake(e);
    work_on(e, e->gen, 0);
    for (int spins = 1; atomic_load(&e->done) < chunks; spins++) relax(spins);
}

static void stop_pool(struct exec *e)
{
    atomic_store(&e->stop, 1);
    pthread_mutex_lock(&e->mu);
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    for (int i = 0; i < e->n_started; i++) pthread_join(e->th[i], NULL);
    e->n_started = 0;
}

static int start_pool(struct exec *e, struct kc_err *err)
{
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    if (e->threads == 1) return 0;
    e->th = calloc((size_t)e->threads, sizeof *e->th);
    if (!e->th) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (int t = 1; t < e->threads; t++) {
        struct worker_arg *wa = malloc(sizeof *wa);
        if (!wa) return kc_err_set(err, KC_E_NOMEM, "out of memory");
        wa->e = e, wa->t = t;
        if (pthread_create(&e->th[e->n_started], NULL, worker, wa)) {
            free(wa);
            return kc_err_set(err, KC_E_INTERNAL, "cannot start a worker thread");
        }
        e->n_started++;
    }
    return 0;
}

/* ---- steps --------------------------------------------------------------------------------- */

static void epi_of(const struct kc_tgraph *g, const struct kc_tconv *c, struct kc_kepi *e)
{
    e->bias = c->bias >= 0 ? g->nodes[c->bias].f : NULL;
    e->act = c->act.kind, e->leaky = c->act.leaky;
    e->alpha = c->act.alpha >= 0 ? g->nodes[c->act.alpha].f : NULL;
    e->residual = c->residual >= 0 ? g->nodes[c->residual].buf : NULL;
    e->act2 = c->act2.kind, e->leaky2 = c->act2.leaky;
    e->alpha2 = c->act2.alpha >= 0 ? g->nodes[c->act2.alpha].f : NULL;
}

static int slow_act(enum kc_act a)
{
    return a == KC_ACT_SIGMOID || a == KC_ACT_TANH;
}

/* Pack a conv's filter for the AVX-512 kernel when the CPU has it and the epilogue fits. */
static int pack_conv(struct step *s, const struct kc_tnode *n, int portable, struct kc_err *err)
{
    const struct kc_tconv *c = &n->conv;
    if (n->op != KC_OP_CONV || portable || !kc_k_gemm_available() || slow_act(c->act.kind) ||
        slow_act(c->act2.kind))
        return 0;
    int64_t k = (int64_t)c->kh * c->kw * c->cin;
    size_t sz = kc_k_packed_floats(k, c->cout);
    s->packed = aligned_alloc(64, (sz + 15) / 16 * 16 * sizeof(float));
    if (!s->packed) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    kc_k_pack_b(s->win.wt, k, c->cout, s->packed);
    s->win.packed = s->packed;
    return 0;
}

static void build_window(const struct kc_tgraph *g, struct kc_tnode *n, struct step *s)
{
    struct kc_kwin *w = &s->win;
    int xi = n->has_pre ? n->pre.x : n->conv.x >= 0 ? n->conv.x : n->in[0];
    if (n->op == KC_OP_MAXPOOL || n->op == KC_OP_AVGPOOL) xi = n->in[0];
    const struct kc_tnode *x = &g->nodes[xi];
    s->window = (int)n->op;
    w->p = &n->conv;
    w->x = x->buf;
    s->x_is_input = xi == g->input;
    w->n = x->shape.dim[0], w->h = x->shape.dim[1], w->w = x->shape.dim[2];
    w->y = n->buf;
    w->oh = n->shape.dim[1], w->ow = n->shape.dim[2];
    s->rows = w->n * w->oh;
    s->macs = s->rows * w->ow * (int64_t)n->conv.cout * n->conv.kh * n->conv.kw *
              (n->op == KC_OP_CONV ? n->conv.cin : 1);
    if (n->has_pre) s->macs += s->rows * w->ow * (int64_t)n->conv.cin * n->pre.kh * n->pre.kw;
    if (n->op != KC_OP_CONV && n->op != KC_OP_DWCONV) return;
    w->wt = g->nodes[n->conv.w].f;
    w->packed = NULL;
    epi_of(g, &n->conv, &w->epi);
    s->res_is_input = n->conv.residual == g->input;
    if (n->has_pre) {
        w->pre = &n->pre;
        w->pre_wt = g->nodes[n->pre.w].f;
        epi_of(g, &n->pre, &w->pre_epi);
        w->pre_h = w->h, w->pre_w = w->w;
        w->h = w->oh, w->w = w->ow; /* the 1x1 conv's input is the depthwise output */
    }
}

/* A filter packed for kc_k_gemm is only read through the packed copy: free the HWIO original
 * unless another step reads it too. Then total the weight memory the model keeps. */
static void release_packed_originals(struct kc_tgraph *g, struct exec *e)
{
    int *uses = calloc((size_t)g->n_nodes, sizeof(int));
    for (int k = 0; uses && k < e->n_steps; k++) {
        const struct kc_tnode *n = &g->nodes[e->steps[k].node];
        if (n->op == KC_OP_CONV || n->op == KC_OP_DWCONV) uses[n->conv.w]++;
        if (n->has_pre) uses[n->pre.w]++;
    }
    for (int k = 0; uses && k < e->n_steps; k++) {
        struct step *s = &e->steps[k];
        int w = g->nodes[s->node].conv.w;
        if (!s->packed || uses[w] != 1) continue;
        free(g->nodes[w].f);
        g->nodes[w].f = NULL, g->nodes[w].buf = NULL, s->win.wt = NULL;
    }
    free(uses);
    g->resident_weight_bytes = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].f) g->resident_weight_bytes += kc_tshape_count(&g->nodes[i].shape) * 4;
    for (int k = 0; k < e->n_steps; k++)
        if (e->steps[k].packed) {
            const struct kc_tconv *c = &g->nodes[e->steps[k].node].conv;
            g->resident_weight_bytes +=
                kc_k_packed_floats((int64_t)c->kh * c->kw * c->cin, c->cout) * 4;
        }
}

int kc_tgraph_exec_init(struct kc_tgraph *g, struct kc_err *err)
{
    struct exec *e = calloc(1, sizeof *e);
    if (!e) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    g->exec = e;
    e->threads = g->threads;
    e->steps = calloc((size_t)g->n_order + 1, sizeof *e->steps);
    if (!e->steps) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    for (int k = 0; k < g->n_order; k++) {
        struct kc_tnode *n = &g->nodes[g->order[k]];
        struct step *s = &e->steps[e->n_steps++];
        s->node = g->order[k];
        if (n->op == KC_OP_CONV || n->op == KC_OP_DWCONV || n->op == KC_OP_MAXPOOL ||
            n->op == KC_OP_AVGPOOL) {
            build_window(g, n, s);
            s->win.portable = g->portable;
            if (pack_conv(s, n, g->portable, err)) return -1;
            if (n->op == KC_OP_CONV && kc_k_conv_scratch(&s->win) > e->scratch_per)
                e->scratch_per = kc_k_conv_scratch(&s->win);
        }
    }
    release_packed_originals(g, e);
    e->scratch_per = (e->scratch_per + 15) / 16 * 16;
    g->scratch_floats = e->scratch_per * (size_t)e->threads;
    e->scratch = aligned_alloc(64, (g->scratch_floats ? g->scratch_floats : 16) * sizeof(float));
    if (!e->scratch) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    return start_pool(e, err);
}

void kc_tgraph_exec_fini(struct kc_tgraph *g)
{
    struct exec *e = g->exec;
    if (!e) return;
    stop_pool(e);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->cv);
    for (int k = 0; e->steps && k < e->n_steps; k++) free(e->steps[k].packed);
    free(e->th), free(e->steps), free(e->scratch), free(e);
    g->exec = NULL;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *act_name(enum kc_act a)
{
    static const char *names[] = {"", "relu", "relu6", "prelu", "leaky", "sigmoid", "tanh"};
    return names[a];
}

void kc_tgraph_step_desc(const struct kc_tgraph *g, int k, char *buf, size_t cap)
{
    const struct kc_tnode *n = &g->nodes[g->order[k]];
    const struct kc_tconv *c = &n->conv;
    const struct kc_tshape *s = &n->shape;
    char pre[48] = "";
    if (n->has_pre)
        snprintf(pre, sizeof pre, " <-dw%dx%d/%d%s", n->pre.kh, n->pre.kw, n->pre.sh,
                 n->pre.act.kind ? "+act" : "");
    if (n->op == KC_OP_CONV || n->op == KC_OP_DWCONV || n->op == KC_OP_MAXPOOL ||
        n->op == KC_OP_AVGPOOL)
        snprintf(buf, cap, "%s %dx%d/%d%s %s%s%s%s %d->%dx%ldx%ld", n->op_name, c->kh, c->kw, c->sh,
                 pre, act_name(c->act.kind), c->residual >= 0 ? "+res" : "",
                 c->act2.kind ? "+" : "", act_name(c->act2.kind), c->cin, c->cout, (long)s->dim[1],
                 (long)s->dim[2]);
    else
        snprintf(buf, cap, "%s n=%zu%s", n->op_name, kc_tshape_count(s),
                 n->alias >= 0 ? " in-place" : "");
}

void kc_tgraph_run(struct kc_tgraph *g, const float *input, double *step_ms)
{
    struct exec *e = g->exec;
    openblas_set_num_threads(1);
    g->nodes[g->input].buf = (float *)input; /* read only: no step writes to the input */
    for (int k = 0; k < e->n_steps; k++) {
        struct step *s = &e->steps[k];
        double t0 = step_ms ? now_ms() : 0;
        if (!s->window) {
            kc_tnode_eval(g, &g->nodes[s->node]);
        } else {
            if (s->x_is_input) s->win.x = input;
            if (s->res_is_input) s->win.epi.residual = input;
            run_parallel(e, s);
        }
        if (step_ms) step_ms[k] = now_ms() - t0;
    }
}
