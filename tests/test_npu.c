/* test_npu.c - end-to-end LLM inference on the NPU: MACs executed against
 * the mapper's FLOP count, the NeuPIMs ordering of the three modes, the
 * timeline as Chrome trace JSON, and bad input. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/npu.h"
#include "tests.h"

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
    f->pim.unit = (pim_cfg_t){16, PIM_FP16, 8, 8, 8, 2};
    snprintf(path, sizeof path, "%s/traces/models/%s", CODESIM_ROOT, model);
    ck_assert_msg(mapper_model_load(path, &f->model, err, sizeof err) == 0, "%s", err);
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
static void check_flops(const char *model, const mapper_run_t *r)
{
    fixture_t f;
    setup_fixture(&f, model);
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
        npu_result_free(&res);
    }
}

START_TEST(macs_executed_equal_the_mappers_flops)
{
    const mapper_run_t r = {4, 64, 3, 8, 8, 8};
    check_flops("llama-2-7b.json", &r); /* no biases: FLOPs = 2 x MACs */
    check_flops("gpt2.json", &r);       /* biases on every linear layer */
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
    size_t complete = 0, pids[2] = {0, 0};
    for (size_t i = 0; i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        if (strcmp(json_string_value(json_object_get(e, "ph")), "X") == 0) {
            complete++;
            pids[json_integer_value(json_object_get(e, "pid")) != 0]++;
            ck_assert(json_real_value(json_object_get(e, "dur")) >= 0);
        }
    }
    ck_assert_uint_eq(complete, res.commands); /* gen = 2: prefill + one decode step */
    ck_assert(pids[0] > 0 && pids[1] > 0);
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

Suite *npu_suite(void)
{
    Suite *s = suite_create("npu");
    TCase *tc = tcase_create("llm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, macs_executed_equal_the_mappers_flops);
    tcase_add_test(tc, neupims_beats_blocked_beats_npu_only_in_decode);
    tcase_add_test(tc, timeline_has_every_command_of_prefill_and_first_decode_step);
    tcase_add_test(tc, bad_npu_input_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
