/* vlib.h - Verilated block libraries: one shared library per block
 * configuration, built by a script in rtl/ of the data directory into the
 * build directory and loaded with dlopen (both directories: sim/io/paths.h;
 * a checkout builds into its build/, an installed binary into
 * $CODESIM_CACHE, $XDG_CACHE_HOME/codesim or ~/.cache/codesim). */
#ifndef CODESIM_VLIB_H
#define CODESIM_VLIB_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *what;          /* for messages: "the 8x8 array" */
    const char *dir;           /* under the build directory: "rtl/systolic_r8_c8_..." */
    const char *lib;           /* file in dir: "libvsystolic.so" */
    const char *script;        /* under the data directory: "rtl/build.sh" */
    const char *args;          /* the script's arguments after the output dir */
    const char *const *srcs;   /* under the data directory: a library older than any is
                                * rebuilt */
    size_t nsrcs;
    const char *symbol;        /* exported function returning the entry-point table */
} vlib_spec_t;

/* Builds the library when it is missing or stale, loads it and returns the
 * table its symbol returns; *so receives the dlopen handle (for
 * vlib_close).  NULL with err "FILE: reason" on failure. */
const void *vlib_open(const vlib_spec_t *spec, void **so, char *err, size_t errlen);
void vlib_close(void *so);

/* FNV-1a over the 8 bytes of v: the port-activity hash of rtlcheck runs. */
void vlib_fnv(uint64_t *h, uint64_t v);
#define VLIB_FNV_INIT 0xcbf29ce484222325ull

#endif
