/* spawn.h - running an external tool (an RTL build script, yosys) with an
 * argument vector, never through a shell: a path or option value is one
 * argument however it is spelled (quotes, ';', spaces), and nothing in it is
 * ever interpreted as a command. */
#ifndef CODESIM_SPAWN_H
#define CODESIM_SPAWN_H

#include <stddef.h>

/* Runs argv[0] (looked up in $PATH when it has no '/') with the arguments
 * argv[1..], argv ending with NULL, and waits for it.
 *
 * out_path says where the child's output goes:
 *   NULL  its standard output goes to our standard error (the shell's 1>&2)
 *         and its standard error is ours: a tool's chatter never mixes
 *         into codesim's standard output, which may be a report;
 *   PATH  its standard output and error both go to PATH, created or
 *         truncated (the shell's >PATH 2>&1).
 * Our stdout and stderr are flushed first, so that what codesim printed
 * before comes before the child's output.
 *
 * Returns the child's exit status (0..255).  Returns -1 with err when the
 * child could not be run or did not exit: "PROG: not found" when there is
 * no such program, "PROG: cannot run: REASON" for other exec failures,
 * "PATH: REASON" when out_path cannot be opened, "PROG: killed by signal N"
 * when a signal ended it. */
int io_spawn(const char *const argv[], const char *out_path, char *err, size_t errlen);

#endif
