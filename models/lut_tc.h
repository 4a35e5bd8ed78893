/* lut_tc.h - LUT tensor core: lookup-table mixed-precision GEMM for low-bit
 * weights (LUT Tensor Core, see shared/PAPERS.md), cycle by cycle and in
 * closed form.
 *
 * GEMM convention as models/systolic.h: O[M][N] = A[M][K] x W[K][N], row-major.
 * A holds signed a_bits-wide activations.  W is given as unsigned weight codes
 * q[k][n] of `planes` bits and dequantizes, by the weight-quantization mode, to
 *   LUT_WQ_SYM      w = 2q - (2^P - 1): the symmetric odd grid {+-1, +-3, ..},
 *                   so W1 is {-1, +1} (binary weights, BitNet b1)
 *   LUT_WQ_ZP       w = q - zp, zp in 0..2^P-1 (one zero point per GEMM;
 *                   zp = 2^(P-1) gives two's-complement weights)
 *   LUT_WQ_TERNARY  w = q - 1, q in {0,1,2}: {-1, 0, +1} (BitNet b1.58),
 *                   consumed as two bit-planes of a zero-point code (P = 2)
 * Per-group scales are not part of the integer datapath: the unit produces
 * the exact integer sum over K (what rtlcheck compares); a scaler on the
 * output write path multiplies each drained partial by its group's scale
 * (cfg.scale_group, a multiple of tile.k) and is counted in events only.
 *
 * Why it works.  Write each code bit b in {0,1} as a sign s = 2b - 1.  Then
 * q = sum_i 2^i (s_i + 1) / 2, so for one output and one bit-plane i the
 * products sum_k a_k s_ik are signed sums of activations.  For a group of g
 * activations the unit precomputes the table of all 2^g signed sums
 *   T[idx] = sum_t (bit t of idx ? +a_t : -a_t),
 * and the g plane-i bits of one weight column (packed by lut_pack_weights)
 * index it: one lookup replaces g multiply-adds.  Summing planes with shifts:
 *   SYM:          O = sum_i 2^i T_i
 *   ZP, ternary:  O = (sum_i 2^i T_i + cz * rowsum) >> 1,  cz = 2^P - 1 - 2 zp
 * where rowsum = sum_k a_k is the table's all-ones entry (no extra adder
 * tree) and the shift is exact because 2w is an integer for every weight.
 * Symmetrization: T[~idx] = -T[idx], so only the 2^(g-1) entries with bit g-1
 * set are stored; an index with bit g-1 clear reads entry ~idx and negates.
 * Padding: activations past M or K read as 0, so they add 0 to every entry.
 *
 * Microarchitecture (rtl/lut_tc.v implements the same; cross-checked value
 * for value, cycle for cycle and port for port by `codesim rtlcheck --block
 * lut`):
 *   TM x TN lookup PEs (tile.m rows of activations, tile.n weight columns,
 *   the elongated tile: TN >> TM), each with a 32-bit accumulator and a drain
 *   bank register; per tile row a table buffer holding the tables of one
 *   K-tile (tile.k / g groups), a rowsum register and its drain copy; a
 *   drainer that writes one row of the drain bank per cycle while the PEs
 *   work on the next tile.  Main loops, outer to inner, and phases:
 *     for m0 (step TM): for k0 (step TK):
 *        PRE   Gt cycles (in-unit precompute only; Gt = ceil(kl/g), kl =
 *              min(TK, K-k0)): cycle j reads A[m0+r][k0+j*g+t] on activation
 *              lane r*g+t and writes all entries of row r's table j
 *              (one adder tree per entry) and rowsum[r] (+= all-ones entry).
 *        for n0 (step TN):                      -- table reuse across all N
 *          LOOK  Gt*P cycles, cycle (j outer, i inner): weight lane c reads
 *                the packed g-bit index of (group k0/g+j, column n0+c,
 *                plane i); PE(r,c): acc = (first ? 0 : acc) + (T_rj[idx] << i)
 *          MOVE  1 cycle once the drainer is free (idle, or writing its last
 *                row in this cycle; else the cycle is a move wait): the
 *                accumulators and rowsums go to the drain bank and the
 *                drainer starts on this tile at the next cycle.
 *   Drainer, ml = min(TM, M-m0) cycles per tile, overlapped with the next
 *   PRE/LOOK: cycle r, output lane c writes O[m0+r][n0+c] =
 *   (bank(r,c) + cz*rowsum[r]) >> sh, added into O (read-modify-write) when
 *   k0 > 0.  After the last MOVE the unit waits for the last drain (finish).
 *   One cycle accepts the command first.  Compute cycles:
 *     1 + MT*ceil(K/g)*[in-unit] + MT*NT*ceil(K/g)*P + MT*KT*NT + waits + ml_last
 *   with MT = ceil(M/TM), NT = ceil(N/TN), KT = ceil(K/TK); a step waits
 *   max(0, ml_prev - (1 + its PRE and LOOK cycles)) for the previous drain.
 *   Precompute fused into the previous operator (cfg.fused): no PRE phase;
 *   the tables arrive from DRAM through the table buffer's fill port, and
 *   their adds are reported as fused_* events (they happen upstream).  The
 *   RTL implements in-unit precompute only.
 *
 * Operand delivery (stalls): the unit's work is cut into steps, one per PRE
 * phase and one per LOOK + MOVE (plus the final drain); a step's operands (activations or tables;
 * weight planes) come over one DRAM channel (models/dma.h) into double-
 * buffered activation and weight buffers: step s's fetch is issued when step
 * s-2 has finished, and the unit stalls until the data has arrived.  The whole
 * packed W is fetched once when it fits half the weight buffer.  Outputs stay
 * in the output buffer (TM x N x 4 bytes) and are written back after the drain
 * of the last K-tile of an m-tile.  Step durations are those without memory
 * stalls (a drain does not advance during a stall: pessimistic by at most
 * tile.m cycles per stall).
 *
 * Accumulation is exact int32: lut_gemm_check refuses K so large that any
 * partial sum could leave 31 bits.
 */
#ifndef CODESIM_LUT_TC_H
#define CODESIM_LUT_TC_H

#include <stddef.h>
#include <stdint.h>

#include "dma.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LUT_WQ_SYM = 0, LUT_WQ_ZP = 1, LUT_WQ_TERNARY = 2 } lut_wq_t;

#define LUT_MAX_G 8u
#define LUT_MAX_PLANES 4u
#define LUT_MAX_TM 64u
#define LUT_MAX_TN 1024u
#define LUT_MAX_TK 4096u
#define LUT_MAX_A_BITS 16u
#define LUT_MAX_GEMM_DIM (1u << 24)
/* Most steps (row tile x K tile x (1 + column tiles)) the cycle path takes
 * (it ticks each); a larger GEMM is refused there.  The fast path finishes
 * runs of identical steps and tiles by arithmetic (models/periodic.h), so
 * its work does not grow with the number of tiles; it refuses a GEMM only if
 * it would walk more than this many steps one by one. */
#define LUT_MAX_STEPS_LOG2 26
#define LUT_MAX_STEPS (1ull << LUT_MAX_STEPS_LOG2)
#define LUT_OUT_BYTES 4u          /* int32 accumulator / output element */
/* Scaler on the output write path: a pipelined multiply-add per output lane;
 * its latency is paid once per GEMM.  4 stages is our assumption (a typical
 * fp16/fp32 FMA pipeline depth), not a published number. */
#define LUT_SCALE_LATENCY 4u

typedef struct {
    uint32_t a_bits;          /* activation width, signed, 2..16 (int8 default) */
    uint32_t w_bits;          /* weight code bits 1..4 (planes); 2 for ternary */
    lut_wq_t wq;              /* weight quantization, see above */
    uint32_t zp;              /* LUT_WQ_ZP zero point, 0..2^w_bits-1 */
    uint32_t g;               /* activations per table, 1..8 (default 4) */
    int sym_table;            /* 1: store 2^(g-1) entries, sign applied on read */
    int fused;                /* 1: precompute fused into the previous operator */
    uint32_t tm, tn, tk;      /* tile: rows, weight columns, K depth (multiple of g) */
    uint32_t table_entries;   /* table buffer capacity, entries (all rows) */
    uint32_t scale_group;     /* 0: no scaler (integer output), else K per scale */
    uint64_t act_buf_bytes;   /* activation/table buffer, both halves */
    uint64_t w_buf_bytes;     /* weight-plane buffer, both halves */
    uint64_t out_buf_bytes;   /* output buffer */
    dma_cfg_t dma;
} lut_cfg_t;

typedef struct {
    uint64_t m, n, k;
} lut_gemm_t;

/* The defaults: int8 activations, W2 zero-point, g = 4 with symmetrization,
 * an 8 x 128 x 64 tile (1024 lookup PEs, as many as a 32 x 32 array has
 * MACs), 32 B/cycle DRAM. */
void lut_defaults(lut_cfg_t *cfg);
/* One key of the `lut:` section: a_bits, g, sym_table, fused, tile_m,
 * tile_n, tile_k, table_entries, scale_group, act_buf_kib, w_buf_kib,
 * out_buf_kib.  The weight width and quantization come with each layer.
 * -1 with err "KEY: reason"; ranges are lut_cfg_check's. */
int lut_cfg_set(lut_cfg_t *cfg, const char *key, const char *val, char *err, size_t errlen);
const char *lut_wq_name(lut_wq_t wq);            /* "sym", "zp", "ternary" */
int lut_wq_parse(const char *s, lut_wq_t *out);  /* 0 ok */

/* 0 when usable, else -1 with "field: reason" in err. */
int lut_cfg_check(const lut_cfg_t *cfg, char *err, size_t errlen);
int lut_gemm_check(const lut_cfg_t *cfg, const lut_gemm_t *g, char *err, size_t errlen);

uint32_t lut_planes(const lut_cfg_t *cfg);        /* bit-planes per weight */
uint32_t lut_entries(const lut_cfg_t *cfg);       /* stored entries per table */
uint32_t lut_entry_bits(const lut_cfg_t *cfg);    /* a_bits + ceil(log2 g) */
/* Zero-point correction constant and final shift (0, 0 for SYM). */
void lut_correction(const lut_cfg_t *cfg, int32_t *cz, uint32_t *sh);
/* Dequantized integer weight of code q. */
int32_t lut_dequant(const lut_cfg_t *cfg, int32_t q);

/* Packed bit-plane weight memory: word ((kg*N + n)*P + i) holds, in bit t,
 * plane i of code q[kg*g+t][n] (0 past K).  lut_packed_words() words. */
uint64_t lut_packed_words(const lut_cfg_t *cfg, const lut_gemm_t *g);
void lut_pack_weights(const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *q,
                      uint8_t *packed);

/* ---- events ------------------------------------------------------------ */

/* Everything an area/energy model needs.  Counts are of useful lanes only:
 * lanes past M, N or K are gated and not counted. */
typedef struct {
    uint64_t total_cycles;        /* compute + stall */
    uint64_t compute_cycles;      /* accept + precompute + lookup + move + move_wait
                                     + finish + scale */
    uint64_t precompute_cycles, lookup_cycles, move_cycles, scale_cycles;
    uint64_t move_wait_cycles;    /* MOVE waiting for the drainer */
    uint64_t finish_cycles;       /* the last drain, after the last MOVE */
    uint64_t drain_cycles;        /* cycles the drainer writes (overlapped) */
    uint64_t stall_cycles;        /* waiting for operands from DRAM */
    uint64_t act_reads;           /* activation elements read (PRE) */
    uint64_t weight_reads;        /* packed g-bit plane words read (LOOK) */
    uint64_t table_writes;        /* table entries written (in unit or by DMA) */
    uint64_t table_reads;         /* table lookups */
    uint64_t precompute_adds;     /* adds building tables in the unit */
    uint64_t fused_precompute_adds; /* the same work done upstream when fused */
    uint64_t rowsum_adds;         /* ZP/ternary rowsum updates */
    uint64_t sign_ops;            /* conditional negations (symmetrized reads) */
    uint64_t shifts;              /* shifts of a lookup by its plane (i > 0) */
    uint64_t acc_adds;            /* accumulator adds (= accumulator writes) */
    uint64_t bank_writes;         /* accumulators copied to the drain bank */
    uint64_t zp_muls, zp_adds;    /* cz * rowsum per drained row, + per output */
    uint64_t out_writes;          /* output elements written */
    uint64_t out_acc_reads;       /* read-modify-write reads (k0 > 0) */
    uint64_t scale_muls;          /* per-group scale multiplies */
    uint64_t dram_read_bytes, dram_write_bytes;
    /* Of dram_read_bytes, the activations' (fused: the precomputed tables')
     * and the packed weight planes'; they add up to it. */
    uint64_t dram_act_bytes, dram_w_bytes;
    /* First and last cycle in which bytes of [0] activations (tables), [1]
     * weights, [2] output write-backs move on the DRAM channel (a request of
     * b bytes issued at t holds it from max(t, free) for ceil(b /
     * bytes_per_cycle) cycles, dma.h); first UINT64_MAX and last 0 when
     * nothing moved.  lut_count leaves them 0. */
    uint64_t dram_first[3], dram_last[3];
    uint64_t macs;                /* M*N*K: the multiply-adds replaced */
    uint64_t steps;
} lut_stats_t;

/* Closed-form compute events (no DRAM; stall and dram fields zero). */
void lut_count(const lut_cfg_t *cfg, const lut_gemm_t *g, lut_stats_t *st);

/* ---- cycle-by-cycle unit ------------------------------------------------ */

#define LUT_NO_ACCESS UINT32_MAX

typedef struct lut_unit lut_unit_t;

/* Ports of one cycle, as the RTL exposes them. */
typedef struct {
    uint32_t a_lanes;             /* tm * g */
    const uint32_t *a_addr;       /* [a_lanes] activation read addresses */
    const uint32_t *w_addr;       /* [tn] packed-weight read addresses */
    const uint32_t *o_addr;       /* [tn] output write addresses */
    const int32_t *o_data;        /* [tn] */
    int o_acc;                    /* 1: writes add into O */
} lut_ports_t;

lut_unit_t *lut_unit_new(const lut_cfg_t *cfg);   /* NULL: out of memory */
void lut_unit_free(lut_unit_t *u);
/* a (M*K), packed (lut_pack_weights) stay the caller's; out (M*N) receives
 * O.  a may be NULL (zeros; then packed may be NULL too and out is unused). */
void lut_unit_start(lut_unit_t *u, const lut_gemm_t *g, const int32_t *a,
                    const uint8_t *packed, int32_t *out);
/* One clock cycle; 1 while busy, 0 once done (that call did no work).
 * ports (optional) receives the cycle's memory activity. */
int lut_unit_step(lut_unit_t *u, lut_ports_t *ports);
/* Compute events counted cycle by cycle since start. */
void lut_unit_stats(const lut_unit_t *u, lut_stats_t *st);
/* Index of the current delivery step (see above); -1 in the accept cycle. */
int64_t lut_unit_step_index(const lut_unit_t *u);

/* ---- one GEMM with operand delivery -------------------------------------- */

typedef enum { LUT_FAST = 0, LUT_CYCLE = 1 } lut_path_t;

/* Runs one GEMM on either path (equal results; tests hold them equal).  With
 * LUT_CYCLE and a, packed, out non-NULL the unit also computes O.  Returns 0,
 * or -1 with "field: reason" in err (a bad GEMM, or more than LUT_MAX_STEPS
 * steps on the cycle path); nothing is simulated then. */
int lut_run(const lut_cfg_t *cfg, const lut_gemm_t *g, lut_path_t path, const int32_t *a,
            const uint8_t *packed, int32_t *out, lut_stats_t *st, char *err, size_t errlen);

/* Dequantize-then-MAC baseline cost outside the array: one subtract per
 * weight element delivered to the filter buffer (q - zp, or 2q - (2^P-1)),
 * pipelined with the DMA so it adds no cycles (our assumption: a dequantizer
 * at least as wide as the DRAM channel; it is a few adders). */
typedef struct {
    uint64_t dequant_ops;         /* weight elements converted */
    uint64_t weight_dram_bytes_lowbit; /* the same weights at P bits */
} lut_dequant_cost_t;
void lut_dequant_cost(const lut_cfg_t *cfg, uint64_t filter_fills, lut_dequant_cost_t *c);

#ifdef __cplusplus
}
#endif
#endif
