/* textfile.h - reading a whole input file (configs, workloads, traces). */
#ifndef CODESIM_TEXTFILE_H
#define CODESIM_TEXTFILE_H

#include <stddef.h>

/* Inputs larger than this many MiB are refused unless the environment
 * variable CODESIM_MAX_INPUT_MB (a whole number 1..TEXTFILE_MAX_MB) says
 * otherwise: every input kind is read whole into memory. */
#define TEXTFILE_DEFAULT_MB 256
#define TEXTFILE_MAX_MB (1u << 20)

/* Checks CODESIM_MAX_INPUT_MB: 0 when unset or a whole number in
 * 1..TEXTFILE_MAX_MB, else -1 with err "CODESIM_MAX_INPUT_MB: 'V' is not
 * ...".  The command line checks it once before any command runs, so a bad
 * value is reported as the environment's, not as the first file's. */
int textfile_check_env(char *err, size_t errlen);

/* Reads path (any kind: regular file, pipe) into a malloc'd NUL-terminated
 * buffer and sets *lenp.  A NUL byte inside is refused (the text is stored
 * with every run), as soon as it is read, so /dev/zero fails at once; a file
 * larger than the cap is refused before it is read past the cap.  On
 * failure returns NULL with err "PATH: reason". */
char *textfile_read(const char *path, size_t *lenp, char *err, size_t errlen);

#endif
