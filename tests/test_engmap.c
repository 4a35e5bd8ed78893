/* test_engmap.c - LLM runs (--model) on a machine with a tensor engine
 * (issue 16 item 1): the mapper places full-width GEMMs on the core's
 * engine and tiles them on its R x C x D fold; the NPU times them with the
 * engine's schedule.
 *
 * Cross-checks, each against a reference computed here from the op shapes:
 *   - a GPT-2 decode step on a 2-core machine with an 8x8x4 cube: every
 *     GEMM op's cycles equal the engine schedule recomputed naively per
 *     core slice (folds = ceil(m/R) x ceil(n/C), k-steps ceil(k/D), + 3
 *     cycles per run; tensor_engine.h), with scratchpads large enough that
 *     each slice is one tile (the fewest runs: every further tile adds 3);
 *   - prefill keeps the engine busy, and every GEMM MAC runs on it (twice
 *     the MACs plus the bias adds = the mapper's FLOPs);
 *   - a cube with the array's MACs per cycle takes prefill compute time
 *     between the ideal (MACs / peak) and the array's;
 *   - a fold that does not fit the scratchpads is a one-line hardware-file
 *     error naming the file and the field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mapper/tiling.h"
#include "../sim/io/config.h"
#include "../sim/io/workload.h"
#include "../sim/run/npu.h"
#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

#define CORES 2u

static void load_model(const char *file, mapper_model_t *m)
{
    char err[256], path[512];
    snprintf(path, sizeof path, "%s/traces/models/%s", CODESIM_ROOT, file);
    ck_assert_msg(workload_model_load(path, m, err, sizeof err) == 0, "%s", err);
}

/* Defaults plus an R x C x D cube, big scratchpads and a wide DRAM channel. */
static void cube_machine(hw_cfg_t *hw, uint32_t r, uint32_t c, uint32_t d)
{
    hw_defaults(hw);
    hw->has_te[TE_CUBE] = 1;
    hw->te[TE_CUBE].rows = r;
    hw->te[TE_CUBE].cols = c;
    hw->te[TE_CUBE].depth = d;
    hw->sram.ifmap_bytes = hw->sram.filter_bytes = hw->sram.ofmap_bytes = 256u << 20;
    hw->dma.bytes_per_cycle = 4096;
}

static void run_npu(const hw_cfg_t *hw, const mapper_model_t *m, const mapper_run_t *r,
                    npu_result_t *res)
{
    char err[256];
    const npu_hw_t h = {hw, {CORES, 1000, {64, 8}, 4}, NPU_ONLY, NULL};
    ck_assert_msg(npu_run(&h, m, r, res, NULL, err, sizeof err) == 0, "%s", err);
}

static uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/* The engine's cycles of one op over the cores, recomputed naively: the
 * NPU gives each core an even share of the instances when there are at
 * least as many as cores, else of N, else of M; each instance of a core's
 * slice runs as one tile. */
static uint64_t naive_op_cycles(const mapper_op_t *op, uint64_t R, uint64_t C, uint64_t D)
{
    const uint64_t dims[3] = {op->count, op->n, op->m};
    const uint64_t most = op->count > op->n ? (op->count > op->m ? op->count : op->m)
                                            : (op->n > op->m ? op->n : op->m);
    const uint64_t cores = most < CORES ? most : CORES;
    const int split = op->count >= cores ? 0 : op->n >= cores ? 1 : 2;
    uint64_t total = 0;
    for (uint64_t c = 0; c < cores; c++) {
        uint64_t d[3] = {dims[0], dims[1], dims[2]};
        d[split] = dims[split] / cores + (c < dims[split] % cores);
        if (!d[0] || !d[1] || !d[2])
            continue;
        uint64_t folds = 0; /* for m0 (step R) for n0 (step C) */
        for (uint64_t m0 = 0; m0 < d[2]; m0 += R)
            for (uint64_t n0 = 0; n0 < d[1]; n0 += C)
                folds++;
        uint64_t ksteps = 0; /* k0 = 0, D, 2D, ... below K */
        for (uint64_t k0 = 0; k0 < op->k; k0 += D)
            ksteps++;
        total += d[0] * (folds * ksteps + 3);
    }
    return total;
}

START_TEST(decode_on_cube_matches_the_engine_schedule)
{
    mapper_model_t m;
    load_model("gpt2.json", &m);
    hw_cfg_t hw;
    cube_machine(&hw, 8, 8, 4);
    const mapper_run_t r = {3, 16, 2, 8, 8, 8}; /* prefill and decode step 1 */
    npu_result_t res;
    run_npu(&hw, &m, &r, &res);

    mapper_ops_t ops = {0};
    char err[256];
    ck_assert_msg(mapper_ops_build(&m, &r, &ops, err, sizeof err) == 0, "%s", err);
    size_t checked = 0;
    uint64_t want_sum = 0;
    for (size_t i = 0; i < ops.count; i++) {
        const mapper_op_t *op = &ops.ops[i];
        if (op->kind == MAPPER_VECTOR || op->phase != MAPPER_DECODE)
            continue;
        const uint64_t want = op->repeat * naive_op_cycles(op, 8, 8, 4);
        const npu_op_stat_t *got = NULL;
        for (size_t j = 0; j < res.nops; j++)
            if (res.ops[j].phase == MAPPER_DECODE && !strcmp(res.ops[j].name, op->name))
                got = &res.ops[j];
        ck_assert_msg(got != NULL, "decode op %s missing", op->name);
        ck_assert_msg(got->unit == MAPPER_UNIT_CUBE, "%s ran on %s", op->name,
                      mapper_unit_name(got->unit));
        ck_assert_msg(got->cycles == want, "decode %s: %llu cycles, the engine schedule says %llu",
                      op->name, (unsigned long long)got->cycles, (unsigned long long)want);
        want_sum += want;
        checked++;
    }
    ck_assert_uint_ge(checked, 6); /* qkv, qk, sv, o_proj, fc1, fc2, lm_head */
    /* The cores' matrix rows are named after the engine. */
    uint64_t busy = 0;
    for (size_t u = 0; u < res.nunits; u++)
        if (strstr(res.units[u].name, ".cube"))
            busy += res.units[u].busy;
        else
            ck_assert_msg(!strstr(res.units[u].name, ".matrix"), "%s", res.units[u].name);
    ck_assert_uint_gt(busy, want_sum); /* prefill's GEMMs ran there too */
    mapper_ops_free(&ops);
    npu_result_free(&res);
}
END_TEST

/* Prefill only: the engine is busy most of the time and runs every MAC. */
START_TEST(prefill_keeps_the_engine_busy)
{
    mapper_model_t m;
    load_model("gpt2.json", &m);
    hw_cfg_t hw;
    cube_machine(&hw, 8, 8, 4);
    const mapper_run_t r = {2, 64, 1, 8, 8, 8};
    npu_result_t res;
    run_npu(&hw, &m, &r, &res);
    uint64_t busy = 0;
    for (size_t u = 0; u < res.nunits; u++)
        if (strstr(res.units[u].name, ".cube"))
            busy += res.units[u].busy;
    ck_assert_uint_gt(busy, 0);
    /* CORES engines: at least half their time busy in a compute-bound prefill */
    ck_assert_msg(2 * busy > res.prefill_cycles * CORES, "engines busy %llu of %u x %llu cycles",
                  (unsigned long long)busy, CORES, (unsigned long long)res.prefill_cycles);
    ck_assert_uint_eq(res.events.array_macs, 0);
    ck_assert_uint_eq(res.events.te_macs, res.macs);
    /* GPT-2 has biases on every linear layer of the decoder block: M x N adds */
    mapper_ops_t ops = {0};
    char err[256];
    ck_assert_msg(mapper_ops_build(&m, &r, &ops, err, sizeof err) == 0, "%s", err);
    uint64_t bias = 0;
    for (size_t i = 0; i < ops.count; i++) {
        const mapper_op_t *op = &ops.ops[i];
        if (op->kind != MAPPER_VECTOR && op->b_weight && op->repeat > 1)
            bias += op->m * op->n * op->count * op->repeat;
    }
    ck_assert_uint_eq(2 * res.events.te_macs + bias, res.mapper_flops);
    mapper_ops_free(&ops);
    npu_result_free(&res);
}
END_TEST

static uint64_t prefill_compute(const hw_cfg_t *hw, const mapper_model_t *m, const char *unit)
{
    const mapper_run_t r = {2, 64, 1, 8, 8, 8};
    npu_result_t res;
    run_npu(hw, m, &r, &res);
    uint64_t busy = 0;
    for (size_t u = 0; u < res.nunits; u++)
        if (strstr(res.units[u].name, unit))
            busy += res.units[u].busy;
    npu_result_free(&res);
    return busy;
}

/* A 16x16 array and an 8x8x4 cube both do 256 MACs per cycle.  The cube's
 * prefill compute time is at least the ideal (the GEMM MACs over 256 per
 * core-cycle) and at most the array's: the cube has no fill and drain per
 * fold (3 cycles per run against R + C per fold of the output-stationary
 * array, models/systolic.h), so it cannot be slower, and the GPT-2 shapes
 * (multiples of 8 and 4) waste no lanes, so within 5% of the ideal. */
START_TEST(cube_with_the_arrays_macs_per_cycle)
{
    mapper_model_t m;
    load_model("gpt2.json", &m);
    hw_cfg_t arr, cube;
    cube_machine(&cube, 8, 8, 4);
    arr = cube;
    arr.has_te[TE_CUBE] = 0;
    arr.array.rows = arr.array.cols = 16;
    const uint64_t ta = prefill_compute(&arr, &m, ".matrix");
    const uint64_t tc = prefill_compute(&cube, &m, ".cube");
    /* the ideal: every GEMM MAC of the prefill at 256 per cycle */
    const mapper_run_t r = {2, 64, 1, 8, 8, 8};
    mapper_ops_t ops = {0};
    char err[256];
    ck_assert_msg(mapper_ops_build(&m, &r, &ops, err, sizeof err) == 0, "%s", err);
    uint64_t macs = 0;
    for (size_t i = 0; i < ops.count; i++)
        if (ops.ops[i].kind != MAPPER_VECTOR)
            macs += ops.ops[i].m * ops.ops[i].n * ops.ops[i].k * ops.ops[i].count *
                    ops.ops[i].repeat;
    mapper_ops_free(&ops);
    const uint64_t ideal = cdiv(macs, 256);
    ck_assert_msg(tc >= ideal && tc <= ideal + ideal / 20,
                  "cube prefill %llu cycles, ideal %llu", (unsigned long long)tc,
                  (unsigned long long)ideal);
    ck_assert_msg(tc <= ta, "cube %llu > array %llu cycles", (unsigned long long)tc,
                  (unsigned long long)ta);
}
END_TEST

/* A fold (R x D A operands) larger than half the ifmap scratchpad. */
START_TEST(a_fold_beyond_the_scratchpads_is_a_file_error)
{
    char dir[64], path[300], err[512] = "", want[400];
    test_tmpdir(dir, sizeof dir, "engmap");
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("name: bad\nsram:\n  ifmap_bytes: 1024\ncube:\n  rows: 32\n  cols: 8\n  depth: 32\n",
          f);
    ck_assert_int_eq(fclose(f), 0);
    hw_cfg_t hw;
    ck_assert_int_eq(hw_load(path, &hw, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: sram.ifmap_bytes: ", path);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "'%s' does not start '%s'", err, want);
    ck_assert_msg(strstr(err, "cube") && strstr(err, "1024 bytes"), "%s", err);
    ck_assert_ptr_null(strchr(err, '\n'));
    hw_free(&hw);
    test_rmtree(dir);

    /* The mapper says the same on a machine built in code. */
    hw_cfg_t h2;
    cube_machine(&h2, 32, 8, 32);
    h2.sram.ifmap_bytes = 1024;
    mapper_ctx_t *mc = mapper_ctx_new(&h2);
    ck_assert_ptr_nonnull(mc);
    mapper_tiling_t t;
    const systolic_gemm_t g = {64, 64, 64};
    ck_assert_int_eq(mapper_tile_unit(mc, MAPPER_UNIT_CUBE, &g, 1, &t, err, sizeof err), -1);
    ck_assert_msg(strncmp(err, "sram.ifmap_bytes: ", 18) == 0, "%s", err);
    /* and no engine of another kind on this machine */
    ck_assert_int_eq(mapper_tile_unit(mc, MAPPER_UNIT_ADDERTREE, &g, 1, &t, err, sizeof err),
                     -1);
    mapper_ctx_free(mc);
}
END_TEST

/* Tiles respect the fold: sizes are multiples of R, C and D (or the whole
 * dimension), and a tile's buffers fit. */
START_TEST(tiles_follow_the_fold)
{
    hw_cfg_t hw;
    cube_machine(&hw, 8, 4, 16);
    hw.sram.ifmap_bytes = hw.sram.filter_bytes = hw.sram.ofmap_bytes = 8192;
    /* a narrow channel: the whole GEMM streamed with re-fetches (the
     * engine's own roofline, te_cost.h) loses to resident tiles */
    hw.dma.bytes_per_cycle = 8;
    mapper_ctx_t *mc = mapper_ctx_new(&hw);
    ck_assert_ptr_nonnull(mc);
    char err[256];
    const systolic_gemm_t g = {200, 300, 1000};
    mapper_tiling_t t;
    ck_assert_msg(mapper_tile_unit(mc, MAPPER_UNIT_CUBE, &g, 1, &t, err, sizeof err) == 0, "%s",
                  err);
    ck_assert(t.resident);
    ck_assert(t.tm == g.m || t.tm % 8 == 0);
    ck_assert(t.tn == g.n || t.tn % 4 == 0);
    ck_assert(t.tk == g.k || t.tk % 16 == 0);
    ck_assert_uint_le(t.tm * t.tk, 4096); /* int8 A tile in one ifmap half */
    ck_assert_uint_le(t.tk * t.tn, 4096);
    ck_assert_uint_le(t.tm * t.tn * 4, 4096);
    mapper_ctx_free(mc);
}
END_TEST

/* Placement: the last present engine kind takes full-width GEMMs; an op
 * wider than the engine stays on the array; low-bit weights go to the LUT. */
START_TEST(placement_rules)
{
    hw_cfg_t hw;
    hw_defaults(&hw);
    hw.has_te[TE_ADDERTREE] = hw.has_te[TE_MATRIX2D] = 1;
    hw.array.in_bits = hw.array.w_bits = 16;
    hw.has_lut = 1;
    mapper_ctx_t *mc = mapper_ctx_new(&hw);
    ck_assert_ptr_nonnull(mc);
    char err[256];
    mapper_op_t op = {.name = "fc1", .kind = MAPPER_GEMM, .m = 4, .n = 64, .k = 64, .count = 1,
                      .abits = 8, .bbits = 8, .obits = 32, .b_weight = 1};
    mapper_unit_t u;
    ck_assert_int_eq(mapper_place(mc, &op, &u, err, sizeof err), 0);
    ck_assert_str_eq(mapper_unit_name(u), "matrix2d");
    op.abits = 16; /* beyond the engine's in_bits 8, within the array's 16 */
    ck_assert_int_eq(mapper_place(mc, &op, &u, err, sizeof err), 0);
    ck_assert_int_eq(u, MAPPER_UNIT_SYSTOLIC);
    op.abits = 8;
    op.bbits = 4; /* W4: the LUT unit */
    ck_assert_int_eq(mapper_place(mc, &op, &u, err, sizeof err), 0);
    ck_assert_int_eq(u, MAPPER_UNIT_LUT);
    mapper_ctx_free(mc);
}
END_TEST

Suite *engmap_suite(void)
{
    Suite *s = suite_create("engmap");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, decode_on_cube_matches_the_engine_schedule);
    tcase_add_test(tc, prefill_keeps_the_engine_busy);
    tcase_add_test(tc, cube_with_the_arrays_macs_per_cycle);
    tcase_add_test(tc, a_fold_beyond_the_scratchpads_is_a_file_error);
    tcase_add_test(tc, tiles_follow_the_fold);
    tcase_add_test(tc, placement_rules);
    suite_add_tcase(s, tc);
    return s;
}
