/* memchan.c - the DRAM a layer's DMA transfers are timed on (memchan.h). */
#include "memchan.h"

#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_done(void *p, uint64_t tag, int write, uint64_t arrive, uint64_t done)
{
    memchan_t *m = p;
    (void)write;
    (void)arrive;
    if (tag != m->tag || m->left == 0)
        return;
    if (done > m->xfer_done)
        m->xfer_done = done;
    m->left--;
}

/* First DRAM cycle at or after the start of NPU cycle t. */
static uint64_t to_dram(const memchan_t *m, uint64_t t)
{
    const __uint128_t num = (__uint128_t)t * m->ps_npu_num,
                      den = (__uint128_t)m->ps_npu_den * m->tck_ps;
    return (uint64_t)((num + den - 1) / den);
}

/* First NPU cycle at or after the start of DRAM cycle d. */
static uint64_t to_npu(const memchan_t *m, uint64_t d)
{
    const __uint128_t num = (__uint128_t)d * m->tck_ps * m->ps_npu_den, den = m->ps_npu_num;
    return (uint64_t)((num + den - 1) / den);
}

/* The NPU cycle in which DRAM cycle d starts. */
static uint64_t npu_floor(const memchan_t *m, uint64_t d)
{
    return (uint64_t)((__uint128_t)d * m->tck_ps * m->ps_npu_den / m->ps_npu_num);
}

int memchan_init(memchan_t *m, const dma_cfg_t *dma, const dram_ctrl_cfg_t *dram,
                 uint32_t freq_mhz, const uint64_t bytes[MEM_STREAMS], const mem_trace_t *trace,
                 char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    for (int s = 0; s < MEM_STREAMS; s++)
        m->first[s] = UINT64_MAX;
    dma_fast_init(&m->fixed, dma);
    if (dma->timing != DMA_CONTROLLER)
        return 0;
    if (freq_mhz == 0) {
        snprintf(err, errlen, "npu.freq_mhz: must be positive to time DRAM on the controller");
        return -1;
    }
    char why[200];
    if (dram_ctrl_init(&m->c, dram, NULL, on_done, m, why, sizeof why) != 0) {
        snprintf(err, errlen, "dram: %s", why);
        return -1;
    }
    m->ctrl = 1;
    /* dram->slow: the reference walk, for tests that compare */
    m->slow = dram->slow != 0;
    m->c.col_skip = !m->slow; /* the driver below visits t + 1 after a command at t */
    if (trace)
        m->trace = *trace;
    if (!m->slow) {
        /* the column field: groups below it repeat with the next column */
        for (int i = 0; i < DRAM_F_COUNT; i++)
            if (m->c.dec_f[i] == DRAM_F_CO) {
                m->co_sh = m->c.dec_sh[i];
                m->co_mask = m->c.dec_mask[i];
            }
        m->unit_bytes = 1ull << m->co_sh;
        m->sig_max = dram_ctrl_sig_max(&m->c);
        if (m->sig_max) {
            m->sig_max += 2; /* and the driver's stream and bursts in flight */
            m->sums_len = dram_ctrl_sums_len(&m->c);
            m->sig = malloc((MEM_HIST + 1) * m->sig_max * sizeof *m->sig);
            m->sums = malloc((MEM_HIST + 1) * m->sums_len * sizeof *m->sums);
            if (!m->sig || !m->sums) {
                memchan_free(m);
                snprintf(err, errlen, "dram: out of memory");
                return -1;
            }
        }
    }
    m->ps_npu_num = 1000000;
    m->ps_npu_den = freq_mhz;
    m->tck_ps = dram->dev.tck_ps;
    m->burst = dram_burst_bytes(&dram->dev);
    m->capacity = dram_capacity(&dram->dev);
    uint64_t at = 0;
    for (int s = 0; s < MEM_STREAMS; s++) {
        if (s == MEM_O_WR) {
            m->base[s] = m->base[MEM_O_RD];
            m->size[s] = m->size[MEM_O_RD];
            continue;
        }
        /* sizes below 2^62 (the engine's byte counts), rounded to bursts */
        const uint64_t sz = util_max_u64(1, util_ceil_div(bytes[s], m->burst)) * m->burst;
        m->base[s] = at % m->capacity;
        m->size[s] = sz;
        at = (at % m->capacity) + util_ceil_div(sz, MEM_REGION_ALIGN) * MEM_REGION_ALIGN;
    }
    return 0;
}

void memchan_free(memchan_t *m)
{
    if (m->ctrl)
        dram_ctrl_free(&m->c);
    m->ctrl = 0;
    free(m->sig);
    free(m->sums);
    m->sig = m->sums = NULL;
    m->sig_max = 0;
}

/* At the group boundary of stream s (its next burst starts a group, at DRAM
 * cycle *now, before tick(*now), with *pushed of the transfer's n bursts
 * pushed): remembers the state, or, when it repeats one of the run's
 * earlier boundaries, pushes whole periods of groups by arithmetic.  1 when
 * it did (the caller goes on from the new boundary), else 0. */
static int run_boundary(memchan_t *m, int s, uint64_t a, int w, uint64_t n, uint64_t *pushed,
                        uint64_t left[MEM_STREAMS], uint64_t *now)
{
    const uint64_t addr = (m->base[s] + m->cur[s]) % m->capacity;
    if (m->tag == m->run_tag && s == m->run_s && addr + m->unit_bytes == m->run_next)
        return 0; /* this boundary's push waits for room: seen already */
    /* a period must lie within the run: the groups it pushed are the ones
     * to come but for their column */
    const uint64_t row_bytes = m->unit_bytes * ((uint64_t)m->co_mask + 1);
    if (m->tag != m->run_tag || s != m->run_s || addr != m->run_next ||
        addr / row_bytes != (addr - m->unit_bytes) / row_bytes)
        m->nh = 0;
    m->run_tag = m->tag;
    m->run_s = s;
    m->run_next = addr + m->unit_bytes;
    /* groups left in the run: the stream's bursts, up to the end of its
     * region, of the device, and the column field's carry */
    const uint64_t per = m->unit_bytes / m->burst;
    const uint32_t col = (uint32_t)(addr >> m->co_sh) & m->co_mask;
    uint64_t r = left[s] / per;
    r = util_min_u64(r, (m->size[s] - m->cur[s]) / m->unit_bytes);
    r = util_min_u64(r, (m->capacity - addr) / m->unit_bytes);
    r = util_min_u64(r, (uint64_t)m->co_mask + 1 - col);
    const uint64_t due = dram_ctrl_next_ref(&m->c), reach = dram_ctrl_reach(&m->c);
    if (r < 2 || (due != DRAM_NEVER && due <= *now + reach + 1))
        return 0; /* too short, or a refresh within reach */
    /* the full signature only where the cheap one repeats */
    const size_t slot = m->nh % (MEM_HIST + 1);
    const uint64_t pre = dram_ctrl_presig(&m->c, *now, col, 0);
    int want = 0;
    for (uint64_t p = 1; p <= MEM_HIST && p <= m->nh; p++)
        want |= m->hist[(m->nh - p) % (MEM_HIST + 1)].pre == pre;
    m->hist[slot] = (mem_snap_t){*now, *pushed, pre, 0, m->xfer_done, 0};
    if (!want) {
        m->nh++;
        return 0;
    }
    uint64_t *sig = m->sig + slot * m->sig_max, *sums = m->sums + slot * m->sums_len;
    size_t len = dram_ctrl_sig(&m->c, *now, col, 0, sig); /* on_done ignores arrivals */
    sig[len++] = (uint64_t)s;
    sig[len++] = m->left - (n - *pushed); /* in flight */
    uint64_t hash = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ sig[i]) * 0x100000001b3ull;
    dram_ctrl_sums(&m->c, sums);
    m->hist[slot].hash = hash;
    m->hist[slot].len = len;
    for (uint64_t p = 1; p <= MEM_HIST && p <= m->nh; p++) {
        const size_t hs = (m->nh - p) % (MEM_HIST + 1);
        const mem_snap_t *h = &m->hist[hs];
        if (h->len == 0 || h->hash != hash || h->len != len ||
            memcmp(m->sig + hs * m->sig_max, sig, len * sizeof *sig) != 0)
            continue;
        const uint64_t period = *now - h->now, groups = (*pushed - h->pushed) / per;
        if (period == 0 || (m->xfer_done != h->xfer_done && m->xfer_done - h->xfer_done != period))
            continue;
        /* k periods, the run's last group walked; no refresh within reach */
        uint64_t k = (r - 1) / groups;
        if (due != DRAM_NEVER)
            k = due > *now + reach ? util_min_u64(k, (due - *now - reach - 1) / period) : 0;
        k = util_min_u64(k, (DRAM_MAX_CYCLE - 1 - *now) / period);
        if (k == 0 || dram_ctrl_advance(&m->c, *now, k, period, (uint32_t)(k * groups),
                                        m->sums + hs * m->sums_len) != 0)
            break;
        const uint64_t moved = k * groups * per;
        for (uint64_t i = 0; m->trace.req && i < moved; i++)
            m->trace.req(m->trace.ctx, a, (addr + i * m->burst) % m->capacity, w);
        m->cur[s] += moved * m->burst; /* within the region: r groups fit */
        left[s] -= moved;
        *pushed += moved;
        m->left -= moved;
        if (m->xfer_done != h->xfer_done)
            m->xfer_done += k * period;
        *now += k * period;
        m->skipped += moved;
        m->jumps++;
        m->nh = 0;
        m->run_next = addr + moved * m->burst;
        return 1;
    }
    m->nh++;
    return 0;
}

int memchan_issue(memchan_t *m, uint64_t at, const uint64_t bytes[MEM_STREAMS], uint64_t *ready,
                  char *err, size_t errlen)
{
    if (!m->ctrl) {
        const uint64_t start = util_max_u64(at, m->fixed.free_at);
        uint64_t total = 0;
        if (!m->track) {
            for (int s = 0; s < MEM_STREAMS; s++)
                total += bytes[s]; /* each below 2^35 per step (engine.c) */
            *ready = dma_fast_issue(&m->fixed, at, total);
            return 0;
        }
        for (int s = 0; s < MEM_STREAMS; s++) {
            const uint64_t off = total;
            total += bytes[s]; /* each below 2^35 per step (engine.c) */
            /* per transfer, so without branches or divisions (memchan_last
             * divides); a stream's first transfer is rare */
            const int moved = bytes[s] != 0;
            m->last[s] = moved ? start : m->last[s];
            m->last_off[s] = moved ? total - 1 : m->last_off[s];
            if (__builtin_expect(moved && m->first[s] == UINT64_MAX, 0))
                m->first[s] = start + off / m->fixed.bytes_per_cycle;
        }
        *ready = dma_fast_issue(&m->fixed, at, total);
        return 0;
    }
    uint64_t left[MEM_STREAMS], n = 0;
    int write = 0;
    for (int s = 0; s < MEM_STREAMS; s++) {
        left[s] = util_ceil_div(bytes[s], m->burst);
        n += left[s];
        write |= s == MEM_O_WR && left[s];
    }
    if (n == 0) {
        *ready = at;
        return 0;
    }
    uint64_t a = util_max_u64(to_dram(m, at), m->last_done);
    if (a >= DRAM_MAX_CYCLE) {
        snprintf(err, errlen, "dram: cycle %" PRIu64 " is beyond the controller's 2^62", a);
        return -1;
    }
    uint64_t now;
    if (!m->started && a == 0) {
        now = 0;
        m->started = 1;
    } else {
        /* The device runs from cycle 0, refreshing, whenever the first
         * transfer arrives (as in `codesim dram`): a late first transfer
         * resumes after a tick at 0, so the gap before it is an idle gap
         * with its REFs at their due cycles.  Starting the clock at the
         * arrival instead issued every REF owed since 0 at once there. */
        if (!m->started) {
            m->now = 0;
            m->next = dram_ctrl_tick(&m->c, 0);
            m->started = 1;
        }
        /* Resume as `codesim dram` would after its tick at m->now with the
         * next request arriving at a (> m->now: a transfer arrives after the
         * previous one's last data beat, after the tick that issued it). */
        uint64_t next = m->next;
        if (a > m->now && a < next)
            next = a;
        if (a > next && dram_ctrl_skip_idle(&m->c, m->now, a))
            next = a;
        now = next > m->now ? next : m->now + 1;
    }
    m->tag++;
    m->left = n;
    m->xfer_done = 0;
    uint64_t pushed = 0;
    int s = 0;
    for (;;) {
        while (pushed < n && a <= now) {
            while (left[s] == 0)
                s++;
            if (m->sig_max && (m->base[s] + m->cur[s]) % m->unit_bytes == 0 &&
                run_boundary(m, s, a, s == MEM_O_WR, n, &pushed, left, &now))
                continue;
            const uint64_t addr = (m->base[s] + m->cur[s]) % m->capacity;
            const int w = s == MEM_O_WR;
            char why[200];
            const int rc = dram_ctrl_push(&m->c, addr, w, now, m->tag, why, sizeof why);
            if (rc < 0) {
                snprintf(err, errlen, "dram: %s", why);
                return -1;
            }
            if (rc > 0)
                break;
            if (m->trace.req)
                m->trace.req(m->trace.ctx, a, addr, w);
            m->cur[s] += m->burst;
            if (m->cur[s] >= m->size[s])
                m->cur[s] = 0;
            left[s]--;
            if (++pushed == n && write && m->c.cfg.write_queue_depth)
                dram_ctrl_flush(&m->c, now);
        }
        uint64_t next = dram_ctrl_tick(&m->c, now);
        /* The cycles visited stay those of `codesim dram`'s driver, where a
         * unit that issued at now is scheduled again at now + 1 (col_skip
         * lets only that unit sleep longer): pushes retried after a full
         * queue, and the resume of the next transfer, keep their cycles. */
        if (m->c.last_issue == now && next > now + 1)
            next = now + 1;
        if (pushed == n && m->left == 0) {
            m->now = now;
            m->next = next;
            break;
        }
        if (pushed < n && a > now && a < next)
            next = a;
        if (pushed < n && a > next && dram_ctrl_skip_idle(&m->c, now, a))
            next = a;
        now = next > now ? next : now + 1;
        if (now >= DRAM_MAX_CYCLE) {
            snprintf(err, errlen, "dram: the transfer runs past cycle 2^62");
            return -1;
        }
    }
    m->last_done = m->xfer_done;
    if (m->trace.done)
        m->trace.done(m->trace.ctx, m->xfer_done, write);
    *ready = to_npu(m, m->xfer_done);
    if (*ready < at)
        *ready = at;
    const uint64_t f = npu_floor(m, a), l = util_max_u64(f, *ready - 1);
    for (int s = 0; s < MEM_STREAMS; s++)
        if (bytes[s]) {
            if (f < m->first[s])
                m->first[s] = f;
            m->last[s] = l;
            m->last_off[s] = 0;
        }
    return 0;
}

uint64_t memchan_last(const memchan_t *m, int s)
{
    if (m->first[s] == UINT64_MAX)
        return 0;
    return m->last[s] + (m->ctrl ? 0 : m->last_off[s] / m->fixed.bytes_per_cycle);
}
