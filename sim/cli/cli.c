/* cli.c - helpers shared by the codesim commands. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int cli_uint(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
             uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-' || *s == '+') {
        fprintf(stderr, "codesim %s: --%s: '%s' is not a whole number\n", cmd, opt, s ? s : "");
        return -1;
    }
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) {
        fprintf(stderr, "codesim %s: --%s: '%s' is not a whole number\n", cmd, opt, s);
        return -1;
    }
    if (v < lo || v > hi) {
        fprintf(stderr, "codesim %s: --%s: %llu is outside %llu..%llu\n", cmd, opt, v,
                (unsigned long long)lo, (unsigned long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

