/* spawn.c - run a tool with an argument vector (spawn.h).
 *
 * posix_spawnp rather than fork + exec: codesim may have threads, and after
 * fork a child of a threaded process may only call async-signal-safe
 * functions until exec; posix_spawnp does the redirection and the $PATH
 * search safely, and glibc (2.24 and later) reports a failed exec as its
 * return value (ENOENT for a missing program) instead of a child that
 * exits 127, so "not found" is never guessed from an exit code. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int io_spawn(const char *const argv[], const char *out_path, char *err, size_t errlen)
{
    const char *prog = argv && argv[0] ? argv[0] : "";
    if (!*prog) {
        snprintf(err, errlen, "spawn: no program given");
        return -1;
    }
    /* The output file is opened here, not in the child, so that a bad path
     * is reported as itself; O_CLOEXEC: only the dup2'd copies reach the
     * program. */
    int fd = -1;
    if (out_path) {
        fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
            snprintf(err, errlen, "%s: %s", out_path, strerror(errno));
            return -1;
        }
    }
    /* What we printed comes before what the child prints to the same
     * streams, even when they are files (buffered). */
    fflush(stdout);
    fflush(stderr);
    posix_spawn_file_actions_t fa;
    pid_t pid = -1;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0) {
        if (fd >= 0) {
            rc = posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
            if (rc == 0)
                rc = posix_spawn_file_actions_adddup2(&fa, fd, STDERR_FILENO);
        } else {
            rc = posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
        }
        /* posix_spawnp takes char *const argv[] but does not write to it. */
        if (rc == 0)
            rc = posix_spawnp(&pid, prog, &fa, NULL, (char *const *)argv, environ);
        posix_spawn_file_actions_destroy(&fa);
    }
    if (fd >= 0)
        close(fd);
    if (rc == ENOENT) {
        snprintf(err, errlen, "%s: not found", prog);
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot run: %s", prog, strerror(rc));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(err, errlen, "%s: cannot wait for it: %s", prog, strerror(errno));
            return -1;
        }
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    snprintf(err, errlen, "%s: killed by signal %d (%s)", prog, WTERMSIG(status),
             strsignal(WTERMSIG(status)));
    return -1;
}
