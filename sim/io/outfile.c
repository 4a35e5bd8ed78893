/* outfile.c - report files in a directory (outfile.h). */
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
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

int io_out_begin(io_out_t *o, const char *path, char *err, size_t errlen)
{
    *o = (io_out_t){NULL, NULL, path};
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) { /* the rename would fail at the end */
        snprintf(err, errlen, "%s: is a directory", path);
        return -1;
    }
    const size_t len = strlen(path) + sizeof ".tmpXXXXXX";
    if (!(o->tmp = malloc(len))) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    snprintf(o->tmp, len, "%s.tmpXXXXXX", path);
    const int fd = mkstemp(o->tmp);
    int e = errno;
    /* mkstemp makes the file 0600; the output gets the user's umask, as a
     * file fopen creates would. */
    const mode_t mask = umask(0);
    umask(mask);
    if (fd >= 0 && (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w")))) {
        e = errno;
        close(fd);
        unlink(o->tmp);
    }
    if (!o->f) {
        snprintf(err, errlen, "%s: cannot create a file next to it (%s)", path, strerror(e));
        free(o->tmp);
        *o = (io_out_t){0};
        return -1;
    }
    return 0;
}

int io_out_commit(io_out_t *o, char *err, size_t errlen)
{
    const int failed = ferror(o->f);
    int e = failed ? EIO : 0;
    if (fclose(o->f) != 0 && !e)
        e = errno;
    o->f = NULL;
    if (!e && rename(o->tmp, o->path) != 0)
        e = errno;
    if (e) {
        snprintf(err, errlen, "%s: cannot write (%s)", o->path, strerror(e));
        unlink(o->tmp);
    }
    free(o->tmp);
    *o = (io_out_t){0};
    return e ? -1 : 0;
}

void io_out_abort(io_out_t *o)
{
    if (o->f) {
        fclose(o->f);
        unlink(o->tmp);
    }
    free(o->tmp);
    *o = (io_out_t){0};
}
