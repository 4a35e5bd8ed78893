/* ioerr.c - the one shape of an input error (ioerr.h). */
#include "ioerr.h"

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
    snprintf(err, errlen, "%s%s%s%s%s%s", path ? path : "", at, path ? ": " : "", key ? key : "",
             key ? ": " : "", reason);
    for (char *p = err; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return -1;
}
