/* sram.c - scratchpad configuration checks (the double-buffer plan lives in
 * models/engine.c, which knows the fold structure). */
#include "sram.h"

#include <inttypes.h>
#include <stdio.h>

static int check_one(const char *field, uint64_t v, char *err, size_t errlen)
{
    if (v == 0) {
        snprintf(err, errlen, "%s: must be positive", field);
        return -1;
    }
    if (v > SRAM_MAX_BYTES) {
        snprintf(err, errlen, "%s: %" PRIu64 " bytes is larger than the %" PRIu64 " byte limit",
                 field, v, (uint64_t)SRAM_MAX_BYTES);
        return -1;
    }
    return 0;
}

int sram_cfg_check(const sram_cfg_t *cfg, char *err, size_t errlen)
{
    if (check_one("ifmap_bytes", cfg->ifmap_bytes, err, errlen) ||
        check_one("filter_bytes", cfg->filter_bytes, err, errlen) ||
        check_one("ofmap_bytes", cfg->ofmap_bytes, err, errlen))
        return -1;
    return 0;
}
