/* tensor_engine.h - the broadcast tensor engines beside the systolic array:
 * multiplier-adder tree, 3D cube and 2D matrix, cycle by cycle and in
 * closed form, with a MAC-based or a compressed-accumulation PE.
 *
 * The three shapes of the HPCA 2025 paper (Wang et al., "High-Performance
 * Tensor Processing Engines in the bit-weight dimension of MACs", PAPERS.md)
 * are one family: an R x C grid of PEs, PE(i,j) a D-input dot product
 * (D multipliers and an adder tree) feeding an accumulator; operand A[i][d]
 * is broadcast along PE row i, B[d][j] along PE column j.
 *
 *   addertree  R = 1:  C dot-product units of D multipliers each (NVDLA-like)
 *   cube       R x C x D                                     (Ascend-like)
 *   matrix2d   D = 1:  R x C MAC PEs with broadcast operands
 *
 * GEMM convention as systolic.h: O[M][N] = A[M][K] x B[K][N], row-major,
 * addressed by element index.
 *
 * Schedule (rtl/tensor_engine.v implements the same; they are cross-checked
 * value for value, cycle for cycle and port for port):
 *   folds: for m0 (step R) for n0 (step C); each fold takes S = ceil(K/D)
 *   k-steps, one per cycle, fully pipelined across folds.
 *   cycle 0          accepts the command.
 *   cycle 1 + s      (s = 0 .. steps-1, steps = folds x S) reads k-step s:
 *                    A lane i*D+d: A[m0+i][k0+d]; B lane d*C+j: B[k0+d][n0+j];
 *                    out-of-range lanes are idle and feed 0.  The data is
 *                    registered at the cycle's edge.
 *   cycle 2 + s      every PE adds its dot product of the registered
 *                    operands into its accumulator (loads it at k0 == 0).
 *   cycle 3 + s      when s was a fold's last k-step: output lane i*C+j
 *                    writes the accumulator to O[m0+i][n0+j] (plain write).
 *   compute cycles = steps + 3.
 *
 * PE options:
 *   MAC-based (compressed = 0): acc <= (first ? 0 : acc) + p, one carry-
 *     propagate adder in the accumulation loop.
 *   compressed accumulation (compressed = 1): the accumulator is kept as
 *     sum and carry words, s <= s ^ c ^ p, c <= maj(s, c, p) << 1 (one row
 *     of 3:2 full adders, no carry chain in the loop); the carry-propagate
 *     add s + c happens once, when the reduction ends (at the write).
 *   p is the D-term dot product, sign-extended to acc_bits.  Both options
 *   give the same value modulo 2^acc_bits: s + c is preserved by every
 *   3:2 step (a + b + c == (a ^ b ^ c) + 2 maj(a, b, c)).
 *
 * Everything wraps: operands are sign-extended from their widths, the
 * accumulator wraps modulo 2^acc_bits (two's complement).
 *
 * Minifloat operands (format / in_format / w_format, the array's keys and
 * numfmt.h's code): both operands minifloat, in_bits / w_bits = 1+e+m; each
 * read lane decodes its code into the packed (off, sig) operand as the
 * array's lanes do (numfmt_pack, rtl mf_dec in rtl/mfdec.vh), each product is
 * sig_a * sig_b << (off_a + off_b) in units of 2^(q_a + q_b)
 * (numfmt_packed_mul), and p is the sum of the D products modulo
 * 2^acc_bits: a fixed-point (Kulisch-style) dot product, exact before the
 * wrap.  Inf and NaN count as 0. */
#ifndef CODESIM_TENSOR_ENGINE_H
#define CODESIM_TENSOR_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "numfmt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { TE_ADDERTREE = 0, TE_CUBE = 1, TE_MATRIX2D = 2 } te_kind_t;
#define TE_KINDS 3

#define TE_MAX_DIM 64u          /* rows, cols, depth */
#define TE_MAX_LANES 1024u      /* R*D, D*C and R*C each */
#define TE_MAX_OPERAND_BITS 16u
#define TE_MAX_ACC_BITS 32u
#define TE_NO_ACCESS UINT32_MAX

typedef struct {
    te_kind_t kind;
    uint32_t rows, cols, depth;   /* R, C, D */
    uint32_t in_bits, w_bits;     /* A and B operand widths, 1..16 */
    uint32_t acc_bits;            /* accumulator and output width, 2..32 */
    int compressed;               /* 1: compressed-accumulation PE */
    numfmt_t in_fmt, w_fmt;       /* operand formats; zero = integer (numfmt.h) */
} te_cfg_t;

typedef struct {
    uint64_t m, n, k;
} te_gemm_t;

const char *te_kind_name(te_kind_t k);                 /* "addertree", "cube", "matrix2d" */
int te_kind_parse(const char *s, te_kind_t *out);       /* 0 ok */
/* The kind's defaults (8x8 cube of depth 4, 16-unit adder tree of 16
 * inputs, 16 x 16 matrix; int8 operands, 32-bit accumulator). */
void te_defaults(te_kind_t kind, te_cfg_t *cfg);
/* 0 when usable, else -1 with "field: reason" (the shape rules above). */
int te_cfg_check(const te_cfg_t *cfg, char *err, size_t errlen);
/* One key of the hardware-file section (rows, cols, depth, in_bits,
 * w_bits, acc_bits, compressed, and as the array's: in_format, w_format
 * (int or a minifloat, which sets the operand's bits) and format (intN or
 * a minifloat for both)); -1 with "KEY: reason". */
int te_cfg_set(te_cfg_t *cfg, const char *key, const char *val, char *err, size_t errlen);

/* Closed form: folds, k-steps and compute cycles (steps + 3), and the
 * element accesses of the engine's ports.  -1 with err when g is out of
 * range or a count does not fit in 64 bits. */
typedef struct {
    uint64_t folds, steps, compute_cycles;
    uint64_t a_reads, b_reads, o_writes;
} te_counts_t;
int te_count(const te_cfg_t *cfg, const te_gemm_t *g, te_counts_t *c, char *err, size_t errlen);

/* ---- cycle-by-cycle engine -------------------------------------------- */

typedef struct te_engine te_engine_t;

typedef struct {
    const uint32_t *a_addr;   /* [R*D] */
    const uint32_t *b_addr;   /* [D*C] */
    const uint32_t *o_addr;   /* [R*C] */
    const int32_t *o_data;    /* [R*C] */
} te_ports_t;

te_engine_t *te_engine_new(const te_cfg_t *cfg);
void te_engine_free(te_engine_t *e);
/* a, b stay the caller's and must outlive the run; out (M*N) gets O. */
void te_engine_start(te_engine_t *e, const te_gemm_t *g, const int32_t *a, const int32_t *b,
                     int32_t *out);
/* One clock cycle: 1 while busy, 0 once done (that cycle did no work). */
int te_engine_step(te_engine_t *e, te_ports_t *ports);

/* Naive reference O = A x B with the same wrapping (tests, rtlcheck). */
void te_reference_gemm(const te_cfg_t *cfg, const te_gemm_t *g, const int32_t *a,
                       const int32_t *b, int32_t *out);

#ifdef __cplusplus
}
#endif
#endif
