/* tech_file.h - reading technology tables (reports/tech/<node>.yaml) into
 * the tech_t of models/tech.h. */
#ifndef CODESIM_TECH_FILE_H
#define CODESIM_TECH_FILE_H

#include <stddef.h>

#include "../../models/tech.h"

/* The file for NODE: NODE itself when it contains '/' or ends in ".yaml",
 * else reports/tech/<NODE>.yaml in the data directory (sim/io/paths.h). */
void tech_path(const char *node, char *out, size_t outlen);

/* Loads a node file (and its base, from the same directory).  On error
 * returns -1 and err holds one line "FILE[:LINE]: KEY: reason".  */
int tech_load(const char *path, tech_t *t, char *err, size_t errlen);

/* The same from text already read (fname names it in errors; base files are
 * read from fname's directory). */
int tech_parse(const char *text, const char *fname, tech_t *t, char *err, size_t errlen);

#endif
