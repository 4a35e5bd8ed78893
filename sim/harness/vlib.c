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

/* Builds the library when needed and returns its table; *so the handle. */
static const vshim_base_t *open_lib(const vlib_spec_t *spec, void **so, char *err, size_t errlen)
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
    const vshim_base_t *(*get)(void);
    *(void **)&get = dlsym(*so, spec->symbol);
    const vshim_base_t *api = get ? get() : NULL;
    if (!api) {
        snprintf(err, errlen, "%s: no %s entry point (rebuild it)", lib, spec->symbol);
        dlclose(*so);
        *so = NULL;
    }
    return api;
}

int vlib_load(const vlib_spec_t *spec, const vshim_base_t *api, vlib_t *v, char *err,
              size_t errlen)
{
    memset(v, 0, sizeof *v);
    v->api = api ? api : open_lib(spec, &v->so, err, errlen);
    if (!v->api)
        return -1;
    v->h = v->api->create();
    if (!v->h) {
        snprintf(err, errlen, "%s: cannot create an instance (out of memory)", spec->what);
        vlib_unload(v);
        return -1;
    }
    return 0;
}

void vlib_unload(vlib_t *v)
{
    if (v->h)
        v->api->destroy(v->h);
    if (v->so)
        dlclose(v->so);
    memset(v, 0, sizeof *v);
}
