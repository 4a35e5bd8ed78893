/* lut_tc.c - LUT tensor core: configuration, closed-form events, the
 * cycle-by-cycle unit and operand delivery.  See lut_tc.h for the
 * microarchitecture this file and rtl/lut_tc.v both implement. */
#include "lut_tc.h"

#include "cfgkey.h"
#include "periodic.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const wq_names[] = {"sym", "zp", "ternary"};

const char *lut_wq_name(lut_wq_t wq)
{
    return (unsigned)wq < 3 ? wq_names[wq] : "?";
}

int lut_wq_parse(const char *s, lut_wq_t *out)
{
    for (unsigned i = 0; i < 3; i++) {
        if (strcmp(s, wq_names[i]) == 0) {
            *out = (lut_wq_t)i;
            return 0;
        }
    }
    return -1;
}

void lut_defaults(lut_cfg_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->a_bits = 8;
    cfg->w_bits = 2;
    cfg->wq = LUT_WQ_ZP;
    cfg->zp = 2;
    cfg->g = 4;              /* LUT Tensor Core's default group size */
    cfg->sym_table = 1;
    cfg->fused = 0;
    cfg->tm = 8;
    cfg->tn = 128;
    cfg->tk = 64;
    cfg->table_entries = 8 * 16 * 8;   /* tm x tk/g x 2^(g-1) */
    cfg->scale_group = 0;
    cfg->act_buf_bytes = 512 * 1024;
    cfg->w_buf_bytes = 512 * 1024;
    cfg->out_buf_bytes = 256 * 1024;
    cfg->dma.bytes_per_cycle = 32;
}

int lut_cfg_set(lut_cfg_t *cfg, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "sym_table") == 0)
        return cfg_parse_bool(key, val, &cfg->sym_table, err, errlen);
    if (strcmp(key, "fused") == 0)
        return cfg_parse_bool(key, val, &cfg->fused, err, errlen);
    static const char *const u32[] = {"a_bits", "g", "tile_m", "tile_n", "tile_k",
                                      "table_entries", "scale_group"};
    uint32_t *const d32[] = {&cfg->a_bits, &cfg->g, &cfg->tm, &cfg->tn, &cfg->tk,
                             &cfg->table_entries, &cfg->scale_group};
    static const char *const kib[] = {"act_buf_kib", "w_buf_kib", "out_buf_kib"};
    uint64_t *const dk[] = {&cfg->act_buf_bytes, &cfg->w_buf_bytes, &cfg->out_buf_bytes};
    uint64_t v;
    for (size_t i = 0; i < ARRAY_LEN(u32); i++) {
        if (strcmp(key, u32[i]) == 0) {
            if (cfg_parse_uint(key, val, UINT32_MAX, &v, err, errlen) != 0)
                return -1;
            *d32[i] = (uint32_t)v;
            return 0;
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(kib); i++) {
        if (strcmp(key, kib[i]) == 0) {
            if (cfg_parse_uint(key, val, UINT64_MAX / 1024, &v, err, errlen) != 0)
                return -1;
            *dk[i] = v * 1024;
            return 0;
        }
    }
    snprintf(err, errlen,
             "%s: unknown key (a_bits, g, sym_table, fused, tile_m, tile_n, tile_k, "
             "table_entries, scale_group, act_buf_kib, w_buf_kib, out_buf_kib)",
             key);
    return -1;
}

uint32_t lut_planes(const lut_cfg_t *cfg)
{
    return cfg->wq == LUT_WQ_TERNARY ? 2 : cfg->w_bits;
}

uint32_t lut_entries(const lut_cfg_t *cfg)
{
    return cfg->sym_table ? 1u << (cfg->g - 1) : 1u << cfg->g;
}

uint32_t lut_entry_bits(const lut_cfg_t *cfg)
{
    uint32_t lg = 0;
    while ((1u << lg) < cfg->g)
        lg++;
    return cfg->a_bits + lg;
}

void lut_correction(const lut_cfg_t *cfg, int32_t *cz, uint32_t *sh)
{
    const int32_t full = (int32_t)((1u << lut_planes(cfg)) - 1);
    switch (cfg->wq) {
    case LUT_WQ_ZP: *cz = full - 2 * (int32_t)cfg->zp; *sh = 1; break;
    case LUT_WQ_TERNARY: *cz = full - 2; *sh = 1; break;
    default: *cz = 0; *sh = 0; break;
    }
}

int32_t lut_dequant(const lut_cfg_t *cfg, int32_t q)
{
    switch (cfg->wq) {
    case LUT_WQ_ZP: return q - (int32_t)cfg->zp;
    case LUT_WQ_TERNARY: return q - 1;
    default: return 2 * q - (int32_t)((1u << cfg->w_bits) - 1);
    }
}

int lut_cfg_check(const lut_cfg_t *cfg, char *err, size_t errlen)
{
    if (cfg->a_bits < 2 || cfg->a_bits > LUT_MAX_A_BITS) {
        snprintf(err, errlen, "a_bits: %u is outside 2..%u", cfg->a_bits, LUT_MAX_A_BITS);
        return -1;
    }
    if ((unsigned)cfg->wq > LUT_WQ_TERNARY) {
        snprintf(err, errlen, "wq: must be sym, zp or ternary");
        return -1;
    }
    if (cfg->wq == LUT_WQ_TERNARY ? cfg->w_bits != 2
                                  : (cfg->w_bits < 1 || cfg->w_bits > LUT_MAX_PLANES)) {
        snprintf(err, errlen, "w_bits: %u is not supported (1..%u, or 2 for ternary)",
                 cfg->w_bits, LUT_MAX_PLANES);
        return -1;
    }
    if (cfg->wq == LUT_WQ_ZP && cfg->zp >= (1u << cfg->w_bits)) {
        snprintf(err, errlen, "zp: %u is outside 0..%u", cfg->zp, (1u << cfg->w_bits) - 1);
        return -1;
    }
    if (cfg->g < 1 || cfg->g > LUT_MAX_G) {
        snprintf(err, errlen, "g: %u is outside 1..%u", cfg->g, LUT_MAX_G);
        return -1;
    }
    if (cfg->tm < 1 || cfg->tm > LUT_MAX_TM) {
        snprintf(err, errlen, "tile_m: %u is outside 1..%u", cfg->tm, LUT_MAX_TM);
        return -1;
    }
    if (cfg->tn < 1 || cfg->tn > LUT_MAX_TN) {
        snprintf(err, errlen, "tile_n: %u is outside 1..%u", cfg->tn, LUT_MAX_TN);
        return -1;
    }
    if (cfg->tk < cfg->g || cfg->tk > LUT_MAX_TK || cfg->tk % cfg->g) {
        snprintf(err, errlen, "tile_k: %u is not a multiple of g = %u in %u..%u", cfg->tk,
                 cfg->g, cfg->g, LUT_MAX_TK);
        return -1;
    }
    const uint64_t E = lut_entries(cfg);
    if ((uint64_t)cfg->tm * E > cfg->table_entries) {
        snprintf(err, errlen,
                 "g: %u needs %" PRIu64 " table entries per row, %" PRIu64
                 " for the tile's %u rows, more than table_entries (%u)",
                 cfg->g, E, cfg->tm * E, cfg->tm, cfg->table_entries);
        return -1;
    }
    const uint64_t need = (uint64_t)cfg->tm * (cfg->tk / cfg->g) * E;
    if (need > cfg->table_entries) {
        snprintf(err, errlen,
                 "tile_k: a %u x %u tile needs %" PRIu64 " table entries (%u groups x %" PRIu64
                 " entries x %u rows), more than table_entries (%u)",
                 cfg->tm, cfg->tk, need, cfg->tk / cfg->g, E, cfg->tm, cfg->table_entries);
        return -1;
    }
    const uint32_t P = lut_planes(cfg);
    if ((uint64_t)cfg->tk << (P + cfg->a_bits) > (1ull << 31)) {
        snprintf(err, errlen,
                 "tile_k: %u: partial sums of %u-bit activations and %u weight planes "
                 "could overflow the 32-bit accumulator",
                 cfg->tk, cfg->a_bits, P);
        return -1;
    }
    if (cfg->scale_group && cfg->scale_group % cfg->tk) {
        snprintf(err, errlen, "scale_group: %u is not 0 or a multiple of tile.k (%u)",
                 cfg->scale_group, cfg->tk);
        return -1;
    }
    const uint64_t ab = util_ceil_div(cfg->a_bits, 8), eb = util_ceil_div(lut_entry_bits(cfg), 8);
    const uint64_t act_half = cfg->fused ? need * eb : (uint64_t)cfg->tm * cfg->tk * ab;
    if (act_half > cfg->act_buf_bytes / 2) {
        snprintf(err, errlen,
                 "act_buf_bytes: one tile's %s need %" PRIu64
                 " bytes, more than half the buffer (%" PRIu64 ")",
                 cfg->fused ? "tables" : "activations", act_half, cfg->act_buf_bytes / 2);
        return -1;
    }
    const uint64_t w_half = util_ceil_div((uint64_t)cfg->tk * cfg->tn * P, 8);
    if (w_half > cfg->w_buf_bytes / 2) {
        snprintf(err, errlen,
                 "w_buf_bytes: one tile's weight planes need %" PRIu64
                 " bytes, more than half the buffer (%" PRIu64 ")",
                 w_half, cfg->w_buf_bytes / 2);
        return -1;
    }
    return dma_cfg_check(&cfg->dma, err, errlen);
}

int lut_gemm_check(const lut_cfg_t *cfg, const lut_gemm_t *g, char *err, size_t errlen)
{
    const char *names[3] = {"m", "n", "k"};
    const uint64_t v[3] = {g->m, g->n, g->k};
    for (int i = 0; i < 3; i++) {
        if (v[i] < 1 || v[i] > LUT_MAX_GEMM_DIM) {
            snprintf(err, errlen, "%s: %" PRIu64 " is outside 1..%u", names[i], v[i],
                     LUT_MAX_GEMM_DIM);
            return -1;
        }
    }
    const uint32_t P = lut_planes(cfg);
    if ((g->k << (cfg->a_bits - 1)) * ((1ull << P) - 1) >= (1ull << 31)) {
        snprintf(err, errlen, "k: %" PRIu64 " could overflow the 32-bit output", g->k);
        return -1;
    }
    if (g->m * g->k > UINT32_MAX - 1 || g->m * g->n > UINT32_MAX - 1 ||
        lut_packed_words(cfg, g) > UINT32_MAX - 1) {
        snprintf(err, errlen, "m: the matrices exceed the 32-bit address space");
        return -1;
    }
    const uint64_t out = (uint64_t)util_min_u64(cfg->tm, g->m) * g->n * LUT_OUT_BYTES;
    if (out > cfg->out_buf_bytes) {
        snprintf(err, errlen,
                 "out_buf_bytes: %" PRIu64 " output rows of N = %" PRIu64 " need %" PRIu64
                 " bytes, more than the buffer (%" PRIu64 ")",
                 util_min_u64(cfg->tm, g->m), g->n, out, cfg->out_buf_bytes);
        return -1;
    }
    return 0;
}

uint64_t lut_packed_words(const lut_cfg_t *cfg, const lut_gemm_t *g)
{
    return util_ceil_div(g->k, cfg->g) * g->n * lut_planes(cfg);
}

void lut_pack_weights(const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *q,
                      uint8_t *packed)
{
    const uint64_t P = lut_planes(cfg), G = util_ceil_div(g->k, cfg->g);
    for (uint64_t kg = 0; kg < G; kg++)
        for (uint64_t n = 0; n < g->n; n++)
            for (uint64_t i = 0; i < P; i++) {
                uint32_t w = 0;
                for (uint32_t t = 0; t < cfg->g; t++) {
                    const uint64_t k = kg * cfg->g + t;
                    if (k < g->k)
                        w |= (((uint32_t)q[k * g->n + n] >> i) & 1u) << t;
                }
                packed[(kg * g->n + n) * P + i] = (uint8_t)w;
            }
}

void lut_dequant_cost(const lut_cfg_t *cfg, uint64_t filter_fills, lut_dequant_cost_t *c)
{
    c->dequant_ops = filter_fills;
    c->weight_dram_bytes_lowbit = util_ceil_div(filter_fills * lut_planes(cfg), 8);
}

/* ---- closed form ----------------------------------------------------------- */

/* MOVE waits of one row tile of ml rows (the previous step drained prev
 * rows): for each K tile, its first column step waits max(0, prev - gap0)
 * and each other one max(0, ml - gap1), where gap = 1 + PRE (first column
 * step, unfused) + LOOK cycles; prev is the previous tile's ml for the first
 * K tile and ml after it.  K tiles come in two classes: full and the edge. */
static uint64_t move_wait(uint64_t prev, uint64_t gap)
{
    return prev > gap ? prev - gap : 0;
}

static uint64_t mtile_wait(const lut_cfg_t *cfg, uint64_t K, uint64_t NT, uint64_t P,
                           uint64_t prev, uint64_t ml)
{
    const uint64_t KT = util_ceil_div(K, cfg->tk);
    uint64_t w = 0;
    for (uint64_t cls = 0; cls < 3; cls++) {
        /* cls 0: K tile 0; 1: tiles 1..KT-2; 2: tile KT-1 (when KT > 1) */
        const uint64_t count = cls == 0 ? 1 : cls == 1 ? (KT > 2 ? KT - 2 : 0) : (KT > 1);
        if (count == 0)
            continue;
        const uint64_t kt = cls == 0 ? 0 : cls == 1 ? 1 : KT - 1;
        const uint64_t gt = util_ceil_div(util_min_u64(cfg->tk, K - kt * cfg->tk), cfg->g);
        const uint64_t gap0 = 1 + (!cfg->fused ? gt : 0) + gt * P, gap1 = 1 + gt * P;
        const uint64_t first = move_wait(cls == 0 ? prev : ml, gap0);
        w += count * (first + (NT - 1) * move_wait(ml, gap1));
    }
    return w;
}

void lut_count(const lut_cfg_t *cfg, const lut_gemm_t *g, lut_stats_t *st)
{
    memset(st, 0, sizeof *st);
    const uint64_t M = g->m, N = g->n, K = g->k, P = lut_planes(cfg), E = lut_entries(cfg);
    const uint64_t MT = util_ceil_div(M, cfg->tm), NT = util_ceil_div(N, cfg->tn),
                   KT = util_ceil_div(K, cfg->tk), GK = util_ceil_div(K, cfg->g);
    const int zp = cfg->wq != LUT_WQ_SYM;
    st->precompute_cycles = cfg->fused ? 0 : MT * GK;
    st->lookup_cycles = MT * NT * GK * P;
    st->drain_cycles = NT * KT * M;          /* overlapped with the next step */
    st->move_cycles = MT * KT * NT;
    /* MOVE of a step waits while the previous step's drain (ml rows, started
     * the cycle after its MOVE) still has rows left beyond the PRE and LOOK
     * cycles in between. */
    /* In closed form over the tile classes (first, middle, edge), so the
     * count does not walk the steps. */
    const uint64_t ml_last = M - (MT - 1) * cfg->tm;
    st->move_wait_cycles = mtile_wait(cfg, K, NT, P, 0, MT == 1 ? ml_last : cfg->tm);
    if (MT > 2)
        st->move_wait_cycles += (MT - 2) * mtile_wait(cfg, K, NT, P, cfg->tm, cfg->tm);
    if (MT > 1)
        st->move_wait_cycles += mtile_wait(cfg, K, NT, P, cfg->tm, ml_last);
    const uint64_t prev_ml = ml_last;
    st->finish_cycles = prev_ml;
    st->bank_writes = KT * M * N;
    st->scale_cycles = cfg->scale_group ? LUT_SCALE_LATENCY : 0;
    st->compute_cycles = 1 + st->precompute_cycles + st->lookup_cycles + st->move_cycles +
                         st->move_wait_cycles + st->finish_cycles + st->scale_cycles;
    st->total_cycles = st->compute_cycles;
    st->act_reads = cfg->fused ? 0 : M * K;
    st->table_writes = M * GK * E;
    if (cfg->fused)
        st->fused_precompute_adds = M * GK * E * (cfg->g - 1);
    else
        st->precompute_adds = M * GK * E * (cfg->g - 1);
    st->rowsum_adds = zp ? M * GK : 0;
    st->weight_reads = MT * GK * P * N;
    st->table_reads = M * GK * P * N;
    st->acc_adds = st->table_reads;
    st->sign_ops = cfg->sym_table ? st->table_reads : 0;
    st->shifts = M * GK * (P - 1) * N;
    st->out_writes = KT * M * N;
    st->out_acc_reads = (KT - 1) * M * N;
    st->zp_muls = zp ? NT * KT * M : 0;
    st->zp_adds = zp ? st->out_writes : 0;
    st->scale_muls = cfg->scale_group ? st->out_writes : 0;
    st->macs = M * N * K;
    st->steps = MT * KT * (1 + NT);
}

/* ---- cycle-by-cycle unit -------------------------------------------------- */

enum { PH_IDLE, PH_ACCEPT, PH_PRE, PH_LOOK, PH_MOVE, PH_FINISH, PH_DONE };

struct lut_unit {
    lut_cfg_t cfg;
    uint32_t P, E, G, TM, TN, TK, NG, sh;
    int32_t cz;
    lut_gemm_t g;
    const int32_t *a;
    const uint8_t *packed;
    int32_t *out;
    int32_t *tab;                 /* [TM][NG][E] */
    int32_t *rs;                  /* [TM] */
    int32_t *acc;                 /* [TM][TN] */
    int32_t *bank;                /* [TM][TN] drain bank */
    int32_t *d_rs;                /* [TM] rowsums of the tile being drained */
    int d_active, d_kacc;         /* drainer busy; its writes accumulate */
    uint64_t d_m0, d_n0, d_r;     /* tile being drained, row being written */
    uint32_t *a_addr, *w_addr, *o_addr;
    int32_t *o_data;
    int o_acc;                    /* this cycle's writes accumulate */
    int phase;
    uint64_t m0, k0, n0, j, i, r; /* loop position */
    int64_t step;                 /* delivery step index */
    lut_stats_t st;
};

lut_unit_t *lut_unit_new(const lut_cfg_t *cfg)
{
    lut_unit_t *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->cfg = *cfg;
    u->P = lut_planes(cfg);
    u->E = lut_entries(cfg);
    u->G = cfg->g;
    u->TM = cfg->tm;
    u->TN = cfg->tn;
    u->TK = cfg->tk;
    u->NG = cfg->tk / cfg->g;
    lut_correction(cfg, &u->cz, &u->sh);
    u->tab = calloc((size_t)u->TM * u->NG * u->E, sizeof *u->tab);
    u->rs = calloc(u->TM, sizeof *u->rs);
    u->acc = calloc((size_t)u->TM * u->TN, sizeof *u->acc);
    u->bank = calloc((size_t)u->TM * u->TN, sizeof *u->bank);
    u->d_rs = calloc(u->TM, sizeof *u->d_rs);
    u->a_addr = calloc((size_t)u->TM * u->G, sizeof *u->a_addr);
    u->w_addr = calloc(u->TN, sizeof *u->w_addr);
    u->o_addr = calloc(u->TN, sizeof *u->o_addr);
    u->o_data = calloc(u->TN, sizeof *u->o_data);
    if (!u->tab || !u->rs || !u->acc || !u->bank || !u->d_rs || !u->a_addr || !u->w_addr || !u->o_addr || !u->o_data) {
        lut_unit_free(u);
        return NULL;
    }
    return u;
}

void lut_unit_free(lut_unit_t *u)
{
    if (!u)
        return;
    free(u->tab);
    free(u->rs);
    free(u->acc);
    free(u->bank);
    free(u->d_rs);
    free(u->a_addr);
    free(u->w_addr);
    free(u->o_addr);
    free(u->o_data);
    free(u);
}

void lut_unit_start(lut_unit_t *u, const lut_gemm_t *g, const int32_t *a,
                    const uint8_t *packed, int32_t *out)
{
    u->g = *g;
    u->a = a;
    u->packed = packed;
    u->out = out;
    u->phase = PH_ACCEPT;
    u->m0 = u->k0 = u->n0 = u->j = u->i = u->r = 0;
    u->d_active = u->d_kacc = 0;
    u->d_m0 = u->d_n0 = u->d_r = 0;
    u->step = -1;
    memset(&u->st, 0, sizeof u->st);
}

/* Sign-extends v from bits. */
static int32_t sext(int32_t v, uint32_t bits)
{
    const uint32_t m = 1u << (bits - 1);
    return (int32_t)((((uint32_t)v & ((m << 1) - 1)) ^ m) - m);
}

static int32_t wrap_add(int32_t x, int32_t y)
{
    return (int32_t)((uint32_t)x + (uint32_t)y);
}

/* Groups of the current K-tile. */
static uint64_t cur_groups(const lut_unit_t *u)
{
    return util_ceil_div(util_min_u64(u->TK, u->g.k - u->k0), u->G);
}

static void clear_ports(lut_unit_t *u)
{
    u->o_acc = 0;
    for (uint32_t l = 0; l < u->TM * u->G; l++)
        u->a_addr[l] = LUT_NO_ACCESS;
    for (uint32_t c = 0; c < u->TN; c++) {
        u->w_addr[c] = LUT_NO_ACCESS;
        u->o_addr[c] = LUT_NO_ACCESS;
        u->o_data[c] = 0;
    }
}

/* Builds the tables of group j for every tile row.  In the unit (PRE) it
 * reads the activations through the ports; fused, the same tables arrive
 * ready from the previous operator (the adds are counted as upstream work and
 * nothing is read through the activation port). */
static void build_group(lut_unit_t *u, uint64_t j, int fused)
{
    const uint64_t ml = util_min_u64(u->TM, u->g.m - u->m0);
    const int zp = u->cfg.wq != LUT_WQ_SYM;
    for (uint32_t r = 0; r < ml; r++) {
        int32_t av[LUT_MAX_G];
        for (uint32_t t = 0; t < u->G; t++) {
            const uint64_t k = u->k0 + j * u->G + t;
            av[t] = 0;
            if (k < u->g.k) {
                const uint32_t addr = (uint32_t)((u->m0 + r) * u->g.k + k);
                if (!fused) {
                    u->a_addr[r * u->G + t] = addr;
                    u->st.act_reads++;
                }
                if (u->a)
                    av[t] = sext(u->a[addr], u->cfg.a_bits);
            }
        }
        int32_t *tab = u->tab + ((size_t)r * u->NG + j) * u->E;
        if (u->a) {
            for (uint32_t e = 0; e < u->E; e++) {
                const uint32_t idx = u->cfg.sym_table ? e | (1u << (u->G - 1)) : e;
                int32_t s = 0;
                for (uint32_t t = 0; t < u->G; t++)
                    s += (idx >> t) & 1u ? av[t] : -av[t];
                tab[e] = s;
            }
            int32_t all = 0;
            for (uint32_t t = 0; t < u->G; t++)
                all += av[t];
            u->rs[r] = (j ? u->rs[r] : 0) + all;
        }
        u->st.table_writes += u->E;
        if (fused)
            u->st.fused_precompute_adds += (uint64_t)u->E * (u->G - 1);
        else
            u->st.precompute_adds += (uint64_t)u->E * (u->G - 1);
        u->st.rowsum_adds += zp;
    }
}

/* Fused precompute: the whole K-tile's tables land in the table buffer. */
static void load_fused_tables(lut_unit_t *u)
{
    for (uint64_t j = 0; j < cur_groups(u); j++)
        build_group(u, j, 1);
}

static int32_t lookup(const lut_unit_t *u, const int32_t *tab, uint32_t idx)
{
    if (!u->cfg.sym_table)
        return tab[idx];
    const uint32_t h = u->E - 1, top = 1u << (u->G - 1);
    return idx & top ? tab[idx & h] : -tab[~idx & h];
}

static void do_look(lut_unit_t *u)
{
    const uint64_t ml = util_min_u64(u->TM, u->g.m - u->m0),
                   nl = util_min_u64(u->TN, u->g.n - u->n0);
    const uint64_t kg = u->k0 / u->G + u->j;
    const int first = u->j == 0 && u->i == 0;
    for (uint64_t c = 0; c < nl; c++)
        u->w_addr[c] = (uint32_t)((kg * u->g.n + u->n0 + c) * u->P + u->i);
    u->st.weight_reads += nl;
    u->st.table_reads += ml * nl;
    u->st.acc_adds += ml * nl;
    u->st.sign_ops += u->cfg.sym_table ? ml * nl : 0;
    u->st.shifts += u->i ? ml * nl : 0;
    if (!u->a)
        return;
    for (uint64_t r = 0; r < ml; r++) {
        const int32_t *tab = u->tab + ((size_t)r * u->NG + u->j) * u->E;
        int32_t *acc = u->acc + r * u->TN;
        for (uint64_t c = 0; c < nl; c++) {
            const int32_t v = lookup(u, tab, u->packed[u->w_addr[c]]);
            const int32_t sv = (int32_t)((uint32_t)v << u->i);
            acc[c] = first ? sv : wrap_add(acc[c], sv);
        }
    }
}

/* The drainer: one row of the drain bank per cycle to the output lanes. */
static void do_drain(lut_unit_t *u)
{
    const uint64_t nl = util_min_u64(u->TN, u->g.n - u->d_n0);
    const int zp = u->cfg.wq != LUT_WQ_SYM;
    const int accum = u->d_kacc;
    u->o_acc = accum;
    const int32_t corr = (int32_t)((uint32_t)u->cz * (uint32_t)u->d_rs[u->d_r]);
    for (uint64_t c = 0; c < nl; c++) {
        const uint32_t o = (uint32_t)((u->d_m0 + u->d_r) * u->g.n + u->d_n0 + c);
        const int32_t d = wrap_add(u->bank[u->d_r * u->TN + c], corr) >> u->sh;
        u->o_addr[c] = o;
        u->o_data[c] = d;
        if (u->a && u->out)
            u->out[o] = accum ? wrap_add(u->out[o], d) : d;
    }
    u->st.drain_cycles++;
    u->st.out_writes += nl;
    u->st.out_acc_reads += accum ? nl : 0;
    u->st.zp_muls += zp;
    u->st.zp_adds += zp ? nl : 0;
}

static uint64_t drain_rows(const lut_unit_t *u)
{
    return util_min_u64(u->TM, u->g.m - u->d_m0);
}

/* The drainer takes a new tile at this clock edge: idle, or writing its last
 * row in this cycle. */
static int drainer_free(const lut_unit_t *u)
{
    return !u->d_active || u->d_r + 1 == drain_rows(u);
}

/* MOVE: the accumulators (and rowsums) go to the drain bank. */
static void do_move(lut_unit_t *u)
{
    const uint64_t ml = util_min_u64(u->TM, u->g.m - u->m0),
                   nl = util_min_u64(u->TN, u->g.n - u->n0);
    if (u->a) {
        memcpy(u->bank, u->acc, (size_t)u->TM * u->TN * sizeof *u->bank);
        memcpy(u->d_rs, u->rs, u->TM * sizeof *u->d_rs);
    }
    u->d_m0 = u->m0;
    u->d_n0 = u->n0;
    u->d_kacc = u->k0 > 0;
    u->d_r = 0;
    u->d_active = 1;
    u->st.bank_writes += ml * nl;
}

/* Moves the main loop position one cycle on (the drainer moves itself). */
static void advance(lut_unit_t *u)
{
    const lut_gemm_t *g = &u->g;
    switch (u->phase) {
    case PH_PRE:
        if (++u->j < cur_groups(u))
            return;
        u->j = u->i = 0;
        u->n0 = 0;
        u->phase = PH_LOOK;
        u->step++;
        return;
    case PH_LOOK:
        if (++u->i < u->P)
            return;
        u->i = 0;
        if (++u->j < cur_groups(u))
            return;
        u->phase = PH_MOVE;
        return;
    case PH_MOVE:
        u->j = u->i = 0;
        if (u->n0 + u->TN < g->n) {
            u->n0 += u->TN;
            u->phase = PH_LOOK;
            u->step++;
            return;
        }
        u->n0 = 0;
        if (u->k0 + u->TK < g->k) {
            u->k0 += u->TK;
        } else if (u->m0 + u->TM < g->m) {
            u->k0 = 0;
            u->m0 += u->TM;
        } else {
            u->phase = PH_FINISH;    /* the tail: only the last drain runs */
            u->step++;
            return;
        }
        /* A new (m, k) tile: its PRE step (empty when fused), then LOOK. */
        u->step += u->cfg.fused ? 2 : 1;
        u->phase = u->cfg.fused ? PH_LOOK : PH_PRE;
        if (u->cfg.fused)
            load_fused_tables(u);
        return;
    default:
        return;
    }
}

int lut_unit_step(lut_unit_t *u, lut_ports_t *ports)
{
    if (u->phase == PH_DONE || u->phase == PH_IDLE)
        return 0;
    clear_ports(u);
    u->st.compute_cycles++;
    /* Decided on this cycle's state, applied at its closing edge. */
    const int free_now = drainer_free(u);
    const int draining = u->d_active;
    const int last_row = draining && u->d_r + 1 == drain_rows(u);
    if (draining)
        do_drain(u);
    int moved = 0;
    switch (u->phase) {
    case PH_ACCEPT:
        u->step = u->cfg.fused ? 1 : 0;
        u->phase = u->cfg.fused ? PH_LOOK : PH_PRE;
        if (u->cfg.fused)
            load_fused_tables(u);
        break;
    case PH_PRE:
        build_group(u, u->j, 0);
        u->st.precompute_cycles++;
        advance(u);
        break;
    case PH_LOOK:
        do_look(u);
        u->st.lookup_cycles++;
        advance(u);
        break;
    case PH_MOVE:
        if (!free_now) {
            u->st.move_wait_cycles++;
            break;
        }
        u->st.move_cycles++;
        moved = 1;
        break;
    case PH_FINISH:
        u->st.finish_cycles++;
        if (last_row)
            u->phase = PH_DONE;
        break;
    }
    /* The clock edge for the drainer, then the move (which re-arms it). */
    if (draining) {
        if (last_row)
            u->d_active = 0;
        else
            u->d_r++;
    }
    if (moved) {
        do_move(u);
        advance(u);
    }
    if (ports)
        *ports = (lut_ports_t){u->TM * u->G, u->a_addr, u->w_addr, u->o_addr, u->o_data,
                               u->o_acc};
    return 1;
}

void lut_unit_stats(const lut_unit_t *u, lut_stats_t *st)
{
    *st = u->st;
    st->total_cycles = st->compute_cycles;
}

int64_t lut_unit_step_index(const lut_unit_t *u)
{
    return u->phase == PH_ACCEPT ? -1 : u->step;
}

/* ---- operand delivery ------------------------------------------------------ */

/* dma_fast_issue of bytes of operand op, noting the cycles they occupy the
 * channel in first[op] and last[op] (lut_stats_t). */
static uint64_t lut_dma(dma_fast_t *d, uint64_t at, uint64_t bytes, int op, uint64_t *first,
                        uint64_t *last)
{
    if (bytes == 0)
        return at;
    const uint64_t start = util_max_u64(at, d->free_at), ready = dma_fast_issue(d, at, bytes);
    if (start < first[op])
        first[op] = start;
    last[op] = ready - 1; /* the request holds the channel from start to ready - 1 */
    return ready;
}

static void no_times(uint64_t *first, uint64_t *last)
{
    for (int op = 0; op < 3; op++) {
        first[op] = UINT64_MAX;
        last[op] = 0;
    }
}

/* Runs the step plan's timeline over one DRAM channel with the measured step
 * durations dur, in plan order (the cycle path; the fast path is
 * timeline_fast).  Fills the stall, total and DRAM fields of st. */
static void timeline(const lut_cfg_t *cfg, const lut_gemm_t *g, const uint64_t *dur,
                     lut_stats_t *st)
{
    const uint64_t M = g->m, N = g->n, K = g->k, P = lut_planes(cfg), E = lut_entries(cfg);
    const uint64_t MT = util_ceil_div(M, cfg->tm), NT = util_ceil_div(N, cfg->tn),
                   KT = util_ceil_div(K, cfg->tk);
    const uint64_t ab = util_ceil_div(cfg->a_bits, 8), eb = util_ceil_div(lut_entry_bits(cfg), 8);
    const uint64_t NP = MT * KT, NL = NP * NT;
    const int w_whole = util_ceil_div(lut_packed_words(cfg, g) * cfg->g, 8) <= cfg->w_buf_bytes / 2;
    dma_fast_t d;
    dma_fast_init(&d, &cfg->dma);
    uint64_t act_ready[4] = {0}, w_ready[4] = {0}, rd = 0, wr = 0, wr_done = 0, ra = 0, rw = 0;
    uint64_t *first = st->dram_first, *last = st->dram_last;
    no_times(first, last);
    /* A write-back waits for its drain to end; it is issued before any later
     * request (its time never exceeds the next step's end). */
    uint64_t pend_at = 0, pend_bytes = 0;
    int pending = 0;
#define FLUSH()                                                   \
    do {                                                          \
        if (pending) {                                            \
            wr_done = lut_dma(&d, pend_at, pend_bytes, 2, first, last); \
            wr += pend_bytes;                                     \
            pending = 0;                                          \
        }                                                         \
    } while (0)

/* Bytes of pair p's activations (or tables) and of L-step s's weight planes. */
#define PAIR_ML(p) util_min_u64(cfg->tm, M - ((p) / KT) * cfg->tm)
#define PAIR_KL(p) util_min_u64(cfg->tk, K - ((p) % KT) * cfg->tk)
#define PAIR_GT(p) util_ceil_div(PAIR_KL(p), cfg->g)
#define STEP_NL(s) util_min_u64(cfg->tn, N - ((s) % NT) * cfg->tn)
    for (uint64_t p = 0; p < 2 && p < NP; p++) {
        const uint64_t b = cfg->fused ? PAIR_ML(p) * PAIR_GT(p) * E * eb
                                      : PAIR_ML(p) * PAIR_KL(p) * ab;
        act_ready[p % 4] = lut_dma(&d, 0, b, 0, first, last);
        rd += b;
        ra += b;
    }
    /* Weight items 0 and 1 (the first two L-steps). */
    for (uint64_t s = 0; s < 2 && s < NL; s++) {
        const uint64_t p = s / NT;
        const uint64_t b = util_ceil_div(PAIR_GT(p) * STEP_NL(s) * P * cfg->g, 8);
        w_ready[s % 4] = lut_dma(&d, 0, b, 1, first, last);
        rd += b;
        rw += b;
    }
    uint64_t t = 1, idx = 0;
    for (uint64_t p = 0; p < NP; p++) {
        const uint64_t ml = PAIR_ML(p);
        t = util_max_u64(t, act_ready[p % 4]) + dur[idx++];
        for (uint64_t nt = 0; nt < NT; nt++) {
            const uint64_t s = p * NT + nt;
            t = util_max_u64(t, w_ready[s % 4]) + dur[idx++];
            FLUSH();
            if (p % KT == KT - 1) {      /* last K-tile: write back after the drain */
                pend_at = t + ml;
                pend_bytes = ml * STEP_NL(s) * LUT_OUT_BYTES;
                pending = 1;
            }
            if (nt == NT - 1 && p + 2 < NP) {
                const uint64_t q = p + 2;
                const uint64_t b = cfg->fused ? PAIR_ML(q) * PAIR_GT(q) * E * eb
                                              : PAIR_ML(q) * PAIR_KL(q) * ab;
                act_ready[q % 4] = lut_dma(&d, t, b, 0, first, last);
                rd += b;
                ra += b;
            }
            if (s + 2 < NL) {
                const uint64_t q = s + 2, pq = q / NT;
                uint64_t b = util_ceil_div(PAIR_GT(pq) * STEP_NL(q) * P * cfg->g, 8);
                if (w_whole && pq / KT > 0)
                    b = 0;               /* resident since the first m-tile */
                w_ready[q % 4] = lut_dma(&d, t, b, 1, first, last);
                rd += b;
                rw += b;
            }
        }
    }
    t += dur[idx];                       /* the last drain */
    FLUSH();
#undef FLUSH
#undef PAIR_ML
#undef PAIR_KL
#undef PAIR_GT
#undef STEP_NL
    t += st->scale_cycles;
    st->total_cycles = util_max_u64(t, wr_done);
    st->stall_cycles = st->total_cycles - st->compute_cycles;
    st->dram_read_bytes = rd;
    st->dram_write_bytes = wr;
    st->dram_act_bytes = ra;
    st->dram_w_bytes = rw;
}

/* ---- the fast path's timeline: timeline() in events, runs by arithmetic ---- */

/* The same rules as timeline(), with the closed-form step durations (a
 * pair's pre-pass gt cycles, unfused; an L-step gt*P + 1 plus what the
 * previous drain overlaps beyond that; the last drain ml), on an explicit
 * state so that
 * runs of identical units (middle column steps of a pair, middle K tiles of
 * a row tile, middle row tiles) are finished by periodic_run.  The ready
 * cycles of the next two pairs (aq) and of the next two column steps (wq)
 * replace timeline()'s rings. */
typedef struct {
    const lut_cfg_t *cfg;
    uint64_t M, N, K, P, E, MT, NT, KT, NP, NL, ab, eb;
    int w_whole;
    dma_fast_t d;
    uint64_t t, aq[2], wq[2], wr_done, pend_at;  /* cycles */
    uint64_t prev_ml, pend_bytes, pending;       /* discrete state */
    uint64_t rd, wr, ra, rw;                     /* sums: read, write, act, weight bytes */
    uint64_t first[3], last[3];                  /* lut_stats_t's dram_first, dram_last */
    uint64_t walked;                             /* column steps walked one by one */
    periodic_state_t ps;
    char *err;
    size_t errlen;
} lt_t;

static uint64_t lt_ml(const lt_t *x, uint64_t p)
{
    return util_min_u64(x->cfg->tm, x->M - (p / x->KT) * x->cfg->tm);
}

static uint64_t lt_gt(const lt_t *x, uint64_t p)
{
    return util_ceil_div(util_min_u64(x->cfg->tk, x->K - (p % x->KT) * x->cfg->tk), x->cfg->g);
}

static uint64_t lt_act_bytes(const lt_t *x, uint64_t p)
{
    return x->cfg->fused ? lt_ml(x, p) * lt_gt(x, p) * x->E * x->eb
                         : lt_ml(x, p) * util_min_u64(x->cfg->tk, x->K - (p % x->KT) * x->cfg->tk) *
                               x->ab;
}

/* Weight bytes of column step s; `resident`: steps issued from a step's
 * end skip planes resident since the first row tile (the first two, issued
 * at cycle 0, never do, as in timeline()). */
static uint64_t lt_w_bytes(const lt_t *x, uint64_t s, int resident)
{
    const uint64_t p = s / x->NT, nl = util_min_u64(x->cfg->tn, x->N - (s % x->NT) * x->cfg->tn);
    if (resident && x->w_whole && p / x->KT > 0)
        return 0;
    return util_ceil_div(lt_gt(x, p) * nl * x->P * x->cfg->g, 8);
}

/* Column step s (of pair p = s / NT). */
static int lt_step(void *ctx, uint64_t s)
{
    lt_t *x = ctx;
    if (++x->walked > LUT_MAX_STEPS) {
        snprintf(x->err, x->errlen,
                 "steps: the fast path walked %llu steps (2^%d) without the layer's timing "
                 "becoming periodic; split the layer",
                 (unsigned long long)LUT_MAX_STEPS, LUT_MAX_STEPS_LOG2);
        return -1;
    }
    const uint64_t p = s / x->NT, nt = s % x->NT, ml = lt_ml(x, p), gt = lt_gt(x, p);
    const uint64_t pre = x->cfg->fused ? 0 : gt;
    const uint64_t start = util_max_u64(x->t, x->wq[0]);
    const uint64_t gap = 1 + (nt == 0 ? pre : 0) + gt * x->P;
    x->t = start + gt * x->P + 1 + (x->prev_ml > gap ? x->prev_ml - gap : 0);
    x->prev_ml = ml;
    if (x->pending) {
        x->wr_done = lut_dma(&x->d, x->pend_at, x->pend_bytes, 2, x->first, x->last);
        x->wr += x->pend_bytes;
        x->pending = 0;
    }
    if (p % x->KT == x->KT - 1) { /* last K tile: write back after the drain */
        x->pend_at = x->t + ml;
        x->pend_bytes = ml * util_min_u64(x->cfg->tn, x->N - nt * x->cfg->tn) * LUT_OUT_BYTES;
        x->pending = 1;
    }
    if (nt == x->NT - 1 && p + 2 < x->NP) {
        const uint64_t b = lt_act_bytes(x, p + 2);
        x->aq[1] = lut_dma(&x->d, x->t, b, 0, x->first, x->last);
        x->rd += b;
        x->ra += b;
    }
    x->wq[0] = x->wq[1];
    x->wq[1] = 0;
    if (s + 2 < x->NL) {
        const uint64_t b = lt_w_bytes(x, s + 2, 1);
        x->wq[1] = lut_dma(&x->d, x->t, b, 1, x->first, x->last);
        x->rd += b;
        x->rw += b;
    }
    if (x->t >= PERIODIC_LIMIT || x->d.free_at >= PERIODIC_LIMIT) {
        snprintf(x->err, x->errlen, "cycle count: does not fit in 64 bits (cycles are limited to "
                 "2^62); split the layer");
        return -1;
    }
    return 0;
}

/* Pair p: its PRE, then its column steps (the middle ones as a run). */
static int lt_pair(void *ctx, uint64_t p)
{
    lt_t *x = ctx;
    const uint64_t gt = lt_gt(x, p);
    const uint64_t start = util_max_u64(x->t, x->aq[0]);
    x->t = start + (x->cfg->fused ? 0 : gt);
    /* Pair p+1's ready cycle moves up; the last column step issues p+2's. */
    x->aq[0] = x->aq[1];
    x->aq[1] = 0;
    const uint64_t s0 = p * x->NT;
    int rc;
    if (x->NT <= 2) {
        rc = lt_step(x, s0);
        if (rc == 0 && x->NT == 2)
            rc = lt_step(x, s0 + 1);
    } else {
        rc = lt_step(x, s0);
        if (rc == 0)
            rc = periodic_run(&x->ps, s0 + 1, x->NT - 2, 2, lt_step, x, x->err, x->errlen);
        if (rc == 0)
            rc = lt_step(x, s0 + x->NT - 1);
    }
    return rc;
}

/* Runs n units from first (pairs or row tiles) as first, run, last. */
static int lt_span(lt_t *x, uint64_t first, uint64_t n, int (*fn)(void *, uint64_t))
{
    int rc = 0;
    if (n <= 2) {
        for (uint64_t u = 0; u < n && rc == 0; u++)
            rc = fn(x, first + u);
        return rc;
    }
    rc = fn(x, first);
    if (rc == 0)
        rc = periodic_run(&x->ps, first + 1, n - 2, 2, fn, x, x->err, x->errlen);
    if (rc == 0)
        rc = fn(x, first + n - 1);
    return rc;
}

static int lt_mtile(void *ctx, uint64_t mt)
{
    lt_t *x = ctx;
    return lt_span(x, mt * x->KT, x->KT, lt_pair);
}

static int timeline_fast(const lut_cfg_t *cfg, const lut_gemm_t *g, lut_stats_t *st, char *err,
                         size_t errlen)
{
    lt_t x = {.cfg = cfg, .M = g->m, .N = g->n, .K = g->k, .P = lut_planes(cfg),
              .E = lut_entries(cfg), .err = err, .errlen = errlen};
    x.MT = util_ceil_div(x.M, cfg->tm);
    x.NT = util_ceil_div(x.N, cfg->tn);
    x.KT = util_ceil_div(x.K, cfg->tk);
    x.NP = x.MT * x.KT;
    x.NL = x.NP * x.NT;
    x.ab = util_ceil_div(cfg->a_bits, 8);
    x.eb = util_ceil_div(lut_entry_bits(cfg), 8);
    x.w_whole = util_ceil_div(lut_packed_words(cfg, g) * cfg->g, 8) <= cfg->w_buf_bytes / 2;
    dma_fast_init(&x.d, &cfg->dma);
    x.ps = (periodic_state_t){
        .ref = &x.t,
        .times = {&x.d.free_at, &x.aq[0], &x.aq[1], &x.wq[0], &x.wq[1], &x.wr_done, &x.pend_at},
        .ntimes = 7,
        .exact = {&x.prev_ml, &x.pend_bytes, &x.pending},
        .nexact = 3,
        .sums = {&x.rd, &x.wr, &x.ra, &x.rw},
        .nsums = 4,
        /* each operand's last cycle on the channel grows with every request
         * that carries it (the channel serves one at a time) */
        .marks = {&x.last[0], &x.last[1], &x.last[2]},
        .nmarks = 3,
    };
    no_times(x.first, x.last);
    for (uint64_t p = 0; p < 2 && p < x.NP; p++) {
        const uint64_t b = lt_act_bytes(&x, p);
        x.aq[p] = lut_dma(&x.d, 0, b, 0, x.first, x.last);
        x.rd += b;
        x.ra += b;
    }
    for (uint64_t s = 0; s < 2 && s < x.NL; s++) {
        const uint64_t b = lt_w_bytes(&x, s, 0);
        x.wq[s] = lut_dma(&x.d, 0, b, 1, x.first, x.last);
        x.rd += b;
        x.rw += b;
    }
    x.t = 1;
    if (lt_span(&x, 0, x.MT, lt_mtile) != 0)
        return -1;
    x.t += x.prev_ml; /* the last drain */
    if (x.pending) {
        x.wr_done = lut_dma(&x.d, x.pend_at, x.pend_bytes, 2, x.first, x.last);
        x.wr += x.pend_bytes;
    }
    x.t += st->scale_cycles;
    st->total_cycles = util_max_u64(x.t, x.wr_done);
    st->stall_cycles = st->total_cycles - st->compute_cycles;
    st->dram_read_bytes = x.rd;
    st->dram_write_bytes = x.wr;
    st->dram_act_bytes = x.ra;
    st->dram_w_bytes = x.rw;
    memcpy(st->dram_first, x.first, sizeof x.first);
    memcpy(st->dram_last, x.last, sizeof x.last);
    return 0;
}

int lut_run(const lut_cfg_t *cfg, const lut_gemm_t *g, lut_path_t path, const int32_t *a,
            const uint8_t *packed, int32_t *out, lut_stats_t *st, char *err, size_t errlen)
{
    if (lut_cfg_check(cfg, err, errlen) != 0 || lut_gemm_check(cfg, g, err, errlen) != 0)
        return -1;
    /* lut_gemm_check keeps M*K and M*N below 2^32, so M*N*K (< 2^56) and
     * every count of lut_count fit 64 bits.  But lut_count and both paths
     * walk the steps one by one, so their number is bounded (lut_tc.h). */
    const uint64_t MT = util_ceil_div(g->m, cfg->tm), KT = util_ceil_div(g->k, cfg->tk),
                   NT = util_ceil_div(g->n, cfg->tn);
    if (path == LUT_FAST) {
        lut_count(cfg, g, st);
        return timeline_fast(cfg, g, st, err, errlen);
    }
    /* The cycle path ticks every cycle of every step: bounded (lut_tc.h). */
    uint64_t nsteps;
    if (util_mul_u64(MT * KT, 1 + NT, &nsteps) || nsteps > LUT_MAX_STEPS) {
        snprintf(err, errlen,
                 "steps: %" PRIu64 " row x %" PRIu64 " K tiles x (1 + %" PRIu64
                 " column tiles) = %.4g steps, more than the cycle path's limit of %llu (2^%d); "
                 "use the fast path or split the layer",
                 MT, KT, NT, (double)MT * (double)KT * (double)(1 + NT),
                 (unsigned long long)LUT_MAX_STEPS, LUT_MAX_STEPS_LOG2);
        return -1;
    }
    lut_count(cfg, g, st);
    const uint64_t steps = st->steps;
    uint64_t *dur = calloc(steps + 1, sizeof *dur);   /* + the tail */
    lut_unit_t *u = lut_unit_new(cfg);
    if (!dur || !u) {
        free(dur);
        lut_unit_free(u);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const int values = a && packed && out;
    lut_unit_start(u, g, values ? a : NULL, values ? packed : NULL, values ? out : NULL);
    for (;;) {
        const int64_t s = lut_unit_step_index(u);
        if (!lut_unit_step(u, NULL))
            break;
        if (s >= 0 && (uint64_t)s <= steps)
            dur[s]++;
    }
    lut_stats_t c;
    lut_unit_stats(u, &c);
    c.scale_cycles = cfg->scale_group ? LUT_SCALE_LATENCY : 0;
    c.compute_cycles += c.scale_cycles;
    c.scale_muls = cfg->scale_group ? c.out_writes : 0;
    c.macs = st->macs;
    c.steps = steps;
    *st = c;
    timeline(cfg, g, dur, st);
    free(dur);
    lut_unit_free(u);
    return 0;
}
