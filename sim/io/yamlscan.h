/* yamlscan.h - limits checked on a YAML text before it is loaded.
 *
 * libyaml's document loader builds the whole tree before anyone can look at
 * it, and its time grows with the square of the nesting depth; this pass
 * reads the event stream only as far as the first excess, so any input is
 * refused or accepted in linear time.  Hardware, sweep, serve and
 * technology YAML all go through it, so a repeated key is refused here once
 * for all of them. */
#ifndef CODESIM_YAMLSCAN_H
#define CODESIM_YAMLSCAN_H

#include <stddef.h>

/* Mappings and sequences nested deeper than this are refused (the deepest
 * shipped file nests 3). */
#define YAMLSCAN_MAX_DEPTH 64

/* Refuses text nested deeper than YAMLSCAN_MAX_DEPTH, holding more than
 * one YAML document, or repeating a key within one mapping at any level:
 * returns -1 with err "PATH:LINE: reason", for a repeat
 * "PATH:LINE: KEY: duplicated key (first on line N)".  KEY is the dotted
 * path of keys down to the repeat, a list item as "[i]"
 * (sram_read_pj_per_byte[1].kib); the children of the top-level key flat
 * (NULL: none) are named without it, as the sweep file's params: holds
 * dotted keys named on their own.  Only plain-word keys are compared.  A
 * syntax error is left to the loader, which reports it (returns 0). */
int yamlscan_check(const char *text, size_t len, const char *path, const char *flat, char *err,
                   size_t errlen);

#endif
