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

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

uint64_t cli_rng_seed(uint64_t seed)
{
    return seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
}

uint64_t cli_rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

uint64_t cli_rand_dim(uint64_t *rng, uint64_t base, uint64_t far)
{
    switch (cli_rng_next(rng) % 10) {
    case 0: return 1;
    case 1: return base;
    case 2: return 2 * base;
    case 3: return base + 1;
    case 9: return 1 + cli_rng_next(rng) % (far * base);
    default: return 1 + cli_rng_next(rng) % (3 * base);
    }
}
