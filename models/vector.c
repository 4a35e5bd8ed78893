/* vector.c - the vector unit's timing (see vector.h). */
#include "vector.h"

#include "util.h"

#include <stdio.h>

static const struct {
    const char *name;
    uint32_t passes, barriers;
} ops[VECTOR_OPS] = {
    [VECTOR_ADD] = {"add", 1, 0},         [VECTOR_MUL] = {"mul", 1, 0},
    [VECTOR_ACT] = {"act", 1, 0},         [VECTOR_SWIGLU] = {"swiglu", 1, 0},
    [VECTOR_ROPE] = {"rope", 1, 0},       [VECTOR_RMSNORM] = {"rmsnorm", 2, 1},
    [VECTOR_LAYERNORM] = {"layernorm", 3, 2}, [VECTOR_SOFTMAX] = {"softmax", 3, 2},
};

int vector_cfg_check(const vector_cfg_t *cfg, char *err, size_t errlen)
{
    if (cfg->lanes < 1 || cfg->lanes > 4096) {
        snprintf(err, errlen, "lanes: %u is outside 1..4096", cfg->lanes);
        return -1;
    }
    if (cfg->latency < 1 || cfg->latency > 1024) {
        snprintf(err, errlen, "latency: %u is outside 1..1024", cfg->latency);
        return -1;
    }
    return 0;
}

const char *vector_op_name(vector_op_t op)
{
    return (unsigned)op < VECTOR_OPS ? ops[op].name : "?";
}

void vector_op_shape(vector_op_t op, uint32_t *passes, uint32_t *barriers)
{
    *passes = ops[op].passes;
    *barriers = ops[op].barriers;
}

static uint32_t tree_depth(uint32_t lanes)
{
    uint32_t d = 0;
    while ((1u << d) < lanes)
        d++;
    return d;
}

uint64_t vector_cycles(const vector_cfg_t *cfg, vector_op_t op, uint64_t rows, uint64_t cols)
{
    const uint64_t beats = util_ceil_div(cols, cfg->lanes);
    const uint64_t barrier = (uint64_t)cfg->latency + tree_depth(cfg->lanes) - 1;
    return rows * (ops[op].passes * beats + ops[op].barriers * barrier) + cfg->latency - 1;
}
