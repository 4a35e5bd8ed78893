/* cfgkey.c - values of the blocks' own config keys. */
#include "cfgkey.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int cfg_parse_uint(const char *key, const char *val, uint64_t max, uint64_t *out, char *err,
                   size_t errlen)
{
    uint64_t v = 0;
    if (!*val) {
        snprintf(err, errlen, "%s: missing value, expected a whole number", key);
        return -1;
    }
    for (const char *p = val; *p; p++) {
        if (*p < '0' || *p > '9') {
            snprintf(err, errlen, "%s: '%.40s' is not a whole number", key, val);
            return -1;
        }
        if (v > (max - (uint64_t)(*p - '0')) / 10) {
            snprintf(err, errlen, "%s: %.40s is too large (at most %llu)", key, val,
                     (unsigned long long)max);
            return -1;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return 0;
}

int cfg_parse_bool(const char *key, const char *val, int *out, char *err, size_t errlen)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(val, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(val, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    snprintf(err, errlen, "%s: '%.40s' is not true or false", key, val);
    return -1;
}
