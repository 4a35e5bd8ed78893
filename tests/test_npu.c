/* test_npu.c - end-to-end LLM inference on the NPU: MACs executed against
 * the mapper's FLOP count, the NeuPIMs ordering of the three modes, the
 * LUT lowering against 8-bit weights on the arrays, PIM placement left to
 * the run mode, the timeline as Chrome trace JSON, and bad input. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/tech.h"
#include "../sim/run/npu.h"
#include "tests.h"
#include "../sim/io/workload.h"
#include "../sim/cost/tech_file.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

typedef struct {
    hw_cfg_t hw;
    pim_gemv_cfg_t pim;
    mapper_model_t model;
} fixture_t;

/* Four 32x32 cores at 1 GHz on 256 B/cycle of DRAM bandwidth; HBM2 with
 * HBM-PIM-style units (16 fp16 lanes per bank pair). */
static void setup_fixture(fixture_t *f, const char *model)
{
    char err[256], path[512];
    memset(f, 0, sizeof *f);
    hw_defaults(&f->hw);
    f->hw.dma.bytes_per_cycle = 256;
    ck_assert_msg(dram_preset("HBM2", &f->pim.dram, err, sizeof err) == 0, "%s", err);
    f->pim.unit = (pim_cfg_t){16, PIM_FP16, 8, 8, 8, 2, PIM_REDUCE_LANES};
    snprintf(path, sizeof path, "%s/traces/models/%s", CODESIM_ROOT, model);
    ck_assert_msg(workload_model_load(path, &f->model, err, sizeof err) == 0, "%s", err);
}

static void run(fixture_t *f, npu_mode_t mode, const mapper_run_t *r, npu_result_t *res,
                FILE *timeline)
{
    char err[256];
    f->pim.mode = mode == NPU_PIM_NEUPIMS ? PIM_DUAL : PIM_BLOCKED;
    const npu_hw_t h = {&f->hw, {4, 1000, {64, 8}, 4}, mode, &f->pim};
    ck_assert_msg(npu_run(&h, &f->model, r, res, timeline, err, sizeof err) == 0, "%s", err);
}

/* Runs every mode and checks 2 x MACs executed + bias adds = the mapper's
 * GEMM/GEMV FLOPs; bias adds counted here from the op list: M x N per
 * instance of each weight GEMM of the decoder blocks when the model has
 * biases (GPT-2's LM head, tied to the embedding, has none). */
static void check_flops(const char *model, const mapper_run_t *r, int lut)
{
    fixture_t f;
    setup_fixture(&f, model);
    f.hw.has_lut = lut;
    f.hw.lut.dma = f.hw.dma;
    char err[256];
    mapper_ops_t ops = {0};
    ck_assert_int_eq(mapper_ops_build(&f.model, r, &ops, err, sizeof err), 0);
    uint64_t bias = 0;
    for (size_t i = 0; i < ops.count; i++) {
        const mapper_op_t *op = &ops.ops[i];
        if (op->kind != MAPPER_VECTOR && op->b_weight && op->repeat > 1 && f.model.bias)
            bias += op->m * op->n * op->count * op->repeat;
    }
    mapper_ops_free(&ops);
    for (int mode = 0; mode < 3; mode++) {
        npu_result_t res;
        run(&f, (npu_mode_t)mode, r, &res, NULL);
        ck_assert_uint_gt(res.macs, 0);
        ck_assert_uint_eq(2 * res.macs + bias, res.mapper_flops);
        ck_assert_uint_eq(res.decode_steps, r->gen - 1);
        ck_assert_uint_eq(res.total_cycles, res.prefill_cycles + res.decode_cycles);
        uint64_t op_macs = 0;
        for (size_t i = 0; i < res.nops; i++)
            op_macs += res.ops[i].macs;
        ck_assert_uint_eq(op_macs, res.macs);
        for (size_t i = 0; i < res.nops; i++) /* weight GEMMs ran on the LUT, if any */
            if (!strcmp(res.ops[i].name, "gate_up"))
                ck_assert_int_eq(res.ops[i].unit, lut ? MAPPER_UNIT_LUT : MAPPER_UNIT_SYSTOLIC);
        npu_result_free(&res);
    }
}

START_TEST(macs_executed_equal_the_mappers_flops)
{
    const mapper_run_t r = {4, 64, 3, 8, 8, 8};
    check_flops("llama-2-7b.json", &r, 0); /* no biases: FLOPs = 2 x MACs */
    check_flops("gpt2.json", &r, 0);       /* biases on every linear layer */
    /* BitNet b1.58, ternary weights, on the cores' LUT tensor cores */
    const mapper_run_t rb = {4, 64, 3, 2, 8, 8};
    check_flops("bitnet-b1.58-2b-4t.json", &rb, 1);
}
END_TEST

START_TEST(neupims_beats_blocked_beats_npu_only_in_decode)
{
    /* NeuPIMs' claim on batched decode: sub-batch interleaving > naive
     * NPU+PIM > NPU only.  Llama-2-7B, batch 64, 512-token context: one
     * decode step after prefill. */
    fixture_t f;
    setup_fixture(&f, "llama-2-7b.json");
    const mapper_run_t r = {64, 512, 2, 8, 8, 8};
    npu_result_t res[3];
    for (int mode = 0; mode < 3; mode++)
        run(&f, (npu_mode_t)mode, &r, &res[mode], NULL);
    ck_assert_msg(res[NPU_PIM_NEUPIMS].tpot_s < res[NPU_PIM_BLOCKED].tpot_s &&
                      res[NPU_PIM_BLOCKED].tpot_s < res[NPU_ONLY].tpot_s,
                  "TPOT npu %g, blocked %g, neupims %g", res[0].tpot_s, res[1].tpot_s, res[2].tpot_s);
    /* Prefill is the NPU's in every mode. */
    ck_assert_uint_eq(res[0].prefill_cycles, res[1].prefill_cycles);
    ck_assert_uint_eq(res[0].prefill_cycles, res[2].prefill_cycles);
    for (int mode = 0; mode < 3; mode++)
        npu_result_free(&res[mode]);
}
END_TEST

/* BitNet b1.58 2B4T decode, batch 1, 256-token context: with ternary
 * weights on the cores' LUT tensor cores each lookup PE replaces g = 4 MACs
 * per bit-plane and a GEMV uses all 128 columns of its tile, where the
 * 32x32 output-stationary array uses one row of PEs for M = 1 (and the
 * weights stream at 2 bits instead of 8), so a decode step is faster than
 * the same model with 8-bit weights on the arrays.  The direction is
 * asserted; the ratio is the report's. */
START_TEST(lut_decode_beats_8bit_weights_on_the_arrays)
{
    fixture_t f;
    setup_fixture(&f, "bitnet-b1.58-2b-4t.json");
    const mapper_run_t r8 = {1, 256, 2, 8, 8, 8}, r2 = {1, 256, 2, 2, 8, 8};
    npu_result_t sys, lut;
    run(&f, NPU_ONLY, &r8, &sys, NULL);
    f.hw.has_lut = 1;
    f.hw.lut.dma = f.hw.dma;
    run(&f, NPU_ONLY, &r2, &lut, NULL);
    ck_assert_msg(lut.tpot_s < sys.tpot_s, "TPOT lut %g s, 8-bit array %g s", lut.tpot_s,
                  sys.tpot_s);
    /* the same work: only the weight width and the unit differ */
    ck_assert_uint_eq(lut.macs, sys.macs);
    /* the cores' matrix units were busy for the LUT's compute cycles: decode
     * gate_up (1 x 13824 x 2560, ternary) split over the 4 cores by columns,
     * 1 x 3456 x 2560 each, in each of the 30 layers, from the closed form
     * here (one run per core: 3456 int32 outputs fit the 256 KiB buffer) */
    lut_cfg_t cfg = f.hw.lut;
    cfg.w_bits = 2;
    cfg.wq = LUT_WQ_TERNARY;
    const lut_gemm_t g = {1, 13824 / 4, 2560};
    lut_stats_t st;
    lut_count(&cfg, &g, &st);
    int seen = 0;
    for (size_t i = 0; i < lut.nops; i++) {
        if (!strcmp(lut.ops[i].name, "gate_up") && lut.ops[i].phase == MAPPER_DECODE) {
            ck_assert_int_eq(lut.ops[i].unit, MAPPER_UNIT_LUT);
            ck_assert_uint_eq(lut.ops[i].cycles, 30 * 4 * st.compute_cycles);
            seen = 1;
        }
    }
    ck_assert(seen);
    npu_result_free(&sys);
    npu_result_free(&lut);
}
END_TEST

/* PIM placement is the run mode's: with a pim: section in the hardware
 * config, NPU-only still runs decode attention on the arrays and the PIM
 * modes run it on PIM exactly as without the section. */
START_TEST(pim_section_leaves_placement_to_the_mode)
{
    fixture_t f;
    setup_fixture(&f, "llama-2-7b.json");
    const mapper_run_t r = {4, 64, 3, 8, 8, 8};
    for (int mode = 0; mode < 3; mode++) {
        npu_result_t a, b;
        f.hw.has_pim = 0;
        run(&f, (npu_mode_t)mode, &r, &a, NULL);
        f.hw.has_pim = 1;
        run(&f, (npu_mode_t)mode, &r, &b, NULL);
        ck_assert_uint_eq(a.total_cycles, b.total_cycles);
        ck_assert_uint_eq(a.dram_bytes, b.dram_bytes);
        ck_assert_uint_eq(a.nops, b.nops);
        for (size_t i = 0; i < b.nops; i++)
            if (!strcmp(b.ops[i].name, "qk") && b.ops[i].phase == MAPPER_DECODE)
                ck_assert_int_eq(b.ops[i].unit, mode == NPU_ONLY ? MAPPER_UNIT_SYSTOLIC
                                                                 : MAPPER_UNIT_PIM);
        npu_result_free(&a);
        npu_result_free(&b);
    }
}
END_TEST

START_TEST(timeline_has_every_command_of_prefill_and_first_decode_step)
{
    fixture_t f;
    setup_fixture(&f, "gpt2.json");
    const mapper_run_t r = {2, 16, 2, 8, 8, 8};
    char *buf = NULL;
    size_t len = 0;
    FILE *tl = open_memstream(&buf, &len);
    npu_result_t res;
    run(&f, NPU_PIM_NEUPIMS, &r, &res, tl);
    fclose(tl);
    json_error_t je;
    json_t *root = json_loads(buf, 0, &je);
    ck_assert_msg(root != NULL, "timeline is not JSON: %s", je.text);
    json_t *ev = json_object_get(root, "traceEvents");
    /* One box per command (args.cmd), and one per step on the steps track:
     * the prefill, then decode step 1 where it ends (one time axis). */
    size_t complete = 0, steps = 0;
    double step_end = 0;
    for (size_t i = 0; i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        if (strcmp(json_string_value(json_object_get(e, "ph")), "X") != 0)
            continue;
        ck_assert(json_real_value(json_object_get(e, "dur")) >= 0);
        if (json_object_get(json_object_get(e, "args"), "cmd")) {
            complete++;
            continue;
        }
        const char *want = steps ? "decode step 1" : "prefill";
        ck_assert_str_eq(json_string_value(json_object_get(e, "name")), want);
        ck_assert(fabs(json_real_value(json_object_get(e, "ts")) - step_end) < 1e-3);
        step_end += json_real_value(json_object_get(e, "dur"));
        steps++;
    }
    ck_assert_uint_eq(complete, res.commands); /* gen = 2: prefill + one decode step */
    ck_assert_uint_eq(steps, 2);
    json_decref(root);
    free(buf);
    npu_result_free(&res);
}
END_TEST

START_TEST(bad_npu_input_is_refused)
{
    fixture_t f;
    setup_fixture(&f, "gpt2.json");
    const mapper_run_t r = {2, 16, 2, 8, 8, 8};
    npu_result_t res;
    char err[256];
    npu_hw_t h = {&f.hw, {0, 1000, {64, 8}, 4}, NPU_ONLY, NULL};
    ck_assert_int_eq(npu_run(&h, &f.model, &r, &res, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cores"));
    h.npu.cores = 2;
    h.mode = NPU_PIM_NEUPIMS;
    ck_assert_int_eq(npu_run(&h, &f.model, &r, &res, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "pim"));
    npu_mode_t m;
    ck_assert_int_eq(npu_mode_parse("turbo", &m), -1);
    ck_assert_int_eq(npu_mode_parse("neupims", &m), 0);
    ck_assert_int_eq(m, NPU_PIM_NEUPIMS);
}
END_TEST

/* The energy of an LLM run (models/power.h, power_npu_energy) from its
 * events: the components add up to the total; with PIM off and 8-bit
 * weights every MAC runs on the arrays and array.mac = MACs x (int8_mul +
 * int32_add) read here from the 45 nm table (8x8 products into 32-bit
 * accumulators), dram = DMA bytes x 8 x dram_bit; with PIM the PIM MACs
 * are the kernels' lane MACs x pim_mac; with the LUT every MAC is on the
 * arrays or the LUT units. */
static void check_sum(const power_breakdown_t *e)
{
    double sum = 0;
    for (size_t i = 0; i < e->n; i++) {
        ck_assert_msg(e->item[i].value >= 0, "%s %g", e->item[i].name, e->item[i].value);
        sum += e->item[i].value;
    }
    ck_assert_msg(e->total > 0 && fabs(sum - e->total) <= 1e-12 * e->total, "sum %.17g total %.17g",
                  sum, e->total);
}

START_TEST(llm_energy_is_the_sum_of_its_priced_events)
{
    char err[256], path[512];
    tech_t t;
    tech_path("45nm", path, sizeof path);
    ck_assert_msg(tech_load(path, &t, err, sizeof err) == 0, "%s", err);
    fixture_t f;
    setup_fixture(&f, "llama-2-7b.json");
    ck_assert_uint_eq(f.hw.array.in_bits, 8);
    ck_assert_uint_eq(f.hw.array.w_bits, 8);
    ck_assert_uint_eq(f.hw.array.acc_bits, 32);
    const mapper_run_t r = {4, 64, 3, 8, 8, 8};
    npu_result_t res;
    run(&f, NPU_ONLY, &r, &res, NULL);
    ck_assert_uint_eq(res.events.array_macs, res.macs);
    ck_assert_uint_eq(res.events.lut_macs, 0);
    ck_assert_uint_eq(res.events.pim_kernels, 0);
    ck_assert_uint_eq(res.events.dram_bytes, res.dram_bytes);
    ck_assert_uint_gt(res.events.vector_elem_passes, 0);
    /* every MAC reads an ifmap and a filter element at least once per tile */
    ck_assert_uint_gt(res.events.ifmap_reads, 0);
    ck_assert_uint_gt(res.events.filter_reads, 0);
    ck_assert_uint_gt(res.events.ofmap_writes, 0);
    power_breakdown_t e;
    power_init(&e);
    ck_assert_msg(power_npu_energy(&t, &f.hw, &res.events, &e, err, sizeof err) == 0, "%s", err);
    check_sum(&e);
    const double mac = (double)res.macs * (t.e.int8_mul + t.e.int32_add);
    ck_assert_msg(fabs(power_get(&e, "array.mac") - mac) <= 1e-9 * mac, "array.mac %g, want %g",
                  power_get(&e, "array.mac"), mac);
    const double dram = (double)res.dram_bytes * 8 * t.e.dram_bit;
    ck_assert_msg(fabs(power_get(&e, "dram") - dram) <= 1e-9 * dram, "dram %g, want %g",
                  power_get(&e, "dram"), dram);
    ck_assert_double_eq(power_get(&e, "pim.mac"), 0);
    /* vector: one fp16 add per element pass (power.h's assumption) */
    ck_assert_double_eq_tol(power_get(&e, "vector"),
                            (double)res.events.vector_elem_passes * t.e.fp16_add,
                            1e-9 * power_get(&e, "vector"));
    npu_result_free(&res);

    /* PIM: every decode qk and sv of every layer and step is one kernel. */
    f.hw.has_pim = 1;
    f.hw.pim = f.pim.unit;
    f.hw.dram.dev = f.pim.dram;
    run(&f, NPU_PIM_BLOCKED, &r, &res, NULL);
    ck_assert_uint_eq(res.events.pim_kernels, 2ull * f.model.layers * (r.gen - 1));
    ck_assert_uint_eq(res.events.array_macs + res.events.pim.useful_macs, res.macs);
    power_init(&e);
    ck_assert_msg(power_npu_energy(&t, &f.hw, &res.events, &e, err, sizeof err) == 0, "%s", err);
    check_sum(&e);
    const double pmac = (double)res.events.pim.lane_macs * t.e.pim_mac;
    ck_assert_msg(pmac > 0 && fabs(power_get(&e, "pim.mac") - pmac) <= 1e-9 * pmac,
                  "pim.mac %g, want %g", power_get(&e, "pim.mac"), pmac);
    npu_result_free(&res);

    /* LUT: BitNet's ternary weights on the LUT units, the rest on arrays. */
    fixture_t b;
    setup_fixture(&b, "bitnet-b1.58-2b-4t.json");
    b.hw.has_lut = 1;
    b.hw.lut.dma = b.hw.dma;
    const mapper_run_t rb = {1, 256, 2, 2, 8, 8};
    run(&b, NPU_ONLY, &rb, &res, NULL);
    ck_assert_uint_gt(res.events.lut_macs, 0);
    ck_assert_uint_eq(res.events.lut_macs + res.events.array_macs, res.macs);
    ck_assert_uint_eq(res.events.lut.macs, res.events.lut_macs);
    power_init(&e);
    ck_assert_msg(power_npu_energy(&t, &b.hw, &res.events, &e, err, sizeof err) == 0, "%s", err);
    check_sum(&e);
    ck_assert(power_get(&e, "lut.table_read") > 0);
    npu_result_free(&res);
}
END_TEST

Suite *npu_suite(void)
{
    Suite *s = suite_create("npu");
    TCase *tc = tcase_create("llm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, macs_executed_equal_the_mappers_flops);
    tcase_add_test(tc, neupims_beats_blocked_beats_npu_only_in_decode);
    tcase_add_test(tc, lut_decode_beats_8bit_weights_on_the_arrays);
    tcase_add_test(tc, pim_section_leaves_placement_to_the_mode);
    tcase_add_test(tc, timeline_has_every_command_of_prefill_and_first_decode_step);
    tcase_add_test(tc, bad_npu_input_is_refused);
    tcase_add_test(tc, llm_energy_is_the_sum_of_its_priced_events);
    suite_add_tcase(s, tc);
    return s;
}
