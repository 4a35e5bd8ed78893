/* textfile.h - reading a whole input file (configs, workloads, traces). */
#ifndef CODESIM_TEXTFILE_H
#define CODESIM_TEXTFILE_H

#include <stddef.h>

/* Reads path (any kind: regular file, pipe) into a malloc'd NUL-terminated
 * buffer and sets *lenp.  A NUL byte inside is refused: the text is stored
 * with every run.  On failure returns NULL with err "PATH: reason". */
char *textfile_read(const char *path, size_t *lenp, char *err, size_t errlen);

#endif
