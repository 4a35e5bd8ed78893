/* teng_shim.h - C API over the Verilated teng_top (rtl/tensor_engine.v).
 *
 * rtl/teng_build.sh OUTDIR R C D AW BW ACCW CMP builds OUTDIR/libvteng.so for
 * one engine shape; it exports only vteng_api() (see rtl/vshim.h).
 *
 * One clock cycle, as sim/harness/teng_rtl.c runs it (the harness is the
 * memory):
 *
 *     api->set_inputs(h, rst, start, m, n, k);
 *     api->base.set_clk_eval(h, 0);
 *     api->get_reads(h, a_addr, b_addr);        // R*D and D*C entries
 *     ... a_data[l] = A[a_addr[l]] or 0 when VSHIM_NO_ACCESS ...
 *     api->set_read_data(h, a_data, b_data);
 *     api->get_writes(h, o_addr, o_data);        // R*C entries, plain writes
 *     api->base.set_clk_eval(h, 1);
 *     finished = api->done(h);
 *
 * Addresses and write data depend on registers only. */
#ifndef CODESIM_RTL_TENG_SHIM_H
#define CODESIM_RTL_TENG_SHIM_H

#include <stdint.h>

#include "vshim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VTENG_API_SYMBOL "vteng_api"

typedef struct vteng_api {
    vshim_base_t base;
    unsigned rows, cols, depth;      /* R, C, D */
    unsigned in_bits, w_bits, acc_bits;
    unsigned compressed;             /* CMP */
    void (*set_inputs)(void *h, int rst, int start, uint32_t m, uint32_t n, uint32_t k);
    void (*get_reads)(void *h, uint32_t *a_addr, uint32_t *b_addr);
    void (*set_read_data)(void *h, const int32_t *a_data, const int32_t *b_data);
    void (*get_writes)(void *h, uint32_t *o_addr, int32_t *o_data);
    int (*done)(void *h);
    unsigned in_fmt, w_fmt;          /* AF, BF: 0 integer, else E*16+M */
} vteng_api_t;

const vteng_api_t *vteng_api(void);

#ifdef __cplusplus
}
#endif

#endif
