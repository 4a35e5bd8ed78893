/* cmd_sweep.c - `codesim sweep`: every point of a sweep file, on all cores.
 *
 * Process model: the parent parses the sweep, opens the database, works out
 * which points are not stored yet and forks worker processes.  Each worker
 * receives point indexes on its own task pipe and answers on its own result
 * pipe with the point's layer results; the parent is the only database
 * writer and stores each point in one transaction as soon as it arrives.
 * So a SIGKILL at any moment loses only points still in flight, and SQLite's
 * WAL keeps the file consistent; SIGINT/SIGTERM (read through a signalfd,
 * so no global flag) stop the workers and close the database cleanly.
 * Rerunning skips every point whose (config hash, workload hash) is stored. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "../io/escape.h"
#include "../db/db.h"
#include "../explore/sweep.h"
#include "../io/paths.h"
#include "../../models/util.h"

int cmd_sweep(int argc, char **argv);
int bench_sweep(void);

static const char sweep_usage[] =
    "usage: codesim sweep FILE [--db FILE] [--jobs N] [--shard I/N]\n"
    "       codesim sweep FILE --slurm [--shards N] [--db FILE] > job.sh\n"
    "\n"
    "Runs every point of a sweep file (see sweeps/*.yaml) and stores each in the\n"
    "database as it finishes.  Points already stored (same config and workload\n"
    "hash) are skipped, so an interrupted sweep resumes where it stopped.  A\n"
    "workload ending in .json is a model config: its points run LLM inference\n"
    "with the sweep file's llm: options (sim/sweep.h, sweeps/llm_npu_pim.yaml).\n"
    "\n"
    "  FILE          the sweep file (required)\n"
    "  --db FILE     results database (default results.db)\n"
    "  --jobs N      worker processes (default: one per online core)\n"
    "  --shard I/N   run only the points whose index is I modulo N (0 <= I < N)\n"
    "  --slurm       print a Slurm job-array script that runs --shards shards, shard I\n"
    "                into DB.shardI.db beside the --db file DB (results.db.shard0.db,\n"
    "                ...), and then merges them into DB; not with --shard\n"
    "  --shards N    shards for --slurm (default 8; at most the sweep's points)\n"
    "\n"
    "EXAMPLES\n"
    "  codesim sweep sweeps/gpt2_systolic.yaml --db sweep.db --jobs 2\n"
    "  codesim sweep sweeps/gpt2_systolic.yaml --shard 0/4 --db shard0.db\n"
    "  codesim sweep sweeps/llm_npu_pim.yaml --slurm --shards 8 --db llm.db > job.sh\n";

/* What a worker sends back for one point; nlayers layer_result_t follow,
 * or for a model workload llm.nunits npu_unit_stat_t then llm.nops
 * npu_op_stat_t (llm's pointers are not sent: NULL in the message). */
typedef struct {
    uint64_t index;
    int32_t failed;         /* 1: the hardware cannot run it, err says why */
    uint32_t nlayers;
    double wall;
    char err[256];
    sweep_costs_t costs;
    npu_result_t llm;
} point_msg_t;

typedef struct {
    pid_t pid;
    int task_fd, result_fd;  /* -1 once closed */
    int busy;                /* a point is in flight */
    uint64_t point;
} worker_t;

/* Everything one `codesim sweep` holds; passed around instead of globals. */
typedef struct {
    const char *db_path;
    sweep_t sw;
    db_t *db;
    size_t *todo;            /* point indexes left to run */
    size_t ntodo, next;
    size_t done, failed, skipped_late, failed_late;
    layer_result_t *res;     /* room for the largest workload */
    size_t maxlayers;
    npu_result_t llm;        /* the LLM point being stored (its arrays owned) */
    double t0, last_draw;
    int tty;
    int quiet;
    unsigned last_decile;
} run_t;

static int full_write(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* 1 whole message, 0 at EOF before any byte, -1 on error or a short read. */
static int full_read(int fd, void *p, size_t n)
{
    char *c = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, c + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return got ? -1 : 0;
        got += (size_t)r;
    }
    return 1;
}

/* The worker's whole life: points in, results out, until its task pipe
 * closes.  It never touches the parent's database connection. */
static void worker_main(const run_t *rn, int task_fd, int result_fd)
{
    layer_result_t *res = calloc(rn->maxlayers ? rn->maxlayers : 1, sizeof *res);
    uint64_t index;
    while (res && full_read(task_fd, &index, sizeof index) == 1) {
        point_msg_t m;
        memset(&m, 0, sizeof m);
        m.index = index;
        m.costs.area_mm2 = m.costs.energy_pj = m.costs.tops = NAN;
        m.costs.tops_per_w = m.costs.tops_per_mm2 = NAN;
        sweep_point_t pt;
        sim_result_t sr = {0};
        npu_result_t llm = {0};
        const double t0 = util_now_s();
        if (sweep_point(&rn->sw, (size_t)index, &pt, m.err, sizeof m.err) != 0 ||
            sweep_run(&rn->sw, &pt, &sr, m.err, sizeof m.err) != 0) {
            m.failed = 1;
        } else {
            sweep_costs(&sr, &m.costs);
            if (sr.kind == SIM_MODEL) {
                llm = sr.npu; /* the message carries its arrays after it */
                memset(&sr.npu, 0, sizeof sr.npu);
                m.llm = llm;
                m.llm.units = NULL;
                m.llm.ops = NULL;
            } else {
                m.nlayers = (uint32_t)sr.nlayers;
                memcpy(res, sr.layers, sr.nlayers * sizeof *res);
            }
        }
        sim_result_free(&sr);
        m.wall = util_now_s() - t0;
        const int bad = full_write(result_fd, &m, sizeof m) != 0 ||
                        full_write(result_fd, res, m.nlayers * sizeof *res) != 0 ||
                        full_write(result_fd, llm.units, m.llm.nunits * sizeof *llm.units) != 0 ||
                        full_write(result_fd, llm.ops, m.llm.nops * sizeof *llm.ops) != 0;
        npu_result_free(&llm);
        if (bad)
            break;
    }
    free(res);
    _exit(0); /* no atexit handlers: they belong to the parent */
}

static void draw_progress(run_t *rn, int final)
{
    if (rn->quiet)
        return;
    const double now = util_now_s(), el = now - rn->t0;
    const size_t total = rn->ntodo, done = rn->done + rn->failed;
    const double rate = el > 0 ? (double)done / el : 0;
    const double eta = rate > 0 ? (double)(total - done) / rate : 0;
    const unsigned pct = total ? (unsigned)(100 * done / total) : 100;
    if (rn->tty) {
        if (!final && now - rn->last_draw < 0.1)
            return;
        rn->last_draw = now;
        char bar[31];
        size_t fill = total ? 30 * done / total : 30;
        for (size_t i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[30] = '\0';
        cli_err("\rsweep [%s] %zu/%zu %3u%% %7.1f points/s ETA %u:%02u ", bar, done,
                total, pct, rate, (unsigned)eta / 60, (unsigned)eta % 60);
        if (final)
            fputc('\n', stderr);
    } else {
        /* Not a terminal (a log file): one line per tenth. */
        const unsigned decile = total ? (unsigned)(10 * done / total) : 10;
        if (decile == rn->last_decile && !final)
            return;
        if (final && decile == rn->last_decile)
            return;
        rn->last_decile = decile;
        cli_err("sweep: %zu/%zu points %3u%% %.1f points/s ETA %u:%02u\n", done, total,
                pct, rate, (unsigned)eta / 60, (unsigned)eta % 60);
    }
    fflush(stderr);
}

/* Stores one worker answer.  Returns 0, or -1 after printing why. */
static int store(run_t *rn, const point_msg_t *m)
{
    sweep_point_t pt;
    char err[512];
    if (sweep_point(&rn->sw, (size_t)m->index, &pt, err, sizeof err) != 0) {
        cli_err("codesim sweep: %s\n", err);
        return -1;
    }
    char *params = sweep_params_text(&rn->sw, pt.index);
    if (!params) {
        cli_err("codesim sweep: point %zu: out of memory\n", pt.index);
        return -1;
    }
    const sweep_workload_t *w = &rn->sw.workloads[pt.workload];
    db_breakdown_t bd[ARRAY_LEN(m->costs.breakdown)];
    for (size_t i = 0; i < m->costs.nbreakdown && i < ARRAY_LEN(bd); i++)
        bd[i] = (db_breakdown_t){m->costs.breakdown[i].kind, m->costs.breakdown[i].component,
                                 m->costs.breakdown[i].value};
    const db_point_t dp = {
        rn->sw.name, pt.index, params, pt.config_hash, w->hash, w->file, &pt.hw,
        m->failed ? m->err : NULL, m->costs.area_mm2, m->costs.energy_pj, m->costs.tops,
        m->costs.tops_per_w, m->costs.tops_per_mm2, bd, m->costs.nbreakdown};
    int rc;
    if (w->is_model) {
        /* Stored as codesim run --model stores its run, plus the point. */
        npu_mode_t nm;
        mapper_run_t r;
        sweep_llm_run(&rn->sw, w, &r);
        const char *mode = sim_mode(&pt.hw, rn->sw.llm.mode, rn->sw.llm.batch, &nm, err,
                                    sizeof err) == 0 ? npu_mode_name(nm) : "?";
        const db_run_t run = {"npu", rn->sw.path, &pt.hw, w->file, &w->wl, m->wall};
        const db_llm_t llm = {w->model.name, mode,           &r,   &pt.hw.npu,
                              w->model.experts > 0, w->model.route_seed, NULL, NULL};
        rc = db_record_llm_point(rn->db, &dp, &run, &llm, &rn->llm, err, sizeof err);
    } else {
        const db_run_t run = {engine_path_name(rn->sw.engine_path), rn->sw.path, &pt.hw,
                              w->file, &w->wl, m->wall};
        rc = db_record_point(rn->db, &dp, &run, rn->res, m->nlayers, err, sizeof err);
    }
    free(params);
    if (rc < 0) {
        if (rn->tty)
            fputc('\n', stderr);
        cli_err("codesim sweep: %s: %s\n", rn->db_path, err);
        return -1;
    }
    if (rc == 1)
        rn->skipped_late++; /* another process stored it meanwhile */
    if (rc == 1 && m->failed)
        rn->failed_late++;
    if (m->failed)
        rn->failed++;
    else
        rn->done++;
    draw_progress(rn, 0);
    return 0;
}

/* Points of this shard (every shard_n-th from shard_i): *mine of them, of
 * which *stored are in the database; with todo, the others are listed in
 * rn->todo. */
static int count_stored(run_t *rn, size_t shard_i, size_t shard_n, size_t *mine, size_t *stored,
                        int todo, char *err, size_t errlen)
{
    *mine = *stored = 0;
    for (size_t i = shard_i; i < rn->sw.npoints; i += shard_n) {
        sweep_point_t pt;
        int has = 0;
        (*mine)++;
        if (sweep_point(&rn->sw, i, &pt, err, errlen) != 0 ||
            db_has_point(rn->db, pt.config_hash, rn->sw.workloads[pt.workload].hash, &has, err,
                         errlen) != 0)
            return -1;
        if (has)
            (*stored)++;
        else if (todo)
            rn->todo[rn->ntodo++] = i;
    }
    return 0;
}

static int give(run_t *rn, worker_t *w)
{
    if (rn->next >= rn->ntodo) {
        if (w->task_fd >= 0)
            close(w->task_fd);
        w->task_fd = -1;
        return 0;
    }
    uint64_t idx = rn->todo[rn->next++];
    w->point = idx;
    w->busy = 1;
    return full_write(w->task_fd, &idx, sizeof idx);
}

/* A signal to the whole process group (Ctrl-C, a scheduler's SIGTERM) can
 * end a worker before the parent's signalfd wakes poll: a worker found dead
 * waits a moment for the signal, so that counts as an interruption.
 * Returns 130 after printing, or 0 when no signal came. */
static int interrupted(const run_t *rn, int sfd)
{
    struct pollfd sp = {sfd, POLLIN, 0};
    struct signalfd_siginfo si;
    if (poll(&sp, 1, 200) == 1 && read(sfd, &si, sizeof si) > 0) {
        cli_err("codesim sweep: interrupted (signal %u): %zu points stored\n",
                si.ssi_signo, rn->done + rn->failed);
        return 130;
    }
    return 0;
}

/* Runs rn->todo on njobs workers.  Returns 0, 1 on a failure (printed), or
 * 130 when interrupted. */
static int run_workers(run_t *rn, unsigned njobs)
{
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, &old);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    struct sigaction ign = {0}, oldpipe;
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &oldpipe); /* a dead worker's pipe: EPIPE, not death */

    worker_t *ws = calloc(njobs, sizeof *ws);
    struct pollfd *pf = calloc(njobs + 1, sizeof *pf);
    int rc = 0;
    unsigned started = 0;
    if (sfd < 0 || !ws || !pf) {
        cli_err("codesim sweep: cannot start workers: %s\n", strerror(errno));
        rc = 1;
        goto out;
    }
    fflush(NULL);
    pid_t parent = getpid();
    for (; started < njobs; started++) {
        int tp[2], rp[2];
        if (pipe(tp) != 0) {
            cli_err("codesim sweep: pipe: %s\n", strerror(errno));
            rc = 1;
            goto stop;
        }
        if (pipe(rp) != 0) {
            close(tp[0]);
            close(tp[1]);
            cli_err("codesim sweep: pipe: %s\n", strerror(errno));
            rc = 1;
            goto stop;
        }
        pid_t pid = fork();
        if (pid < 0) {
            cli_err("codesim sweep: fork: %s\n", strerror(errno));
            close(tp[0]); close(tp[1]); close(rp[0]); close(rp[1]);
            rc = 1;
            goto stop;
        }
        if (pid == 0) {
            /* A worker dies with its parent: a SIGKILLed sweep must not leave
             * orphans simulating points whose results nobody will store.  The
             * getppid check closes the window where the parent died before
             * the prctl took effect. */
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
                _exit(1);
            /* Only its own two ends stay open, so EOF reaches every side. */
            for (unsigned i = 0; i < started; i++) {
                if (ws[i].task_fd >= 0) close(ws[i].task_fd);
                close(ws[i].result_fd);
            }
            close(tp[1]);
            close(rp[0]);
            close(sfd);
            sigaction(SIGPIPE, &oldpipe, NULL);
            sigprocmask(SIG_SETMASK, &old, NULL);
            worker_main(rn, tp[0], rp[1]);
        }
        close(tp[0]);
        close(rp[1]);
        ws[started] = (worker_t){pid, tp[1], rp[0], 0, 0};
        if (give(rn, &ws[started]) != 0) {
            cli_err("codesim sweep: worker %d: cannot send work\n", (int)pid);
            started++;
            rc = 1;
            goto stop;
        }
    }

    for (;;) {
        nfds_t n = 0;
        pf[n++] = (struct pollfd){sfd, POLLIN, 0};
        for (unsigned i = 0; i < njobs; i++)
            if (ws[i].busy)
                pf[n++] = (struct pollfd){ws[i].result_fd, POLLIN, 0};
        if (n == 1)
            break; /* every point done */
        if (poll(pf, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            cli_err("codesim sweep: poll: %s\n", strerror(errno));
            rc = 1;
            goto stop;
        }
        if (pf[0].revents) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) > 0) {
                if (rn->tty)
                    fputc('\n', stderr);
                cli_err("codesim sweep: interrupted (signal %u): %zu points stored\n",
                        si.ssi_signo, rn->done + rn->failed);
                rc = 130;
                goto stop;
            }
        }
        for (nfds_t j = 1; j < n; j++) {
            if (!pf[j].revents)
                continue;
            worker_t *w = NULL;
            for (unsigned i = 0; i < njobs && !w; i++)
                if (ws[i].result_fd == pf[j].fd)
                    w = &ws[i];
            point_msg_t m;
            int r = full_read(w->result_fd, &m, sizeof m);
            if (r == 1 && (m.nlayers > rn->maxlayers || m.index != w->point))
                r = -1;
            if (r == 1 && m.nlayers)
                r = full_read(w->result_fd, rn->res, m.nlayers * sizeof *rn->res);
            npu_result_free(&rn->llm);
            rn->llm = m.llm;
            rn->llm.units = NULL;
            rn->llm.ops = NULL;
            rn->llm.nunits = rn->llm.nops = 0;
            if (r == 1 && m.llm.nunits < 4096 && m.llm.nops < 4096) {
                rn->llm.units = calloc(m.llm.nunits + 1, sizeof *rn->llm.units);
                rn->llm.ops = calloc(m.llm.nops + 1, sizeof *rn->llm.ops);
                if (!rn->llm.units || !rn->llm.ops)
                    r = -1;
                if (r == 1 && m.llm.nunits)
                    r = full_read(w->result_fd, rn->llm.units,
                                  m.llm.nunits * sizeof *rn->llm.units);
                if (r == 1 && m.llm.nops)
                    r = full_read(w->result_fd, rn->llm.ops, m.llm.nops * sizeof *rn->llm.ops);
                rn->llm.nunits = m.llm.nunits;
                rn->llm.nops = m.llm.nops;
            } else if (r == 1) {
                r = -1;
            }
            if (r != 1) {
                if (rn->tty)
                    fputc('\n', stderr);
                if ((rc = interrupted(rn, sfd)) == 0) {
                    cli_err("codesim sweep: worker %d died running point %" PRIu64 "\n",
                            (int)w->pid, w->point);
                    rc = 1;
                }
                goto stop;
            }
            w->busy = 0;
            if (store(rn, &m) != 0) {
                rc = 1;
                goto stop;
            }
            if (give(rn, w) != 0) {
                if ((rc = interrupted(rn, sfd)) == 0) {
                    cli_err("codesim sweep: worker %d died\n", (int)w->pid);
                    rc = 1;
                }
                goto stop;
            }
        }
    }
    draw_progress(rn, 1);

stop:
    for (unsigned i = 0; i < started; i++) {
        if (ws[i].task_fd >= 0)
            close(ws[i].task_fd);
        if (rc != 0)
            kill(ws[i].pid, SIGTERM);
    }
    for (unsigned i = 0; i < started; i++) {
        int status;
        while (waitpid(ws[i].pid, &status, 0) < 0 && errno == EINTR)
            ;
        close(ws[i].result_fd);
    }
out:
    free(ws);
    free(pf);
    if (sfd >= 0)
        close(sfd);
    sigaction(SIGPIPE, &oldpipe, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* Single-quoted for the shell. */
static void shq(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    fputc('\'', f);
}

/* The Slurm script: run as a plain script (or sbatch'ed without an array)
 * it submits itself as a job array of the shards plus a merge job that
 * waits for all of them; as an array task it runs its shard. */
static int write_slurm(FILE *f, const run_t *rn, unsigned shards)
{
    char exe[PATH_MAX], sweep[PATH_MAX], db[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        cli_err("codesim sweep: --slurm: cannot find the codesim binary\n");
        return 1;
    }
    exe[n] = '\0';
    if (!realpath(rn->sw.path, sweep)) {
        cli_err("codesim sweep: %s: %s\n", rn->sw.path, strerror(errno));
        return 1;
    }
    if (rn->db_path[0] == '/') {
        snprintf(db, sizeof db, "%s", rn->db_path);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) {
            cli_err("codesim sweep: getcwd: %s\n", strerror(errno));
            return 1;
        }
        snprintf(db, sizeof db, "%.*s/%s", PATH_MAX - 1, cwd, rn->db_path);
    }
    fprintf(f,
            "#!/bin/bash\n"
            "# Slurm job array for codesim sweep %s: %zu points in %u shards.\n"
            "# Submit with `bash THIS_FILE` (or sbatch it): it submits the array, one\n"
            "# task per shard, each writing its own database, and a merge job that\n"
            "# runs when every shard has finished.  Shards resume like any sweep.\n"
            "#SBATCH --job-name=codesim-sweep\n"
            "#SBATCH --output=codesim-sweep-%%A_%%a.out\n"
            "set -euo pipefail\n",
            rn->sw.name, rn->sw.npoints, shards);
    fputs("CODESIM=${CODESIM:-", f);
    shq(f, exe);
    fputs("}\nSWEEP=", f);
    shq(f, sweep);
    fputs("\nOUT=", f);
    shq(f, db);
    fprintf(f,
            "\nSHARDS=%u\n"
            "if [ -n \"${SLURM_ARRAY_TASK_ID:-}\" ]; then\n"
            "  exec \"$CODESIM\" sweep \"$SWEEP\" --shard \"$SLURM_ARRAY_TASK_ID/$SHARDS\" \\\n"
            "    --db \"$OUT.shard$SLURM_ARRAY_TASK_ID.db\" --jobs \"${SLURM_CPUS_PER_TASK:-1}\"\n"
            "fi\n"
            "self=$(readlink -f \"$0\")\n"
            "jid=$(sbatch --parsable --array=0-$((SHARDS - 1)) \"$self\")\n"
            "jid=${jid%%%%;*}\n"
            "inputs=()\n"
            "for ((i = 0; i < SHARDS; i++)); do inputs+=(\"$OUT.shard$i.db\"); done\n"
            "sbatch --parsable --dependency=afterok:\"$jid\" --job-name=codesim-merge \\\n"
            "  --wrap \"$(printf '%%q ' \"$CODESIM\" db merge \"$OUT\" \"${inputs[@]}\")\"\n"
            "echo \"submitted $SHARDS shards as job $jid; the merge into $OUT follows\"\n",
            shards);
    return ferror(f) ? 1 : 0;
}

/* Parses "I/N". */
static int parse_shard(const char *s, uint64_t *i, uint64_t *n)
{
    char a[32], b[32];
    const char *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) >= sizeof a || strlen(slash + 1) >= sizeof b) {
        cli_err("codesim sweep: --shard: '%s' is not I/N\n", s);
        return -1;
    }
    snprintf(a, sizeof a, "%.*s", (int)(slash - s), s);
    snprintf(b, sizeof b, "%s", slash + 1);
    if (cli_uint("sweep", "shard", b, 1, 1000000, n) != 0 ||
        cli_uint("sweep", "shard", a, 0, *n - 1, i) != 0)
        return -1;
    return 0;
}

static int sweep_main(int argc, char **argv, int quiet, double *rate)
{
    run_t rn;
    memset(&rn, 0, sizeof rn);
    rn.db_path = "results.db";
    rn.quiet = quiet;
    rn.last_decile = 0;
    uint64_t jobs = 0, shard_i = 0, shard_n = 1, shards = 8;
    int slurm = 0, shard_given = 0, shards_given = 0;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},    {"jobs", required_argument, 0, 'j'},
        {"shard", required_argument, 0, 's'}, {"slurm", no_argument, 0, 'S'},
        {"shards", required_argument, 0, 'n'}, {"help", no_argument, 0, 'H'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = cli_getopt("sweep", argc, argv, opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'd': rn.db_path = optarg; break;
        case 'j': bad = cli_uint("sweep", "jobs", optarg, 1, 256, &jobs); break;
        case 's': bad = parse_shard(optarg, &shard_i, &shard_n); shard_given = 1; break;
        case 'S': slurm = 1; break;
        case 'n':
            bad = cli_uint("sweep", "shards", optarg, 1, 100000, &shards);
            shards_given = 1;
            break;
        case 'H': fputs(sweep_usage, stdout); return 0;
        default: return 2;
        }
        if (bad)
            return 2;
    }
    if (optind + 1 != argc) {
        cli_err(optind < argc ? "codesim sweep: one sweep file, got more\n"
                                      : "codesim sweep: missing the sweep FILE (see --help)\n");
        return 2;
    }
    if (slurm && shard_given) {
        cli_err("codesim sweep: --shard with --slurm: the script gives every shard its own "
                "--shard; give one of them\n");
        return 2;
    }
    if (shards_given && !slurm) {
        cli_err("codesim sweep: --shards is the shard count of a --slurm script; to run one "
                "shard here give --shard I/N\n");
        return 2;
    }
    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (uint64_t)n : 1;
    }
    char err[768];
    if (sweep_load(argv[optind], &rn.sw, err, sizeof err) != 0) {
        cli_err("codesim sweep: %s\n", err);
        return 1;
    }
    int rc = 1;
    if (slurm && shards > rn.sw.npoints) { /* refused, not clamped: a shard of no points */
        cli_err("codesim sweep: --shards: %" PRIu64 " is more than the sweep's %zu points\n",
                shards, rn.sw.npoints);
        sweep_free(&rn.sw);
        return 2;
    }
    if (slurm) {
        rc = write_slurm(stdout, &rn, (unsigned)shards);
        sweep_free(&rn.sw);
        return rc;
    }
    for (size_t i = 0; i < rn.sw.nworkloads; i++)
        if (rn.sw.workloads[i].wl.count > rn.maxlayers)
            rn.maxlayers = rn.sw.workloads[i].wl.count;
    rn.res = calloc(rn.maxlayers ? rn.maxlayers : 1, sizeof *rn.res);
    rn.todo = calloc(rn.sw.npoints, sizeof *rn.todo);
    if (!rn.res || !rn.todo) {
        cli_err("codesim sweep: out of memory\n");
        goto out;
    }
    if (cli_db_open("sweep", rn.db_path, &rn.db, err, sizeof err) != 0) {
        cli_err("codesim sweep: %s\n", err);
        goto out;
    }
    size_t mine = 0, stored = 0;
    if (count_stored(&rn, shard_i, shard_n, &mine, &stored, 1, err, sizeof err) != 0) {
        cli_err("codesim sweep: %s: %s\n", rn.db_path, err);
        goto out;
    }
    if (jobs > rn.ntodo)
        jobs = rn.ntodo;
    char sname[256];
    esc_text(sname, sizeof sname, rn.sw.name);
    if (!quiet) {
        printf("sweep %s: %zu points", esc_text(sname, sizeof sname, rn.sw.name), rn.sw.npoints);
        if (shard_n > 1)
            printf(", shard %" PRIu64 "/%" PRIu64 " has %zu", shard_i, shard_n, mine);
        printf(", %zu already in %s, running %zu on %" PRIu64 " workers\n", stored, rn.db_path,
               rn.ntodo, jobs);
        fflush(stdout);
    }
    rn.tty = isatty(2);
    rn.t0 = util_now_s();
    rc = rn.ntodo ? run_workers(&rn, (unsigned)jobs) : 0;
    const double el = util_now_s() - rn.t0;
    if (rate)
        *rate = el > 0 ? (double)(rn.done + rn.failed) / el : 0;
    /* The summary counts what happened, and what the database holds now is
     * counted again in the database, not inferred. */
    size_t now_in = 0, mine2 = 0;
    if (rc != 130 && count_stored(&rn, shard_i, shard_n, &mine2, &now_in, 0, err, sizeof err)) {
        cli_err("codesim sweep: %s: %s\n", rn.db_path, err);
        rc = 1;
    }
    if (!quiet && rc != 130)
        printf("sweep %s: %zu points; ran %zu in %.2f s (%.1f points/s), stored %zu (%zu of "
               "them with the reason they cannot run on their hardware), %zu were stored "
               "meanwhile by another process; skipped %zu already stored; %zu of %zu now in %s\n",
               sname, mine, rn.done + rn.failed, el,
               el > 0 ? (double)(rn.done + rn.failed) / el : 0.0,
               rn.done + rn.failed - rn.skipped_late, rn.failed - rn.failed_late,
               rn.skipped_late, stored, now_in, mine, rn.db_path);
out:
    db_close(rn.db);
    npu_result_free(&rn.llm);
    free(rn.todo);
    free(rn.res);
    sweep_free(&rn.sw);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    return sweep_main(argc, argv, 0, NULL);
}

/* `make bench`: the 200-point GPT-2 sweep into a fresh database. */
int bench_sweep(void)
{
    char dir[] = "/tmp/codesim-bench-sweep-XXXXXX";
    if (!mkdtemp(dir)) {
        cli_err("bench sweep: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    char db[64], sweep[PATH_MAX];
    snprintf(db, sizeof db, "%s/s.db", dir);
    io_data_path("sweeps/gpt2_systolic.yaml", sweep, sizeof sweep);
    char *args[] = {"sweep", sweep, "--db", db, NULL};
    double rate = 0;
    const double t0 = util_now_s();
    int rc = sweep_main(4, args, 1, &rate);
    const double el = util_now_s() - t0;
    if (rc == 0)
        printf("sweep: 200-point GPT-2 sweep on the systolic array: %.2f s, %.1f points/s "
               "(target: under 60 s)\n", el, rate);
    char path[96];
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s%s", db, ext[i]);
        unlink(path);
    }
    rmdir(dir);
    return rc;
}
