/* test_lut.c - the LUT tensor core model (models/lut_tc.h) against
 * independent references: a plain integer GEMM on weights dequantized here,
 * event counts from a loop nest written here and from hand-derived closed
 * forms, the fast path against the cycle-by-cycle path, and bad inputs. */
#include <stdlib.h>
#include <string.h>

#include "../models/lut_tc.h"
#include "tests.h"

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Dequantization written out from the definitions in the header comment. */
static int64_t dequant(lut_wq_t wq, uint32_t bits, uint32_t zp, int32_t q)
{
    if (wq == LUT_WQ_TERNARY)
        return q - 1;                                /* {0,1,2} -> {-1,0,+1} */
    if (wq == LUT_WQ_ZP)
        return q - (int64_t)zp;
    return 2 * (int64_t)q - ((1 << bits) - 1);       /* odd symmetric grid */
}

/* A random, valid configuration with a small tile. */
static void random_cfg(uint64_t *s, lut_cfg_t *c)
{
    lut_defaults(c);
    c->a_bits = 2 + (uint32_t)(rnd(s) % 9);
    c->g = 1 + (uint32_t)(rnd(s) % 6);
    c->sym_table = (int)(rnd(s) % 2);
    c->fused = (int)(rnd(s) % 2);
    const unsigned w = (unsigned)(rnd(s) % 5);
    if (w == 4) {
        c->wq = LUT_WQ_TERNARY;
        c->w_bits = 2;
    } else {
        c->w_bits = 1 + w;
        c->wq = rnd(s) % 2 ? LUT_WQ_SYM : LUT_WQ_ZP;
        c->zp = (uint32_t)(rnd(s) % (1u << c->w_bits));
    }
    c->tm = 1 + (uint32_t)(rnd(s) % 4);
    c->tn = 1 + (uint32_t)(rnd(s) % 6);
    c->tk = c->g * (1 + (uint32_t)(rnd(s) % 3));
    c->table_entries = c->tm * (c->tk / c->g) * lut_entries(c);
    c->dma.bytes_per_cycle = 1 + (uint32_t)(rnd(s) % 16);
    c->w_buf_bytes = rnd(s) % 2 ? 4096 : 128;   /* 128: W refetched per m-tile */
    c->act_buf_bytes = 4096;
}

START_TEST(values_equal_integer_gemm_on_dequantized_weights)
{
    uint64_t s = 0x1234567ull + (uint64_t)_i;
    for (int trial = 0; trial < 400; trial++) {
        lut_cfg_t c;
        random_cfg(&s, &c);
        char err[256];
        ck_assert_msg(lut_cfg_check(&c, err, sizeof err) == 0, "%s", err);
        const lut_gemm_t g = {1 + rnd(&s) % 11, 1 + rnd(&s) % 13, 1 + rnd(&s) % 29};
        const uint32_t P = lut_planes(&c);
        int32_t *a = malloc(g.m * g.k * sizeof *a), *q = malloc(g.k * g.n * sizeof *q);
        int32_t *o = malloc(g.m * g.n * sizeof *o);
        uint8_t *pk = malloc(lut_packed_words(&c, &g));
        ck_assert(a && q && o && pk);
        /* Extreme activations too: the most negative value stresses signs. */
        for (uint64_t i = 0; i < g.m * g.k; i++)
            a[i] = rnd(&s) % 4 == 0 ? -(1 << (c.a_bits - 1))
                                    : (int32_t)(rnd(&s) % (1u << c.a_bits)) - (1 << (c.a_bits - 1));
        for (uint64_t i = 0; i < g.k * g.n; i++)
            q[i] = (int32_t)(rnd(&s) % (c.wq == LUT_WQ_TERNARY ? 3u : 1u << P));
        lut_pack_weights(&c, &g, q, pk);
        memset(o, 0x5a, g.m * g.n * sizeof *o);
        lut_stats_t st;
        ck_assert_msg(lut_run(&c, &g, LUT_CYCLE, a, pk, o, &st, err, sizeof err) == 0, "%s", err);
        for (uint64_t m = 0; m < g.m; m++)
            for (uint64_t n = 0; n < g.n; n++) {
                int64_t ref = 0;
                for (uint64_t k = 0; k < g.k; k++)
                    ref += (int64_t)a[m * g.k + k] * dequant(c.wq, c.w_bits, c.zp, q[k * g.n + n]);
                ck_assert_msg(ref == o[m * g.n + n],
                              "trial %d wq=%d W%u g=%u sym=%d fused=%d %lux%lux%lu: O[%lu][%lu] "
                              "= %d, want %lld",
                              trial, c.wq, c.w_bits, c.g, c.sym_table, c.fused,
                              (unsigned long)g.m, (unsigned long)g.n, (unsigned long)g.k,
                              (unsigned long)m, (unsigned long)n, o[m * g.n + n], (long long)ref);
            }
        free(a);
        free(q);
        free(o);
        free(pk);
    }
}
END_TEST

START_TEST(fast_path_equals_cycle_path)
{
    uint64_t s = 0xfeedull + (uint64_t)_i;
    for (int trial = 0; trial < 400; trial++) {
        lut_cfg_t c;
        random_cfg(&s, &c);
        c.scale_group = rnd(&s) % 3 == 0 ? c.tk * 2 : 0;
        const lut_gemm_t g = {1 + rnd(&s) % 17, 1 + rnd(&s) % 19, 1 + rnd(&s) % 41};
        lut_stats_t f, y;
        char err[256];
        ck_assert_msg(lut_run(&c, &g, LUT_FAST, NULL, NULL, NULL, &f, err, sizeof err) == 0, "%s",
                      err);
        ck_assert_msg(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &y, err, sizeof err) == 0, "%s",
                      err);
        ck_assert_uint_eq(f.total_cycles, y.total_cycles);
        ck_assert_uint_eq(f.stall_cycles, y.stall_cycles);
        ck_assert_uint_eq(f.dram_read_bytes, y.dram_read_bytes);
        ck_assert_msg(memcmp(&f, &y, sizeof f) == 0, "trial %d: some event differs", trial);
    }
}
END_TEST

/* Issue 14: the fast path finishes runs of identical column steps, K tiles
 * and row tiles by arithmetic (models/periodic.h).  Small tiles over larger
 * shapes make every run long; every event equals the cycle path's. */
START_TEST(fast_path_runs_finished_by_arithmetic_equal_the_cycle_path)
{
    uint64_t s = 0xabcdefull + 7 * (uint64_t)_i;
    for (int trial = 0; trial < 60; trial++) {
        lut_cfg_t c;
        random_cfg(&s, &c);
        c.tm = 1 + (uint32_t)(rnd(&s) % 2);
        c.tn = 1 + (uint32_t)(rnd(&s) % 2);
        c.tk = c.g * (1 + (uint32_t)(rnd(&s) % 2));
        c.table_entries = c.tm * (c.tk / c.g) * lut_entries(&c);
        const lut_gemm_t g = {1 + rnd(&s) % 24, 1 + rnd(&s) % 24, 1 + rnd(&s) % 48};
        lut_stats_t f, y;
        char err[256];
        ck_assert_msg(lut_run(&c, &g, LUT_FAST, NULL, NULL, NULL, &f, err, sizeof err) == 0, "%s",
                      err);
        ck_assert_msg(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &y, err, sizeof err) == 0, "%s",
                      err);
        ck_assert_uint_eq(f.total_cycles, y.total_cycles);
        ck_assert_uint_eq(f.move_wait_cycles, y.move_wait_cycles);
        ck_assert_uint_eq(f.dram_read_bytes, y.dram_read_bytes);
        ck_assert_uint_eq(f.dram_write_bytes, y.dram_write_bytes);
        ck_assert_msg(memcmp(&f, &y, sizeof f) == 0, "trial %d: some event differs", trial);
    }
}
END_TEST

/* Issue 14: a layer of about 2^45 steps (2^29 pairs of 2^16 column steps,
 * with g = 4)
 * runs on the fast path (it was refused above 2^26 steps) with counts equal
 * to their closed forms: each output written once per K tile, 4 bytes each
 * on the last; the cycle path still refuses it. */
START_TEST(huge_layer_runs_on_the_fast_path)
{
    lut_cfg_t c;
    lut_defaults(&c);
    c.tm = 1;
    c.tn = 1;
    c.tk = c.g;
    c.table_entries = lut_entries(&c);
    const lut_gemm_t g = {1u << 15, 1u << 16, 1u << 16};
    lut_stats_t st;
    char err[256];
    ck_assert_msg(lut_run(&c, &g, LUT_FAST, NULL, NULL, NULL, &st, err, sizeof err) == 0, "%s",
                  err);
    const uint64_t KT = (1u << 16) / c.tk;
    ck_assert_uint_eq(st.out_writes, KT * g.m * g.n);
    ck_assert_uint_eq(st.dram_write_bytes, g.m * g.n * LUT_OUT_BYTES);
    ck_assert(st.total_cycles >= st.compute_cycles);
    ck_assert(st.total_cycles >= (st.dram_read_bytes + st.dram_write_bytes) / c.dma.bytes_per_cycle);
    ck_assert_int_eq(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &st, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "2^26") != NULL, "%s", err);
}
END_TEST

/* The loop nest of the header comment, counted here lane by lane; the
 * drainer is followed as a countdown of rows left. */
static void loop_nest_counts(const lut_cfg_t *c, const lut_gemm_t *g, lut_stats_t *e)
{
    memset(e, 0, sizeof *e);
    const uint64_t P = lut_planes(c), E = lut_entries(c);
    const int zp = c->wq != LUT_WQ_SYM;
    uint64_t rows_left = 0;     /* rows the drainer still has to write */
    e->compute_cycles = 1;
    for (uint64_t m0 = 0; m0 < g->m; m0 += c->tm) {
        const uint64_t ml = g->m - m0 < c->tm ? g->m - m0 : c->tm;
        for (uint64_t k0 = 0; k0 < g->k; k0 += c->tk) {
            const uint64_t kl = g->k - k0 < c->tk ? g->k - k0 : c->tk;
            const uint64_t groups = (kl + c->g - 1) / c->g;
            for (uint64_t j = 0; j < groups; j++) {
                if (!c->fused) {
                    e->precompute_cycles++;
                    rows_left -= rows_left > 0;
                    for (uint64_t t = 0; t < c->g; t++)
                        e->act_reads += k0 + j * c->g + t < g->k ? ml : 0;
                }
                e->table_writes += ml * E;
                e->rowsum_adds += zp ? ml : 0;
            }
            for (uint64_t n0 = 0; n0 < g->n; n0 += c->tn) {
                const uint64_t nl = g->n - n0 < c->tn ? g->n - n0 : c->tn;
                for (uint64_t j = 0; j < groups; j++)
                    for (uint64_t i = 0; i < P; i++) {
                        e->lookup_cycles++;
                        rows_left -= rows_left > 0;
                        e->weight_reads += nl;
                        e->table_reads += ml * nl;
                        e->shifts += i ? ml * nl : 0;
                    }
                /* MOVE: waits while more than this cycle's row is left. */
                while (rows_left > 1) {
                    e->move_wait_cycles++;
                    rows_left--;
                }
                e->move_cycles++;
                rows_left = ml;
                for (uint64_t r = 0; r < ml; r++) {
                    e->drain_cycles++;
                    e->out_writes += nl;
                    e->out_acc_reads += k0 ? nl : 0;
                }
            }
        }
    }
    e->finish_cycles = rows_left;
    e->compute_cycles += e->precompute_cycles + e->lookup_cycles + e->move_cycles +
                         e->move_wait_cycles + e->finish_cycles;
}

START_TEST(events_equal_loop_nest_counts)
{
    uint64_t s = 0xabcdefull;
    for (int trial = 0; trial < 300; trial++) {
        lut_cfg_t c;
        random_cfg(&s, &c);
        const lut_gemm_t g = {1 + rnd(&s) % 23, 1 + rnd(&s) % 21, 1 + rnd(&s) % 50};
        lut_stats_t y, e;
        char err[256];
        ck_assert_msg(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &y, err, sizeof err) == 0, "%s",
                      err);
        loop_nest_counts(&c, &g, &e);
        ck_assert_uint_eq(y.compute_cycles, e.compute_cycles);
        ck_assert_uint_eq(y.precompute_cycles, e.precompute_cycles);
        ck_assert_uint_eq(y.lookup_cycles, e.lookup_cycles);
        ck_assert_uint_eq(y.drain_cycles, e.drain_cycles);
        ck_assert_uint_eq(y.move_cycles, e.move_cycles);
        ck_assert_uint_eq(y.move_wait_cycles, e.move_wait_cycles);
        ck_assert_uint_eq(y.finish_cycles, e.finish_cycles);
        ck_assert_uint_eq(y.act_reads, e.act_reads);
        ck_assert_uint_eq(y.table_writes, e.table_writes);
        ck_assert_uint_eq(y.rowsum_adds, e.rowsum_adds);
        ck_assert_uint_eq(y.weight_reads, e.weight_reads);
        ck_assert_uint_eq(y.table_reads, e.table_reads);
        ck_assert_uint_eq(y.acc_adds, e.table_reads);
        ck_assert_uint_eq(y.sign_ops, c.sym_table ? e.table_reads : 0);
        ck_assert_uint_eq(y.shifts, e.shifts);
        ck_assert_uint_eq(y.out_writes, e.out_writes);
        ck_assert_uint_eq(y.out_acc_reads, e.out_acc_reads);
        ck_assert_uint_eq(y.precompute_adds + y.fused_precompute_adds,
                          e.table_writes * (c.g - 1));
    }
}
END_TEST

START_TEST(events_equal_hand_derived_closed_forms)
{
    /* M=5 N=7 K=10 on a 2 x 3 x 4 tile, g=2, W3 zero point, symmetrized:
     * MT=3 NT=3 KT=3, ceil(K/g)=5 groups, P=3 planes, E=2 entries. */
    lut_cfg_t c;
    lut_defaults(&c);
    c.w_bits = 3, c.wq = LUT_WQ_ZP, c.zp = 3, c.g = 2, c.sym_table = 1;
    c.tm = 2, c.tn = 3, c.tk = 4, c.table_entries = 64;
    const lut_gemm_t g = {5, 7, 10};
    lut_stats_t y;
    char err[256];
    ck_assert_msg(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &y, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_uint_eq(y.precompute_cycles, 15);   /* MT x 5 groups */
    ck_assert_uint_eq(y.lookup_cycles, 135);      /* MT x NT x 5 x P */
    ck_assert_uint_eq(y.move_cycles, 27);         /* MT x KT x NT */
    ck_assert_uint_eq(y.move_wait_cycles, 0);     /* drains of <= 2 rows hide */
    ck_assert_uint_eq(y.finish_cycles, 1);        /* the last m-tile has 1 row */
    ck_assert_uint_eq(y.drain_cycles, 45);        /* NT x KT x M, overlapped */
    ck_assert_uint_eq(y.compute_cycles, 179);     /* 1 + 15 + 135 + 27 + 1 */
    ck_assert_uint_eq(y.bank_writes, 105);        /* KT x M x N */
    ck_assert_uint_eq(y.act_reads, 50);           /* M x K */
    ck_assert_uint_eq(y.table_writes, 50);        /* M x 5 x E */
    ck_assert_uint_eq(y.precompute_adds, 50);     /* x (g-1) */
    ck_assert_uint_eq(y.rowsum_adds, 25);         /* M x 5 */
    ck_assert_uint_eq(y.weight_reads, 315);       /* MT x 5 x P x N */
    ck_assert_uint_eq(y.table_reads, 525);        /* M x 5 x P x N */
    ck_assert_uint_eq(y.sign_ops, 525);
    ck_assert_uint_eq(y.shifts, 350);             /* M x 5 x (P-1) x N */
    ck_assert_uint_eq(y.out_writes, 105);         /* KT x M x N */
    ck_assert_uint_eq(y.out_acc_reads, 70);       /* (KT-1) x M x N */
    ck_assert_uint_eq(y.zp_muls, 45);             /* one per drain cycle */
    ck_assert_uint_eq(y.zp_adds, 105);
    ck_assert_uint_eq(y.macs, 350);
    /* DRAM: int8 activations 50 B; packed weights are 2-bit words (g=2), 5
     * groups x 7 columns x 3 planes = 105 words = 210 bits, fetched once
     * (the whole W fits half the weight buffer): per L-step ceil(Gt*nl*3*2/8):
     * k-tiles of 2,2,1 groups, n-tiles of 3,3,1 columns -> 5+5+2, 5+5+2, 3+3+1
     * = 31 bytes; outputs 5 x 7 x 4 = 140 bytes. */
    ck_assert_uint_eq(y.dram_read_bytes, 50 + 31);
    ck_assert_uint_eq(y.dram_write_bytes, 140);

    /* A drain longer than the next tile's work: M=4 N=2 K=2 on a 4 x 1 x 2
     * tile, g=2, W1.  Cycle 0 accept, 1 PRE, 2 LOOK, 3 MOVE; the drainer
     * writes rows at 4..7 while 4 is LOOK of column 1 and 5, 6 wait; the MOVE
     * at 7 (the drainer's last row) succeeds; the last drain is 8..11. */
    lut_defaults(&c);
    c.w_bits = 1, c.wq = LUT_WQ_SYM, c.g = 2, c.tm = 4, c.tn = 1, c.tk = 2;
    c.table_entries = 64;
    const lut_gemm_t g2 = {4, 2, 2};
    ck_assert_msg(lut_run(&c, &g2, LUT_CYCLE, NULL, NULL, NULL, &y, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_uint_eq(y.move_wait_cycles, 2);
    ck_assert_uint_eq(y.finish_cycles, 4);
    ck_assert_uint_eq(y.compute_cycles, 12);
}
END_TEST

START_TEST(symmetrization_halves_the_table_and_fusion_moves_precompute)
{
    lut_cfg_t c;
    lut_defaults(&c);
    c.tm = 4, c.tn = 16, c.tk = 16, c.sym_table = 0, c.table_entries = 4096;
    const lut_gemm_t g = {9, 40, 70};
    lut_stats_t full, sym, fused;
    char err[256];
    ck_assert(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &full, err, sizeof err) == 0);
    c.sym_table = 1;
    ck_assert(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &sym, err, sizeof err) == 0);
    c.fused = 1;
    ck_assert(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &fused, err, sizeof err) == 0);
    ck_assert_uint_eq(full.table_writes, 2 * sym.table_writes);
    ck_assert_uint_eq(full.precompute_adds, 2 * sym.precompute_adds);
    ck_assert_uint_eq(full.compute_cycles, sym.compute_cycles);  /* same schedule */
    ck_assert_uint_eq(full.sign_ops, 0);
    ck_assert_uint_eq(sym.sign_ops, sym.table_reads);
    /* Fused: no PRE cycles, no activation reads, the adds move upstream. */
    ck_assert_uint_eq(fused.precompute_cycles, 0);
    ck_assert_uint_eq(fused.compute_cycles, sym.compute_cycles - sym.precompute_cycles);
    ck_assert_uint_eq(fused.act_reads, 0);
    ck_assert_uint_eq(fused.precompute_adds, 0);
    ck_assert_uint_eq(fused.fused_precompute_adds, sym.precompute_adds);
    ck_assert_uint_eq(fused.table_writes, sym.table_writes);
    /* Fused tables cross DRAM instead of activations: per group of 4 int8
     * activations (4 bytes) 2^(g-1) = 8 entries of 10 bits (2 bytes each):
     * 9 rows x ceil(70/4) = 18 groups x 16 bytes against 9 x 70 bytes. */
    ck_assert_uint_eq(fused.dram_read_bytes - sym.dram_read_bytes, 9 * 18 * 16 - 9 * 70);
}
END_TEST

START_TEST(stalls_follow_the_dram_channel)
{
    lut_cfg_t c;
    lut_defaults(&c);
    const lut_gemm_t g = {1, 512, 256};    /* a GEMV: weight traffic dominates */
    lut_stats_t fast_bw, slow_bw;
    char err[256];
    c.dma.bytes_per_cycle = DMA_MAX_BYTES_PER_CYCLE;
    ck_assert(lut_run(&c, &g, LUT_FAST, NULL, NULL, NULL, &fast_bw, err, sizeof err) == 0);
    /* Every fetch takes one cycle and is issued two steps ahead, so only the
     * first fetch (ready at cycle 1, when the accept cycle ends) and the last
     * write-back (one cycle) are exposed. */
    ck_assert_uint_eq(fast_bw.stall_cycles, 1);
    c.dma.bytes_per_cycle = 1;
    ck_assert(lut_run(&c, &g, LUT_FAST, NULL, NULL, NULL, &slow_bw, err, sizeof err) == 0);
    ck_assert_uint_eq(slow_bw.compute_cycles, fast_bw.compute_cycles);
    ck_assert_uint_eq(slow_bw.dram_read_bytes, fast_bw.dram_read_bytes);
    /* One byte per cycle through one channel: at least every byte's cycle. */
    ck_assert_uint_ge(slow_bw.total_cycles, slow_bw.dram_read_bytes + slow_bw.dram_write_bytes);
    /* 256 int8 activations + 512 columns x 256 weights x 2 bits. */
    ck_assert_uint_eq(slow_bw.dram_read_bytes, 256 + 512 * 256 * 2 / 8);
}
END_TEST

START_TEST(scaler_counts_one_multiply_per_drained_partial)
{
    lut_cfg_t c;
    lut_defaults(&c);
    const lut_gemm_t g = {16, 256, 256};
    lut_stats_t plain, scaled;
    char err[256];
    ck_assert(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &plain, err, sizeof err) == 0);
    c.scale_group = 128;
    ck_assert(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, NULL, &scaled, err, sizeof err) == 0);
    ck_assert_uint_eq(scaled.scale_muls, scaled.out_writes);
    ck_assert_uint_eq(scaled.out_writes, 4 * 16 * 256);   /* K/tk = 4 partials per output */
    ck_assert_uint_eq(scaled.compute_cycles, plain.compute_cycles + LUT_SCALE_LATENCY);
}
END_TEST

static void expect_cfg_error(const lut_cfg_t *c, const char *prefix)
{
    char err[256] = "";
    ck_assert_int_eq(lut_cfg_check(c, err, sizeof err), -1);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "want '%s...', got '%s'", prefix,
                  err);
    ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(bad_configs_name_the_field)
{
    lut_cfg_t d, c;
    lut_defaults(&d);
    char err[256];
    ck_assert_msg(lut_cfg_check(&d, err, sizeof err) == 0, "%s", err);
    c = d, c.a_bits = 1;
    expect_cfg_error(&c, "a_bits: ");
    c = d, c.w_bits = 5;
    expect_cfg_error(&c, "w_bits: ");
    c = d, c.w_bits = 0;
    expect_cfg_error(&c, "w_bits: ");
    c = d, c.wq = LUT_WQ_TERNARY, c.w_bits = 3;
    expect_cfg_error(&c, "w_bits: ");
    c = d, c.zp = 4;                       /* W2 */
    expect_cfg_error(&c, "zp: ");
    c = d, c.g = 9;
    expect_cfg_error(&c, "g: ");
    c = d, c.g = 8, c.tm = 9;              /* 9 rows x 128 entries > 1024 */
    expect_cfg_error(&c, "g: ");
    c = d, c.tk = 66;
    expect_cfg_error(&c, "tile_k: ");
    c = d, c.tk = 128;                     /* twice the table buffer */
    expect_cfg_error(&c, "tile_k: ");
    c = d, c.tm = 0;
    expect_cfg_error(&c, "tile_m: ");
    c = d, c.tn = LUT_MAX_TN + 1;
    expect_cfg_error(&c, "tile_n: ");
    c = d, c.a_bits = 16, c.w_bits = 4, c.zp = 0, c.tk = 4096, c.table_entries = 1u << 20;
    c.act_buf_bytes = c.w_buf_bytes = 1u << 24;
    expect_cfg_error(&c, "tile_k: ");       /* partial sums overflow 32 bits */
    c = d, c.scale_group = 100;
    expect_cfg_error(&c, "scale_group: ");
    c = d, c.w_buf_bytes = 64;
    expect_cfg_error(&c, "w_buf_bytes: ");
    c = d, c.act_buf_bytes = 64;
    expect_cfg_error(&c, "act_buf_bytes: ");
    c = d, c.dma.bytes_per_cycle = 0;
    expect_cfg_error(&c, "");
}
END_TEST

START_TEST(bad_gemms_name_the_field)
{
    lut_cfg_t c;
    lut_defaults(&c);
    char err[256];
    lut_gemm_t g = {4, 4, 0};
    ck_assert_int_eq(lut_gemm_check(&c, &g, err, sizeof err), -1);
    ck_assert_str_eq(err, "k: 0 is outside 1..16777216");
    g = (lut_gemm_t){4, 4, 1u << 23};       /* 2^23 x 128 x 3 > 2^31 */
    ck_assert_int_eq(lut_gemm_check(&c, &g, err, sizeof err), -1);
    ck_assert_msg(strncmp(err, "k: ", 3) == 0, "%s", err);
    g = (lut_gemm_t){64, 1u << 20, 64};     /* 8 output rows of 1M int32 */
    ck_assert_int_eq(lut_gemm_check(&c, &g, err, sizeof err), -1);
    ck_assert_msg(strncmp(err, "out_buf_bytes: ", 15) == 0, "%s", err);
    /* lut_run refuses too and leaves out untouched. */
    int32_t out = 77;
    lut_stats_t st;
    g = (lut_gemm_t){1, 1, 0};
    ck_assert_int_eq(lut_run(&c, &g, LUT_CYCLE, NULL, NULL, &out, &st, err, sizeof err), -1);
    ck_assert_int_eq(out, 77);
}
END_TEST

Suite *lut_suite(void)
{
    Suite *s = suite_create("lut");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, values_equal_integer_gemm_on_dequantized_weights, 0, 2);
    tcase_add_loop_test(tc, fast_path_equals_cycle_path, 0, 2);
    tcase_add_loop_test(tc, fast_path_runs_finished_by_arithmetic_equal_the_cycle_path, 0, 4);
    tcase_add_test(tc, huge_layer_runs_on_the_fast_path);
    tcase_add_test(tc, events_equal_loop_nest_counts);
    tcase_add_test(tc, events_equal_hand_derived_closed_forms);
    tcase_add_test(tc, symmetrization_halves_the_table_and_fusion_moves_precompute);
    tcase_add_test(tc, stalls_follow_the_dram_channel);
    tcase_add_test(tc, scaler_counts_one_multiply_per_drained_partial);
    tcase_add_test(tc, bad_configs_name_the_field);
    tcase_add_test(tc, bad_gemms_name_the_field);
    suite_add_tcase(s, tc);
    return s;
}
