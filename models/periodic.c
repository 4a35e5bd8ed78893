/* periodic.c - runs of identical units finished by arithmetic (periodic.h). */
#include "periodic.h"

#include "util.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    uint64_t sig[2 * PERIODIC_MAX]; /* times relative to ref (clamped), then exact values */
    uint64_t ref, sum[PERIODIC_MAX], mark[PERIODIC_MAX];
} snap_t;

static void snap(const periodic_state_t *s, snap_t *sn)
{
    memset(sn->sig, 0, sizeof sn->sig); /* compared whole; sums and marks as many as used */
    const uint64_t ref = *s->ref;
    for (size_t i = 0; i < s->ntimes; i++)
        sn->sig[i] = *s->times[i] > ref ? *s->times[i] - ref : 0;
    for (size_t i = 0; i < s->nexact; i++)
        sn->sig[PERIODIC_MAX + i] = *s->exact[i];
    sn->ref = ref;
    for (size_t i = 0; i < s->nsums; i++)
        sn->sum[i] = *s->sums[i];
    for (size_t i = 0; i < s->nmarks; i++)
        sn->mark[i] = *s->marks[i];
}

static int too_big(char *err, size_t errlen)
{
    snprintf(err, errlen, "cycle count: does not fit in 64 bits (cycles are limited to 2^62); "
             "split the layer");
    return -1;
}

/* Unit u's boundary equals hist[-p]: jump k periods.  1 jumped, 0 not, -1. */
static int try_jump(const periodic_state_t *s, const snap_t *hist, uint64_t nh, const snap_t *now,
                    uint64_t n, uint64_t tail, uint64_t *u, char *err, size_t errlen)
{
    for (uint64_t p = 1; p <= PERIODIC_HIST && p <= nh; p++) {
        const snap_t *h = &hist[(nh - p) % PERIODIC_HIST];
        if (memcmp(h->sig, now->sig, sizeof now->sig) != 0)
            continue;
        const uint64_t k = (n - tail - *u) / p;
        if (k == 0)
            return 0;
        uint64_t shift, d;
        if (util_mul_u64(k, now->ref - h->ref, &shift) || util_acc_u64(s->ref, shift) ||
            *s->ref >= PERIODIC_LIMIT)
            return too_big(err, errlen);
        for (size_t i = 0; i < s->nsums; i++)
            if (util_mul_u64(k, now->sum[i] - h->sum[i], &d) || util_acc_u64(s->sums[i], d))
                return too_big(err, errlen);
        for (size_t i = 0; i < s->nmarks; i++)
            if (now->mark[i] != h->mark[i] &&
                (util_acc_u64(s->marks[i], shift) || *s->marks[i] >= PERIODIC_LIMIT))
                return too_big(err, errlen);
        for (size_t i = 0; i < s->ntimes; i++) {
            *s->times[i] = *s->ref + now->sig[i];
            if (*s->times[i] >= PERIODIC_LIMIT)
                return too_big(err, errlen);
        }
        *u += k * p;
        return 1;
    }
    return 0;
}

int periodic_run(const periodic_state_t *s, uint64_t first, uint64_t n, uint64_t tail,
                 int (*fn)(void *ctx, uint64_t unit), void *ctx, char *err, size_t errlen)
{
    snap_t hist[PERIODIC_HIST];
    uint64_t nh = 0;
    for (uint64_t u = 0; u < n;) {
        snap_t now;
        snap(s, &now);
        if (u + tail < n) {
            const int r = try_jump(s, hist, nh, &now, n, tail, &u, err, errlen);
            if (r < 0)
                return -1;
            if (r > 0) {
                nh = 0; /* the remembered cycles are stale after the jump */
                continue;
            }
        }
        hist[nh % PERIODIC_HIST] = now;
        nh++;
        const int rc = fn(ctx, first + u);
        if (rc != 0)
            return rc;
        u++;
    }
    return 0;
}
