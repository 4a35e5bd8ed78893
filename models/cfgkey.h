/* cfgkey.h - values of the blocks' own config keys (the *_cfg_set functions
 * that the hardware YAML's block sections are handed to). */
#ifndef CODESIM_CFGKEY_H
#define CODESIM_CFGKEY_H

#include <stddef.h>
#include <stdint.h>

/* Whole decimal number in 0..max; -1 with err "KEY: reason". */
int cfg_parse_uint(const char *key, const char *val, uint64_t max, uint64_t *out, char *err,
                   size_t errlen);
/* true/false (also yes/no, on/off, 1/0); -1 with err "KEY: reason". */
int cfg_parse_bool(const char *key, const char *val, int *out, char *err, size_t errlen);

#endif
