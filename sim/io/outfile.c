/* outfile.c - output files replaced only when complete (outfile.h).
 *
 * Symbolic links are resolved by the kernel (an O_PATH open), never by
 * reading them here, so fs.protected_symlinks applies as it does to any
 * open; the file is then replaced relative to a descriptor of its own
 * directory, so a path changed between the begin and the commit cannot
 * redirect the rename.  The one link read here is a dangling one the user
 * owns (the kernel cannot open what does not exist). */
#define _GNU_SOURCE /* O_PATH, O_TMPFILE */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* Standard descriptor std (0, 1, 2) is open on sb's file, which is open as
 * self (a closed standard descriptor may be reused for self itself). */
static int is_std_file(int std, int self, const struct stat *sb)
{
    struct stat s;
    return std != self && fstat(std, &s) == 0 && s.st_dev == sb->st_dev &&
           s.st_ino == sb->st_ino;
}

/* A descriptor (O_PATH) of the directory part of p, its last component
 * malloc'ed into *name; -1 with errno (EISDIR when p ends in '/'). */
static int open_dir_of(const char *p, char **name)
{
    const char *slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    if (!*base)
        return errno = EISDIR, -1;
    char *dir = slash ? strndup(p, slash == p ? 1 : (size_t)(slash - p)) : strdup(".");
    if (!dir || !(*name = strdup(base))) {
        free(dir);
        return errno = ENOMEM, -1;
    }
    const int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    const int e = errno;
    free(dir);
    if (fd < 0) {
        free(*name);
        *name = NULL;
    }
    return errno = e, fd;
}

/* The directory and name under which sb's file (open as fd) is found,
 * trying p itself and then what the kernel says fd is (/proc/self/fd):
 * the dirfd, or -1 with errno. */
static int locate(const char *p, int fd, const struct stat *sb, char **name)
{
    char real[4096];
    for (int pass = 0; pass < 2; pass++) {
        const char *where = p;
        if (pass == 1) {
            char proc[64];
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
            const ssize_t n = readlink(proc, real, sizeof real - 1);
            if (n <= 0 || real[0] != '/')
                break;
            real[n] = '\0';
            where = real;
        }
        const int dirfd = open_dir_of(where, name);
        if (dirfd < 0)
            continue;
        struct stat s;
        if (fstatat(dirfd, *name, &s, AT_SYMLINK_NOFOLLOW) == 0 && s.st_dev == sb->st_dev &&
            s.st_ino == sb->st_ino)
            return dirfd;
        close(dirfd);
        free(*name);
        *name = NULL;
    }
    return errno = ENOENT, -1;
}

/* Where a dangling link at p points, as a path (a relative target is
 * relative to the link's directory); malloc'ed, NULL with errno. */
static char *link_target(const char *p)
{
    char buf[4096];
    const ssize_t n = readlink(p, buf, sizeof buf - 1);
    if (n < 0 || n == (ssize_t)sizeof buf - 1)
        return errno = n < 0 ? errno : ENAMETOOLONG, NULL;
    buf[n] = '\0';
    const char *slash = strrchr(p, '/');
    const size_t dlen = buf[0] == '/' || !slash ? 0 : (size_t)(slash - p) + 1;
    char *next = malloc(dlen + (size_t)n + 1);
    if (!next)
        return errno = ENOMEM, NULL;
    memcpy(next, p, dlen);
    memcpy(next + dlen, buf, (size_t)n + 1);
    return next;
}

/* NAME.tmpXXXXXX into buf (len bytes) with six letters from *seed. */
static void tmp_name(char *buf, size_t len, const char *name, uint64_t *seed)
{
    static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char x[7];
    for (int i = 0; i < 6; i++) {
        *seed ^= *seed << 13; /* xorshift64 */
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        x[i] = abc[*seed % (sizeof abc - 1)];
    }
    x[6] = '\0';
    snprintf(buf, len, "%s.tmp%s", name, x);
}

static uint64_t tmp_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40)) | 1;
}

/* An unnamed file in dirfd, or -1 (errno EOPNOTSUPP and the like where the
 * file system has none, or /proc is missing for the link).  Its mode is
 * 0666 less the umask, applied by the kernel. */
static int open_unnamed(int dirfd)
{
#ifdef O_TMPFILE
    const int fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
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
    (void)dirfd;
    return errno = EOPNOTSUPP, -1;
#endif
}

/* A fresh NAME.tmpXXXXXX in dirfd, its name malloc'ed into *tmp; mode 0666
 * less the umask (the kernel's, as for any new file). */
static int open_named(int dirfd, const char *name, char **tmp)
{
    const size_t len = strlen(name) + sizeof ".tmpXXXXXX";
    if (!(*tmp = malloc(len)))
        return errno = ENOMEM, -1;
    uint64_t seed = tmp_seed();
    int e = EEXIST;
    for (int tries = 0; tries < 100 && e == EEXIST; tries++) {
        /* EEXIST: the name is taken; pick again */
        tmp_name(*tmp, len, name, &seed);
        const int fd = openat(dirfd, *tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        e = errno;
    }
    free(*tmp);
    *tmp = NULL;
    return errno = e, -1;
}

/* Frees what o holds and empties it (o->f already closed). */
static void out_free(io_out_t *o)
{
    if (o->name)
        close(o->dirfd);
    free(o->tmp);
    free(o->name);
    free(o->path);
    *o = (io_out_t){0};
}

/* The file the output goes to, once resolved: how it is written. */
enum { OUT_FAIL = -1, OUT_IN_PLACE, OUT_REPLACE, OUT_NEW };

/* Resolves path into o: opens o->f for an in-place output, or sets o->dirfd
 * and o->name for a replaced or new one (*sb then the replaced file's
 * status).  OUT_FAIL with err filled. */
static int resolve(io_out_t *o, const char *path, struct stat *sb, char *err, size_t errlen)
{
    /* The kernel follows the links (O_PATH opens FIFOs and devices without
     * waiting).  Only a dangling link is followed here, one hop at a time,
     * and only one of the user's own: another user's link in a shared
     * directory must not choose where the file goes. */
    char *cur = NULL; /* the path reached through dangling links */
    const char *p = path, *why = "cannot write";
    int fd, e = 0, how = OUT_FAIL;
    for (int hops = 0;; hops++) {
        if ((fd = open(p, O_PATH | O_CLOEXEC)) >= 0 || errno != ENOENT)
            break;
        struct stat ls;
        if (lstat(p, &ls) != 0 || !S_ISLNK(ls.st_mode)) {
            errno = ENOENT; /* absent: made at p */
            break;
        }
        if (ls.st_uid != geteuid()) {
            snprintf(err, errlen, "%s: cannot write (a dangling symbolic link owned by another "
                     "user; remove it or point it at an existing file)", path);
            free(cur);
            return OUT_FAIL;
        }
        char *next = hops < 40 ? link_target(p) : (errno = ELOOP, NULL);
        const int le = errno;
        free(cur);
        if (!(p = cur = next)) {
            errno = le;
            break;
        }
    }
    if (fd < 0 && (!p || errno != ENOENT)) {
        e = errno;
    } else if (fd < 0) { /* absent: a new file */
        if ((o->dirfd = open_dir_of(p, &o->name)) >= 0)
            how = OUT_NEW;
        else if ((e = errno) != EISDIR)
            why = "cannot create a file next to it";
    } else if (fstat(fd, sb) != 0) {
        e = errno;
    } else if (S_ISDIR(sb->st_mode)) { /* the rename would fail at the end */
        snprintf(err, errlen, "%s: is a directory", path);
    } else if (S_ISSOCK(sb->st_mode)) {
        snprintf(err, errlen, "%s: cannot write (is a socket)", path);
    } else if ((o->is_stdout = is_std_file(1, fd, sb)) || !S_ISREG(sb->st_mode) ||
               sb->st_nlink > 1 || is_std_file(0, fd, sb) || is_std_file(2, fd, sb)) {
        /* A FIFO, a device, a pipe (/dev/stdout), the file a standard
         * descriptor writes, or a file with other names: written in place
         * (a rename would replace the device itself, or leave the other
         * names and the descriptor on the old file).  Standard output's or
         * error's file goes through a copy of that descriptor, as a shell's
         * >/dev/stdout does: its offset and O_APPEND are kept (`>> log` is
         * not truncated, and what else the command prints there follows
         * instead of overwriting). */
        const int std = o->is_stdout ? 1 : is_std_file(2, fd, sb) ? 2 : -1;
        const int dup = std < 0 ? -1 : fcntl(std, F_DUPFD_CLOEXEC, 3);
        if (dup >= 0 && !(o->f = fdopen(dup, "w")))
            close(dup);
        if (o->f || (o->f = fopen(p, "w")))
            how = OUT_IN_PLACE;
        else
            e = errno;
    } else if ((o->dirfd = locate(p, fd, sb, &o->name)) >= 0) {
        how = OUT_REPLACE;
    } else {
        e = errno;
    }
    if (how == OUT_FAIL && e)
        snprintf(err, errlen, "%s: %s (%s)", path, why, strerror(e));
    if (fd >= 0)
        close(fd);
    free(cur);
    return how;
}

int io_out_begin(io_out_t *o, const char *path, char *err, size_t errlen)
{
    *o = (io_out_t){0};
    if (!(o->path = strdup(path))) {
        snprintf(err, errlen, "%s: cannot write (%s)", path, strerror(ENOMEM));
        return -1;
    }
    struct stat sb = {0};
    const int how = resolve(o, path, &sb, err, errlen);
    if (how == OUT_FAIL) {
        out_free(o);
        return -1;
    }
    if (how == OUT_IN_PLACE) {
        o->in_place = 1;
        return 0;
    }
    int fd = open_unnamed(o->dirfd);
    o->unnamed = fd >= 0;
    if (fd < 0)
        fd = open_named(o->dirfd, o->name, &o->tmp);
    int e = errno;
    /* A replaced file keeps its permission bits, not set-user-ID,
     * set-group-ID or sticky (the new file is the process's, not the old
     * owner's); a new one has 0666 less the umask from its open. */
    if (fd >= 0 && ((how == OUT_REPLACE && fchmod(fd, sb.st_mode & 0777) != 0) ||
                    !(o->f = fdopen(fd, "w")))) {
        e = errno;
        close(fd);
        if (o->tmp)
            unlinkat(o->dirfd, o->tmp, 0);
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

/* Links the unnamed file fd in as name in dirfd: under a fresh name beside
 * it, then renamed over it (linkat cannot replace), or straight to name
 * when there is none.  0 or an errno. */
static int link_unnamed(int fd, int dirfd, const char *name)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != EEXIST)
        return errno;
    const size_t len = strlen(name) + sizeof ".tmpXXXXXX";
    char *tmp = malloc(len);
    if (!tmp)
        return ENOMEM;
    uint64_t seed = tmp_seed();
    int e = EEXIST;
    for (int tries = 0; tries < 100 && e == EEXIST; tries++) {
        /* EEXIST: the name is taken; pick again */
        tmp_name(tmp, len, name, &seed);
        e = linkat(AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
    }
    if (!e && renameat(dirfd, tmp, dirfd, name) != 0) {
        e = errno;
        unlinkat(dirfd, tmp, 0);
    }
    free(tmp);
    return e;
}

int io_out_commit(io_out_t *o, char *err, size_t errlen)
{
    int e = fflush(o->f) != 0 ? errno : ferror(o->f) ? EIO : 0;
    /* The data reaches the disk before the new file takes the name: after a
     * power loss the name holds the old file or the whole new one, never
     * an empty one (a delayed allocation's zero-length file). */
    if (!e && !o->in_place && fdatasync(fileno(o->f)) != 0)
        e = errno;
    if (!e && o->unnamed)
        e = link_unnamed(fileno(o->f), o->dirfd, o->name); /* while the fd names it */
    if (fclose(o->f) != 0 && !e)
        e = errno;
    o->f = NULL;
    if (!e && o->tmp && renameat(o->dirfd, o->tmp, o->dirfd, o->name) != 0)
        e = errno;
    if (e) {
        snprintf(err, errlen, "%s: cannot write (%s)", o->path, strerror(e));
        if (o->tmp)
            unlinkat(o->dirfd, o->tmp, 0);
    }
    out_free(o);
    return e ? -1 : 0;
}

void io_out_abort(io_out_t *o)
{
    if (o->f) {
        fclose(o->f);
        if (o->tmp)
            unlinkat(o->dirfd, o->tmp, 0);
    }
    out_free(o);
}
