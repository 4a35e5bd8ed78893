/* systolic_shim.h - C API over the Verilated systolic_top (rtl/systolic.v).
 *
 * rtl/build.sh OUTDIR R C AW BW ACCW builds OUTDIR/libvsystolic.so for one
 * array shape.  The library exports exactly one symbol, vsys_api(), which
 * returns a static table of entry points; load it with
 *
 *     void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
 *     vsys_api_fn get = (vsys_api_fn)dlsym(so, VSYS_API_SYMBOL);
 *     const vsys_api_t *api = get();
 *
 * Several libraries (different shapes) can be loaded into one process: only
 * vsys_api is exported, everything else (Verilator runtime included) is
 * local to each library.  Every instance made by create() has its own
 * VerilatedContext, so instances share no mutable state.
 *
 * One clock cycle, as the harness ("the harness is the memory") runs it:
 *
 *     api->set_inputs(h, rst, start, m, n, k, df);
 *     api->set_clk_eval(h, 0);
 *     api->get_reads(h, a_addr, b_addr);       // lanes entries each
 *     ... a_data[l] = A[a_addr[l]] or 0 when a_addr[l] == VSYS_NO_ACCESS ...
 *     api->set_read_data(h, a_data, b_data);
 *     acc = api->get_writes(h, o_addr, o_data); // cols entries
 *     ... commit writes (o_addr[j] != VSYS_NO_ACCESS), adding when acc ...
 *     api->set_clk_eval(h, 1);                  // rising edge
 *     finished = api->done(h);
 *
 * Read addresses, write address/data and o_wacc depend on registers only, so
 * get_writes() may be called before or after set_read_data().
 */
#ifndef CODESIM_RTL_SYSTOLIC_SHIM_H
#define CODESIM_RTL_SYSTOLIC_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VSYS_NO_ACCESS UINT32_MAX   /* address value: lane idle this cycle */
#define VSYS_API_SYMBOL "vsys_api"

typedef struct vsys_api {
    void *(*create)(void);          /* new instance (NULL on failure) */
    void (*destroy)(void *h);
    /* Shape the library was built for. */
    unsigned rows, cols;            /* R, C */
    unsigned lanes;                 /* max(R, C): read lanes per memory */
    unsigned in_bits, w_bits;       /* AW (ifmap / A), BW (filter / B) */
    unsigned acc_bits;              /* ACCW */
    /* Drive rst (sync, active high), start and the command (df: 0 OS,
     * 1 WS, 2 IS); takes effect at the next rising edge. */
    void (*set_inputs)(void *h, int rst, int start, uint32_t m, uint32_t n,
                       uint32_t k, uint32_t df);
    /* Set clk to 0 or 1 and evaluate the model. */
    void (*set_clk_eval)(void *h, int clk);
    /* Read addresses of this cycle, lanes entries each (VSYS_NO_ACCESS when
     * the lane does not read). */
    void (*get_reads)(void *h, uint32_t *a_addr, uint32_t *b_addr);
    /* Read data for this cycle, lanes entries each (0 for idle lanes). */
    void (*set_read_data)(void *h, const int32_t *a_data, const int32_t *b_data);
    /* Writes of this cycle, cols entries (VSYS_NO_ACCESS = no write; data is
     * the acc_bits value sign-extended).  Returns o_wacc: 1 = add into the
     * output (wrapping to acc_bits), 0 = plain write. */
    int (*get_writes)(void *h, uint32_t *o_addr, int32_t *o_data);
    int (*done)(void *h);
} vsys_api_t;

typedef const vsys_api_t *(*vsys_api_fn)(void);

const vsys_api_t *vsys_api(void);

#ifdef __cplusplus
}
#endif

#endif
