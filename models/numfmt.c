/* numfmt.c - operand number formats (numfmt.h). */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int numfmt_parse(const char *s, numfmt_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (strcmp(s, "int") == 0)
        return 0;
    if (strncmp(s, "fp8_", 4) == 0 && (!strcmp(s + 4, "e4m3") || !strcmp(s + 4, "e5m2")))
        s += 4;
    unsigned e = 0, m = 0;
    int used = 0;
    if (sscanf(s, "e%1um%1u%n", &e, &m, &used) != 2 || s[used] != '\0') {
        snprintf(err, errlen, "'%s' is not a format (int, e4m3, e5m2, or eXmY with 1+X+Y in 3..8)",
                 s);
        return -1;
    }
    /* X <= 5: an E6M1 product spans 129 bits, past the 128-bit reference. */
    if (e < 1 || e > 5 || m < 1 || 1 + e + m < 3 || 1 + e + m > NUMFMT_MAX_BITS) {
        snprintf(err, errlen, "'%s': needs X in 1..5, Y >= 1 and 1+X+Y in 3..%u bits", s,
                 NUMFMT_MAX_BITS);
        return -1;
    }
    out->e = (uint8_t)e;
    out->m = (uint8_t)m;
    out->rule = e == 4 && m == 3 ? NUMFMT_OCP_E4M3 : e == 5 && m == 2 ? NUMFMT_IEEE : NUMFMT_FINITE;
    return 0;
}

int numfmt_set_key(const numfmt_operands_t *o, const char *key, const char *val, char *err,
                   size_t errlen)
{
    const int both = strcmp(key, "format") == 0, w = strcmp(key, "w_format") == 0;
    unsigned bits = 0;
    int used = 0;
    if (sscanf(val, "int%2u%n", &bits, &used) == 1 && val[used] == '\0') {
        if (bits < 1 || bits > o->max_bits) {
            snprintf(err, errlen, "%s: '%s': integers have 1..%u bits", key, val, o->max_bits);
            return -1;
        }
        if (both || !w) {
            memset(o->in_fmt, 0, sizeof *o->in_fmt);
            *o->in_bits = bits;
        }
        if (both || w) {
            memset(o->w_fmt, 0, sizeof *o->w_fmt);
            *o->w_bits = bits;
        }
        return 0;
    }
    if (both && strcmp(val, "int") == 0) {
        snprintf(err, errlen, "format: say intN (int8, int4, ...)");
        return -1;
    }
    numfmt_t f;
    char why[160];
    if (numfmt_parse(val, &f, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: %s", key, why);
        return -1;
    }
    if (both || !w) {
        *o->in_fmt = f;
        if (numfmt_is_float(&f))
            *o->in_bits = numfmt_bits(&f);
    }
    if (both || w) {
        *o->w_fmt = f;
        if (numfmt_is_float(&f))
            *o->w_bits = numfmt_bits(&f);
    }
    return 0;
}

int numfmt_check_operands(const numfmt_t *fa, const numfmt_t *fb, uint32_t in_bits,
                          uint32_t w_bits, char *err, size_t errlen)
{
    if (numfmt_is_float(fa) != numfmt_is_float(fb)) {
        char a[16], b[16];
        numfmt_name(fa, a, sizeof a);
        numfmt_name(fb, b, sizeof b);
        snprintf(err, errlen, "%s: in_format is %s and w_format %s: integer and minifloat operands "
                 "cannot be mixed: give both operands a minifloat format",
                 numfmt_is_float(fa) ? "w_format" : "in_format", a, b);
        return -1;
    }
    for (int i = 0; i < 2 && numfmt_is_float(fa); i++) {
        const numfmt_t *f = i ? fb : fa;
        const uint32_t bits = i ? w_bits : in_bits;
        if (f->e > 5 || f->m < 1 || numfmt_bits(f) > NUMFMT_MAX_BITS || numfmt_bits(f) < 3) {
            snprintf(err, errlen, "%s: a minifloat has 3..%u bits, 1..5 of exponent and 1 or more "
                     "of mantissa", i ? "w_format" : "in_format", NUMFMT_MAX_BITS);
            return -1;
        }
        if (bits != numfmt_bits(f)) {
            snprintf(err, errlen, "%s: %u, but the %s has %u bits", i ? "w_bits" : "in_bits", bits,
                     i ? "w_format" : "in_format", numfmt_bits(f));
            return -1;
        }
    }
    return 0;
}

void numfmt_name(const numfmt_t *f, char *buf, size_t size)
{
    if (!numfmt_is_float(f))
        snprintf(buf, size, "int");
    else
        snprintf(buf, size, "e%um%u", f->e, f->m);
}

int numfmt_bias(const numfmt_t *f) { return (1 << (f->e - 1)) - 1; }

int numfmt_lsb_exp(const numfmt_t *f) { return 1 - numfmt_bias(f) - f->m; }

void numfmt_decode(const numfmt_t *f, uint32_t code, numfmt_dec_t *d)
{
    const uint32_t m = code & ((1u << f->m) - 1);
    const uint32_t E = (code >> f->m) & ((1u << f->e) - 1);
    const uint32_t s = (code >> (f->e + f->m)) & 1u;
    const uint32_t eall = (1u << f->e) - 1, mall = (1u << f->m) - 1;
    d->cls = 0;
    if (f->rule == NUMFMT_IEEE && E == eall)
        d->cls = m ? 2 : 1;
    else if (f->rule == NUMFMT_OCP_E4M3 && E == eall && m == mall)
        d->cls = 2;
    if (d->cls) {
        d->sig = 0;
        d->off = 0;
        return;
    }
    const int32_t mag = (int32_t)(E ? (1u << f->m) | m : m);
    d->sig = s ? -mag : mag;
    d->off = E ? E - 1 : 0;
}

int16_t numfmt_pack(const numfmt_t *f, uint32_t code)
{
    numfmt_dec_t d;
    numfmt_decode(f, code, &d);
    return (int16_t)((d.off << 8) | ((uint32_t)d.sig & 0xffu));
}

static uint32_t max_off(const numfmt_t *f)
{
    const uint32_t eall = (1u << f->e) - 1;
    /* The largest finite exponent field: all ones except under IEEE rules. */
    return (f->rule == NUMFMT_IEEE ? eall - 1 : eall) - 1;
}

uint32_t numfmt_product_bits(const numfmt_t *a, const numfmt_t *b)
{
    return 1 + (a->m + 1 + max_off(a)) + (b->m + 1 + max_off(b));
}

double numfmt_ref_value(const numfmt_t *f, uint32_t code, int *cls)
{
    /* OFP8 rev 1.0 sec. 5 / IEEE 754: fields S | E | M, bias 2^(e-1)-1. */
    const unsigned S = (code >> (f->e + f->m)) & 1u;
    const unsigned E = (code >> f->m) % (1u << f->e);
    const unsigned M = code % (1u << f->m);
    const int bias = (1 << (f->e - 1)) - 1;
    *cls = 0;
    if (f->rule == NUMFMT_IEEE && E == (1u << f->e) - 1) {
        *cls = M == 0 ? 1 : 2;
        return M == 0 ? (S ? -INFINITY : INFINITY) : NAN;
    }
    if (f->rule == NUMFMT_OCP_E4M3 && E == 15 && M == 7) {
        *cls = 2;
        return NAN;
    }
    const double frac = (double)M / (double)(1u << f->m);
    const double v = E == 0 ? ldexp(frac, 1 - bias) : ldexp(1.0 + frac, (int)E - bias);
    return S ? -v : v;
}
