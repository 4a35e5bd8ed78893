/* escape.h - writing untrusted text (names from input files, from a database
 * someone else merged, command-line arguments echoed in errors) so that it
 * cannot drive a terminal, break a CSV row or a Markdown table, or carry
 * live HTML.  One place for the rules:
 *
 *   terminal / error text: bytes below 0x20, 0x7f and bytes that are not part
 *     of well-formed UTF-8 (RFC 3629) are written as \xNN; valid UTF-8 passes.
 *   CSV (RFC 4180): a field holding a comma, double quote, CR or LF,
 *     starting or ending with a space or tab, or starting with '#' (a
 *     comment in codesim's workload CSV), is enclosed in double quotes, with
 *     each double quote doubled.
 *   Markdown table cell: as terminal text, plus '|' as "\|" and '<', '>', '&'
 *     as HTML entities (Markdown renders inline HTML).
 *   HTML text or attribute: '<', '>', '&', '"' as entities, control bytes as
 *     &#xNN; (a replacement for what HTML 5 forbids).
 *   JSON string (every JSON writer: --json, --timeline, report's specs):
 *     each byte that is not part of well-formed UTF-8 (stray continuation
 *     bytes, overlong forms, surrogates, bytes 0xf5-0xff) becomes U+FFFD,
 *     one per byte; valid UTF-8 passes; '"', '\\' and control bytes are
 *     escaped as JSON requires. */
#ifndef CODESIM_ESCAPE_H
#define CODESIM_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Terminal form of s (NULL as "") into out, cut to outlen; returns out. */
const char *esc_text(char *out, size_t outlen, const char *s);
void esc_term(FILE *f, const char *s);
void esc_csv(FILE *f, const char *s);
void esc_md(FILE *f, const char *s);
void esc_html(FILE *f, const char *s);
/* s with invalid UTF-8 bytes as U+FFFD, malloc'd (NULL when out of memory). */
char *esc_utf8(const char *s);
/* A jansson string of esc_utf8(s) (NULL only when out of memory). */
json_t *esc_json_string(const char *s);
/* s as a quoted JSON string under the same rule. */
void esc_json(FILE *f, const char *s);

#endif
