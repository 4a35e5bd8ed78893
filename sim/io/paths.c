/* paths.c - the data directory and the Verilated-library build directory
 * (the search orders are documented in paths.h and the README). */
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

/* Copies a formatted path into out; "" and -1 when it does not fit. */
static int put(char *out, size_t outlen, const char *a, const char *b)
{
    const int n = snprintf(out, outlen, "%s%s%s", a, b ? "/" : "", b ? b : "");
    if (n < 0 || (size_t)n >= outlen) {
        if (outlen)
            out[0] = 0;
        return -1;
    }
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dir holds a data directory: it has the technology tables. */
static int has_data(const char *dir)
{
    char p[PATH_MAX + 16];
    return put(p, sizeof p, dir, "reports/tech") == 0 && is_dir(p);
}

/* Cuts the last path component off p ("/a/b" -> "/a", "/a" -> "");
 * returns 0 when there was none to cut. */
static int up(char *p)
{
    char *s = strrchr(p, '/');
    if (!s)
        return 0;
    *s = 0;
    return 1;
}

int io_data_dir(char *out, size_t outlen)
{
    const char *env = getenv("CODESIM_DATA");
    if (env && *env)
        return put(out, outlen, env, NULL);

    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        /* exe is /<prefix>/bin/codesim or /<checkout>/build/codesim. */
        if (up(exe) && up(exe)) {
            char share[PATH_MAX + 16];
            if (put(share, sizeof share, exe, "share/codesim") == 0 && has_data(share))
                return put(out, outlen, share, NULL);
            if (exe[0] && has_data(exe))
                return put(out, outlen, exe, NULL);
        }
    }
    return put(out, outlen, CODESIM_ROOT, NULL);
}

int io_data_path(const char *rel, char *out, size_t outlen)
{
    char dir[PATH_MAX];
    if (io_data_dir(dir, sizeof dir) != 0) {
        if (outlen)
            out[0] = 0;
        return -1;
    }
    return put(out, outlen, dir, rel);
}

int io_build_dir(char *out, size_t outlen)
{
    const char *env = getenv("CODESIM_CACHE");
    if (env && *env)
        return put(out, outlen, env, NULL);

    char data[PATH_MAX], build[PATH_MAX + 16];
    if (io_data_dir(data, sizeof data) != 0 || put(build, sizeof build, data, "build") != 0) {
        if (outlen)
            out[0] = 0;
        return -1;
    }
    if (is_dir(build) && access(build, W_OK) == 0)
        return put(out, outlen, build, NULL);

    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && xdg[0] == '/')   /* the XDG spec ignores relative values */
        return put(out, outlen, xdg, "codesim");
    const char *home = getenv("HOME");
    if (home && *home)
        return put(out, outlen, home, ".cache/codesim");
    return put(out, outlen, build, NULL);
}
