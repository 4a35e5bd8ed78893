/* fuzz_util.h - what every libFuzzer harness in tests/fuzz/ shares.
 *
 * The parsers' entry points take a path (hw_load, workload_load, ...), so a
 * harness writes each input to a file in one private temporary directory
 * (mkdtemp under $TMPDIR, default /tmp), made on first use and removed with
 * everything in it at exit.  Nothing is written anywhere else.
 *
 * libFuzzer's interface (LLVMFuzzerTestOneInput without a context argument)
 * forces the directory name to live in static storage: it is set once and
 * then only read. */
#ifndef CODESIM_FUZZ_UTIL_H
#define CODESIM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Writes data to NAME inside the temporary directory; the full path goes to
 * out.  Aborts on an I/O error (the harness cannot go on without it). */
void fuzz_write(const char *name, const uint8_t *data, size_t size, char *out, size_t outlen);

/* Copies the shipped file REL (relative to the source tree, CODESIM_ROOT)
 * into the temporary directory as NAME, for inputs that name other files
 * (a sweep's hw: and workloads:, a technology file's base:). */
void fuzz_copy(const char *rel, const char *name);

/* Stops the process (abort, which libFuzzer reports as a crash and saves the
 * input) when cond is false: a property the parser's header promises. */
#define FUZZ_ASSERT(cond)                                                                        \
    do {                                                                                         \
        if (!(cond))                                                                             \
            fuzz_fail(__FILE__, __LINE__, #cond);                                                \
    } while (0)
_Noreturn void fuzz_fail(const char *file, int line, const char *what);

#endif
