/* model.c - Hugging Face config.json into a validated mapper_model_t (jansson).
 *
 * One table per family lists the config keys that give each shape; a key is
 * required unless it has a documented default in transformers' own config
 * class (for example num_key_value_heads defaults to num_attention_heads,
 * GPT-2's n_inner to 4 * n_embd).  Every error names the file and the key.
 */
#include "model.h"

#include "../models/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const family_names[] = {
    "gpt2", "opt", "llama", "mistral", "bitnet", "qwen2", "qwen3", "gemma", "gemma2",
    "gemma3_text", "phi3", "falcon", "gpt_neox", "bloom", "gptj", "starcoder2", "mixtral",
    "qwen2_moe", "qwen3_moe", "deepseek_v2", "deepseek_v3"};

const char *mapper_family_name(mapper_family_t f)
{
    return (size_t)f < ARRAY_LEN(family_names) ? family_names[f] : "?";
}

#define MAX_USED 128

typedef struct {
    json_t *root;
    const char *path;
    char *err;
    size_t errlen;
    const char *used[MAX_USED]; /* keys the family's parser looked up (static strings) */
    size_t nused;
} jctx_t;

static void mark(jctx_t *j, const char *key)
{
    if (j->nused < MAX_USED)
        j->used[j->nused++] = key;
}

/* The value of key, marking it as read; NULL when absent or null. */
static json_t *val(jctx_t *j, const char *key)
{
    mark(j, key);
    json_t *v = json_object_get(j->root, key);
    return v && !json_is_null(v) ? v : NULL;
}

/* An integer key in lo..hi; absent or null gives dflt when has_dflt, else
 * "missing". */
static int get_int(jctx_t *j, const char *key, int has_dflt, uint64_t dflt, uint64_t lo,
                   uint64_t hi, uint64_t *out)
{
    json_t *v = val(j, key);
    if (!v) {
        if (has_dflt) {
            *out = dflt;
            return 0;
        }
        snprintf(j->err, j->errlen, "%s: %s: missing", j->path, key);
        return -1;
    }
    if (!json_is_integer(v)) {
        snprintf(j->err, j->errlen, "%s: %s: not an integer", j->path, key);
        return -1;
    }
    const json_int_t x = json_integer_value(v);
    if (x < (json_int_t)lo || (uint64_t)x > hi) {
        snprintf(j->err, j->errlen, "%s: %s: %lld is outside %llu..%llu", j->path, key,
                 (long long)x, (unsigned long long)lo, (unsigned long long)hi);
        return -1;
    }
    *out = (uint64_t)x;
    return 0;
}

/* A required (or defaulted, when dflt != 0) integer key in 1..max. */
static int get_dim(jctx_t *j, const char *key, uint64_t dflt, uint64_t max, uint64_t *out)
{
    return get_int(j, key, dflt != 0, dflt, 1, max, out);
}

/* get_dim under the first of two names that is present (HF attribute_map
 * aliases such as n_head / num_attention_heads). */
static int get_dim2(jctx_t *j, const char *key, const char *alias, uint64_t dflt, uint64_t max,
                    uint64_t *out)
{
    mark(j, alias);
    json_t *v = json_object_get(j->root, key);
    if ((!v || json_is_null(v)) && json_object_get(j->root, alias))
        return get_dim(j, alias, dflt, max, out);
    return get_dim(j, key, dflt, max, out);
}

static int get_bool(jctx_t *j, const char *key, int dflt, int *out)
{
    json_t *v = val(j, key);
    if (!v) {
        *out = dflt;
        return 0;
    }
    if (!json_is_boolean(v)) {
        snprintf(j->err, j->errlen, "%s: %s: not true or false", j->path, key);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/* A fraction in (0, 1] (partial rotary factors). */
static int get_frac(jctx_t *j, const char *key, double dflt, double *out)
{
    json_t *v = val(j, key);
    if (!v) {
        *out = dflt;
        return 0;
    }
    if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 1) {
        snprintf(j->err, j->errlen, "%s: %s: not a number in (0, 1]", j->path, key);
        return -1;
    }
    *out = json_number_value(v);
    return 0;
}

static const char *get_str(jctx_t *j, const char *key)
{
    json_t *v = json_object_get(j->root, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int get_act(jctx_t *j, const char *key, const char *dflt, mapper_act_t *out)
{
    json_t *v = val(j, key);
    const char *s = dflt;
    if (v) {
        if (!json_is_string(v)) {
            snprintf(j->err, j->errlen, "%s: %s: not a string", j->path, key);
            return -1;
        }
        s = json_string_value(v);
    }
    /* gelu_new / gelu_pytorch_tanh are GPT-2's tanh approximation. */
    if (!strncmp(s, "gelu", 4))
        *out = MAPPER_ACT_GELU;
    else if (!strcmp(s, "relu"))
        *out = MAPPER_ACT_RELU;
    else if (!strcmp(s, "silu") || !strcmp(s, "swish"))
        *out = MAPPER_ACT_SILU;
    else if (!strcmp(s, "relu2"))
        *out = MAPPER_ACT_RELU2;
    else {
        snprintf(j->err, j->errlen, "%s: %s: '%s' is not gelu, relu, silu or relu2", j->path,
                 key, s);
        return -1;
    }
    return 0;
}

static int fail(jctx_t *j, const char *key, const char *why)
{
    snprintf(j->err, j->errlen, "%s: %s: %s", j->path, key, why);
    return -1;
}

/* Whether s contains "bitnet" in any case (strcasestr is a GNU extension). */
static int has_bitnet(const char *s)
{
    for (; *s; s++)
        if (!strncasecmp(s, "bitnet", 6))
            return 1;
    return 0;
}

/* BitNet b1.58 checkpoints come as model_type "bitnet" (transformers) or as
 * llama with a Bitnet*ForCausalLM architecture (1bitLLM reproductions). */
static int arch_is_bitnet(json_t *root)
{
    json_t *a = json_object_get(root, "architectures");
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (json_is_string(v) && has_bitnet(json_string_value(v)))
            return 1;
    }
    return 0;
}

static int parse_gpt2(jctx_t *j, mapper_model_t *m)
{
    if (get_dim(j, "n_embd", 0, MODEL_MAX_HIDDEN, &m->hidden) ||
        get_dim(j, "n_head", 0, MODEL_MAX_HEADS, &m->heads) ||
        get_dim(j, "n_layer", 0, MODEL_MAX_LAYERS, &m->layers) ||
        get_dim(j, "vocab_size", 0, MODEL_MAX_VOCAB, &m->vocab) ||
        get_dim(j, "n_positions", 0, MODEL_MAX_DIM, &m->max_pos) ||
        get_dim(j, "n_inner", 4 * m->hidden, MODEL_MAX_FFN, &m->ffn) ||
        get_act(j, "activation_function", "gelu_new", &m->act))
        return -1;
    m->kv_heads = m->heads;
    m->embed_proj = m->hidden;
    m->pos_rows = m->max_pos;
    m->norm = MAPPER_LAYERNORM;
    m->bias_qkv = m->bias_o = m->bias_mlp = 1;
    m->tied = 1; /* GPT2LMHeadModel always ties lm_head to wte */
    mark(j, "tie_word_embeddings");
    return 0;
}

static int parse_opt(jctx_t *j, mapper_model_t *m)
{
    int pre_norm;
    if (get_dim(j, "hidden_size", 0, MODEL_MAX_HIDDEN, &m->hidden) ||
        get_dim(j, "num_attention_heads", 0, MODEL_MAX_HEADS, &m->heads) ||
        get_dim(j, "num_hidden_layers", 0, MODEL_MAX_LAYERS, &m->layers) ||
        get_dim(j, "ffn_dim", 0, MODEL_MAX_FFN, &m->ffn) ||
        get_dim(j, "vocab_size", 0, MODEL_MAX_VOCAB, &m->vocab) ||
        get_dim(j, "max_position_embeddings", 0, MODEL_MAX_DIM, &m->max_pos) ||
        get_dim(j, "word_embed_proj_dim", m->hidden, MODEL_MAX_HIDDEN, &m->embed_proj) ||
        get_act(j, "activation_function", "relu", &m->act) ||
        get_bool(j, "enable_bias", 1, &m->bias_qkv) ||
        get_bool(j, "tie_word_embeddings", 1, &m->tied) ||
        get_bool(j, "do_layer_norm_before", 1, &pre_norm))
        return -1;
    if (!pre_norm) {
        /* OPT-350m: post-norm and no final norm; its block is the same ops in
         * another order, but we do not claim to model it. */
        snprintf(j->err, j->errlen, "%s: do_layer_norm_before: false (post-norm OPT) is not "
                 "supported", j->path);
        return -1;
    }
    m->bias_o = m->bias_mlp = m->bias_qkv;
    m->kv_heads = m->heads;
    /* OPTLearnedPositionalEmbedding keeps 2 extra rows (offset 2). */
    m->pos_rows = m->max_pos + 2;
    m->norm = MAPPER_LAYERNORM;
    return 0;
}

/* Class defaults of the llama-shaped families (transformers configuration_*.py):
 * 0 in a size field means "required" (the five original families keep their
 * shapes required, as before). */
typedef struct {
    uint64_t hidden, heads, layers, ffn, vocab, max_pos, head_dim, kv_heads;
    int tied;
    const char *act;
} defaults_t;

static const defaults_t no_defaults = {0, 0, 0, 0, 0, 0, 0, 0, 0, "silu"};

/* hidden_size, heads, layers, intermediate_size, vocab, positions, GQA,
 * head_dim, activation and tying, with d's defaults. */
static int parse_core(jctx_t *j, mapper_model_t *m, const defaults_t *d)
{
    if (get_dim(j, "hidden_size", d->hidden, MODEL_MAX_HIDDEN, &m->hidden) ||
        get_dim(j, "num_attention_heads", d->heads, MODEL_MAX_HEADS, &m->heads) ||
        get_dim(j, "num_hidden_layers", d->layers, MODEL_MAX_LAYERS, &m->layers) ||
        get_dim(j, "intermediate_size", d->ffn, MODEL_MAX_FFN, &m->ffn) ||
        get_dim(j, "vocab_size", d->vocab, MODEL_MAX_VOCAB, &m->vocab) ||
        get_dim(j, "max_position_embeddings", d->max_pos, MODEL_MAX_DIM, &m->max_pos) ||
        get_dim(j, "num_key_value_heads", d->kv_heads ? d->kv_heads : m->heads, MODEL_MAX_HEADS,
                &m->kv_heads) ||
        get_act(j, "hidden_act", d->act, &m->act) ||
        get_bool(j, "tie_word_embeddings", d->tied, &m->tied))
        return -1;
    uint64_t hd = d->head_dim;
    if (!hd) {
        if (m->hidden % m->heads) {
            snprintf(j->err, j->errlen, "%s: num_attention_heads: %llu does not divide "
                     "hidden_size %llu", j->path, (unsigned long long)m->heads,
                     (unsigned long long)m->hidden);
            return -1;
        }
        hd = m->hidden / m->heads;
    }
    if (get_dim(j, "head_dim", hd, MODEL_MAX_HIDDEN, &m->head_dim))
        return -1;
    m->embed_proj = m->hidden;
    m->norm = MAPPER_RMSNORM;
    m->rope = 1;
    m->gated = 1;
    m->rope_dims = m->head_dim;
    return 0;
}

/* A sliding window key: null or absent = none. */
static int get_window(jctx_t *j, const char *key, uint64_t dflt, uint64_t *out)
{
    return get_int(j, key, 1, dflt, 1, MODEL_MAX_DIM, out);
}

static void all_layers(uint8_t *flags, uint64_t layers, uint8_t v)
{
    memset(flags, v, (size_t)layers);
}

static int parse_llama(jctx_t *j, mapper_model_t *m)
{
    if (parse_core(j, m, &no_defaults) ||
        get_bool(j, "attention_bias", 0, &m->bias_qkv) ||
        get_bool(j, "mlp_bias", 0, &m->bias_mlp))
        return -1;
    m->bias_o = m->bias_qkv; /* attention_bias covers q/k/v/o */
    if (m->family == MAPPER_MISTRAL && get_window(j, "sliding_window", 0, &m->window))
        return -1;
    all_layers(m->local, m->layers, 1);
    return 0;
}

/* qwen2 / qwen3 (dense) and the attention part of qwen2_moe / qwen3_moe:
 * qwen2 has q/k/v biases, qwen3 none (attention_bias) and q/k RMSNorms;
 * the window applies from layer max_window_layers on when use_sliding_window
 * (Qwen2DecoderLayer / Qwen3 attention). */
static int parse_qwen(jctx_t *j, mapper_model_t *m, const defaults_t *d, int qwen3)
{
    int use_sw;
    uint64_t mwl;
    if (parse_core(j, m, d) || get_bool(j, "use_sliding_window", 0, &use_sw) ||
        get_window(j, "sliding_window", 4096, &m->window) ||
        get_int(j, "max_window_layers", 1, 28, 0, MODEL_MAX_LAYERS, &mwl))
        return -1;
    if (qwen3) {
        if (get_bool(j, "attention_bias", 0, &m->bias_qkv))
            return -1;
        m->bias_o = m->bias_qkv;
        m->qk_norm = 1;
    } else {
        m->bias_qkv = 1; /* Qwen2Attention: q/k/v bias=True, o_proj bias=False */
    }
    if (!use_sw)
        m->window = 0;
    for (uint64_t l = 0; l < m->layers; l++)
        m->local[l] = l >= mwl;
    return 0;
}

static int parse_gemma(jctx_t *j, mapper_model_t *m)
{
    static const defaults_t g1 = {3072, 16, 28, 24576, 256000, 8192, 256, 16, 1, "gelu_pytorch_tanh"};
    static const defaults_t g2 = {2304, 8, 26, 9216, 256000, 8192, 256, 4, 1, "gelu_pytorch_tanh"};
    static const defaults_t g3 = {2304, 8, 26, 9216, 262208, 131072, 256, 4, 1, "gelu_pytorch_tanh"};
    const defaults_t *d = m->family == MAPPER_GEMMA ? &g1 : m->family == MAPPER_GEMMA2 ? &g2 : &g3;
    if (parse_core(j, m, d) || get_bool(j, "attention_bias", 0, &m->bias_qkv))
        return -1;
    m->bias_o = m->bias_qkv;
    /* GemmaConfig: hidden_activation wins over hidden_act when set. */
    json_t *ha = val(j, "hidden_activation");
    if (ha && get_act(j, "hidden_activation", "gelu_pytorch_tanh", &m->act))
        return -1;
    if (m->family == MAPPER_GEMMA) {
        all_layers(m->local, m->layers, 0);
        return 0;
    }
    m->block_norms = 4; /* pre/post attention, pre/post FFN (Gemma2DecoderLayer) */
    if (get_window(j, "sliding_window", 4096, &m->window))
        return -1;
    if (m->family == MAPPER_GEMMA2) {
        /* Gemma2: even layers slide, odd layers are global; scores and logits
         * are soft-capped with tanh. */
        for (uint64_t l = 0; l < m->layers; l++)
            m->local[l] = !(l % 2);
        m->attn_softcap = val(j, "attn_logit_softcapping") != NULL ||
                          !json_object_get(j->root, "attn_logit_softcapping");
        m->logit_softcap = val(j, "final_logit_softcapping") != NULL ||
                           !json_object_get(j->root, "final_logit_softcapping");
        return 0;
    }
    /* Gemma3: q/k norms; layer_types when given, else every
     * sliding_window_pattern-th layer global (default 6). */
    uint64_t pat;
    m->qk_norm = 1;
    if (get_dim(j, "sliding_window_pattern", 6, MODEL_MAX_LAYERS, &pat))
        return -1;
    json_t *lt = val(j, "layer_types");
    if (lt) {
        if (!json_is_array(lt) || json_array_size(lt) != m->layers)
            return fail(j, "layer_types", "not a list of one type per layer");
        for (uint64_t l = 0; l < m->layers; l++) {
            const char *t = json_string_value(json_array_get(lt, (size_t)l));
            if (!t || (strcmp(t, "sliding_attention") && strcmp(t, "full_attention")))
                return fail(j, "layer_types", "entries must be sliding_attention or "
                            "full_attention");
            m->local[l] = !strcmp(t, "sliding_attention");
        }
    } else {
        for (uint64_t l = 0; l < m->layers; l++)
            m->local[l] = (l + 1) % pat != 0;
    }
    m->attn_softcap = val(j, "attn_logit_softcapping") != NULL;
    m->logit_softcap = val(j, "final_logit_softcapping") != NULL;
    return 0;
}

static int parse_phi3(jctx_t *j, mapper_model_t *m)
{
    static const defaults_t d = {3072, 32, 32, 8192, 32064, 4096, 0, 0, 0, "silu"};
    double prf;
    if (parse_core(j, m, &d) || get_window(j, "sliding_window", 0, &m->window) ||
        get_frac(j, "partial_rotary_factor", 1.0, &prf))
        return -1;
    m->rope_dims = (uint64_t)((double)m->head_dim * prf);
    all_layers(m->local, m->layers, 1);
    return 0;
}

/* Falcon (FalconConfig, modeling_falcon.py): one fused query_key_value, KV
 * heads = num_kv_heads with new_decoder_architecture, else 1 with
 * multi_query, else all; parallel attention shares one input LayerNorm (two
 * with the new architecture); ffn 4 x hidden, GELU, ungated. */
static int parse_falcon(jctx_t *j, mapper_model_t *m)
{
    int mq, newarch, par, post;
    uint64_t lns;
    if (get_dim(j, "hidden_size", 4544, MODEL_MAX_HIDDEN, &m->hidden) ||
        get_dim2(j, "num_attention_heads", "n_head", 71, MODEL_MAX_HEADS, &m->heads) ||
        get_dim2(j, "num_hidden_layers", "n_layer", 32, MODEL_MAX_LAYERS, &m->layers) ||
        get_dim(j, "vocab_size", 65024, MODEL_MAX_VOCAB, &m->vocab) ||
        get_dim(j, "max_position_embeddings", 2048, MODEL_MAX_DIM, &m->max_pos) ||
        get_bool(j, "multi_query", 1, &mq) || get_bool(j, "new_decoder_architecture", 0, &newarch) ||
        get_bool(j, "parallel_attn", 1, &par) || get_bool(j, "bias", 0, &m->bias_qkv) ||
        get_bool(j, "alibi", 0, &m->alibi) || get_bool(j, "tie_word_embeddings", 1, &m->tied) ||
        get_bool(j, "apply_residual_connection_post_layernorm", 0, &post) ||
        get_act(j, "activation", "gelu", &m->act) ||
        get_dim(j, "ffn_hidden_size", 4 * m->hidden, MODEL_MAX_FFN, &m->ffn) ||
        get_dim(j, "num_ln_in_parallel_attn", 2, 2, &lns))
        return -1;
    if (post)
        return fail(j, "apply_residual_connection_post_layernorm",
                    "true (residual taken after the norm) is not modelled");
    if (m->hidden % m->heads)
        return fail(j, "num_attention_heads", "does not divide hidden_size");
    if (get_dim(j, "num_kv_heads", m->heads, MODEL_MAX_HEADS, &m->kv_heads))
        return -1;
    if (!newarch)
        m->kv_heads = mq ? 1 : m->heads;
    m->head_dim = m->hidden / m->heads;
    m->bias_o = m->bias_mlp = m->bias_qkv;
    m->parallel = newarch || par;
    m->block_norms = newarch ? (uint32_t)lns : par ? 1 : 2;
    m->norm = MAPPER_LAYERNORM;
    m->rope = !m->alibi;
    m->rope_dims = m->rope ? m->head_dim : 0;
    m->embed_proj = m->hidden;
    return 0;
}

static int parse_gpt_neox(jctx_t *j, mapper_model_t *m)
{
    double pct;
    if (get_dim(j, "hidden_size", 6144, MODEL_MAX_HIDDEN, &m->hidden) ||
        get_dim(j, "num_attention_heads", 64, MODEL_MAX_HEADS, &m->heads) ||
        get_dim(j, "num_hidden_layers", 44, MODEL_MAX_LAYERS, &m->layers) ||
        get_dim(j, "intermediate_size", 24576, MODEL_MAX_FFN, &m->ffn) ||
        get_dim(j, "vocab_size", 50432, MODEL_MAX_VOCAB, &m->vocab) ||
        get_dim(j, "max_position_embeddings", 2048, MODEL_MAX_DIM, &m->max_pos) ||
        get_act(j, "hidden_act", "gelu", &m->act) ||
        get_frac(j, "rotary_pct", 0.25, &pct) ||
        get_bool(j, "use_parallel_residual", 1, &m->parallel) ||
        get_bool(j, "attention_bias", 1, &m->bias_qkv) ||
        get_bool(j, "tie_word_embeddings", 0, &m->tied))
        return -1;
    if (m->hidden % m->heads)
        return fail(j, "num_attention_heads", "does not divide hidden_size");
    m->kv_heads = m->heads;
    m->head_dim = m->hidden / m->heads;
    m->rope = 1;
    m->rope_dims = (uint64_t)((double)m->head_dim * pct);
    m->bias_o = m->bias_qkv;
    m->bias_mlp = 1; /* GPTNeoXMLP: dense_h_to_4h / dense_4h_to_h always biased */
    m->norm = MAPPER_LAYERNORM;
    m->embed_proj = m->hidden;
    return 0;
}

static int parse_bloom(jctx_t *j, mapper_model_t *m)
{
    int post;
    if (get_dim2(j, "hidden_size", "n_embed", 64, MODEL_MAX_HIDDEN, &m->hidden) ||
        get_dim2(j, "num_attention_heads", "n_head", 8, MODEL_MAX_HEADS, &m->heads) ||
        get_dim2(j, "num_hidden_layers", "n_layer", 2, MODEL_MAX_LAYERS, &m->layers) ||
        get_dim(j, "vocab_size", 250880, MODEL_MAX_VOCAB, &m->vocab) ||
        /* ALiBi sets no position limit; seq_length is the training length */
        get_dim(j, "seq_length", MODEL_MAX_DIM, MODEL_MAX_DIM, &m->max_pos) ||
        get_bool(j, "tie_word_embeddings", 1, &m->tied) ||
        get_bool(j, "apply_residual_connection_post_layernorm", 0, &post))
        return -1;
    if (post)
        return fail(j, "apply_residual_connection_post_layernorm",
                    "true (residual taken after the norm) is not modelled");
    if (m->hidden % m->heads)
        return fail(j, "num_attention_heads", "does not divide hidden_size");
    m->kv_heads = m->heads;
    m->head_dim = m->hidden / m->heads;
    m->ffn = 4 * m->hidden; /* BloomMLP is always 4 x hidden */
    m->act = MAPPER_ACT_GELU;
    m->bias_qkv = m->bias_o = m->bias_mlp = 1;
    m->alibi = 1;
    m->embed_norm = 1;
    m->norm = MAPPER_LAYERNORM;
    m->embed_proj = m->hidden;
    return 0;
}

static int parse_gptj(jctx_t *j, mapper_model_t *m)
{
    if (get_dim2(j, "n_embd", "hidden_size", 4096, MODEL_MAX_HIDDEN, &m->hidden) ||
        get_dim2(j, "n_head", "num_attention_heads", 16, MODEL_MAX_HEADS, &m->heads) ||
        get_dim2(j, "n_layer", "num_hidden_layers", 28, MODEL_MAX_LAYERS, &m->layers) ||
        get_dim(j, "vocab_size", 50400, MODEL_MAX_VOCAB, &m->vocab) ||
        get_dim(j, "n_positions", 2048, MODEL_MAX_DIM, &m->max_pos) ||
        get_dim(j, "n_inner", 4 * m->hidden, MODEL_MAX_FFN, &m->ffn) ||
        get_act(j, "activation_function", "gelu_new", &m->act) ||
        /* PretrainedConfig's default; the 6B checkpoint says false */
        get_bool(j, "tie_word_embeddings", 1, &m->tied))
        return -1;
    if (m->hidden % m->heads)
        return fail(j, "n_head", "does not divide n_embd");
    m->head_dim = m->hidden / m->heads;
    if (get_dim(j, "rotary_dim", 64, m->head_dim, &m->rope_dims))
        return -1;
    m->kv_heads = m->heads;
    m->rope = 1;
    m->parallel = 1;
    m->block_norms = 1;  /* GPTJBlock: ln_1 feeds both attention and MLP */
    m->bias_mlp = 1;     /* fc_in / fc_out biased, q/k/v/out_proj not */
    m->lm_bias = 1;      /* GPTJForCausalLM lm_head has a bias */
    m->norm = MAPPER_LAYERNORM;
    m->embed_proj = m->hidden;
    return 0;
}

static int parse_starcoder2(jctx_t *j, mapper_model_t *m)
{
    static const defaults_t d = {3072, 24, 30, 12288, 49152, 4096, 0, 2, 1, "gelu_pytorch_tanh"};
    if (parse_core(j, m, &d) || get_bool(j, "use_bias", 1, &m->bias_qkv) ||
        get_window(j, "sliding_window", 0, &m->window))
        return -1;
    /* Starcoder2's remote-code keys name the one variant transformers has. */
    json_t *mt = val(j, "mlp_type"), *nt = val(j, "norm_type");
    if (mt && (!json_is_string(mt) || strcmp(json_string_value(mt), "default")))
        return fail(j, "mlp_type", "only \"default\" (c_fc, act, c_proj) is modelled");
    if (nt && (!json_is_string(nt) || strcmp(json_string_value(nt), "layer_norm")))
        return fail(j, "norm_type", "only \"layer_norm\" is modelled");
    m->bias_o = m->bias_mlp = m->bias_qkv;
    m->gated = 0; /* c_fc, act, c_proj */
    m->norm = MAPPER_LAYERNORM;
    all_layers(m->local, m->layers, 1);
    return 0;
}

/* Routed experts: the MoE families' keys. */
static int parse_mixtral(jctx_t *j, mapper_model_t *m)
{
    static const defaults_t d = {4096, 32, 32, 14336, 32000, 4096 * 32, 0, 8, 0, "silu"};
    if (parse_core(j, m, &d) || get_window(j, "sliding_window", 0, &m->window) ||
        get_dim(j, "num_local_experts", 8, MODEL_MAX_EXPERTS, &m->experts) ||
        get_dim(j, "num_experts_per_tok", 2, m->experts, &m->top_k))
        return -1;
    m->expert_ffn = m->ffn; /* MixtralBlockSparseTop2MLP uses intermediate_size */
    all_layers(m->local, m->layers, 1);
    all_layers(m->moe, m->layers, 1);
    return 0;
}

/* qwen2_moe / qwen3_moe: a layer is MoE unless listed in mlp_only_layers,
 * and when (layer + 1) % decoder_sparse_step == 0 (Qwen2MoeDecoderLayer). */
static int parse_qwen_moe(jctx_t *j, mapper_model_t *m)
{
    static const defaults_t q2 = {2048, 16, 24, 5632, 151936, 32768, 0, 16, 0, "silu"};
    static const defaults_t q3 = {2048, 32, 24, 6144, 151936, 32768, 0, 4, 0, "silu"};
    const int q3m = m->family == MAPPER_QWEN3_MOE;
    uint64_t step;
    if (parse_qwen(j, m, q3m ? &q3 : &q2, q3m) ||
        get_dim(j, "num_experts", q3m ? 128 : 60, MODEL_MAX_EXPERTS, &m->experts) ||
        get_dim(j, "num_experts_per_tok", q3m ? 8 : 4, m->experts, &m->top_k) ||
        get_dim(j, "moe_intermediate_size", q3m ? 768 : 1408, MODEL_MAX_FFN, &m->expert_ffn) ||
        get_dim(j, "decoder_sparse_step", 1, MODEL_MAX_LAYERS, &step))
        return -1;
    if (!q3m) {
        if (get_int(j, "shared_expert_intermediate_size", 1, 5632, 0, MODEL_MAX_FFN,
                    &m->shared_ffn))
            return -1;
        m->shared_gate = m->shared_ffn != 0;
    }
    for (uint64_t l = 0; l < m->layers; l++)
        m->moe[l] = (l + 1) % step == 0;
    json_t *only = val(j, "mlp_only_layers");
    if (only) {
        size_t i;
        json_t *v;
        if (!json_is_array(only))
            return fail(j, "mlp_only_layers", "not a list of layer numbers");
        json_array_foreach(only, i, v) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                (uint64_t)json_integer_value(v) >= m->layers)
                return fail(j, "mlp_only_layers", "entries must be layer numbers 0..layers-1");
            m->moe[json_integer_value(v)] = 0;
        }
    }
    return 0;
}

/* q_lora_rank: null (DeepSeek-V2-Lite) means a plain q_proj. */
static int q_lora_null(jctx_t *j, mapper_model_t *m)
{
    json_t *v = json_object_get(j->root, "q_lora_rank");
    if (v && json_is_null(v))
        m->q_lora = 0;
    return 0;
}

/* DeepSeek-V2/V3: MLA attention (q_lora_rank null = plain q_proj) and MoE
 * from layer first_k_dense_replace on, every moe_layer_freq-th layer. */
static int parse_deepseek(jctx_t *j, mapper_model_t *m)
{
    static const defaults_t v2 = {4096, 32, 30, 11008, 102400, 2048, 0, 0, 0, "silu"};
    static const defaults_t v3 = {7168, 128, 61, 18432, 129280, 4096, 0, 0, 0, "silu"};
    const int is3 = m->family == MAPPER_DEEPSEEK_V3;
    uint64_t first, freq, shared;
    int attn_bias;
    if (parse_core(j, m, is3 ? &v3 : &v2) || get_bool(j, "attention_bias", 0, &attn_bias) ||
        get_int(j, "q_lora_rank", 1, 1536, 0, MODEL_MAX_HIDDEN, &m->q_lora) ||
        q_lora_null(j, m) ||
        get_dim(j, "kv_lora_rank", 512, MODEL_MAX_HIDDEN, &m->kv_lora) ||
        get_dim(j, "qk_nope_head_dim", 128, MODEL_MAX_HIDDEN, &m->qk_nope) ||
        get_dim(j, "qk_rope_head_dim", 64, MODEL_MAX_HIDDEN, &m->qk_rope) ||
        get_dim(j, "v_head_dim", 128, MODEL_MAX_HIDDEN, &m->v_head) ||
        get_int(j, "n_routed_experts", 1, is3 ? 256 : 64, 0, MODEL_MAX_EXPERTS, &m->experts) ||
        get_int(j, "n_shared_experts", 1, is3 ? 1 : 2, 0, MODEL_MAX_EXPERTS, &shared) ||
        get_dim(j, "moe_intermediate_size", is3 ? 2048 : 1407, MODEL_MAX_FFN, &m->expert_ffn) ||
        get_int(j, "first_k_dense_replace", 1, is3 ? 3 : 0, 0, MODEL_MAX_LAYERS, &first) ||
        get_dim(j, "moe_layer_freq", 1, MODEL_MAX_LAYERS, &freq))
        return -1;
    if (attn_bias)
        return fail(j, "attention_bias", "true is not modelled for MLA");
    if (m->experts && get_dim(j, "num_experts_per_tok", is3 ? 8 : 0, m->experts, &m->top_k))
        return -1;
    m->mla = 1;
    m->head_dim = m->qk_nope + m->qk_rope; /* q and k per head; v is v_head */
    m->rope_dims = m->qk_rope;
    m->kv_heads = m->heads;
    m->shared_ffn = shared * m->expert_ffn;
    m->router_bias = is3; /* DeepseekV3TopkRouter.e_score_correction_bias */
    for (uint64_t l = 0; l < m->layers; l++)
        m->moe[l] = m->experts && l >= first && l % freq == 0;
    return 0;
}

/* Keys no family models and none needs: why each does not change the op
 * list.  A key is matched exactly, or by suffix when it starts with '*'. */
typedef struct {
    const char *key, *why;
} harmless_t;

static const harmless_t harmless_all[] = {
    {"architectures", "class name"}, {"_name_or_path", "metadata"},
    {"transformers_version", "metadata"}, {"torch_dtype", "checkpoint dtype (widths are --w-bits/--a-bits)"},
    {"dtype", "checkpoint dtype (widths are --w-bits/--a-bits)"},
    {"bos_token_id", "tokenizer id"}, {"eos_token_id", "tokenizer id"},
    {"pad_token_id", "tokenizer id"}, {"unk_token_id", "tokenizer id"},
    {"sep_token_id", "tokenizer id"}, {"decoder_start_token_id", "tokenizer id"},
    {"tokenizer_class", "tokenizer"}, {"initializer_range", "training initialisation"},
    {"initializer_factor", "training initialisation"}, {"*dropout", "dropout is off at inference"},
    {"*pdrop", "dropout is off at inference"}, {"use_cache", "runtime flag (a KV cache is modelled)"},
    {"rms_norm_eps", "norm epsilon, no shape"}, {"layer_norm_eps", "norm epsilon, no shape"},
    {"layer_norm_epsilon", "norm epsilon, no shape"}, {"norm_epsilon", "norm epsilon, no shape"},
    {"rope_theta", "rotary frequencies, no shape"}, {"rope_scaling", "rotary frequencies, no shape"},
    {"rope_parameters", "rotary frequencies, no shape"},
    {"rope_local_base_freq", "rotary frequencies, no shape"},
    {"original_max_position_embeddings", "rotary scaling reference length, no shape"},
    {"pretraining_tp", "training tensor-parallel slicing; same matrices"},
    {"router_aux_loss_coef", "training loss"}, {"output_router_logits", "training loss"},
    {"aux_loss_alpha", "training loss"}, {"seq_aux", "training loss"},
    {"router_jitter_noise", "training noise"}, {"gradient_checkpointing", "training"},
    {"attention_softmax_in_fp32", "numerics, same ops"}, {"masked_softmax_fusion", "kernel choice"},
    {"slow_but_exact", "kernel choice"}, {"skip_bias_add", "kernel choice"},
    {"skip_bias_add_qkv", "kernel choice"}, {"bias_dropout_fusion", "kernel choice"},
    {"scale_attn_weights", "a scale folded into q"}, {"query_pre_attn_scalar", "a scale folded into q"},
    {"routed_scaling_factor", "a scale on the expert sum"}, {"norm_topk_prob", "a scale on the expert sum"},
    {"scoring_func", "router score function; routing is seeded or traced"},
    {"topk_method", "router selection rule; routing is seeded or traced"},
    {"n_group", "group-limited routing; seeded routing stays uniform over experts"},
    {"topk_group", "group-limited routing; seeded routing stays uniform over experts"},
    {"ep_size", "deployment expert parallelism (set on the machine)"},
    {"num_nextn_predict_layers", "multi-token-prediction head, unused by transformers inference"},
    {"n_ctx", "causal-mask size (GPT-J), positions are n_positions"},
    {"offset_alibi", "numerics, same ops"}, {"use_return_dict", "runtime flag"},
    {"return_dict", "runtime flag"}, {"cache_implementation", "runtime KV layout, same bytes"},
    {"attn_implementation", "kernel choice"}, {"quantization_config", "weight widths are --w-bits"},
    {"auto_map", "remote-code loader"}, {"max_sequence_length", "positions"},
    {"use_bfloat16", "numerics"}, {"vocab_size_per_partition", "training"},
    {"is_decoder", "decoder-only is what is modelled"},
    {"rotary_emb_base", "rotary frequencies, no shape"},
    {"rotary", "GPT-J always rotates rotary_dim dimensions"},
    {"task_specific_params", "generation presets"},
    {"n_inner", "BloomMLP is always 4 x hidden (transformers ignores n_inner)"},
    {"init_std", "training initialisation"},
    {"layerdrop", "training-time layer dropping, off at inference"},
    {"summary_activation", "sequence-classification head, not in the causal LM"},
    {"summary_first_dropout", "sequence-classification head, not in the causal LM"},
    {"summary_proj_to_labels", "sequence-classification head, not in the causal LM"},
    {"summary_type", "sequence-classification head, not in the causal LM"},
    {"summary_use_proj", "sequence-classification head, not in the causal LM"},
    {"id2label", "classification labels"}, {"label2id", "classification labels"},
    {"prefix", "generation prompt prefix"},
    /* JSON has no comments: a "_comment" key is a note for readers (the
     * shipped traces/models/gpt3-*.json cite their sources in it), no field
     * of any Hugging Face config class.  Only this name: another key
     * starting with '_' may be a real field (_attn_implementation). */
    {"_comment", "a note for readers (JSON has no comments)"},
};

static const char *harmless_why(const char *key)
{
    const size_t kl = strlen(key);
    for (size_t i = 0; i < ARRAY_LEN(harmless_all); i++) {
        const char *h = harmless_all[i].key;
        if (h[0] == '*') {
            const size_t hl = strlen(h + 1);
            if (kl >= hl && !strcmp(key + kl - hl, h + 1))
                return harmless_all[i].why;
        } else if (!strcmp(key, h)) {
            return harmless_all[i].why;
        }
    }
    return NULL;
}

/* Every key of the file is modelled (read by the family parser), harmless
 * (kept in m->ignored with its reason) or refused. */
static int check_keys(jctx_t *j, mapper_model_t *m)
{
    const char *key;
    json_t *v;
    json_object_foreach(j->root, key, v) {
        int used = !strcmp(key, "model_type");
        for (size_t i = 0; i < j->nused && !used; i++)
            used = !strcmp(j->used[i], key);
        if (used)
            continue;
        const char *why = json_is_null(v) ? "null: unset, the family's default applies"
                                          : harmless_why(key);
        if (!why) {
            snprintf(j->err, j->errlen, "%s: %s: not modelled for %s and it may change the "
                     "computation (remove it if it does not)", j->path, key,
                     mapper_family_name(m->family));
            return -1;
        }
        if (m->nignored < MODEL_MAX_IGNORED) {
            mapper_ignored_t *ig = &m->ignored[m->nignored++];
            snprintf(ig->key, sizeof ig->key, "%s", key);
            ig->why = why;
        }
    }
    return 0;
}

static const struct {
    const char *type;
    mapper_family_t family;
} family_types[] = {
    {"gpt2", MAPPER_GPT2}, {"opt", MAPPER_OPT}, {"llama", MAPPER_LLAMA},
    {"mistral", MAPPER_MISTRAL}, {"bitnet", MAPPER_BITNET}, {"qwen2", MAPPER_QWEN2},
    {"qwen3", MAPPER_QWEN3}, {"gemma", MAPPER_GEMMA}, {"gemma2", MAPPER_GEMMA2},
    {"gemma3_text", MAPPER_GEMMA3}, {"phi3", MAPPER_PHI3}, {"falcon", MAPPER_FALCON},
    {"gpt_neox", MAPPER_GPT_NEOX}, {"bloom", MAPPER_BLOOM}, {"gptj", MAPPER_GPTJ},
    {"starcoder2", MAPPER_STARCODER2}, {"mixtral", MAPPER_MIXTRAL},
    {"qwen2_moe", MAPPER_QWEN2_MOE}, {"qwen3_moe", MAPPER_QWEN3_MOE},
    {"deepseek_v2", MAPPER_DEEPSEEK_V2}, {"deepseek_v3", MAPPER_DEEPSEEK_V3},
};

static int parse_family(jctx_t *j, mapper_model_t *m, const char *mt)
{
    static const defaults_t q2 = {4096, 32, 32, 22016, 151936, 32768, 0, 0, 0, "silu"};
    static const defaults_t q3 = {4096, 32, 32, 22016, 151936, 32768, 128, 0, 0, "silu"};
    switch (m->family) {
    case MAPPER_GPT2: return parse_gpt2(j, m);
    case MAPPER_OPT: return parse_opt(j, m);
    case MAPPER_LLAMA:
    case MAPPER_MISTRAL:
    case MAPPER_BITNET: {
        const int rc = parse_llama(j, m);
        m->sub_norm = !strcasecmp(mt, "bitnet");
        m->ternary = m->family == MAPPER_BITNET;
        return rc;
    }
    case MAPPER_QWEN2: return parse_qwen(j, m, &q2, 0);
    case MAPPER_QWEN3: return parse_qwen(j, m, &q3, 1);
    case MAPPER_GEMMA:
    case MAPPER_GEMMA2:
    case MAPPER_GEMMA3: return parse_gemma(j, m);
    case MAPPER_PHI3: return parse_phi3(j, m);
    case MAPPER_FALCON: return parse_falcon(j, m);
    case MAPPER_GPT_NEOX: return parse_gpt_neox(j, m);
    case MAPPER_BLOOM: return parse_bloom(j, m);
    case MAPPER_GPTJ: return parse_gptj(j, m);
    case MAPPER_STARCODER2: return parse_starcoder2(j, m);
    case MAPPER_MIXTRAL: return parse_mixtral(j, m);
    case MAPPER_QWEN2_MOE:
    case MAPPER_QWEN3_MOE: return parse_qwen_moe(j, m);
    case MAPPER_DEEPSEEK_V2:
    case MAPPER_DEEPSEEK_V3: return parse_deepseek(j, m);
    }
    return -1;
}

int mapper_model_parse(const char *text, size_t len, const char *path, mapper_model_t *m,
                       char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return -1;
    }
    jctx_t j = {.root = root, .path = path, .err = err, .errlen = errlen};
    int rc = -1;
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: not a JSON object", path);
        goto out;
    }
    const char *mt = get_str(&j, "model_type");
    if (!mt) {
        snprintf(err, errlen, "%s: model_type: missing", path);
        goto out;
    }
    size_t f = 0;
    while (f < ARRAY_LEN(family_types) && strcmp(family_types[f].type, mt))
        f++;
    /* a Bitnet architecture on a llama, mistral or unknown model_type */
    const int bitnet = !strcasecmp(mt, "bitnet") ||
                       ((f == ARRAY_LEN(family_types) || family_types[f].family == MAPPER_LLAMA ||
                         family_types[f].family == MAPPER_MISTRAL) && arch_is_bitnet(root));
    if (f == ARRAY_LEN(family_types) && !bitnet) {
        snprintf(err, errlen, "%s: model_type: '%s' is not a supported decoder (%s", path, mt,
                 family_types[0].type);
        for (size_t i = 1; i < ARRAY_LEN(family_types); i++) {
            const size_t l = strlen(err);
            snprintf(err + l, errlen - l, ", %s", family_types[i].type);
        }
        const size_t l = strlen(err);
        snprintf(err + l, errlen - l, ")");
        goto out;
    }
    m->family = bitnet ? MAPPER_BITNET : family_types[f].family;
    m->block_norms = 2;
    if (parse_family(&j, m, mt) || check_keys(&j, m))
        goto out;
    if (!m->head_dim) {
        if (m->hidden % m->heads) {
            /* The file's own key for the head count (GPT-2's n_head, the
             * HF configs' num_attention_heads), not an internal name. */
            const char *hk = json_object_get(j.root, "n_head") ? "n_head"
                             : json_object_get(j.root, "num_attention_heads")
                                 ? "num_attention_heads"
                                 : "heads";
            snprintf(err, errlen, "%s: %s: %llu does not divide the hidden size %llu", path, hk,
                     (unsigned long long)m->heads, (unsigned long long)m->hidden);
            goto out;
        }
        m->head_dim = m->hidden / m->heads;
    }
    if (m->heads % m->kv_heads) {
        snprintf(err, errlen, "%s: num_key_value_heads: %llu does not divide the %llu heads", path,
                 (unsigned long long)m->kv_heads, (unsigned long long)m->heads);
        goto out;
    }
    if (m->rope && !m->rope_dims)
        m->rope_dims = m->head_dim;
    m->bias = m->bias_qkv || m->bias_o || m->bias_mlp;
    if (!m->window)
        all_layers(m->local, m->layers, 0);
    m->native_wbits = m->ternary ? 2 : 8; /* b1.58 ternary weights pack into 2 bits */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t blen = strlen(base);
    if (blen > 5 && !strcmp(base + blen - 5, ".json"))
        blen -= 5;
    snprintf(m->name, sizeof m->name, "%.*s", (int)blen, base);
    if (!m->name[0])
        snprintf(m->name, sizeof m->name, "%s", mt);
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int mapper_layer_moe(const mapper_model_t *m, uint64_t l)
{
    return m->experts && l < m->layers && m->moe[l];
}

uint64_t mapper_layer_window(const mapper_model_t *m, uint64_t l)
{
    return l < m->layers && m->local[l] ? m->window : 0;
}

int mapper_layers_differ(const mapper_model_t *m)
{
    for (uint64_t l = 1; l < m->layers; l++)
        if (m->moe[l] != m->moe[0] || m->local[l] != m->local[0])
            return 1;
    return m->experts && m->moe[0];
}

uint64_t mapper_kv_elems(const mapper_model_t *m)
{
    return m->mla ? m->kv_lora + m->qk_rope : 2 * m->kv_heads * m->head_dim;
}

/* Attention weights of one block (with biases and the MLA norms). */
static uint64_t attn_params(const mapper_model_t *m)
{
    const uint64_t H = m->hidden;
    if (m->mla) {
        const uint64_t qh = m->heads * (m->qk_nope + m->qk_rope);
        uint64_t p = m->q_lora ? H * m->q_lora + m->q_lora + m->q_lora * qh : H * qh;
        p += H * (m->kv_lora + m->qk_rope) + m->kv_lora;          /* kv_a + its norm */
        p += m->kv_lora * m->heads * (m->qk_nope + m->v_head);     /* kv_b */
        p += m->heads * m->v_head * H;                             /* o_proj */
        return p;
    }
    const uint64_t q = m->heads * m->head_dim, kv = m->kv_heads * m->head_dim;
    uint64_t p = H * q + 2 * H * kv + q * H;
    if (m->bias_qkv)
        p += q + 2 * kv;
    if (m->bias_o)
        p += H;
    if (m->qk_norm)
        p += 2 * m->head_dim;
    return p;
}

/* A dense FFN of inner width F. */
static uint64_t ffn_params(const mapper_model_t *m, uint64_t F)
{
    const uint64_t H = m->hidden;
    return (m->gated ? 3 : 2) * H * F + (m->bias_mlp ? F * (m->gated ? 2 : 1) + H : 0);
}

void mapper_model_params(const mapper_model_t *m, mapper_params_t *p)
{
    memset(p, 0, sizeof *p);
    const uint64_t H = m->hidden;
    const uint64_t norm = m->norm == MAPPER_LAYERNORM ? 2 : 1; /* scale (+ shift) */
    const uint64_t common = attn_params(m) + m->block_norms * norm * H +
                            (m->sub_norm ? H + m->ffn : 0);
    p->per_layer = common + ffn_params(m, m->ffn);
    if (m->experts) {
        p->expert = ffn_params(m, m->expert_ffn);
        p->per_moe_layer = common + m->experts * p->expert + H * m->experts +
                           (m->router_bias ? m->experts : 0) +
                           (m->shared_ffn ? ffn_params(m, m->shared_ffn) : 0) +
                           (m->shared_gate ? H : 0);
    }
    for (uint64_t l = 0; l < m->layers; l++)
        p->moe_layers += mapper_layer_moe(m, l) != 0;
    p->embedding = m->vocab * m->embed_proj + m->pos_rows * H + (m->embed_norm ? norm * H : 0);
    p->lm_head = (m->tied ? 0 : m->vocab * H) + (m->lm_bias ? m->vocab : 0);
    p->final_norm = norm * H;
    p->proj = m->embed_proj != H ? 2 * m->embed_proj * H : 0;
    const uint64_t rest = p->embedding + p->lm_head + p->final_norm + p->proj;
    p->total = rest + (m->layers - p->moe_layers) * p->per_layer +
               p->moe_layers * p->per_moe_layer;
    p->active = p->total - p->moe_layers * (m->experts - m->top_k) * p->expert;
}
