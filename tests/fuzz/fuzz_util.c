/* fuzz_util.c - the temporary directory of fuzz_util.h. */
#include "fuzz_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set once, on first use; see fuzz_util.h. */
static char tmpdir[512];

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
    abort();
}

static void remove_dir(void)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

static const char *dir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/codesim-fuzz-XXXXXX", base && *base ? base : "/tmp");
        /* Memory-backed when TMPDIR allows (tests/fuzz/run.sh points it at
         * /dev/shm): on this machine's ext4 a write and read of a small file
         * take 80 us, on tmpfs 30 us, a third of an iteration. */
        if (!mkdtemp(tmpdir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(remove_dir);
    }
    return tmpdir;
}

void fuzz_write(const char *name, const uint8_t *data, size_t size, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", dir(), name);
    /* A new file, not a truncated one: ext4 flushes a file truncated over
     * data on close (auto_da_alloc), 450 us per write. */
    unlink(out);
    FILE *f = fopen(out, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(out);
        abort();
    }
}

void fuzz_copy(const char *rel, const char *name)
{
    char src[1024];
    snprintf(src, sizeof src, "%s/%s", CODESIM_ROOT, rel);
    FILE *f = fopen(src, "rb");
    if (!f) {
        perror(src);
        abort();
    }
    size_t cap = 1 << 16, len = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "fuzz: out of memory copying %s\n", src);
        abort();
    }
    char out[1024];
    fuzz_write(name, buf, len, out, sizeof out);
    free(buf);
}
