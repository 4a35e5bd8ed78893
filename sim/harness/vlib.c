/* vlib.c - build, cache and load Verilated block libraries. */
#include "vlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

const char *vlib_root(void)
{
    const char *r = getenv("CODESIM_ROOT");
    return r && *r ? r : CODESIM_ROOT;
}

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
        snprintf(p, sizeof p, "%s/%s", vlib_root(), spec->srcs[i]);
        if (stat(p, &ss) == 0 && ss.st_mtime > sl.st_mtime)
            return 0;
    }
    return 1;
}

/* Builds the library when needed and returns its table; *so the handle. */
static const vshim_base_t *open_lib(const vlib_spec_t *spec, void **so, char *err, size_t errlen)
{
    char dir[4096], lib[4400], script[4200];
    snprintf(dir, sizeof dir, "%s/%s", vlib_root(), spec->dir);
    snprintf(lib, sizeof lib, "%s/%s", dir, spec->lib);
    snprintf(script, sizeof script, "%s/%s", vlib_root(), spec->script);
    *so = NULL;
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
