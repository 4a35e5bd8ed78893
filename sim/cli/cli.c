/* cli.c - helpers shared by the codesim commands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../io/escape.h"
#include <stdlib.h>
#include <time.h>

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


void cli_err(const char *fmt, ...)
{
    char raw[4096], line[4096 * 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    /* Escape each line on its own and keep the line breaks. */
    for (char *p = raw;;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        fputs(esc_text(line, sizeof line, p), stderr);
        if (!nl)
            break;
        fputc('\n', stderr);
        p = nl + 1;
    }
}

static void cli_db_note(void *ctx, const char *msg)
{
    cli_err("codesim %s: %s\n", (const char *)ctx, msg);
}

int cli_db_open(const char *cmd, const char *path, db_t **db, char *err, size_t errlen)
{
    return db_open_waiting(path, cli_db_note, (void *)cmd, db, err, errlen);
}
