/* outfile.h - creating the report files a command writes into a directory
 * (run --csv: codesim's tables and SCALE-Sim's report files). */
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

#endif
