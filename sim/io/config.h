/* config.h - hardware configuration: codesim YAML or SCALE-Sim .cfg in,
 * one validated hw_cfg_t out.  The only place hardware files are parsed. */
#ifndef CODESIM_CONFIG_H
#define CODESIM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "../../models/hw.h"


/* Loads path: a SCALE-Sim config when it ends in ".cfg", codesim YAML
 * otherwise.  Keys left out keep hw_defaults() values.  On error returns -1
 * and err holds one line "FILE[:LINE]: KEY: reason". */
int hw_load(const char *path, hw_cfg_t *hw, char *err, size_t errlen);

/* Sets one field by its dotted YAML key ("array.rows", "sram.ifmap_kib",
 * "dram.bytes_per_cycle", "name"...) from its text as it would appear in a
 * YAML file.  Does not check ranges: call hw_validate() once all fields are
 * set.  On error returns -1 with err "KEY: reason" (no file). */
int hw_set(hw_cfg_t *hw, const char *key, const char *value, char *err, size_t errlen);

/* Checks every field; err as above with file "path" (may be NULL). */
int hw_validate(const hw_cfg_t *hw, const char *path, char *err, size_t errlen);

/* Canonical YAML of every field in a fixed order (malloc'd; NULL on OOM).
 * Two configs with the same meaning give the same text; hw_load() reads it
 * back to the same hw_cfg_t. */
char *hw_canonical(const hw_cfg_t *hw);

/* 16 hex digits of FNV-1a 64 over hw_canonical(). */
void hw_hash(const hw_cfg_t *hw, char out[17]);

void hw_free(hw_cfg_t *hw);

#endif
