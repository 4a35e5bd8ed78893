/* hw.c - the machine's built-in defaults. */
#include "hw.h"

#include <stdio.h>
#include <string.h>

void hw_defaults(hw_cfg_t *hw)
{
    memset(hw, 0, sizeof *hw);
    snprintf(hw->name, sizeof hw->name, "default-32x32");
    hw->array.rows = 32;
    hw->array.cols = 32;
    hw->array.dataflow = SYSTOLIC_OS;
    hw->array.in_bits = 8;
    hw->array.w_bits = 8;
    hw->array.acc_bits = 32;
    hw->sram.ifmap_bytes = 512 * 1024;
    hw->sram.filter_bytes = 512 * 1024;
    hw->sram.ofmap_bytes = 256 * 1024;
    hw->dma.bytes_per_cycle = 32;
    dram_ctrl_defaults(&hw->dram);
    npu_defaults(&hw->npu);
    hw->has_pim = 0;
    pim_defaults(&hw->pim);
    hw->has_lut = 0;
    lut_defaults(&hw->lut);
    hw->text = NULL;
}
