/* pim.h - one DRAM processing-in-memory unit: a SIMD MAC datapath beside one
 * bank (AiM style) or one bank pair (HBM-PIM style), with small register
 * files, driven by PIM commands.  rtl/pim_unit.v implements the same unit;
 * they are cross-checked value for value and cycle for cycle.
 *
 * Sources of the defaults quoted below: [L21] S. Lee et al., "Hardware
 * architecture and software stack for PIM based on commercial DRAM
 * technology", ISCA 2021 (Samsung HBM-PIM: a 16-lane FP16 SIMD unit per two
 * banks, GRF_A/GRF_B of 8 x 256 bits each, 8-entry SRFs); [L22] S. Lee et
 * al., "A 1ynm 1.25V 8Gb 16Gb/s/pin GDDR6-based accelerator-in-memory...",
 * ISSCC 2022 (SK hynix AiM: one processing unit per bank, all-bank commands).
 *
 * Registers (sizes in pim_cfg_t):
 *   GRF[g][l]  vector operand registers (HBM-PIM's GRF_A), element width
 *   SRF[s]     scalar operand registers (HBM-PIM's SRF), element width
 *   ACC[a][l]  accumulators (HBM-PIM's GRF_B), 32 bits per lane
 *
 * Commands (pim_cmd_t; one accepted per cycle, executed in order):
 *   NOP
 *   WRGRF g, data[L]   GRF[g] = data            (operand broadcast over the bus)
 *   WRSRF s, data[0]   SRF[s] = data[0]
 *   MAC   a, g, col    ACC[a][l] += ROW[col][l] * GRF[g][l]   for every lane l
 *   MACS  a, s, col    ACC[a][l] += ROW[col][l] * SRF[s]      for every lane l
 *   MACT  a, g, col, j ACC[a][j] += TREE(ROW[col][l] * GRF[g][l] over the lanes)
 *                      (j = data[0] < L; the other lanes of ACC[a] unchanged)
 *   CLR   a            ACC[a][l] = 0
 *   RDACC a            output ACC[a] (read back over the bus)
 * ROW[col] is column col of the row open in the bank's (PIM) row buffer: L
 * elements of the element width.  MACT is the adder-tree reduction of
 * PIM-GPT / AiM (one dot product of L weights of a row with L inputs per
 * column, Wu et al. arXiv 2310.09385; Kwon et al. ISSCC 2022): the L products,
 * padded with +0 (int 0) to the next power of two, are summed pairwise, level
 * by level (lane 2i with lane 2i+1, then those sums likewise), each addition
 * rounded as the accumulate below; the root is then added to ACC[a][j].
 *
 * Arithmetic, exactly (the RTL matches it bit for bit):
 *   PIM_INT8: elements are two's-complement int8; the product is exact
 *     (int16) and is added to the int32 accumulator modulo 2^32.
 *   PIM_FP16: elements are IEEE binary16.  The product of two binary16
 *     values is computed exactly and is always exactly representable as a
 *     normal binary32 (11x11-bit significands, exponents 2^-48..2^32), so the
 *     multiply never rounds; special cases: NaN if either input is NaN or
 *     inf x 0, else inf if either is inf, else a signed zero if either is
 *     zero.  The accumulate is an IEEE binary32 addition rounded to nearest,
 *     ties to even, with subnormals (no flush), overflow to inf, x + (-x) =
 *     +0, (-0) + (-0) = -0, and every NaN result the canonical 0x7FC00000.
 *
 * Pipeline (cycle t = the cycle a command is presented with cmd valid):
 *   t+1  D   decode; MAC/MACS drive the row-buffer read port (rb_rd, rb_col)
 *            and take the column data in the same cycle; WRGRF/WRSRF write
 *            their register at the end of the cycle.
 *   t+2  M   multiply.
 *   t+3  A   MAC/MACS add into ACC[a], CLR clears it (end of cycle); RDACC
 *            drives the read-back port (rd_valid, rd_data = ACC[a]).
 * Every command moves through all stages, so the unit never stalls and the
 * in-order semantics above hold for any command sequence.  A sequence of
 * commands whose last one is presented at cycle t is complete after cycle
 * t+3; the unit is idle once its pipeline is empty.
 */
#ifndef CODESIM_PIM_H
#define CODESIM_PIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PIM_INT8 = 0, PIM_FP16 = 1 } pim_prec_t;

/* How a GEMV uses the unit (models/pim_gemv.h): LANES, one output row per
 * lane and the input vector broadcast one element at a time (MACS, HBM-PIM
 * style); TREE, a row's k elements across the lanes, reduced by MACT's adder
 * tree (PIM-GPT / AiM style). */
typedef enum { PIM_REDUCE_LANES = 0, PIM_REDUCE_TREE = 1 } pim_reduce_t;

typedef enum {
    PIM_NOP = 0, PIM_WRGRF = 1, PIM_WRSRF = 2, PIM_MAC = 3, PIM_MACS = 4,
    PIM_CLR = 5, PIM_RDACC = 6, PIM_MACT = 7
} pim_op_t;

#define PIM_MAX_LANES 64u
#define PIM_MAX_REGS 16u       /* GRF, SRF and ACC entries each */
#define PIM_MAX_COLS 4096u     /* columns per row buffer */
#define PIM_PIPE_DEPTH 3u      /* D, M, A stages */
#define PIM_FP32_QNAN 0x7FC00000u

typedef struct {
    uint32_t lanes;            /* SIMD lanes L, 1..64 ([L21]: 16 x fp16) */
    pim_prec_t prec;
    uint32_t grf_entries;      /* 1..16 ([L21]: 8 GRF_A) */
    uint32_t srf_entries;      /* 1..16 ([L21]: 8 SRF_M) */
    uint32_t acc_entries;      /* 1..16 ([L21]: 8 GRF_B) */
    uint32_t banks_per_unit;   /* 1 ([L22] AiM: a unit per bank) or 2 ([L21]: per pair) */
    pim_reduce_t reduce;       /* the GEMV layout ([L21]: lanes) */
} pim_cfg_t;

/* Element width in bits (8 or 16) and bytes of one column (L elements). */
uint32_t pim_elem_bits(const pim_cfg_t *cfg);
uint32_t pim_col_bytes(const pim_cfg_t *cfg);

const char *pim_prec_name(pim_prec_t p);             /* "int8", "fp16" */
int pim_prec_parse(const char *s, pim_prec_t *out);  /* 0 ok */

/* 0 when cfg is usable, else -1 with a "field: reason" message in err. */
int pim_cfg_check(const pim_cfg_t *cfg, char *err, size_t errlen);

/* HBM-PIM's unit (Lee et al., ISCA 2021): 16 fp16 lanes per bank pair,
 * 8 GRF, 8 SRF and 8 accumulator entries. */
void pim_defaults(pim_cfg_t *cfg);
/* One key of the `pim:` section: lanes, precision (int8 | fp16),
 * grf_entries, srf_entries, acc_entries, banks_per_unit, reduce (lanes |
 * tree).  -1 with err "KEY: reason"; ranges are pim_cfg_check's. */
int pim_cfg_set(pim_cfg_t *cfg, const char *key, const char *val, char *err, size_t errlen);

typedef struct {
    pim_op_t op;
    uint32_t dst;              /* ACC index (MAC, MACS, MACT, CLR, RDACC), GRF/SRF index (WR*) */
    uint32_t src;              /* GRF index (MAC, MACT), SRF index (MACS) */
    uint32_t col;              /* row-buffer column (MAC, MACS, MACT) */
    uint16_t data[PIM_MAX_LANES]; /* WRGRF: L elements; WRSRF: data[0] (raw bits);
                                     MACT: data[0] = the accumulator lane j */
} pim_cmd_t;

/* 0 when cmd is valid for cfg (indices in range, col < ncols). */
int pim_cmd_check(const pim_cfg_t *cfg, const pim_cmd_t *cmd, uint32_t ncols, char *err,
                  size_t errlen);

/* ---- arithmetic (shared by both paths; tests use an independent one) --- */

/* Exact binary16 x binary16 -> binary32 bits (see the header comment). */
uint32_t pim_fp16_mul(uint16_t a, uint16_t b);
/* binary32 + binary32, round to nearest even, canonical NaN. */
uint32_t pim_fp32_add(uint32_t a, uint32_t b);
/* One lane's multiply-accumulate in the configured precision. */
uint32_t pim_lane_mac(pim_prec_t prec, uint32_t acc, uint16_t row, uint16_t opnd);
/* MACT's adder tree over n products (fp32 bits or int32), see above. */
uint32_t pim_tree_sum(pim_prec_t prec, const uint32_t *prod, uint32_t n);

/* ---- the unit ----------------------------------------------------------- */

typedef struct {
    uint16_t grf[PIM_MAX_REGS][PIM_MAX_LANES];
    uint16_t srf[PIM_MAX_REGS];
    uint32_t acc[PIM_MAX_REGS][PIM_MAX_LANES];
} pim_regs_t;

/* One pipeline stage register. */
typedef struct {
    int valid;
    pim_op_t op;
    uint32_t dst;
    uint16_t row[PIM_MAX_LANES];   /* row-buffer column (M stage) */
    uint16_t opnd[PIM_MAX_LANES];  /* GRF lanes or the SRF scalar per lane */
    uint32_t prod[PIM_MAX_LANES];  /* products (A stage): fp32 bits or int32 */
    uint32_t lane;                 /* MACT: the accumulator lane */
    pim_cmd_t cmd;                 /* D stage: the accepted command */
} pim_stage_t;

typedef struct {
    pim_cfg_t cfg;
    pim_regs_t r;
    pim_stage_t d, m, a;
    uint64_t cycle;
    /* Event counts since init (for energy): */
    uint64_t macs;         /* lane multiply-accumulates (L per MAC/MACS/MACT) */
    uint64_t col_reads;    /* row-buffer column reads by the unit */
    uint64_t reg_writes;   /* WRGRF + WRSRF */
    uint64_t readbacks;    /* RDACC */
} pim_unit_t;

/* Clears registers and pipeline; cfg must have passed pim_cfg_check. */
void pim_unit_init(pim_unit_t *u, const pim_cfg_t *cfg);

/* Functional path: executes cmd at once against row (ncols columns of L
 * elements, row[col * L + l]); RDACC copies ACC[dst] into out (L words) when
 * out is not NULL. */
void pim_unit_exec(pim_unit_t *u, const pim_cmd_t *cmd, const uint16_t *row, uint32_t *out);

/* What the unit's ports showed in one cycle (the RTL's ports). */
typedef struct {
    int rb_rd;                     /* row-buffer read this cycle */
    uint32_t rb_col;
    int rd_valid;                  /* read-back output this cycle */
    uint32_t rd_data[PIM_MAX_LANES];
} pim_ports_t;

/* Cycle path: one clock cycle.  cmd is the command presented this cycle
 * (NULL or PIM_NOP: none); row is the open row as for pim_unit_exec.
 * Returns 1 while the pipeline holds a command after this cycle. */
int pim_unit_step(pim_unit_t *u, const pim_cmd_t *cmd, const uint16_t *row, pim_ports_t *ports);

#ifdef __cplusplus
}
#endif

#endif
