/* pim_shim.h - C API over the Verilated pim_unit (rtl/pim_unit.v).
 *
 * rtl/pim_build.sh OUTDIR LANES FP NG NS NA builds OUTDIR/libvpim.so for one
 * unit configuration; it exports only vpim_api() (loading and instances:
 * see rtl/vshim.h).
 *
 * One clock cycle, as sim/harness/pim_rtl.c runs it (the harness is the row
 * buffer):
 *
 *     api->set_cmd(h, rst, valid, op, dst, src, col, data);  // data: lanes
 *     api->base.set_clk_eval(h, 0);
 *     rd = api->get_rb(h, &col);         // row-buffer read this cycle?
 *     ... rb_data = the open row's column col (lanes elements) ...
 *     api->set_rb_data(h, rb_data);      // evaluates again
 *     v = api->get_rd(h, out);           // read-back port (lanes words)
 *     api->base.set_clk_eval(h, 1);      // rising edge
 *     busy = api->busy(h);
 */
#ifndef CODESIM_RTL_PIM_SHIM_H
#define CODESIM_RTL_PIM_SHIM_H

#include <stdint.h>

#include "vshim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VPIM_API_SYMBOL "vpim_api"

typedef struct vpim_api {
    vshim_base_t base;                /* create, destroy, set_clk_eval */
    unsigned lanes, fp, ng, ns, na;   /* the configuration built in */
    void (*set_cmd)(void *h, int rst, int valid, uint32_t op, uint32_t dst, uint32_t src,
                    uint32_t col, const uint16_t *data);
    int (*get_rb)(void *h, uint32_t *col);
    void (*set_rb_data)(void *h, const uint16_t *data);
    int (*get_rd)(void *h, uint32_t *data);
    int (*busy)(void *h);
} vpim_api_t;

const vpim_api_t *vpim_api(void);

#ifdef __cplusplus
}
#endif

#endif
