/* lut_shim.h - C API over the Verilated lut_top (rtl/lut_tc.v).
 *
 * rtl/lut_build.sh OUTDIR TM TN TK G P AW SYM builds OUTDIR/libvlut.so for one
 * shape; it exports only vlut_api() (loading and instances: see
 * rtl/vshim.h).
 *
 * One clock cycle, as the harness (sim/harness/lut_rtl.c, "the harness is
 * the memory") runs it:
 *
 *     api->set_inputs(h, rst, start, m, n, k, cz, sh);
 *     api->base.set_clk_eval(h, 0);
 *     api->get_reads(h, a_addr, w_addr);        // a_lanes and tn entries
 *     ... a_data[l] = A[a_addr[l]], w_data[c] = packed[w_addr[c]], 0 when idle ...
 *     api->set_read_data(h, a_data, w_data);
 *     acc = api->get_writes(h, o_addr, o_data);  // tn entries
 *     api->base.set_clk_eval(h, 1);              // rising edge
 *     finished = api->done(h);
 *
 * Addresses and writes depend on registers only; idle lanes drive
 * VSHIM_NO_ACCESS.
 */
#ifndef CODESIM_RTL_LUT_SHIM_H
#define CODESIM_RTL_LUT_SHIM_H

#include <stdint.h>

#include "vshim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VLUT_API_SYMBOL "vlut_api"

typedef struct vlut_api {
    vshim_base_t base;              /* create, destroy, set_clk_eval */
    /* Shape the library was built for. */
    unsigned tm, tn, tk, g, planes, a_bits, sym;
    unsigned a_lanes;               /* tm * g */
    void (*set_inputs)(void *h, int rst, int start, uint32_t m, uint32_t n, uint32_t k,
                       int32_t cz, uint32_t sh);
    void (*get_reads)(void *h, uint32_t *a_addr, uint32_t *w_addr);
    void (*set_read_data)(void *h, const int32_t *a_data, const int32_t *w_data);
    int (*get_writes)(void *h, uint32_t *o_addr, int32_t *o_data);
    int (*done)(void *h);
} vlut_api_t;

const vlut_api_t *vlut_api(void);

#ifdef __cplusplus
}
#endif

#endif
