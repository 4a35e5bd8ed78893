/* test_numfmt.c - minifloat operands: the decoding against the published
 * format tables, and the array's arithmetic against the naive reference
 * (double values, 128-bit sum) on every pair of codes; numfmt_rtl runs the
 * same exhaustive GEMMs on the Verilated array. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/numfmt.h"
#include "../models/systolic.h"
#include "../models/te_cost.h"
#include "../models/tensor_engine.h"
#include "../sim/harness/systolic_rtl.h"
#include "tests.h"

static numfmt_t fmt(const char *s)
{
    numfmt_t f;
    char err[160];
    ck_assert_msg(numfmt_parse(s, &f, err, sizeof err) == 0, "%s", err);
    return f;
}

/* Largest finite value, smallest positive value and the count of Inf and
 * NaN codes, straight from the reference decoding. */
static void scan(const numfmt_t *f, double *max, double *min_pos, int *infs, int *nans)
{
    *max = 0;
    *min_pos = INFINITY;
    *infs = *nans = 0;
    for (uint32_t c = 0; c < (1u << numfmt_bits(f)); c++) {
        int cls;
        const double v = numfmt_ref_value(f, c, &cls);
        *infs += cls == 1;
        *nans += cls == 2;
        if (cls)
            continue;
        if (v > *max)
            *max = v;
        if (v > 0 && v < *min_pos)
            *min_pos = v;
    }
}

/* OCP OFP8 rev 1.0 Table 1 and OCP MX v1.0 Tables 2-3. */
START_TEST(formats_match_the_published_tables)
{
    static const struct {
        const char *name;
        double max, min_pos;
        int infs, nans;
    } pub[] = {
        {"e4m3", 448.0, 0x1p-9, 0, 2},     /* OFP8: S.1111.111 NaN only */
        {"e5m2", 57344.0, 0x1p-16, 2, 6},  /* OFP8: IEEE-style Inf and NaN */
        {"e2m3", 7.5, 0.125, 0, 0},        /* MX FP6 E2M3 */
        {"e3m2", 28.0, 0.0625, 0, 0},      /* MX FP6 E3M2 */
        {"e2m1", 6.0, 0.5, 0, 0},          /* MX FP4 E2M1 */
    };
    for (size_t i = 0; i < sizeof pub / sizeof pub[0]; i++) {
        const numfmt_t f = fmt(pub[i].name);
        double max, min_pos;
        int infs, nans;
        scan(&f, &max, &min_pos, &infs, &nans);
        ck_assert_msg(max == pub[i].max && min_pos == pub[i].min_pos, "%s: max %g min %g",
                      pub[i].name, max, min_pos);
        ck_assert_int_eq(infs, pub[i].infs);
        ck_assert_int_eq(nans, pub[i].nans);
    }
    /* The MX spec lists every positive E2M1 value. */
    static const double e2m1[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
    const numfmt_t f = fmt("e2m1");
    for (uint32_t c = 0; c < 16; c++) {
        int cls;
        ck_assert(numfmt_ref_value(&f, c, &cls) == (c & 8 ? -e2m1[c & 7] : e2m1[c & 7]));
    }
}
END_TEST

/* Every split of 3..8 bits: the PE's (sig, off) decoding is the value, and
 * each product, shifted in 128 bits, is the exact product. */
START_TEST(pe_decoding_and_products_are_exact_for_every_format)
{
    for (unsigned bits = 3; bits <= 8; bits++) {
        for (unsigned e = 1; e + 2 <= bits && e <= 5; e++) {
            char name[16];
            snprintf(name, sizeof name, "e%um%u", e, bits - 1 - e);
            const numfmt_t f = fmt(name);
            const int q = numfmt_lsb_exp(&f);
            const uint32_t n = 1u << bits;
            for (uint32_t x = 0; x < n; x++) {
                numfmt_dec_t dx;
                int cx;
                numfmt_decode(&f, x, &dx);
                const double vx = numfmt_ref_value(&f, x, &cx);
                ck_assert_int_eq(dx.cls, cx);
                if (!cx)
                    ck_assert_msg(ldexp(dx.sig, q + (int)dx.off) == vx, "%s code %u", name, x);
                for (uint32_t y = 0; y < n; y++) {
                    numfmt_dec_t dy;
                    int cy;
                    numfmt_decode(&f, y, &dy);
                    const double vy = numfmt_ref_value(&f, y, &cy);
                    if (cx || cy)
                        continue;
                    const __int128 p = (__int128)dx.sig * dy.sig * ((__int128)1 << (dx.off + dy.off));
                    ck_assert(p == (__int128)ldexp(vx * vy, -2 * q));
                    /* the 32-bit PE keeps the low word of that product */
                    ck_assert_uint_eq(numfmt_packed_mul(numfmt_pack(&f, x), numfmt_pack(&f, y)),
                                      (uint32_t)(unsigned __int128)p);
                }
            }
        }
    }
}
END_TEST

/* The all-pairs GEMM: A[m][0] = code m, B[0][n] = code n, so O[m][n] is the
 * product of every pair; K = 1. */
static void all_pairs(const systolic_cfg_t *cfg, int32_t **a, int32_t **b, systolic_gemm_t *g)
{
    g->m = 1u << cfg->in_bits;
    g->n = 1u << cfg->w_bits;
    g->k = 1;
    *a = malloc(g->m * sizeof **a);
    *b = malloc(g->n * sizeof **b);
    ck_assert(*a && *b);
    for (uint64_t i = 0; i < g->m; i++)
        (*a)[i] = (int32_t)i;
    for (uint64_t i = 0; i < g->n; i++)
        (*b)[i] = (int32_t)i;
}

static systolic_cfg_t fp_cfg(const char *fa, const char *fb, systolic_dataflow_t df)
{
    systolic_cfg_t c = {8, 8, df, 0, 0, 32, fmt(fa), fmt(fb), SYSTOLIC_DRAIN_SERIAL, 0, 0};
    c.in_bits = numfmt_bits(&c.in_fmt);
    c.w_bits = numfmt_bits(&c.w_fmt);
    return c;
}

static const char *const pairs[][2] = {
    {"e4m3", "e4m3"}, {"e5m2", "e5m2"}, {"e4m3", "e5m2"}, {"e3m4", "e2m5"},
    {"e3m2", "e2m3"}, {"e2m1", "e3m1"},
};

static void run_model(const systolic_cfg_t *cfg, const systolic_gemm_t *g, const int32_t *a,
                      const int32_t *b, int32_t *o)
{
    systolic_array_t *sa = systolic_array_new(cfg);
    ck_assert_ptr_nonnull(sa);
    systolic_array_start(sa, g, a, b, o);
    while (systolic_array_step(sa, NULL))
        ;
    systolic_array_free(sa);
}

START_TEST(array_multiplies_every_pair_of_codes_exactly)
{
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        for (int df = 0; df < 3; df++) {
            const systolic_cfg_t cfg = fp_cfg(pairs[p][0], pairs[p][1], (systolic_dataflow_t)df);
            int32_t *a, *b;
            systolic_gemm_t g;
            all_pairs(&cfg, &a, &b, &g);
            int32_t *o = malloc(g.m * g.n * sizeof *o), *ref = malloc(g.m * g.n * sizeof *ref);
            ck_assert(o && ref);
            systolic_reference_gemm(&cfg, &g, a, b, ref);
            run_model(&cfg, &g, a, b, o);
            for (uint64_t i = 0; i < g.m * g.n; i++)
                ck_assert_msg(o[i] == ref[i], "%s x %s %s: codes %u x %u: %d, reference %d",
                              pairs[p][0], pairs[p][1], systolic_dataflow_name(cfg.dataflow),
                              (unsigned)(i / g.n), (unsigned)(i % g.n), o[i], ref[i]);
            free(a);
            free(b);
            free(o);
            free(ref);
        }
    }
}
END_TEST

/* Long reductions of random codes: the sum wraps like the reference's. */
START_TEST(array_sums_random_codes_like_the_reference)
{
    uint64_t s = 88172645463325252ull;
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        for (int df = 0; df < 3; df++) {
            systolic_cfg_t cfg = fp_cfg(pairs[p][0], pairs[p][1], (systolic_dataflow_t)df);
            cfg.acc_bits = 24; /* narrower than the products: the wrap shows */
            const systolic_gemm_t g = {13, 11, 67};
            int32_t a[13 * 67], b[67 * 11], o[13 * 11], ref[13 * 11];
            for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
                s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                a[i] = (int32_t)(s & 0xff);
            }
            for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
                s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                b[i] = (int32_t)(s & 0xff); /* high bits above the width are ignored */
            }
            systolic_reference_gemm(&cfg, &g, a, b, ref);
            run_model(&cfg, &g, a, b, o);
            ck_assert_mem_eq(o, ref, sizeof o);
        }
    }
}
END_TEST

/* ---- the tensor engines (cube.format etc., models/tensor_engine.h) ------ */

static te_cfg_t te_fp_cfg(te_kind_t kind, const char *fa, const char *fb, int compressed)
{
    te_cfg_t c;
    char err[160];
    te_defaults(kind, &c);
    c.compressed = compressed;
    ck_assert_msg(te_cfg_set(&c, "in_format", fa, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(te_cfg_set(&c, "w_format", fb, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(te_cfg_check(&c, err, sizeof err) == 0, "%s", err);
    return c;
}

static void te_run_model(const te_cfg_t *cfg, const te_gemm_t *g, const int32_t *a,
                         const int32_t *b, int32_t *o)
{
    te_engine_t *e = te_engine_new(cfg);
    ck_assert_ptr_nonnull(e);
    te_engine_start(e, g, a, b, o);
    while (te_engine_step(e, NULL))
        ;
    te_engine_free(e);
}

/* Every pair of codes through each engine at its default shape, in every
 * multiplier of a PE's dot product: K = depth, A[m][k] = code m and
 * B[k][n] = code n for every k, so O[m][n] is depth times the product of
 * codes m and n, against te_reference_gemm (the formats' formula in double,
 * not numfmt_decode).  65,536 pairs for the 8-bit formats. */
START_TEST(engines_multiply_every_pair_of_codes_exactly)
{
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        for (int k = 0; k < TE_KINDS; k++) {
            const te_cfg_t cfg = te_fp_cfg((te_kind_t)k, pairs[p][0], pairs[p][1], (int)(p & 1));
            const te_gemm_t g = {1u << cfg.in_bits, 1u << cfg.w_bits, cfg.depth};
            int32_t *a = malloc(g.m * g.k * sizeof *a), *b = malloc(g.k * g.n * sizeof *b);
            int32_t *o = malloc(g.m * g.n * sizeof *o), *ref = malloc(g.m * g.n * sizeof *ref);
            ck_assert(a && b && o && ref);
            for (uint64_t i = 0; i < g.m * g.k; i++)
                a[i] = (int32_t)(i / g.k);
            for (uint64_t i = 0; i < g.k * g.n; i++)
                b[i] = (int32_t)(i % g.n);
            te_reference_gemm(&cfg, &g, a, b, ref);
            te_run_model(&cfg, &g, a, b, o);
            for (uint64_t i = 0; i < g.m * g.n; i++)
                ck_assert_msg(o[i] == ref[i], "%s %s x %s: codes %u x %u: %d, reference %d",
                              te_kind_name(cfg.kind), pairs[p][0], pairs[p][1],
                              (unsigned)(i / g.n), (unsigned)(i % g.n), o[i], ref[i]);
            free(a);
            free(b);
            free(o);
            free(ref);
        }
    }
}
END_TEST

/* Long reductions of random codes (K not a multiple of depth, M and N not
 * multiples of the grid), both PE options, a 24-bit accumulator narrower
 * than the products: the engines wrap like the reference. */
START_TEST(engines_sum_random_codes_like_the_reference)
{
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        for (int k = 0; k < TE_KINDS; k++)
            for (int x = 0; x < 2; x++) {
                te_cfg_t cfg = te_fp_cfg((te_kind_t)k, pairs[p][0], pairs[p][1], x);
                cfg.acc_bits = 24;
                const te_gemm_t g = {13, 19, 67};
                int32_t a[13 * 67], b[67 * 19], o[13 * 19], ref[13 * 19];
                for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
                    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                    a[i] = (int32_t)(s & 0xfff); /* bits above the width are ignored */
                }
                for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
                    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                    b[i] = (int32_t)(s & 0xfff);
                }
                te_reference_gemm(&cfg, &g, a, b, ref);
                te_run_model(&cfg, &g, a, b, o);
                ck_assert_mem_eq(o, ref, sizeof o);
            }
    }
}
END_TEST

/* The engines take the array's format keys, refuse mixed and mis-sized
 * operands, and price a minifloat multiplier as the array's fp MAC does:
 * by hand on a table of round numbers, the E2M1 x E2M1 datapath of one
 * PE's product (power_fp_mac's parts) replaces the in x w multiplier. */
START_TEST(engine_formats_are_set_checked_and_priced)
{
    te_cfg_t c;
    char err[256];
    te_defaults(TE_CUBE, &c);
    ck_assert_int_eq(te_cfg_set(&c, "format", "e5m2", err, sizeof err), 0);
    ck_assert(c.in_bits == 8 && c.w_bits == 8 && c.in_fmt.e == 5 && c.w_fmt.m == 2);
    ck_assert_int_eq(te_cfg_set(&c, "format", "int4", err, sizeof err), 0);
    ck_assert(c.in_bits == 4 && !numfmt_is_float(&c.in_fmt) && !numfmt_is_float(&c.w_fmt));
    ck_assert_int_eq(te_cfg_set(&c, "in_format", "e9m9", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "in_format") != NULL, "%s", err);
    ck_assert_int_eq(te_cfg_set(&c, "format", "int", err, sizeof err), -1);
    ck_assert_int_eq(te_cfg_set(&c, "in_format", "e4m3", err, sizeof err), 0);
    ck_assert_int_eq(te_cfg_check(&c, err, sizeof err), -1); /* w is still int4 */
    ck_assert_msg(strstr(err, "mixed") != NULL, "%s", err);
    /* the message names both operands' formats, not only the key */
    ck_assert_msg(strstr(err, "e4m3") && strstr(err, "w_format int"), "%s", err);
    /* in_format / w_format take intN too: that operand's width, integer */
    ck_assert_int_eq(te_cfg_set(&c, "w_format", "int6", err, sizeof err), 0);
    ck_assert(c.w_bits == 6 && !numfmt_is_float(&c.w_fmt) && numfmt_is_float(&c.in_fmt));
    ck_assert_int_eq(te_cfg_set(&c, "in_format", "int5", err, sizeof err), 0);
    ck_assert(c.in_bits == 5 && c.w_bits == 6 && !numfmt_is_float(&c.in_fmt));
    ck_assert_int_eq(te_cfg_check(&c, err, sizeof err), 0);
    ck_assert_int_eq(te_cfg_set(&c, "w_format", "int17", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "w_format") && strstr(err, "1..16"), "%s", err);
    c = te_fp_cfg(TE_CUBE, "e4m3", "e4m3", 0);
    c.w_bits = 7;
    ck_assert_int_eq(te_cfg_check(&c, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "w_bits") != NULL, "%s", err);

    tech_t t;
    memset(&t, 0, sizeof t);
    t.a.int8_mul = 100, t.a.int32_mul = 1600; /* area = 100 * (a*b/64) */
    t.a.int8_add = 8, t.a.int16_add = 16, t.a.int32_add = 32; /* 1 per bit */
    t.a.reg_bit = 2, t.a.mux_bit = 1;
    te_cfg_t i4;
    te_defaults(TE_ADDERTREE, &i4);
    i4.cols = 1, i4.depth = 2, i4.acc_bits = 16, i4.in_bits = i4.w_bits = 4;
    te_cfg_t f4 = te_fp_cfg(TE_ADDERTREE, "e2m1", "e2m1", 0);
    f4.cols = 1, f4.depth = 2, f4.acc_bits = 16;
    power_breakdown_t bi, bf;
    power_init(&bi);
    power_init(&bf);
    const double ai = te_grid_um2(&t, &i4, &bi), af = te_grid_um2(&t, &f4, &bf);
    /* int4: 2 multipliers of 4x4 (25 each), 1 tree adder of 4+4+1 = 9 bits */
    ck_assert_double_eq_tol(power_get(&bi, "addertree.mul"), 50, 1e-9);
    ck_assert_double_eq_tol(power_get(&bi, "addertree.tree"), 9, 1e-9);
    /* E2M1: significands 2x2 bits (6.25 each); exponent adder 3 bits; the
     * largest shift is off 2 + 2 = 4 -> 3 shift stages of 16 mux bits;
     * negate 4 bits; products span numfmt_product_bits = 1 + 2 x (2+2) = 9
     * bits, +1 for the two-input tree = 10 */
    ck_assert_double_eq_tol(power_get(&bf, "addertree.mul"), 2 * 6.25, 1e-9);
    ck_assert_double_eq_tol(power_get(&bf, "addertree.fp_exp"), 2 * 3, 1e-9);
    ck_assert_double_eq_tol(power_get(&bf, "addertree.fp_shift"), 2 * 3 * 16, 1e-9);
    ck_assert_double_eq_tol(power_get(&bf, "addertree.fp_neg"), 2 * 4, 1e-9);
    ck_assert_double_eq_tol(power_get(&bf, "addertree.tree"), 10, 1e-9);
    ck_assert_double_eq_tol(af - ai, (12.5 + 6 + 96 + 8 + 10) - (50 + 9), 1e-9);
}
END_TEST

START_TEST(formats_are_parsed_and_refused_with_a_reason)
{
    numfmt_t f;
    char err[160];
    ck_assert_int_eq(numfmt_parse("fp8_e4m3", &f, err, sizeof err), 0);
    ck_assert(f.e == 4 && f.m == 3 && f.rule == NUMFMT_OCP_E4M3);
    ck_assert_int_eq(numfmt_parse("e5m2", &f, err, sizeof err), 0);
    ck_assert_int_eq(f.rule, NUMFMT_IEEE);
    ck_assert_int_eq(numfmt_parse("int", &f, err, sizeof err), 0);
    ck_assert(!numfmt_is_float(&f));
    ck_assert_int_eq(numfmt_parse("e5m3", &f, err, sizeof err), -1); /* 9 bits */
    ck_assert_ptr_nonnull(strstr(err, "3..8"));
    ck_assert_int_eq(numfmt_parse("e1m0", &f, err, sizeof err), -1);
    ck_assert_int_eq(numfmt_parse("e6m1", &f, err, sizeof err), -1);
    ck_assert_int_eq(numfmt_parse("fp8", &f, err, sizeof err), -1);
    systolic_cfg_t c = fp_cfg("e4m3", "e4m3", SYSTOLIC_OS);
    c.w_fmt.e = 0;
    ck_assert_int_eq(systolic_cfg_check(&c, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "mixed"));
    c = fp_cfg("e4m3", "e4m3", SYSTOLIC_OS);
    c.in_bits = 7;
    ck_assert_int_eq(systolic_cfg_check(&c, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "in_bits"));
    /* Kulisch widths: E4M3 products need 37 bits, E5M2 65 (1 + 2 x (m+1+max off)) */
    const numfmt_t e4 = fmt("e4m3"), e5 = fmt("e5m2");
    ck_assert_uint_eq(numfmt_product_bits(&e4, &e4), 37);
    ck_assert_uint_eq(numfmt_product_bits(&e5, &e5), 65);
}
END_TEST

Suite *numfmt_suite(void)
{
    Suite *s = suite_create("numfmt");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, formats_match_the_published_tables);
    tcase_add_test(tc, pe_decoding_and_products_are_exact_for_every_format);
    tcase_add_test(tc, array_multiplies_every_pair_of_codes_exactly);
    tcase_add_test(tc, array_sums_random_codes_like_the_reference);
    tcase_add_test(tc, formats_are_parsed_and_refused_with_a_reason);
    suite_add_tcase(s, tc);
    TCase *te = tcase_create("engines");   /* the tensor engines' minifloats */
    tcase_set_timeout(te, 120);
    tcase_add_test(te, engines_multiply_every_pair_of_codes_exactly);
    tcase_add_test(te, engines_sum_random_codes_like_the_reference);
    tcase_add_test(te, engine_formats_are_set_checked_and_priced);
    suite_add_tcase(s, te);
    return s;
}

/* ---- the same on the Verilated array ------------------------------------ */

/* Both 8-bit OCP formats and one all-finite pair; a 4x4 array keeps the
 * three Verilator builds short. */
static const char *const rtl_pairs[][2] = {{"e4m3", "e4m3"}, {"e5m2", "e5m2"}, {"e3m2", "e2m3"}};

START_TEST(rtl_multiplies_every_pair_of_codes_like_the_reference)
{
    for (size_t p = 0; p < sizeof rtl_pairs / sizeof rtl_pairs[0]; p++) {
        systolic_cfg_t cfg = fp_cfg(rtl_pairs[p][0], rtl_pairs[p][1], SYSTOLIC_OS);
        cfg.rows = cfg.cols = 4;
        char err[512];
        systolic_rtl_t *r = systolic_rtl_open(&cfg, NULL, err, sizeof err);
        ck_assert_msg(r != NULL, "%s", err);
        int32_t *a, *b;
        systolic_gemm_t g;
        all_pairs(&cfg, &a, &b, &g);
        int32_t *o = malloc(g.m * g.n * sizeof *o), *ref = malloc(g.m * g.n * sizeof *ref);
        ck_assert(o && ref);
        systolic_reference_gemm(&cfg, &g, a, b, ref);
        for (int df = 0; df < 3; df++) {
            memset(o, 0x5a, g.m * g.n * sizeof *o);
            ports_rec_t rec;
            ports_init(&rec);
            ck_assert_msg(systolic_rtl_run(r, (systolic_dataflow_t)df, &g, a, b, o, 10000000, &rec,
                                           err, sizeof err) == 0, "%s", err);
            for (uint64_t i = 0; i < g.m * g.n; i++)
                ck_assert_msg(o[i] == ref[i], "RTL %s x %s df %d: codes %u x %u: %d, reference %d",
                              rtl_pairs[p][0], rtl_pairs[p][1], df, (unsigned)(i / g.n),
                              (unsigned)(i % g.n), o[i], ref[i]);
        }
        systolic_rtl_close(r);
        free(a);
        free(b);
        free(o);
        free(ref);
    }
}
END_TEST

/* codesim rtlcheck with mixed minifloat operands: values, cycles and every
 * cycle's memory ports equal. */
START_TEST(rtlcheck_finds_no_mismatch_on_minifloat_operands)
{
    expect_rtlcheck("systolic", "--rows 4 --cols 4 --dataflow ws --a-format e4m3 --w-format e3m2",
                    20, 7, "memory-port activity equal every cycle in", NULL);
}
END_TEST

Suite *numfmt_rtl_suite(void)
{
    Suite *s = suite_create("numfmt_rtl");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, rtl_multiplies_every_pair_of_codes_like_the_reference);
    tcase_add_test(tc, rtlcheck_finds_no_mismatch_on_minifloat_operands);
    suite_add_tcase(s, tc);
    return s;
}
