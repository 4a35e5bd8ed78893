/* ioerr.h - the one shape of an input error: "FILE[:LINE]: [KEY: ]reason". */
#ifndef CODESIM_IOERR_H
#define CODESIM_IOERR_H

#include <stddef.h>

/* Writes "path:line: key: reason" into err as one line and returns -1, so
 * that a parser can `return io_fail(...)`.  path, line (0) and key (NULL)
 * are each optional; ":line" is written only with a path.  The reason is
 * printf(fmt, ...), cut at 511 bytes; the whole message is cut to errlen.
 * Control characters and bytes that are not UTF-8 (from file contents) are
 * shown escaped as \xNN (sim/io/escape.h).  err NULL or
 * errlen 0: writes nothing. */
int io_fail(char *err, size_t errlen, const char *path, unsigned line, const char *key,
            const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
