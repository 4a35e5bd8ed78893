/* rtlcheck.c - the one RTL cross-check driver. */
#include "rtlcheck.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../db/db.h"

/* The database's note that a write waits for another's lock (rtlcheck
 * prints only to its log). */
static void rtlcheck_db_note(void *ctx, const char *msg)
{
    fprintf((FILE *)ctx, "codesim rtlcheck: %s\n", msg);
}

int rtlcheck_run(const rtlcheck_t *chk, FILE *out, FILE *log)
{
    const rtlcheck_block_t *b = chk->block;
    char err[512];
    db_t *db = NULL;
    if (db_open_waiting(chk->db_path, rtlcheck_db_note, log, &db, err, sizeof err) != 0) {
        fprintf(log, "codesim rtlcheck: %s\n", err);
        return 1;
    }
    void *ctx = b->open(chk->cfg, err, sizeof err);
    if (!ctx) {
        fprintf(log, "codesim rtlcheck: %s\n", err);
        db_close(db);
        return 1;
    }
    db_rtl_case_t *cases = calloc(chk->trials, sizeof *cases);
    uint64_t rng = rtlcheck_rng_seed(chk->seed);
    uint64_t cyc_bad = 0, val_bad = 0, port_bad = 0, ran = 0;
    int status = 0;
    if (!cases) {
        fprintf(log, "codesim rtlcheck: out of memory\n");
        status = 1;
    }
    for (uint64_t t = 0; t < chk->trials && status == 0; t++) {
        uint64_t dims[3];
        ports_rec_t am, ar;
        status = b->draw(ctx, &rng, dims, err, sizeof err);
        if (status != 0) {
            fprintf(log, "codesim rtlcheck: %s\n", err);
            break;
        }
        if (b->run_model(ctx, &am, err, sizeof err) != 0) {
            fprintf(log, "codesim rtlcheck: case %" PRIu64 ": %s\n", t, err);
            status = 1;
            break;
        }
        const int rtl_ok = b->run_rtl(ctx, am.cycles, &ar, err, sizeof err) == 0;
        if (!rtl_ok) {
            fprintf(log, "codesim rtlcheck: case %" PRIu64 ": %s\n", t, err);
            ar.cycles = 0;
        }
        const uint64_t vm = b->compare(ctx);
        const int ports = rtl_ok && ports_equal(&am, &ar);
        cases[t] = (db_rtl_case_t){dims[0], dims[1], dims[2], am.cycles, ar.cycles, vm, ports};
        cyc_bad += am.cycles != ar.cycles;
        val_bad += vm != 0;
        port_bad += !ports;
        ran++;
        if (am.cycles != ar.cycles || vm || !ports) {
            char what[160];
            b->describe(ctx, what, sizeof what);
            fprintf(log,
                    "rtlcheck: case %" PRIu64 "%s: model %" PRIu64 " cycles, RTL %" PRIu64
                    " cycles, %" PRIu64 " values differ, port activity %s\n",
                    t, what, am.cycles, ar.cycles, vm, ports ? "equal" : "DIFFERS");
        }
    }
    b->close(ctx);
    if (ran) {
        const db_rtl_check_t rec = {b->name, chk->array, chk->params, chk->seed,
                                    cyc_bad,  val_bad,    port_bad};
        int64_t id;
        if (db_record_rtlcheck(db, &rec, cases, ran, &id, err, sizeof err) != 0) {
            fprintf(log, "codesim rtlcheck: %s: %s\n", chk->db_path, err);
            status = status ? status : 1;
        }
    }
    free(cases);
    db_close(db);
    fprintf(out, "rtlcheck: %s equal every cycle in %" PRIu64 " of %" PRIu64 " cases\n",
            chk->title, ran - port_bad, ran);
    fprintf(out, "rtlcheck: %" PRIu64 " cases, %" PRIu64 " cycle mismatches, %" PRIu64
            " value mismatches\n",
            ran, cyc_bad, val_bad);
    if (status != 0)
        return status;
    return cyc_bad || val_bad || port_bad || ran < chk->trials ? 1 : 0;
}

uint64_t rtlcheck_rng_seed(uint64_t seed)
{
    return seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
}

uint64_t rtlcheck_rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

uint64_t rtlcheck_rand_dim(uint64_t *rng, uint64_t base, uint64_t far)
{
    switch (rtlcheck_rng_next(rng) % 10) {
    case 0: return 1;
    case 1: return base;
    case 2: return 2 * base;
    case 3: return base + 1;
    case 9: return 1 + rtlcheck_rng_next(rng) % (far * base);
    default: return 1 + rtlcheck_rng_next(rng) % (3 * base);
    }
}

void rtlcheck_gemm_bufs_free(rtlcheck_gemm_bufs_t *bufs)
{
    free(bufs->a);
    free(bufs->b);
    free(bufs->om);
    free(bufs->orr);
    free(bufs->oref);
    *bufs = (rtlcheck_gemm_bufs_t){0};
}

int rtlcheck_gemm_bufs_alloc(rtlcheck_gemm_bufs_t *bufs, uint64_t m, uint64_t n, uint64_t k,
                             char *err, size_t errlen)
{
    rtlcheck_gemm_bufs_free(bufs);
    bufs->a = malloc(m * k * sizeof *bufs->a);
    bufs->b = malloc(k * n * sizeof *bufs->b);
    bufs->om = malloc(m * n * sizeof *bufs->om);
    bufs->orr = malloc(m * n * sizeof *bufs->orr);
    bufs->oref = malloc(m * n * sizeof *bufs->oref);
    if (!bufs->a || !bufs->b || !bufs->om || !bufs->orr || !bufs->oref) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    return 0;
}
