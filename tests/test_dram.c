/* test_dram.c - the DRAM device, controller, timing checker and trace parser.
 *
 * References: numbers derived by hand from the preset timings (latencies,
 * refresh cycles, peak bandwidth from the datasheet channel counts, widths and
 * pin rates), hand-built command streams that break exactly one timing rule
 * each, and the independent checker (models/dram_check.c), which replays every
 * command stream a test produces and must find zero violations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../models/dram.h"
#include "../models/dram_check.h"
#include "../models/dram_ctrl.h"
#include "../sim/io/dram_trace.h"
#include "tests.h"

int cmd_dram(int argc, char **argv);

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static dram_ctrl_cfg_t preset_cfg(const char *name)
{
    dram_ctrl_cfg_t c;
    char err[128];
    dram_ctrl_defaults(&c);
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "preset", name, err, sizeof err), 0);
    return c;
}

/* ---- a driver with the checker attached ---------------------------------------- */

typedef struct {
    uint64_t addr, at;
    int write;
} req_t;

typedef struct {
    dram_check_t *chk;
    uint64_t *done;      /* [tag] completion cycle */
    uint64_t *arrive;    /* [tag] cycle entered the queue */
    dram_cmd_t *cmds;    /* every command, when keep */
    size_t ncmds, cap;
    uint64_t end;
    uint64_t skipped;    /* REFs reported by dram_ctrl_skip_idle as runs */
    dram_ctrl_stats_t st;
} run_t;

static void t_keep(run_t *x, const dram_cmd_t *c)
{
    if (x->ncmds == x->cap) {
        x->cap *= 2;
        x->cmds = realloc(x->cmds, x->cap * sizeof *x->cmds);
        ck_assert_ptr_nonnull(x->cmds);
    }
    x->cmds[x->ncmds++] = *c;
}

static void t_cmd(void *p, const dram_cmd_t *c)
{
    run_t *x = p;
    dram_check_cmd(x->chk, c);
    x->end = c->cycle;
    if (x->cap)
        t_keep(x, c);
}

static void t_done(void *p, uint64_t tag, int write, uint64_t arrive, uint64_t done)
{
    (void)write;
    run_t *x = p;
    x->done[tag] = done;
    x->arrive[tag] = arrive;
}

/* A run of REFs skipped by arithmetic: the checker's closed form, and the
 * commands spelled out when they are kept. */
static void t_refs(void *p, uint16_t unit, uint64_t first, uint64_t count, uint64_t period)
{
    run_t *x = p;
    dram_check_ref_run(x->chk, unit, first, count, period);
    x->skipped += count;
    for (uint64_t j = 0; x->cap && j < count; j++)
        t_keep(x, &(dram_cmd_t){.cycle = first + j * period, .kind = DRAM_REF, .unit = unit});
}

static void run_opt(const dram_ctrl_cfg_t *cfg, const req_t *r, size_t n, int keep, int skip,
                    run_t *x);

/* Runs reqs (nondecreasing .at) to completion; asserts the checker finds no
 * violation.  keep: record the command stream in x->cmds. */
static void run(const dram_ctrl_cfg_t *cfg, const req_t *r, size_t n, int keep, run_t *x)
{
    run_opt(cfg, r, n, keep, 0, x);
}

/* skip: idle gaps go through dram_ctrl_skip_idle, as in `codesim dram`. */
static void run_opt(const dram_ctrl_cfg_t *cfg, const req_t *r, size_t n, int keep, int skip,
                    run_t *x)
{
    memset(x, 0, sizeof *x);
    x->chk = dram_check_new(&cfg->dev, cfg->refresh);
    x->done = calloc(n, sizeof *x->done);
    x->arrive = calloc(n, sizeof *x->arrive);
    if (keep) {
        x->cap = 1024;
        x->cmds = malloc(x->cap * sizeof *x->cmds);
    }
    ck_assert(x->chk && x->done && x->arrive);
    dram_ctrl_t c;
    char err[256];
    ck_assert_msg(dram_ctrl_init(&c, cfg, t_cmd, t_done, x, err, sizeof err) == 0, "%s", err);
    c.on_refs = t_refs;
    uint64_t now = n ? r[0].at : 0;
    size_t i = 0;
    for (;;) {
        while (i < n && r[i].at <= now) {
            const int rc = dram_ctrl_push(&c, r[i].addr, r[i].write, now, i, err, sizeof err);
            ck_assert_msg(rc >= 0, "%s", err);
            if (rc)
                break;
            if (++i == n)
                dram_ctrl_flush(&c, now); /* the last request: queued writes drain */
        }
        uint64_t next = dram_ctrl_tick(&c, now);
        if (i == n && c.pending == 0)
            break;
        if (i < n && r[i].at > now && r[i].at < next)
            next = r[i].at;
        if (skip && i < n && r[i].at > next && dram_ctrl_skip_idle(&c, now, r[i].at))
            next = r[i].at;
        now = next > now ? next : now + 1;
    }
    x->st = c.st;
    dram_ctrl_free(&c);
    dram_check_finish(x->chk, x->end);
    size_t nv;
    const dram_violation_t *v = dram_check_first(x->chk, &nv);
    char line[200] = "";
    if (nv)
        dram_check_describe(&v[0], line, sizeof line);
    ck_assert_msg(dram_check_total(x->chk) == 0, "checker: %llu violations, first %s",
                  (unsigned long long)dram_check_total(x->chk), line);
}

static void run_free(run_t *x)
{
    dram_check_free(x->chk);
    free(x->done);
    free(x->arrive);
    free(x->cmds);
}

static uint64_t addr_of(const dram_cfg_t *g, uint32_t unit, uint32_t bg, uint32_t bank,
                        uint32_t row, uint32_t col)
{
    const dram_loc_t l = {unit, bg, bank, row, col};
    return dram_encode(g, &l);
}

/* ---- presets and configuration --------------------------------------------------- */

START_TEST(peak_bandwidth_of_each_preset_is_channels_x_width_x_pin_rate)
{
    /* Datasheet figures: HBM2 (JESD235B) 8 channels x 128 bits at 2.0 Gb/s;
     * HBM3 (JESD238) 16 channels x 64 bits at 6.4 Gb/s; GDDR6 (JESD250) one
     * x16 device: 2 channels x 16 bits at 16 Gb/s. */
    const struct {
        const char *name;
        double ch, bits, gbps;
    } p[] = {{"HBM2", 8, 128, 2.0}, {"HBM3", 16, 64, 6.4}, {"GDDR6", 2, 16, 16.0}};
    for (int i = 0; i < 3; i++) {
        const dram_ctrl_cfg_t c = preset_cfg(p[i].name);
        const double hand = p[i].ch * p[i].bits * p[i].gbps * 1e9 / 8;
        const double model = dram_peak_bytes_per_s(&c.dev);
        ck_assert_msg(model > hand * (1 - 1e-9) && model < hand * (1 + 1e-9),
                      "%s: model %.6g B/s, datasheet %.6g B/s", p[i].name, model, hand);
        char err[256];
        ck_assert_msg(dram_cfg_check(&c.dev, err, sizeof err) == 0, "%s: %s", p[i].name, err);
    }
    /* 256, 819.2 and 64 GB/s. */
    const dram_ctrl_cfg_t h = preset_cfg("HBM2");
    ck_assert(dram_peak_bytes_per_s(&h.dev) > 255.999e9 && dram_peak_bytes_per_s(&h.dev) < 256.001e9);
}
END_TEST

START_TEST(preset_capacities_match_the_stack_and_device_sizes)
{
    /* HBM2 8-Hi of 8 Gb dies = 8 GiB; HBM3 16 GiB stack; GDDR6 8 Gb device. */
    const char *n[] = {"HBM2", "HBM3", "GDDR6"};
    const uint64_t cap[] = {8ull << 30, 16ull << 30, 1ull << 30};
    for (int i = 0; i < 3; i++) {
        const dram_ctrl_cfg_t c = preset_cfg(n[i]);
        ck_assert_uint_eq(dram_capacity(&c.dev), cap[i]);
        ck_assert_uint_eq(dram_burst_bytes(&c.dev), 32);
    }
}
END_TEST

START_TEST(invalid_timing_sets_are_refused_with_the_rule)
{
    const struct {
        const char *key, *val, *msg;
    } bad[] = {
        {"tRC", "40", "tRC: 40 is less than tRAS + tRP = 33 + 14"},
        {"tRAS", "10", "tRAS: 10 is less than tRCD"},
        {"tBL", "3", "tBL: 3 cycles x 2 transfers per tCK is not the burst length 4"},
        {"tCCD_L", "1", "tCCD_L: 1 is less than tCCD_S"},
        {"tCCD_S", "1", "tCCD_S: 1 is less than tBL"},
        {"tRRD_L", "2", "tRRD_L: 2 is less than tRRD_S"},
        {"tWTR_L", "1", "tWTR_L: 1 is less than tWTR_S"},
        {"tFAW", "2", "tFAW: 2 is less than tRRD_S"},
        {"tRFC", "20", "tRFC: 20 is less than tRC"},
        {"tREFI", "300", "tREFI: 300 leaves no time"},
        {"tRCD", "0", "tRCD: 0 is outside 1.."},
        {"banks_per_group", "3", "banks_per_group: 3 is not a power of two"},
        {"channels", "0", "channels: 0 is outside"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dram_ctrl_cfg_t c = preset_cfg("HBM2");
        char err[256];
        ck_assert_int_eq(dram_ctrl_cfg_set(&c, bad[i].key, bad[i].val, err, sizeof err), 0);
        ck_assert_int_eq(dram_ctrl_cfg_check(&c, err, sizeof err), -1);
        ck_assert_msg(strstr(err, bad[i].msg) == err, "%s=%s: got '%s'", bad[i].key, bad[i].val,
                      err);
        dram_t d;
        ck_assert_int_eq(dram_init(&d, &c.dev, err, sizeof err), -1);
    }
    dram_ctrl_cfg_t c = preset_cfg("HBM2");
    char err[256];
    c.dev.rows = 1u << 24;
    c.dev.columns = 1u << 16;
    ck_assert_int_eq(dram_ctrl_cfg_check(&c, err, sizeof err), -1);
    ck_assert_str_eq(err, "rows: capacity of 2^51 bytes is beyond 2^48");
    c = preset_cfg("HBM2");
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "tRCD", "fourteen", err, sizeof err), -1);
    ck_assert_str_eq(err, "tRCD: 'fourteen' is not a whole number of cycles");
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "tRCD", "-3", err, sizeof err), -1);
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "tXYZ", "3", err, sizeof err), -1);
    ck_assert(strstr(err, "tXYZ: unknown key") == err);
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "preset", "DDR9", err, sizeof err), -1);
    ck_assert_str_eq(err, "preset: unknown 'DDR9' (HBM2, HBM3, GDDR6, HBM2_8Gb_x128, GDDR6_8Gb_x16, "
                     "DDR4_8Gb_x8_3200)");
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "mapping", "RoBaCoBgBg", err, sizeof err), -1);
    ck_assert(strstr(err, "mapping: ") == err);
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "page_policy", "half", err, sizeof err), -1);
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "queue_depth", "0", err, sizeof err), 0);
    ck_assert_int_eq(dram_ctrl_cfg_check(&c, err, sizeof err), -1);
    ck_assert(strstr(err, "queue_depth: 0 is outside") == err);
}
END_TEST

START_TEST(address_mapping_places_fields_as_named_and_round_trips)
{
    dram_ctrl_cfg_t c = preset_cfg("HBM2");
    const dram_cfg_t *g = &c.dev;
    dram_loc_t l;
    char err[200];
    /* RoBaCoBgCh on HBM2: 5 offset bits, then 4 bits unit, 2 bits bg, 5 bits
     * column (32 bursts of a 1 KB row), 2 bits bank, 15 bits row. */
    ck_assert_int_eq(dram_decode(g, 32, &l, err, sizeof err), 0);
    ck_assert(l.unit == 1 && l.bg == 0 && l.col == 0);
    ck_assert_int_eq(dram_decode(g, 32u << 4, &l, err, sizeof err), 0);
    ck_assert(l.unit == 0 && l.bg == 1);
    ck_assert_int_eq(dram_decode(g, 32u << 6, &l, err, sizeof err), 0);
    ck_assert(l.bg == 0 && l.col == 1);
    ck_assert_int_eq(dram_decode(g, 32u << 11, &l, err, sizeof err), 0);
    ck_assert(l.col == 0 && l.bank == 1);
    ck_assert_int_eq(dram_decode(g, 32u << 13, &l, err, sizeof err), 0);
    ck_assert(l.bank == 0 && l.row == 1);
    ck_assert_int_eq(dram_decode(g, (8ull << 30) - 1, &l, err, sizeof err), 0);
    ck_assert(l.row == 32767 && l.unit == 15 && l.col == 31);
    ck_assert_int_eq(dram_decode(g, 8ull << 30, &l, err, sizeof err), -1);
    ck_assert_str_eq(err, "address 0x200000000: beyond the capacity of 8589934592 bytes "
                          "(0x200000000)");
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "mapping", "ChRoBgBaCo", err, sizeof err), 0);
    ck_assert_int_eq(dram_decode(g, 32, &l, err, sizeof err), 0);
    ck_assert(l.col == 1 && l.unit == 0);
    uint64_t s = 77;
    for (int i = 0; i < 2000; i++) {
        const uint64_t a = (rnd(&s) % (8ull << 30)) & ~31ull;
        ck_assert_int_eq(dram_decode(g, a, &l, err, sizeof err), 0);
        ck_assert_uint_eq(dram_encode(g, &l), a);
    }
}
END_TEST

/* ---- the checker catches each rule --------------------------------------------------- */

/* A 1-unit HBM2-like device whose tRC (50) and tCCD_S (3) make every rule
 * separable: each stream below breaks exactly one. */
static dram_cfg_t check_cfg(void)
{
    dram_cfg_t g = preset_cfg("HBM2").dev;
    g.channels = g.pseudo_channels = 1;
    g.tRC = 50;
    g.tCCD_S = 3;
    g.tCCD_L = 6;
    char err[200];
    ck_assert_msg(dram_cfg_check(&g, err, sizeof err) == 0, "%s", err);
    return g;
}

#define A(t, g_, b_) {.cycle = t, .kind = DRAM_ACT, .bg = g_, .bank = b_, .row = 7}
#define P(t, g_, b_) {.cycle = t, .kind = DRAM_PRE, .bg = g_, .bank = b_}
#define R(t, g_, b_) {.cycle = t, .kind = DRAM_RD, .bg = g_, .bank = b_, .row = 7}
#define W(t, g_, b_) {.cycle = t, .kind = DRAM_WR, .bg = g_, .bank = b_, .row = 7}
#define X(t, k) {.cycle = t, .kind = k}

typedef struct {
    dram_rule_t rule;
    int exact;           /* the only rule broken */
    dram_cmd_t s[8];
    int n;
} inject_t;

static const inject_t injections[] = {
    /* tRCD 14: RD 13 cycles after ACT. */
    {DRAM_RULE_RCD, 1, {A(0, 0, 0), R(13, 0, 0)}, 2},
    /* tRP 14: ACT 13 after PRE (tRC 50 met). */
    {DRAM_RULE_RP, 1, {A(0, 0, 0), P(40, 0, 0), A(53, 0, 0)}, 3},
    /* tRAS 33. */
    {DRAM_RULE_RAS, 1, {A(0, 0, 0), P(32, 0, 0)}, 2},
    /* tRC 50 (tRP met). */
    {DRAM_RULE_RC, 1, {A(0, 0, 0), P(33, 0, 0), A(49, 0, 0)}, 3},
    /* tRRD_S 4 across groups. */
    {DRAM_RULE_RRD_S, 1, {A(0, 0, 0), A(3, 1, 0)}, 2},
    /* tRRD_L 6 in a group. */
    {DRAM_RULE_RRD_L, 1, {A(0, 0, 0), A(5, 0, 1)}, 2},
    /* tFAW 30: a fifth ACT 16 cycles after the first. */
    {DRAM_RULE_FAW, 1, {A(0, 0, 0), A(4, 1, 0), A(8, 2, 0), A(12, 3, 0), A(16, 0, 1)}, 5},
    /* tCCD_S 3: RDs 2 apart in different groups (bus still fine at tBL 2). */
    {DRAM_RULE_CCD_S, 1, {A(0, 0, 0), A(4, 1, 0), R(18, 0, 0), R(20, 1, 0)}, 4},
    /* tCCD_L 6: RDs 5 apart in one group. */
    {DRAM_RULE_CCD_L, 1, {A(0, 0, 0), A(6, 0, 1), R(20, 0, 0), R(25, 0, 1)}, 4},
    /* Data bus: a WR burst (t+4) inside a RD burst [32, 34). */
    {DRAM_RULE_BUS, 1, {A(0, 0, 0), A(4, 1, 0), R(18, 0, 0), W(21, 1, 0)}, 4},
    /* tWR 16: PRE 15 after the write burst ends (14 + 4 + 2 = 20). */
    {DRAM_RULE_WR, 1, {A(0, 0, 0), W(14, 0, 0), P(35, 0, 0)}, 3},
    /* tRTP 4. */
    {DRAM_RULE_RTP, 1, {A(0, 0, 0), R(30, 0, 0), P(33, 0, 0)}, 3},
    /* tWTR_S 6 across groups: RD 5 after the write burst ends at 24. */
    {DRAM_RULE_WTR_S, 1, {A(0, 0, 0), A(4, 1, 0), W(18, 0, 0), R(29, 1, 0)}, 4},
    /* tWTR_L 8 in a group: RD 7 after the write burst ends at 26. */
    {DRAM_RULE_WTR_L, 1, {A(0, 0, 0), A(6, 0, 1), W(20, 0, 0), R(33, 0, 1)}, 4},
    /* tRFC 350. */
    {DRAM_RULE_RFC, 1, {X(0, DRAM_REF), A(349, 0, 0)}, 2},
    /* tREFI 3900: no REF for more than 9 intervals. */
    {DRAM_RULE_REFI, 1, {A(0, 0, 0), P(40, 0, 0), A(9 * 3900 + 1, 0, 0)}, 3},
    /* State: RD to a closed bank; ACT to an open one; REF with a bank open. */
    {DRAM_RULE_STATE, 1, {R(0, 0, 0)}, 1},
    {DRAM_RULE_STATE, 0, {A(0, 0, 0), A(60, 0, 0)}, 2},
    {DRAM_RULE_STATE, 0, {A(0, 0, 0), X(400, DRAM_REF)}, 2},
    /* Two commands in one cycle. */
    {DRAM_RULE_CMD, 0, {A(0, 0, 0), A(0, 1, 0)}, 2},
    /* PIM: MAC_AB before tRCD of the all-bank ACT; two MAC_AB inside tCCD_L. */
    {DRAM_RULE_RCD, 0, {X(0, DRAM_PIM_ACT_AB), X(10, DRAM_PIM_MAC_AB)}, 2},
    {DRAM_RULE_CCD_L, 0, {X(0, DRAM_PIM_ACT_AB), X(14, DRAM_PIM_MAC_AB),
                          X(19, DRAM_PIM_MAC_AB)}, 3},
    /* PIM: a result read 2 cycles after a global-buffer write: tCCD_S. */
    {DRAM_RULE_CCD_S, 1, {X(0, DRAM_PIM_WR_GB), X(2, DRAM_PIM_RD_RES)}, 2},
    /* PIM: ACT 49 after PIM_ACT_AB + PREA at 33: tRC (50) of every bank. */
    {DRAM_RULE_RC, 1, {X(0, DRAM_PIM_ACT_AB), X(33, DRAM_PREA), A(49, 2, 3)}, 3},
};

START_TEST(checker_flags_each_injected_violation_with_its_rule)
{
    const inject_t *in = &injections[_i];
    const dram_cfg_t g = check_cfg();
    dram_check_t *k = dram_check_new(&g, 1);
    ck_assert_ptr_nonnull(k);
    for (int i = 0; i < in->n; i++)
        dram_check_cmd(k, &in->s[i]);
    dram_check_finish(k, in->s[in->n - 1].cycle);
    ck_assert_msg(dram_check_count(k, in->rule) >= 1, "case %d: %s not flagged", _i,
                  dram_rule_name(in->rule));
    if (in->exact) {
        size_t nv;
        const dram_violation_t *v = dram_check_first(k, &nv);
        char line[200];
        dram_check_describe(&v[0], line, sizeof line);
        ck_assert_msg(dram_check_total(k) == 1, "case %d (%s): %llu violations, first %s", _i,
                      dram_rule_name(in->rule), (unsigned long long)dram_check_total(k), line);
    }
    dram_check_free(k);

    /* The model refuses the same stream at the same command. */
    dram_t d;
    char err[200];
    ck_assert_int_eq(dram_init(&d, &g, err, sizeof err), 0);
    int refused = 0;
    for (int i = 0; i < in->n && !refused; i++)
        refused = dram_issue(&d, &in->s[i], err, sizeof err) != 0;
    ck_assert_msg(refused || in->rule == DRAM_RULE_REFI, "case %d: model accepted the stream", _i);
    dram_free(&d);
}
END_TEST

START_TEST(legal_hand_streams_pass_the_checker)
{
    const dram_cfg_t g = check_cfg();
    /* The injected streams moved to their legal cycles, plus a PIM GEMV step. */
    const dram_cmd_t s[] = {
        A(0, 0, 0), A(4, 1, 0), A(10, 0, 1), A(14, 2, 0), R(18, 0, 0), R(21, 1, 0),
        R(27, 0, 1), A(30, 3, 0), W(40, 2, 0), R(53, 0, 0), P(57, 0, 0), P(70, 2, 0),
        X(80, DRAM_PREA), X(94, DRAM_PIM_ACT_AB), X(108, DRAM_PIM_MAC_AB),
        X(114, DRAM_PIM_MAC_AB), X(117, DRAM_PIM_WR_GB), X(120, DRAM_PIM_MAC_AB),
        X(126, DRAM_PIM_RD_RES), X(130, DRAM_PREA), X(144, DRAM_REF), A(494, 1, 1),
    };
    dram_check_t *k = dram_check_new(&g, 1);
    dram_t d;
    char err[200];
    ck_assert_int_eq(dram_init(&d, &g, err, sizeof err), 0);
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        ck_assert_msg(dram_check_cmd(k, &s[i]) == 0, "command %zu flagged", i);
        ck_assert_msg(dram_issue(&d, &s[i], err, sizeof err) == 0, "command %zu: %s", i, err);
    }
    ck_assert_uint_eq(dram_check_total(k), 0);
    dram_free(&d);
    dram_check_free(k);
}
END_TEST

/* Random legal streams from the model: every command issued at the model's
 * earliest cycle passes the checker, and the same command one cycle earlier
 * is flagged by it (when that cycle is after the previous command). */
START_TEST(model_earliest_agrees_with_the_checker_on_random_streams)
{
    dram_cfg_t g = check_cfg();
    g.bank_groups = 2;
    g.banks_per_group = 2;
    uint64_t s = 1234 + (uint64_t)_i;
    dram_t d;
    char err[200];
    ck_assert_int_eq(dram_init(&d, &g, err, sizeof err), 0);
    dram_check_t *k = dram_check_new(&g, 0);
    uint64_t last = 0, tight = 0;
    dram_cmd_t *hist = malloc(4000 * sizeof *hist);
    size_t nh = 0;
    ck_assert_ptr_nonnull(hist);
    for (int n = 0; n < 4000; n++) {
        dram_cmd_t c = {.kind = (uint8_t)(rnd(&s) % DRAM_CMD_COUNT), .bg = (uint8_t)(rnd(&s) % 2),
                        .bank = (uint8_t)(rnd(&s) % 2), .row = (uint32_t)(rnd(&s) % 3),
                        .col = (uint32_t)(rnd(&s) % 4)};
        if (c.kind == DRAM_RD || c.kind == DRAM_WR) {
            const uint32_t open = dram_open_row(&d, 0, c.bg, c.bank);
            c.row = open == DRAM_NO_ROW ? 0 : open;
        }
        const uint64_t e = dram_earliest(&d, &c);
        if (e == DRAM_NEVER)
            continue;
        c.cycle = e + (rnd(&s) % 4 == 0 ? rnd(&s) % 5 : 0);
        if (c.cycle == e && e > last + 1 && e > 0 && ++tight % 8 == 0) {
            /* One cycle early must break a rule the checker knows: replay
             * the history into a fresh checker, then the early command. */
            dram_check_t *k2 = dram_check_new(&g, 0);
            for (size_t i = 0; i < nh; i++)
                dram_check_cmd(k2, &hist[i]);
            ck_assert_uint_eq(dram_check_total(k2), 0);
            dram_cmd_t early = c;
            early.cycle = e - 1;
            ck_assert_msg(dram_check_cmd(k2, &early) > 0, "%s one cycle early at %llu not flagged",
                          dram_cmd_name(c.kind), (unsigned long long)early.cycle);
            dram_check_free(k2);
        }
        hist[nh++] = c;
        ck_assert_int_eq(dram_issue(&d, &c, err, sizeof err), 0);
        ck_assert_msg(dram_check_cmd(k, &c) == 0, "%s at %llu flagged", dram_cmd_name(c.kind),
                      (unsigned long long)c.cycle);
        last = c.cycle;
    }
    ck_assert(tight > 100);
    ck_assert_uint_eq(dram_check_total(k), 0);
    dram_check_free(k);
    free(hist);
    dram_free(&d);
}
END_TEST

/* ---- controller ------------------------------------------------------------------------ */

START_TEST(idle_read_takes_rcd_cl_bl_and_a_row_conflict_adds_rp)
{
    const char *names[] = {"HBM2", "HBM3", "GDDR6"};
    const dram_ctrl_cfg_t c = preset_cfg(names[_i]);
    const dram_cfg_t *g = &c.dev;
    const req_t r[] = {
        {addr_of(g, 0, 1, 2, 100, 3), 0, 0},   /* closed bank: miss */
        {addr_of(g, 0, 1, 2, 100, 4), 500, 0}, /* same row: hit */
        {addr_of(g, 0, 1, 2, 200, 4), 1000, 0},/* other row: conflict */
        {addr_of(g, 0, 1, 2, 200, 5), 1500, 1},/* write hit */
    };
    run_t x;
    run(&c, r, 4, 0, &x);
    ck_assert_uint_eq(x.done[0] - x.arrive[0], g->tRCD + g->tCL + g->tBL);
    ck_assert_uint_eq(x.done[1] - x.arrive[1], g->tCL + g->tBL);
    ck_assert_uint_eq(x.done[2] - x.arrive[2], g->tRP + g->tRCD + g->tCL + g->tBL);
    ck_assert_uint_eq(x.done[3] - x.arrive[3], g->tCWL + g->tBL);
    ck_assert_uint_eq(x.st.hits, 2);
    ck_assert_uint_eq(x.st.misses, 1);
    ck_assert_uint_eq(x.st.conflicts, 1);
    ck_assert_uint_eq(x.st.cmds[DRAM_ACT], 2);
    ck_assert_uint_eq(x.st.cmds[DRAM_PRE], 1);
    run_free(&x);
}
END_TEST

START_TEST(close_page_precharges_after_the_access)
{
    dram_ctrl_cfg_t c = preset_cfg("HBM2");
    char err[100];
    ck_assert_int_eq(dram_ctrl_cfg_set(&c, "page_policy", "close", err, sizeof err), 0);
    const dram_cfg_t *g = &c.dev;
    const req_t r[] = {{addr_of(g, 0, 0, 0, 1, 0), 0, 0}, {addr_of(g, 0, 0, 0, 2, 0), 500, 0},
                       {addr_of(g, 0, 0, 0, 2, 1), 1000, 0}};
    run_t x;
    run(&c, r, 3, 0, &x);
    /* Every request finds its bank closed: no conflicts, three ACTs, and a
     * PRE after each of the first two (the run stops when the last read's
     * data is out, before its PRE). */
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(x.done[i] - x.arrive[i], g->tRCD + g->tCL + g->tBL);
    ck_assert_uint_eq(x.st.conflicts, 0);
    ck_assert_uint_eq(x.st.cmds[DRAM_ACT], 3);
    ck_assert_uint_eq(x.st.cmds[DRAM_PRE], 2);
    run_free(&x);
}
END_TEST

START_TEST(frfcfs_serves_a_younger_hit_before_an_older_miss)
{
    for (int sched = 0; sched < 2; sched++) {
        dram_ctrl_cfg_t c = preset_cfg("HBM2");
        c.sched = sched ? DRAM_FCFS : DRAM_FRFCFS;
        const dram_cfg_t *g = &c.dev;
        const req_t r[] = {
            {addr_of(g, 0, 0, 0, 10, 0), 0, 0},    /* opens row 10 */
            {addr_of(g, 0, 0, 0, 20, 0), 1000, 0}, /* older: conflict */
            {addr_of(g, 0, 0, 0, 10, 1), 1000, 0}, /* younger: hit */
        };
        run_t x;
        run(&c, r, 3, 0, &x);
        if (!sched) {
            ck_assert_uint_lt(x.done[2], x.done[1]);
            ck_assert_uint_eq(x.done[2] - 1000, g->tCL + g->tBL);
            /* The conflict waits for the hit's RD, then tRTP before its PRE. */
            ck_assert_uint_eq(x.done[1] - 1000, g->tRTP + g->tRP + g->tRCD + g->tCL + g->tBL);
        } else {
            ck_assert_uint_lt(x.done[1], x.done[2]);
            ck_assert_uint_eq(x.done[1] - 1000, g->tRP + g->tRCD + g->tCL + g->tBL);
        }
        run_free(&x);
    }
}
END_TEST

START_TEST(refresh_every_trefi_blocks_the_banks_for_trfc)
{
    const dram_ctrl_cfg_t c = preset_cfg("HBM2");
    const dram_cfg_t *g = &c.dev;
    const uint64_t T = g->tREFI;
    /* A read opens a row in unit 0; the unit then idles through five
     * refresh intervals; a read arrives one cycle after the third REF. */
    const uint64_t ref3 = 3 * T; /* banks closed since the first REF */
    const req_t r[] = {{addr_of(g, 0, 0, 0, 5, 0), 0, 0}, {addr_of(g, 0, 2, 1, 9, 0), ref3 + 1, 0},
                       {addr_of(g, 0, 3, 3, 9, 0), 5 * T + 10, 0}};
    run_t x;
    run(&c, r, 3, 1, &x);
    uint64_t refs[8];
    int n = 0;
    for (size_t i = 0; i < x.ncmds; i++)
        if (x.cmds[i].unit == 0 && x.cmds[i].kind == DRAM_REF && n < 8)
            refs[n++] = x.cmds[i].cycle;
    ck_assert_int_eq(n, 5);
    /* First: the open row is closed by PREA at tREFI, REF tRP later. */
    ck_assert_uint_eq(refs[0], T + g->tRP);
    /* Then on the due cycle while the banks stay closed, after a PREA when
     * the read at 3T+1 left its row open. */
    ck_assert_uint_eq(refs[1], 2 * T);
    ck_assert_uint_eq(refs[2], 3 * T);
    ck_assert_uint_eq(refs[3], 4 * T + g->tRP);
    ck_assert_uint_eq(refs[4], 5 * T);
    /* The read one cycle after the third REF waits for tRFC. */
    ck_assert_uint_eq(x.done[1] - x.arrive[1], g->tRFC - 1 + g->tRCD + g->tCL + g->tBL);
    run_free(&x);
}
END_TEST

/* Sequential reads from 0 covering several refresh intervals. */
static req_t *stream(const dram_cfg_t *g, size_t n)
{
    req_t *r = calloc(n, sizeof *r);
    ck_assert_ptr_nonnull(r);
    for (size_t i = 0; i < n; i++)
        r[i].addr = (uint64_t)i * dram_burst_bytes(g);
    return r;
}

START_TEST(streaming_reads_reach_85_percent_of_peak_on_each_preset)
{
    /* Bound: open page with bank-group interleaving (RoBaCoBgCh) hides row
     * switches behind tCCD_S = tBL transfers, so the ceiling is refresh:
     * 1 - tRFC/tREFI = 91.0% (HBM2, HBM3) and 93.7% (GDDR6).  85% leaves room
     * for the PREA before each REF, the queue refill after it and the first
     * access's latency. */
    const char *names[] = {"HBM2", "HBM3", "GDDR6"};
    const dram_ctrl_cfg_t c = preset_cfg(names[_i]);
    const dram_cfg_t *g = &c.dev;
    const double per_cycle = dram_peak_bytes_per_s(g) * g->tck_ps * 1e-12;
    const size_t n = (size_t)(3.2 * g->tREFI * per_cycle / dram_burst_bytes(g));
    req_t *r = stream(g, n);
    run_t x;
    run(&c, r, n, 0, &x);
    const double frac = (double)x.st.bytes / ((double)(x.st.last_done - x.st.first_arrival) * per_cycle);
    printf("dram: %s streaming reads: %.1f%% of peak (%zu requests, %llu REF)\n", names[_i],
           100 * frac, n, (unsigned long long)x.st.cmds[DRAM_REF]);
    ck_assert_msg(frac >= 0.85, "%s: %.3f of peak", names[_i], frac);
    ck_assert_msg(frac <= 1 - (double)g->tRFC / g->tREFI + 0.01, "%s: %.3f beats refresh", names[_i],
                  frac);
    ck_assert_uint_ge(x.st.cmds[DRAM_REF], 2 * dram_units(g));
    run_free(&x);
    free(r);
}
END_TEST

START_TEST(sequential_trace_hits_the_row_buffer_and_random_does_not)
{
    const dram_ctrl_cfg_t c = preset_cfg("HBM2");
    const dram_cfg_t *g = &c.dev;
    const size_t n = 20000;
    req_t *seq = stream(g, n), *rnd_r = calloc(n, sizeof *rnd_r);
    uint64_t s = 99;
    for (size_t i = 0; i < n; i++)
        rnd_r[i] = (req_t){(rnd(&s) % dram_capacity(g)) & ~31ull, i, (int)(rnd(&s) % 4 == 0)};
    run_t a, b;
    run(&c, seq, n, 0, &a);
    run(&c, rnd_r, n, 0, &b);
    const double hs = (double)a.st.hits / n, hr = (double)b.st.hits / n;
    printf("dram: HBM2 row-buffer hit rate: sequential %.1f%%, random %.1f%%\n", 100 * hs, 100 * hr);
    /* Sequential: one ACT per 32-burst row, so 31/32 = 96.9% hits before
     * refresh closes rows; random over 8 GiB: almost never the open row. */
    ck_assert(hs >= 0.95 && hs <= 31.0 / 32 + 1e-9);
    ck_assert(hr < 0.02);
    run_free(&a);
    run_free(&b);
    free(seq);
    free(rnd_r);
}
END_TEST

/* ---- traces and the command ------------------------------------------------------------- */

static const char *parse_err(const char *text, uint64_t cap)
{
    static char err[300];
    dram_trace_t t;
    if (dram_trace_parse("t.trace", text, strlen(text), cap, &t, err, sizeof err) == 0) {
        dram_trace_free(&t);
        return "";
    }
    return err;
}

START_TEST(trace_formats_parse_and_bad_lines_name_file_and_line)
{
    const char *text = "# comment\n\n0 0x40 R\n  0x80 WRITE 7\n0x100 w\nLD 4096\n9, 0x20, r\n";
    dram_trace_t t;
    char err[300];
    ck_assert_int_eq(dram_trace_parse("t.trace", text, strlen(text), 0, &t, err, sizeof err), 0);
    ck_assert_uint_eq(t.n, 5);
    ck_assert(t.r[0].cycle == 0 && t.r[0].addr == 0x40 && !t.r[0].write && t.r[0].line == 3);
    ck_assert(t.r[1].cycle == 7 && t.r[1].addr == 0x80 && t.r[1].write);
    ck_assert(t.r[2].cycle == 7 && t.r[2].addr == 0x100 && t.r[2].write);
    ck_assert(t.r[3].cycle == 7 && t.r[3].addr == 4096 && !t.r[3].write);
    ck_assert(t.r[4].cycle == 9 && t.r[4].addr == 0x20);
    dram_trace_free(&t);
    ck_assert_str_eq(parse_err("0 0x40 R\n1 0xZZ R\n", 0),
                     "t.trace:2: address '0xZZ' is not a hex (0x...) or decimal number");
    ck_assert_str_eq(parse_err("5 0x40 R\n4 0x40 R\n", 0),
                     "t.trace:2: cycle 4 is before the previous line's 5");
    ck_assert_str_eq(parse_err("0 0x40 X\n", 0),
                     "t.trace:1: no R/W operation where expected in '0 0x40 X' (CYCLE ADDR OP, "
                     "ADDR OP CYCLE, ADDR OP or OP ADDR)");
    ck_assert_str_eq(parse_err("0x40 R 1x\n", 0), "t.trace:1: cycle '1x' is not a decimal number");
    ck_assert_str_eq(parse_err("0 0x1000 R\n", 4096),
                     "t.trace:1: address 0x1000 is beyond the capacity of 4096 bytes");
    ck_assert_str_eq(parse_err("1 2 3 4 5\n", 0),
                     "t.trace:1: too many fields at '5' (expected CYCLE ADDR OP, ADDR OP CYCLE, "
                     "ADDR OP or OP ADDR)");
    ck_assert_str_eq(parse_err("# nothing\n", 0), "t.trace: no requests");
}
END_TEST

/* Found by tests/fuzz/fuzz_dram_trace: a file refused before parsing (here
 * for a NUL byte) left the output trace uninitialized, so freeing it after
 * the error, as for every other error, freed a stack pointer. */
START_TEST(trace_refused_before_parsing_is_left_empty)
{
    char path[] = "/tmp/codesim-trace-XXXXXX";
    const int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "0 0x0 R\n0 0x\0 W\n", 16), 16);
    close(fd);
    dram_trace_t t;
    memset(&t, 0xa5, sizeof t);
    char err[300];
    ck_assert_int_eq(dram_trace_load(path, 0, &t, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "NUL byte") != NULL, "%s", err);
    ck_assert_ptr_null(t.r);
    ck_assert_uint_eq(t.n, 0);
    dram_trace_free(&t);
    unlink(path);
}
END_TEST

static int cmd(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5,
               const char *a6)
{
    char *argv[8] = {"dram", (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5,
                     (char *)a6, NULL};
    int argc = 1;
    while (argc < 7 && argv[argc])
        argc++;
    fflush(stdout);
    return cmd_dram(argc, argv);
}

/* cmd with codesim dram's standard output written to the file out. */
static int cmd_to(const char *out, const char *a1, const char *a2, const char *a3, const char *a4,
                  const char *a5, const char *a6)
{
    fflush(stdout);
    const int saved = dup(1), fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert(saved >= 0 && fd >= 0);
    dup2(fd, 1);
    const int rc = cmd(a1, a2, a3, a4, a5, a6);
    fflush(stdout);
    dup2(saved, 1);
    close(fd);
    close(saved);
    return rc;
}

static int cmd_order(const void *a, const void *b)
{
    const dram_cmd_t *x = a, *y = b;
    if (x->cycle != y->cycle)
        return x->cycle < y->cycle ? -1 : 1;
    return (x->unit > y->unit) - (x->unit < y->unit);
}

/* Issue 14: idle gaps between requests (0 to 40 tREFI, on and around due
 * cycles) skipped by dram_ctrl_skip_idle give the same statistics,
 * completion cycles and command stream (each unit issues at most one command
 * per cycle, so streams are compared sorted by cycle and unit) as ticking
 * through every refresh, and the checker passes both. */
START_TEST(skipped_idle_gaps_equal_ticking_through_every_refresh)
{
    static const char *const presets[] = {"HBM2", "HBM3", "GDDR6"};
    uint64_t seed = 0x5eed + 31 * (uint64_t)_i;
    dram_ctrl_cfg_t cfg = preset_cfg(presets[_i % 3]);
    cfg.page = (_i / 3) % 2 ? DRAM_CLOSE_PAGE : DRAM_OPEN_PAGE;
    const uint64_t refi = cfg.dev.tREFI, cap = dram_capacity(&cfg.dev);
    enum { N = 120 };
    req_t r[N];
    uint64_t at = 5;
    for (int i = 0; i < N; i++) {
        if (rnd(&seed) % 6 == 0) {
            const uint64_t k = rnd(&seed) % 41;
            at += k * refi + (rnd(&seed) % 3 == 0 ? rnd(&seed) % 5 : rnd(&seed) % refi);
        } else {
            at += rnd(&seed) % 4;
        }
        r[i] = (req_t){(rnd(&seed) % cap) & ~31ull, at, (int)(rnd(&seed) % 3 == 0)};
    }
    run_t a, b;
    run_opt(&cfg, r, N, 1, 0, &a);
    run_opt(&cfg, r, N, 1, 1, &b);
    ck_assert_uint_gt(b.skipped, 0);
    ck_assert_uint_eq(a.skipped, 0);
    ck_assert_msg(memcmp(&a.st, &b.st, sizeof a.st) == 0, "stats differ: REF %llu vs %llu",
                  (unsigned long long)a.st.cmds[DRAM_REF], (unsigned long long)b.st.cmds[DRAM_REF]);
    for (int i = 0; i < N; i++) {
        ck_assert_uint_eq(a.done[i], b.done[i]);
        ck_assert_uint_eq(a.arrive[i], b.arrive[i]);
    }
    ck_assert_uint_eq(a.ncmds, b.ncmds);
    qsort(a.cmds, a.ncmds, sizeof *a.cmds, cmd_order);
    qsort(b.cmds, b.ncmds, sizeof *b.cmds, cmd_order);
    for (size_t i = 0; i < a.ncmds; i++) {
        const dram_cmd_t *p = &a.cmds[i], *q = &b.cmds[i];
        ck_assert_msg(p->cycle == q->cycle && p->kind == q->kind && p->unit == q->unit &&
                          p->bg == q->bg && p->bank == q->bank && p->row == q->row &&
                          p->col == q->col,
                      "command %zu: %s unit %u at %llu vs %s unit %u at %llu", i,
                      dram_cmd_name(p->kind), p->unit, (unsigned long long)p->cycle,
                      dram_cmd_name(q->kind), q->unit, (unsigned long long)q->cycle);
    }
    run_free(&a);
    run_free(&b);
}
END_TEST

/* Issue 14: a trace whose second request arrives at cycle 10^12 used to
 * simulate every refresh of the gap (never finished).  `codesim dram` now
 * counts them by arithmetic: REF = units x floor((10^12 - 1) / tREFI) (the
 * due cycles tREFI, 2 tREFI, ... before the arrival; the last request is done
 * before the next one falls due), with no timing violation.  A cycle near
 * 2^64 is refused with the line named. */
START_TEST(trace_gap_of_10e12_cycles_counts_refreshes_in_closed_form)
{
    char dir[64];
    test_tmpdir(dir, sizeof dir, "dram");
    char tr[300], big[300], out[300];
    snprintf(tr, sizeof tr, "%s/gap.trace", dir);
    snprintf(big, sizeof big, "%s/big.trace", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    FILE *f = fopen(tr, "w");
    fputs("0 0x0 R\n1000000000000 0x40 R\n", f);
    fclose(f);
    f = fopen(big, "w");
    fputs("0 0x0 R\n18446744073709551000 0x40 R\n", f);
    fclose(f);
    const int rc = cmd_to(out, "--trace", tr, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(rc, 0);
    char text[4096] = {0};
    f = fopen(out, "r");
    const size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    const dram_ctrl_cfg_t cfg = preset_cfg("HBM2");
    const unsigned long long want =
        (unsigned long long)dram_units(&cfg.dev) * ((1000000000000ull - 1) / cfg.dev.tREFI);
    const char *p = strstr(text, " REF ");
    ck_assert_msg(p != NULL, "%s", text);
    ck_assert_uint_eq(strtoull(p + 5, NULL, 10), want);
    ck_assert_msg(strstr(text, "timing check:  0 violations") != NULL, "%s", text);
    ck_assert_int_eq(cmd("--trace", big, NULL, NULL, NULL, NULL), 1);
    test_rmtree(dir);
}
END_TEST

/* Runs `codesim dram --trace TRACE --preset P` on one read at `at` and
 * returns its read latency from arrival (p50 of one); asserts exit 0 and no
 * timing violation. */
static uint64_t one_read_latency(const char *dir, const char *preset, uint64_t at)
{
    char tr[300], out[300];
    snprintf(tr, sizeof tr, "%s/one.trace", dir);
    snprintf(out, sizeof out, "%s/one.out", dir);
    FILE *f = fopen(tr, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%llu 0x100 READ\n", (unsigned long long)at);
    fclose(f);
    const int rc = cmd_to(out, "--trace", tr, "--preset", preset, NULL, NULL);
    char text[4096] = "";
    f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    text[fread(text, 1, sizeof text - 1, f)] = 0;
    fclose(f);
    ck_assert_msg(rc == 0, "%s at %llu: exit %d\n%s", preset, (unsigned long long)at, rc, text);
    ck_assert_msg(strstr(text, "timing check:  0 violations") != NULL, "%s at %llu:\n%s", preset,
                  (unsigned long long)at, text);
    const char *p = strstr(text, "read latency   p50 ");
    ck_assert_msg(p != NULL, "%s", text);
    return strtoull(p + strlen("read latency   p50 "), NULL, 10);
}

/* New-user report 1: a trace whose first request arrives late issued every
 * refresh owed since cycle 0 at once at the arrival (3968 tREFI violations
 * and a 98,380-cycle read for arrival 10^6; arrival 2^62 never finished).
 * The leading gap is now an idle gap like any other: its refreshes are
 * issued at their due cycles, in closed form.  Reference: the same read at
 * arrival 0 on an idle device.  The late arrival lies half a tREFI after a
 * due REF (tRFC < tREFI / 2 on every preset, so the bank is free again), and
 * one arrival is just below 2^62 and one exactly 2^62 (which must finish at
 * once, REFs counted by arithmetic). */
START_TEST(first_request_after_a_long_idle_gap_waits_for_no_owed_refresh)
{
    static const char *const presets[] = {"HBM2", "GDDR6", "DDR4_8Gb_x8_3200", "HBM2_8Gb_x128"};
    const dram_ctrl_cfg_t cfg = preset_cfg(presets[_i]);
    const uint64_t refi = cfg.dev.tREFI, top = 1ull << 62;
    ck_assert_uint_lt(cfg.dev.tRFC, refi / 2);
    char dir[64];
    test_tmpdir(dir, sizeof dir, "dramlate");
    const uint64_t base = one_read_latency(dir, presets[_i], 0);
    ck_assert_uint_gt(base, 0);
    ck_assert_uint_eq(one_read_latency(dir, presets[_i], 256 * refi + refi / 2), base);
    ck_assert_uint_eq(one_read_latency(dir, presets[_i], (top / refi - 1) * refi + refi / 2), base);
    one_read_latency(dir, presets[_i], top);
    test_rmtree(dir);
}
END_TEST

START_TEST(dram_command_runs_shipped_traces_and_refuses_bad_input)
{
    /* The refusals are expected: their messages stay out of make test's
     * output (each test runs in its own process). */
    ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
    char dir[64];
    test_tmpdir(dir, sizeof dir, "dram");
    char hw[300], bad[300], tr[300];
    snprintf(hw, sizeof hw, "%s/hw.yaml", dir);
    snprintf(bad, sizeof bad, "%s/bad.yaml", dir);
    snprintf(tr, sizeof tr, "%s/t.trace", dir);
    FILE *f = fopen(hw, "w");
    fputs("name: x\ndram:\n  tRCD: 20\n  preset: GDDR6\n  page_policy: close\n  "
          "bytes_per_cycle: 32\n",
          f);
    fclose(f);
    f = fopen(bad, "w");
    fputs("dram:\n  preset: HBM2\n  tRC: 30\n", f);
    fclose(f);
    f = fopen(tr, "w");
    fputs("0 0x0 R\n0 0x40000000 R\n", f); /* second address beyond 1 GiB of GDDR6 */
    fclose(f);
    ck_assert_int_eq(cmd("--trace", "traces/dram/example.trace", NULL, NULL, NULL, NULL), 0);
    ck_assert_int_eq(cmd("--hw", hw, "--trace", "traces/dram/example.trace", NULL, NULL), 0);
    ck_assert_int_eq(cmd("--trace", "traces/dram/example.trace", "--preset", "HBM3", NULL, NULL), 0);
    ck_assert_int_eq(cmd("--hw", bad, "--trace", "traces/dram/example.trace", NULL, NULL), 1);
    ck_assert_int_eq(cmd("--hw", hw, "--trace", tr, NULL, NULL), 1);
    ck_assert_int_eq(cmd("--trace", "no/such.trace", NULL, NULL, NULL, NULL), 1);
    ck_assert_int_eq(cmd("--trace", "traces/dram/example.trace", "--preset", "DDR9", NULL, NULL), 1);
    ck_assert_int_eq(cmd("--hw", hw, NULL, NULL, NULL, NULL), 2);
    test_rmtree(dir);
}
END_TEST

/* ---- DRAMsim3-style device rules and controller options ------------------------ */

static dram_cmd_t cmd_at(uint64_t t, uint8_t kind, uint8_t bg, uint8_t bank, uint32_t row)
{
    return (dram_cmd_t){.cycle = t, .kind = kind, .bg = bg, .bank = bank, .row = row};
}

/* Issues c at the model's earliest cycle, checks it, returns the cycle. */
static uint64_t issue_earliest(dram_t *d, dram_check_t *k, dram_cmd_t c)
{
    char err[200];
    c.cycle = dram_earliest(d, &c);
    ck_assert_uint_ne(c.cycle, DRAM_NEVER);
    ck_assert_int_eq(dram_issue(d, &c, err, sizeof err), 0);
    if (dram_check_cmd(k, &c)) {
        size_t nv;
        const dram_violation_t *v = dram_check_first(k, &nv);
        dram_check_describe(&v[nv - 1], err, sizeof err);
        ck_abort_msg("checker: %s", err);
    }
    return c.cycle;
}

/* tRTRS: a WR after a RD waits until its burst starts tRTRS after the read
 * burst's end: RD at t, WR at t + tCL + tBL + tRTRS - tCWL (DRAMsim3's
 * read_to_write = RL + burst - WL + tRTRS); the checker flags one cycle less. */
START_TEST(write_after_read_waits_for_the_trtrs_turnaround)
{
    const dram_ctrl_cfg_t c = preset_cfg("GDDR6_8Gb_x16");
    const dram_cfg_t *g = &c.dev;
    ck_assert_uint_eq(g->tRTRS, 1);
    dram_t d;
    char err[200];
    ck_assert_int_eq(dram_init(&d, g, err, sizeof err), 0);
    dram_check_t *k = dram_check_new(g, 0);
    issue_earliest(&d, k, cmd_at(0, DRAM_ACT, 0, 0, 7));
    const uint64_t rd = issue_earliest(&d, k, cmd_at(0, DRAM_RD, 0, 0, 7));
    const uint64_t want = rd + 24 + 1 + 1 - 16; /* tCL 24, tBL 1, tRTRS 1, tCWL 16 */
    dram_check_t *early = dram_check_new(g, 0);
    dram_cmd_t a = cmd_at(0, DRAM_ACT, 0, 0, 7), r = cmd_at(rd, DRAM_RD, 0, 0, 7),
               w = cmd_at(want - 1, DRAM_WR, 0, 0, 7);
    a.cycle = rd - g->tRCD;
    dram_check_cmd(early, &a);
    dram_check_cmd(early, &r);
    dram_check_cmd(early, &w);
    ck_assert_uint_eq(dram_check_count(early, DRAM_RULE_RTRS), 1);
    ck_assert_uint_eq(issue_earliest(&d, k, cmd_at(0, DRAM_WR, 0, 0, 7)), want);
    dram_check_free(early);
    dram_check_free(k);
    dram_free(&d);
}
END_TEST

/* t32AW (GDDR6_8Gb_x16: 420): activations every tRRD = 9 cycles (tFAW 32
 * allows one per 8) to banks 0..15 and again, each bank precharged 55
 * cycles after its ACT (tRAS 54), so the first 32 go at 0, 9, ..., 279; the
 * 33rd waits for the window: cycle 420 (tRRD alone would allow 288).  The
 * checker flags an ACT at 419. */
static int by_cycle(const void *a, const void *b)
{
    const dram_cmd_t *x = a, *y = b;
    return (x->cycle > y->cycle) - (x->cycle < y->cycle);
}

START_TEST(t32aw_holds_the_33rd_activation_to_the_window)
{
    const dram_ctrl_cfg_t c = preset_cfg("GDDR6_8Gb_x16");
    const dram_cfg_t *g = &c.dev;
    dram_cmd_t s[49];
    int n = 0;
    for (int i = 0; i < 32; i++) {
        s[n++] = cmd_at(9u * (unsigned)i, DRAM_ACT, 0, (uint8_t)(i % 16), (uint32_t)i);
        if (i < 17)
            s[n++] = cmd_at(9u * (unsigned)i + 55, DRAM_PRE, 0, (uint8_t)(i % 16), 0);
    }
    qsort(s, (size_t)n, sizeof s[0], by_cycle);
    dram_t d;
    char err[200];
    ck_assert_int_eq(dram_init(&d, g, err, sizeof err), 0);
    dram_check_t *k = dram_check_new(g, 0);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(dram_issue(&d, &s[i], err, sizeof err) == 0, "%s", err);
        ck_assert_uint_eq(dram_check_cmd(k, &s[i]), 0);
    }
    const dram_cmd_t a = cmd_at(0, DRAM_ACT, 0, 0, 99); /* bank 0: closed at 199 */
    ck_assert_uint_eq(dram_earliest(&d, &a), 420);
    const dram_cmd_t early = cmd_at(419, DRAM_ACT, 0, 0, 99);
    ck_assert_uint_eq(dram_check_cmd(k, &early), 1);
    ck_assert_uint_eq(dram_check_count(k, DRAM_RULE_32AW), 1);
    dram_check_free(k);
    dram_free(&d);
}
END_TEST

/* dual_cmd (HBM2_8Gb_x128): an ACT may issue in the cycle of a RD; with one
 * command bus it waits a cycle, and the checker flags the shared cycle. */
START_TEST(dual_command_bus_issues_a_row_and_a_column_command_per_cycle)
{
    for (int dual = 0; dual < 2; dual++) {
        dram_ctrl_cfg_t c = preset_cfg("HBM2_8Gb_x128");
        c.dev.dual_cmd = (uint32_t)dual;
        dram_t d;
        char err[200];
        ck_assert_int_eq(dram_init(&d, &c.dev, err, sizeof err), 0);
        dram_check_t *k = dram_check_new(&c.dev, 0);
        issue_earliest(&d, k, cmd_at(0, DRAM_ACT, 0, 0, 1));
        const uint64_t rd = issue_earliest(&d, k, cmd_at(0, DRAM_RD, 0, 0, 1));
        ck_assert_uint_eq(rd, c.dev.tRCD);
        const uint64_t act = issue_earliest(&d, k, cmd_at(0, DRAM_ACT, 1, 0, 1));
        ck_assert_uint_eq(act, dual ? rd : rd + 1);
        dram_check_t *same = dram_check_new(&c.dev, 0);
        const dram_cmd_t s[] = {cmd_at(0, DRAM_ACT, 0, 0, 1), cmd_at(rd, DRAM_RD, 0, 0, 1),
                                cmd_at(rd, DRAM_ACT, 1, 0, 1)};
        for (int i = 0; i < 3; i++)
            dram_check_cmd(same, &s[i]);
        ck_assert_uint_eq(dram_check_count(same, DRAM_RULE_CMD), dual ? 0 : 1);
        dram_check_free(same);
        dram_check_free(k);
        dram_free(&d);
    }
}
END_TEST

/* A separate write queue: 4 writes and then 16 reads, all at cycle 0, to
 * one row of distinct banks.  Below write_high the reads go first and the
 * writes drain at the end (every WR after every RD); with write_high 4 the
 * writes drain first down to write_low 0 (every WR before every RD).  With
 * one shared queue FR-FCFS serves the older writes first. */
START_TEST(write_queue_drains_between_its_watermarks)
{
    for (int mode = 0; mode < 3; mode++) {
        dram_ctrl_cfg_t c = preset_cfg("HBM2");
        c.refresh = 0;
        if (mode) {
            c.write_queue_depth = 8;
            c.write_high = mode == 1 ? 8 : 4;
            c.write_low = 0;
            c.write_idle = 8;
        }
        const dram_cfg_t *g = &c.dev;
        req_t r[20];
        for (int i = 0; i < 20; i++)
            r[i] = (req_t){addr_of(g, 0, (uint32_t)i % 4, (uint32_t)(i / 4) % 4, 5, (uint32_t)i),
                           0, i < 4};
        run_t x;
        run(&c, r, 20, 0, &x);
        uint64_t wr_max = 0, wr_min = DRAM_NEVER, rd_max = 0, rd_min = DRAM_NEVER;
        for (int i = 0; i < 20; i++) {
            /* The column command's cycle: done - (tCWL or tCL) - tBL. */
            const uint64_t col = x.done[i] - (i < 4 ? g->tCWL : g->tCL) - g->tBL;
            if (i < 4) {
                wr_max = col > wr_max ? col : wr_max;
                wr_min = col < wr_min ? col : wr_min;
            } else {
                rd_max = col > rd_max ? col : rd_max;
                rd_min = col < rd_min ? col : rd_min;
            }
        }
        if (mode == 1)
            ck_assert_uint_gt(wr_min, rd_max);
        else
            ck_assert_uint_lt(wr_max, rd_min);
        ck_assert_uint_eq(x.st.drains, mode ? 1 : 0);
        run_free(&x);
    }
}
END_TEST

/* Row-hit cap: one bank, a request opening row 1, an older request for row
 * 2 and then 8 hits to row 1, all queued at cycle 0.  Uncapped FR-FCFS
 * serves all 9 row-1 requests before row 2; with row_hit_cap 4, row 2 goes
 * after the 4th column command to row 1 in the whole-queue scheduler.  In
 * DRAMsim3's per-bank queues the cap only admits the PRE, and hits keep
 * issuing until it is legal: ACT at 1 (the request moves into its bank
 * queue at the end of cycle 0), RDs at 15, 19, 23, 27, 31 (tRCD 14, tCCD_L
 * 4), PRE not before tRAS = 34: five. */
START_TEST(row_hit_cap_lets_the_older_miss_close_the_row)
{
    for (int mode = 0; mode < 3; mode++) {
        dram_ctrl_cfg_t c = preset_cfg("HBM2");
        c.refresh = 0;
        c.row_hit_cap = mode ? 4 : 0;
        c.bank_queue_depth = mode == 2 ? 16 : 0;
        const dram_cfg_t *g = &c.dev;
        req_t r[10];
        r[0] = (req_t){addr_of(g, 0, 0, 0, 1, 0), 0, 0};
        r[1] = (req_t){addr_of(g, 0, 0, 0, 2, 0), 0, 0};
        for (int i = 2; i < 10; i++)
            r[i] = (req_t){addr_of(g, 0, 0, 0, 1, (uint32_t)i), 0, 0};
        run_t x;
        run(&c, r, 10, 0, &x);
        int before = 0;
        for (int i = 0; i < 10; i++)
            before += i != 1 && x.done[i] < x.done[1];
        ck_assert_int_eq(before, mode == 0 ? 9 : mode == 1 ? 4 : 5);
        run_free(&x);
    }
}
END_TEST

/* `codesim dram` reports read latency from arrival and from queue entry.
 * HBM2, queue_depth 1, refresh off, two reads to one row at cycle 0: the
 * first enters at 0 and finishes at tRCD + tCL + tBL = 30; the second waits
 * for the queue slot, freed when the first's RD issues at 14, enters at 15,
 * issues at 18 (tCCD_L 4 after 14) and finishes at 18 + tCL + tBL = 34: from
 * arrival {30, 34}, from the queue {30, 19}. */
START_TEST(dram_report_splits_read_latency_from_arrival_and_from_queue_entry)
{
    char dir[64];
    test_tmpdir(dir, sizeof dir, "dramlat");
    char hw[300], tr[300], out[300];
    snprintf(hw, sizeof hw, "%s/hw.yaml", dir);
    snprintf(tr, sizeof tr, "%s/t.trace", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    FILE *f = fopen(hw, "w");
    fputs("dram:\n  preset: HBM2\n  queue_depth: 1\n  refresh: off\n", f);
    fclose(f);
    f = fopen(tr, "w");
    fputs("0 0x0 R\n0 0x800 R\n", f); /* unit 0, bank 0, row 0, bursts 0 and 1 */
    fclose(f);
    const int rc = cmd_to(out, "--hw", hw, "--trace", tr, NULL, NULL);
    ck_assert_int_eq(rc, 0);
    char text[4096] = "";
    f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    text[fread(text, 1, sizeof text - 1, f)] = 0;
    fclose(f);
    ck_assert_msg(strstr(text, "read latency   p50 30  p90 34  p99 34  max 34  mean 32.0") != NULL,
                  "%s", text);
    ck_assert_msg(strstr(text, "  from queue   p50 19  p90 30  p99 30  max 30  mean 24.5") != NULL,
                  "%s", text);
    ck_assert(strstr(text, "write latency") == NULL);
    ck_assert_msg(strstr(text, "last read data at cycle 34") != NULL, "%s", text);
    test_rmtree(dir);
}
END_TEST

Suite *dram_suite(void)
{
    Suite *s = suite_create("dram");
    TCase *tc = tcase_create("dram");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, peak_bandwidth_of_each_preset_is_channels_x_width_x_pin_rate);
    tcase_add_test(tc, preset_capacities_match_the_stack_and_device_sizes);
    tcase_add_test(tc, invalid_timing_sets_are_refused_with_the_rule);
    tcase_add_test(tc, address_mapping_places_fields_as_named_and_round_trips);
    tcase_add_loop_test(tc, checker_flags_each_injected_violation_with_its_rule, 0,
                        (int)(sizeof injections / sizeof injections[0]));
    tcase_add_test(tc, legal_hand_streams_pass_the_checker);
    tcase_add_loop_test(tc, model_earliest_agrees_with_the_checker_on_random_streams, 0, 4);
    tcase_add_loop_test(tc, idle_read_takes_rcd_cl_bl_and_a_row_conflict_adds_rp, 0, 3);
    tcase_add_test(tc, close_page_precharges_after_the_access);
    tcase_add_test(tc, frfcfs_serves_a_younger_hit_before_an_older_miss);
    tcase_add_test(tc, refresh_every_trefi_blocks_the_banks_for_trfc);
    tcase_add_loop_test(tc, streaming_reads_reach_85_percent_of_peak_on_each_preset, 0, 3);
    tcase_add_test(tc, sequential_trace_hits_the_row_buffer_and_random_does_not);
    tcase_add_test(tc, trace_formats_parse_and_bad_lines_name_file_and_line);
    tcase_add_test(tc, trace_refused_before_parsing_is_left_empty);
    tcase_add_test(tc, dram_command_runs_shipped_traces_and_refuses_bad_input);
    tcase_add_loop_test(tc, skipped_idle_gaps_equal_ticking_through_every_refresh, 0, 6);
    tcase_add_test(tc, trace_gap_of_10e12_cycles_counts_refreshes_in_closed_form);
    tcase_add_loop_test(tc, first_request_after_a_long_idle_gap_waits_for_no_owed_refresh, 0, 4);
    tcase_add_test(tc, write_after_read_waits_for_the_trtrs_turnaround);
    tcase_add_test(tc, t32aw_holds_the_33rd_activation_to_the_window);
    tcase_add_test(tc, dual_command_bus_issues_a_row_and_a_column_command_per_cycle);
    tcase_add_test(tc, write_queue_drains_between_its_watermarks);
    tcase_add_test(tc, row_hit_cap_lets_the_older_miss_close_the_row);
    tcase_add_test(tc, dram_report_splits_read_latency_from_arrival_and_from_queue_entry);
    suite_add_tcase(s, tc);
    return s;
}
