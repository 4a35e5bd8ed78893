/* outfile.h - creating the report files a command writes into a directory
 * (run --csv: codesim's tables and SCALE-Sim's report files), and a file
 * replaced only when complete (map --out, run and serve --timeline). */
#ifndef CODESIM_OUTFILE_H
#define CODESIM_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* Creates (or truncates) DIR/NAME for writing.  NULL with err
 * "DIR/NAME: cannot write (reason)" or "DIR: path too long". */
FILE *io_out_open(const char *dir, const char *name, char *err, size_t errlen);

/* Closes f, opened by io_out_open(dir, name); -1 with err
 * "DIR/NAME: cannot write" when a write or the close failed. */
int io_out_close(FILE *f, const char *dir, const char *name, char *err, size_t errlen);

/* Writes text to path (created or truncated) and closes it.  0, or -1 with
 * err "PATH: reason". */
int io_out_write_text(const char *path, const char *text, char *err, size_t errlen);

/* A file written through a temporary file next to it (PATH.tmpXXXXXX,
 * same directory, so the rename is atomic; mode 0666 less the umask, as
 * fopen would make it): io_out_commit() renames it over PATH, so PATH is
 * either the earlier file or the complete new one; io_out_abort() removes
 * it, leaving PATH as it was.  A failed run never leaves a partial or empty
 * output behind. */
typedef struct {
    FILE *f;        /* write here; NULL when not open */
    char *tmp;      /* the temporary file's path */
    const char *path;
} io_out_t;

/* 0 with o->f open, or -1 with err "PATH: is a directory" or "PATH: cannot
 * create a file next to it (reason)". */
int io_out_begin(io_out_t *o, const char *path, char *err, size_t errlen);
/* Closes o->f and renames the file over PATH; -1 with err "PATH: cannot
 * write (reason)" when a write, the close or the rename failed (the
 * temporary file is then removed).  o is empty afterwards. */
int io_out_commit(io_out_t *o, char *err, size_t errlen);
/* Closes and removes the temporary file; an empty o is fine. */
void io_out_abort(io_out_t *o);

#endif
