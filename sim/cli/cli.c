/* cli.c - helpers shared by the codesim commands. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../io/escape.h"
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

int cli_getopt(const char *cmd, int argc, char **argv, const struct option *opts, int *longindex)
{
    opterr = 0;
    const int c = getopt_long(argc, argv, ":", opts, longindex);
    if (c != '?' && c != ':')
        return c;
    /* The argument getopt stopped at: a long option is argv[optind - 1]
     * (its "=value" dropped); a short one is optopt. */
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
    char name[80];
    if (arg && !strncmp(arg, "--", 2))
        snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
    else if (optopt)
        snprintf(name, sizeof name, "-%c", optopt);
    else
        snprintf(name, sizeof name, "%s", arg ? arg : "?");
    if (c == ':')
        cli_err("codesim %s: %s: needs a value\n", cmd, name);
    else if (optopt && arg && !strncmp(arg, "--", 2) && strchr(arg, '='))
        cli_err("codesim %s: %s: takes no value\n", cmd, name);
    else
        cli_err("codesim %s: unknown option '%s' (codesim %s --help lists them)\n", cmd, name, cmd);
    return '?';
}

int cli_rtlcheck_work(uint64_t m, uint64_t n, uint64_t k, uint64_t trials)
{
    const uint64_t d[4] = {m ? m : 1, n ? n : 1, k ? k : 1, trials ? trials : 1};
    uint64_t macs = 1;
    int over = 0;
    for (int i = 0; i < 4; i++) {
        if (macs > CLI_RTLCHECK_MAX_MACS / d[i])
            over = 1;
        else
            macs *= d[i];
    }
    if (!over && macs <= CLI_RTLCHECK_MAX_MACS)
        return 0;
    cli_err("codesim rtlcheck: --m %llu --n %llu --k %llu x --trials %llu: %.3g multiply-"
            "accumulates, more than %llu (2^32); give smaller dimensions or fewer trials\n",
            (unsigned long long)m, (unsigned long long)n, (unsigned long long)k,
            (unsigned long long)trials, (double)d[0] * (double)d[1] * (double)d[2] * (double)d[3],
            (unsigned long long)CLI_RTLCHECK_MAX_MACS);
    return -1;
}

int cli_uint(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
             uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-' || *s == '+') {
        cli_err("codesim %s: --%s: '%s' is not a whole number\n", cmd, opt, s ? s : "");
        return -1;
    }
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE && !*end) { /* digits alone, past 64 bits */
        cli_err("codesim %s: --%s: '%.40s' is too large (at most %llu)\n", cmd, opt, s,
                (unsigned long long)hi);
        return -1;
    }
    if (errno || *end) {
        cli_err("codesim %s: --%s: '%s' is not a whole number\n", cmd, opt, s);
        return -1;
    }
    if (v < lo || v > hi) {
        cli_err("codesim %s: --%s: %llu is outside %llu..%llu\n", cmd, opt, v,
                (unsigned long long)lo, (unsigned long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* PATH as DIR's realpath + "/" + NAME, into out; the text itself when the
 * directory does not resolve. */
static void norm_path(const char *path, char *out, size_t outlen)
{
    char d[PATH_MAX], b[PATH_MAX], real[PATH_MAX];
    snprintf(d, sizeof d, "%s", path);
    snprintf(b, sizeof b, "%s", path);
    const char *dir = dirname(d), *base = basename(b);
    if (realpath(dir, real))
        snprintf(out, outlen, "%s/%s", real, base);
    else
        snprintf(out, outlen, "%s", path);
}

/* A character or block device (/dev/null, a terminal) is written in place
 * and read as a stream: naming it twice loses nothing, so it is never a
 * clash.  A FIFO or pipe named twice is (one stream could not be split back
 * into two documents), like a regular file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    const int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && !S_ISCHR(sa.st_mode) &&
               !S_ISBLK(sa.st_mode);
    if (ea || eb)
        return 0;
    char na[PATH_MAX + 1], nb[PATH_MAX + 1];
    norm_path(a, na, sizeof na);
    norm_path(b, nb, sizeof nb);
    return strcmp(na, nb) == 0;
}

int cli_check_files(const char *cmd, const cli_file_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* two outputs to standard output ("-") would be one stream that
         * cannot be split back into two documents (and, where "-" is a
         * file named -, the second replaced the first) */
        if (f[i].path && !strcmp(f[i].path, "-") && f[i].output)
            for (size_t j = 0; j < i; j++)
                if (f[j].path && !strcmp(f[j].path, "-") && f[j].output) {
                    cli_err("codesim %s: %s: - (standard output) is also the %s output\n", cmd,
                            f[i].opt, f[j].opt);
                    return -1;
                }
        if (!f[i].path || !strcmp(f[i].path, "-"))
            continue;
        if (!f[i].path[0]) {
            cli_err("codesim %s: %s: empty path\n", cmd, f[i].opt);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (!f[j].path || !strcmp(f[j].path, "-") || !f[j].path[0] ||
                !(f[i].output || f[j].output) || !same_file(f[i].path, f[j].path))
                continue;
            /* name the output first: it is the one refused */
            const cli_file_t *o = f[i].output ? &f[i] : &f[j], *other = o == &f[i] ? &f[j] : &f[i];
            if (!strcmp(other->opt, "--db"))
                cli_err("codesim %s: %s: %s is the results database (--db)\n", cmd, o->opt,
                        o->path);
            else if (!strcmp(o->opt, "--db"))
                cli_err("codesim %s: %s: %s is the results database (--db)\n", cmd, other->opt,
                        other->path);
            else
                cli_err("codesim %s: %s: %s is also the %s %s\n", cmd, o->opt, o->path,
                        other->opt, other->output ? "output" : "input");
            return -1;
        }
    }
    return 0;
}

/* Appends the terminal form of s (escape.h) to out at *n, keeping s's line
 * breaks and carriage returns when keep_nl (the format's own: a progress
 * line redraws itself with '\r') and escaping them otherwise (an
 * argument's: a file name holding a newline must not start a line). */
static void err_append(char *out, size_t outlen, size_t *n, const char *s, int keep_nl)
{
    char chunk[1024], esc[4096];
    while (*s && *n + 1 < outlen) {
        size_t len = keep_nl ? strcspn(s, "\r\n") : strlen(s);
        if (len >= sizeof chunk)
            len = sizeof chunk - 1;
        memcpy(chunk, s, len);
        chunk[len] = '\0';
        s += len;
        *n += (size_t)snprintf(out + *n, outlen - *n, "%s", esc_text(esc, sizeof esc, chunk));
        if (keep_nl && (*s == '\n' || *s == '\r') && *n + 1 < outlen) {
            out[(*n)++] = *s;
            out[*n] = '\0';
            s++;
        }
        if (*n >= outlen)
            *n = outlen - 1;
    }
}

void cli_err(const char *fmt, ...)
{
    /* Each conversion is formatted on its own and escaped whole, so a
     * newline or control byte inside an argument shows as \xNN; the
     * format's literal text keeps its line breaks. */
    char out[16384], spec[32], piece[4096];
    size_t n = 0;
    out[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p;) {
        if (*p != '%') {
            const size_t len = strcspn(p, "%");
            char lit[1024];
            const size_t take = len < sizeof lit ? len : sizeof lit - 1;
            memcpy(lit, p, take);
            lit[take] = '\0';
            err_append(out, sizeof out, &n, lit, 1);
            p += take;
            continue;
        }
        if (p[1] == '%') {
            err_append(out, sizeof out, &n, "%", 1);
            p += 2;
            continue;
        }
        /* %[flags][width][.precision][length]conversion, '*' resolved */
        size_t k = 0;
        spec[k++] = *p++;
        while (*p && strchr("-+ #0", *p) && k < 8)
            spec[k++] = *p++;
        for (int part = 0; part < 2; part++) {
            if (part == 1) {
                if (*p != '.')
                    break;
                spec[k++] = *p++;
            }
            if (*p == '*') {
                k += (size_t)snprintf(spec + k, sizeof spec - k, "%d", va_arg(ap, int));
                p++;
            } else {
                while (*p >= '0' && *p <= '9' && k < 20)
                    spec[k++] = *p++;
            }
        }
        char len[3] = "";
        size_t ln = 0;
        while (*p && strchr("hlLqjzt", *p) && ln < 2)
            len[ln++] = *p++;
        len[ln] = '\0';
        const char conv = *p ? *p++ : 'd';
        k += (size_t)snprintf(spec + k, sizeof spec - k, "%s%c", len, conv);
        spec[sizeof spec - 1] = '\0';
        piece[0] = '\0';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (strchr("di", conv)) {
            if (!strcmp(len, "ll") || !strcmp(len, "j"))
                snprintf(piece, sizeof piece, spec, va_arg(ap, long long));
            else if (!strcmp(len, "l") || !strcmp(len, "z") || !strcmp(len, "t"))
                snprintf(piece, sizeof piece, spec, va_arg(ap, long));
            else
                snprintf(piece, sizeof piece, spec, va_arg(ap, int));
        } else if (strchr("ouxXc", conv)) {
            if (!strcmp(len, "ll") || !strcmp(len, "j"))
                snprintf(piece, sizeof piece, spec, va_arg(ap, unsigned long long));
            else if (!strcmp(len, "l") || !strcmp(len, "z") || !strcmp(len, "t"))
                snprintf(piece, sizeof piece, spec, va_arg(ap, unsigned long));
            else
                snprintf(piece, sizeof piece, spec, va_arg(ap, unsigned));
        } else if (strchr("eEfFgGaA", conv)) {
            if (!strcmp(len, "L"))
                snprintf(piece, sizeof piece, spec, va_arg(ap, long double));
            else
                snprintf(piece, sizeof piece, spec, va_arg(ap, double));
        } else if (conv == 's') {
            const char *s = va_arg(ap, const char *);
            snprintf(piece, sizeof piece, spec, s ? s : "(null)");
        } else if (conv == 'p') {
            snprintf(piece, sizeof piece, spec, va_arg(ap, void *));
        }
#pragma GCC diagnostic pop
        err_append(out, sizeof out, &n, piece, 0);
    }
    va_end(ap);
    fputs(out, stderr);
}

void cli_flag_err(const char *cmd, const char *msg)
{
    const char *colon = strstr(msg, ": ");
    size_t n = colon ? (size_t)(colon - msg) : 0;
    for (size_t i = 0; i < n; i++)
        if (!((msg[i] >= 'a' && msg[i] <= 'z') || (msg[i] >= '0' && msg[i] <= '9') || msg[i] == '_'))
            n = 0;
    if (n == 0 || n >= 64) {
        cli_err("codesim %s: %s\n", cmd, msg);
        return;
    }
    char flag[64];
    memcpy(flag, msg, n);
    flag[n] = 0;
    if (!strcmp(flag, "in_format"))
        snprintf(flag, sizeof flag, "a_format");
    /* the mapper's run fields (mapper_run_check) by their flags */
    static const char *const run_fields[][2] = {{"wbits", "w_bits"}, {"abits", "a_bits"},
                                               {"kvbits", "kv_bits"}};
    for (size_t i = 0; i < sizeof run_fields / sizeof run_fields[0]; i++)
        if (!strcmp(flag, run_fields[i][0]))
            snprintf(flag, sizeof flag, "%s", run_fields[i][1]);
    for (char *p = flag; *p; p++)
        if (*p == '_')
            *p = '-';
    cli_err("codesim %s: --%s: %s\n", cmd, flag, colon + 2);
}

static void cli_db_note(void *ctx, const char *msg)
{
    cli_err("codesim %s: %s\n", (const char *)ctx, msg);
}

int cli_db_open(const char *cmd, const char *path, db_t **db, char *err, size_t errlen)
{
    return db_open_waiting(path, cli_db_note, (void *)cmd, db, err, errlen);
}

int cli_db_open_read(const char *cmd, const char *path, db_t **db, char *err, size_t errlen)
{
    return db_open_read(path, cli_db_note, (void *)cmd, db, err, errlen);
}

/* ---- progress line -------------------------------------------------------- */

#include <pthread.h>
#include <string.h>
#include <unistd.h>

struct cli_progress {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;        /* set by cli_progress_stop, under lock */
    int shown;       /* the line was drawn (the thread's own) */
    double start;    /* util_now_s() at start */
    char label[160]; /* "codesim CMD: WHAT" */
};

static void *progress_main(void *arg)
{
    cli_progress_t *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        /* First line after CLI_PROGRESS_AFTER_S, then twice a second. */
        const double now = util_now_s();
        const double due = p->shown ? now + 0.5 : p->start + CLI_PROGRESS_AFTER_S;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        const double wait = due - now > 0 ? due - now : 0;
        ts.tv_sec += (time_t)wait;
        ts.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock, &ts) == 0)
            ;
        if (p->stop)
            break;
        fprintf(stderr, "\r%s... %.1f s\033[K", p->label, util_now_s() - p->start);
        fflush(stderr);
        p->shown = 1;
    }
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

cli_progress_t *cli_progress_start(const char *cmd, const char *what)
{
    if (!isatty(STDERR_FILENO))
        return NULL;
    cli_progress_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->label, sizeof p->label, "codesim %s: %s", cmd, what);
    p->start = util_now_s();
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->wake);
        free(p);
        return NULL;
    }
    return p;
}

void cli_progress_stop(cli_progress_t *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p);
}
