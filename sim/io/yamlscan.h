/* yamlscan.h - limits checked on a YAML text before it is loaded.
 *
 * libyaml's document loader builds the whole tree before anyone can look at
 * it, and its time grows with the square of the nesting depth; this pass
 * reads the event stream only as far as the first excess, so any input is
 * refused or accepted in linear time.  Hardware, sweep and technology YAML
 * all go through it. */
#ifndef CODESIM_YAMLSCAN_H
#define CODESIM_YAMLSCAN_H

#include <stddef.h>

/* Mappings and sequences nested deeper than this are refused (the deepest
 * shipped file nests 3). */
#define YAMLSCAN_MAX_DEPTH 64

/* Refuses text nested deeper than YAMLSCAN_MAX_DEPTH or holding more than
 * one YAML document: returns -1 with err "PATH:LINE: reason".  A syntax
 * error is left to the loader, which reports it (returns 0). */
int yamlscan_check(const char *text, size_t len, const char *path, char *err, size_t errlen);

#endif
