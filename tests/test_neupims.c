/* test_neupims.c - what the NeuPIMs comparison (make neupims) rests on:
 * tensor parallelism (weights split per device, the ring all-reduce time on
 * the link against its closed form, TP = 1 as the single device), the GPU
 * baseline's roofline against each op's FLOPs and bytes counted here from
 * the model's shape, PIM time on the pim unit in every PIM mode, the
 * shipped machine files, and bad input. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/dram_check.h"
#include "../models/gpu.h"
#include "../models/link.h"
#include "../models/pim_gemv.h"
#include "../sim/cost/tech_file.h"
#include "../sim/io/config.h"
#include "../sim/io/workload.h"
#include "../sim/run/npu.h"
#include "../sim/run/run.h"
#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

typedef struct {
    hw_cfg_t hw;
    pim_gemv_cfg_t pim;
    mapper_model_t model;
} fx_t;

/* GPT-2 small (12 heads, 12 layers, hidden 768, FFN 3072) on four 32x32
 * cores with HBM2 PIM, fp16 everywhere. */
static void setup(fx_t *f)
{
    char err[256], path[512];
    memset(f, 0, sizeof *f);
    hw_defaults(&f->hw);
    f->hw.dma.bytes_per_cycle = 256;
    f->hw.array.in_bits = f->hw.array.w_bits = 16;
    f->hw.npu.cores = 4;
    f->hw.has_pim = 1;
    ck_assert_msg(dram_preset("HBM2", &f->pim.dram, err, sizeof err) == 0, "%s", err);
    f->pim.unit = (pim_cfg_t){16, PIM_FP16, 8, 8, 8, 2, PIM_REDUCE_LANES};
    snprintf(path, sizeof path, "%s/traces/models/gpt2.json", CODESIM_ROOT);
    ck_assert_msg(workload_model_load(path, &f->model, err, sizeof err) == 0, "%s", err);
}

static int try_run(fx_t *f, npu_mode_t mode, const mapper_run_t *r, npu_result_t *res, char *err,
                   size_t errlen)
{
    f->pim.mode = mode == NPU_PIM_NEUPIMS ? PIM_DUAL : PIM_BLOCKED;
    const npu_hw_t h = {&f->hw, f->hw.npu, mode, &f->pim};
    return npu_run(&h, &f->model, r, res, NULL, err, errlen);
}

static void run(fx_t *f, npu_mode_t mode, const mapper_run_t *r, npu_result_t *res)
{
    char err[256];
    ck_assert_msg(try_run(f, mode, r, res, err, sizeof err) == 0, "%s", err);
}

static const npu_op_stat_t *op(const npu_result_t *res, const char *name, mapper_phase_t ph)
{
    for (size_t i = 0; i < res->nops; i++)
        if (res->ops[i].phase == ph && strcmp(res->ops[i].name, name) == 0)
            return &res->ops[i];
    return NULL;
}

static const npu_unit_stat_t *unit(const npu_result_t *res, const char *name)
{
    for (size_t i = 0; i < res->nunits; i++)
        if (strcmp(res->units[i].name, name) == 0)
            return &res->units[i];
    return NULL;
}

/* One all-reduce of `bytes` on N devices, in whole cycles at 1 GHz, written
 * out step by step: reduce-scatter then all-gather, N - 1 steps each, every
 * step one latency plus bytes / N over the link. */
static uint64_t ring_cycles(uint32_t n, double gbps, double lat_ns, uint64_t bytes)
{
    double t = 0;
    for (int phase = 0; phase < 2; phase++)
        for (uint32_t s = 0; s + 1 < n; s++)
            t += lat_ns + (double)bytes / n / gbps;
    return (uint64_t)ceil(t - 1e-9);
}

START_TEST(allreduce_time_follows_the_ring_formula)
{
    /* Two all-reduces per layer per step, of T x hidden fp16 values: in
     * decode T = batch.  Latency and bandwidth varied one at a time. */
    const mapper_run_t r = {8, 32, 2, 16, 16, 16};
    const uint64_t bytes = r.batch * 768 * 2, count = 2 * 12;
    const struct { double gbps, lat; } pts[] = {{300, 1000}, {300, 2000}, {300, 4000},
                                                {600, 1000}, {50, 1000}, {300, 0}};
    uint64_t got[6];
    for (size_t i = 0; i < 6; i++) {
        fx_t f;
        setup(&f);
        f.hw.has_link = 1;
        f.hw.link = (link_cfg_t){4, pts[i].gbps, pts[i].lat};
        npu_result_t res;
        run(&f, NPU_PIM_BLOCKED, &r, &res);
        const npu_op_stat_t *ar = op(&res, "allreduce", MAPPER_DECODE);
        ck_assert_ptr_nonnull(ar);
        ck_assert_int_eq(ar->unit, MAPPER_UNIT_LINK);
        got[i] = ar->cycles;
        ck_assert_uint_eq(got[i], count * ring_cycles(4, pts[i].gbps, pts[i].lat, bytes));
        ck_assert_uint_eq(unit(&res, "link")->busy,
                          ar->cycles + op(&res, "allreduce", MAPPER_PREFILL)->cycles);
        npu_result_free(&res);
    }
    /* Latency: +1 us per step adds 2 (N - 1) us per all-reduce. */
    ck_assert_uint_eq(got[1] - got[0], count * 2 * 3 * 1000);
    ck_assert_uint_eq(got[2] - got[1], count * 2 * 3 * 2000);
    /* Bandwidth: the transfer part scales as 1 / bandwidth. */
    ck_assert_uint_lt(got[3], got[0]);
    ck_assert_uint_gt(got[4], got[0]);
    const double xfer300 = (double)got[5]; /* latency 0: the transfer part alone */
    ck_assert(fabs((double)(got[4] - count * 6000) - 6.0 * xfer300) <= 7.0 * count); /* ceil per all-reduce */
}
END_TEST

START_TEST(tp1_is_the_single_device)
{
    /* link.devices 1 with any link is exactly the machine without one. */
    const mapper_run_t r = {8, 32, 3, 16, 16, 16};
    for (npu_mode_t mode = NPU_ONLY; mode <= NPU_PIM_NEUPIMS; mode++) {
        fx_t a, b;
        setup(&a);
        setup(&b);
        b.hw.has_link = 1;
        b.hw.link = (link_cfg_t){1, 7, 12345};
        npu_result_t ra, rb;
        run(&a, mode, &r, &ra);
        run(&b, mode, &r, &rb);
        ck_assert_uint_eq(ra.total_cycles, rb.total_cycles);
        ck_assert_uint_eq(ra.macs, rb.macs);
        ck_assert_uint_eq(ra.dram_bytes, rb.dram_bytes);
        ck_assert_uint_eq(ra.nunits, rb.nunits);
        for (size_t u = 0; u < ra.nunits; u++)
            ck_assert_uint_eq(ra.units[u].busy, rb.units[u].busy);
        ck_assert_ptr_null(op(&rb, "allreduce", MAPPER_DECODE));
        ck_assert_ptr_null(unit(&rb, "link"));
        npu_result_free(&ra);
        npu_result_free(&rb);
    }
}
END_TEST

START_TEST(tp_splits_every_weight_per_device)
{
    /* With N devices each weight GEMM does 1/N of the MACs (heads, FFN and
     * vocabulary split) and the step gets faster. */
    const mapper_run_t r = {8, 32, 2, 16, 16, 16};
    fx_t f1, f4;
    setup(&f1);
    setup(&f4);
    f4.hw.has_link = 1;
    f4.hw.link = (link_cfg_t){4, 1e6, 0};
    npu_result_t r1, r4;
    run(&f1, NPU_ONLY, &r, &r1);
    run(&f4, NPU_ONLY, &r, &r4);
    static const char *const names[] = {"qkv", "qk", "sv", "o_proj", "fc1", "fc2"};
    for (size_t i = 0; i < 6; i++) {
        const uint64_t m1 = op(&r1, names[i], MAPPER_DECODE)->macs;
        ck_assert_uint_eq(op(&r4, names[i], MAPPER_DECODE)->macs * 4, m1);
    }
    /* LM head: vocabulary 50257 over 4 devices -> 12565 columns */
    ck_assert_uint_eq(op(&r4, "lm_head", MAPPER_DECODE)->macs, 8ull * 12565 * 768);
    ck_assert_uint_lt(r4.decode_cycles, r1.decode_cycles);
    /* heads 12 are not divisible by 5 devices */
    fx_t f5;
    setup(&f5);
    f5.hw.has_link = 1;
    f5.hw.link.devices = 5;
    npu_result_t r5;
    char err[256];
    ck_assert_int_ne(try_run(&f5, NPU_ONLY, &r, &r5, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "link.devices: 5 does not divide") != NULL, "%s", err);
    npu_result_free(&r1);
    npu_result_free(&r4);
}
END_TEST

START_TEST(pim_time_is_on_pim_in_every_pim_mode)
{
    /* The PIM kernels' time shows on the pim unit (pim-blocked used to book
     * it on dram), and dram keeps only the DMA loads. */
    const mapper_run_t r = {8, 64, 3, 16, 16, 16};
    for (npu_mode_t mode = NPU_PIM_BLOCKED; mode <= NPU_PIM_NEUPIMS; mode++) {
        fx_t f;
        setup(&f);
        npu_result_t res;
        run(&f, mode, &r, &res);
        uint64_t pim = 0;
        for (size_t i = 0; i < res.nops; i++)
            if (res.ops[i].unit == MAPPER_UNIT_PIM)
                pim += res.ops[i].cycles;
        ck_assert_uint_gt(pim, 0);
        ck_assert_uint_eq(unit(&res, "pim")->busy, pim);
        /* dram busy = the DMA loads: at least bytes / bytes_per_cycle */
        const uint64_t dma = unit(&res, "dram")->busy;
        ck_assert_uint_ge(dma, res.dram_bytes / f.hw.dma.bytes_per_cycle);
        ck_assert_uint_le(dma, res.dram_bytes / f.hw.dma.bytes_per_cycle + res.commands);
        npu_result_free(&res);
    }
}
END_TEST

/* One decode step's busy cycles of a unit: gen 3 minus gen 2. */
static uint64_t step_busy(const npu_result_t *r3, const npu_result_t *r2, const char *name)
{
    return unit(r3, name)->busy - unit(r2, name)->busy;
}

START_TEST(neupims_overlaps_one_sub_batchs_attention_with_the_others_gemms)
{
    /* Sub-batch interleaving: while PIM runs sub-batch A's attention, the
     * cores run sub-batch B's GEMMs.  Over one decode step (gen 3 minus gen
     * 2), the step must be shorter than PIM time plus array time minus a
     * quarter of the smaller of the two: at least a quarter of it overlapped
     * (measured: 2.92M cycles against 1.35M + 2.13M; the cores also wait for
     * their DMA loads).  Emitting each sub-batch's whole block in turn gave
     * 3.93M: no overlap at all. */
    const mapper_run_t r2 = {64, 256, 2, 16, 16, 16}, r3 = {64, 256, 3, 16, 16, 16};
    fx_t f;
    setup(&f);
    npu_result_t a2, a3;
    run(&f, NPU_PIM_NEUPIMS, &r2, &a2);
    run(&f, NPU_PIM_NEUPIMS, &r3, &a3);
    const uint64_t span = a3.decode_cycles - a2.decode_cycles;
    const uint64_t pim = step_busy(&a3, &a2, "pim"), mx = step_busy(&a3, &a2, "core0.matrix");
    const uint64_t small = pim < mx ? pim : mx;
    ck_assert_uint_gt(small, span / 10); /* both matter in this step */
    ck_assert_msg(span + small / 4 < pim + mx, "step %" PRIu64 ", pim %" PRIu64 ", matrix %" PRIu64,
                  span, pim, mx);
    npu_result_free(&a2);
    npu_result_free(&a3);
}
END_TEST

START_TEST(gpu_ops_follow_the_roofline)
{
    /* Each op's GPU time from FLOPs and bytes counted here from the shape:
     * decode qk reads K (batch x heads x keys x head_dim) and q, writes the
     * scores: memory-bound; prefill fc1 (T x 3072 x 768 plus bias) is
     * compute-bound.  A100 numbers of configs/a100.yaml. */
    fx_t f;
    setup(&f);
    f.hw.has_gpu = 1;
    f.hw.gpu = (gpu_cfg_t){312, 2039, 0.869, 0.88, 0, GPU_EAGER_OPS};
    const uint64_t B = 16, P = 256, L = 12;
    const mapper_run_t r = {B, P, 2, 16, 16, 16};
    npu_result_t res;
    run(&f, NPU_GPU, &r, &res);
    const uint64_t keys = P + 1, hd = 64, H = 12;
    const double qk_bytes = 2.0 * (B * H * keys * hd + B * H * hd + B * H * keys);
    const double qk_ns = qk_bytes / (2039 * 0.88);
    const npu_op_stat_t *qk = op(&res, "qk", MAPPER_DECODE);
    ck_assert_int_eq(qk->unit, MAPPER_UNIT_GPU);
    ck_assert(fabs((double)qk->cycles - L * qk_ns) <= L);
    const double fc1_flops = 2.0 * B * P * 3072 * 768 + (double)B * P * 3072;
    const double fc1_ns = fc1_flops / (312e3 * 0.869);
    const npu_op_stat_t *fc1 = op(&res, "fc1", MAPPER_PREFILL);
    ck_assert_msg(fabs((double)fc1->cycles - L * fc1_ns) <= L, "fc1 %" PRIu64 " vs %g",
                  fc1->cycles, L * fc1_ns);
    ck_assert_uint_eq(unit(&res, "gpu")->busy, res.total_cycles); /* one kernel at a time */
    npu_result_free(&res);
    /* gpu without a gpu: section is refused */
    f.hw.has_gpu = 0;
    char err[256];
    ck_assert_int_ne(try_run(&f, NPU_GPU, &r, &res, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "gpu") != NULL, "%s", err);
}
END_TEST

/* Every command of a PIM run, replayed through the independent timing
 * checker (models/dram_check.h), one per row-buffer side; refreshes counted. */
typedef struct {
    dram_check_t *k[2];
    uint64_t last[2], refs;
} replay_t;

static void replay_cmd(void *ctx, int host_side, const dram_cmd_t *c)
{
    replay_t *x = ctx;
    dram_check_cmd(x->k[host_side], c);
    x->last[host_side] = c->cycle > x->last[host_side] ? c->cycle : x->last[host_side];
    x->refs += c->kind == DRAM_REF;
}

START_TEST(pim_gemv_finishes_when_refresh_comes_after_its_last_op)
{
    /* codesim pimgemv --m 64 (32 x 64 x 128 fp16 on HBM2, 200 host requests
     * per channel every 40 cycles, 30% writes) stalled at cycle 7960 in
     * dual mode: the PIM stream had issued its last op with a row still
     * open when the refresh at tREFI fell due; the refresh waits for the
     * PIM side to close and only a running stream closed its row, so
     * neither the refresh nor the waiting host requests could go.  Both
     * modes must finish, serve every request and refresh. */
    for (int mode = PIM_BLOCKED; mode <= PIM_DUAL; mode++) {
        pim_gemv_cfg_t cfg = {0};
        char err[256];
        ck_assert_int_eq(dram_preset("HBM2", &cfg.dram, err, sizeof err), 0);
        cfg.unit = (pim_cfg_t){16, PIM_FP16, 8, 8, 8, 2, PIM_REDUCE_LANES};
        cfg.mode = (pim_mode_t)mode;
        cfg.host = (pim_host_t){200, 40, 30, 1};
        const pim_gemv_t g = {32, 64, 128};
        pim_gemv_stats_t st;
        replay_t x = {{dram_check_new(&cfg.dram, 1), dram_check_new(&cfg.dram, 1)}, {0, 0}, 0};
        ck_assert(x.k[0] && x.k[1]);
        const pim_gemv_hook_t hook = {replay_cmd, &x};
        ck_assert_msg(pim_gemv_time(&cfg, &g, &st, &hook, err, sizeof err) == 0, "mode %d: %s",
                      mode, err);
        ck_assert_uint_eq(st.host_rd + st.host_wr, 200ull * dram_units(&cfg.dram));
        ck_assert_uint_gt(st.host_done, cfg.dram.tREFI); /* the run crossed a refresh */
        ck_assert_uint_gt(x.refs, 0);
        for (int i = 0; i < 2; i++) {
            dram_check_finish(x.k[i], x.last[i] + 1);
            ck_assert_msg(dram_check_total(x.k[i]) == 0, "mode %d side %d: timing violations",
                          mode, i);
            dram_check_free(x.k[i]);
        }
    }
}
END_TEST

START_TEST(shipped_machines_load_with_their_papers_numbers)
{
    char err[256], path[512];
    hw_cfg_t hw;
    snprintf(path, sizeof path, "%s/configs/neupims.yaml", CODESIM_ROOT);
    ck_assert_msg(hw_load(path, &hw, err, sizeof err) == 0, "%s", err);
    /* NeuPIMs repo: 8 x 128x128 WS at 1 GHz, 32 channels x 32 banks,
     * 1 KiB pages, 16 multipliers per bank, TP 4 */
    ck_assert_uint_eq(hw.npu.cores, 8);
    ck_assert_uint_eq(hw.array.rows, 128);
    ck_assert_int_eq(hw.array.dataflow, SYSTOLIC_WS);
    ck_assert_uint_eq(hw.dram.dev.channels * hw.dram.dev.pseudo_channels, 32);
    ck_assert_uint_eq(hw.dram.dev.bank_groups * hw.dram.dev.banks_per_group, 32);
    ck_assert_uint_eq(hw.dram.dev.columns * hw.dram.dev.bus_bits / 8, 1024);
    ck_assert_uint_eq(hw.pim.lanes, 16);
    ck_assert(hw.has_link);
    ck_assert_uint_eq(hw.link.devices, 4);
    /* 32 channels x 32 B per cycle = the DMA's 1024 B/cycle */
    ck_assert_uint_eq(hw.dma.bytes_per_cycle, hw.dram.dev.channels * hw.dram.dev.bus_bits / 8 *
                                                  hw.dram.dev.burst_length / hw.dram.dev.tBL);
    hw_free(&hw);
    snprintf(path, sizeof path, "%s/configs/a100.yaml", CODESIM_ROOT);
    ck_assert_msg(hw_load(path, &hw, err, sizeof err) == 0, "%s", err);
    ck_assert(hw.has_gpu);
    ck_assert(hw.gpu.peak_tflops == 312 && hw.gpu.hbm_gbytes_per_s == 2039);
    hw_free(&hw);
}
END_TEST

/* --mode gpu has no area or energy model: the result carries none (not the
 * NPU blocks of the same file, which did not run), while npu mode on the
 * same machine file prices its blocks; both report the same MACs. */
START_TEST(gpu_mode_reports_no_npu_area_or_energy)
{
    char err[512], path[512];
    hw_cfg_t hw;
    tech_t tech;
    mapper_model_t m;
    snprintf(path, sizeof path, "%s/configs/a100_1gpu.yaml", CODESIM_ROOT);
    ck_assert_msg(hw_load(path, &hw, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/traces/models/gpt2.json", CODESIM_ROOT);
    ck_assert_msg(workload_model_load(path, &m, err, sizeof err) == 0, "%s", err);
    tech_path("45nm", path, sizeof path);
    ck_assert_msg(tech_load(path, &tech, err, sizeof err) == 0, "%s", err);
    sim_result_t g, n;
    sim_workload_t w = {SIM_MODEL, NULL, &m, {1, 8, 2, 0, 16, 16}, ENGINE_FAST, "gpu", NULL};
    ck_assert_msg(sim_run(&hw, &tech, &w, &g, err, sizeof err) == 0, "%s", err);
    w.mode = "npu";
    ck_assert_msg(sim_run(&hw, &tech, &w, &n, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(g.area.n, 0);
    ck_assert_uint_eq(g.energy.n, 0);
    ck_assert(g.area.total == 0 && g.energy.total == 0);
    ck_assert_uint_gt(n.area.n, 0);
    ck_assert(n.area.total > 0 && n.energy.total > 0);
    ck_assert_uint_eq(g.macs, n.macs);
    ck_assert(g.metrics.tops > 0);
    sim_result_free(&g);
    sim_result_free(&n);
    hw_free(&hw);
}
END_TEST

Suite *neupims_suite(void)
{
    Suite *s = suite_create("neupims");
    TCase *tc = tcase_create("neupims");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, allreduce_time_follows_the_ring_formula);
    tcase_add_test(tc, tp1_is_the_single_device);
    tcase_add_test(tc, tp_splits_every_weight_per_device);
    tcase_add_test(tc, pim_time_is_on_pim_in_every_pim_mode);
    tcase_add_test(tc, neupims_overlaps_one_sub_batchs_attention_with_the_others_gemms);
    tcase_add_test(tc, gpu_ops_follow_the_roofline);
    tcase_add_test(tc, pim_gemv_finishes_when_refresh_comes_after_its_last_op);
    tcase_add_test(tc, shipped_machines_load_with_their_papers_numbers);
    tcase_add_test(tc, gpu_mode_reports_no_npu_area_or_energy);
    suite_add_tcase(s, tc);
    return s;
}
