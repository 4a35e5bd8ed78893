/* outfile.c - output files replaced only when complete (outfile.h). */
#define _GNU_SOURCE /* O_TMPFILE */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* PATH with its symbolic links followed (the last component only: a link
 * in a directory part is walked by the kernel); malloc'ed, NULL with errno
 * set (ELOOP after 40 links). */
static char *follow_links(const char *path)
{
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        struct stat sb;
        if (lstat(cur, &sb) != 0 || !S_ISLNK(sb.st_mode))
            return cur; /* absent or not a link: the file to write */
        if (hops == 40) {
            free(cur);
            errno = ELOOP;
            return NULL;
        }
        char buf[4096];
        const ssize_t n = readlink(cur, buf, sizeof buf - 1);
        if (n < 0 || n == (ssize_t)sizeof buf - 1) {
            const int e = n < 0 ? errno : ENAMETOOLONG;
            free(cur);
            errno = e;
            return NULL;
        }
        buf[n] = '\0';
        /* a relative target is relative to the link's directory */
        const char *slash = strrchr(cur, '/');
        const size_t dlen = buf[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
        char *next = malloc(dlen + (size_t)n + 1);
        if (next) {
            memcpy(next, cur, dlen);
            memcpy(next + dlen, buf, (size_t)n + 1);
        }
        free(cur);
        cur = next;
    }
    return NULL;
}

/* An unnamed file in target's directory, or -1 (errno EOPNOTSUPP and the
 * like where the file system has none, or /proc is missing for the link). */
static int open_unnamed(const char *target)
{
#ifdef O_TMPFILE
    const char *slash = strrchr(target, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if ((size_t)(slash - target) + 1 < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", slash == target ? 1 : (int)(slash - target), target);
    else
        return errno = ENAMETOOLONG, -1;
    const int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    /* the commit links it in through /proc/self/fd */
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (access(proc, F_OK) != 0) {
        close(fd);
        return errno = ENOENT, -1;
    }
    return fd;
#else
    (void)target;
    return errno = EOPNOTSUPP, -1;
#endif
}

/* Frees what o holds and empties it (o->f already closed). */
static void out_free(io_out_t *o)
{
    free(o->tmp);
    free(o->target);
    free(o->path);
    *o = (io_out_t){0};
}

int io_out_begin(io_out_t *o, const char *path, char *err, size_t errlen)
{
    *o = (io_out_t){0};
    if (!(o->path = strdup(path)) || !(o->target = follow_links(path))) {
        snprintf(err, errlen, "%s: cannot write (%s)", path, strerror(errno));
        out_free(o);
        return -1;
    }
    struct stat sb;
    const int exists = stat(o->target, &sb) == 0;
    if (exists && S_ISDIR(sb.st_mode)) { /* the rename would fail at the end */
        snprintf(err, errlen, "%s: is a directory", path);
        out_free(o);
        return -1;
    }
    if (exists && !S_ISREG(sb.st_mode)) {
        /* A FIFO or a device is written through, as --json always did: a
         * rename would replace the device itself (as root, /dev/null for
         * every process). */
        if (S_ISSOCK(sb.st_mode)) {
            snprintf(err, errlen, "%s: cannot write (is a socket)", path);
            out_free(o);
            return -1;
        }
        if (!(o->f = fopen(o->target, "w"))) {
            snprintf(err, errlen, "%s: cannot write (%s)", path, strerror(errno));
            out_free(o);
            return -1;
        }
        o->in_place = 1;
        return 0;
    }
    /* A replaced file keeps its mode; a new one gets the umask, as a file
     * fopen creates would. */
    const mode_t mask = umask(0);
    umask(mask);
    const mode_t mode = exists ? sb.st_mode & 07777 : 0666 & ~mask;
    int fd = open_unnamed(o->target);
    o->unnamed = fd >= 0;
    if (fd < 0) {
        const size_t len = strlen(o->target) + sizeof ".tmpXXXXXX";
        if (!(o->tmp = malloc(len))) {
            snprintf(err, errlen, "%s: out of memory", path);
            out_free(o);
            return -1;
        }
        snprintf(o->tmp, len, "%s.tmpXXXXXX", o->target);
        fd = mkstemp(o->tmp);
    }
    int e = errno;
    if (fd >= 0 && (fchmod(fd, mode) != 0 || !(o->f = fdopen(fd, "w")))) {
        e = errno;
        close(fd);
        if (o->tmp)
            unlink(o->tmp);
    }
    if (!o->f) {
        snprintf(err, errlen, "%s: cannot create a file next to it (%s)", path, strerror(e));
        out_free(o);
        return -1;
    }
    return 0;
}

int io_out_check(io_out_t *o, char *err, size_t errlen)
{
    errno = EIO;
    if (fflush(o->f) != 0 || ferror(o->f)) {
        snprintf(err, errlen, "%s: cannot write (%s)", o->path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Links the unnamed file f in over target: under a fresh name beside it,
 * then renamed over it (linkat cannot replace), or straight to target when
 * there is none.  0 or an errno. */
static int link_unnamed(FILE *f, const char *target)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fileno(f));
    if (linkat(AT_FDCWD, proc, AT_FDCWD, target, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != EEXIST)
        return errno;
    const size_t len = strlen(target) + sizeof ".tmpXXXXXX";
    char *tmp = malloc(len);
    if (!tmp)
        return ENOMEM;
    int e = 0;
    for (int tries = 0; tries < 100; tries++) {
        /* mkstemp picks a free name; the link takes it (EEXIST: another
         * process took it in between; pick again) */
        snprintf(tmp, len, "%s.tmpXXXXXX", target);
        const int fd = mkstemp(tmp);
        if (fd < 0) {
            e = errno;
            break;
        }
        close(fd);
        unlink(tmp);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) != 0) {
            e = errno;
            if (e == EEXIST)
                continue;
            break;
        }
        e = rename(tmp, target) == 0 ? 0 : errno;
        if (e)
            unlink(tmp);
        break;
    }
    free(tmp);
    return e;
}

int io_out_commit(io_out_t *o, char *err, size_t errlen)
{
    int e = fflush(o->f) != 0 ? errno : ferror(o->f) ? EIO : 0;
    if (!e && o->unnamed)
        e = link_unnamed(o->f, o->target); /* before the close, while fd names it */
    if (fclose(o->f) != 0 && !e)
        e = errno;
    o->f = NULL;
    if (!e && o->tmp && rename(o->tmp, o->target) != 0)
        e = errno;
    if (e) {
        snprintf(err, errlen, "%s: cannot write (%s)", o->path, strerror(e));
        if (o->tmp)
            unlink(o->tmp);
    }
    out_free(o);
    return e ? -1 : 0;
}

void io_out_abort(io_out_t *o)
{
    if (o->f) {
        fclose(o->f);
        if (o->tmp)
            unlink(o->tmp);
    }
    out_free(o);
}
