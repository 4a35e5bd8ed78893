/* block.c - the block table (block.h): one row per hardware block. */
#include "block.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cfgkey.h"
#include "pim_gemv.h"
#include "te_cost.h"
#include "util.h"

void hw_append(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int w = vsnprintf(buf + *n, size - *n, fmt, ap);
    va_end(ap);
    if (w > 0)
        *n = *n + (size_t)w < size ? *n + (size_t)w : size - 1;
}

/* ---- array: the systolic array of every core (models/systolic.h) -------- */

static const char *const acct_names[] = {"rtl", "scalesim", "scalesim-calc"};

const char *hw_accounting_name(hw_accounting_t a)
{
    return (size_t)a < ARRAY_LEN(acct_names) ? acct_names[a] : "?";
}

int hw_accounting_parse(const char *s, hw_accounting_t *out)
{
    for (size_t i = 0; i < ARRAY_LEN(acct_names); i++)
        if (strcmp(s, acct_names[i]) == 0) {
            *out = (hw_accounting_t)i;
            return 0;
        }
    return -1;
}

static void array_defaults(hw_cfg_t *hw)
{
    hw->array.rows = 32;
    hw->array.cols = 32;
    hw->array.dataflow = SYSTOLIC_OS;
    hw->array.in_bits = 8;
    hw->array.w_bits = 8;
    hw->array.acc_bits = 32;
}

/* in_format / w_format: int (default) or a minifloat (numfmt.h); a
 * minifloat also sets the operand's bits.  format: both operands at once,
 * intN (N bits, 1..16) or a minifloat: one sweep key over formats. */
static int array_set(hw_cfg_t *hw, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "conv_reads") == 0) {
        const int u = strcmp(val, "unique") == 0;
        if (!u && strcmp(val, "im2col") != 0) {
            snprintf(err, errlen, "conv_reads: '%.40s' is not im2col or unique", val);
            return -1;
        }
        hw->conv_unique = u;
        return 0;
    }
    if (strcmp(key, "os_drain") == 0) {
        if (systolic_os_drain_parse(val, &hw->array.os_drain) == 0)
            return 0;
        snprintf(err, errlen, "os_drain: '%.40s' is not serial or overlap", val);
        return -1;
    }
    /* compressed: the compressed-accumulation PE (systolic.h) */
    if (strcmp(key, "compressed") == 0)
        return cfg_parse_bool(key, val, &hw->array.compressed, err, errlen);
    /* ws_out_reg: false, the WS/IS bottom row's unregistered output (systolic.h) */
    if (strcmp(key, "ws_out_reg") == 0) {
        int reg = 1;
        if (cfg_parse_bool(key, val, &reg, err, errlen) != 0)
            return -1;
        hw->array.ws_out_unreg = !reg;
        return 0;
    }
    if (strcmp(key, "format") != 0 && strcmp(key, "in_format") != 0 &&
        strcmp(key, "w_format") != 0) {
        snprintf(err, errlen, "%s: unknown key", key);
        return -1;
    }
    const numfmt_operands_t o = {&hw->array.in_fmt, &hw->array.w_fmt, &hw->array.in_bits,
                                 &hw->array.w_bits, SYSTOLIC_MAX_OPERAND_BITS};
    return numfmt_set_key(&o, key, val, err, errlen);
}

static int array_check(const hw_cfg_t *hw, char *err, size_t errlen)
{
    if (hw->fixed_dataflow && hw->array.compressed) {
        snprintf(err, errlen, "compressed: the fixed-dataflow PE (fixed_dataflow: true) has no "
                              "compressed-accumulation variant; set one of them");
        return -1;
    }
    if (systolic_cfg_check(&hw->array, err, errlen) != 0)
        return -1;
    /* ws_out_reg: false: the unregistered output path must be no longer than
     * the PE's own critical path, in te_cost.c's level terms (systolic.h) */
    if (hw->array.ws_out_unreg) {
        te_levels_t lv;
        te_array_pe_levels(&hw->array, hw->fixed_dataflow, 0, &lv);
        const uint32_t out = te_ws_out_levels(&hw->array);
        if (out > lv.path) {
            snprintf(err, errlen, "ws_out_reg: false: the output path (%u gate levels) is longer "
                     "than the PE's critical path (%u)", out, lv.path);
            return -1;
        }
    }
    return 0;
}

static void array_write(const hw_cfg_t *hw, char *buf, size_t size, size_t *n)
{
    hw_append(buf, size, n,
              "array:\n  rows: %u\n  cols: %u\n  dataflow: %s\n  in_bits: %u\n  w_bits: %u\n"
              "  acc_bits: %u\n",
              hw->array.rows, hw->array.cols, systolic_dataflow_name(hw->array.dataflow),
              hw->array.in_bits, hw->array.w_bits, hw->array.acc_bits);
    /* Integer machines keep their canonical text (and config hashes). */
    if (numfmt_is_float(&hw->array.in_fmt) || numfmt_is_float(&hw->array.w_fmt)) {
        char a[16], b[16];
        numfmt_name(&hw->array.in_fmt, a, sizeof a);
        numfmt_name(&hw->array.w_fmt, b, sizeof b);
        hw_append(buf, size, n, "  in_format: %s\n  w_format: %s\n", a, b);
    }
    /* only when set, so that the canonical text (and hash) of every machine
     * without it stays as it was */
    if (hw->accounting != HW_ACCT_RTL)
        hw_append(buf, size, n, "  accounting: %s\n", hw_accounting_name(hw->accounting));
    /* written only when set: machines without it keep their canonical text */
    if (hw->fixed_dataflow)
        hw_append(buf, size, n, "  fixed_dataflow: true\n");
    if (hw->conv_unique)
        hw_append(buf, size, n, "  conv_reads: unique\n");
    if (hw->array.os_drain != SYSTOLIC_DRAIN_SERIAL)
        hw_append(buf, size, n, "  os_drain: %s\n", systolic_os_drain_name(hw->array.os_drain));
    /* likewise only when set */
    if (hw->array.compressed)
        hw_append(buf, size, n, "  compressed: true\n");
    if (hw->array.ws_out_unreg) /* likewise */
        hw_append(buf, size, n, "  ws_out_reg: false\n");
}

/* The grid and its three scratchpads (power_systolic_area). */
static int array_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                      size_t errlen)
{
    return power_systolic_area(t, hw, out, err, errlen);
}

static int array_takes(const hw_cfg_t *hw, const hw_op_t *op)
{
    (void)hw;
    (void)op;
    return 1;
}

/* Low-bit weights without a LUT unit run as dequantize-then-MAC: the
 * weights are expanded to the array's w_bits before the filter buffer, so
 * the layer costs what an int8 layer does (the dequantizer is pipelined with
 * the DMA, see lut_dequant_cost()). */
static int array_run(const hw_cfg_t *hw, const hw_op_t *op, engine_path_t path,
                     layer_stats_t *st, power_breakdown_t *energy, const tech_t *t, char *err,
                     size_t errlen)
{
    const systolic_gemm_t g = {op->m, op->n, op->k};
    if (engine_run_layer(hw, &g, op->conv, path, NULL, st, err, errlen) != 0)
        return -1;
    return energy ? power_systolic_energy(t, hw, st, energy, err, errlen) : 0;
}

/* ---- sram: each core's scratchpads (models/sram.h) ---------------------- */

static void sram_defaults(hw_cfg_t *hw)
{
    hw->sram.ifmap_bytes = 512 * 1024;
    hw->sram.filter_bytes = 512 * 1024;
    hw->sram.ofmap_bytes = 256 * 1024;
}

static int sram_check(const hw_cfg_t *hw, char *err, size_t errlen)
{
    return sram_cfg_check(&hw->sram, err, errlen);
}

static void sram_write(const hw_cfg_t *hw, char *buf, size_t size, size_t *n)
{
    hw_append(buf, size, n, "sram:\n  ifmap_bytes: %llu\n  filter_bytes: %llu\n  ofmap_bytes: %llu\n",
              (unsigned long long)hw->sram.ifmap_bytes, (unsigned long long)hw->sram.filter_bytes,
              (unsigned long long)hw->sram.ofmap_bytes);
}

/* ---- dram: the channel the cores' DMA share, and the device behind it ---- */

static void dram_defaults(hw_cfg_t *hw)
{
    hw->dma.bytes_per_cycle = 32;
    dram_ctrl_defaults(&hw->dram);
}

static int dram_set(hw_cfg_t *hw, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "timing") == 0) {
        const int c = strcmp(val, "controller") == 0;
        if (!c && strcmp(val, "fixed") != 0) {
            snprintf(err, errlen, "timing: '%.40s' is not fixed or controller", val);
            return -1;
        }
        hw->dma.timing = c ? DMA_CONTROLLER : DMA_FIXED;
        return 0;
    }
    return dram_ctrl_cfg_set(&hw->dram, key, val, err, errlen);
}

static int dram_check(const hw_cfg_t *hw, char *err, size_t errlen)
{
    if (dma_cfg_check(&hw->dma, err, errlen) != 0)
        return -1;
    return dram_ctrl_cfg_check(&hw->dram, err, errlen);
}

static void dram_write(const hw_cfg_t *hw, char *buf, size_t size, size_t *n)
{
    const dram_cfg_t *d = &hw->dram.dev;
    char map[16];
    dram_map_name(&d->map, map);
    hw_append(buf, size, n, "dram:\n  bytes_per_cycle: %u\n", hw->dma.bytes_per_cycle);
    if (hw->dma.timing == DMA_CONTROLLER) /* only when set: other files keep their text */
        hw_append(buf, size, n, "  timing: controller\n");
    if (d->preset[0])
        hw_append(buf, size, n, "  preset: %s\n", d->preset);
    const struct {
        const char *key;
        uint32_t v;
    } dv[] = {
        {"channels", d->channels}, {"pseudo_channels", d->pseudo_channels},
        {"bank_groups", d->bank_groups}, {"banks_per_group", d->banks_per_group},
        {"rows", d->rows}, {"columns", d->columns}, {"bus_bits", d->bus_bits},
        {"burst_length", d->burst_length}, {"transfers_per_tck", d->transfers_per_tck},
        {"tck_ps", d->tck_ps}, {"tRCD", d->tRCD}, {"tRP", d->tRP}, {"tRAS", d->tRAS},
        {"tRC", d->tRC}, {"tCL", d->tCL}, {"tCWL", d->tCWL}, {"tBL", d->tBL},
        {"tCCD_S", d->tCCD_S}, {"tCCD_L", d->tCCD_L}, {"tRRD_S", d->tRRD_S},
        {"tRRD_L", d->tRRD_L}, {"tFAW", d->tFAW}, {"tWR", d->tWR}, {"tWTR_S", d->tWTR_S},
        {"tWTR_L", d->tWTR_L}, {"tRTP", d->tRTP}, {"tREFI", d->tREFI}, {"tRFC", d->tRFC},
        {"queue_depth", hw->dram.queue_depth},
    };
    for (size_t i = 0; i < ARRAY_LEN(dv); i++)
        hw_append(buf, size, n, "  %s: %u\n", dv[i].key, dv[i].v);
    hw_append(buf, size, n, "  mapping: %s\n  page_policy: %s\n  scheduler: %s\n  refresh: %s\n",
              map, hw->dram.page == DRAM_CLOSE_PAGE ? "close" : "open",
              hw->dram.sched == DRAM_FCFS ? "fcfs" : "frfcfs", hw->dram.refresh ? "on" : "off");
    /* The DRAMsim3-style options only when set, so that earlier files keep
     * their canonical text (and hash). */
    const dram_ctrl_cfg_t *k = &hw->dram;
    if (d->tRTRS || d->dual_cmd || d->t32AW)
        hw_append(buf, size, n, "  tRTRS: %u\n  dual_cmd: %u\n  t32AW: %u\n", d->tRTRS,
                  d->dual_cmd, d->t32AW);
    if (k->write_queue_depth)
        hw_append(buf, size, n,
                  "  write_queue_depth: %u\n  write_high: %u\n  write_low: %u\n  write_idle: %u\n",
                  k->write_queue_depth, k->write_high, k->write_low, k->write_idle);
    if (k->refresh_first)
        hw_append(buf, size, n, "  refresh_first: %u\n", k->refresh_first);
    if (k->bank_queue_depth || k->row_hit_cap || k->dual_issue)
        hw_append(buf, size, n, "  bank_queue_depth: %u\n  row_hit_cap: %u\n  dual_issue: %s\n",
                  k->bank_queue_depth, k->row_hit_cap, k->dual_issue ? "on" : "off");
}

/* ---- npu: cores, clock and each core's vector unit (models/npu.h) ------- */

static void npu_block_defaults(hw_cfg_t *hw)
{
    npu_defaults(&hw->npu);
}

static int npu_set(hw_cfg_t *hw, const char *key, const char *val, char *err, size_t errlen)
{
    return npu_cfg_set(&hw->npu, key, val, err, errlen);
}

static int npu_check(const hw_cfg_t *hw, char *err, size_t errlen)
{
    return npu_cfg_check(&hw->npu, err, errlen);
}

static void npu_write(const hw_cfg_t *hw, char *buf, size_t size, size_t *n)
{
    hw_append(buf, size, n,
              "npu:\n  cores: %u\n  freq_mhz: %u\n  vector_lanes: %u\n  vector_latency: %u\n"
              "  chunks: %u\n",
              hw->npu.cores, hw->npu.freq_mhz, hw->npu.vector.lanes, hw->npu.vector.latency,
              hw->npu.chunks);
}

/* The vector unit: lanes fp16 adders (our assumption, models/power.h). */
static int npu_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                    size_t errlen)
{
    if (power_add(out, "vector", (double)hw->npu.vector.lanes * t->a.fp16_add) != 0) {
        snprintf(err, errlen, "area: more than %d components", POWER_MAX_ITEMS);
        return -1;
    }
    return 0;
}

/* ---- link: the devices of a tensor-parallel group (models/link.h) ------- */

static int *link_flag(hw_cfg_t *hw) { return &hw->has_link; }

static void link_block_defaults(hw_cfg_t *hw)
{
    hw->has_link = 0;
    link_defaults(&hw->link);
}

static int link_set(hw_cfg_t *hw, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "enabled") == 0)
        return cfg_parse_bool(key, val, &hw->has_link, err, errlen);
    return link_cfg_set(&hw->link, key, val, err, errlen);
}

static int link_check(const hw_cfg_t *hw, char *err, size_t errlen)
{
    return link_cfg_check(&hw->link, err, errlen);
}

static void link_write(const hw_cfg_t *hw, char *buf, size_t size, size_t *n)
{
    hw_append(buf, size, n, "link:\n  devices: %u\n  gbytes_per_s: %.17g\n  latency_ns: %.17g\n",
              hw->link.devices, hw->link.gbytes_per_s, hw->link.latency_ns);
}

/* ---- gpu: the GPU baseline (models/gpu.h) -------------------------------- */

static int *gpu_flag(hw_cfg_t *hw) { return &hw->has_gpu; }

static void gpu_block_defaults(hw_cfg_t *hw)
{
    hw->has_gpu = 0;
    gpu_defaults(&hw->gpu);
}

static int gpu_set(hw_cfg_t *hw, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "enabled") == 0)
        return cfg_parse_bool(key, val, &hw->has_gpu, err, errlen);
    return gpu_cfg_set(&hw->gpu, key, val, err, errlen);
}

static int gpu_check(const hw_cfg_t *hw, char *err, size_t errlen)
{
    return gpu_cfg_check(&hw->gpu, err, errlen);
}

static void gpu_write(const hw_cfg_t *hw, char *buf, size_t size, size_t *n)
{
    hw_append(buf, size, n,
              "gpu:\n  peak_tflops: %.17g\n  hbm_gbytes_per_s: %.17g\n  gemm_eff: %.17g\n"
              "  gemv_eff: %.17g\n  kernel_overhead_us: %.17g\n  eager_kernels: %s\n",
              hw->gpu.peak_tflops, hw->gpu.hbm_gbytes_per_s, hw->gpu.gemm_eff, hw->gpu.gemv_eff,
              hw->gpu.kernel_overhead_us, gpu_eager_name(hw->gpu.eager_kernels));
}

/* ---- pim: processing units beside the DRAM banks (models/pim.h) --------- */

static int *pim_flag(hw_cfg_t *hw) { return &hw->has_pim; }

static void pim_block_defaults(hw_cfg_t *hw)
{
    hw->has_pim = 0;
    pim_defaults(&hw->pim);
}

static int pim_set(hw_cfg_t *hw, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "enabled") == 0)
        return cfg_parse_bool(key, val, &hw->has_pim, err, errlen);
    return pim_cfg_set(&hw->pim, key, val, err, errlen);
}

static int pim_check(const hw_cfg_t *hw, char *err, size_t errlen)
{
    return pim_cfg_check(&hw->pim, err, errlen);
}

static void pim_write(const hw_cfg_t *hw, char *buf, size_t size, size_t *n)
{
    hw_append(buf, size, n,
              "pim:\n  lanes: %u\n  precision: %s\n  grf_entries: %u\n  srf_entries: %u\n"
              "  acc_entries: %u\n  banks_per_unit: %u\n  reduce: %s\n",
              hw->pim.lanes, pim_prec_name(hw->pim.prec), hw->pim.grf_entries,
              hw->pim.srf_entries, hw->pim.acc_entries, hw->pim.banks_per_unit,
              hw->pim.reduce == PIM_REDUCE_TREE ? "tree" : "lanes");
}

/* Every unit of the DRAM device (energy and area do not depend on the mode). */
static int pim_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                    size_t errlen)
{
    pim_gemv_cfg_t pc;
    power_npu_pim_cfg(hw, PIM_BLOCKED, &pc);
    return power_pim_area(t, &pc, out, err, errlen);
}

/* ---- lut: the LUT tensor core beside each array (models/lut_tc.h) -------- */

static int *lut_flag(hw_cfg_t *hw) { return &hw->has_lut; }

static void lut_block_defaults(hw_cfg_t *hw)
{
    hw->has_lut = 0;
    lut_defaults(&hw->lut);
}

static int lut_set(hw_cfg_t *hw, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "enabled") == 0)
        return cfg_parse_bool(key, val, &hw->has_lut, err, errlen);
    return lut_cfg_set(&hw->lut, key, val, err, errlen);
}

static int lut_check(const hw_cfg_t *hw, char *err, size_t errlen)
{
    return lut_cfg_check(&hw->lut, err, errlen);
}

static void lut_write(const hw_cfg_t *hw, char *buf, size_t size, size_t *n)
{
    const lut_cfg_t *l = &hw->lut;
    hw_append(buf, size, n,
              "lut:\n  a_bits: %u\n  g: %u\n  sym_table: %s\n  fused: %s\n  tile_m: %u\n"
              "  tile_n: %u\n  tile_k: %u\n  table_entries: %u\n  scale_group: %u\n"
              "  act_buf_kib: %llu\n  w_buf_kib: %llu\n  out_buf_kib: %llu\n",
              l->a_bits, l->g, l->sym_table ? "true" : "false", l->fused ? "true" : "false",
              l->tm, l->tn, l->tk, l->table_entries, l->scale_group,
              (unsigned long long)(l->act_buf_bytes / 1024),
              (unsigned long long)(l->w_buf_bytes / 1024),
              (unsigned long long)(l->out_buf_bytes / 1024));
}

static int lut_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                    size_t errlen)
{
    return power_lut_area(t, &hw->lut, out, err, errlen);
}

/* Layers with low-bit weights (a w_bits) run on the LUT unit. */
static int lut_takes(const hw_cfg_t *hw, const hw_op_t *op)
{
    (void)hw;
    return op->w_bits != 0;
}

/* One low-bit layer on the LUT unit, reported in the array's terms so that
 * the table, the totals and the layers rows read the same for both units.
 * The mapping (lut_stats_t -> layer_stats_t):
 *   total/compute/stall_cycles  the same quantities (stall: waiting on DRAM)
 *   macs                        M*N*K, the multiply-adds the lookups replace
 *   folds                       tiles (one MOVE per tile.m x tile.n x tile.k)
 *   steps                       operand-delivery steps
 *   ifmap_reads                 activation elements read by the precompute
 *   filter_reads                packed weight words read (one g-bit word of
 *                               one bit-plane each, not weight elements)
 *   ofmap_reads / ofmap_writes  output read-modify-write reads / writes
 *   dram_read/write_bytes       the same quantities
 *   dram_ifmap/filter_bytes     activation (fused: table) and weight-plane
 *                               bytes read
 *   dram_first/last             the same quantities (activations, weights,
 *                               output write-backs)
 *   utilization                 lookups / (tile.m*tile.n lookup PEs x cycles)
 *   ifmap_writes, filter_writes 0: the unit counts its buffer fills as DRAM
 *                               bytes only
 * The energy is priced from the unit's own events (table reads, adds,
 * shifts: lut_stats_t), not from this mapping. */
static int lut_run_op(const hw_cfg_t *hw, const hw_op_t *op, engine_path_t path,
                      layer_stats_t *st, power_breakdown_t *energy, const tech_t *t, char *err,
                      size_t errlen)
{
    lut_cfg_t cfg = hw->lut;
    cfg.dma = hw->dma;   /* the unit shares its core's DRAM channel */
    cfg.w_bits = op->w_bits;
    cfg.wq = op->wq;
    cfg.zp = 1u << (op->w_bits - 1);   /* zp weights are two's-complement codes */
    const lut_gemm_t g = {op->m, op->n, op->k};
    lut_stats_t ls;
    if (lut_run(&cfg, &g, path == ENGINE_CYCLE ? LUT_CYCLE : LUT_FAST, NULL, NULL, NULL, &ls, err,
                errlen) != 0)
        return -1;
    memset(st, 0, sizeof *st);
    st->total_cycles = ls.total_cycles;
    st->compute_cycles = ls.compute_cycles;
    st->stall_cycles = ls.stall_cycles;
    st->macs = ls.macs;
    st->folds = ls.move_cycles;
    st->steps = ls.steps;
    st->ifmap_reads = ls.act_reads;
    st->filter_reads = ls.weight_reads;
    st->ofmap_reads = ls.out_acc_reads;
    st->ofmap_writes = ls.out_writes;
    st->dram_read_bytes = ls.dram_read_bytes;
    st->dram_write_bytes = ls.dram_write_bytes;
    st->dram_ifmap_bytes = ls.dram_act_bytes;
    st->dram_filter_bytes = ls.dram_w_bytes;
    st->dram_times = 1;
    for (int op = 0; op < 3; op++) {
        st->dram_first[op] = ls.dram_first[op];
        st->dram_last[op] = ls.dram_last[op];
    }
    st->utilization =
        (double)ls.table_reads / ((double)cfg.tm * cfg.tn * (double)ls.total_cycles);
    return energy ? power_lut_energy(t, &cfg, &ls, energy, err, errlen) : 0;
}

/* ---- addertree, cube, matrix2d: the tensor engines beside the array ------
 * (models/tensor_engine.h, priced and timed by models/te_cost.h).  Three
 * rows, one per kind, sharing these functions through the kind each row's
 * wrappers pass.  A present engine runs every full-width layer (the array
 * stays for what the engine cannot take: nothing, today; the LUT unit still
 * takes the low-bit ones). */

static void te_block_defaults(hw_cfg_t *hw, te_kind_t k)
{
    hw->has_te[k] = 0;
    te_defaults(k, &hw->te[k]);
}

static int te_block_set(hw_cfg_t *hw, te_kind_t k, const char *key, const char *val, char *err,
                        size_t errlen)
{
    if (strcmp(key, "enabled") == 0)
        return cfg_parse_bool(key, val, &hw->has_te[k], err, errlen);
    return te_cfg_set(&hw->te[k], key, val, err, errlen);
}

static void te_block_write(const hw_cfg_t *hw, te_kind_t k, char *buf, size_t size, size_t *n)
{
    const te_cfg_t *e = &hw->te[k];
    hw_append(buf, size, n,
              "%s:\n  rows: %u\n  cols: %u\n  depth: %u\n  in_bits: %u\n  w_bits: %u\n"
              "  acc_bits: %u\n  compressed: %s\n",
              te_kind_name(k), e->rows, e->cols, e->depth, e->in_bits, e->w_bits, e->acc_bits,
              e->compressed ? "true" : "false");
    /* Integer engines keep their canonical text (and config hashes). */
    if (numfmt_is_float(&e->in_fmt) || numfmt_is_float(&e->w_fmt)) {
        char a[16], b[16];
        numfmt_name(&e->in_fmt, a, sizeof a);
        numfmt_name(&e->w_fmt, b, sizeof b);
        hw_append(buf, size, n, "  in_format: %s\n  w_format: %s\n", a, b);
    }
}

static int te_block_takes(const hw_cfg_t *hw, const hw_op_t *op)
{
    (void)hw;
    return op->w_bits == 0;
}

static int te_block_run(const hw_cfg_t *hw, te_kind_t k, const hw_op_t *op, layer_stats_t *st,
                        power_breakdown_t *energy, const tech_t *t, char *err, size_t errlen)
{
    const te_gemm_t g = {op->m, op->n, op->k};
    return te_run_layer(hw, k, &g, st, energy, t, err, errlen);
}

#define TE_ROW_FUNCS(name, K)                                                                  \
    static int *name##_flag(hw_cfg_t *hw) { return &hw->has_te[K]; }                          \
    static void name##_defaults(hw_cfg_t *hw) { te_block_defaults(hw, K); }                   \
    static int name##_set(hw_cfg_t *hw, const char *key, const char *val, char *err,          \
                          size_t errlen)                                                       \
    {                                                                                          \
        return te_block_set(hw, K, key, val, err, errlen);                                     \
    }                                                                                          \
    static int name##_check(const hw_cfg_t *hw, char *err, size_t errlen)                      \
    {                                                                                          \
        return te_cfg_check(&hw->te[K], err, errlen) != 0 ? -1                                 \
                                                          : te_fold_check(hw, K, err, errlen); \
    }                                                                                          \
    static void name##_write(const hw_cfg_t *hw, char *buf, size_t size, size_t *n)            \
    {                                                                                          \
        te_block_write(hw, K, buf, size, n);                                                   \
    }                                                                                          \
    static int name##_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out,        \
                           char *err, size_t errlen)                                           \
    {                                                                                          \
        return te_area(t, &hw->te[K], out, err, errlen);                                       \
    }                                                                                          \
    static int name##_run(const hw_cfg_t *hw, const hw_op_t *op, engine_path_t path,           \
                          layer_stats_t *st, power_breakdown_t *energy, const tech_t *t,       \
                          char *err, size_t errlen)                                            \
    {                                                                                          \
        (void)path; /* one timing for both paths (te_cost.h) */                               \
        return te_block_run(hw, K, op, st, energy, t, err, errlen);                            \
    }

TE_ROW_FUNCS(addertree, TE_ADDERTREE)
TE_ROW_FUNCS(cube, TE_CUBE)
TE_ROW_FUNCS(matrix2d, TE_MATRIX2D)

#define TE_ROW(name, what)                                                                     \
    {#name, what, name##_flag, NULL, name##_defaults, name##_set, name##_check, name##_write, \
     name##_area, 1, te_block_takes, name##_run}

/* ---- the table ------------------------------------------------------------
 * Order matters three ways: canonical text (and so every config hash)
 * follows it; area components appear in it; and a layer runs on the LAST
 * present row that takes it: the most specialised unit (the LUT unit for
 * low-bit weights), else the array, which takes every op. */
const hw_block_t hw_blocks[] = {
    {"array", "systolic array of each core (R x C PEs, os/ws/is)", NULL, NULL, array_defaults,
     array_set, array_check, array_write, array_area, 1, array_takes, array_run},
    {"sram", "each core's ifmap/filter/ofmap scratchpads (priced with the array)", NULL, NULL,
     sram_defaults, NULL, sram_check, sram_write, NULL, 1, NULL, NULL},
    {"dram", "the DRAM channel the cores share, and the device behind it", NULL, "preset",
     dram_defaults, dram_set, dram_check, dram_write, NULL, 0, NULL, NULL},
    {"npu", "cores, clock and each core's vector unit", NULL, NULL, npu_block_defaults, npu_set,
     npu_check, npu_write, npu_area, 1, NULL, NULL},
    TE_ROW(addertree, "multiplier-adder-tree engine (C dot-product units of D inputs)"),
    TE_ROW(cube, "3D-cube engine (R x C PEs of D-input dot products)"),
    TE_ROW(matrix2d, "2D-matrix engine (R x C broadcast MAC PEs)"),
    {"pim", "processing units beside the DRAM banks (decode attention)", pim_flag, NULL,
     pim_block_defaults, pim_set, pim_check, pim_write, pim_area, 0, NULL, NULL},
    {"lut", "LUT tensor core beside each array (1-4 bit and ternary weights)", lut_flag, NULL,
     lut_block_defaults, lut_set, lut_check, lut_write, lut_area, 1, lut_takes, lut_run_op},
    {"link", "tensor-parallel devices and the link between them (all-reduce)", link_flag, NULL,
     link_block_defaults, link_set, link_check, link_write, NULL, 0, NULL, NULL},
    {"gpu", "a GPU as a measured roofline: the baseline of --mode gpu", gpu_flag, NULL,
     gpu_block_defaults, gpu_set, gpu_check, gpu_write, NULL, 0, NULL, NULL},
};
const size_t hw_nblocks = ARRAY_LEN(hw_blocks);

const hw_block_t *hw_block_find(const char *section)
{
    for (size_t i = 0; i < hw_nblocks; i++)
        if (strcmp(hw_blocks[i].section, section) == 0)
            return &hw_blocks[i];
    return NULL;
}

int hw_block_present(const hw_block_t *b, const hw_cfg_t *hw)
{
    return !b->present || *b->present((hw_cfg_t *)hw);
}

void hw_defaults(hw_cfg_t *hw)
{
    memset(hw, 0, sizeof *hw);
    snprintf(hw->name, sizeof hw->name, "default-32x32");
    for (size_t i = 0; i < hw_nblocks; i++)
        hw_blocks[i].defaults(hw);
    hw->lut.dma = hw->dma;
    hw->text = NULL;
}

int hw_blocks_check(const hw_cfg_t *hw, char *err, size_t errlen)
{
    for (size_t i = 0; i < hw_nblocks; i++) {
        const hw_block_t *b = &hw_blocks[i];
        char msg[256];
        if (!hw_block_present(b, hw) || !b->check || b->check(hw, msg, sizeof msg) == 0)
            continue;
        /* "field: reason" gets the section prefix unless it names a
         * section's field already (an engine's fold names sram.*) */
        int named = 0;
        for (size_t j = 0; j < hw_nblocks && !named; j++) {
            const size_t n = strlen(hw_blocks[j].section);
            named = strncmp(msg, hw_blocks[j].section, n) == 0 && msg[n] == '.';
        }
        if (named)
            snprintf(err, errlen, "%s", msg);
        else
            snprintf(err, errlen, "%s.%s", b->section, msg);
        return -1;
    }
    return 0;
}

size_t hw_blocks_write(const hw_cfg_t *hw, char *buf, size_t size)
{
    size_t n = strlen(buf);
    for (size_t i = 0; i < hw_nblocks; i++)
        if (hw_block_present(&hw_blocks[i], hw))
            hw_blocks[i].write(hw, buf, size, &n);
    return n;
}

int hw_blocks_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                   size_t errlen)
{
    const uint32_t cores = hw->npu.cores ? hw->npu.cores : 1;
    for (int per_core = 1; per_core >= 0; per_core--) {
        for (size_t i = 0; i < hw_nblocks; i++) {
            const hw_block_t *b = &hw_blocks[i];
            if (!b->area || b->per_core != per_core || !hw_block_present(b, hw))
                continue;
            power_breakdown_t one;
            power_init(&one);
            if (b->area(t, hw, &one, err, errlen) != 0)
                return -1;
            for (size_t j = 0; j < one.n; j++)
                if (power_add(out, one.item[j].name,
                              one.item[j].value * (per_core ? cores : 1)) != 0) {
                    snprintf(err, errlen, "area: more than %d components", POWER_MAX_ITEMS);
                    return -1;
                }
        }
    }
    return 0;
}

const hw_block_t *hw_block_for_op(const hw_cfg_t *hw, const hw_op_t *op)
{
    for (size_t i = hw_nblocks; i-- > 0;) {
        const hw_block_t *b = &hw_blocks[i];
        if (b->takes && b->run && hw_block_present(b, hw) && b->takes(hw, op))
            return b;
    }
    return &hw_blocks[0]; /* the array takes every op */
}
