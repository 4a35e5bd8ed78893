/* outfile.h - the files commands write: each output (run --json, --csv's
 * reports, --timeline; map --out, --scalesim; serve --timeline, --plot)
 * replaced only when complete, and never a device, FIFO or link itself. */
#ifndef CODESIM_OUTFILE_H
#define CODESIM_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* Writes text to path (created or truncated) and closes it.  0, or -1 with
 * err "PATH: reason". */
int io_out_write_text(const char *path, const char *text, char *err, size_t errlen);

/* A file replaced only when complete.  What PATH is decides how:
 *   - absent or a regular file: the data goes to an unnamed file in PATH's
 *     directory (O_TMPFILE), linked in over PATH at io_out_commit(), so PATH
 *     is either the earlier file or the complete new one, and a process
 *     killed before the commit (Ctrl-C) leaves nothing behind.  Where the
 *     file system has no O_TMPFILE, a named PATH.tmpXXXXXX is used instead
 *     (then a kill leaves it).  A replaced file keeps its mode bits; a new
 *     one gets 0666 less the umask, as fopen would make it.
 *   - a symbolic link: followed (up to 40 links, relative targets from the
 *     link's directory); its target is the PATH above, the link stays.
 *   - a FIFO, a character or block device: written in place, as
 *     fopen(PATH, "w") would (a FIFO's open waits for a reader); nothing can
 *     be undone there, so an aborted output has already been partly written.
 *   - a directory or a socket: refused. */
typedef struct {
    FILE *f;        /* write here; NULL when not open */
    char *target;   /* the file replaced (PATH with its links followed) */
    char *tmp;      /* a named temporary file's path, or NULL */
    char *path;     /* PATH as given (a copy), for messages */
    int unnamed;    /* f is an O_TMPFILE file, linked in at the commit */
    int in_place;   /* a FIFO or device written directly */
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
