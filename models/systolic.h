/* systolic.h - R x C systolic-array tensor core (output, weight and input
 * stationary), cycle by cycle and in closed form.
 *
 * GEMM convention (as SCALE-Sim's "Layer,M,N,K" rows): O[M][N] = A[M][K] x
 * B[K][N].  A is the ifmap operand, B the filter operand.  Matrices are
 * row-major and addressed by element index: A[m][k] = m*K + k, B[k][n] =
 * k*N + n, O[m][n] = m*N + n.
 *
 * Microarchitecture (the RTL in rtl/systolic.v implements the same; they are
 * cross-checked value for value and cycle for cycle):
 *
 *   PE(i,j), i = row 0..R-1, j = col 0..C-1, holds: a_reg (horizontal operand
 *   pipe), b_reg (vertical operand pipe, OS), w_reg (stationary operand, WS/IS),
 *   v_reg (vertical partial-sum / drain pipe), acc (OS accumulator).
 *   a_in  = j ? a_reg(i,j-1) : row lane i of the streamed read port
 *   b_in  = i ? b_reg(i-1,j) : column lane j
 *   v_in  = i ? v_reg(i-1,j) : 0
 *
 *   Fold sequencing (loops outer to inner) and phases per fold:
 *     OS: for m0 (step R) for n0 (step C):  FEED K+R+C-2, DRAIN R+1
 *     WS: for n0 (step C) for k0 (step R):  LOAD R,  FEED M+R+C-1
 *     IS: for m0 (step C) for k0 (step R):  LOAD R,  FEED N+R+C-1
 *     (WS/IS with array.ws_out_reg false: FEED one cycle shorter, see
 *     ws_out_unreg below.)
 *     (OS with array.os_drain: overlap drains during the next FEED instead:
 *     see systolic_os_drain_t below.)
 *   One cycle accepts the command before the first fold, so the compute time
 *   of a GEMM is 1 + sum of its phase cycles.  The array reads operands with
 *   per-lane skew in the address generator (lane l reads stream element t-l at
 *   phase cycle t); out-of-range lanes read nothing and feed 0.
 *
 *   OS FEED t:  ifmap lane i: A[m0+i][t-i]; filter lane j: B[t-j][n0+j];
 *               every PE: acc += a_in*b_in, a_reg=a_in, b_reg=b_in.
 *   OS DRAIN t: t=0: v_reg=acc, acc=0, a_reg=b_reg=0.  t>=1: v_reg=v_in, and
 *               output lane j writes v_reg(R-1,j) to O[m0+R-t][n0+j].
 *   WS LOAD t:  filter lane j: B[k0+R-1-t][n0+j]; w_reg = i ? w_reg(i-1,j) : lane.
 *   WS FEED t:  ifmap lane i: A[t-i][k0+i]; v_reg = v_in + a_in*w_reg,
 *               a_reg = a_in; output lane j accumulates v_reg(R-1,j) into
 *               O[t-R-j][n0+j] (plain write when k0 == 0).
 *   IS: as WS with the roles of A and B exchanged: LOAD takes ifmap lane j:
 *               A[m0+j][k0+R-1-t]; FEED streams filter lane i: B[k0+i][t-i];
 *               output lane j accumulates into O[m0+j][t-R-j].
 *
 * Everything wraps: operands are sign-extended from their widths, the
 * accumulator and the output buffer wrap modulo 2^acc_bits (two's complement).
 * Minifloat operands (in_fmt / w_fmt below) are decoded at the lanes and
 * multiplied exactly; the sum is fixed point and wraps the same way.
 */
#ifndef CODESIM_SYSTOLIC_H
#define CODESIM_SYSTOLIC_H

#include <stddef.h>
#include <stdint.h>

#include "numfmt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SYSTOLIC_OS = 0, SYSTOLIC_WS = 1, SYSTOLIC_IS = 2 } systolic_dataflow_t;

/* array.os_drain: how an OS fold's results leave the array.
 *   SERIAL   (default) the fold ends with its DRAIN phase (R+1 cycles)
 *            before the next fold's FEED starts.
 *   OVERLAP  the PE's v_reg is a shadow set: the next fold's FEED t=0
 *            copies every acc into v_reg and restarts acc with that cycle's
 *            product, and v_reg drains down the column links (one row per
 *            cycle, R cycles) while that fold computes.  The last fold ends
 *            with the serial DRAIN.  WS and IS are not affected.  With
 *            compressed PEs (array.compressed) the shadow set is v_reg and
 *            its carry word: the capture copies acc_c too, and both words
 *            drain together to the column's carry-propagate add.
 *   The hazard: a capture overwrites the shadow set, so the previous
 *   capture's R rows must have left by then (the last one may leave in the
 *   capture cycle itself: it reads v_reg before the edge).  Captures are a
 *   FEED apart, K+R+C-2 >= R cycles for every K >= 1 and C >= 1 (equal at
 *   K = C = 1), so no fold ever waits: the FEED's R+C-2 skew cycles cover
 *   the drain however small K is.  The RTL keeps a drain-busy interlock all
 *   the same (rtl/systolic.v, osd_wait); rtlcheck's cycle agreement with
 *   this model, which has no wait, shows it never fires.
 *   Fold f's cycles (F folds): K+R+C-2 (FEED) + (f == F-1 ? R+1 : 0), so
 *   compute = 1 + F(K+R+C-2) + R+1 and serial - overlap = F(R+1) - (R+1):
 *   every drain is hidden except the last fold's, the refill cost. */
typedef enum { SYSTOLIC_DRAIN_SERIAL = 0, SYSTOLIC_DRAIN_OVERLAP = 1 } systolic_os_drain_t;

#define SYSTOLIC_MAX_DIM 256u      /* rows, cols */
#define SYSTOLIC_MAX_OPERAND_BITS 16u
#define SYSTOLIC_MAX_ACC_BITS 32u
#define SYSTOLIC_MAX_GEMM_DIM (1u << 24) /* M, N, K */

typedef struct {
    uint32_t rows, cols;          /* R, C: 1..256 */
    systolic_dataflow_t dataflow;
    uint32_t in_bits;             /* A (ifmap) operand width, 1..16 */
    uint32_t w_bits;              /* B (filter) operand width, 1..16 */
    uint32_t acc_bits;            /* accumulator / output width, 2..32 */
    /* Operand formats (numfmt.h).  Zero = integer (the default).  When
     * minifloat, both are minifloat, in_bits / w_bits equal 1+e+m, each lane
     * decodes its code into the packed (off, sig) PE operand, the PE product
     * is sig_a*sig_b << (off_a+off_b) in units of 2^(q_a+q_b), and
     * acc_bits wraps that fixed-point sum. */
    numfmt_t in_fmt, w_fmt;
    systolic_os_drain_t os_drain; /* array.os_drain (OS only; default serial) */
    /* array.compressed: the compressed-accumulation (carry-save) PE.  Every
     * PE keeps its accumulator (OS) or partial sum (WS/IS) as a sum and a
     * carry word, s <= s ^ c ^ p, c <= maj(s, c, p) << 1 (one row of 3:2
     * full adders, no carry chain in the PE); both words move down the
     * column (the OS drain, the WS/IS partial-sum chain) and one carry-
     * propagate adder per column resolves s + c where the value leaves the
     * array (the bottom PE's write).  As the HPCA 2025 paper's OPT1 OS
     * array does (OPT1/systolic_array_os/array_opt1_based/pe.v and top.v of
     * github.com/wqzustc/High-Performance-Tensor-Processing-Engines: each
     * PE's result is {acc_sum, acc_carry}, the final add is outside the
     * array).  Values (modulo 2^acc_bits) and cycles equal the MAC PE's. */
    int compressed;
    /* array.ws_out_reg: false (ws_out_unreg = 1): WS/IS only, the bottom
     * row's sum goes to the output lane in the cycle it is formed instead of
     * through its v_reg: output lane j writes v_in + a_in*w_reg of PE(R-1,j)
     * to O[t-R+1-j] (IS: [t-R+1-j] of row m0+j) and FEED is one cycle
     * shorter, S+R+C-2: one cycle less per fold.  OS is not affected.
     * Timing rule (block.c array_check, in te_cost.c's level terms): the
     * new path is the PE's multiply and add (te_mul_levels + 2 + 2*ext)
     * ending at the write port, no longer than the PE's own register-to-
     * register loop (the same plus its select levels), so it is allowed;
     * column 0's a_in is the read lane in every row (for R = 1 too), the
     * same lane-to-v_reg path every column-0 PE has today, so R = 1 is
     * counted, not refused.  With compressed PEs the column's carry-
     * propagate add (te_add_levels(acc_bits)) would follow the 3:2 row in
     * the same cycle, longer than the PE's path: refused. */
    int ws_out_unreg;
} systolic_cfg_t;

typedef struct {
    uint64_t m, n, k;
} systolic_gemm_t;

const char *systolic_dataflow_name(systolic_dataflow_t df);          /* "os" */
int systolic_dataflow_parse(const char *s, systolic_dataflow_t *out); /* 0 ok */
const char *systolic_os_drain_name(systolic_os_drain_t d);             /* "serial" */
int systolic_os_drain_parse(const char *s, systolic_os_drain_t *out);  /* 0 ok */

/* 0 when cfg is usable, else -1 with a "field: reason" message in err. */
int systolic_cfg_check(const systolic_cfg_t *cfg, char *err, size_t errlen);
int systolic_gemm_check(const systolic_gemm_t *g, char *err, size_t errlen);

/* ---- fold structure (shared by both execution paths) ------------------- */

typedef struct {
    uint64_t folds;        /* number of folds */
    uint64_t stream;       /* S: streamed length per fold (OS: K, WS: M, IS: N) */
    uint64_t prologue;     /* cycles before streaming (LOAD) per fold */
    uint64_t tail;         /* cycles after the last stream element per fold */
    uint64_t fold_cycles;  /* prologue + stream + tail */
    /* The last fold's tail is last_more longer than the others' (0 unless
     * OS overlap, where it is the final DRAIN, R+1).  Sum of folds:
     * folds * fold_cycles + last_more. */
    uint64_t last_more;
} systolic_folds_t;

void systolic_folds(const systolic_cfg_t *cfg, const systolic_gemm_t *g, systolic_folds_t *f);

/* Closed-form compute cycles (1 + folds * fold_cycles + last_more) and
 * buffer accesses
 * made by the array itself (element counts).  systolic_count returns 0, or
 * -1 with "quantity: ... does not fit in 64 bits" in err when a count would
 * wrap (g must pass systolic_gemm_check, which also refuses M*N*K >= 2^64). */
typedef struct {
    uint64_t compute_cycles;
    uint64_t ifmap_reads, filter_reads;    /* elements read by the array */
    uint64_t ofmap_writes;                 /* elements written by the array */
    uint64_t ofmap_acc_reads;              /* read-modify-write reads */
} systolic_counts_t;

int systolic_count(const systolic_cfg_t *cfg, const systolic_gemm_t *g, systolic_counts_t *c,
                   char *err, size_t errlen);

/* ---- cycle-by-cycle array -------------------------------------------- */

/* Memory seen by the array in one cycle: every lane's read address
 * (SYSTOLIC_NO_ACCESS when idle) and its write address and data.  This is the
 * same interface the RTL exposes on its ports. */
#define SYSTOLIC_NO_ACCESS UINT32_MAX

typedef struct systolic_array systolic_array_t;

/* Operand matrices stay owned by the caller and must outlive the run;
 * out (M*N elements) receives the result, wrapped to acc_bits. */
systolic_array_t *systolic_array_new(const systolic_cfg_t *cfg);
void systolic_array_free(systolic_array_t *sa);
/* Starts a GEMM: the next systolic_array_step() is the command-accept cycle. */
void systolic_array_start(systolic_array_t *sa, const systolic_gemm_t *g,
                          const int32_t *a, const int32_t *b, int32_t *out);

typedef struct {
    uint32_t lanes;                /* max(R, C) */
    const uint32_t *a_addr;        /* [lanes] ifmap read addresses */
    const uint32_t *b_addr;        /* [lanes] filter read addresses */
    const uint32_t *o_addr;        /* [cols] output write addresses */
    const int32_t *o_data;         /* [cols] data written (before accumulation) */
    int o_acc;                     /* 1: writes accumulate into O */
} systolic_ports_t;

/* Runs one clock cycle.  Returns 1 while busy, 0 once the GEMM is done (the
 * cycle in which it returns 0 did no work).  ports (optional) receives this
 * cycle's memory activity; pointers stay valid until the next step. */
int systolic_array_step(systolic_array_t *sa, systolic_ports_t *ports);

/* Buffer accesses the array made since systolic_array_start (elements). */
typedef struct {
    uint64_t ifmap_reads, filter_reads, ofmap_writes, ofmap_acc_reads;
} systolic_access_t;
void systolic_array_access(const systolic_array_t *sa, systolic_access_t *c);

/* Phase position, for the memory model's chunk boundaries. */
typedef struct {
    uint64_t fold;       /* fold index */
    uint64_t fold_cycle; /* cycle within the fold: 0 .. its cycles - 1 */
    int accepting;       /* 1 during the command-accept cycle */
} systolic_pos_t;
void systolic_array_pos(const systolic_array_t *sa, systolic_pos_t *pos);

/* Naive reference: O = A x B with the same wrapping, for tests.  Minifloat
 * operands are decoded to doubles from the format's formula
 * (numfmt_ref_value), multiplied in double (exact), scaled to units of
 * 2^(q_a+q_b) and summed in 128 bits before the wrap. */
void systolic_reference_gemm(const systolic_cfg_t *cfg, const systolic_gemm_t *g,
                             const int32_t *a, const int32_t *b, int32_t *out);

/* Wrap v to bits-wide two's complement. */
int32_t systolic_wrap(int64_t v, uint32_t bits);

#ifdef __cplusplus
}
#endif
#endif
