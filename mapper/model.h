/* model.h - a decoder-only LLM as the mapper sees it: the shapes of one
 * Hugging Face config.json, read once into a validated mapper_model_t.
 *
 * Families understood (model_type, or "architectures" for BitNet):
 *   gpt2     LayerNorm, learned positions, GELU MLP, biases, tied LM head
 *   opt      LayerNorm, learned positions (2 offset rows), ReLU MLP, biases,
 *            optional project_in/out when word_embed_proj_dim != hidden_size
 *   llama    RMSNorm, RoPE, gated SwiGLU FFN (3 matrices), GQA
 *   mistral  as llama, plus a sliding attention window
 *   bitnet   llama-like with ternary weights (b1.58) and, for model_type
 *            "bitnet", the extra sub-norms before o_proj and down_proj
 */
#ifndef CODESIM_MAPPER_MODEL_H
#define CODESIM_MAPPER_MODEL_H

#include <stddef.h>
#include <stdint.h>

typedef enum { MAPPER_GPT2, MAPPER_OPT, MAPPER_LLAMA, MAPPER_MISTRAL, MAPPER_BITNET } mapper_family_t;
typedef enum { MAPPER_LAYERNORM, MAPPER_RMSNORM } mapper_norm_t;
/* FFN activation; GATED ones use three matrices (gate, up, down). */
typedef enum { MAPPER_ACT_GELU, MAPPER_ACT_RELU, MAPPER_ACT_SILU, MAPPER_ACT_RELU2 } mapper_act_t;

typedef struct {
    char name[64];             /* file name without directory and ".json" */
    mapper_family_t family;
    uint64_t hidden;           /* d_model */
    uint64_t heads, kv_heads;  /* query heads; key/value heads (GQA; == heads for MHA) */
    uint64_t head_dim;
    uint64_t layers;
    uint64_t ffn;              /* FFN inner width */
    uint64_t vocab;
    uint64_t max_pos;          /* longest sequence (positions) */
    uint64_t window;           /* sliding attention window, 0 = none */
    uint64_t embed_proj;       /* OPT word_embed_proj_dim (== hidden when no projection) */
    uint64_t pos_rows;         /* learned position-embedding rows, 0 with RoPE */
    mapper_norm_t norm;
    mapper_act_t act;
    int gated;                 /* SwiGLU-style FFN: gate and up matrices, then down */
    int rope;
    int bias;                  /* linear layers carry biases */
    int tied;                  /* LM head shares the input embedding */
    int sub_norm;              /* BitNet subln: RMSNorm before o_proj and down_proj */
    int ternary;               /* BitNet b1.58 weights: {-1, 0, +1} */
    uint32_t native_wbits;     /* default weight width: 2 for ternary, else 8 */
} mapper_model_t;

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
    uint64_t embedding;        /* token + position embeddings */
    uint64_t lm_head;          /* untied LM head, 0 when tied */
    uint64_t per_layer;        /* one decoder block */
    uint64_t final_norm;
    uint64_t proj;             /* OPT project_in + project_out */
} mapper_params_t;

void mapper_model_params(const mapper_model_t *m, mapper_params_t *p);

#endif
