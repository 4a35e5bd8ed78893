/* outfile.c - report files in a directory (outfile.h). */
#include "outfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *io_out_open(const char *dir, const char *name, char *err, size_t errlen)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        snprintf(err, errlen, "%.200s: path too long", dir);
        return NULL;
    }
    /* A report left by an earlier run is removed, not truncated: ext4
     * flushes a file truncated and rewritten at close (auto_da_alloc), and
     * the process then waits for the disk (measured: 18-28 ms against 10-13
     * ms into a fresh directory on a loaded machine).  Only a regular file is
     * removed; a symbolic link is written through. */
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
        (void)unlink(path);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err, errlen, "%.3800s: cannot write (%s)", path, strerror(errno));
    return f;
}

int io_out_close(FILE *f, const char *dir, const char *name, char *err, size_t errlen)
{
    /* Both run: a failed write leaves the stream's error flag set, and the
     * file must be closed either way. */
    const int failed = ferror(f);
    if ((fclose(f) != 0) | failed) {
        snprintf(err, errlen, "%.200s/%s: cannot write", dir, name);
        return -1;
    }
    return 0;
}

int io_out_write_text(const char *path, const char *text, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    const int wrote = fputs(text, f) != EOF;
    const int e = errno;
    /* closed exactly once, whether the write failed or not */
    if (fclose(f) != 0 || !wrote) {
        snprintf(err, errlen, "%s: %s", path, strerror(wrote ? errno : e));
        return -1;
    }
    return 0;
}
