/* dram_check.c - replays a DRAM command stream and flags timing violations.
 * Bookkeeping: the cycle of the last command of each kind per bank, bank
 * group and unit (NONE = never), a window of recent activation cycles, and
 * the end of the last data burst.  Each rule is "t >= last + distance". */
#include "dram_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE (INT64_MIN / 4) /* "never": NONE + any distance is still in the past */
#define ACT_WINDOW 40        /* activations remembered for the tFAW and t32AW counts */

typedef struct {
    int open;
    uint32_t row;
    int64_t act, pre, rd, wr; /* last ACT, PRE (incl. PREA), column read (RD, MAC), WR */
} kbank_t;

typedef struct {
    int64_t act, col, wr;
} kgroup_t;

typedef struct {
    int64_t act, pre, col, wr, ref, last;
    int64_t last_row, last_col; /* dual_cmd: last command on each bus */
    int64_t bus_end, rd_end;    /* end of the last burst, of the last read burst */
    int64_t acts[ACT_WINDOW]; /* most recent activations, ring */
    unsigned ai;
    uint64_t refs, refi_flagged;
} kunit_t;

struct dram_check {
    dram_cfg_t cfg;
    int refresh;
    kunit_t *u;
    kgroup_t *g;
    kbank_t *b;
    uint64_t counts[DRAM_RULE_COUNT], total, cmds;
    dram_violation_t first[DRAM_CHECK_KEEP];
};

static const char *const rule_names[DRAM_RULE_COUNT] = {
    [DRAM_RULE_STATE] = "state", [DRAM_RULE_CMD] = "cmd",     [DRAM_RULE_RCD] = "tRCD",
    [DRAM_RULE_RP] = "tRP",       [DRAM_RULE_RAS] = "tRAS",    [DRAM_RULE_RC] = "tRC",
    [DRAM_RULE_BUS] = "bus",      [DRAM_RULE_CCD_S] = "tCCD_S", [DRAM_RULE_CCD_L] = "tCCD_L",
    [DRAM_RULE_RRD_S] = "tRRD_S", [DRAM_RULE_RRD_L] = "tRRD_L", [DRAM_RULE_FAW] = "tFAW",
    [DRAM_RULE_WR] = "tWR",       [DRAM_RULE_WTR_S] = "tWTR_S", [DRAM_RULE_WTR_L] = "tWTR_L",
    [DRAM_RULE_RTP] = "tRTP",     [DRAM_RULE_RFC] = "tRFC",    [DRAM_RULE_REFI] = "tREFI",
    [DRAM_RULE_RTRS] = "tRTRS",  [DRAM_RULE_32AW] = "t32AW",
};

const char *dram_rule_name(dram_rule_t r)
{
    return (unsigned)r < DRAM_RULE_COUNT ? rule_names[r] : "?";
}

dram_check_t *dram_check_new(const dram_cfg_t *cfg, int refresh)
{
    dram_check_t *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->cfg = *cfg;
    k->refresh = refresh;
    const size_t nu = (size_t)cfg->channels * cfg->pseudo_channels;
    const size_t ng = nu * cfg->bank_groups, nb = ng * cfg->banks_per_group;
    k->u = calloc(nu, sizeof *k->u);
    k->g = calloc(ng, sizeof *k->g);
    k->b = calloc(nb, sizeof *k->b);
    if (!k->u || !k->g || !k->b) {
        dram_check_free(k);
        return NULL;
    }
    for (size_t i = 0; i < nu; i++) {
        kunit_t *u = &k->u[i];
        u->act = u->pre = u->col = u->wr = u->ref = u->last = u->bus_end = NONE;
        u->last_row = u->last_col = u->rd_end = NONE;
        for (int j = 0; j < ACT_WINDOW; j++)
            u->acts[j] = NONE;
    }
    for (size_t i = 0; i < ng; i++)
        k->g[i] = (kgroup_t){NONE, NONE, NONE};
    for (size_t i = 0; i < nb; i++)
        k->b[i] = (kbank_t){0, 0, NONE, NONE, NONE, NONE};
    return k;
}

void dram_check_free(dram_check_t *k)
{
    if (!k)
        return;
    free(k->u);
    free(k->g);
    free(k->b);
    free(k);
}

static void flag(dram_check_t *k, unsigned *n, dram_rule_t r, const dram_cmd_t *c, int64_t need)
{
    if (k->total < DRAM_CHECK_KEEP)
        k->first[k->total] = (dram_violation_t){r, *c, need};
    k->counts[r]++;
    k->total++;
    (*n)++;
}

/* Flags rule r when t < last + dist. */
static void need(dram_check_t *k, unsigned *n, dram_rule_t r, const dram_cmd_t *c, int64_t last,
                 int64_t dist)
{
    if (last != NONE && (int64_t)c->cycle < last + dist)
        flag(k, n, r, c, last + dist);
}

/* Activations of unit u in the window (t - tFAW, t]. */
static unsigned acts_in_window(const kunit_t *u, int64_t t, int64_t faw)
{
    unsigned n = 0;
    for (int j = 0; j < ACT_WINDOW; j++)
        n += u->acts[j] != NONE && u->acts[j] > t - faw;
    return n;
}

static void push_act(kunit_t *u, int64_t t)
{
    u->acts[u->ai] = t;
    u->ai = (u->ai + 1) % ACT_WINDOW;
}

/* tREFI: by cycle t the unit owes floor(t / tREFI) refreshes, of which at
 * most DRAM_REF_MAX_POSTPONE may be outstanding.  Each missed one is flagged
 * once. */
static void refi(dram_check_t *k, unsigned *n, kunit_t *u, uint16_t unit, int64_t t)
{
    if (!k->refresh)
        return;
    const uint64_t owed = (uint64_t)t / k->cfg.tREFI;
    const uint64_t allowed = u->refs + DRAM_REF_MAX_POSTPONE;
    while (owed > allowed + u->refi_flagged) {
        u->refi_flagged++;
        const dram_cmd_t c = {.cycle = (uint64_t)t, .kind = DRAM_REF, .unit = unit};
        flag(k, n, DRAM_RULE_REFI,
             &c, (int64_t)((allowed + u->refi_flagged) * k->cfg.tREFI));
    }
}

unsigned dram_check_cmd(dram_check_t *k, const dram_cmd_t *c)
{
    const dram_cfg_t *f = &k->cfg;
    unsigned n = 0;
    k->cmds++;
    const size_t nu = (size_t)f->channels * f->pseudo_channels;
    const unsigned per_unit = f->bank_groups * f->banks_per_group;
    const int64_t t = (int64_t)c->cycle;
    if (c->unit >= nu || c->kind >= DRAM_CMD_COUNT) {
        flag(k, &n, DRAM_RULE_CMD, c, -1);
        return n;
    }
    kunit_t *u = &k->u[c->unit];
    kgroup_t *gs = &k->g[(size_t)c->unit * f->bank_groups];
    kbank_t *bs = &k->b[(size_t)c->unit * per_unit];
    const int names_bank = c->kind == DRAM_ACT || c->kind == DRAM_PRE || c->kind == DRAM_RD ||
                           c->kind == DRAM_WR;
    if (names_bank && (c->bg >= f->bank_groups || c->bank >= f->banks_per_group)) {
        flag(k, &n, DRAM_RULE_CMD, c, -1);
        return n;
    }
    /* Time order; one command per cycle, or per command bus with dual_cmd. */
    const int colk = c->kind == DRAM_RD || c->kind == DRAM_WR || c->kind == DRAM_PIM_MAC_AB ||
                     c->kind == DRAM_PIM_RD_RES || c->kind == DRAM_PIM_WR_GB;
    if (!f->dual_cmd) {
        if (u->last != NONE && t <= u->last)
            flag(k, &n, DRAM_RULE_CMD, c, u->last + 1);
    } else {
        int64_t *bus = colk ? &u->last_col : &u->last_row;
        if ((u->last != NONE && t < u->last) || (*bus != NONE && t <= *bus))
            flag(k, &n, DRAM_RULE_CMD, c, u->last + 1);
        *bus = t;
    }
    u->last = t;
    refi(k, &n, u, c->unit, t);
    kgroup_t *g = &gs[names_bank ? c->bg : 0];
    kbank_t *b = &bs[names_bank ? c->bg * f->banks_per_group + c->bank : 0];
    const int64_t tBL = f->tBL;
    switch ((dram_cmd_kind_t)c->kind) {
    case DRAM_ACT:
        if (b->open)
            flag(k, &n, DRAM_RULE_STATE, c, -1);
        need(k, &n, DRAM_RULE_RP, c, b->pre, f->tRP);
        need(k, &n, DRAM_RULE_RC, c, b->act, f->tRC);
        need(k, &n, DRAM_RULE_RRD_L, c, g->act, f->tRRD_L);
        need(k, &n, DRAM_RULE_RRD_S, c, u->act, f->tRRD_S);
        need(k, &n, DRAM_RULE_RFC, c, u->ref, f->tRFC);
        if (acts_in_window(u, t, f->tFAW) + 1 > 4)
            flag(k, &n, DRAM_RULE_FAW, c, -1);
        if (f->t32AW && acts_in_window(u, t, f->t32AW) + 1 > 32)
            flag(k, &n, DRAM_RULE_32AW, c, -1);
        b->open = 1;
        b->row = c->row;
        b->act = g->act = u->act = t;
        push_act(u, t);
        break;
    case DRAM_PIM_ACT_AB:
        for (unsigned i = 0; i < per_unit; i++) {
            if (bs[i].open)
                flag(k, &n, DRAM_RULE_STATE, c, -1);
            need(k, &n, DRAM_RULE_RP, c, bs[i].pre, f->tRP);
            need(k, &n, DRAM_RULE_RC, c, bs[i].act, f->tRC);
        }
        for (unsigned i = 0; i < f->bank_groups; i++)
            need(k, &n, DRAM_RULE_RRD_L, c, gs[i].act, f->tRRD_L);
        need(k, &n, DRAM_RULE_RRD_S, c, u->act, f->tRRD_S);
        need(k, &n, DRAM_RULE_RFC, c, u->ref, f->tRFC);
        if (acts_in_window(u, t, f->tFAW) + 4 > 4)
            flag(k, &n, DRAM_RULE_FAW, c, -1);
        if (f->t32AW && acts_in_window(u, t, f->t32AW) + 4 > 32)
            flag(k, &n, DRAM_RULE_32AW, c, -1);
        for (unsigned i = 0; i < per_unit; i++) {
            bs[i].open = 1;
            bs[i].row = c->row;
            bs[i].act = t;
        }
        for (unsigned i = 0; i < f->bank_groups; i++)
            gs[i].act = t;
        u->act = t;
        for (int j = 0; j < 4; j++)
            push_act(u, t);
        break;
    case DRAM_PRE:
    case DRAM_PREA:
        if (c->kind == DRAM_PRE && !b->open)
            flag(k, &n, DRAM_RULE_STATE, c, -1);
        for (unsigned i = 0; i < per_unit; i++) {
            kbank_t *x = &bs[i];
            if (c->kind == DRAM_PRE && x != b)
                continue;
            if (x->open) {
                need(k, &n, DRAM_RULE_RAS, c, x->act, f->tRAS);
                need(k, &n, DRAM_RULE_RTP, c, x->rd, f->tRTP);
                need(k, &n, DRAM_RULE_WR, c, x->wr, f->tCWL + tBL + f->tWR);
            }
            x->open = 0;
            x->pre = t;
        }
        u->pre = t;
        break;
    case DRAM_RD:
    case DRAM_WR:
        if (!b->open || b->row != c->row)
            flag(k, &n, DRAM_RULE_STATE, c, -1);
        need(k, &n, DRAM_RULE_RCD, c, b->act, f->tRCD);
        need(k, &n, DRAM_RULE_CCD_L, c, g->col, f->tCCD_L);
        need(k, &n, DRAM_RULE_CCD_S, c, u->col, f->tCCD_S);
        if (c->kind == DRAM_RD) {
            need(k, &n, DRAM_RULE_WTR_L, c, g->wr, f->tCWL + tBL + f->tWTR_L);
            need(k, &n, DRAM_RULE_WTR_S, c, u->wr, f->tCWL + tBL + f->tWTR_S);
            need(k, &n, DRAM_RULE_BUS, c, u->bus_end, -(int64_t)f->tCL);
            b->rd = t;
            u->bus_end = u->rd_end = t + f->tCL + tBL;
        } else {
            need(k, &n, DRAM_RULE_BUS, c, u->bus_end, -(int64_t)f->tCWL);
            if (f->tRTRS) /* 0: the bus rule above says it */
                need(k, &n, DRAM_RULE_RTRS, c, u->rd_end, (int64_t)f->tRTRS - (int64_t)f->tCWL);
            b->wr = g->wr = u->wr = t;
            u->bus_end = t + f->tCWL + tBL;
        }
        g->col = u->col = t;
        break;
    case DRAM_REF:
        for (unsigned i = 0; i < per_unit; i++)
            if (bs[i].open) {
                flag(k, &n, DRAM_RULE_STATE, c, -1);
                break;
            }
        need(k, &n, DRAM_RULE_RP, c, u->pre, f->tRP);
        need(k, &n, DRAM_RULE_RC, c, u->act, f->tRC);
        need(k, &n, DRAM_RULE_RFC, c, u->ref, f->tRFC);
        u->ref = t;
        u->refs++;
        break;
    case DRAM_PIM_MAC_AB:
        for (unsigned i = 0; i < per_unit; i++) {
            if (!bs[i].open)
                flag(k, &n, DRAM_RULE_STATE, c, -1);
            need(k, &n, DRAM_RULE_RCD, c, bs[i].act, f->tRCD);
            bs[i].rd = t;
        }
        for (unsigned i = 0; i < f->bank_groups; i++) {
            need(k, &n, DRAM_RULE_CCD_L, c, gs[i].col, f->tCCD_L);
            need(k, &n, DRAM_RULE_WTR_L, c, gs[i].wr, f->tCWL + tBL + f->tWTR_L);
            gs[i].col = t;
        }
        need(k, &n, DRAM_RULE_CCD_S, c, u->col, f->tCCD_S);
        u->col = t;
        break;
    case DRAM_PIM_RD_RES:
        need(k, &n, DRAM_RULE_CCD_S, c, u->col, f->tCCD_S);
        need(k, &n, DRAM_RULE_BUS, c, u->bus_end, -(int64_t)f->tCL);
        u->bus_end = u->rd_end = t + f->tCL + tBL;
        u->col = t;
        break;
    case DRAM_PIM_WR_GB:
        need(k, &n, DRAM_RULE_CCD_S, c, u->col, f->tCCD_S);
        need(k, &n, DRAM_RULE_BUS, c, u->bus_end, -(int64_t)f->tCWL);
        if (f->tRTRS)
            need(k, &n, DRAM_RULE_RTRS, c, u->rd_end, (int64_t)f->tRTRS - (int64_t)f->tCWL);
        u->bus_end = t + f->tCWL + tBL;
        u->col = t;
        break;
    case DRAM_CMD_COUNT:
        break;
    }
    return n;
}

unsigned dram_check_ref_run(dram_check_t *k, uint16_t unit, uint64_t first, uint64_t count,
                            uint64_t period)
{
    if (count == 0)
        return 0;
    const dram_cmd_t c0 = {.cycle = first, .kind = DRAM_REF, .unit = unit};
    unsigned n = dram_check_cmd(k, &c0);
    if (count == 1 || unit >= (size_t)k->cfg.channels * k->cfg.pseudo_channels)
        return n;
    kunit_t *u = &k->u[unit];
    const uint64_t last = first + (count - 1) * period;
    /* REF j >= 1 follows REF j-1 by period and nothing else: the banks stay
     * closed and tRP, tRC are older still; only tRFC can fail, for every one
     * of them at once. */
    if (period == 0 || period < k->cfg.tRFC) {
        const dram_cmd_t c1 = {.cycle = first + period, .kind = DRAM_REF, .unit = unit};
        if (period == 0)
            flag(k, &n, DRAM_RULE_CMD, &c1, (int64_t)first + 1);
        else
            flag(k, &n, DRAM_RULE_RFC, &c1, (int64_t)(first + k->cfg.tRFC));
    }
    /* tREFI: with period <= tREFI the REFs keep pace with what is owed, so
     * the check at the last one covers the run; a longer period falls
     * behind steadily and the check at the last one counts every miss. */
    u->refs += count - 1;
    k->cmds += count - 1;
    u->ref = u->last = (int64_t)last;
    refi(k, &n, u, unit, (int64_t)last);
    return n;
}

unsigned dram_check_finish(dram_check_t *k, uint64_t end)
{
    unsigned n = 0;
    const size_t nu = (size_t)k->cfg.channels * k->cfg.pseudo_channels;
    for (size_t i = 0; i < nu; i++)
        refi(k, &n, &k->u[i], (uint16_t)i, (int64_t)end);
    return n;
}

uint64_t dram_check_total(const dram_check_t *k) { return k->total; }
uint64_t dram_check_count(const dram_check_t *k, dram_rule_t r) { return k->counts[r]; }
uint64_t dram_check_commands(const dram_check_t *k) { return k->cmds; }

const dram_violation_t *dram_check_first(const dram_check_t *k, size_t *n)
{
    *n = k->total < DRAM_CHECK_KEEP ? (size_t)k->total : DRAM_CHECK_KEEP;
    return k->first;
}

void dram_check_describe(const dram_violation_t *v, char *out, size_t outlen)
{
    char legal[48] = "";
    if (v->need >= 0)
        snprintf(legal, sizeof legal, ", legal from %lld", (long long)v->need);
    snprintf(out, outlen, "%s: %s unit %u bg %u bank %u at cycle %llu%s", dram_rule_name(v->rule),
             dram_cmd_name(v->cmd.kind), v->cmd.unit, v->cmd.bg, v->cmd.bank,
             (unsigned long long)v->cmd.cycle, legal);
}
