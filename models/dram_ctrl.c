/* dram_ctrl.c - request queues, row policy, FR-FCFS and refresh over the
 * dram_t state machine (the policy is described in dram_ctrl.h). */
#include "dram_ctrl.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_QUEUE 256u

void dram_ctrl_defaults(dram_ctrl_cfg_t *c)
{
    char err[128];
    memset(c, 0, sizeof *c);
    dram_preset("HBM2", &c->dev, err, sizeof err);
    c->page = DRAM_OPEN_PAGE;
    c->sched = DRAM_FRFCFS;
    c->queue_depth = 32;
    c->refresh = 1;
}

int dram_ctrl_cfg_set(dram_ctrl_cfg_t *c, const char *key, const char *val, char *err,
                      size_t errlen)
{
    if (!strcmp(key, "page_policy")) {
        if (!strcasecmp(val, "open"))
            c->page = DRAM_OPEN_PAGE;
        else if (!strcasecmp(val, "close"))
            c->page = DRAM_CLOSE_PAGE;
        else {
            snprintf(err, errlen, "page_policy: '%.32s' is not open or close", val);
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "scheduler")) {
        if (!strcasecmp(val, "frfcfs"))
            c->sched = DRAM_FRFCFS;
        else if (!strcasecmp(val, "fcfs"))
            c->sched = DRAM_FCFS;
        else {
            snprintf(err, errlen, "scheduler: '%.32s' is not frfcfs or fcfs", val);
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "refresh")) {
        if (!strcasecmp(val, "on") || !strcasecmp(val, "true"))
            c->refresh = 1;
        else if (!strcasecmp(val, "off") || !strcasecmp(val, "false"))
            c->refresh = 0;
        else {
            snprintf(err, errlen, "refresh: '%.32s' is not on or off", val);
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "queue_depth")) {
        char *end;
        const unsigned long v = strtoul(val, &end, 10);
        if (!*val || *end || val[0] == '-' || v > MAX_QUEUE) {
            snprintf(err, errlen, "queue_depth: '%.32s' is not a whole number up to %u", val,
                     MAX_QUEUE);
            return -1;
        }
        c->queue_depth = (uint32_t)v;
        return 0;
    }
    const int r = dram_cfg_set(&c->dev, key, val, err, errlen);
    if (r == 1) {
        snprintf(err, errlen, "%.48s: unknown key (see models/dram.h and models/dram_ctrl.h)", key);
        return -1;
    }
    return r;
}

int dram_ctrl_cfg_check(const dram_ctrl_cfg_t *c, char *err, size_t errlen)
{
    if (c->queue_depth < 1 || c->queue_depth > MAX_QUEUE) {
        snprintf(err, errlen, "queue_depth: %u is outside 1..%u", c->queue_depth, MAX_QUEUE);
        return -1;
    }
    return dram_cfg_check(&c->dev, err, errlen);
}

int dram_ctrl_init(dram_ctrl_t *c, const dram_ctrl_cfg_t *cfg, dram_cmd_fn on_cmd,
                   dram_done_fn on_done, void *ctx, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (dram_ctrl_cfg_check(cfg, err, errlen) || dram_init(&c->dram, &cfg->dev, err, errlen))
        return -1;
    c->cfg = *cfg;
    c->on_cmd = on_cmd;
    c->on_done = on_done;
    c->ctx = ctx;
    const uint32_t nu = dram_units(&cfg->dev);
    c->u = calloc(nu, sizeof *c->u);
    const uint32_t nb = dram_banks(&cfg->dev);
    c->flags = calloc(nb, 1);
    c->e_col = calloc(2 * (size_t)nb, sizeof *c->e_col);
    c->e_row = calloc(nb, sizeof *c->e_row);
    int ok = c->u && c->flags && c->e_col && c->e_row;
    for (uint32_t i = 0; ok && i < nu; i++) {
        c->u[i].q = malloc(cfg->queue_depth * sizeof *c->u[i].q);
        ok = c->u[i].q != NULL;
        c->u[i].ref_due = cfg->dev.tREFI;
        c->u[i].wake = cfg->refresh ? c->u[i].ref_due : DRAM_NEVER;
    }
    if (!ok) {
        dram_ctrl_free(c);
        snprintf(err, errlen, "dram: out of memory");
        return -1;
    }
    c->st.first_arrival = DRAM_NEVER;
    return 0;
}

void dram_ctrl_free(dram_ctrl_t *c)
{
    if (c->u)
        for (uint32_t i = 0; i < dram_units(&c->cfg.dev); i++)
            free(c->u[i].q);
    free(c->u);
    free(c->flags);
    free(c->e_col);
    free(c->e_row);
    dram_free(&c->dram);
    c->u = NULL;
    c->flags = NULL;
    c->e_col = c->e_row = NULL;
}

int dram_ctrl_room(const dram_ctrl_t *c, uint64_t addr)
{
    dram_loc_t loc;
    char err[8];
    if (dram_decode(&c->cfg.dev, addr, &loc, err, sizeof err))
        return 0;
    return c->u[loc.unit].len < c->cfg.queue_depth;
}

int dram_ctrl_push(dram_ctrl_t *c, uint64_t addr, int write, uint64_t at, uint64_t tag, char *err,
                   size_t errlen)
{
    dram_loc_t loc;
    if (dram_decode(&c->cfg.dev, addr, &loc, err, errlen))
        return -1;
    dram_cunit_t *u = &c->u[loc.unit];
    if (u->len == c->cfg.queue_depth)
        return 1;
    u->q[u->len++] = (dram_qent_t){at, tag, loc, loc.bg * c->cfg.dev.banks_per_group + loc.bank,
                                   (uint8_t)(write != 0), 0, 0};
    c->pending++;
    if (u->wake > at)
        u->wake = at;
    if (c->st.first_arrival > at)
        c->st.first_arrival = at;
    return 0;
}

/* Issues a command the caller found legal at `now`. */
static void issue(dram_ctrl_t *c, dram_cmd_t *cmd, uint64_t now)
{
    char err[160];
    cmd->cycle = now;
    const int rc = dram_issue(&c->dram, cmd, err, sizeof err);
    (void)rc; /* cannot fail: dram_earliest(cmd) <= now was checked */
    c->st.cmds[cmd->kind]++;
    if (c->on_cmd)
        c->on_cmd(c->ctx, cmd);
}

static dram_cmd_t cmd_for(uint8_t kind, uint32_t unit, const dram_loc_t *l)
{
    return (dram_cmd_t){.kind = kind, .unit = (uint16_t)unit, .bg = (uint8_t)l->bg,
                        .bank = (uint8_t)l->bank, .row = l->row, .col = l->col};
}

/* Completes queue entry i of unit u with its column command issued at now. */
static void complete(dram_ctrl_t *c, dram_cunit_t *u, uint32_t i, uint64_t now)
{
    const dram_cfg_t *g = &c->cfg.dev;
    const dram_qent_t r = u->q[i];
    const uint64_t done = now + (r.write ? g->tCWL : g->tCL) + g->tBL;
    memmove(&u->q[i], &u->q[i + 1], (u->len - i - 1) * sizeof *u->q);
    u->len--;
    c->pending--;
    if (r.write)
        c->st.writes++;
    else
        c->st.reads++;
    if (r.conflict)
        c->st.conflicts++;
    else if (r.acted)
        c->st.misses++;
    else
        c->st.hits++;
    c->st.bytes += dram_burst_bytes(g);
    if (done > c->st.last_done)
        c->st.last_done = done;
    if (c->on_done)
        c->on_done(c->ctx, r.tag, r.write, r.arrive, done);
}

/* What schedule() has worked out about a bank in this call. */
enum { F_HIT = 1, F_RD = 2, F_WR = 4, F_ROW = 8 };

/* Schedules unit ui at cycle now; returns the unit's next wake cycle.  Each
 * bank's earliest RD, WR and row command are asked of dram_t at most once
 * per call, so a call costs O(queue + banks). */
static uint64_t schedule(dram_ctrl_t *c, uint32_t ui, uint64_t now)
{
    dram_cunit_t *u = &c->u[ui];
    dram_t *d = &c->dram;
    const dram_cfg_t *g = &c->cfg.dev;
    const uint32_t per_group = g->banks_per_group, nb = dram_banks(g);
    const dram_bank_t *banks = &d->bank[(size_t)ui * nb];
    uint64_t wake = DRAM_NEVER;
    dram_cmd_t cmd;

    if (c->cfg.refresh && now >= u->ref_due) {
        cmd = (dram_cmd_t){.kind = d->unit[ui].open ? DRAM_PREA : DRAM_REF, .unit = (uint16_t)ui};
        const uint64_t e = dram_earliest(d, &cmd);
        if (e > now)
            return e;
        issue(c, &cmd, now);
        if (cmd.kind == DRAM_REF)
            u->ref_due += g->tREFI;
        return now + 1;
    }
    if (c->cfg.refresh)
        wake = u->ref_due;

    uint8_t *fl = c->flags;
    memset(fl, 0, nb);
    const uint32_t n = c->cfg.sched == DRAM_FCFS ? (u->len ? 1 : 0) : u->len;
    /* First ready: the oldest column command that can go now.  Marks the
     * banks whose open row a queued request hits. */
    for (uint32_t i = 0; i < n; i++) {
        const dram_qent_t *r = &u->q[i];
        const uint32_t bi = r->bi;
        if (banks[bi].row != r->loc.row)
            continue;
        const uint8_t have = r->write ? F_WR : F_RD;
        uint64_t *e = &c->e_col[2 * bi + r->write];
        fl[bi] |= F_HIT;
        if (!(fl[bi] & have)) {
            cmd = cmd_for(r->write ? DRAM_WR : DRAM_RD, ui, &r->loc);
            *e = dram_earliest(d, &cmd);
            fl[bi] |= have;
        }
        if (*e <= now) {
            cmd = cmd_for(r->write ? DRAM_WR : DRAM_RD, ui, &r->loc);
            issue(c, &cmd, now);
            complete(c, u, i, now);
            return now + 1;
        }
        wake = util_min_u64(wake, *e);
    }
    /* Then the oldest request's row command that can go now. */
    for (uint32_t i = 0; i < n; i++) {
        dram_qent_t *r = &u->q[i];
        const uint32_t bi = r->bi;
        const uint32_t open = banks[bi].row;
        if (open == r->loc.row)
            continue;
        if (open != DRAM_NO_ROW && (fl[bi] & F_HIT) && c->cfg.sched == DRAM_FRFCFS)
            continue; /* let the queued hits to the open row go first */
        cmd = cmd_for(open == DRAM_NO_ROW ? DRAM_ACT : DRAM_PRE, ui, &r->loc);
        if (!(fl[bi] & F_ROW)) {
            c->e_row[bi] = dram_earliest(d, &cmd);
            fl[bi] |= F_ROW;
        }
        if (c->e_row[bi] <= now) {
            issue(c, &cmd, now);
            if (cmd.kind == DRAM_ACT)
                r->acted = 1;
            else
                r->conflict = 1;
            return now + 1;
        }
        wake = util_min_u64(wake, c->e_row[bi]);
    }
    /* Close page: precharge open banks nobody queued still hits. */
    if (c->cfg.page == DRAM_CLOSE_PAGE && d->unit[ui].open)
        for (uint32_t bi = 0; bi < nb; bi++) {
            if (banks[bi].row == DRAM_NO_ROW || (fl[bi] & F_HIT))
                continue;
            const dram_loc_t l = {ui, bi / per_group, bi % per_group, 0, 0};
            cmd = cmd_for(DRAM_PRE, ui, &l);
            const uint64_t e = dram_earliest(d, &cmd);
            if (e <= now) {
                issue(c, &cmd, now);
                return now + 1;
            }
            wake = util_min_u64(wake, e);
        }
    return wake;
}

uint64_t dram_ctrl_tick(dram_ctrl_t *c, uint64_t now)
{
    uint64_t next = DRAM_NEVER;
    const uint32_t nu = dram_units(&c->cfg.dev);
    for (uint32_t i = 0; i < nu; i++) {
        dram_cunit_t *u = &c->u[i];
        if (u->wake <= now)
            u->wake = schedule(c, i, now);
        if (u->wake < next)
            next = u->wake;
    }
    return next;
}

/* Number of refresh due cycles due, due + tREFI, ... below until. */
static uint64_t refs_before(uint64_t due, uint64_t refi, uint64_t until)
{
    return due < until ? (until - 1 - due) / refi + 1 : 0;
}

int dram_ctrl_skip_idle(dram_ctrl_t *c, uint64_t now, uint64_t until)
{
    const uint32_t nu = dram_units(&c->cfg.dev);
    const uint64_t refi = c->cfg.dev.tREFI;
    if (!c->cfg.refresh || c->pending != 0 || until > DRAM_MAX_CYCLE)
        return 0;
    for (uint32_t i = 0; i < nu; i++) {
        const dram_cunit_t *u = &c->u[i];
        const dram_cmd_t ref = {.kind = DRAM_REF, .unit = (uint16_t)i};
        /* Idle, all banks closed, next REF not overdue and legal when due:
         * then it issues at its due cycle, and each later one tREFI after
         * (tREFI > tRFC, dram_cfg_check), with nothing else between. */
        if (u->len || c->dram.unit[i].open || u->ref_due <= now || u->wake != u->ref_due ||
            dram_earliest(&c->dram, &ref) > u->ref_due || refs_before(u->ref_due, refi, until) < 3)
            return 0;
    }
    /* The firsts of every unit, then the runs, then the lasts: every due
     * cycle lies in (now, now + tREFI], so this keeps on_cmd in cycle order. */
    uint64_t *n = malloc(nu * sizeof *n);
    if (!n)
        return 0;
    for (uint32_t i = 0; i < nu; i++) {
        n[i] = refs_before(c->u[i].ref_due, refi, until);
        dram_cmd_t cmd = {.kind = DRAM_REF, .unit = (uint16_t)i};
        issue(c, &cmd, c->u[i].ref_due);
    }
    for (uint32_t i = 0; i < nu; i++) {
        const uint64_t mid = n[i] - 2;
        c->st.cmds[DRAM_REF] += mid;
        c->dram.unit[i].refs += mid;
        if (c->on_refs)
            c->on_refs(c->ctx, (uint16_t)i, c->u[i].ref_due + refi, mid, refi);
    }
    for (uint32_t i = 0; i < nu; i++) {
        dram_cunit_t *u = &c->u[i];
        dram_cmd_t cmd = {.kind = DRAM_REF, .unit = (uint16_t)i};
        issue(c, &cmd, u->ref_due + (n[i] - 1) * refi);
        u->ref_due += n[i] * refi;
        u->wake = u->ref_due;
    }
    free(n);
    return 1;
}
