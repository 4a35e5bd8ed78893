/* vshim.h - what every block's C API over its Verilated model shares.
 *
 * A block's shim (rtl/<block>_shim.cpp, built by rtl/vbuild.sh into one
 * shared library per configuration) exports exactly one symbol, returning a
 * static table of entry points that begins with a vshim_base_t; the rest of
 * the table is the block's configuration and its ports (rtl/<block>_shim.h).
 * sim/harness/vlib.c loads it:
 *
 *     void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
 *     const vsys_api_t *(*get)(void) = dlsym(so, VSYS_API_SYMBOL);
 *     const vsys_api_t *api = get();
 *
 * Only that symbol is exported, everything else (the Verilator runtime
 * included) is local to each library, so libraries of different
 * configurations load into one process.  Every instance made by create()
 * has its own VerilatedContext: instances share no mutable state.  The C++
 * side of the template is rtl/vshim.hpp. */
#ifndef CODESIM_RTL_VSHIM_H
#define CODESIM_RTL_VSHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Address a memory port drives in a cycle it does not access. */
#define VSHIM_NO_ACCESS UINT32_MAX

typedef struct vshim_base {
    void *(*create)(void);                  /* a new instance, reset inputs (NULL on failure) */
    void (*destroy)(void *h);
    void (*set_clk_eval)(void *h, int clk); /* drive clk to 0 or 1 and evaluate */
} vshim_base_t;

#ifdef __cplusplus
}
#endif

#endif
