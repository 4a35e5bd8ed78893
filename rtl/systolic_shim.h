/* systolic_shim.h - C API over the Verilated systolic_top (rtl/systolic.v).
 *
 * rtl/build.sh OUTDIR R C AW BW ACCW builds OUTDIR/libvsystolic.so for one
 * array shape; it exports only vsys_api() (loading and instances: see
 * rtl/vshim.h).
 *
 * One clock cycle, as the harness (sim/harness/systolic_rtl.c, "the harness
 * is the memory") runs it:
 *
 *     api->set_inputs(h, rst, start, m, n, k, df);
 *     api->base.set_clk_eval(h, 0);
 *     api->get_reads(h, a_addr, b_addr);       // lanes entries each
 *     ... a_data[l] = A[a_addr[l]] or 0 when a_addr[l] == VSHIM_NO_ACCESS ...
 *     api->set_read_data(h, a_data, b_data);
 *     acc = api->get_writes(h, o_addr, o_data); // cols entries
 *     ... commit writes (o_addr[j] != VSHIM_NO_ACCESS), adding when acc ...
 *     api->base.set_clk_eval(h, 1);             // rising edge
 *     finished = api->done(h);
 *
 * Read addresses, write address/data and o_wacc depend on registers only, so
 * get_writes() may be called before or after set_read_data().
 */
#ifndef CODESIM_RTL_SYSTOLIC_SHIM_H
#define CODESIM_RTL_SYSTOLIC_SHIM_H

#include <stdint.h>

#include "vshim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VSYS_API_SYMBOL "vsys_api"

typedef struct vsys_api {
    vshim_base_t base;              /* create, destroy, set_clk_eval */
    /* Shape the library was built for. */
    unsigned rows, cols;            /* R, C */
    unsigned lanes;                 /* max(R, C): read lanes per memory */
    unsigned in_bits, w_bits;       /* AW (ifmap / A), BW (filter / B) */
    unsigned acc_bits;              /* ACCW */
    unsigned in_fmt, w_fmt;         /* AF, BF: 0 integer, else E*16+M */
    /* Drive rst (sync, active high), start and the command (df: 0 OS,
     * 1 WS, 2 IS); takes effect at the next rising edge. */
    void (*set_inputs)(void *h, int rst, int start, uint32_t m, uint32_t n,
                       uint32_t k, uint32_t df);
    /* Read addresses of this cycle, lanes entries each (VSHIM_NO_ACCESS when
     * the lane does not read). */
    void (*get_reads)(void *h, uint32_t *a_addr, uint32_t *b_addr);
    /* Read data for this cycle, lanes entries each (0 for idle lanes). */
    void (*set_read_data)(void *h, const int32_t *a_data, const int32_t *b_data);
    /* Writes of this cycle, cols entries (VSHIM_NO_ACCESS = no write; data is
     * the acc_bits value sign-extended).  Returns o_wacc: 1 = add into the
     * output (wrapping to acc_bits), 0 = plain write. */
    int (*get_writes)(void *h, uint32_t *o_addr, int32_t *o_data);
    int (*done)(void *h);
    unsigned os_drain;              /* OSD: 0 serial, 1 overlapped (systolic_os_drain_t) */
    /* CMP: 1 = compressed-accumulation PEs (array.compressed). */
    unsigned compressed;
    /* WOR: 1 = registered WS/IS output (default), 0 = array.ws_out_reg false */
    unsigned ws_out_reg;
} vsys_api_t;

const vsys_api_t *vsys_api(void);

#ifdef __cplusplus
}
#endif

#endif
