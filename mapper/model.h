/* model.h - a decoder-only LLM as the mapper sees it: the shapes of one
 * Hugging Face config.json, read once into a validated mapper_model_t.
 *
 * Families understood (model_type, or "architectures" for BitNet), each with
 * the defaults of its transformers config class when a key is absent:
 *   gpt2       LayerNorm, learned positions, GELU MLP, biases, tied LM head
 *   opt        LayerNorm, learned positions (2 offset rows), ReLU MLP, biases,
 *              optional project_in/out when word_embed_proj_dim != hidden_size
 *   llama      RMSNorm, RoPE, gated SwiGLU FFN (3 matrices), GQA
 *   mistral    as llama, plus a sliding attention window
 *   bitnet     llama-like with ternary weights (b1.58) and, for model_type
 *              "bitnet", the extra sub-norms before o_proj and down_proj
 *   qwen2      llama with q/k/v biases; qwen3: no biases, RMSNorm on q and k
 *   gemma      head_dim independent of hidden, GeGLU, tied; gemma2 adds
 *              post-norms (4 per layer), alternating sliding/global layers and
 *              logit soft-capping; gemma3_text adds q/k norms, 5:1 local:global
 *   phi3       fused qkv and gate_up, sliding window
 *   falcon     MQA or grouped KV, parallel attention + ungated GELU FFN
 *   gpt_neox   parallel residual, partial rotary, biases
 *   bloom      ALiBi, embedding LayerNorm, biases
 *   gptj       parallel block (one LayerNorm), partial rotary, biased MLP and
 *              LM head
 *   starcoder2 GQA, LayerNorm, biased ungated GELU MLP
 *   mixtral, qwen2_moe, qwen3_moe       Mixture-of-Experts FFNs
 *   deepseek_v2, deepseek_v3            MoE + multi-head latent attention
 *
 * Unknown keys are never silent: every key of the file is either modelled
 * (read by the family's parser), known not to change the computation (kept
 * in mapper_model_t.ignored with the reason), or refused with one line
 * naming the file and the key.
 */
#ifndef CODESIM_MAPPER_MODEL_H
#define CODESIM_MAPPER_MODEL_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    MAPPER_GPT2, MAPPER_OPT, MAPPER_LLAMA, MAPPER_MISTRAL, MAPPER_BITNET, MAPPER_QWEN2,
    MAPPER_QWEN3, MAPPER_GEMMA, MAPPER_GEMMA2, MAPPER_GEMMA3, MAPPER_PHI3, MAPPER_FALCON,
    MAPPER_GPT_NEOX, MAPPER_BLOOM, MAPPER_GPTJ, MAPPER_STARCODER2, MAPPER_MIXTRAL,
    MAPPER_QWEN2_MOE, MAPPER_QWEN3_MOE, MAPPER_DEEPSEEK_V2, MAPPER_DEEPSEEK_V3
} mapper_family_t;
typedef enum { MAPPER_LAYERNORM, MAPPER_RMSNORM } mapper_norm_t;
/* FFN activation; GATED ones use three matrices (gate, up, down). */
typedef enum { MAPPER_ACT_GELU, MAPPER_ACT_RELU, MAPPER_ACT_SILU, MAPPER_ACT_RELU2 } mapper_act_t;

/* Sizes past these are typos or hostile (a model's time and memory grow
 * with them): the largest public checkpoints have 126 layers (Llama 3.1
 * 405B), 128 heads, hidden 16384, intermediate 53248, a vocabulary of ~256k
 * and 256 routed experts (DeepSeek-V3); positions and windows reach ~10M. */
#define MODEL_MAX_LAYERS 1024ull
#define MODEL_MAX_HEADS 1024ull
#define MODEL_MAX_HIDDEN 65536ull
#define MODEL_MAX_FFN (1ull << 18)
#define MODEL_MAX_VOCAB (1ull << 20)
#define MODEL_MAX_DIM (1ull << 24) /* positions, sliding window */
#define MODEL_MAX_EXPERTS 1024ull
#define MODEL_MAX_IGNORED 48

/* A config key accepted without being modelled, and why it does not change
 * the computation. */
typedef struct {
    char key[48];
    const char *why;             /* static text */
} mapper_ignored_t;

/* A routing trace (sim/io reads it): tokens[(step * layers + layer) *
 * experts + e] tokens of that step (0 = prefill, s = decode step s) routed
 * to expert e of that layer.  Rows of dense layers are not read. */
typedef struct {
    uint32_t steps, layers, experts;
    uint32_t *tokens;
    uint64_t hash;             /* FNV-1a of the trace's bytes (its identity in a stored run) */
    uint32_t *lines;           /* [same cells]: the trace line that gave it, 0 = none (or NULL) */
    char *path;                /* the trace's path, for errors (or NULL) */
} mapper_routing_t;

typedef struct {
    char name[64];             /* file name without directory and ".json" */
    mapper_family_t family;
    uint64_t hidden;           /* d_model */
    uint64_t heads, kv_heads;  /* query heads; key/value heads (GQA; == heads for MHA) */
    uint64_t head_dim;
    uint64_t rope_dims;        /* rotated dimensions per head (partial rotary), 0 without RoPE */
    uint64_t layers;
    uint64_t ffn;              /* FFN inner width (dense layers) */
    uint64_t vocab;
    uint64_t max_pos;          /* longest sequence (positions) */
    uint64_t window;           /* sliding attention window, 0 = none */
    uint64_t embed_proj;       /* OPT word_embed_proj_dim (== hidden when no projection) */
    uint64_t pos_rows;         /* learned position-embedding rows, 0 with RoPE */
    mapper_norm_t norm;
    mapper_act_t act;
    int gated;                 /* SwiGLU-style FFN: gate and up matrices, then down */
    int rope;
    int bias;                  /* some linear layers carry biases (any of the three below) */
    int bias_qkv, bias_o, bias_mlp; /* q/k/v, o_proj, FFN matrices carry biases */
    int lm_bias;               /* the LM head carries a bias (GPT-J) */
    int tied;                  /* LM head shares the input embedding */
    int sub_norm;              /* BitNet subln: RMSNorm before o_proj and down_proj */
    int ternary;               /* BitNet b1.58 weights: {-1, 0, +1} */
    int qk_norm;               /* RMSNorm over each q and k head (qwen3, gemma3) */
    int parallel;              /* attention and FFN both read the block input (falcon, neox, gptj) */
    uint32_t block_norms;      /* norms per decoder block: 1 (falcon-7b, gptj), 2, or 4 (gemma2/3) */
    int embed_norm;            /* LayerNorm after the embedding (bloom) */
    int alibi;                 /* ALiBi bias on the scores (bloom, falcon alibi) */
    int attn_softcap, logit_softcap; /* tanh soft-capping of scores / final logits (gemma2) */
    uint8_t local[MODEL_MAX_LAYERS]; /* layer uses the sliding window (when window != 0) */
    /* Mixture-of-Experts: experts == 0 for a dense model. */
    uint64_t experts;          /* routed experts per MoE layer */
    uint64_t top_k;            /* experts per token */
    uint64_t expert_ffn;       /* inner width of one routed expert (gated) */
    uint64_t shared_ffn;       /* total inner width of the shared expert(s), 0 = none */
    int shared_gate;           /* sigmoid gate H -> 1 on the shared expert (qwen2_moe) */
    int router_bias;           /* per-expert score correction bias (deepseek_v3) */
    uint8_t moe[MODEL_MAX_LAYERS]; /* layer's FFN is MoE */
    /* Multi-head latent attention (deepseek_v2/v3): mla != 0. */
    int mla;
    uint64_t q_lora;           /* q_lora_rank, 0 = plain q_proj */
    uint64_t kv_lora;          /* kv_lora_rank: the compressed KV width */
    uint64_t qk_nope, qk_rope, v_head;
    /* How runs of this model route tokens (set by the workload after
     * parsing; 0 / NULL from mapper_model_parse): each token picks top_k
     * distinct experts uniformly from a stream seeded by route_seed, or the
     * counts come from the routing trace (not owned). */
    uint64_t route_seed;
    const mapper_routing_t *routing;
    uint32_t native_wbits;     /* default weight width: 2 for ternary, else 8 */
    mapper_ignored_t ignored[MODEL_MAX_IGNORED]; /* keys accepted, not modelled */
    size_t nignored;
} mapper_model_t;

/* Whether layer l (0-based) has an MoE FFN / uses the sliding window. */
int mapper_layer_moe(const mapper_model_t *m, uint64_t l);
uint64_t mapper_layer_window(const mapper_model_t *m, uint64_t l);
/* Whether the layers differ (MoE routing, per-layer windows): the op list
 * then carries each layer once (repeat 1) instead of one block x layers. */
int mapper_layers_differ(const mapper_model_t *m);
/* KV-cache elements per token per layer: 2 x kv_heads x head_dim, or
 * kv_lora + qk_rope with MLA (the compressed latent and the shared rope key). */
uint64_t mapper_kv_elems(const mapper_model_t *m);

/* Parses config.json text; path names the file in errors.  Returns 0, or -1
 * with one line "PATH: KEY: reason" in err (unknown model_type, a missing or
 * mistyped required key, an impossible value). */
int mapper_model_parse(const char *text, size_t len, const char *path, mapper_model_t *m,
                       char *err, size_t errlen);

const char *mapper_family_name(mapper_family_t f);

/* Parameter counts from the model description (every weight, bias and norm
 * scale of the checkpoint).  embed: input token (and position) embeddings and
 * an untied LM head. */
typedef struct {
    uint64_t total;
    uint64_t active;           /* used per token: total less the routed experts not chosen */
    uint64_t embedding;        /* token + position embeddings */
    uint64_t lm_head;          /* untied LM head, 0 when tied */
    uint64_t per_layer;        /* one dense decoder block */
    uint64_t per_moe_layer;    /* one MoE decoder block (all experts), 0 if none */
    uint64_t moe_layers;       /* how many blocks are MoE */
    uint64_t expert;           /* one routed expert */
    uint64_t final_norm;
    uint64_t proj;             /* OPT project_in + project_out */
} mapper_params_t;

void mapper_model_params(const mapper_model_t *m, mapper_params_t *p);

#endif
