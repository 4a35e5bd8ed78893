/* test_pim.c - the PIM unit against an independent reference of its
 * arithmetic (exact double arithmetic, sim/harness/pim_rtl.c's pimref_*), its cycle
 * path against a plain interpreter and the pipeline's closed-form latency;
 * the GEMV mapping's values against a naive GEMV, its cycle count against a
 * closed form derived by hand, blocked vs dual row buffers, every DRAM
 * command stream through the independent timing checker, and bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/dram_check.h"
#include "../models/pim_gemv.h"
#include "../sim/harness/pim_rtl.h"
#include "tests.h"

int rtlcheck_pim(int argc, char **argv);
int cmd_pimgemv(int argc, char **argv);

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static float f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* ---- arithmetic ------------------------------------------------------------ */

START_TEST(fp32_add_rounds_to_nearest_even_like_double_then_float)
{
    uint64_t s = 0x1234567;
    for (int i = 0; i < 400000; i++) {
        uint32_t a = (uint32_t)rnd(&s), b = (uint32_t)rnd(&s);
        if (i % 4 == 1) /* close exponents: cancellation and ties */
            b = (b & 0x807FFFFFu) | (a & 0x7F800000u);
        if (i % 8 == 2) /* subnormals */
            a &= 0x807FFFFFu;
        const float want = (float)((double)f32(a) + (double)f32(b));
        const uint32_t got = pim_fp32_add(a, b);
        if (isnan(want)) {
            ck_assert_uint_eq(got, PIM_FP32_QNAN);
        } else {
            uint32_t w;
            memcpy(&w, &want, sizeof w);
            ck_assert_msg(got == w, "%08x + %08x: got %08x want %08x", a, b, got, w);
        }
    }
    /* Hand cases: ties to even, signed zeros, overflow, infinities. */
    ck_assert_uint_eq(pim_fp32_add(0x3F800000u, 0x33800000u), 0x3F800000u); /* 1 + 2^-24: tie, even */
    ck_assert_uint_eq(pim_fp32_add(0x3F800001u, 0x33800000u), 0x3F800002u); /* tie, odd -> up */
    ck_assert_uint_eq(pim_fp32_add(0x80000000u, 0x80000000u), 0x80000000u); /* -0 + -0 */
    ck_assert_uint_eq(pim_fp32_add(0x3F800000u, 0xBF800000u), 0x00000000u); /* 1 - 1 = +0 */
    ck_assert_uint_eq(pim_fp32_add(0x7F7FFFFFu, 0x7F7FFFFFu), 0x7F800000u); /* overflow */
    ck_assert_uint_eq(pim_fp32_add(0x7F800000u, 0xFF800000u), PIM_FP32_QNAN);
}
END_TEST

START_TEST(fp16_mac_equals_reference_for_every_operand_class)
{
    uint64_t s = 99;
    for (int i = 0; i < 300000; i++) {
        const uint16_t a = (uint16_t)rnd(&s), b = (uint16_t)rnd(&s);
        uint32_t acc = (uint32_t)rnd(&s);
        if (i % 3 == 0)
            acc = 0;
        ck_assert_uint_eq(pim_lane_mac(PIM_FP16, acc, a, b), pimref_mac(PIM_FP16, acc, a, b));
    }
    /* Exhaustive over one operand with a fixed other: every fp16 pattern. */
    for (uint32_t a = 0; a < 65536; a++)
        for (uint16_t b = 0x0001; b; b = (uint16_t)(b == 0x0001 ? 0x3C01 : b == 0x3C01 ? 0xFBFF : 0))
            ck_assert_uint_eq(pim_lane_mac(PIM_FP16, 0x3F800000u, (uint16_t)a, b),
                              pimref_mac(PIM_FP16, 0x3F800000u, (uint16_t)a, b));
    /* The product itself is exact: 65504 * 65504 = 4290774016. */
    ck_assert_uint_eq(pim_fp16_mul(0x7BFF, 0x7BFF), 0x4F7FC004u);
    ck_assert_uint_eq(pim_fp16_mul(0x0001, 0x0001), 0x27800000u); /* 2^-48 */
}
END_TEST

START_TEST(int8_mac_wraps_like_a_naive_int32_sum)
{
    uint64_t s = 5;
    for (int i = 0; i < 100000; i++) {
        const uint16_t a = (uint16_t)(rnd(&s) & 0xFF), b = (uint16_t)(rnd(&s) & 0xFF);
        const uint32_t acc = (uint32_t)rnd(&s);
        const int64_t want = (int64_t)(int32_t)acc + (int64_t)(int8_t)a * (int8_t)b;
        ck_assert_uint_eq(pim_lane_mac(PIM_INT8, acc, a, b), (uint32_t)want);
    }
    ck_assert_uint_eq(pim_lane_mac(PIM_INT8, 0x7FFFFFFFu, 0x80, 0x80), 0x80003FFFu);
}
END_TEST

/* ---- the unit --------------------------------------------------------------- */

START_TEST(cycle_path_equals_interpreter_and_latency_closed_form)
{
    const pim_cfg_t cfgs[] = {{16, PIM_FP16, 8, 8, 8, 2, PIM_REDUCE_LANES},
                              {5, PIM_INT8, 3, 2, 4, 1, PIM_REDUCE_LANES}};
    uint64_t s = 77;
    for (int ci = 0; ci < 2; ci++) {
        const pim_cfg_t *cfg = &cfgs[ci];
        const uint32_t ncols = 9, L = cfg->lanes;
        uint16_t row[9 * 16];
        pim_cmd_t cmd[80];
        uint32_t ref[80 * 16];
        for (int t = 0; t < 300; t++) {
            for (uint32_t i = 0; i < ncols * L; i++)
                row[i] = (uint16_t)rnd(&s);
            size_t n = 0;
            const size_t want = 1 + rnd(&s) % 60;
            while (n < want) {
                pim_cmd_t c = {(pim_op_t)(rnd(&s) % 8), 0, 0, 0, {0}};
                c.dst = (uint32_t)(rnd(&s) % (c.op == PIM_WRGRF ? cfg->grf_entries
                                              : c.op == PIM_WRSRF ? cfg->srf_entries
                                                                  : cfg->acc_entries));
                c.src = (uint32_t)(rnd(&s) % (c.op == PIM_MACS ? cfg->srf_entries : cfg->grf_entries));
                c.col = (uint32_t)(rnd(&s) % ncols);
                for (uint32_t l = 0; l < L; l++)
                    c.data[l] = (uint16_t)rnd(&s);
                if (c.op == PIM_MACT)
                    c.data[0] = (uint16_t)(rnd(&s) % L); /* the accumulator lane */
                char err[128];
                ck_assert_int_eq(pim_cmd_check(cfg, &c, ncols, err, sizeof err), 0);
                cmd[n++] = c;
            }
            cmd[n++] = (pim_cmd_t){PIM_RDACC, (uint32_t)(rnd(&s) % cfg->acc_entries), 0, 0, {0}};
            const pim_seq_t sq = {cmd, n, row, ncols};
            const size_t nr = pimref_run(cfg, &sq, ref);
            ports_rec_t act;
            uint32_t words[80 * 16];
            pim_readback_t rb = {words, 80, 0};
            char err[128];
            ck_assert_int_eq(pim_rtl_model_run(cfg, &sq, &act, &rb, err, sizeof err), 0);
            /* Last command presented in cycle n-1, done after cycle n-1+3. */
            ck_assert_uint_eq(act.cycles, n + PIM_PIPE_DEPTH);
            ck_assert_uint_eq(rb.n, nr);
            for (size_t i = 0; i < nr * L; i++)
                ck_assert_uint_eq(words[i], ref[i]);
            size_t macs = 0;
            for (size_t i = 0; i < n; i++)
                macs += cmd[i].op == PIM_MAC || cmd[i].op == PIM_MACS || cmd[i].op == PIM_MACT;
            ck_assert_uint_eq(act.count[PIM_PORT_RB], macs);
            /* The functional path gives the same read-backs. */
            pim_unit_t u;
            pim_unit_init(&u, cfg);
            size_t k = 0;
            uint32_t out[16];
            for (size_t i = 0; i < n; i++) {
                pim_unit_exec(&u, &cmd[i], row, out);
                if (cmd[i].op == PIM_RDACC) {
                    for (uint32_t l = 0; l < L; l++)
                        ck_assert_uint_eq(out[l], ref[k * L + l]);
                    k++;
                }
            }
            ck_assert_uint_eq(u.macs, macs * L);
        }
    }
}
END_TEST

START_TEST(bad_unit_config_and_commands_are_refused)
{
    char err[256];
    pim_cfg_t c = {0, PIM_FP16, 8, 8, 8, 1, PIM_REDUCE_LANES};
    ck_assert_int_eq(pim_cfg_check(&c, err, sizeof err), -1);
    ck_assert_str_eq(err, "pim.lanes: 0 is outside 1..64");
    c = (pim_cfg_t){16, PIM_FP16, 8, 8, 17, 1, PIM_REDUCE_LANES};
    ck_assert_int_eq(pim_cfg_check(&c, err, sizeof err), -1);
    ck_assert_str_eq(err, "pim.acc_entries: 17 is outside 1..16");
    c = (pim_cfg_t){16, PIM_FP16, 8, 8, 8, 3, PIM_REDUCE_LANES};
    ck_assert_int_eq(pim_cfg_check(&c, err, sizeof err), -1);
    c.banks_per_unit = 1;
    const pim_cmd_t mac = {PIM_MAC, 0, 8, 0, {0}};
    ck_assert_int_eq(pim_cmd_check(&c, &mac, 4, err, sizeof err), -1);
    ck_assert_str_eq(err, "cmd.grf: 8 is outside 0..7");
    const pim_cmd_t far = {PIM_MACS, 0, 0, 4, {0}};
    ck_assert_int_eq(pim_cmd_check(&c, &far, 4, err, sizeof err), -1);
    ck_assert_str_eq(err, "cmd.col: 4 is outside the row's 4 columns");
    const pim_cmd_t lane = {PIM_MACT, 0, 0, 0, {16}};
    ck_assert_int_eq(pim_cmd_check(&c, &lane, 4, err, sizeof err), -1);
    ck_assert_str_eq(err, "cmd.lane: 16 is outside 0..15");
}
END_TEST

/* MACT's tree on hand-picked values, where the pairing shows in rounding:
 * fp32 leaves 2^24, 1, 1, -2^24.  Left to right gives 0 (2^24 + 1 is a tie
 * that rounds to the even 2^24, twice).  The tree: (2^24 + 1) -> 2^24 and
 * (1 - 2^24) exact, root 2^24 + (1 - 2^24) = 1.  With 3 lanes the fourth
 * leaf is +0: (2^24 + 1) -> 2^24, (1 + 0) = 1, root 2^24 + 1 -> 2^24. */
START_TEST(mact_sums_the_lane_products_as_a_pairwise_tree)
{
    const uint32_t two24 = 0x4B800000u, one = 0x3F800000u, m_two24 = 0xCB800000u;
    const uint32_t p[4] = {two24, one, one, m_two24};
    ck_assert_uint_eq(pim_tree_sum(PIM_FP16, p, 4), one);
    ck_assert_uint_eq(pim_tree_sum(PIM_FP16, p, 3), two24);
    const uint32_t q[5] = {1, 2, 3, 4, 5}; /* int: exact, 8 leaves */
    ck_assert_uint_eq(pim_tree_sum(PIM_INT8, q, 5), 15);
    /* the unit: MACT of 1.0 x GRF lane values into lane 2 of ACC[1] */
    const pim_cfg_t cfg = {4, PIM_FP16, 2, 2, 2, 1, PIM_REDUCE_LANES};
    pim_unit_t u;
    pim_unit_init(&u, &cfg);
    const uint16_t row[4] = {0x3C00, 0x3C00, 0x3C00, 0x3C00}; /* 1.0 */
    const pim_cmd_t wr = {PIM_WRGRF, 1, 0, 0, {0x3C00, 0x4000, 0x4200, 0x4400}}; /* 1 2 3 4 */
    const pim_cmd_t mt = {PIM_MACT, 1, 1, 0, {2}};
    const pim_cmd_t rd = {PIM_RDACC, 1, 0, 0, {0}};
    uint32_t out[4];
    pim_unit_exec(&u, &wr, row, NULL);
    pim_unit_exec(&u, &mt, row, NULL);
    pim_unit_exec(&u, &mt, row, NULL);
    pim_unit_exec(&u, &rd, row, out);
    ck_assert_uint_eq(out[0], 0);
    ck_assert_uint_eq(out[1], 0);
    ck_assert_uint_eq(out[2], 0x41A00000u); /* 2 x (1 + 2 + 3 + 4) = 20 */
    ck_assert_uint_eq(out[3], 0);
}
END_TEST

/* ---- GEMV -------------------------------------------------------------------- */

/* Every command goes through the independent checker; dual mode has two
 * devices (PIM and host row buffers), each checked on its own. */
typedef struct {
    dram_check_t *k[2];
    uint64_t cmds;
    uint64_t last[2];
} chk_ctx_t;

static void on_issue(void *ctx, int host_side, const dram_cmd_t *c)
{
    chk_ctx_t *x = ctx;
    x->cmds++;
    dram_check_cmd(x->k[host_side], c);
    if (c->cycle > x->last[host_side])
        x->last[host_side] = c->cycle;
}

static void timed(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, int host_only,
                  pim_gemv_stats_t *st)
{
    chk_ctx_t x = {{dram_check_new(&cfg->dram, 1), dram_check_new(&cfg->dram, 1)}, 0, {0, 0}};
    ck_assert(x.k[0] && x.k[1]);
    const pim_gemv_hook_t hook = {on_issue, &x};
    char err[256];
    const int rc = host_only ? pim_gemv_host_time(cfg, g, st, &hook, err, sizeof err)
                             : pim_gemv_time(cfg, g, st, &hook, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_uint_gt(x.cmds, 0);
    for (int i = 0; i < 2; i++) {
        dram_check_finish(x.k[i], x.last[i] + 1);
        size_t nv = 0;
        const dram_violation_t *v = dram_check_first(x.k[i], &nv);
        char line[256] = "";
        if (nv)
            dram_check_describe(&v[0], line, sizeof line);
        ck_assert_msg(dram_check_total(x.k[i]) == 0, "side %d: %llu violations, first: %s", i,
                      (unsigned long long)dram_check_total(x.k[i]), line);
        dram_check_free(x.k[i]);
    }
}

static void hbm2(pim_gemv_cfg_t *cfg, pim_prec_t prec, uint32_t lanes, uint32_t srf,
                 uint32_t acc, uint32_t bpu)
{
    char err[128];
    memset(cfg, 0, sizeof *cfg);
    ck_assert_int_eq(dram_preset("HBM2", &cfg->dram, err, sizeof err), 0);
    cfg->unit = (pim_cfg_t){lanes, prec, 4, srf, acc, bpu, PIM_REDUCE_LANES};
}

START_TEST(gemv_values_equal_a_naive_gemv)
{
    const struct {
        pim_prec_t prec;
        uint32_t lanes, srf, acc, bpu;
        pim_gemv_t g;
    } cases[] = {
        {PIM_FP16, 16, 8, 2, 2, {3, 37, 21}},    /* odd sizes, 3 K tiles, padding lanes */
        {PIM_FP16, 16, 16, 1, 1, {1, 7000, 40}}, /* two batches per unit */
        {PIM_INT8, 32, 5, 3, 2, {2, 301, 77}},
        {PIM_INT8, 32, 16, 16, 1, {40, 9, 3}},   /* groups straddle channels */
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        pim_gemv_cfg_t cfg;
        hbm2(&cfg, cases[ci].prec, cases[ci].lanes, cases[ci].srf, cases[ci].acc, cases[ci].bpu);
        const pim_gemv_t *g = &cases[ci].g;
        const uint64_t nw = g->groups * g->m * g->k, nx = g->groups * g->k, ny = g->groups * g->m;
        uint16_t *w = malloc(nw * sizeof *w), *x = malloc(nx * sizeof *x);
        uint32_t *y = malloc(ny * sizeof *y);
        ck_assert(w && x && y);
        uint64_t s = 1000 + ci;
        for (uint64_t i = 0; i < nw; i++) /* finite fp16 values (no NaN/inf) */
            w[i] = cases[ci].prec == PIM_FP16 ? (uint16_t)(rnd(&s) % 0x7800) | (uint16_t)(rnd(&s) & 0x8000)
                                              : (uint16_t)(rnd(&s) & 0xFF);
        for (uint64_t i = 0; i < nx; i++)
            x[i] = cases[ci].prec == PIM_FP16 ? (uint16_t)(rnd(&s) % 0x7800) | (uint16_t)(rnd(&s) & 0x8000)
                                              : (uint16_t)(rnd(&s) & 0xFF);
        char err[256];
        ck_assert_msg(pim_gemv_compute(&cfg, g, w, x, y, err, sizeof err) == 0, "%s", err);
        /* Naive: y[g][m] accumulated over k in order, from +0. */
        for (uint64_t gi = 0; gi < g->groups; gi++)
            for (uint64_t m = 0; m < g->m; m++) {
                uint32_t a = 0;
                for (uint64_t k = 0; k < g->k; k++)
                    a = pimref_mac(cfg.unit.prec, a, w[(gi * g->m + m) * g->k + k], x[gi * g->k + k]);
                ck_assert_msg(y[gi * g->m + m] == a, "case %zu y[%llu][%llu] = %08x, want %08x", ci,
                              (unsigned long long)gi, (unsigned long long)m, y[gi * g->m + m], a);
            }
        free(w);
        free(x);
        free(y);
    }
}
END_TEST

/* The tree layout's reference, written independently of models/pim.c: per
 * output row, per column of L inputs (zero-padded past k), the L exact
 * products summed pairwise in double and rounded to float at each node (a
 * correctly rounded fp32 addition), the root added to the row's sum likewise;
 * int8: the exact sum modulo 2^32 (order-free). */
static float tref_f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t tref_u(float f)
{
    uint32_t u;
    if (isnan(f))
        return PIM_FP32_QNAN;
    memcpy(&u, &f, sizeof u);
    return u;
}

static double tref_half(uint16_t h)
{
    const int e = (h >> 10) & 31, f = h & 1023;
    const double sg = (h >> 15) ? -1.0 : 1.0;
    if (e == 31)
        return f ? NAN : sg * INFINITY;
    return e ? sg * ldexp(1024.0 + f, e - 25) : sg * ldexp((double)f, -24);
}

static uint32_t tref_node(const uint32_t *v, uint32_t lo, uint32_t w)
{
    if (w == 1)
        return v[lo];
    return tref_u((float)((double)tref_f(tref_node(v, lo, w / 2)) +
                          (double)tref_f(tref_node(v, lo + w / 2, w / 2))));
}

START_TEST(tree_gemv_values_equal_an_independent_tree_reference)
{
    const struct {
        pim_prec_t prec;
        uint32_t lanes, acc, bpu;
        pim_gemv_t g;
    } cases[] = {
        {PIM_FP16, 16, 2, 2, {3, 37, 150}},   /* k padded in the last column, 3 GRF tiles */
        {PIM_FP16, 16, 1, 1, {1, 7000, 40}},  /* two batches per unit */
        {PIM_INT8, 32, 3, 2, {2, 301, 77}},
        {PIM_INT8, 32, 16, 1, {40, 9, 300}},  /* groups straddle channels */
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        pim_gemv_cfg_t cfg;
        hbm2(&cfg, cases[ci].prec, cases[ci].lanes, 8, cases[ci].acc, cases[ci].bpu);
        cfg.unit.reduce = PIM_REDUCE_TREE;
        const pim_gemv_t *g = &cases[ci].g;
        const uint32_t L = cases[ci].lanes;
        const int fp = cases[ci].prec == PIM_FP16;
        const uint64_t nw = g->groups * g->m * g->k, nx = g->groups * g->k, ny = g->groups * g->m;
        uint16_t *w = malloc(nw * sizeof *w), *x = malloc(nx * sizeof *x);
        uint32_t *y = malloc(ny * sizeof *y);
        ck_assert(w && x && y);
        uint64_t s = 2000 + ci;
        for (uint64_t i = 0; i < nw; i++)
            w[i] = fp ? (uint16_t)(rnd(&s) % 0x7800) | (uint16_t)(rnd(&s) & 0x8000)
                      : (uint16_t)(rnd(&s) & 0xFF);
        for (uint64_t i = 0; i < nx; i++)
            x[i] = fp ? (uint16_t)(rnd(&s) % 0x7800) | (uint16_t)(rnd(&s) & 0x8000)
                      : (uint16_t)(rnd(&s) & 0xFF);
        char err[256];
        ck_assert_msg(pim_gemv_compute(&cfg, g, w, x, y, err, sizeof err) == 0, "%s", err);
        uint32_t P = 1;
        while (P < L)
            P *= 2;
        for (uint64_t gi = 0; gi < g->groups; gi++)
            for (uint64_t m = 0; m < g->m; m++) {
                const uint16_t *wr = w + (gi * g->m + m) * g->k, *xg = x + gi * g->k;
                uint32_t a = 0;
                int64_t isum = 0;
                for (uint64_t c0 = 0; c0 < g->k; c0 += L) {
                    uint32_t v[64] = {0};
                    for (uint32_t l = 0; l < L && c0 + l < g->k; l++) {
                        if (fp)
                            v[l] = tref_u((float)(tref_half(wr[c0 + l]) * tref_half(xg[c0 + l])));
                        else
                            isum += (int64_t)(int8_t)(wr[c0 + l] & 0xFF) * (int8_t)(xg[c0 + l] & 0xFF);
                    }
                    if (fp)
                        a = tref_u((float)((double)tref_f(a) + (double)tref_f(tref_node(v, 0, P))));
                }
                const uint32_t want = fp ? a : (uint32_t)isum;
                ck_assert_msg(y[gi * g->m + m] == want, "case %zu y[%llu][%llu] = %08x, want %08x",
                              ci, (unsigned long long)gi, (unsigned long long)m, y[gi * g->m + m],
                              want);
            }
        free(w);
        free(x);
        free(y);
    }
}
END_TEST

/* GPT-2 small's fc2 shape (768 x 3072) on HBM2, 16 units per channel: the
 * lanes layout gives 3 rows per unit, 3 of 16 lanes busy; the tree layout
 * keeps every lane busy.  Events by hand for the tree layout (16 channels,
 * 48 rows each, 3 per unit, 192 columns of 16 per row, one batch, GRF tiles
 * of 4 columns): 192 x bursts and 1 entry x 16 units x 2 read-back bursts per
 * channel; every command passes the independent timing checker. */
START_TEST(tree_layout_fills_the_lanes_and_is_faster_on_few_rows)
{
    pim_gemv_cfg_t cfg;
    hbm2(&cfg, PIM_FP16, 16, 8, 1, 1);
    const pim_gemv_t g = {1, 768, 3072};
    pim_gemv_stats_t lanes, tree;
    timed(&cfg, &g, 0, &lanes);
    cfg.unit.reduce = PIM_REDUCE_TREE;
    timed(&cfg, &g, 0, &tree);
    ck_assert_uint_eq(tree.useful_macs, 768ull * 3072);
    ck_assert_uint_eq(tree.lane_macs, tree.useful_macs);
    ck_assert_uint_eq(lanes.lane_macs, tree.useful_macs / 3 * 16);
    ck_assert_uint_eq(tree.pim_col_reads, 768ull * 3072 / 16);
    ck_assert_uint_eq(tree.vec_bursts, 16 * 192);
    ck_assert_uint_eq(tree.res_bursts, 16 * 16 * 2);
    ck_assert_uint_ge(tree.act, 16ull * 16 * (3 * 192 / 32)); /* 1 KB rows: 32 bursts */
    ck_assert_msg(tree.cycles * 2 < lanes.cycles, "tree %llu, lanes %llu",
                  (unsigned long long)tree.cycles, (unsigned long long)lanes.cycles);
}
END_TEST

START_TEST(gemv_cycles_match_the_hand_derived_closed_form)
{
    /* HBM2, one unit per bank (16 per channel), 16 fp16 lanes, 8 SRF entries,
     * one accumulator entry.  4096 x 8 GEMV: every channel gets 256 rows, every
     * unit 16 = one accumulator entry of 16 lanes, K = 8 = one SRF tile.  Per
     * channel, by hand from the timing rules of dram.h:
     *   cycle 0      PIM_WR_GB (the x tile: 8 x 2 B in one burst)
     *   cycle 1      PIM_ACT_AB (one command per cycle)
     *   1 + tRCD     first PIM_MAC_AB, then every tCCD_L: 8 MACs
     *   + tCCD_S     first PIM_RD_RES after the last MAC; 16 units x 2 bursts
     *                (16 lanes x 4 B = 64 B) = 32 read-backs, one per
     *                max(tCCD_S, tBL) cycles (bus back to back)
     *   + tCL + tBL  the last read-back's data leaves the bus. */
    pim_gemv_cfg_t cfg;
    hbm2(&cfg, PIM_FP16, 16, 8, 1, 1);
    const dram_cfg_t *d = &cfg.dram;
    const pim_gemv_t g = {1, 4096, 8};
    pim_gemv_stats_t st;
    timed(&cfg, &g, 0, &st);
    const uint64_t rd = 32, step = d->tCCD_S > d->tBL ? d->tCCD_S : d->tBL;
    const uint64_t want = 1 + d->tRCD + 7 * d->tCCD_L + d->tCCD_S + (rd - 1) * step + d->tCL + d->tBL;
    ck_assert_uint_eq(want, 123); /* with HBM2's 14, 4, 2, 14, 2 */
    ck_assert_uint_eq(st.cycles, want);
    /* Events: 16 channels x (16 banks activated, 8 MACs x 16 units x 16 lanes,
     * 1 SRF burst, 32 read-back bursts). */
    ck_assert_uint_eq(st.act, 16 * 16);
    ck_assert_uint_eq(st.pim_col_reads, 16 * 8 * 16);
    ck_assert_uint_eq(st.lane_macs, 16ull * 8 * 16 * 16);
    ck_assert_uint_eq(st.useful_macs, 4096 * 8);
    ck_assert_uint_eq(st.vec_bursts, 16);
    ck_assert_uint_eq(st.res_bursts, 16 * 32);
    ck_assert_uint_eq(st.bus_bytes, 16 * 33 * 32);
    ck_assert_uint_eq(st.bank_bytes, 16 * 8 * 16 * 32);
}
END_TEST

START_TEST(pim_beats_host_reading_over_the_bus_and_streams_near_peak)
{
    pim_gemv_cfg_t cfg;
    hbm2(&cfg, PIM_FP16, 16, 8, 8, 1);
    const pim_gemv_t g = {4, 1024, 128}; /* 1 MiB of fp16 */
    pim_gemv_stats_t p, h;
    timed(&cfg, &g, 0, &p);
    timed(&cfg, &g, 1, &h);
    ck_assert_uint_eq(h.bus_bytes, g.groups * g.m * g.k * 2);
    ck_assert_uint_eq(p.bank_bytes, g.groups * g.m * g.k * 2);
    /* Host: at least 80% of peak (bus busy tBL of every 32 B burst). */
    const uint64_t ideal = h.bus_bytes / 32 / dram_units(&cfg.dram) * cfg.dram.tBL;
    ck_assert_uint_lt(h.cycles, ideal * 100 / 80);
    /* PIM: every unit reads its bank at one burst per tCCD_L: 16 banks x 32 B
     * per 4 cycles is 8x the bus; ACT/PRE and read-back cost some of that. */
    ck_assert_uint_lt(p.cycles * 4, h.cycles);
}
END_TEST

START_TEST(blocked_mode_is_slower_than_dual_row_buffers_under_host_traffic)
{
    pim_gemv_cfg_t cfg;
    hbm2(&cfg, PIM_FP16, 16, 8, 8, 2);
    const pim_gemv_t g = {2, 2048, 128};
    pim_gemv_stats_t alone, blk, dual;
    timed(&cfg, &g, 0, &alone);
    cfg.host = (pim_host_t){60, 50, 30, 3};
    cfg.mode = PIM_BLOCKED;
    timed(&cfg, &g, 0, &blk);
    cfg.mode = PIM_DUAL;
    timed(&cfg, &g, 0, &dual);
    ck_assert_uint_eq(blk.host_reqs, 60 * 16);
    ck_assert_uint_eq(blk.host_rd + blk.host_wr, 60 * 16);
    ck_assert_uint_eq(dual.host_rd + dual.host_wr, 60 * 16);
    ck_assert_msg(blk.cycles > dual.cycles, "blocked %llu, dual %llu",
                  (unsigned long long)blk.cycles, (unsigned long long)dual.cycles);
    ck_assert_uint_ge(dual.cycles, alone.cycles); /* shared buses still cost something */
    /* The same PIM work either way. */
    ck_assert_uint_eq(blk.pim_col_reads, alone.pim_col_reads);
    ck_assert_uint_eq(dual.pim_col_reads, alone.pim_col_reads);
}
END_TEST

/* New-user report 9: host traffic was allowed up to 2^24 requests per
 * channel, hours of simulation (100,000 took 70 s).  The window scan is now
 * linear in the window, and above 2^20 requests per channel (about a minute
 * with every request queued at once) the run is refused with the field and
 * the bound; 2^20 itself passes the check. */
START_TEST(host_traffic_beyond_2_20_requests_per_channel_is_refused)
{
    pim_gemv_cfg_t cfg;
    hbm2(&cfg, PIM_FP16, 16, 8, 8, 2);
    const pim_gemv_t g = {2, 2048, 128};
    char err[256];
    cfg.host = (pim_host_t){(1u << 20) + 1, 1, 100, 1};
    ck_assert_int_eq(pim_gemv_check(&cfg, &g, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "host.count: 1048577 is above 1048576"), "%s", err);
    cfg.host.count = 1u << 20;
    ck_assert_msg(pim_gemv_check(&cfg, &g, err, sizeof err) == 0, "%s", err);
}
END_TEST

START_TEST(impossible_mappings_are_refused_with_a_reason)
{
    pim_gemv_cfg_t cfg;
    hbm2(&cfg, PIM_FP16, 16, 8, 8, 2);
    char err[256];
    pim_gemv_stats_t st;
    pim_gemv_t g = {32, 0, 128};
    ck_assert_int_eq(pim_gemv_time(&cfg, &g, &st, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "gemv: m is 0");
    g = (pim_gemv_t){32, 2048, 0};
    ck_assert_int_eq(pim_gemv_check(&cfg, &g, err, sizeof err), -1);
    ck_assert_str_eq(err, "gemv: k is 0");
    g = (pim_gemv_t){0, 2048, 128};
    ck_assert_int_eq(pim_gemv_compute(&cfg, &g, NULL, NULL, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "gemv: groups is 0");
    /* 2^32 x 128 fp16 = 1 TiB on an 8 GiB stack. */
    g = (pim_gemv_t){1, 1ull << 32, 128};
    ck_assert_int_eq(pim_gemv_check(&cfg, &g, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "needs 268435456 bursts per PIM unit, more than the 2097152") != NULL,
                  "%s", err);
    /* Lanes that are not one burst. */
    g = (pim_gemv_t){1, 64, 64};
    cfg.unit.lanes = 8;
    ck_assert_int_eq(pim_gemv_check(&cfg, &g, err, sizeof err), -1);
    ck_assert_str_eq(err, "pim.lanes: 8 lanes of fp16 are 16 bytes, not one DRAM burst of 32 bytes");
    /* An invalid DRAM timing set is the DRAM model's error. */
    cfg.unit.lanes = 16;
    cfg.dram.tRC = cfg.dram.tRAS; /* < tRAS + tRP */
    ck_assert_int_eq(pim_gemv_check(&cfg, &g, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "tRC") != NULL, "%s", err);
}
END_TEST

START_TEST(commands_refuse_bad_arguments)
{
    /* The refusals are expected: their messages stay out of make test's
     * output (each test runs in its own process). */
    ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
    char *a1[] = {"pimgemv", "--m", "0", NULL};
    ck_assert_int_ne(cmd_pimgemv(3, a1), 0);
    char *a2[] = {"pimgemv", "--prec", "bf16", NULL};
    ck_assert_int_eq(cmd_pimgemv(3, a2), 2);
    char *a3[] = {"pimgemv", "--preset", "DDR9", NULL};
    ck_assert_int_eq(cmd_pimgemv(3, a3), 2);
    char *a4[] = {"pimgemv", "--m", "4294967296", "--k", "128", "--groups", "1", NULL};
    ck_assert_int_eq(cmd_pimgemv(7, a4), 1);
    char *a5[] = {"rtlcheck", "--block", "pim", "--prec", "fp8", NULL};
    ck_assert_int_eq(rtlcheck_pim(5, a5), 2);
    char *a6[] = {"rtlcheck", "--block", "pim", "--lanes", "65", NULL};
    ck_assert_int_eq(rtlcheck_pim(5, a6), 2);
}
END_TEST

Suite *pim_suite(void)
{
    Suite *s = suite_create("pim");
    TCase *tc = tcase_create("pim");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fp32_add_rounds_to_nearest_even_like_double_then_float);
    tcase_add_test(tc, fp16_mac_equals_reference_for_every_operand_class);
    tcase_add_test(tc, int8_mac_wraps_like_a_naive_int32_sum);
    tcase_add_test(tc, cycle_path_equals_interpreter_and_latency_closed_form);
    tcase_add_test(tc, bad_unit_config_and_commands_are_refused);
    tcase_add_test(tc, mact_sums_the_lane_products_as_a_pairwise_tree);
    tcase_add_test(tc, gemv_values_equal_a_naive_gemv);
    tcase_add_test(tc, tree_gemv_values_equal_an_independent_tree_reference);
    tcase_add_test(tc, tree_layout_fills_the_lanes_and_is_faster_on_few_rows);
    tcase_add_test(tc, gemv_cycles_match_the_hand_derived_closed_form);
    tcase_add_test(tc, pim_beats_host_reading_over_the_bus_and_streams_near_peak);
    tcase_add_test(tc, blocked_mode_is_slower_than_dual_row_buffers_under_host_traffic);
    tcase_add_test(tc, host_traffic_beyond_2_20_requests_per_channel_is_refused);
    tcase_add_test(tc, impossible_mappings_are_refused_with_a_reason);
    tcase_add_test(tc, commands_refuse_bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}
