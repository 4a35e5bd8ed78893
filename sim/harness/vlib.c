/* vlib.c - build, cache and load Verilated block libraries. */
#include "vlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../io/paths.h"

/* Appends s to out in single quotes, for the shell. */
static void quote(char *out, size_t n, const char *s)
{
    size_t o = strlen(out);
    if (o + 1 < n)
        out[o++] = '\'';
    for (; *s && o + 5 < n; s++) {
        if (*s == '\'') {
            memcpy(out + o, "'\\''", 4);
            o += 4;
        } else {
            out[o++] = *s;
        }
    }
    if (o + 1 < n)
        out[o++] = '\'';
    out[o] = 0;
}

/* The library exists and is newer than every source it is built from. */
static int fresh(const vlib_spec_t *spec, const char *lib)
{
    struct stat sl, ss;
    if (stat(lib, &sl) != 0)
        return 0;
    for (size_t i = 0; i < spec->nsrcs; i++) {
        char p[4200];
        if (io_data_path(spec->srcs[i], p, sizeof p) == 0 && stat(p, &ss) == 0 &&
            ss.st_mtime > sl.st_mtime)
            return 0;
    }
    return 1;
}

const void *vlib_open(const vlib_spec_t *spec, void **so, char *err, size_t errlen)
{
    char build[4096], dir[4400], lib[4600], script[4200];
    *so = NULL;
    if (io_build_dir(build, sizeof build) != 0 ||
        io_data_path(spec->script, script, sizeof script) != 0) {
        snprintf(err, errlen, "%s: path too long for the build or data directory", spec->dir);
        return NULL;
    }
    snprintf(dir, sizeof dir, "%s/%s", build, spec->dir);
    snprintf(lib, sizeof lib, "%s/%s", dir, spec->lib);
    if (!fresh(spec, lib)) {
        char cmd[10000] = "";
        quote(cmd, sizeof cmd, script);
        strcat(cmd, " ");
        quote(cmd, sizeof cmd, dir);
        snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s 1>&2", spec->args);
        fprintf(stderr, "rtl: building %s (once per configuration)\n", spec->what);
        const int rc = system(cmd);
        if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
            snprintf(err, errlen, "%s: RTL build failed (see the messages above)", script);
            return NULL;
        }
    }
    *so = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!*so) {
        snprintf(err, errlen, "%s: cannot load: %s", lib, dlerror());
        return NULL;
    }
    const void *(*get)(void);
    *(void **)&get = dlsym(*so, spec->symbol);
    const void *api = get ? get() : NULL;
    if (!api) {
        snprintf(err, errlen, "%s: no %s entry point (rebuild it)", lib, spec->symbol);
        vlib_close(*so);
        *so = NULL;
    }
    return api;
}

void vlib_close(void *so)
{
    if (so)
        dlclose(so);
}

void vlib_fnv(uint64_t *h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        *h ^= (v >> (8 * i)) & 0xff;
        *h *= 0x100000001b3ull;
    }
}
