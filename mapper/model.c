/* model.c - Hugging Face config.json into a validated mapper_model_t (jansson).
 *
 * One table per family lists the config keys that give each shape; a key is
 * required unless it has a documented default in transformers' own config
 * class (for example num_key_value_heads defaults to num_attention_heads,
 * GPT-2's n_inner to 4 * n_embd).  Every error names the file and the key.
 */
#include "model.h"


#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *mapper_family_name(mapper_family_t f)
{
    switch (f) {
    case MAPPER_GPT2: return "gpt2";
    case MAPPER_OPT: return "opt";
    case MAPPER_LLAMA: return "llama";
    case MAPPER_MISTRAL: return "mistral";
    case MAPPER_BITNET: return "bitnet";
    }
    return "?";
}

/* Sizes past these are typos or hostile (a model's time and memory grow
 * with them): the largest public checkpoints have 126 layers (Llama 3.1
 * 405B), 128 heads, hidden 16384, intermediate 53248 and a vocabulary of
 * ~256k; positions and windows reach ~10M.  Documented in the README. */
#define MODEL_MAX_LAYERS 1024ull
#define MODEL_MAX_HEADS 1024ull
#define MODEL_MAX_HIDDEN 65536ull
#define MODEL_MAX_FFN (1ull << 18)
#define MODEL_MAX_VOCAB (1ull << 20)
#define MODEL_MAX_DIM (1ull << 24) /* positions, sliding window */

typedef struct {
    json_t *root;
    const char *path;
    char *err;
    size_t errlen;
} jctx_t;

/* A required (or defaulted, when dflt != 0) integer key in 1..max. */
static int get_dim(jctx_t *j, const char *key, uint64_t dflt, uint64_t max, uint64_t *out)
{
    json_t *v = json_object_get(j->root, key);
    if (!v || json_is_null(v)) {
        if (dflt) {
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
    if (x < 1 || (uint64_t)x > max) {
        snprintf(j->err, j->errlen, "%s: %s: %lld is outside 1..%llu", j->path, key,
                 (long long)x, (unsigned long long)max);
        return -1;
    }
    *out = (uint64_t)x;
    return 0;
}

static int get_bool(jctx_t *j, const char *key, int dflt, int *out)
{
    json_t *v = json_object_get(j->root, key);
    if (!v || json_is_null(v)) {
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

static const char *get_str(jctx_t *j, const char *key)
{
    json_t *v = json_object_get(j->root, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int get_act(jctx_t *j, const char *key, const char *dflt, mapper_act_t *out)
{
    json_t *v = json_object_get(j->root, key);
    const char *s = dflt;
    if (v && !json_is_null(v)) {
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
    m->bias = 1;
    m->tied = 1; /* GPT2LMHeadModel always ties lm_head to wte */
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
        get_bool(j, "enable_bias", 1, &m->bias) ||
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
    m->kv_heads = m->heads;
    /* OPTLearnedPositionalEmbedding keeps 2 extra rows (offset 2). */
    m->pos_rows = m->max_pos + 2;
    m->norm = MAPPER_LAYERNORM;
    return 0;
}

static int parse_llama(jctx_t *j, mapper_model_t *m)
{
    if (get_dim(j, "hidden_size", 0, MODEL_MAX_HIDDEN, &m->hidden) ||
        get_dim(j, "num_attention_heads", 0, MODEL_MAX_HEADS, &m->heads) ||
        get_dim(j, "num_hidden_layers", 0, MODEL_MAX_LAYERS, &m->layers) ||
        get_dim(j, "intermediate_size", 0, MODEL_MAX_FFN, &m->ffn) ||
        get_dim(j, "vocab_size", 0, MODEL_MAX_VOCAB, &m->vocab) ||
        get_dim(j, "max_position_embeddings", 0, MODEL_MAX_DIM, &m->max_pos) ||
        get_dim(j, "num_key_value_heads", m->heads, MODEL_MAX_HEADS, &m->kv_heads) ||
        get_act(j, "hidden_act", "silu", &m->act) ||
        get_bool(j, "attention_bias", 0, &m->bias) ||
        get_bool(j, "tie_word_embeddings", 0, &m->tied))
        return -1;
    if (m->hidden % m->heads) {
        snprintf(j->err, j->errlen, "%s: num_attention_heads: %llu does not divide hidden_size %llu",
                 j->path, (unsigned long long)m->heads, (unsigned long long)m->hidden);
        return -1;
    }
    if (get_dim(j, "head_dim", m->hidden / m->heads, MODEL_MAX_HIDDEN, &m->head_dim))
        return -1;
    if (m->family == MAPPER_MISTRAL &&
        get_dim(j, "sliding_window", MODEL_MAX_DIM, MODEL_MAX_DIM, &m->window))
        return -1;
    if (m->window == MODEL_MAX_DIM)
        m->window = 0;
    m->embed_proj = m->hidden;
    m->norm = MAPPER_RMSNORM;
    m->rope = 1;
    m->gated = 1;
    /* attention_bias covers q/k/v/o only; llama MLPs carry no bias. */
    return 0;
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
    jctx_t j = {root, path, err, errlen};
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
    const int bitnet = !strcasecmp(mt, "bitnet") || arch_is_bitnet(root);
    if (!strcmp(mt, "gpt2")) {
        m->family = MAPPER_GPT2;
        rc = parse_gpt2(&j, m);
    } else if (!strcmp(mt, "opt")) {
        m->family = MAPPER_OPT;
        rc = parse_opt(&j, m);
    } else if (bitnet || !strcmp(mt, "llama") || !strcmp(mt, "mistral")) {
        m->family = bitnet ? MAPPER_BITNET : !strcmp(mt, "mistral") ? MAPPER_MISTRAL : MAPPER_LLAMA;
        rc = parse_llama(&j, m);
        m->sub_norm = !strcasecmp(mt, "bitnet");
        m->ternary = bitnet;
    } else {
        snprintf(err, errlen, "%s: model_type: '%s' is not a supported decoder "
                 "(gpt2, opt, llama, mistral, bitnet)", path, mt);
        goto out;
    }
    if (rc)
        goto out;
    rc = -1;
    if (!m->head_dim) {
        if (m->hidden % m->heads) {
            snprintf(err, errlen, "%s: heads: %llu does not divide the hidden size %llu", path,
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

void mapper_model_params(const mapper_model_t *m, mapper_params_t *p)
{
    memset(p, 0, sizeof *p);
    const uint64_t H = m->hidden, F = m->ffn, q = m->heads * m->head_dim,
                   kv = m->kv_heads * m->head_dim;
    const uint64_t norm = m->norm == MAPPER_LAYERNORM ? 2 : 1; /* scale (+ shift) */
    uint64_t l = H * q + 2 * H * kv + q * H;                  /* q, k, v, o */
    l += (m->gated ? 3 : 2) * H * F;
    if (m->bias)
        l += q + 2 * kv + H + (m->family == MAPPER_GPT2 || m->family == MAPPER_OPT ? F + H : 0);
    l += 2 * norm * H;
    if (m->sub_norm)
        l += H + F;
    p->per_layer = l;
    p->embedding = m->vocab * m->embed_proj + m->pos_rows * H;
    p->lm_head = m->tied ? 0 : m->vocab * H;
    p->final_norm = norm * H;
    p->proj = m->embed_proj != H ? 2 * m->embed_proj * H : 0;
    p->total = p->embedding + p->lm_head + m->layers * p->per_layer + p->final_norm + p->proj;
}
