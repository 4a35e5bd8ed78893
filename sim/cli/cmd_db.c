/* cmd_db.c - `codesim db merge OUT IN...`: databases into one, every table,
 * without duplicates (sweep points by config and workload hash, runs and
 * RTL and synthesis checks by equal rows; db_merge in sim/db/merge.c).  Each
 * input is merged in its own transaction and inputs are only read, so a
 * failure part way keeps everything merged before it and a rerun adds only
 * what is missing. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../io/escape.h"
#include "../db/db.h"

int cmd_db(int argc, char **argv);

static const char db_usage[] =
    "usage: codesim db merge OUT IN...\n"
    "\n"
    "Copies into OUT (created if absent) every row of every table of the IN\n"
    "databases (sweep points, runs with their layers, LLM and cost rows, RTL and\n"
    "synthesis checks) that OUT does not hold yet.  Inputs are never written.\n"
    "OUT and at least one IN are required.\n"
    "\n"
    "EXAMPLES\n"
    "  codesim db merge all.db shard0.db shard1.db shard2.db\n"
    "  codesim db merge results.db ~/other/results.db\n";

int cmd_db(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(db_usage, stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "merge") != 0) {
        cli_err("codesim db: %s%s%s (see codesim db --help)\n",
                argc < 2 ? "missing the subcommand: merge" : "unknown subcommand '",
                argc < 2 ? "" : argv[1], argc < 2 ? "" : "'");
        return 2;
    }
    if (argc < 4) {
        cli_err("codesim db merge: give OUT and at least one IN database\n");
        return 2;
    }
    const char *out = argv[2];
    struct stat so, si;
    const int have_out = stat(out, &so) == 0;
    for (int i = 3; i < argc; i++) {
        if (stat(argv[i], &si) != 0) {
            cli_err("codesim db merge: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (have_out && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
            cli_err("codesim db merge: %s: is the output database\n", argv[i]);
            return 1;
        }
    }
    char err[1024];
    db_t *db = NULL;
    if (cli_db_open("db merge", out, &db, err, sizeof err) != 0) {
        cli_err("codesim db merge: %s\n", err);
        return 1;
    }
    int rc = 0, merged = 0;
    /* The counts are printed after the merging: a later input that fails
     * removes an OUT this merge created, and lines claiming rows added to
     * it would be false.  Into an OUT that existed, each input merged
     * before the failure is stored, and its lines say so. */
    db_merge_stats_t *st = calloc((size_t)argc, sizeof *st);
    if (!st) {
        cli_err("codesim db merge: out of memory\n");
        db_close(db);
        return 1;
    }
    for (int i = 3; i < argc && rc == 0; i++) {
        if (db_merge(db, argv[i], &st[i], err, sizeof err) != 0) {
            rc = 1;
            break;
        }
        merged = i - 2;
    }
    for (int i = 3; i < 3 + merged && (rc == 0 || have_out); i++) {
        const db_merge_stats_t ms = st[i];
        char in_e[1024], out_e[1024];
        esc_text(in_e, sizeof in_e, argv[i]);
        esc_text(out_e, sizeof out_e, out);
        printf("db merge: %s: %" PRIu64 " sweep points added (%" PRIu64 " already in %s), %"
               PRIu64 " runs added (%" PRIu64 " already), %" PRIu64 " rtl checks added (%"
               PRIu64 " already)\n",
               in_e, ms.points_added, ms.points_skipped, out_e, ms.runs_added,
               ms.runs_skipped, ms.checks_added, ms.checks_skipped);
        /* Every table's rows: "rows added: runs 3, layers 6, ... (12 already)". */
        size_t nt;
        const db_table_t *t = db_schema(&nt);
        uint64_t skipped = 0;
        printf("db merge: %s: rows added:", in_e);
        for (size_t k = 0; k < nt; k++) {
            if (t[k].meta)
                continue;
            printf("%s %s %" PRIu64, k > 1 ? "," : "", t[k].name, ms.added[k]);
            skipped += ms.skipped[k];
        }
        printf(" (%" PRIu64 " already)\n", skipped);
    }
    free(st);
    if (rc != 0)
        cli_err("codesim db merge: %s\n", err);
    db_close(db);
    if (rc != 0 && !have_out) {
        /* OUT was created by this merge: a refused merge leaves no file
         * behind (an empty database would pass for a result). */
        static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
        for (size_t k = 0; k < sizeof ext / sizeof ext[0]; k++) {
            char f[4096];
            if ((size_t)snprintf(f, sizeof f, "%s%s", out, ext[k]) < sizeof f)
                unlink(f);
        }
    }
    return rc;
}
