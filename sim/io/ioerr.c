/* ioerr.c - the one shape of an input error (ioerr.h). */
#include "ioerr.h"

#include "escape.h"

#include <stdarg.h>
#include <stdio.h>

int io_fail(char *err, size_t errlen, const char *path, unsigned line, const char *key,
            const char *fmt, ...)
{
    char reason[512], at[16] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (!err || errlen == 0)
        return -1;
    if (path && line)
        snprintf(at, sizeof at, ":%u", line);
    char raw[2048];
    snprintf(raw, sizeof raw, "%s%s%s%s%s%s", path ? path : "", at, path ? ": " : "",
             key ? key : "", key ? ": " : "", reason);
    esc_text(err, errlen, raw); /* input bytes shown escaped, one line */
    return -1;
}
