/* vlib.h - Verilated block libraries: one shared library per block
 * configuration, built by a script in rtl/ of the data directory into the
 * build directory and loaded with dlopen (both directories: sim/io/paths.h;
 * a checkout builds into its build/, an installed binary into
 * $CODESIM_CACHE, $XDG_CACHE_HOME/codesim or ~/.cache/codesim). */
#ifndef CODESIM_VLIB_H
#define CODESIM_VLIB_H

#include <stddef.h>
#include <stdint.h>

#include "../../rtl/vshim.h"

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

/* One instance of a loaded block. */
typedef struct {
    void *so;                  /* dlopen handle; NULL when the table was given */
    const vshim_base_t *api;   /* the block's table, which begins with the shared base */
    void *h;                   /* the instance api->create() made */
} vlib_t;

/* Builds the library when it is missing or older than a source, loads it,
 * takes the table its symbol returns and creates an instance; with api not
 * NULL, uses that table instead of loading anything (tests drive C
 * stand-ins for the RTL this way).  -1 with err "FILE: reason" on failure,
 * *v then empty. */
int vlib_load(const vlib_spec_t *spec, const vshim_base_t *api, vlib_t *v, char *err,
              size_t errlen);
/* Destroys the instance and unloads the library; an empty v is fine. */
void vlib_unload(vlib_t *v);

#endif
