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

int memchan_init(memchan_t *m, const dma_cfg_t *dma, const dram_ctrl_cfg_t *dram,
                 uint32_t freq_mhz, const uint64_t bytes[MEM_STREAMS], const mem_trace_t *trace,
                 char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
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
    /* CODESIM_DRAM_SLOW=1: the reference walk, for tests that compare */
    const char *slow = getenv("CODESIM_DRAM_SLOW");
    m->slow = slow && !strcmp(slow, "1");
    m->c.slow = m->slow;
    m->c.col_skip = !m->slow; /* the driver below visits t + 1 after a command at t */
    if (trace)
        m->trace = *trace;
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
}

int memchan_issue(memchan_t *m, uint64_t at, const uint64_t bytes[MEM_STREAMS], uint64_t *ready,
                  char *err, size_t errlen)
{
    if (!m->ctrl) {
        uint64_t total = 0;
        for (int s = 0; s < MEM_STREAMS; s++)
            total += bytes[s]; /* each below 2^35 per step (engine.c) */
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
    if (!m->started) {
        now = a;
        m->started = 1;
    } else {
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
    return 0;
}
