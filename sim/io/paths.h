/* paths.h - where codesim finds its data and where it builds Verilated
 * libraries, decided in one place so that a built, installed or moved binary
 * behaves the same.
 *
 * The data directory holds what the binary reads besides its inputs:
 * reports/tech/ (technology tables), rtl/ (Verilog and build scripts for
 * Verilated libraries), configs/, traces/ and sweeps/ (examples).  It is the
 * first of
 *   1. $CODESIM_DATA, when set and not empty (taken as given);
 *   2. <prefix>/share/codesim, where the executable is <prefix>/bin/codesim
 *      (`make install PREFIX=...`; found through /proc/self/exe, so a moved
 *      or symlinked install works);
 *   3. <checkout>, where the executable is <checkout>/build/codesim (or any
 *      other binary in build/, such as the test runner);
 *   4. the source tree the binary was compiled in (CODESIM_ROOT).
 * Candidates 2 and 3 count only when they contain reports/tech/.
 *
 * The build directory is where Verilated libraries are built on demand (a
 * library per block configuration, in a subdirectory such as rtl/ or pim/):
 *   1. $CODESIM_CACHE, when set and not empty;
 *   2. <data>/build, when it is a writable directory (a source checkout);
 *   3. $XDG_CACHE_HOME/codesim, when XDG_CACHE_HOME is an absolute path;
 *   4. $HOME/.cache/codesim;
 *   5. <data>/build.
 * An installed data directory has no build/, so an installed binary builds
 * into the user's cache and never writes below PREFIX.
 *
 * Nothing is cached between calls (no global state): each call looks again,
 * which costs a readlink and a few stats. */
#ifndef CODESIM_PATHS_H
#define CODESIM_PATHS_H

#include <stddef.h>

/* Writes the data directory (no trailing '/') to out.  Returns 0, or -1 when
 * it does not fit in outlen bytes (out then holds "" ). */
int io_data_dir(char *out, size_t outlen);

/* Writes <data directory>/<rel> to out; rel is relative ("reports/tech").
 * Returns 0, or -1 when the path does not fit (out then holds ""). */
int io_data_path(const char *rel, char *out, size_t outlen);

/* Writes the build directory for Verilated libraries to out (it may not
 * exist yet: the build scripts create it).  Returns 0, or -1 when it does
 * not fit (out then holds ""). */
int io_build_dir(char *out, size_t outlen);

#endif
