/* vlib.c - build, cache and load Verilated block libraries. */
#include "vlib.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../io/paths.h"
#include "../io/spawn.h"

/* Most arguments a build script takes after its output directory
 * (rtl/lut_build.sh: 7). */
#define VLIB_MAX_ARGS 12

/* Runs the spec's build script: argv is the script, the output directory
 * and spec->args split at spaces (numbers the harness formatted, so no
 * quoting is needed; nothing goes through a shell).  The script's output
 * goes to our standard error (the shell's 1>&2), keeping standard output
 * for codesim's report. */
static int build_lib(const vlib_spec_t *spec, const char *script, const char *dir, char *err,
                     size_t errlen)
{
    char args[256];
    const char *argv[VLIB_MAX_ARGS + 3] = {script, dir};
    size_t argc = 2;
    if (snprintf(args, sizeof args, "%s", spec->args) >= (int)sizeof args) {
        snprintf(err, errlen, "%s: too many build arguments", spec->what);
        return -1;
    }
    char *save = NULL;
    for (char *tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        if (argc == VLIB_MAX_ARGS + 2) {
            snprintf(err, errlen, "%s: too many build arguments", spec->what);
            return -1;
        }
        argv[argc++] = tok;
    }
    argv[argc] = NULL;
    fprintf(stderr, "rtl: building %s (once per configuration)\n", spec->what);
    const int rc = io_spawn(argv, NULL, err, errlen);
    if (rc > 0)
        snprintf(err, errlen, "%s: RTL build failed (see the messages above)", script);
    return rc == 0 ? 0 : -1;
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
    char build[PATH_MAX], dir[PATH_MAX], lib[PATH_MAX], script[PATH_MAX];
    *so = NULL;
    if (io_build_dir(build, sizeof build) != 0 ||
        io_data_path(spec->script, script, sizeof script) != 0 ||
        snprintf(dir, sizeof dir, "%s/%s", build, spec->dir) >= (int)sizeof dir ||
        snprintf(lib, sizeof lib, "%s/%s", dir, spec->lib) >= (int)sizeof lib) {
        snprintf(err, errlen, "%s: path too long for the build or data directory (%d bytes at "
                 "most)", spec->dir, PATH_MAX - 1);
        return NULL;
    }
    if (!fresh(spec, lib) && build_lib(spec, script, dir, err, errlen) != 0)
        return NULL;
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
