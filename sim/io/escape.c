/* escape.c - untrusted text for terminals, CSV, Markdown and HTML (escape.h). */
#include "escape.h"

#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at p (RFC 3629, table 3-7 of
 * Unicode 15: no overlongs, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p)
{
    const unsigned c = p[0];
    unsigned lo = 0x80, hi = 0xbf;
    size_t n;
    if (c >= 0x20 && c < 0x7f)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0; /* control byte, 0x7f, continuation or invalid lead byte */
    }
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

/* Length of the well-formed UTF-8 sequence at p, control bytes included
 * (JSON escapes those itself), or 0 for a byte that starts none. */
static size_t utf8_any_len(const unsigned char *p)
{
    return *p && (*p < 0x20 || *p == 0x7f) ? 1 : utf8_len(p);
}

/* The JSON rule: each byte that is not part of well-formed UTF-8 becomes
 * U+FFFD (EF BF BD), so a name keeps its place and its valid characters. */
char *esc_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = 0;
    for (const unsigned char *q = p; *q;) {
        const size_t k = utf8_any_len(q);
        n += k ? k : 3;
        q += k ? k : 1;
    }
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    while (*p) {
        const size_t k = utf8_any_len(p);
        if (k) {
            memcpy(o, p, k);
            o += k;
            p += k;
        } else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
            p++;
        }
    }
    *o = 0;
    return out;
}

json_t *esc_json_string(const char *s)
{
    char *u = esc_utf8(s);
    json_t *j = u ? json_string(u) : NULL;
    free(u);
    return j;
}

void esc_json(FILE *f, const char *s)
{
    char *u = esc_utf8(s);
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(u ? u : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
    free(u);
}

/* Calls put(ctx, piece, len) for each piece of s in terminal form. */
typedef void (*put_fn)(void *ctx, const char *p, size_t n);

static void walk(const char *s, put_fn put, void *ctx, int md)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        const size_t n = utf8_len(p);
        if (n == 0) {
            char hex[5];
            snprintf(hex, sizeof hex, "\\x%02x", *p);
            put(ctx, hex, 4);
            p++;
            continue;
        }
        if (md && n == 1 && strchr("|<>&", *p)) {
            static const char *const rep[] = {"\\|", "&lt;", "&gt;", "&amp;"};
            const char *r = rep[strchr("|<>&", *p) - "|<>&"];
            put(ctx, r, strlen(r));
        } else {
            put(ctx, (const char *)p, n);
        }
        p += n;
    }
}

typedef struct {
    char *out;
    size_t len, cap;
} buf_t;

static void put_buf(void *ctx, const char *p, size_t n)
{
    buf_t *b = ctx;
    if (b->len + n >= b->cap)
        return; /* cut at a whole piece: never half an escape or a character */
    memcpy(b->out + b->len, p, n);
    b->len += n;
    b->out[b->len] = 0;
}

static void put_file(void *ctx, const char *p, size_t n)
{
    fwrite(p, 1, n, (FILE *)ctx);
}

const char *esc_text(char *out, size_t outlen, const char *s)
{
    if (outlen == 0)
        return out;
    buf_t b = {out, 0, outlen};
    out[0] = 0;
    walk(s, put_buf, &b, 0);
    return out;
}

void esc_term(FILE *f, const char *s)
{
    walk(s, put_file, f, 0);
}

void esc_md(FILE *f, const char *s)
{
    walk(s, put_file, f, 1);
}

void esc_csv(FILE *f, const char *s)
{
    if (!s)
        return;
    /* Spaces or tabs at either end are quoted too (readers that trim
     * unquoted fields, as codesim's workload CSV does, keep them only in
     * quotes), and a leading '#' (a comment line there). */
    const size_t n = strlen(s);
    const int edge = n && (s[0] == ' ' || s[0] == '\t' || s[0] == '#' || s[n - 1] == ' ' ||
                           s[n - 1] == '\t');
    if (!edge && !strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void esc_html(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
                fputs("&#xfffd;", f); /* U+FFFD: HTML 5 forbids these characters */
            else
                fputc(*p, f);
        }
    }
}
