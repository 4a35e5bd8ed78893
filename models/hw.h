/* hw.h - the machine: one description of every block a hardware file can
 * configure (plain data; parsing is sim/io/config.c, the block table that
 * fills, checks, writes and prices it is models/block.h). */
#ifndef CODESIM_HW_H
#define CODESIM_HW_H

#include <stddef.h>
#include <stdint.h>

#include "dma.h"
#include "dram_ctrl.h"
#include "gpu.h"
#include "link.h"
#include "lut_tc.h"
#include "npu.h"
#include "pim.h"
#include "sram.h"
#include "systolic.h"
#include "tensor_engine.h"

/* How a layer run is counted (array.accounting):
 *   HW_ACCT_RTL            the default: the timing codesim's RTL reaches
 *   HW_ACCT_SCALESIM       SCALE-Sim v2's reported numbers, USER bandwidth
 *                          (dram.bytes_per_cycle 1-byte words per port)
 *   HW_ACCT_SCALESIM_CALC  SCALE-Sim v2's numbers, CALC bandwidth
 * Set by a SCALE-Sim .cfg (from its InterfaceBandwidth); models/scalesim.h. */
typedef enum { HW_ACCT_RTL = 0, HW_ACCT_SCALESIM = 1, HW_ACCT_SCALESIM_CALC = 2 } hw_accounting_t;

const char *hw_accounting_name(hw_accounting_t a);            /* "rtl" */
int hw_accounting_parse(const char *s, hw_accounting_t *out);   /* 0 ok */

typedef struct {
    char name[64];          /* YAML "name", SCALE-Sim [general] run_name */
    systolic_cfg_t array;
    hw_accounting_t accounting; /* array.accounting */
    /* array.fixed_dataflow (area only): the PE is built for its one
     * dataflow, without the dataflow-select muxes and the registers only
     * other dataflows use (power_grid_fixed_um2); timing and values are the
     * dataflow's. */
    int fixed_dataflow;
    /* array.conv_reads: how a convolution layer reads its ifmap from DRAM
     * (models/engine.h): 0 im2col (the default: the unrolled M x K matrix),
     * 1 unique (the input tensor, windows expanded on chip). */
    int conv_unique;
    sram_cfg_t sram;
    dma_cfg_t dma;          /* dram.bytes_per_cycle: the NPU's share of DRAM bandwidth */
    dram_ctrl_cfg_t dram;   /* dram: the device (preset, organization, timing) and controller */
    npu_cfg_t npu;          /* npu: cores, clock, vector unit */
    int has_pim;            /* a pim: section is present (and not enabled: false) */
    pim_cfg_t pim;          /* pim: the processing units beside the DRAM banks */
    int has_lut;            /* a lut: section is present (and not enabled: false) */
    lut_cfg_t lut;          /* lut: the LUT tensor core; its DRAM channel is dma */
    int has_link;           /* a link: section is present (and not enabled: false) */
    link_cfg_t link;        /* link: tensor-parallel devices and the link between them */
    int has_gpu;            /* a gpu: section is present (and not enabled: false) */
    gpu_cfg_t gpu;          /* gpu: the GPU baseline of --mode gpu (models/gpu.h) */
    /* addertree:, cube:, matrix2d: the broadcast tensor engines beside the
     * array (models/tensor_engine.h), indexed by te_kind_t */
    int has_te[TE_KINDS];
    te_cfg_t te[TE_KINDS];
    /* What the file said, for the notes on what a run does not use (not part
     * of the canonical text): */
    uint32_t sections;      /* bit i: the file had hw_blocks[i]'s section (block.h) */
    uint32_t block_keys;    /* bit i: it set a key through hw_blocks[i].set */
    char ignored[256];      /* SCALE-Sim keys accepted but not modelled */
    char *text;             /* the file exactly as read (NUL-terminated), owned */
} hw_cfg_t;

/* The built-in defaults (a 32 x 32 OS array, see configs/default.yaml):
 * every block's defaults from the block table. */
void hw_defaults(hw_cfg_t *hw);

#endif
