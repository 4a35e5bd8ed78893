/* ops.c - decoder blocks into operations with shapes, FLOPs and bytes.
 *
 * Counting conventions (ours, stated once here):
 *  - GEMM FLOPs are 2*M*N*K per instance, plus M*N for a bias.
 *  - Vector FLOPs count one per elementary operation per element, with exp,
 *    tanh and rsqrt as one: LayerNorm 7 (mean add, subtract, square, variance
 *    add, scale by rstd, gamma, beta), RMSNorm 4 (square, add, scale, gamma),
 *    RoPE 3 (x*cos, rot(x)*sin, add), softmax 5 (max, subtract, exp, sum,
 *    scale by 1/sum; the 1/sqrt(d) is folded into Q), GELU 8 (tanh form: x^3,
 *    two multiply-adds, tanh, add, two multiplies), ReLU 1, SiLU 4 (exp, add,
 *    divide, multiply), ReLU^2 2; gated FFNs add 1 for the gate product;
 *    residual adds 1.
 *  - Bytes are at the run's widths: activations at abits, weights at wbits,
 *    K/V at kvbits; embeddings, norm scales and biases at PARAM_BITS.  The
 *    LM head of a ternary model is not a BitLinear layer: 8-bit weights.
 *  - Attention is computed on the full prompt x prompt square in prefill (the
 *    causal mask does not shrink a tiled GEMM); a sliding window (Mistral)
 *    limits decode keys.  LM head and final norm run on the last position of
 *    each sequence only, as a serving system does.
 */
#include "ops.h"

#include "../models/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Embeddings, norm scales and biases stay in the checkpoints' 16-bit dtype
 * (torch_dtype float16/bfloat16 in the shipped configs). */
#define PARAM_BITS 16u

/* Per-element FLOPs of the vector ops: see the header comment. */
enum {
    FL_LAYERNORM = 7, FL_RMSNORM = 4, FL_ROPE = 3, FL_SOFTMAX = 5, FL_GELU = 8, FL_RELU = 1,
    FL_SILU = 4, FL_RELU2 = 2, FL_GATE = 1, FL_ADD = 1
};

const char *mapper_kind_name(mapper_kind_t k)
{
    return k == MAPPER_GEMM ? "gemm" : k == MAPPER_GEMV ? "gemv" : "vector";
}

const char *mapper_phase_name(mapper_phase_t p)
{
    return p == MAPPER_PREFILL ? "prefill" : "decode";
}

const char *mapper_unit_name(mapper_unit_t u)
{
    static const char *const n[] = {"systolic", "vector", "lut", "pim", "link", "gpu"};
    return n[u];
}

const char *mapper_order_name(mapper_order_t o)
{
    static const char *const n[] = {"mnk", "mkn", "nmk", "nkm", "kmn", "knm"};
    return o < MAPPER_ORDERS ? n[o] : "?";
}

int mapper_run_check(const mapper_run_t *r, const mapper_model_t *m, char *err, size_t errlen)
{
    const struct { const char *name; uint64_t v, hi; } dims[] = {
        {"batch", r->batch, MAPPER_MAX_BATCH}, {"prompt", r->prompt, m->max_pos},
        {"gen", r->gen, m->max_pos},           {"wbits", r->wbits, MAPPER_MAX_BITS},
        {"abits", r->abits, MAPPER_MAX_BITS},  {"kvbits", r->kvbits, MAPPER_MAX_BITS}};
    for (size_t i = 0; i < ARRAY_LEN(dims); i++) {
        if (dims[i].v < 1 || dims[i].v > dims[i].hi) {
            snprintf(err, errlen, "%s: %llu is outside 1..%llu", dims[i].name,
                     (unsigned long long)dims[i].v, (unsigned long long)dims[i].hi);
            return -1;
        }
    }
    /* Positions used: 0 .. prompt + gen - 2 (the last token is never fed back). */
    if (r->prompt + r->gen - 1 > m->max_pos) {
        snprintf(err, errlen, "gen: prompt %llu + %llu new tokens needs %llu positions, the model "
                 "has %llu", (unsigned long long)r->prompt, (unsigned long long)r->gen,
                 (unsigned long long)(r->prompt + r->gen - 1), (unsigned long long)m->max_pos);
        return -1;
    }
    return 0;
}

static uint64_t bytes(uint64_t elems, uint32_t bits)
{
    return (elems * bits + 7) / 8;
}

typedef struct {
    const mapper_model_t *m;
    const mapper_run_t *r;
    mapper_ops_t *out;
    mapper_phase_t phase;
    uint32_t step;
    uint32_t repeat;
    int oom;
} build_t;

static mapper_op_t *push(build_t *b, const char *name, mapper_kind_t kind)
{
    mapper_ops_t *o = b->out;
    if (o->count == o->cap) {
        const size_t cap = o->cap ? 2 * o->cap : 64;
        mapper_op_t *n = realloc(o->ops, cap * sizeof *n);
        if (!n) {
            b->oom = 1;
            return NULL;
        }
        o->ops = n;
        o->cap = cap;
    }
    mapper_op_t *op = &o->ops[o->count++];
    memset(op, 0, sizeof *op);
    snprintf(op->name, sizeof op->name, "%s", name);
    op->phase = b->phase;
    op->step = b->step;
    op->repeat = b->repeat;
    op->kind = kind;
    op->count = 1;
    return op;
}

/* A GEMM with a weight matrix B[K][N] (optionally with a bias). */
static void weight_gemm(build_t *b, const char *name, uint64_t M, uint64_t N, uint64_t K,
                        uint32_t wbits, int bias)
{
    mapper_op_t *op = push(b, name, M == 1 ? MAPPER_GEMV : MAPPER_GEMM);
    if (!op)
        return;
    op->m = M, op->n = N, op->k = K;
    op->abits = b->r->abits, op->bbits = wbits, op->obits = b->r->abits;
    op->b_weight = 1;
    op->b_ternary = b->m->ternary && wbits == 2; /* BitLinear layers at the native width */
    op->flops = 2 * M * N * K + (bias ? M * N : 0);
    op->bytes_read = bytes(M * K, op->abits) + bytes(K * N, wbits) + (bias ? bytes(N, PARAM_BITS) : 0);
    op->bytes_written = bytes(M * N, op->obits);
}

/* Attention GEMM per (sequence, KV head): B is the K or V cache. */
static void attn_gemm(build_t *b, const char *name, uint64_t M, uint64_t N, uint64_t K,
                      uint64_t count)
{
    mapper_op_t *op = push(b, name, b->phase == MAPPER_DECODE ? MAPPER_GEMV : MAPPER_GEMM);
    if (!op)
        return;
    op->m = M, op->n = N, op->k = K, op->count = count;
    op->abits = b->r->abits, op->bbits = b->r->kvbits, op->obits = b->r->abits;
    op->flops = count * 2 * M * N * K;
    op->bytes_read = count * (bytes(M * K, op->abits) + bytes(K * N, op->bbits));
    op->bytes_written = count * bytes(M * N, op->obits);
}

/* Vector op over rows x n elements: `in` input tensors of that size at
 * abits, `params` parameter vectors of n at PARAM_BITS. */
static mapper_op_t *vec(build_t *b, const char *name, uint64_t rows, uint64_t n, uint64_t fl,
                        unsigned in, unsigned params)
{
    mapper_op_t *op = push(b, name, MAPPER_VECTOR);
    if (!op)
        return NULL;
    const uint32_t ab = b->r->abits;
    op->m = rows, op->n = n;
    op->abits = op->obits = ab;
    op->flops = fl * rows * n;
    op->bytes_read = in * bytes(rows * n, ab) + params * bytes(n, PARAM_BITS);
    op->bytes_written = bytes(rows * n, ab);
    return op;
}

static void norm(build_t *b, const char *name, uint64_t rows, uint64_t n)
{
    const int ln = b->m->norm == MAPPER_LAYERNORM;
    vec(b, name, rows, n, ln ? FL_LAYERNORM : FL_RMSNORM, 1, ln ? 2 : 1);
}

/* One decoder block: T tokens in total, q tokens per sequence attending over
 * `keys` keys each. */
static void block(build_t *b, uint64_t T, uint64_t q, uint64_t keys)
{
    const mapper_model_t *m = b->m;
    const mapper_run_t *r = b->r;
    const uint64_t H = m->hidden, F = m->ffn, hd = m->head_dim;
    const uint64_t qd = m->heads * hd, kvd = m->kv_heads * hd, g = m->heads / m->kv_heads;
    const uint32_t wb = r->wbits;

    norm(b, "norm_attn", T, H);
    weight_gemm(b, "qkv", T, qd + 2 * kvd, H, wb, m->bias);
    if (m->rope)
        vec(b, "rope", T, qd + kvd, FL_ROPE, 1, 0);
    mapper_op_t *kv = vec(b, "kv_append", T, 2 * kvd, 0, 1, 0);
    if (kv) {
        kv->obits = r->kvbits;
        kv->bytes_written = bytes(T * 2 * kvd, r->kvbits);
    }
    attn_gemm(b, "qk", q * g, keys, hd, r->batch * m->kv_heads);
    vec(b, "softmax", r->batch * m->heads * q, keys, FL_SOFTMAX, 1, 0);
    attn_gemm(b, "sv", q * g, hd, keys, r->batch * m->kv_heads);
    if (m->sub_norm)
        norm(b, "subnorm_attn", T, qd);
    weight_gemm(b, "o_proj", T, H, qd, wb, m->bias);
    vec(b, "residual_attn", T, H, FL_ADD, 2, 0);
    norm(b, "norm_ffn", T, H);
    if (m->gated) {
        weight_gemm(b, "gate_up", T, 2 * F, H, wb, 0);
        vec(b, "act_gate", T, F, (m->act == MAPPER_ACT_RELU2 ? FL_RELU2 : FL_SILU) + FL_GATE, 2, 0);
        if (m->sub_norm)
            norm(b, "subnorm_ffn", T, F);
        weight_gemm(b, "down", T, H, F, wb, 0);
    } else {
        weight_gemm(b, "fc1", T, F, H, wb, m->bias);
        vec(b, "act", T, F, m->act == MAPPER_ACT_GELU ? FL_GELU : FL_RELU, 1, 0);
        weight_gemm(b, "fc2", T, H, F, wb, m->bias);
    }
    vec(b, "residual_ffn", T, H, FL_ADD, 2, 0);
}

/* One step: embedding, the blocks (repeat = layers), final norm, LM head. */
static void step(build_t *b, uint64_t T, uint64_t q, uint64_t keys)
{
    const mapper_model_t *m = b->m;
    const uint64_t B = b->r->batch, H = m->hidden, P = m->embed_proj;
    b->repeat = 1;
    mapper_op_t *e = vec(b, "embed", T, P, 0, 0, 0);
    if (e) {
        /* A gather of T rows of the table, plus the learned positions' add. */
        e->bytes_read = bytes(T * P, PARAM_BITS) + (m->pos_rows ? bytes(T * H, PARAM_BITS) : 0);
        e->flops = m->pos_rows ? T * H : 0;
    }
    if (P != H)
        weight_gemm(b, "project_in", T, H, P, b->r->wbits, 0);
    b->repeat = (uint32_t)m->layers;
    block(b, T, q, keys);
    b->repeat = 1;
    norm(b, "norm_final", B, H);
    if (P != H)
        weight_gemm(b, "project_out", B, P, H, b->r->wbits, 0);
    weight_gemm(b, "lm_head", B, m->vocab, P, m->ternary ? 8 : b->r->wbits, 0);
}

int mapper_ops_build(const mapper_model_t *m, const mapper_run_t *r, mapper_ops_t *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (mapper_run_check(r, m, err, errlen) != 0)
        return -1;
    build_t b = {.m = m, .r = r, .out = out, .phase = MAPPER_PREFILL};
    step(&b, r->batch * r->prompt, r->prompt, r->prompt);
    b.phase = MAPPER_DECODE;
    for (uint64_t s = 1; s < r->gen && !b.oom; s++) {
        uint64_t keys = r->prompt + s;
        if (m->window && keys > m->window)
            keys = m->window;
        b.step = (uint32_t)s;
        step(&b, r->batch, 1, keys);
    }
    if (b.oom) {
        mapper_ops_free(out);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void mapper_ops_free(mapper_ops_t *o)
{
    free(o->ops);
    memset(o, 0, sizeof *o);
}
