/* util.h - the few arithmetic and hashing helpers every layer uses.
 *
 * The lowest layer: it includes only the C library, so models/, mapper/ and
 * sim/ may all include it.  Header-only (static inline), no state. */
#ifndef CODESIM_UTIL_H
#define CODESIM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Elements of an array (not a pointer: sizeof must see the array). */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ceil(a / b) for b > 0 (b == 0 divides by zero).  Wraps like the
 * expression (a + b - 1) / b it replaces when a + b - 1 overflows. */
static inline uint64_t util_ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/* Checked arithmetic for products and sums of user-sized quantities: *out
 * gets the result and the return is 0, or nonzero when the exact value does
 * not fit in 64 bits (*out then holds the wrapped value; callers refuse). */
static inline int util_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}
static inline int util_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return __builtin_add_overflow(a, b, out);
}
/* *acc += v; nonzero on overflow.  Lets a run of sums be or-ed together. */
static inline int util_acc_u64(uint64_t *acc, uint64_t v)
{
    return __builtin_add_overflow(*acc, v, acc);
}

/* Seconds on the monotonic clock: for wall times and waits, never for
 * simulated time. */
static inline double util_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline uint64_t util_min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t util_max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* FNV-1a 64 (Fowler/Noll/Vo; offset basis and prime from the reference
 * at isthe.com/chongo/tech/comp/fnv).  Start from UTIL_FNV_INIT and fold in
 * bytes; the stored hashes (runs.hw_hash, sweep config/workload hashes) and
 * the RTL port-activity hash depend on these exact values. */
#define UTIL_FNV_INIT 0xcbf29ce484222325ull
#define UTIL_FNV_PRIME 0x100000001b3ull

/* h folded with the n bytes at p. */
static inline uint64_t util_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UTIL_FNV_PRIME;
    }
    return h;
}

/* h folded with the 8 bytes of v, least significant first (the same on
 * every host, unlike util_fnv1a(h, &v, 8)). */
static inline uint64_t util_fnv1a_u64(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= UTIL_FNV_PRIME;
    }
    return h;
}

#endif
