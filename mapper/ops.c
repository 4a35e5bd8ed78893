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
 *  - MoE: the router is a weight GEMM (T x experts x hidden); top-k is a
 *    vector op of softmax + k per score; the combine 2 x top_k per output
 *    element (+2 with a shared expert); a routed expert's GEMMs have M = its
 *    tokens.  Soft-capping (Gemma-2) counts 3 per element (divide, tanh,
 *    multiply), ALiBi 1 per score.
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
    FL_SILU = 4, FL_RELU2 = 2, FL_GATE = 1, FL_ADD = 1, FL_SOFTCAP = 3
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
    static const char *const n[] = {"systolic", "vector", "lut",  "pim",
                                    "link",     "gpu",    "addertree", "cube", "matrix2d"};
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
            /* prompt and gen are bounded by the model file's positions, not
             * by a key of it: say which number that is. */
            snprintf(err, errlen, "%s: %llu is outside 1..%llu%s", dims[i].name,
                     (unsigned long long)dims[i].v, (unsigned long long)dims[i].hi,
                     dims[i].hi == m->max_pos && i && i < 3
                         ? " (the model's max_position_embeddings)" : "");
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
    /* Routing visits every token of a step (route()); a step that no unit
     * could run is refused before that, not after minutes of routing. */
    if (m->experts && r->batch * r->prompt > MAPPER_MAX_STEP_TOKENS) {
        snprintf(err, errlen, "prompt: batch %llu x prompt %llu = %llu tokens in the prefill "
                 "step, above the %llu an MoE step's expert GEMMs take",
                 (unsigned long long)r->batch, (unsigned long long)r->prompt,
                 (unsigned long long)(r->batch * r->prompt), MAPPER_MAX_STEP_TOKENS);
        return -1;
    }
    return 0;
}

typedef struct {
    const mapper_model_t *m;
    const mapper_run_t *r;
    mapper_ops_t *out;
    mapper_phase_t phase;
    uint32_t step;
    uint32_t repeat;
    uint64_t layer;            /* the layer being emitted (unrolled lists), else 0 */
    uint32_t *hits;            /* [experts] tokens routed to each expert (scratch) */
    uint64_t *perm;            /* [2 x experts] scratch for sampling */
    int oom, overflow;
    char cur[16];              /* the op whose counts are being computed */
    char overflow_op[16];      /* the first op whose counts overflowed */
} build_t;

/* Checked products and sums of user-sized counts: an overflow marks the
 * build, which then refuses the run (mapper_ops_build). */
static void overflowed(build_t *b)
{
    if (!b->overflow)
        memcpy(b->overflow_op, b->cur, sizeof b->cur);
    b->overflow = 1;
}

static uint64_t mul(build_t *b, uint64_t x, uint64_t y)
{
    uint64_t z;
    if (util_mul_u64(x, y, &z)) {
        overflowed(b);
        return 0;
    }
    return z;
}

static uint64_t mul3(build_t *b, uint64_t x, uint64_t y, uint64_t z)
{
    return mul(b, mul(b, x, y), z);
}

static uint64_t add(build_t *b, uint64_t x, uint64_t y)
{
    uint64_t z;
    if (util_add_u64(x, y, &z)) {
        overflowed(b);
        return 0;
    }
    return z;
}

static uint64_t bytes(build_t *b, uint64_t elems, uint32_t bits)
{
    return add(b, mul(b, elems, bits), 7) / 8;
}

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
    snprintf(b->cur, sizeof b->cur, "%s", name);
    return op;
}

/* `count` GEMMs, each with its own weight matrix B[K][N] (one per expert or
 * head; optionally with a bias). */
static void weight_gemm_n(build_t *b, const char *name, uint64_t M, uint64_t N, uint64_t K,
                          uint64_t count, uint32_t wbits, int bias)
{
    mapper_op_t *op = push(b, name, M == 1 ? MAPPER_GEMV : MAPPER_GEMM);
    if (!op)
        return;
    op->m = M, op->n = N, op->k = K, op->count = count;
    op->abits = b->r->abits, op->bbits = wbits, op->obits = b->r->abits;
    op->b_weight = 1;
    op->b_ternary = b->m->ternary && wbits == 2; /* BitLinear layers at the native width */
    op->flops = mul(b, count, add(b, mul(b, 2, mul3(b, M, N, K)), bias ? mul(b, M, N) : 0));
    op->bytes_read = mul(b, count, add(b, add(b, bytes(b, mul(b, M, K), op->abits),
                                                bytes(b, mul(b, K, N), wbits)),
                                         bias ? bytes(b, N, PARAM_BITS) : 0));
    op->bytes_written = mul(b, count, bytes(b, mul(b, M, N), op->obits));
}

static void weight_gemm(build_t *b, const char *name, uint64_t M, uint64_t N, uint64_t K,
                        uint32_t wbits, int bias)
{
    weight_gemm_n(b, name, M, N, K, 1, wbits, bias);
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
    op->flops = mul(b, count, mul(b, 2, mul3(b, M, N, K)));
    op->bytes_read = mul(b, count, add(b, bytes(b, mul(b, M, K), op->abits),
                                       bytes(b, mul(b, K, N), op->bbits)));
    op->bytes_written = mul(b, count, bytes(b, mul(b, M, N), op->obits));
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
    op->flops = mul3(b, fl, rows, n);
    op->bytes_read = add(b, mul(b, in, bytes(b, mul(b, rows, n), ab)),
                         mul(b, params, bytes(b, n, PARAM_BITS)));
    op->bytes_written = bytes(b, mul(b, rows, n), ab);
    return op;
}

static void norm(build_t *b, const char *name, uint64_t rows, uint64_t n)
{
    const int ln = b->m->norm == MAPPER_LAYERNORM;
    vec(b, name, rows, n, ln ? FL_LAYERNORM : FL_RMSNORM, 1, ln ? 2 : 1);
}

static void kv_append(build_t *b, uint64_t T, uint64_t elems)
{
    mapper_op_t *kv = vec(b, "kv_append", T, elems, 0, 1, 0);
    if (kv) {
        kv->obits = b->r->kvbits;
        kv->bytes_written = bytes(b, mul(b, T, elems), b->r->kvbits);
    }
}

/* Softmax over the scores, with the ALiBi bias add and Gemma-2's tanh
 * soft-cap (divide, tanh, multiply) folded in as extra FLOPs per score. */
static void softmax(build_t *b, uint64_t rows, uint64_t keys)
{
    const mapper_model_t *m = b->m;
    vec(b, "softmax", rows, keys,
        FL_SOFTMAX + (m->alibi ? FL_ADD : 0) + (m->attn_softcap ? FL_SOFTCAP : 0), 1, 0);
}

/* Grouped-query (or multi-head / multi-query) attention of one block, from
 * the normed input to o_proj. */
static void attention(build_t *b, uint64_t T, uint64_t q, uint64_t keys)
{
    const mapper_model_t *m = b->m;
    const mapper_run_t *r = b->r;
    const uint64_t H = m->hidden, hd = m->head_dim;
    const uint64_t qd = m->heads * hd, kvd = m->kv_heads * hd, g = m->heads / m->kv_heads;
    weight_gemm(b, "qkv", T, qd + 2 * kvd, H, r->wbits, m->bias_qkv);
    if (m->qk_norm)
        vec(b, "norm_qk", mul(b, T, m->heads + m->kv_heads), hd, FL_RMSNORM, 1, 1);
    if (m->rope)
        vec(b, "rope", T, (m->heads + m->kv_heads) * m->rope_dims, FL_ROPE, 1, 0);
    kv_append(b, T, 2 * kvd);
    attn_gemm(b, "qk", q * g, keys, hd, mul(b, r->batch, m->kv_heads));
    softmax(b, mul3(b, r->batch, m->heads, q), keys);
    attn_gemm(b, "sv", q * g, hd, keys, mul(b, r->batch, m->kv_heads));
    if (m->sub_norm)
        norm(b, "subnorm_attn", T, qd);
    weight_gemm(b, "o_proj", T, H, qd, r->wbits, m->bias_o);
}

/* Multi-head latent attention (DeepSeek-V2 section 2.1): queries through
 * q_a/q_b (or q_proj), one compressed latent of kv_lora plus a shared rope
 * key of qk_rope per token cached, and one of two forms:
 *   decompressed: kv_b expands every cached key's latent into per-head
 *     keys and values, then ordinary attention with head_dim nope+rope;
 *   absorbed: W_UK is folded into the query (q_absorb, per head) and W_UV
 *     into the output (v_absorb), attention runs on the latent as one KV
 *     head shared by all query heads.
 * The form with fewer multiply-accumulates is chosen for each step (the
 * decompressed form wins in prefill, the absorbed form in decode). */
static void attention_mla(build_t *b, uint64_t T, uint64_t q, uint64_t keys)
{
    const mapper_model_t *m = b->m;
    const mapper_run_t *r = b->r;
    const uint64_t H = m->hidden, nh = m->heads, B = r->batch, L = m->kv_lora;
    const uint64_t qk = m->qk_nope + m->qk_rope;
    if (m->q_lora) {
        weight_gemm(b, "q_a", T, m->q_lora, H, r->wbits, 0);
        vec(b, "norm_q_a", T, m->q_lora, FL_RMSNORM, 1, 1);
        weight_gemm(b, "q_b", T, nh * qk, m->q_lora, r->wbits, 0);
    } else {
        weight_gemm(b, "q_proj", T, nh * qk, H, r->wbits, 0);
    }
    weight_gemm(b, "kv_a", T, L + m->qk_rope, H, r->wbits, 0);
    vec(b, "norm_kv_a", T, L, FL_RMSNORM, 1, 1);
    vec(b, "rope", T, (nh + 1) * m->qk_rope, FL_ROPE, 1, 0);
    kv_append(b, T, L + m->qk_rope);
    /* MACs of each form (the shared q and o projections left out). */
    const uint64_t bk = mul(b, B, keys), score = mul3(b, B, nh, mul(b, q, keys));
    const uint64_t dec = add(b, mul3(b, bk, nh * (m->qk_nope + m->v_head), L),
                             mul(b, score, qk + m->v_head));
    const uint64_t abs = add(b, mul3(b, T, nh, (m->qk_nope + m->v_head) * L),
                             mul(b, score, L + m->qk_rope + L));
    if (dec <= abs) {
        weight_gemm(b, "kv_b", bk, nh * (m->qk_nope + m->v_head), L, r->wbits, 0);
        attn_gemm(b, "qk", q, keys, qk, mul(b, B, nh));
        softmax(b, mul3(b, B, nh, q), keys);
        attn_gemm(b, "sv", q, m->v_head, keys, mul(b, B, nh));
    } else {
        weight_gemm_n(b, "q_absorb", T, L, m->qk_nope, nh, r->wbits, 0);
        attn_gemm(b, "qk", q * nh, keys, L + m->qk_rope, B);
        softmax(b, mul3(b, B, nh, q), keys);
        attn_gemm(b, "sv", q * nh, L, keys, B);
        weight_gemm_n(b, "v_absorb", T, m->v_head, L, nh, r->wbits, 0);
    }
    weight_gemm(b, "o_proj", T, H, nh * m->v_head, r->wbits, 0);
}

/* A dense FFN of inner width F on `rows` tokens. */
static void ffn(build_t *b, const char *gate_up, const char *act, const char *down,
                uint64_t rows, uint64_t F, uint64_t count)
{
    const mapper_model_t *m = b->m;
    const uint32_t wb = b->r->wbits;
    if (m->gated) {
        weight_gemm_n(b, gate_up, rows, 2 * F, m->hidden, count, wb, m->bias_mlp);
        const uint64_t fl = (m->act == MAPPER_ACT_RELU2 ? FL_RELU2 :
                             m->act == MAPPER_ACT_GELU ? FL_GELU : FL_SILU) + FL_GATE;
        vec(b, act, mul(b, rows, count), F, fl, 2, 0);
        if (m->sub_norm)
            norm(b, "subnorm_ffn", rows, F);
        weight_gemm_n(b, down, rows, m->hidden, F, count, wb, m->bias_mlp);
    } else {
        weight_gemm_n(b, gate_up, rows, F, m->hidden, count, wb, m->bias_mlp);
        vec(b, act, mul(b, rows, count), F, m->act == MAPPER_ACT_GELU ? FL_GELU : FL_RELU, 1, 0);
        weight_gemm_n(b, down, rows, m->hidden, F, count, wb, m->bias_mlp);
    }
}

/* splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): the state is a counter, so a (seed, step,
 * layer) triple gives one reproducible stream. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Tokens routed to each expert of this (step, layer): from the routing
 * trace when the run has one, else each of T tokens picks top_k distinct
 * experts uniformly (partial Fisher-Yates). */
static void route(build_t *b, uint64_t T)
{
    const mapper_model_t *m = b->m;
    const mapper_routing_t *rt = m->routing;
    const uint64_t E = m->experts;
    if (rt) {
        const uint32_t *row = rt->tokens + (b->step * rt->layers + b->layer) * rt->experts;
        for (uint64_t e = 0; e < E; e++)
            b->hits[e] = row[e];
        return;
    }
    memset(b->hits, 0, E * sizeof *b->hits);
    uint64_t s = m->route_seed ^ (0x51ed270b27a4d3c1ull * (b->step + 1)) ^
                 (0x2545f4914f6cdd1dull * (b->layer + 1));
    /* perm is the identity before each token: the token's top_k swaps are
     * undone in reverse order (O(top_k) a token, not O(experts)). */
    for (uint64_t e = 0; e < E; e++)
        b->perm[e] = e;
    uint64_t *swapped = b->perm + E; /* [top_k] the j of each swap */
    for (uint64_t t = 0; t < T; t++) {
        for (uint64_t k = 0; k < m->top_k; k++) {
            const uint64_t j = k + splitmix64(&s) % (E - k);
            const uint64_t x = b->perm[j];
            b->perm[j] = b->perm[k];
            b->perm[k] = x;
            b->hits[x]++;
            swapped[k] = j;
        }
        for (uint64_t k = m->top_k; k-- > 0;) {
            const uint64_t j = swapped[k], x = b->perm[j];
            b->perm[j] = b->perm[k];
            b->perm[k] = x;
        }
    }
}

/* The MoE FFN: router GEMM and top-k, the shared expert(s), then one GEMM
 * per touched expert with M = its tokens (experts with equal M grouped into
 * one op of `count` instances, each its own weights), the weighted combine.
 * Untouched experts' weights are never read. */
static void moe(build_t *b, uint64_t T)
{
    const mapper_model_t *m = b->m;
    const uint64_t E = m->experts, H = m->hidden;
    weight_gemm(b, "router", T, E, H, b->r->wbits, 0);
    vec(b, "topk", T, E, FL_SOFTMAX + m->top_k, 1, m->router_bias);
    if (m->shared_ffn) {
        ffn(b, "shr_gate_up", "act_gate_shr", "shr_down", T, m->shared_ffn, 1);
        if (m->shared_gate)
            weight_gemm(b, "shr_gate", T, 1, H, b->r->wbits, 0);
    }
    route(b, T);
    /* Group experts by their token count, in increasing order. */
    uint64_t prev = 0;
    for (;;) {
        uint64_t next = UINT64_MAX, n = 0;
        for (uint64_t e = 0; e < E; e++)
            if (b->hits[e] > prev && b->hits[e] < next)
                next = b->hits[e];
        if (next == UINT64_MAX)
            break;
        for (uint64_t e = 0; e < E; e++)
            n += b->hits[e] == next;
        ffn(b, "moe_gate_up", "act_gate_moe", "moe_down", next, m->expert_ffn, n);
        prev = next;
    }
    vec(b, "moe_combine", T, H, 2 * m->top_k + (m->shared_ffn ? 2 : 0), m->top_k, 0);
}

/* One decoder block: T tokens in total, q tokens per sequence attending over
 * `keys` keys each. */
static void block(build_t *b, uint64_t T, uint64_t q, uint64_t keys)
{
    const mapper_model_t *m = b->m;
    const uint64_t H = m->hidden;
    const uint64_t w = mapper_layer_window(m, b->layer);
    if (w && keys > w)
        keys = w;
    norm(b, "norm_attn", T, H);
    if (m->mla)
        attention_mla(b, T, q, keys);
    else
        attention(b, T, q, keys);
    if (m->block_norms == 4)
        norm(b, "norm_post_attn", T, H);
    if (!m->parallel)
        vec(b, "residual_attn", T, H, FL_ADD, 2, 0);
    /* Parallel blocks feed the FFN from the block input: falcon-7b and
     * GPT-J reuse the attention norm, the others norm it again. */
    if (m->block_norms != 1)
        norm(b, "norm_ffn", T, H);
    if (mapper_layer_moe(m, b->layer))
        moe(b, T);
    else if (m->gated)
        ffn(b, "gate_up", "act_gate", "down", T, m->ffn, 1);
    else
        ffn(b, "fc1", "act", "fc2", T, m->ffn, 1);
    if (m->block_norms == 4)
        norm(b, "norm_post_ffn", T, H);
    /* parallel: x + attn + ffn, one three-input add */
    vec(b, "residual_ffn", T, H, m->parallel ? 2 * FL_ADD : FL_ADD, m->parallel ? 3 : 2, 0);
}

/* One step: embedding, the blocks (repeat = layers, or each layer once when
 * the layers differ), final norm, LM head. */
static void step(build_t *b, uint64_t T, uint64_t q, uint64_t keys)
{
    const mapper_model_t *m = b->m;
    const uint64_t B = b->r->batch, H = m->hidden, P = m->embed_proj;
    b->repeat = 1;
    mapper_op_t *e = vec(b, "embed", T, P, 0, 0, 0);
    if (e) {
        /* A gather of T rows of the table, plus the learned positions' add. */
        e->bytes_read = add(b, bytes(b, mul(b, T, P), PARAM_BITS),
                            m->pos_rows ? bytes(b, mul(b, T, H), PARAM_BITS) : 0);
        e->flops = m->pos_rows ? mul(b, T, H) : 0;
    }
    if (m->embed_norm)
        norm(b, "norm_embed", T, H);
    if (P != H)
        weight_gemm(b, "project_in", T, H, P, b->r->wbits, 0);
    if (mapper_layers_differ(m)) {
        for (b->layer = 0; b->layer < m->layers && !b->oom; b->layer++)
            block(b, T, q, keys);
        b->layer = 0;
    } else {
        b->repeat = (uint32_t)m->layers;
        block(b, T, q, keys);
        b->repeat = 1;
    }
    norm(b, "norm_final", B, H);
    if (P != H)
        weight_gemm(b, "project_out", B, P, H, b->r->wbits, 0);
    weight_gemm(b, "lm_head", B, m->vocab, P, m->ternary ? 8 : b->r->wbits, m->lm_bias);
    if (m->logit_softcap)
        vec(b, "softcap", B, m->vocab, FL_SOFTCAP, 1, 0);
}

/* "PATH:LINE: " of the first trace row among cells [from, to) of rt, or
 * "PATH: " when none of them was given, or "" for a table not read from a
 * file. */
static void routing_where(const mapper_routing_t *rt, size_t from, size_t to, char *buf,
                          size_t len)
{
    buf[0] = '\0';
    if (!rt->path)
        return;
    unsigned line = 0;
    for (size_t c = from; rt->lines && c < to && !line; c++)
        line = rt->lines[c];
    if (line)
        snprintf(buf, len, "%.240s:%u: ", rt->path, line);
    else
        snprintf(buf, len, "%.240s: ", rt->path);
}

/* A routing trace must fit the model and the run: one row per step
 * (0 = prefill) and layer, each MoE layer's counts summing to T x top_k with
 * no expert taking a token twice. */
static int routing_check(const mapper_model_t *m, const mapper_run_t *r, char *err,
                         size_t errlen)
{
    const mapper_routing_t *rt = m->routing;
    if (!rt)
        return 0;
    if (!m->experts) {
        snprintf(err, errlen, "routing: the model has no experts");
        return -1;
    }
    if (rt->experts != m->experts || rt->layers != m->layers || rt->steps < r->gen) {
        char where[300];
        routing_where(rt, 0, 0, where, sizeof where);
        snprintf(err, errlen, "routing: %sthe trace has %u steps x %u layers x %u experts, the run "
                 "needs %llu x %llu x %llu", where, rt->steps, rt->layers, rt->experts,
                 (unsigned long long)r->gen, (unsigned long long)m->layers,
                 (unsigned long long)m->experts);
        return -1;
    }
    for (uint64_t s = 0; s < r->gen; s++) {
        const uint64_t T = r->batch * (s ? 1 : r->prompt);
        for (uint64_t l = 0; l < m->layers; l++) {
            if (!mapper_layer_moe(m, l))
                continue;
            const size_t at = (size_t)(s * rt->layers + l) * rt->experts;
            const uint32_t *row = rt->tokens + at;
            uint64_t sum = 0;
            for (uint64_t e = 0; e < m->experts; e++) {
                if (row[e] > T) {
                    char where[300];
                    routing_where(rt, at + e, at + e + 1, where, sizeof where);
                    snprintf(err, errlen, "routing: %sstep %llu layer %llu expert %llu: %u tokens, "
                             "the step has %llu", where, (unsigned long long)s,
                             (unsigned long long)l, (unsigned long long)e, row[e],
                             (unsigned long long)T);
                    return -1;
                }
                sum += row[e];
            }
            if (sum != T * m->top_k) {
                char where[300];
                routing_where(rt, at, at + m->experts, where, sizeof where);
                snprintf(err, errlen, "routing: %sstep %llu layer %llu: %llu routed tokens, want "
                         "%llu tokens x top-%llu", where, (unsigned long long)s,
                         (unsigned long long)l, (unsigned long long)sum, (unsigned long long)T,
                         (unsigned long long)m->top_k);
                return -1;
            }
        }
    }
    return 0;
}

int mapper_ops_build(const mapper_model_t *m, const mapper_run_t *r, mapper_ops_t *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (mapper_run_check(r, m, err, errlen) != 0 || routing_check(m, r, err, errlen) != 0)
        return -1;
    build_t b = {.m = m, .r = r, .out = out, .phase = MAPPER_PREFILL};
    if (m->experts) {
        b.hits = calloc(m->experts, sizeof *b.hits);
        b.perm = calloc(2 * m->experts, sizeof *b.perm);
        if (!b.hits || !b.perm)
            b.oom = 1;
    }
    if (!b.oom)
        step(&b, mul(&b, r->batch, r->prompt), r->prompt, r->prompt);
    b.phase = MAPPER_DECODE;
    for (uint64_t s = 1; s < r->gen && !b.oom && !b.overflow; s++) {
        b.step = (uint32_t)s;
        step(&b, r->batch, 1, r->prompt + s);
    }
    free(b.hits);
    free(b.perm);
    if (b.oom || b.overflow) {
        if (b.overflow)
            snprintf(err, errlen, "batch: op %s: its FLOPs or bytes at batch %llu x prompt %llu "
                     "do not fit in 64 bits", b.overflow_op,
                     (unsigned long long)r->batch, (unsigned long long)r->prompt);
        else
            snprintf(err, errlen, "out of memory");
        mapper_ops_free(out);
        return -1;
    }
    return 0;
}

void mapper_ops_free(mapper_ops_t *o)
{
    free(o->ops);
    memset(o, 0, sizeof *o);
}

uint64_t mapper_experts_touched(const mapper_ops_t *o, uint32_t step)
{
    uint64_t n = 0;
    for (size_t i = 0; i < o->count; i++)
        if (o->ops[i].step == step && !strcmp(o->ops[i].name, "moe_gate_up"))
            n += o->ops[i].count * o->ops[i].repeat;
    return n;
}
