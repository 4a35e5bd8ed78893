/* textfile.c - reading a whole input file. */
#include "textfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The cap in MiB: CODESIM_MAX_INPUT_MB when set, else the default; 0 when
 * the variable is not a whole number in 1..TEXTFILE_MAX_MB. */
static size_t cap_mb(void)
{
    const char *s = getenv("CODESIM_MAX_INPUT_MB");
    if (!s || !*s)
        return TEXTFILE_DEFAULT_MB;
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || s[0] == '-' || v < 1 || v > TEXTFILE_MAX_MB)
        return 0;
    return (size_t)v;
}

int textfile_check_env(char *err, size_t errlen)
{
    if (cap_mb())
        return 0;
    snprintf(err, errlen, "CODESIM_MAX_INPUT_MB: '%.20s' is not a whole number of MiB in 1..%u",
             getenv("CODESIM_MAX_INPUT_MB"), TEXTFILE_MAX_MB);
    return -1;
}

static char *too_large(const char *path, size_t mb, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: larger than %zu MiB (CODESIM_MAX_INPUT_MB)", path, mb);
    return NULL;
}

char *textfile_read(const char *path, size_t *lenp, char *err, size_t errlen)
{
    const size_t mb = cap_mb();
    if (!mb) {
        snprintf(err, errlen, "%s: CODESIM_MAX_INPUT_MB: '%.20s' is not a whole number of MiB "
                 "in 1..%u", path, getenv("CODESIM_MAX_INPUT_MB"), TEXTFILE_MAX_MB);
        return NULL;
    }
    const size_t max = mb << 20;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    /* A regular file's size is known before reading; a pipe or device is
     * checked as it is read. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
        fclose(f);
        return too_large(path, mb, err, errlen);
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    int nul = 0, over = 0;
    while (buf) {
        /* Never more than one byte past the cap. */
        size_t want = cap - 1 - len;
        if (want > max + 1 - len)
            want = max + 1 - len;
        const size_t got = fread(buf + len, 1, want, f);
        nul = memchr(buf + len, '\0', got) != NULL;
        len += got;
        over = len > max;
        if (nul || over || got < want)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    const int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "%s: cannot read: out of memory", path);
        return NULL;
    }
    if (read_errno && !nul && !over) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(read_errno));
        free(buf);
        return NULL;
    }
    if (nul) {
        snprintf(err, errlen, "%s: contains a NUL byte, not a text file", path);
        free(buf);
        return NULL;
    }
    if (over) {
        free(buf);
        return too_large(path, mb, err, errlen);
    }
    buf[len] = '\0';
    *lenp = len;
    return buf;
}
