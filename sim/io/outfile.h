/* outfile.h - the files commands write: each output (run --json, --csv's
 * reports, --timeline; map --out, --scalesim; serve --timeline, --plot)
 * replaced only when complete, and never a device, FIFO, pipe or link
 * itself. */
#ifndef CODESIM_OUTFILE_H
#define CODESIM_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* Writes text to path (created or truncated) and closes it.  0, or -1 with
 * err "PATH: reason". */
int io_out_write_text(const char *path, const char *text, char *err, size_t errlen);

/* A file replaced only when complete.  What PATH is (the kernel following
 * its symbolic links, fs.protected_symlinks included) decides how:
 *   - a regular file with one name, or absent: the data goes to an unnamed
 *     file in the directory that holds it (O_TMPFILE), synced to disk and
 *     linked in over it at io_out_commit(), relative to a descriptor of that
 *     directory, so the name holds either the earlier file or the complete
 *     new one (also after a power loss), and a process killed before the
 *     commit (Ctrl-C) leaves nothing behind.  Where the file system has no
 *     O_TMPFILE, a named NAME.tmpXXXXXX is used instead (then a kill leaves
 *     it).  A replaced file keeps its permission bits (mode & 0777: not
 *     set-user-ID, set-group-ID or sticky); a new one gets 0666 less the
 *     umask.  A link to it stays a link.
 *   - a dangling symbolic link: followed (up to 40 hops, relative targets
 *     from the link's directory) only when the user owns it, and the file it
 *     names made; another user's is refused.
 *   - a FIFO, a character or block device, a pipe (/dev/stdout, /dev/fd/N),
 *     the file a standard descriptor (0, 1, 2) is open on, or a regular file
 *     with more than one hard link: written in place, as fopen(PATH, "w")
 *     would (a FIFO's open waits for a reader; the other links see the new
 *     data; standard output's or error's file is written through a copy of
 *     that descriptor, keeping its offset and O_APPEND); nothing can be
 *     undone there, so an aborted output has already been partly written.
 *   - a directory or a socket: refused. */
typedef struct {
    FILE *f;       /* write here; NULL when not open */
    char *path;    /* PATH as given (a copy), for messages */
    char *name;    /* the replaced or new file's name in dirfd; NULL in place */
    char *tmp;     /* a named temporary file's name in dirfd, or NULL */
    int dirfd;     /* O_PATH descriptor of the directory holding name */
    int unnamed;   /* f is an O_TMPFILE file, linked in at the commit */
    int in_place;  /* written directly (FIFO, device, pipe, several links) */
    int is_stdout; /* PATH is standard output's file (/dev/stdout) */
} io_out_t;

/* 0 with o->f open, or -1 with err "PATH: is a directory", "PATH: cannot
 * write (reason)" or "PATH: cannot create a file next to it (reason)".
 * Whatever the result, o may be given to io_out_abort(). */
int io_out_begin(io_out_t *o, const char *path, char *err, size_t errlen);
/* Flushes o->f and checks it for a write error: 0, or -1 with err "PATH:
 * cannot write (reason)".  The file stays open; a caller committing several
 * outputs together checks each before committing any. */
int io_out_check(io_out_t *o, char *err, size_t errlen);
/* Closes o->f and puts the file in place of PATH; -1 with err "PATH: cannot
 * write (reason)" when a write, the close or the rename failed (the
 * temporary file is then removed).  o is empty afterwards. */
int io_out_commit(io_out_t *o, char *err, size_t errlen);
/* Closes and removes the temporary file; an empty o is fine. */
void io_out_abort(io_out_t *o);

#endif
