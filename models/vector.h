/* vector.h - the NPU core's vector unit: softmax, normalization, activation
 * functions, rotary embedding and residual adds.
 *
 * Microarchitecture (ours): `lanes` elements enter per cycle; a beat issued
 * at cycle t has its result at cycle t + latency.  A reduction (max, sum)
 * adds a tree of ceil(log2(lanes)) stages, and the next pass of the same row
 * may issue only once the reduced value exists (a barrier).  Rows run one
 * after another; passes of one row stream back to back.  With the first beat
 * at cycle 0, the last result of an op over rows x cols elements exists at
 *   rows * (passes * ceil(cols / lanes) + barriers * (latency + tree - 1))
 *   + latency - 1
 * which is its duration in cycles.  Passes and barriers per op:
 *   add, mul, act (GELU/SiLU/ReLU), swiglu (silu(g) * u), rope: 1 pass, 0 barriers
 *   rmsnorm: sum of squares, scale:                      2 passes, 1 barrier
 *   layernorm: mean, variance, scale:                    3 passes, 2 barriers
 *   softmax: max, exp and sum, scale:                    3 passes, 2 barriers
 */
#ifndef CODESIM_VECTOR_H
#define CODESIM_VECTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t lanes;     /* elements per cycle, 1..4096 */
    uint32_t latency;   /* pipeline depth in cycles, 1..1024 */
} vector_cfg_t;

typedef enum {
    VECTOR_ADD, VECTOR_MUL, VECTOR_ACT, VECTOR_SWIGLU, VECTOR_ROPE,
    VECTOR_RMSNORM, VECTOR_LAYERNORM, VECTOR_SOFTMAX, VECTOR_OPS
} vector_op_t;

int vector_cfg_check(const vector_cfg_t *cfg, char *err, size_t errlen);
const char *vector_op_name(vector_op_t op);

/* Passes over each row and reduction barriers of op. */
void vector_op_shape(vector_op_t op, uint32_t *passes, uint32_t *barriers);

/* Closed-form cycles of op over rows x cols elements (rows, cols >= 1). */
uint64_t vector_cycles(const vector_cfg_t *cfg, vector_op_t op, uint64_t rows, uint64_t cols);

#ifdef __cplusplus
}
#endif
#endif
