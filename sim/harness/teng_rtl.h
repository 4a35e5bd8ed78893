/* teng_rtl.h - the Verilated tensor engines (rtl/tensor_engine.v: adder
 * tree, 3D cube, 2D matrix), loaded as a shared library per shape and driven
 * cycle by cycle with this file as the memory; the same run on the C model
 * (models/tensor_engine.h); and the engines' glue for the rtlcheck driver.
 * Missing shapes are built on demand by rtl/teng_build.sh into
 * rtl/teng_r<R>_c<C>_d<D>_a<AW>_w<BW>_acc<ACCW>_x<CMP> of the build
 * directory (sim/io/paths.h). */
#ifndef CODESIM_TENG_RTL_H
#define CODESIM_TENG_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "../../models/tensor_engine.h"
#include "../../rtl/teng_shim.h"
#include "ports.h"
#include "rtlcheck.h"

/* The engine's ports in a ports_rec_t. */
enum { TENG_PORT_A, TENG_PORT_B, TENG_PORT_O };

/* rtlcheck: random GEMMs (dimensions not fixed are drawn around the
 * engine's largest dimension, up to 8 times it), values also against the
 * naive GEMM (te_reference_gemm). */
typedef struct {
    te_cfg_t eng;
    uint64_t m, n, k;           /* fixed dimensions; 0 = drawn per case */
    const vteng_api_t *api;     /* NULL: the Verilated library; else a C stand-in (tests) */
} teng_rtlcheck_cfg_t;

/* One per kind (--block and rtl_checks.block: addertree, cube, matrix2d). */
extern const rtlcheck_block_t teng_rtlcheck[TE_KINDS];

#endif
