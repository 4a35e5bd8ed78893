/* pim_gemv.c - GEMV mapping onto PIM units, its command stream on the DRAM
 * timing of models/dram.h, host traffic beside it, and the values (see
 * pim_gemv.h for the mapping and the modelling choices). */
#include "pim_gemv.h"

#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- mapping ------------------------------------------------------------ */

typedef struct {
    uint64_t group, m0, n;   /* rows m0 .. m0+n-1 of group `group` */
} seg_t;

typedef struct {
    uint32_t chans;          /* DRAM units (channels x pseudo-channels) */
    uint32_t banks;          /* per channel */
    uint32_t units;          /* PIM units per channel: banks / banks_per_unit */
    uint32_t bpr;            /* bursts per DRAM row */
    uint32_t lanes;
    int tree;                /* PIM_REDUCE_TREE: k across the lanes, MACT */
    uint64_t kc;             /* columns per row: k (lanes layout), ceil(k / L) (tree) */
    uint64_t tile;           /* columns of x one tile feeds: srf_entries (lanes), grf_entries (tree) */
    uint64_t tiles;          /* x tiles: ceil(kc / tile) */
    uint64_t rows_per_chan;  /* output rows per channel (last may have fewer) */
    uint32_t rd_bursts;      /* bursts to read back one accumulator entry */
    uint32_t sr_bursts;      /* bursts to write one x tile into the SRFs (lanes layout) */
} map_t;

static void map_init(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, map_t *mp)
{
    const dram_cfg_t *d = &cfg->dram;
    mp->chans = dram_units(d);
    mp->banks = dram_banks(d);
    mp->units = mp->banks / cfg->unit.banks_per_unit;
    mp->bpr = dram_bursts_per_row(d);
    mp->lanes = cfg->unit.lanes;
    mp->tree = cfg->unit.reduce == PIM_REDUCE_TREE;
    mp->kc = mp->tree ? util_ceil_div(g->k, mp->lanes) : g->k;
    mp->tile = mp->tree ? cfg->unit.grf_entries : cfg->unit.srf_entries;
    mp->tiles = util_ceil_div(mp->kc, mp->tile);
    mp->rows_per_chan = util_ceil_div(g->groups * g->m, mp->chans);
    mp->rd_bursts = (uint32_t)util_ceil_div((uint64_t)cfg->unit.lanes * 4u, dram_burst_bytes(d));
    mp->sr_bursts =
        (uint32_t)util_ceil_div((uint64_t)cfg->unit.srf_entries * pim_elem_bits(&cfg->unit) / 8u,
                       dram_burst_bytes(d));
}

/* The segments of channel ch, in order; returns their number (out may be NULL). */
static size_t chan_segments(const pim_gemv_t *g, const map_t *mp, uint32_t ch, seg_t *out)
{
    const uint64_t total = g->groups * g->m;
    uint64_t r = (uint64_t)ch * mp->rows_per_chan;
    const uint64_t end = util_min_u64(total, r + mp->rows_per_chan);
    size_t n = 0;
    while (r < end) {
        const uint64_t grp = r / g->m, m0 = r % g->m, cnt = util_min_u64(end - r, g->m - m0);
        if (out)
            out[n] = (seg_t){grp, m0, cnt};
        n++;
        r += cnt;
    }
    return n;
}

/* Bursts each unit streams through for segments s (its W columns): per
 * segment, its rows padded to whole lane groups times k (lanes layout), or
 * its rows times their ceil(k / L) columns (tree layout). */
static uint64_t chan_positions(const pim_gemv_t *g, const map_t *mp, const seg_t *s, size_t ns)
{
    (void)g;
    uint64_t p = 0;
    for (size_t i = 0; i < ns; i++) {
        const uint64_t per = util_ceil_div(s[i].n, mp->units);
        p += (mp->tree ? per : util_ceil_div(per, mp->lanes)) * mp->kc;
    }
    return p;
}

int pim_gemv_check(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, char *err, size_t errlen)
{
    if (pim_cfg_check(&cfg->unit, err, errlen) || dram_cfg_check(&cfg->dram, err, errlen))
        return -1;
    if (!g->groups || !g->m || !g->k) {
        snprintf(err, errlen, "gemv: %s is 0", !g->groups ? "groups" : !g->m ? "m" : "k");
        return -1;
    }
    if (g->groups > (1ull << 24) || g->m > (1ull << 32) || g->k > (1ull << 32)) {
        snprintf(err, errlen, "gemv: dimensions beyond 2^24 groups or 2^32 rows/columns");
        return -1;
    }
    const uint32_t bb = dram_burst_bytes(&cfg->dram), cb = pim_col_bytes(&cfg->unit);
    if (cb != bb) {
        snprintf(err, errlen,
                 "pim.lanes: %u lanes of %s are %u bytes, not one DRAM burst of %u bytes",
                 cfg->unit.lanes, pim_prec_name(cfg->unit.prec), cb, bb);
        return -1;
    }
    if (dram_banks(&cfg->dram) % cfg->unit.banks_per_unit) {
        snprintf(err, errlen, "pim.banks_per_unit: %u does not divide %u banks",
                 cfg->unit.banks_per_unit, dram_banks(&cfg->dram));
        return -1;
    }
    if (cfg->mode != PIM_BLOCKED && cfg->mode != PIM_DUAL) {
        snprintf(err, errlen, "pim.mode: not blocked or dual");
        return -1;
    }
    if (cfg->host.write_pct > 100) {
        snprintf(err, errlen, "host.write_pct: %u is above 100", cfg->host.write_pct);
        return -1;
    }
    if (cfg->host.count > PIM_MAX_HOST_REQS) {
        snprintf(err, errlen, "host.count: %" PRIu64 " is above %u requests per channel",
                 cfg->host.count, PIM_MAX_HOST_REQS);
        return -1;
    }
    if (cfg->host.count && !cfg->host.period) {
        snprintf(err, errlen, "host.period: 0 with host requests");
        return -1;
    }
    map_t mp;
    map_init(cfg, g, &mp);
    const uint64_t cap = (uint64_t)cfg->unit.banks_per_unit * cfg->dram.rows * mp.bpr;
    seg_t *s = malloc((g->groups + 2) * sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint64_t need = 0;
    for (uint32_t ch = 0; ch < mp.chans; ch++) {
        const size_t ns = chan_segments(g, &mp, ch, s);
        need = util_max_u64(need, chan_positions(g, &mp, s, ns));
    }
    free(s);
    if (need > cap) {
        snprintf(err, errlen,
                 "gemv: %llu x %llu x %llu needs %llu bursts per PIM unit, more than the %llu "
                 "its %u bank(s) hold",
                 (unsigned long long)g->groups, (unsigned long long)g->m,
                 (unsigned long long)g->k, (unsigned long long)need, (unsigned long long)cap,
                 cfg->unit.banks_per_unit);
        return -1;
    }
    return 0;
}

/* ---- the PIM command stream of one channel ------------------------------ */

enum { OP_WRGB, OP_MAC, OP_RDRES };

typedef struct {
    uint8_t kind;
    uint32_t row, col;       /* MAC: the row ACT_AB opens, the burst MAC_AB reads */
} op_t;

/* The channel's op list, in stream order (see the mapping in pim_gemv.h);
 * adds executed lane MACs to st. */
static op_t *chan_ops(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, const map_t *mp,
                      uint32_t ch, size_t *nops, pim_gemv_stats_t *st)
{
    const size_t ns = chan_segments(g, mp, ch, NULL);
    seg_t *s = malloc((ns + 1) * sizeof *s);
    if (!s)
        return NULL;
    chan_segments(g, mp, ch, s);
    const uint64_t L = mp->lanes, S = cfg->unit.srf_entries, rows_b = cfg->unit.acc_entries * L;
    size_t n = 0;
    for (size_t i = 0; i < ns; i++) {
        const uint64_t per = util_ceil_div(s[i].n, mp->units), nbat = util_ceil_div(per, rows_b);
        if (mp->tree) /* MACs, one x burst per GRF entry per batch, read-backs */
            n += per * mp->kc + nbat * mp->kc +
                 util_ceil_div(per, L) * mp->units * mp->rd_bursts + nbat * mp->units * mp->rd_bursts;
        else
            n += util_ceil_div(per, L) * (g->k + (uint64_t)mp->units * mp->rd_bursts) +
                 nbat * mp->tiles * mp->sr_bursts;
    }
    op_t *ops = malloc((n + 1) * sizeof *ops);
    if (!ops) {
        free(s);
        return NULL;
    }
    size_t k = 0;
    uint64_t pos = 0;
    const uint64_t span = (uint64_t)cfg->unit.banks_per_unit * mp->bpr;
    for (size_t i = 0; i < ns && mp->tree; i++) {
        /* Tree layout: per batch of up to rows_b rows (row b of the batch in
         * lane b % L of entry b / L), per x tile of up to grf_entries columns:
         * the tile's bursts into the GRFs, then every row's MACTs over the
         * tile's columns; then the batch's entries read back. */
        const uint64_t per = util_ceil_div(s[i].n, mp->units);
        for (uint64_t j0 = 0; j0 < per; j0 += rows_b) {
            const uint64_t nb = util_min_u64(rows_b, per - j0), ne = util_ceil_div(nb, L);
            for (uint64_t t = 0; t < mp->tiles; t++) {
                const uint64_t tc = util_min_u64(mp->tile, mp->kc - t * mp->tile);
                for (uint64_t q = 0; q < tc; q++)
                    ops[k++] = (op_t){OP_WRGB, 0, 0};
                for (uint64_t j = 0; j < nb * tc; j++, pos++)
                    ops[k++] = (op_t){OP_MAC, (uint32_t)(pos / span), (uint32_t)(pos % mp->bpr)};
            }
            for (uint64_t r = 0; r < ne * mp->units * mp->rd_bursts; r++)
                ops[k++] = (op_t){OP_RDRES, 0, 0};
            if (st)
                st->lane_macs += nb * mp->kc * mp->units * L;
        }
    }
    for (size_t i = 0; i < ns && !mp->tree; i++) {
        const uint64_t per = util_ceil_div(s[i].n, mp->units);
        for (uint64_t j0 = 0; j0 < per; j0 += rows_b) {
            /* accumulator entries */
            const uint64_t ne = util_ceil_div(util_min_u64(rows_b, per - j0), L);
            for (uint64_t t = 0; t < mp->tiles; t++) {
                const uint64_t tk = util_min_u64(S, g->k - t * S);
                for (uint32_t b = 0; b < mp->sr_bursts; b++)
                    ops[k++] = (op_t){OP_WRGB, 0, 0};
                for (uint64_t j = 0; j < ne * tk; j++, pos++)
                    ops[k++] = (op_t){OP_MAC, (uint32_t)(pos / span), (uint32_t)(pos % mp->bpr)};
            }
            for (uint64_t r = 0; r < ne * mp->units * mp->rd_bursts; r++)
                ops[k++] = (op_t){OP_RDRES, 0, 0};
            if (st)
                st->lane_macs += ne * g->k * mp->units * L;
        }
    }
    free(s);
    *nops = k;
    return ops;
}

/* ---- channel timing engine ---------------------------------------------- */

typedef struct {
    uint64_t arrive;
    uint32_t bg, bank, row, col;
    int wr, done;
} hreq_t;

#define HOST_WINDOW 32u
_Static_assert(HOST_WINDOW < UINT8_MAX, "eng_t.bfirst holds window positions");

typedef struct {
    const pim_gemv_cfg_t *cfg;
    const dram_cfg_t *d;
    uint32_t ch;
    dram_t *dp, *dh;           /* PIM-side and host-side devices (the same in blocked mode) */
    int dual;
    const op_t *ops;
    size_t nops, oi;
    uint32_t pim_row;          /* row PIM has open, DRAM_NO_ROW if none */
    hreq_t *rq;
    size_t nrq, head;          /* requests, first not done */
    size_t arr;                /* first request arriving after now */
    uint64_t now, next_ref;
    int ref_pending;
    uint64_t kernel_end, host_end;
    const pim_gemv_hook_t *hook;
    pim_gemv_stats_t *st;
    uint8_t *bfirst, *bhit;    /* [banks] host_candidates scratch */
} eng_t;

enum { SIDE_PIM = 0, SIDE_HOST = 1 };

typedef struct {
    int side;                  /* which device */
    int valid;
    dram_cmd_t c;
    uint64_t at;
    size_t req;                /* host request served (column commands) or SIZE_MAX */
    int both;                  /* REF in dual mode: both devices */
} cand_t;

/* Constraints the two row buffers share in dual mode, for a command on
 * `side`: one command per cycle, the data bus, and the activation window. */
static uint64_t cross_earliest(const eng_t *e, int side, const dram_cmd_t *c)
{
    if (!e->dual)
        return 0;
    const dram_t *o = side == SIDE_PIM ? e->dh : e->dp;
    const dram_t *s = side == SIDE_PIM ? e->dp : e->dh;
    const dram_unit_t *ou = &o->unit[e->ch], *su = &s->unit[e->ch];
    const dram_cfg_t *d = e->d;
    uint64_t t = ou->last_cmd;
    switch (c->kind) {
    case DRAM_RD:
    case DRAM_PIM_RD_RES:
        t = util_max_u64(t, ou->bus_free > d->tCL ? ou->bus_free - d->tCL : 0);
        break;
    case DRAM_WR:
    case DRAM_PIM_WR_GB:
        t = util_max_u64(t, ou->bus_free > d->tCWL ? ou->bus_free - d->tCWL : 0);
        break;
    case DRAM_ACT:
    case DRAM_PIM_ACT_AB: {
        t = util_max_u64(t, ou->act); /* tRRD_S after the other side's ACT */
        /* The eight most recent activations of both sides (stored as cycle+1). */
        uint64_t a[8];
        for (int i = 0; i < 4; i++) {
            a[i] = ou->faw[i];
            a[4 + i] = su->faw[i];
        }
        for (int i = 0; i < 8; i++) /* descending */
            for (int j = i + 1; j < 8; j++)
                if (a[j] > a[i]) {
                    const uint64_t x = a[i];
                    a[i] = a[j];
                    a[j] = x;
                }
        /* ACT: at most 3 others in the window; ACT_AB: none. */
        const uint64_t lim = c->kind == DRAM_ACT ? a[3] : a[0];
        if (lim)
            t = util_max_u64(t, lim - 1 + d->tFAW);
        break;
    }
    default: break;
    }
    return t;
}

static void consider(const eng_t *e, cand_t *best, int side, const dram_cmd_t *c, size_t req)
{
    dram_t *dev = side == SIDE_PIM ? e->dp : e->dh;
    uint64_t at = dram_earliest(dev, c);
    if (at == DRAM_NEVER)
        return;
    at = util_max_u64(util_max_u64(at, e->now), cross_earliest(e, side, c));
    if (!best->valid || at < best->at) {
        best->valid = 1;
        best->side = side;
        best->c = *c;
        best->at = at;
        best->req = req;
        best->both = 0;
    }
}

static dram_cmd_t mk(const eng_t *e, dram_cmd_kind_t k, uint32_t bg, uint32_t bank, uint32_t row,
                     uint32_t col)
{
    dram_cmd_t c = {0, (uint8_t)k, (uint8_t)bg, (uint8_t)bank, (uint16_t)e->ch, row, col};
    return c;
}

/* A request has arrived and is not done (requests arrive in order). */
static int host_waiting(const eng_t *e) { return e->head < e->arr; }

static uint32_t open_banks(const dram_t *d, uint32_t ch) { return d->unit[ch].open; }

/* The PIM stream's next command, if any.  blocked_host: blocked mode with a
 * host request waiting, so the stream gives the banks up at its next row
 * boundary. */
static void pim_candidate(const eng_t *e, cand_t *best, int blocked_host)
{
    dram_cmd_t c;
    if (e->oi >= e->nops) {
        /* The stream is done but may have left its row open (its last ops
         * are register read-backs): close it when a refresh or, in blocked
         * mode, a host request needs the banks; nothing else will. */
        if (e->pim_row != DRAM_NO_ROW && (e->ref_pending || blocked_host)) {
            c = mk(e, DRAM_PREA, 0, 0, 0, 0);
            consider(e, best, SIDE_PIM, &c, SIZE_MAX);
        }
        return;
    }
    const op_t *op = &e->ops[e->oi];
    const int reg = op->kind != OP_MAC; /* register traffic: no bank state */
    if (e->pim_row != DRAM_NO_ROW) {
        if (!reg && op->row == e->pim_row && !e->ref_pending)
            c = mk(e, DRAM_PIM_MAC_AB, 0, 0, 0, op->col); /* a waiting host gets the next boundary */
        else if (!reg || e->ref_pending || blocked_host)
            c = mk(e, DRAM_PREA, 0, 0, 0, 0);
        else
            c = mk(e, op->kind == OP_WRGB ? DRAM_PIM_WR_GB : DRAM_PIM_RD_RES, 0, 0, 0, 0);
        consider(e, best, SIDE_PIM, &c, SIZE_MAX);
        return;
    }
    if (e->ref_pending)
        return;
    if (reg) {
        c = mk(e, op->kind == OP_WRGB ? DRAM_PIM_WR_GB : DRAM_PIM_RD_RES, 0, 0, 0, 0);
    } else {
        if (blocked_host || (!e->dual && open_banks(e->dp, e->ch)))
            return; /* the host has the banks */
        c = mk(e, DRAM_PIM_ACT_AB, 0, 0, op->row, 0);
    }
    consider(e, best, SIDE_PIM, &c, SIZE_MAX);
}

static void host_candidates(const eng_t *e, cand_t *best, int pim_wants_banks)
{
    const dram_t *dh = e->dh;
    if (!e->dual && e->pim_row != DRAM_NO_ROW)
        return; /* blocked: PIM holds every bank */
    if (e->ref_pending)
        return;
    /* The window, gathered once: the first HOST_WINDOW arrived requests not
     * done, each with its bank and whether it hits that bank's open row (a
     * scan per request over the window, skipping the done ones each time,
     * made host traffic take hours at the allowed request counts). */
    size_t idx[HOST_WINDOW];
    uint32_t key[HOST_WINDOW], open[HOST_WINDOW];
    int hits[HOST_WINDOW];
    size_t n = 0;
    for (size_t i = e->head; i < e->nrq && n < HOST_WINDOW; i++) {
        const hreq_t *r = &e->rq[i];
        if (r->done)
            continue;
        if (r->arrive > e->now)
            break;
        idx[n] = i;
        key[n] = r->bg * e->d->banks_per_group + r->bank;
        open[n] = dram_open_row(dh, e->ch, r->bg, r->bank);
        hits[n] = open[n] == r->row;
        n++;
    }
    const int any = n > 0;
    /* Per bank of the window: its oldest request, and whether any of its
     * requests hits the open row. */
    for (size_t k = 0; k < n; k++) {
        e->bfirst[key[k]] = UINT8_MAX;
        e->bhit[key[k]] = 0;
    }
    for (size_t k = 0; k < n; k++) {
        if (e->bfirst[key[k]] == UINT8_MAX)
            e->bfirst[key[k]] = (uint8_t)k;
        e->bhit[key[k]] |= (uint8_t)hits[k];
    }
    for (size_t k = 0; k < n; k++) {
        const hreq_t *r = &e->rq[idx[k]];
        if (hits[k]) {
            const dram_cmd_t c = mk(e, r->wr ? DRAM_WR : DRAM_RD, r->bg, r->bank, r->row, r->col);
            consider(e, best, SIDE_HOST, &c, idx[k]);
            continue;
        }
        /* Row command only for the oldest request of this bank in the window,
         * and a PRE only when no request in the window hits the open row. */
        if (e->bfirst[key[k]] != k || e->bhit[key[k]])
            continue;
        const dram_cmd_t c = open[k] == DRAM_NO_ROW
                                 ? mk(e, DRAM_ACT, r->bg, r->bank, r->row, 0)
                                 : mk(e, DRAM_PRE, r->bg, r->bank, 0, 0);
        consider(e, best, SIDE_HOST, &c, SIZE_MAX);
    }
    /* Blocked: with no request waiting, hand the banks back to the PIM stream. */
    if (!any && pim_wants_banks && !e->dual && open_banks(dh, e->ch)) {
        const dram_cmd_t c = mk(e, DRAM_PREA, 0, 0, 0, 0);
        consider(e, best, SIDE_HOST, &c, SIZE_MAX);
    }
}

static void ref_candidates(const eng_t *e, cand_t *best)
{
    /* Close the host side (the PIM side closes in pim_candidate). */
    if (e->dual && open_banks(e->dh, e->ch)) {
        const dram_cmd_t c = mk(e, DRAM_PREA, 0, 0, 0, 0);
        consider(e, best, SIDE_HOST, &c, SIZE_MAX);
        return;
    }
    if (open_banks(e->dp, e->ch) || e->pim_row != DRAM_NO_ROW)
        return;
    const dram_cmd_t c = mk(e, DRAM_REF, 0, 0, 0, 0);
    uint64_t at = dram_earliest(e->dp, &c);
    if (at == DRAM_NEVER)
        return;
    at = util_max_u64(at, e->now);
    if (e->dual) {
        const uint64_t ah = dram_earliest(e->dh, &c);
        if (ah == DRAM_NEVER)
            return;
        at = util_max_u64(at, ah);
    }
    if (!best->valid || at < best->at) {
        *best = (cand_t){SIDE_PIM, 1, c, at, SIZE_MAX, e->dual};
    }
}

static int issue(eng_t *e, const cand_t *b, char *err, size_t errlen)
{
    dram_cmd_t c = b->c;
    c.cycle = b->at;
    dram_t *dev = b->side == SIDE_PIM ? e->dp : e->dh;
    const dram_cfg_t *d = e->d;
    pim_gemv_stats_t *st = e->st;
    const uint32_t opened = open_banks(dev, e->ch);
    if (dram_issue(dev, &c, err, errlen) != 0)
        return -1;
    if (b->both && dram_issue(e->dh, &c, err, errlen) != 0)
        return -1;
    if (e->hook && e->hook->issued) {
        e->hook->issued(e->hook->ctx, b->side == SIDE_HOST, &c);
        if (b->both)
            e->hook->issued(e->hook->ctx, 1, &c);
    }
    e->now = b->at;
    const uint32_t units = dram_banks(d) / e->cfg->unit.banks_per_unit;
    const uint32_t bb = dram_burst_bytes(d);
    switch (c.kind) {
    case DRAM_PIM_ACT_AB:
        st->act += dram_banks(d);
        st->ab_cmds++;
        e->pim_row = c.row;
        break;
    case DRAM_ACT: st->act++; break;
    case DRAM_PRE: st->pre++; break;
    case DRAM_PREA:
        st->pre += opened;
        if (b->side == SIDE_PIM) {
            st->ab_cmds++;
            e->pim_row = DRAM_NO_ROW;
        }
        break;
    case DRAM_PIM_MAC_AB:
        st->ab_cmds++;
        st->pim_col_reads += units;
        st->bank_bytes += (uint64_t)units * bb;
        e->oi++;
        break;
    case DRAM_PIM_WR_GB:
        st->ab_cmds++;
        st->vec_bursts++;
        st->bus_bytes += bb;
        e->oi++;
        break;
    case DRAM_PIM_RD_RES:
        st->res_bursts++;
        st->bus_bytes += bb;
        e->kernel_end = util_max_u64(e->kernel_end, c.cycle + d->tCL + d->tBL);
        e->oi++;
        break;
    case DRAM_RD:
    case DRAM_WR: {
        hreq_t *r = &e->rq[b->req];
        const uint64_t end = c.cycle + (c.kind == DRAM_RD ? d->tCL : d->tCWL) + d->tBL;
        r->done = 1;
        *(c.kind == DRAM_RD ? &st->host_rd : &st->host_wr) += 1;
        st->bus_bytes += bb;
        st->host_lat_sum += end - r->arrive;
        st->host_lat_max = util_max_u64(st->host_lat_max, end - r->arrive);
        e->host_end = util_max_u64(e->host_end, end);
        while (e->head < e->nrq && e->rq[e->head].done)
            e->head++;
        break;
    }
    case DRAM_REF:
        e->ref_pending = 0;
        e->next_ref += d->tREFI;
        break;
    default: break;
    }
    return 0;
}

/* Runs channel ch: its PIM ops (may be none) and its host requests. */
static int run_channel(eng_t *e, char *err, size_t errlen)
{
    e->next_ref = e->d->tREFI;
    for (;;) {
        const int pim_left = e->oi < e->nops, host_left = e->head < e->nrq;
        if (!pim_left && !host_left)
            return 0;
        if (!e->ref_pending && e->now >= e->next_ref)
            e->ref_pending = 1;
        while (e->arr < e->nrq && e->rq[e->arr].arrive <= e->now)
            e->arr++;
        const int blocked_host = !e->dual && host_waiting(e);
        cand_t best = {0};
        pim_candidate(e, &best, blocked_host);
        const int pim_wants = pim_left && e->pim_row == DRAM_NO_ROW && !blocked_host;
        host_candidates(e, &best, pim_wants || (e->ref_pending && !e->dual));
        if (e->ref_pending) {
            if (!e->dual && open_banks(e->dh, e->ch) && e->pim_row == DRAM_NO_ROW) {
                const dram_cmd_t c = mk(e, DRAM_PREA, 0, 0, 0, 0);
                consider(e, &best, SIDE_HOST, &c, SIZE_MAX);
            }
            ref_candidates(e, &best);
        }
        /* Events that may change the choice: the next arrival and refresh. */
        uint64_t next_ev = e->arr < e->nrq ? e->rq[e->arr].arrive : UINT64_MAX;
        if (!e->ref_pending)
            next_ev = util_min_u64(next_ev, e->next_ref);
        if (!best.valid || best.at > next_ev) {
            if (next_ev == UINT64_MAX) {
                snprintf(err, errlen, "pim: channel %u stalled at cycle %llu (internal)", e->ch,
                         (unsigned long long)e->now);
                return -1;
            }
            e->now = next_ev;
            continue;
        }
        if (issue(e, &best, err, errlen) != 0)
            return -1;
    }
}

/* Deterministic request stream of channel ch (xorshift64*). */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static hreq_t *host_random(const pim_gemv_cfg_t *cfg, uint32_t ch)
{
    const pim_host_t *h = &cfg->host;
    hreq_t *rq = calloc(h->count + 1, sizeof *rq);
    if (!rq)
        return NULL;
    uint64_t s = (h->seed + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)ch << 32 | 0x5bd1e995u);
    const dram_cfg_t *d = &cfg->dram;
    for (uint64_t i = 0; i < h->count; i++) {
        rq[i].arrive = i * h->period;
        rq[i].bg = (uint32_t)(rng_next(&s) % d->bank_groups);
        rq[i].bank = (uint32_t)(rng_next(&s) % d->banks_per_group);
        rq[i].row = (uint32_t)(rng_next(&s) % d->rows);
        rq[i].col = (uint32_t)(rng_next(&s) % dram_bursts_per_row(d));
        rq[i].wr = rng_next(&s) % 100 < h->write_pct;
    }
    return rq;
}

static int run_all(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, int pim, int host_stream,
                   pim_gemv_stats_t *st, const pim_gemv_hook_t *hook, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    if (pim_gemv_check(cfg, g, err, errlen) != 0)
        return -1;
    map_t mp;
    map_init(cfg, g, &mp);
    dram_t dp, dh;
    const int dual = pim && cfg->mode == PIM_DUAL;
    if (dram_init(&dp, &cfg->dram, err, errlen) != 0)
        return -1;
    if (dual && dram_init(&dh, &cfg->dram, err, errlen) != 0) {
        dram_free(&dp);
        return -1;
    }
    uint8_t *bscr = malloc(2 * (size_t)dram_banks(&cfg->dram));
    int rc = bscr ? 0 : (snprintf(err, errlen, "out of memory"), -1);
    for (uint32_t ch = 0; ch < mp.chans && rc == 0; ch++) {
        eng_t e = {0};
        e.bfirst = bscr;
        e.bhit = bscr + dram_banks(&cfg->dram);
        e.cfg = cfg;
        e.d = &cfg->dram;
        e.ch = ch;
        e.dp = &dp;
        e.dh = dual ? &dh : &dp;
        e.dual = dual;
        e.pim_row = DRAM_NO_ROW;
        e.hook = hook;
        e.st = st;
        if (pim) {
            e.ops = chan_ops(cfg, g, &mp, ch, &e.nops, st);
            e.rq = host_random(cfg, ch);
            e.nrq = cfg->host.count;
        } else if (host_stream) {
            /* Every W burst of every unit, bank-interleaved, all at cycle 0. */
            const size_t ns = chan_segments(g, &mp, ch, NULL);
            seg_t *s = malloc((ns + 1) * sizeof *s);
            uint64_t P = 0;
            if (s) {
                chan_segments(g, &mp, ch, s);
                P = chan_positions(g, &mp, s, ns);
                free(s);
            }
            e.nrq = P * mp.units;
            e.rq = s ? calloc(e.nrq + 1, sizeof *e.rq) : NULL;
            const uint32_t bpu = cfg->unit.banks_per_unit, bpg = cfg->dram.banks_per_group;
            for (uint64_t p = 0, i = 0; e.rq && p < P; p++)
                for (uint32_t u = 0; u < mp.units; u++, i++) {
                    const uint64_t span = (uint64_t)bpu * mp.bpr;
                    const uint32_t bank = u * bpu + (uint32_t)((p % span) / mp.bpr);
                    e.rq[i] = (hreq_t){0, bank / bpg, bank % bpg, (uint32_t)(p / span),
                                       (uint32_t)(p % mp.bpr), 0, 0};
                }
        }
        st->host_reqs += e.nrq;
        if ((pim && !e.ops) || (e.nrq && !e.rq)) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else {
            rc = run_channel(&e, err, errlen);
        }
        st->cycles = util_max_u64(st->cycles, e.kernel_end);
        st->host_done = util_max_u64(st->host_done, e.host_end);
        free((void *)e.ops);
        free(e.rq);
    }
    free(bscr);
    if (!pim)
        st->cycles = st->host_done;
    st->useful_macs = g->groups * g->m * g->k;
    if (!pim)
        st->lane_macs = 0;
    dram_free(&dp);
    if (dual)
        dram_free(&dh);
    return rc;
}

int pim_gemv_time(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, pim_gemv_stats_t *st,
                  const pim_gemv_hook_t *hook, char *err, size_t errlen)
{
    return run_all(cfg, g, 1, 0, st, hook, err, errlen);
}

int pim_gemv_host_time(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, pim_gemv_stats_t *st,
                       const pim_gemv_hook_t *hook, char *err, size_t errlen)
{
    return run_all(cfg, g, 0, 1, st, hook, err, errlen);
}

/* ---- values ---------------------------------------------------------------- */

int pim_gemv_compute(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, const uint16_t *w,
                     const uint16_t *x, uint32_t *y, char *err, size_t errlen)
{
    if (pim_gemv_check(cfg, g, err, errlen) != 0)
        return -1;
    map_t mp;
    map_init(cfg, g, &mp);
    const uint32_t L = mp.lanes, U = mp.units;
    const uint64_t S = cfg->unit.srf_entries, rows_b = cfg->unit.acc_entries * (uint64_t)L;
    pim_unit_t *unit = malloc(sizeof *unit);
    seg_t *s = malloc((g->groups + 2) * sizeof *s);
    if (!unit || !s) {
        free(unit);
        free(s);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const uint16_t mask = cfg->unit.prec == PIM_FP16 ? 0xFFFFu : 0xFFu;
    uint16_t col[PIM_MAX_LANES];
    uint32_t out[PIM_MAX_LANES];
    /* Units are independent: run each one's share of the broadcast stream. */
    for (uint32_t ch = 0; ch < mp.chans; ch++) {
        const size_t ns = chan_segments(g, &mp, ch, s);
        for (size_t i = 0; i < ns; i++) {
            const uint64_t per = util_ceil_div(s[i].n, U);
            const uint16_t *xg = x + s[i].group * g->k;
            for (uint32_t u = 0; u < U && mp.tree; u++) {
                /* Tree layout (chan_ops): x columns into the GRFs per tile,
                 * MACT per row and column into lane b % L of entry b / L. */
                pim_unit_init(unit, &cfg->unit);
                const uint64_t end = util_min_u64(s[i].n, (u + 1) * per);
                for (uint64_t j0 = 0; j0 < per; j0 += rows_b) {
                    const uint64_t nb = util_min_u64(rows_b, per - j0), ne = util_ceil_div(nb, L);
                    for (uint64_t a = 0; a < ne; a++) {
                        const pim_cmd_t clr = {PIM_CLR, (uint32_t)a, 0, 0, {0}};
                        pim_unit_exec(unit, &clr, NULL, NULL);
                    }
                    for (uint64_t t = 0; t < mp.tiles; t++) {
                        const uint64_t tc = util_min_u64(mp.tile, mp.kc - t * mp.tile);
                        for (uint64_t q = 0; q < tc; q++) {
                            pim_cmd_t wr = {PIM_WRGRF, (uint32_t)q, 0, 0, {0}};
                            for (uint32_t l = 0; l < L; l++) {
                                const uint64_t kk = (t * mp.tile + q) * L + l;
                                wr.data[l] = kk < g->k ? xg[kk] & mask : 0;
                            }
                            pim_unit_exec(unit, &wr, NULL, NULL);
                        }
                        for (uint64_t b = 0; b < nb; b++) {
                            const uint64_t j = u * per + j0 + b;
                            const uint64_t wr_row = s[i].group * g->m + s[i].m0 + j;
                            for (uint64_t q = 0; q < tc; q++) {
                                for (uint32_t l = 0; l < L; l++) {
                                    const uint64_t kk = (t * mp.tile + q) * L + l;
                                    col[l] = j < end && kk < g->k ? w[wr_row * g->k + kk] & mask : 0;
                                }
                                pim_cmd_t mac = {PIM_MACT, (uint32_t)(b / L), (uint32_t)q, 0, {0}};
                                mac.data[0] = (uint16_t)(b % L);
                                pim_unit_exec(unit, &mac, col, NULL);
                            }
                        }
                    }
                    for (uint64_t a = 0; a < ne; a++) {
                        const pim_cmd_t rd = {PIM_RDACC, (uint32_t)a, 0, 0, {0}};
                        pim_unit_exec(unit, &rd, NULL, out);
                        for (uint32_t l = 0; l < L; l++) {
                            const uint64_t j = u * per + j0 + a * L + l;
                            if (a * L + l < nb && j < end)
                                y[s[i].group * g->m + s[i].m0 + j] = out[l];
                        }
                    }
                }
            }
            for (uint32_t u = 0; u < U && !mp.tree; u++) {
                pim_unit_init(unit, &cfg->unit);
                for (uint64_t j0 = 0; j0 < per; j0 += rows_b) {
                    const uint64_t ne = util_ceil_div(util_min_u64(rows_b, per - j0), L);
                    for (uint64_t a = 0; a < ne; a++) {
                        const pim_cmd_t clr = {PIM_CLR, (uint32_t)a, 0, 0, {0}};
                        pim_unit_exec(unit, &clr, NULL, NULL);
                    }
                    for (uint64_t t = 0; t < mp.tiles; t++) {
                        const uint64_t tk = util_min_u64(S, g->k - t * S);
                        for (uint64_t q = 0; q < tk; q++) { /* x tile into the SRF */
                            pim_cmd_t wr = {PIM_WRSRF, (uint32_t)q, 0, 0, {0}};
                            wr.data[0] = xg[t * S + q] & mask;
                            pim_unit_exec(unit, &wr, NULL, NULL);
                        }
                        for (uint64_t a = 0; a < ne; a++)
                            for (uint64_t q = 0; q < tk; q++) {
                                /* Column: lane l holds W[row j0 + a*L + l][k]. */
                                for (uint32_t l = 0; l < L; l++) {
                                    const uint64_t j = u * per + j0 + a * L + l;
                                    const int real = j < util_min_u64(s[i].n, (u + 1) * per);
                                    const uint64_t wr_row = s[i].group * g->m + s[i].m0 + j;
                                    col[l] = real ? w[wr_row * g->k + t * S + q] & mask : 0;
                                }
                                const pim_cmd_t mac = {PIM_MACS, (uint32_t)a, (uint32_t)q, 0, {0}};
                                pim_unit_exec(unit, &mac, col, NULL);
                            }
                    }
                    for (uint64_t a = 0; a < ne; a++) { /* read back: one row per lane */
                        const pim_cmd_t rd = {PIM_RDACC, (uint32_t)a, 0, 0, {0}};
                        pim_unit_exec(unit, &rd, NULL, out);
                        for (uint32_t l = 0; l < L; l++) {
                            const uint64_t j = u * per + j0 + a * L + l;
                            if (j < util_min_u64(s[i].n, (u + 1) * per))
                                y[s[i].group * g->m + s[i].m0 + j] = out[l];
                        }
                    }
                }
            }
        }
    }
    free(unit);
    free(s);
    return 0;
}
