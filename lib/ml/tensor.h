/*
 * tensor.h — the graph IR behind the TF.js runner (internal to lib/ml; not a public API).
 *
 * A graph is an array of nodes in file order. Every node produces one tensor (rank <= 4,
 * float32, dense, row-major = NHWC for images). Integer constants (Reshape shapes, Pad amounts,
 * axes) are kept as int32 beside the float data and are only read while planning.
 *
 * Life of a graph (each step in its own file):
 *   tfjs.c         parses model.json + weights into nodes (ops, attributes, constant data);
 *   tensor_graph.c resolves inputs, orders the nodes topologically, finds outputs and the input;
 *   tensor_shape.c infers every shape and reads the integer operands that configure ops;
 *   tensor_plan.c  fuses (conv + bias + activation + residual Add + activation, depthwise into
 *                  the following 1x1 conv), marks aliases (Identity/Reshape are views, elementwise
 *                  ops run in place), assigns arena offsets by liveness and sizes kernel scratch;
 *   tensor_exec.c  builds step descriptors (packing conv weights for kernels_gemm.c), owns the
 *                  worker threads and runs the steps with the kernels of kernels.h.
 *
 * Invariants after planning: `order` lists the executable nodes (no Const/Input, no dead or
 * absorbed node) so that each node's inputs come before it; node.buf points at the node's data
 * (constant data, the arena, or — for the input — the caller's array during a run); nodes that
 * alias another node share its buffer; every shape dim is >= 1.
 */
#ifndef KC_ML_TENSOR_H
#define KC_ML_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KC_T_MAX_RANK 4

enum kc_top {
    KC_OP_CONST,
    KC_OP_INPUT,
    KC_OP_IDENTITY,
    KC_OP_RESHAPE,
    KC_OP_CONV,   /* Conv2D, _FusedConv2D */
    KC_OP_DWCONV, /* DepthwiseConv2dNative, FusedDepthwiseConv2dNative */
    KC_OP_MAXPOOL,
    KC_OP_AVGPOOL,
    KC_OP_ADD,
    KC_OP_SUB,
    KC_OP_MUL,
    KC_OP_PRELU,
    KC_OP_RELU,
    KC_OP_RELU6,
    KC_OP_SIGMOID,
    KC_OP_TANH,
    KC_OP_MEAN,
    KC_OP_SOFTMAX,
    KC_OP_PAD,
    KC_OP_CONCAT,
};

enum kc_act {
    KC_ACT_NONE,
    KC_ACT_RELU,
    KC_ACT_RELU6,
    KC_ACT_PRELU, /* per-channel slope from a constant node */
    KC_ACT_LEAKY, /* constant slope */
    KC_ACT_SIGMOID,
    KC_ACT_TANH,
};

struct kc_tshape {
    int rank;
    int64_t dim[KC_T_MAX_RANK];
};

/* An activation applied in a conv epilogue: slope node for Prelu, constant for LeakyRelu. */
struct kc_tact {
    enum kc_act kind;
    int alpha;   /* node index of the Prelu slopes (one per output channel), or -1 */
    float leaky; /* LeakyRelu slope */
};

/* A (depthwise) convolution: weights HWIO ([kh][kw][cin][cout], depthwise [kh][kw][c][mult]). */
struct kc_tconv {
    int x, w, bias; /* node indices; bias -1 when absent */
    int kh, kw, sh, sw, dh, dw;
    int pad_mode;        /* KC_PAD_SAME, KC_PAD_VALID, KC_PAD_EXPLICIT */
    int pt, pb, pl, pr;  /* resolved padding in pixels (explicit ones given in the file) */
    int cin, cout, mult; /* mult: depthwise channel multiplier (1 for a regular conv) */
    struct kc_tact act;  /* after the bias */
    int residual;        /* node added after act (same shape as the output), or -1 */
    struct kc_tact act2; /* after the residual */
};

enum { KC_PAD_VALID, KC_PAD_SAME, KC_PAD_EXPLICIT };

struct kc_tnode {
    char *name;
    const char *op_name; /* TF op name as in the file (static string) */
    enum kc_top op;
    int n_in;
    int *in;         /* data inputs, node indices (resolved by kc_tgraph_resolve) */
    char **in_names; /* as written in the file, freed after resolving */
    struct kc_tshape shape;

    float *f;     /* Const float data (owned), NULL otherwise */
    int32_t *i32; /* Const int32 data (owned), NULL otherwise */
    int is_int;   /* Const of dtype int32 */

    /* attributes (only the ones the op uses are set) */
    struct kc_tconv conv; /* CONV, DWCONV (and pooling geometry in kh/kw/sh/sw/pads) */
    int has_pre;          /* CONV: a depthwise conv was fused in front (pre.x is the input) */
    struct kc_tconv pre;
    int keep_dims;              /* MEAN */
    float pad_value;            /* PAD (PadV2's constant) */
    int axes_mask;              /* MEAN: bit i set = reduce axis i */
    int axis;                   /* CONCAT: normalised axis; SOFTMAX: last axis */
    int pads[KC_T_MAX_RANK][2]; /* PAD: before/after per axis */
    char **fused;               /* fused_ops as read from the file (owned strings) */
    int n_fused;
    int num_args;
    float leaky_alpha; /* leakyrelu_alpha attribute */

    /* planning */
    int n_uses; /* consumers among live nodes (+1 when it is a graph output) */
    int is_output;
    int live;     /* reachable from an output */
    int absorbed; /* fused into a consumer: not executed */
    int alias;    /* shares the buffer of this node (-1: own buffer) */
    int step;     /* position in the execution order */
    size_t off;   /* arena offset in floats when it owns an arena buffer */
    float *buf;
};

struct kc_tgraph {
    struct kc_tnode *nodes;
    int n_nodes;
    int input;  /* the Placeholder node */
    int *order; /* executable nodes in execution order */
    int n_order;
    int *outputs; /* output nodes (graph sinks + signature outputs) */
    int n_outputs;
    char **sig_outputs; /* output names from the signature, if any (owned) */
    int *name_hash;     /* open addressing over node names, built on first lookup */
    size_t hash_cap;
    int n_sig_outputs;
    int threads;
    int portable; /* kc_tfjs_options.portable */

    float *arena; /* activations, owned */
    size_t arena_floats;
    float *scratch; /* kernel scratch (im2col, depthwise bands), owned */
    size_t scratch_floats;
    size_t weight_bytes;          /* float weights after dequantisation (the file's) */
    size_t resident_weight_bytes; /* weights kept in memory after packing */
    void *exec;                   /* tensor_exec.c: planned steps, scratch, worker threads */
};

/* tensor_graph.c */
int kc_tgraph_find(const struct kc_tgraph *g, const char *name); /* node index or -1 */
/* Resolve input names, check arity, find the Placeholder and the outputs, order topologically,
 * infer every shape. */
int kc_tgraph_prepare(struct kc_tgraph *g, struct kc_err *err);
size_t kc_tshape_count(const struct kc_tshape *s);
void kc_tgraph_free(struct kc_tgraph *g);

/* tensor_shape.c: infer the shape of live node n (its inputs already have theirs) and read the
 * constant operands that configure it. */
int kc_tgraph_infer(struct kc_tgraph *g, struct kc_tnode *n, struct kc_err *err);
/* Output size of a window op along one axis; fills the padding before/after. -1 if empty. */
int64_t kc_tconv_out(int64_t in, int k, int s, int d, int mode, int *before, int *after);

/* tensor_plan.c: fuse, alias, assign buffers, allocate arena and scratch. */
int kc_tgraph_plan(struct kc_tgraph *g, struct kc_err *err);

/* tensor_exec.c: step descriptors, kernel scratch and worker threads; then runs. */
int kc_tgraph_exec_init(struct kc_tgraph *g, struct kc_err *err);
void kc_tgraph_exec_fini(struct kc_tgraph *g);
void kc_tgraph_run(struct kc_tgraph *g, const float *input, double *step_ms /* or NULL */);
void kc_tgraph_step_desc(const struct kc_tgraph *g, int k, char *buf, size_t cap);
/* Evaluate one non-window node from its inputs' buffers into n->buf (also used for folding). */
int kc_tnode_eval(struct kc_tgraph *g, struct kc_tnode *n);

#endif
