/* dram_ctrl.c - request queues, row policy, FR-FCFS and refresh over the
 * dram_t state machine (the policy is described in dram_ctrl.h). */
#include "dram_ctrl.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_QUEUE 256u
#define MAX_BANK_QUEUE 64u

void dram_ctrl_defaults(dram_ctrl_cfg_t *c)
{
    char err[128];
    memset(c, 0, sizeof *c);
    dram_preset("HBM2", &c->dev, err, sizeof err);
    c->page = DRAM_OPEN_PAGE;
    c->sched = DRAM_FRFCFS;
    c->queue_depth = 32;
    c->refresh = 1;
    c->write_idle = 8;
}

/* DRAMsim3's controller, [system] defaults (src/configuration.cc:
 * trans_queue_size 32, cmd_queue_size 8, queue_structure PER_BANK, separate
 * write buffer) and its fixed policies (src/controller.cc: drain when the
 * write buffer is full or holds more than 8 with idle command queues;
 * src/command_queue.cc: row-hit cap 4). */
static void dramsim3_like(dram_ctrl_cfg_t *c)
{
    c->page = DRAM_OPEN_PAGE;
    c->sched = DRAM_FRFCFS;
    c->queue_depth = 32;
    c->write_queue_depth = 32;
    c->write_high = 32;
    c->write_low = 0;
    c->write_idle = 8;
    c->bank_queue_depth = 8;
    c->row_hit_cap = 4;
    c->dual_issue = 1;
}

static int set_count(const char *key, const char *val, uint32_t max, uint32_t *out, char *err,
                     size_t errlen)
{
    char *end;
    const unsigned long v = strtoul(val, &end, 10);
    /* A whole number past max is too large, not "not a whole number". */
    if (*val && strspn(val, "0123456789") == strlen(val) && (v > max || *end)) {
        snprintf(err, errlen, "%s: %.32s is too large (at most %u)", key, val, max);
        return -1;
    }
    if (!*val || *end || val[0] == '-' || v > max || strspn(val, "0123456789") != strlen(val)) {
        snprintf(err, errlen, "%s: '%.32s' is not a whole number up to %u", key, val, max);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
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
    if (!strcmp(key, "controller")) {
        if (!strcasecmp(val, "dramsim3"))
            dramsim3_like(c);
        else if (strcasecmp(val, "default")) {
            snprintf(err, errlen, "controller: '%.32s' is not dramsim3 or default", val);
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "write_queue_depth"))
        return set_count(key, val, MAX_QUEUE, &c->write_queue_depth, err, errlen);
    if (!strcmp(key, "write_high"))
        return set_count(key, val, MAX_QUEUE, &c->write_high, err, errlen);
    if (!strcmp(key, "write_low"))
        return set_count(key, val, MAX_QUEUE, &c->write_low, err, errlen);
    if (!strcmp(key, "write_idle"))
        return set_count(key, val, MAX_QUEUE, &c->write_idle, err, errlen);
    if (!strcmp(key, "bank_queue_depth"))
        return set_count(key, val, MAX_BANK_QUEUE, &c->bank_queue_depth, err, errlen);
    if (!strcmp(key, "refresh_first"))
        return set_count(key, val, DRAM_MAX_TIMING, &c->refresh_first, err, errlen);
    if (!strcmp(key, "row_hit_cap"))
        return set_count(key, val, 1u << 20, &c->row_hit_cap, err, errlen);
    if (!strcmp(key, "dual_issue")) {
        if (!strcasecmp(val, "on") || !strcasecmp(val, "true"))
            c->dual_issue = 1;
        else if (!strcasecmp(val, "off") || !strcasecmp(val, "false"))
            c->dual_issue = 0;
        else {
            snprintf(err, errlen, "dual_issue: '%.32s' is not on or off", val);
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "queue_depth")) {
        uint32_t v;
        if (set_count(key, val, MAX_QUEUE, &v, err, errlen) != 0)
            return -1;
        c->queue_depth = v;
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
    if (c->write_queue_depth > MAX_QUEUE) {
        snprintf(err, errlen, "write_queue_depth: %u is more than %u", c->write_queue_depth,
                 MAX_QUEUE);
        return -1;
    }
    if (c->write_queue_depth && c->write_high > c->write_queue_depth) {
        snprintf(err, errlen, "write_high: %u is more than write_queue_depth %u", c->write_high,
                 c->write_queue_depth);
        return -1;
    }
    const uint32_t high = c->write_high ? c->write_high : c->write_queue_depth;
    if (c->write_queue_depth && c->write_low >= high) {
        snprintf(err, errlen, "write_low: %u is not below write_high", c->write_low);
        return -1;
    }
    if (c->refresh_first > c->dev.tREFI) {
        snprintf(err, errlen, "refresh_first: %u is after tREFI %u", c->refresh_first,
                 c->dev.tREFI);
        return -1;
    }
    if (c->bank_queue_depth > MAX_BANK_QUEUE) {
        snprintf(err, errlen, "bank_queue_depth: %u is more than %u", c->bank_queue_depth,
                 MAX_BANK_QUEUE);
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
    c->slow = cfg->slow;
    c->on_cmd = on_cmd;
    c->on_done = on_done;
    c->ctx = ctx;
    const uint32_t nu = dram_units(&cfg->dev);
    c->u = calloc(nu, sizeof *c->u);
    const uint32_t nb = dram_banks(&cfg->dev);
    c->flags = calloc(nb, 1);
    c->e_col = calloc(2 * (size_t)nb, sizeof *c->e_col);
    c->e_row = calloc(nb, sizeof *c->e_row);
    if (cfg->bank_queue_depth)
        c->passed = calloc(nb, sizeof *c->passed);
    int ok = c->u && c->flags && c->e_col && c->e_row && (!cfg->bank_queue_depth || c->passed);
    for (uint32_t i = 0; ok && i < nu; i++) {
        dram_cunit_t *u = &c->u[i];
        u->qbuf = malloc(2 * (size_t)cfg->queue_depth * sizeof *u->qbuf);
        u->q = u->qbuf;
        ok = u->q != NULL;
        if (cfg->write_queue_depth) {
            u->wq = malloc(cfg->write_queue_depth * sizeof *u->wq);
            ok = ok && u->wq;
        }
        if (cfg->bank_queue_depth) {
            u->bq = malloc((size_t)nb * cfg->bank_queue_depth * sizeof *u->bq);
            u->blen = calloc(nb, sizeof *u->blen);
            u->lb = calloc(nb, sizeof *u->lb);
            u->lb_at = calloc(nb, sizeof *u->lb_at);
            ok = ok && u->bq && u->blen && u->lb && u->lb_at;
        }
        u->hits = calloc(nb, sizeof *u->hits);
        u->gcnt = calloc(cfg->dev.bank_groups, sizeof *u->gcnt);
        ok = ok && u->hits && u->gcnt;
        c->u[i].ref_due = cfg->refresh_first ? cfg->refresh_first : cfg->dev.tREFI;
        c->u[i].wake = cfg->refresh ? c->u[i].ref_due : DRAM_NEVER;
    }
    if (!ok) {
        dram_ctrl_free(c);
        snprintf(err, errlen, "dram: out of memory");
        return -1;
    }
    /* the decoder: fields from the least significant up, after the burst */
    const dram_cfg_t *g = &cfg->dev;
    const uint32_t fsize[DRAM_F_COUNT] = {
        [DRAM_F_RO] = g->rows, [DRAM_F_BG] = g->bank_groups, [DRAM_F_BA] = g->banks_per_group,
        [DRAM_F_CO] = dram_bursts_per_row(g), [DRAM_F_CH] = dram_units(g)};
    unsigned sh = (unsigned)__builtin_ctzll(dram_burst_bytes(g));
    for (int i = DRAM_F_COUNT - 1; i >= 0; i--) {
        const int f = g->map.order[i];
        c->dec_f[i] = (uint8_t)f;
        c->dec_sh[i] = (uint8_t)sh;
        c->dec_mask[i] = fsize[f] - 1;
        sh += (unsigned)__builtin_ctz(fsize[f]);
    }
    c->capacity = dram_capacity(g);
    c->last_issue = DRAM_NEVER;
    c->st.first_arrival = DRAM_NEVER;
    if (!c->cfg.write_high)
        c->cfg.write_high = c->cfg.write_queue_depth;
    return 0;
}

void dram_ctrl_free(dram_ctrl_t *c)
{
    if (c->u)
        for (uint32_t i = 0; i < dram_units(&c->cfg.dev); i++) {
            free(c->u[i].qbuf);
            free(c->u[i].wq);
            free(c->u[i].bq);
            free(c->u[i].blen);
            free(c->u[i].lb);
            free(c->u[i].lb_at);
            free(c->u[i].hits);
            free(c->u[i].gcnt);
        }
    free(c->u);
    free(c->flags);
    free(c->e_col);
    free(c->e_row);
    free(c->passed);
    c->passed = NULL;
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

/* The queue a request enters: the write queue for a write when writes have
 * their own, else the request queue. */
static int room_for(const dram_ctrl_t *c, const dram_cunit_t *u, int write)
{
    if (write && c->cfg.write_queue_depth)
        return u->wlen < c->cfg.write_queue_depth;
    return u->len < c->cfg.queue_depth;
}

int dram_ctrl_room_rw(const dram_ctrl_t *c, uint64_t addr, int write)
{
    dram_loc_t loc;
    char err[8];
    if (dram_decode(&c->cfg.dev, addr, &loc, err, sizeof err))
        return 0;
    return room_for(c, &c->u[loc.unit], write);
}

/* The wake cycle of unit u (asleep past at) after request e arrives at at:
 * at, or with col_skip (open page, no separate write queue or bank queues)
 * for a request that hits its bank's open row, the cycle its RD or WR could
 * go at the earliest (the column bounds of unit, bank group and bank, which
 * dram_earliest applies to it) if that is before the unit's wake.  Until
 * then the request adds no command that could issue (a hit adds only its
 * column command, and only keeps row commands of its bank waiting), so
 * the unit's wake, already a lower bound for the others, stays one. */
static uint64_t push_wake(const dram_ctrl_t *c, const dram_cunit_t *u, const dram_qent_t *e,
                          uint64_t at)
{
    if (!c->col_skip || c->cfg.page != DRAM_OPEN_PAGE || c->cfg.write_queue_depth ||
        c->cfg.bank_queue_depth)
        return at;
    const dram_cfg_t *g = &c->cfg.dev;
    const uint32_t ui = e->loc.unit;
    const dram_bank_t *b = &c->dram.bank[(size_t)ui * dram_banks(g) + e->bi];
    if (b->row != e->loc.row)
        return at;
    uint64_t w = c->dram.unit[ui].col;
    w = util_max_u64(w, c->dram.group[(size_t)ui * g->bank_groups + e->loc.bg].col);
    w = util_max_u64(w, b->col);
    w = util_max_u64(w, at);
    return w < u->wake ? w : u->wake;
}

int dram_ctrl_push(dram_ctrl_t *c, uint64_t addr, int write, uint64_t at, uint64_t tag, char *err,
                   size_t errlen)
{
    dram_loc_t loc;
    if (c->slow || addr >= c->capacity) {
        if (dram_decode(&c->cfg.dev, addr, &loc, err, errlen))
            return -1;
    } else {
        uint32_t v[DRAM_F_COUNT];
        for (int i = 0; i < DRAM_F_COUNT; i++)
            v[c->dec_f[i]] = (uint32_t)(addr >> c->dec_sh[i]) & c->dec_mask[i];
        loc = (dram_loc_t){v[DRAM_F_CH], v[DRAM_F_BG], v[DRAM_F_BA], v[DRAM_F_RO], v[DRAM_F_CO]};
    }
    dram_cunit_t *u = &c->u[loc.unit];
    if (!room_for(c, u, write))
        return 1;
    const dram_qent_t e = {at, tag, loc, loc.bg * c->cfg.dev.banks_per_group + loc.bank,
                           (uint8_t)(write != 0), 0, 0};
    if (write && c->cfg.write_queue_depth) {
        u->wq[u->wlen++] = e;
    } else {
        if (u->q + u->len == u->qbuf + 2 * (size_t)c->cfg.queue_depth) {
            memmove(u->qbuf, u->q, u->len * sizeof *u->q);
            u->q = u->qbuf;
        }
        u->q[u->len++] = e;
        if (c->col_skip)
            u->gcnt[loc.bg]++;
        if (c->col_skip)
            u->nmiss += c->dram.bank[(size_t)loc.unit * dram_banks(&c->cfg.dev) + e.bi].row !=
                        loc.row;
    }
    c->pending++;
    if (u->wake > at)
        u->wake = push_wake(c, u, &e, at);
    if (c->st.first_arrival > at)
        c->st.first_arrival = at;
    return 0;
}

/* Issues a command the caller found legal at `now`. */
static void issue(dram_ctrl_t *c, dram_cmd_t *cmd, uint64_t now)
{
    char err[160];
    cmd->cycle = now;
    c->last_issue = now;
    if (c->slow) {
        const int rc = dram_issue(&c->dram, cmd, err, sizeof err);
        (void)rc; /* cannot fail: dram_earliest(cmd) <= now was checked */
    } else {
        dram_apply(&c->dram, cmd);
    }
    c->st.cmds[cmd->kind]++;
    if (cmd->kind == DRAM_ACT)
        c->u[cmd->unit].hits[cmd->bg * c->cfg.dev.banks_per_group + cmd->bank] = 0;
    c->u[cmd->unit].issued++;
    uint64_t *lb = c->u[cmd->unit].lb;
    if (lb) {
        /* A command to a bank changes its row state, queue and hit count:
         * its bound is gone; a unit-wide one (PREA, REF) clears them all. */
        if (cmd->kind == DRAM_ACT || cmd->kind == DRAM_PRE || cmd->kind == DRAM_RD ||
            cmd->kind == DRAM_WR)
            lb[cmd->bg * c->cfg.dev.banks_per_group + cmd->bank] = 0;
        else
            memset(lb, 0, dram_banks(&c->cfg.dev) * sizeof *lb);
    }
    if (c->col_skip &&
        (cmd->kind == DRAM_ACT || cmd->kind == DRAM_PRE || cmd->kind == DRAM_PREA)) {
        /* rows opened or closed: recount the misses among the queued */
        dram_cunit_t *u = &c->u[cmd->unit];
        const uint32_t nb = dram_banks(&c->cfg.dev);
        const dram_bank_t *banks = &c->dram.bank[(size_t)cmd->unit * nb];
        u->nmiss = 0;
        for (uint32_t i = 0; i < u->len; i++)
            u->nmiss += banks[u->q[i].bi].row != u->q[i].loc.row;
    }
    if (c->on_cmd)
        c->on_cmd(c->ctx, cmd);
}

static dram_cmd_t cmd_for(uint8_t kind, uint32_t unit, const dram_loc_t *l)
{
    return (dram_cmd_t){.kind = kind, .unit = (uint16_t)unit, .bg = (uint8_t)l->bg,
                        .bank = (uint8_t)l->bank, .row = l->row, .col = l->col};
}

/* Completes entry i of queue q (*len entries) of unit u with its column
 * command issued at now. */
static void complete(dram_ctrl_t *c, dram_cunit_t *u, dram_qent_t *q, uint32_t *len, uint32_t i,
                     uint64_t now)
{
    const dram_cfg_t *g = &c->cfg.dev;
    const dram_qent_t r = q[i];
    const uint64_t done = now + (r.write ? g->tCWL : g->tCL) + g->tBL;
    if (q == u->q && c->col_skip)
        u->gcnt[r.loc.bg]--;
    if (q == u->q && !c->slow && i < *len - 1 - i) {
        /* fewer entries before than after: move those up one (same order) */
        memmove(&q[1], &q[0], i * sizeof *q);
        u->q++;
    } else {
        memmove(&q[i], &q[i + 1], (*len - i - 1) * sizeof *q);
    }
    (*len)--;
    c->pending--;
    u->hits[r.bi]++;
    if (r.write)
        c->st.last_write_done = util_max_u64(c->st.last_write_done, done);
    else
        c->st.last_read_done = util_max_u64(c->st.last_read_done, done);
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
enum { F_HIT = 1, F_RD = 2, F_WR = 4, F_ROW = 8, F_MISS = 16 };

/* With a separate write queue: whether unit u serves writes now.  A drain
 * starts at write_high queued writes, or above write_idle with no read
 * queued, and lasts until write_low or fewer are left. */
static int serve_writes(dram_ctrl_t *c, dram_cunit_t *u, uint32_t reads)
{
    const dram_ctrl_cfg_t *k = &c->cfg;
    if (u->draining && u->wlen <= k->write_low)
        u->draining = 0;
    const uint32_t idle = c->flushing ? 0 : k->write_idle;
    if (!u->draining && u->wlen &&
        (u->wlen >= k->write_high || (reads == 0 && u->wlen > idle))) {
        u->draining = 1;
        c->st.drains++;
    }
    return u->draining;
}

/* After a column command of unit ui at now: the unit's next wake cycle
 * (dram_ctrl_t.col_skip).  When every request the unit would serve hits its
 * bank's open row, a call before the column bound of the unit and of the
 * request's bank group (every RD and WR waits for both, dram_earliest: tCCD_S,
 * tCCD_L) or before its refresh would issue nothing and change nothing: sleep
 * until the least of those over the queued requests' bank groups.  Otherwise
 * the next cycle. */
static uint64_t col_wake(const dram_ctrl_t *c, const dram_cunit_t *u, uint32_t ui, uint64_t now)
{
    if (c->cfg.page != DRAM_OPEN_PAGE || c->cfg.write_queue_depth || c->cfg.bank_queue_depth ||
        u->len == 0)
        return now + 1;
    if (c->cfg.sched == DRAM_FCFS) { /* FCFS serves the oldest only */
        const uint32_t nb = dram_banks(&c->cfg.dev);
        if (c->dram.bank[(size_t)ui * nb + u->q[0].bi].row != u->q[0].loc.row)
            return now + 1;
    } else if (u->nmiss) {
        return now + 1;
    }
    /* every RD or WR waits for the unit's and its bank group's tCCD bound */
    const dram_unit_t *du = &c->dram.unit[ui];
    const uint32_t ng = c->cfg.dev.bank_groups;
    const dram_group_t *gr = &c->dram.group[(size_t)ui * ng];
    uint64_t g = DRAM_NEVER;
    for (uint32_t b = 0; b < ng; b++)
        if (u->gcnt[b] && gr[b].col < g)
            g = gr[b].col;
    uint64_t w = du->col > g ? du->col : g;
    if (c->cfg.refresh && u->ref_due < w)
        w = u->ref_due;
    return w > now + 1 ? w : now + 1;
}

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
    dram_qent_t *q = u->q;
    uint32_t *qlen = &u->len;
    if (c->cfg.write_queue_depth && serve_writes(c, u, u->len)) {
        q = u->wq;
        qlen = &u->wlen;
    }
    const uint32_t n = c->cfg.sched == DRAM_FCFS ? (*qlen ? 1 : 0) : *qlen;
    const uint32_t cap = c->cfg.row_hit_cap;
    /* First ready: the oldest column command that can go now.  Marks the
     * banks whose open row a queued request hits, and (row_hit_cap) those an
     * older request waits on for another row. */
    for (uint32_t i = 0; i < n; i++) {
        const dram_qent_t *r = &q[i];
        const uint32_t bi = r->bi;
        if (banks[bi].row != r->loc.row) {
            fl[bi] |= F_MISS;
            continue;
        }
        if (cap && (fl[bi] & F_MISS) && u->hits[bi] >= cap)
            continue; /* the capped bank closes for the older request */
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
            complete(c, u, q, qlen, i, now);
            if (c->col_skip)
                return col_wake(c, u, ui, now);
            return now + 1;
        }
        wake = util_min_u64(wake, *e);
    }
    /* Then the oldest request's row command that can go now. */
    for (uint32_t i = 0; i < n; i++) {
        dram_qent_t *r = &q[i];
        const uint32_t bi = r->bi;
        const uint32_t open = banks[bi].row;
        if (open == r->loc.row)
            continue;
        if (open != DRAM_NO_ROW && (fl[bi] & F_HIT) && c->cfg.sched == DRAM_FRFCFS &&
            !(cap && u->hits[bi] >= cap))
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

/* ---- DRAMsim3's two-level structure (bank_queue_depth > 0) ---------------- */

static int is_col(uint8_t kind) { return kind == DRAM_RD || kind == DRAM_WR; }

/* The command bank queue b's requests want next that may issue at now:
 * the first in queue order (DRAMsim3 GetFirstReadyInQueue).  Returns the
 * entry index or -1; *wake lowers to the earliest cycle one could.  kind
 * -1: any command; else only a row (0) or column (1) command. */
static int bank_pick(dram_ctrl_t *c, uint32_t ui, uint32_t b, uint64_t now, int want_col,
                     dram_cmd_t *out, uint64_t *wake)
{
    dram_cunit_t *u = &c->u[ui];
    const dram_cfg_t *g = &c->cfg.dev;
    const uint32_t nb = dram_banks(g), bd = c->cfg.bank_queue_depth;
    const dram_qent_t *bq = &u->bq[(size_t)b * bd];
    const uint32_t open = c->dram.bank[(size_t)ui * nb + b].row;
    /* Every request of the bank that wants an ACT, or a RD, or a WR to the
     * open row gets the same earliest cycle: ask dram_t once per kind, and
     * pass over the later requests of a kind already known not to be legal
     * yet (their cycle is already in *wake). */
    uint64_t ek[DRAM_CMD_COUNT];
    uint8_t known[DRAM_CMD_COUNT] = {0};
    const uint32_t len = u->blen[b];
    uint64_t bound = DRAM_NEVER;
    for (uint32_t i = 0; i < len; i++) {
        const dram_qent_t *r = &bq[i];
        uint8_t kind;
        if (open == r->loc.row)
            kind = r->write ? DRAM_WR : DRAM_RD;
        else if (open == DRAM_NO_ROW)
            kind = DRAM_ACT;
        else {
            /* PRE: only for the first request of the bank, and only when no
             * queued request hits the open row or the hit cap is reached. */
            if (i != 0)
                continue;
            int hit = 0;
            for (uint32_t j = 0; j < len && !hit; j++)
                hit = bq[j].loc.row == open;
            if (hit && !(c->cfg.row_hit_cap && u->hits[b] >= c->cfg.row_hit_cap))
                continue;
            kind = DRAM_PRE;
        }
        if (want_col >= 0 && is_col(kind) != want_col)
            continue;
        if (known[kind] && ek[kind] > now)
            continue;
        const dram_cmd_t cmd = cmd_for(kind, ui, &r->loc);
        if (!known[kind]) {
            ek[kind] = dram_earliest(&c->dram, &cmd);
            known[kind] = 1;
        }
        const uint64_t e = ek[kind];
        if (e <= now) {
            *out = cmd;
            return (int)i;
        }
        if (e < *wake)
            *wake = e;
        if (e < bound)
            bound = e;
    }
    if (want_col < 0) {
        u->lb[b] = bound;
        u->lb_at[b] = u->issued;
    }
    return -1;
}

/* Finds the first legal command over the bank queues, round-robin after
 * the one visited last (DRAMsim3 GetCommandToIssue, whose queue index stays
 * where it found one), and issues it unless `skip_kind` says its kind (0
 * row, 1 column) is the one already issued this cycle: DRAMsim3's second
 * command of a dual-issue cycle goes only when it is of the other kind.
 * Returns 0 when none was legal, 1 row, 2 column (issued or not).
 *
 * Speed (same commands): a bank whose requests found nothing legal keeps
 * the earliest cycle they could issue, u->lb[b].  Until a command to that
 * bank, a unit-wide one (issue() clears the bound) or a request moving into
 * its queue (bank_fill), every cycle dram_earliest gives its requests only
 * grows (commands to other banks only raise the timing bounds: tRRD, tFAW,
 * tCCD, the data bus), so a bank with lb > now is passed over without
 * asking the device.  A pass that issues nothing must leave the exact wake
 * cycle: a bound found since the unit's last command is still exact (the
 * device state dram_earliest reads is the unit's own), and a stale one is
 * asked again when it could be the least. */
static int bank_issue(dram_ctrl_t *c, uint32_t ui, uint64_t now, int skip_kind, uint64_t *wake)
{
    dram_cunit_t *u = &c->u[ui];
    const uint32_t nb = dram_banks(&c->cfg.dev), bd = c->cfg.bank_queue_depth;
    uint32_t b = u->rr, npassed = 0;
    uint32_t *const passed = c->passed;
    for (uint32_t k = 1; k <= nb; k++) {
        if (++b == nb)
            b = 0;
        if (!u->blen[b])
            continue;
        if (u->lb[b] > now) {
            passed[npassed++] = b;
            continue;
        }
        dram_cmd_t cmd;
        const int i = bank_pick(c, ui, b, now, -1, &cmd, wake);
        if (i < 0)
            continue;
        u->rr = b;
        if (is_col(cmd.kind) == skip_kind)
            return 1 + is_col(cmd.kind);
        dram_qent_t *r = &u->bq[(size_t)b * bd + (uint32_t)i];
        issue(c, &cmd, now);
        if (cmd.kind == DRAM_ACT)
            r->acted = 1;
        else if (cmd.kind == DRAM_PRE)
            r->conflict = 1;
        else
            complete(c, u, &u->bq[(size_t)b * bd], &u->blen[b], (uint32_t)i, now);
        return 1 + is_col(cmd.kind);
    }
    if (!npassed)
        return 0;
    /* The wake cycle is the least exact bound (*wake holds those of the
     * banks asked in this pass).  A stale bound is a lower bound of its
     * bank's exact one, so asking the device again only for the passed
     * stale bank of least bound, while that is below the least exact one,
     * finds the same minimum. */
    uint64_t best = *wake;
    for (uint32_t j = 0; j < npassed; j++) {
        b = passed[j];
        if (u->lb_at[b] == u->issued && u->lb[b] < best)
            best = u->lb[b];
    }
    for (;;) {
        uint32_t stale = nb;
        for (uint32_t j = 0; j < npassed; j++) {
            b = passed[j];
            if (u->lb_at[b] != u->issued && (stale == nb || u->lb[b] < u->lb[stale]))
                stale = b;
        }
        if (stale == nb || u->lb[stale] >= best)
            break;
        dram_cmd_t cmd;
        (void)bank_pick(c, ui, stale, now, -1, &cmd, wake); /* nothing legal: lb > now */
        if (u->lb[stale] < best)
            best = u->lb[stale];
    }
    if (best < *wake)
        *wake = best;
    return 0;
}

/* Moves one request into its bank queue: from the write queue while
 * draining, else from the read queue; the oldest whose bank queue has room
 * (DRAMsim3 Controller::ScheduleTransaction). */
static int bank_fill(dram_ctrl_t *c, dram_cunit_t *u)
{
    const uint32_t bd = c->cfg.bank_queue_depth;
    int bq_empty = 1;
    for (uint32_t b = 0; b < dram_banks(&c->cfg.dev) && bq_empty; b++)
        bq_empty = u->blen[b] == 0;
    dram_qent_t *q = u->q;
    uint32_t *len = &u->len;
    /* DRAMsim3 starts an idle drain only with empty command queues. */
    if (c->cfg.write_queue_depth && serve_writes(c, u, bq_empty ? 0 : 1)) {
        q = u->wq;
        len = &u->wlen;
    }
    for (uint32_t i = 0; i < *len; i++) {
        const uint32_t b = q[i].bi;
        if (u->blen[b] >= bd)
            continue;
        u->bq[(size_t)b * bd + u->blen[b]++] = q[i];
        u->lb[b] = 0;
        if (q == u->q && c->col_skip)
            u->gcnt[q[i].loc.bg]--;
        memmove(&q[i], &q[i + 1], (*len - i - 1) * sizeof *q);
        (*len)--;
        return 1;
    }
    return 0;
}

static uint64_t schedule_banks(dram_ctrl_t *c, uint32_t ui, uint64_t now)
{
    dram_cunit_t *u = &c->u[ui];
    dram_t *d = &c->dram;
    const dram_cfg_t *g = &c->cfg.dev;
    uint64_t wake = DRAM_NEVER;
    int issued = 0;
    if (c->cfg.refresh && now >= u->ref_due) {
        dram_cmd_t cmd = {.kind = d->unit[ui].open ? DRAM_PREA : DRAM_REF, .unit = (uint16_t)ui};
        const uint64_t e = dram_earliest(d, &cmd);
        if (e <= now) {
            issue(c, &cmd, now);
            if (cmd.kind == DRAM_REF)
                u->ref_due += g->tREFI;
            issued = 1;
        } else {
            wake = e;
        }
    } else {
        issued = bank_issue(c, ui, now, -1, &wake);
        if (issued && c->cfg.dual_issue && g->dual_cmd) {
            const uint64_t before = c->st.cmds[DRAM_ACT] + c->st.cmds[DRAM_PRE] +
                                    c->st.cmds[DRAM_RD] + c->st.cmds[DRAM_WR];
            bank_issue(c, ui, now, issued - 1, &wake);
            if (c->st.cmds[DRAM_ACT] + c->st.cmds[DRAM_PRE] + c->st.cmds[DRAM_RD] +
                    c->st.cmds[DRAM_WR] != before)
                c->st.dual++;
        }
    }
    const int moved = bank_fill(c, u);
    if (c->cfg.refresh)
        wake = util_min_u64(wake, u->ref_due);
    /* After a command or a move: the next cycle.  Otherwise nothing changes
     * until a command becomes legal (wake), a refresh falls due or a request
     * arrives (dram_ctrl_push wakes the unit): a full round-robin pass that
     * issues nothing leaves the pass's start where it was, so sleeping until
     * then is exact. */
    if (issued || moved)
        wake = now + 1;
    return wake;
}

void dram_ctrl_flush(dram_ctrl_t *c, uint64_t now)
{
    c->flushing = 1;
    for (uint32_t i = 0; i < dram_units(&c->cfg.dev); i++)
        if (c->u[i].wlen && c->u[i].wake > now)
            c->u[i].wake = now;
}

uint64_t dram_ctrl_tick(dram_ctrl_t *c, uint64_t now)
{
    uint64_t next = DRAM_NEVER;
    const uint32_t nu = dram_units(&c->cfg.dev);
    for (uint32_t i = 0; i < nu; i++) {
        dram_cunit_t *u = &c->u[i];
        if (u->wake <= now)
            u->wake = c->cfg.bank_queue_depth ? schedule_banks(c, i, now) : schedule(c, i, now);
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

/* ---- steady state (dram_ctrl.h) ------------------------------------------ */

/* One pass over the state: writes the signature (sig != NULL) or moves the
 * live cycles forward by shift and queued columns by dcol. */
typedef struct {
    int64_t now;
    uint64_t *sig;
    size_t n;
    uint64_t shift;
    uint32_t col_base, dcol;
    int arrivals;
} sv_t;

/* A cycle x that matters only while x > now + off: at or below that it acts
 * as any other value there (clamped), and stays so as now grows.  0 is "none"
 * for the fields that use it (faw, rd_end, last_*), DRAM_NEVER never. */
static void sv_time(sv_t *v, uint64_t *x, int64_t off)
{
    if (*x == 0 || *x == DRAM_NEVER) {
        if (v->sig)
            v->sig[v->n++] = *x == 0 ? UINT64_MAX - 1 : UINT64_MAX;
        return;
    }
    const int64_t dead = v->now + off; /* cycles below 2^62, offsets below 2^31 */
    const int live = (int64_t)*x > dead;
    if (v->sig)
        v->sig[v->n++] = live ? (uint64_t)((int64_t)*x - dead) : 0;
    else if (live)
        *x += v->shift;
}

static void sv_word(sv_t *v, uint64_t x)
{
    if (v->sig)
        v->sig[v->n++] = x;
}

/* A queued request: its arrival (by now; with v->arrivals) and column
 * relative to now and col_base, its row, tag, bank and flags; its unit is
 * its queue's. */
static void sv_entry(sv_t *v, dram_qent_t *e)
{
    if (!v->sig) {
        e->arrive += v->shift;
        e->loc.col += v->dcol;
        return;
    }
    sv_word(v, v->arrivals ? (uint64_t)(v->now - (int64_t)e->arrive) : 0);
    sv_word(v, (uint64_t)e->loc.row << 32 | (uint32_t)(e->loc.col - v->col_base));
    /* tags of the requests queued at once are a few transfers apart */
    sv_word(v, (e->tag & ((1ull << 40) - 1)) << 24 | (uint64_t)e->loc.bg << 16 |
                   (uint64_t)e->loc.bank << 8 | (uint64_t)e->write |
                   (uint64_t)e->acted << 1 | (uint64_t)e->conflict << 2);
}

/* A unit's wake: at or before now, it is scheduled at now either way; an
 * idle unit sleeps until its refresh, which a jump keeps out of reach. */
static void sv_wake(const dram_ctrl_t *c, sv_t *v, dram_cunit_t *u)
{
    if (c->cfg.refresh && u->wake == u->ref_due)
        sv_word(v, UINT64_MAX - 2);
    else
        sv_time(v, &u->wake, 0);
}

/* Words per unit of the signature, and the fixed ones. */
static size_t sig_unit_words(const dram_ctrl_t *c)
{
    const dram_cfg_t *g = &c->cfg.dev;
    return 10 + 4 + (g->t32AW ? 32 : 0) + 3 * (size_t)g->bank_groups +
           4 * (size_t)dram_banks(g) + 1 + 4 + g->bank_groups + dram_banks(g) +
           3 * ((size_t)c->cfg.queue_depth + c->cfg.write_queue_depth);
}

size_t dram_ctrl_sig_max(const dram_ctrl_t *c)
{
    if (c->cfg.bank_queue_depth)
        return 0;
    return 2 + dram_units(&c->cfg.dev) * sig_unit_words(c);
}

static void state_pass(dram_ctrl_t *c, sv_t *v)
{
    const dram_cfg_t *g = &c->cfg.dev;
    const uint32_t nu = dram_units(g), nb = dram_banks(g), ng = g->bank_groups;
    const int64_t bus = g->tCL < g->tCWL ? g->tCL : g->tCWL;
    sv_word(v, c->pending);
    sv_word(v, (uint64_t)c->flushing);
    for (uint32_t i = 0; i < nu; i++) {
        dram_unit_t *du = &c->dram.unit[i];
        /* "next allowed" cycles: at or before now, as good as now */
        sv_time(v, &du->act, 0);
        sv_time(v, &du->col, 0);
        sv_time(v, &du->rd, 0);
        sv_time(v, &du->ref, 0);
        sv_time(v, &du->last_row, 0);
        sv_time(v, &du->last_col, 0);
        sv_time(v, &du->last_cmd, 0);
        /* a RD waits for bus_free - tCL, a WR for bus_free - tCWL and for
         * rd_end + tRTRS - tCWL; an ACT for the oldest of the last four
         * activations + tFAW (and of 32 + t32AW), all stored as cycle + 1 */
        sv_time(v, &du->bus_free, bus);
        sv_time(v, &du->rd_end, (int64_t)g->tCWL - (int64_t)g->tRTRS);
        sv_word(v, du->open);
        for (uint32_t j = 0; j < 4; j++)
            sv_time(v, &du->faw[(du->fi + j) & 3], 1 - (int64_t)g->tFAW);
        if (g->t32AW)
            for (uint32_t j = 0; j < 32; j++)
                sv_time(v, &du->aw32[(du->ai32 + j) & 31], 1 - (int64_t)g->t32AW);
        dram_group_t *gr = &c->dram.group[(size_t)i * ng];
        for (uint32_t j = 0; j < ng; j++) {
            sv_time(v, &gr[j].act, 0);
            sv_time(v, &gr[j].col, 0);
            sv_time(v, &gr[j].rd, 0);
        }
        dram_bank_t *bk = &c->dram.bank[(size_t)i * nb];
        for (uint32_t j = 0; j < nb; j++) {
            sv_time(v, &bk[j].act, 0);
            sv_time(v, &bk[j].pre, 0);
            sv_time(v, &bk[j].col, 0);
            sv_word(v, bk[j].row);
        }
        dram_cunit_t *u = &c->u[i];
        sv_wake(c, v, u);
        sv_word(v, u->len);
        sv_word(v, u->wlen);
        sv_word(v, (uint64_t)u->draining);
        sv_word(v, u->nmiss);
        for (uint32_t j = 0; j < ng; j++)
            sv_word(v, u->gcnt[j]);
        /* hits is read only against the cap (bank queues aside) */
        for (uint32_t j = 0; j < nb; j++)
            sv_word(v, c->cfg.row_hit_cap
                           ? (u->hits[j] < c->cfg.row_hit_cap ? u->hits[j] : c->cfg.row_hit_cap)
                           : 0);
        for (uint32_t j = 0; j < u->len; j++)
            sv_entry(v, &u->q[j]);
        for (uint32_t j = 0; j < u->wlen; j++)
            sv_entry(v, &u->wq[j]);
    }
}

size_t dram_ctrl_sig(const dram_ctrl_t *c, uint64_t now, uint32_t col_base, int arrivals,
                     uint64_t *sig)
{
    if (c->cfg.bank_queue_depth)
        return 0;
    sv_t v = {.now = (int64_t)now, .sig = sig, .col_base = col_base, .arrivals = arrivals};
    state_pass((dram_ctrl_t *)c, &v); /* reads only when sig is set */
    return v.n;
}

uint64_t dram_ctrl_presig(const dram_ctrl_t *c, uint64_t now, uint32_t col_base, int arrivals)
{
    if (c->cfg.bank_queue_depth)
        return 0;
    uint64_t w[16], h = 0xcbf29ce484222325ull;
    sv_t v = {.now = (int64_t)now, .sig = w, .col_base = col_base, .arrivals = arrivals};
    const dram_cfg_t *g = &c->cfg.dev;
    for (uint32_t i = 0; i < dram_units(g); i++) {
        dram_unit_t *du = &c->dram.unit[i]; /* read only: sig is set */
        dram_cunit_t *u = &c->u[i];
        v.n = 0;
        sv_word(&v, (uint64_t)u->len << 32 | u->wlen);
        sv_wake(c, &v, u);
        sv_time(&v, &du->col, 0);
        sv_time(&v, &du->bus_free, g->tCL < g->tCWL ? g->tCL : g->tCWL);
        sv_time(&v, &du->act, 0);
        sv_time(&v, &du->faw[(du->fi + 3) & 3], 1 - (int64_t)g->tFAW);
        if (u->len) {
            sv_entry(&v, &u->q[0]);
            sv_entry(&v, &u->q[u->len - 1]);
        }
        for (size_t j = 0; j < v.n; j++)
            h = (h ^ w[j]) * 0x100000001b3ull;
    }
    return h;
}

enum { SUM_TIMES = 3 }; /* the last-completion cycles, at the end of the sums */

size_t dram_ctrl_sums_len(const dram_ctrl_t *c)
{
    return DRAM_CMD_COUNT + 8 + 2 * (size_t)dram_units(&c->cfg.dev) + SUM_TIMES;
}

void dram_ctrl_sums(const dram_ctrl_t *c, uint64_t *s)
{
    size_t n = 0;
    const dram_ctrl_stats_t *st = &c->st;
    for (int i = 0; i < DRAM_CMD_COUNT; i++)
        s[n++] = st->cmds[i];
    const uint64_t v[8] = {st->reads, st->writes, st->hits, st->misses,
                           st->conflicts, st->bytes, st->drains, st->dual};
    for (int i = 0; i < 8; i++)
        s[n++] = v[i];
    for (uint32_t i = 0; i < dram_units(&c->cfg.dev); i++) {
        s[n++] = c->dram.unit[i].refs;
        s[n++] = c->u[i].issued;
    }
    s[n++] = st->last_done;
    s[n++] = st->last_read_done;
    s[n++] = st->last_write_done;
}

uint64_t dram_ctrl_next_ref(const dram_ctrl_t *c)
{
    uint64_t r = DRAM_NEVER;
    if (c->cfg.refresh)
        for (uint32_t i = 0; i < dram_units(&c->cfg.dev); i++)
            r = util_min_u64(r, c->u[i].ref_due);
    return r;
}

uint64_t dram_ctrl_reach(const dram_ctrl_t *c)
{
    const dram_cfg_t *g = &c->cfg.dev;
    const uint32_t t[] = {g->tRCD, g->tRP,    g->tRAS,  g->tRC,    g->tCL,   g->tCWL, g->tBL,
                          g->tCCD_S, g->tCCD_L, g->tRRD_S, g->tRRD_L, g->tFAW, g->tWR, g->tWTR_S,
                          g->tWTR_L, g->tRTP, g->tRTRS, g->t32AW};
    uint64_t r = 2;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        r += t[i];
    return r;
}

int dram_ctrl_advance(dram_ctrl_t *c, uint64_t now, uint64_t k, uint64_t period, uint32_t dcol,
                      const uint64_t *then)
{
    const size_t ns = dram_ctrl_sums_len(c);
    uint64_t *cur = malloc(ns * sizeof *cur);
    if (!cur)
        return -1;
    dram_ctrl_sums(c, cur);
    uint64_t shift;
    /* a period with a refresh in it does not repeat: the next is tREFI on */
    int bad = util_mul_u64(k, period, &shift) || cur[DRAM_REF] != then[DRAM_REF] ||
              cur[DRAM_PREA] != then[DRAM_PREA];
    /* every sum grows by k periods' worth; the last completions moved by a
     * period or not at all */
    for (size_t i = 0; i < ns && !bad; i++) {
        const uint64_t d = cur[i] - then[i];
        uint64_t add;
        if (cur[i] < then[i] || (i >= ns - SUM_TIMES && d != 0 && d != period))
            bad = 1;
        else
            bad = util_mul_u64(k, d, &add) || util_add_u64(cur[i], add, &cur[i]);
    }
    if (bad) {
        free(cur);
        return -1;
    }
    size_t n = 0;
    dram_ctrl_stats_t *st = &c->st;
    for (int i = 0; i < DRAM_CMD_COUNT; i++)
        st->cmds[i] = cur[n++];
    uint64_t *const v[8] = {&st->reads, &st->writes, &st->hits, &st->misses,
                            &st->conflicts, &st->bytes, &st->drains, &st->dual};
    for (int i = 0; i < 8; i++)
        *v[i] = cur[n++];
    for (uint32_t i = 0; i < dram_units(&c->cfg.dev); i++) {
        c->dram.unit[i].refs = cur[n++];
        c->u[i].issued = cur[n++];
    }
    st->last_done = cur[n++];
    st->last_read_done = cur[n++];
    st->last_write_done = cur[n++];
    free(cur);
    sv_t sv = {.now = (int64_t)now, .shift = shift, .dcol = dcol};
    state_pass(c, &sv);
    return 0;
}
