/* numfmt.h - operand number formats of the matrix engines: two's-complement
 * integers and 3-8 bit minifloats.
 *
 * A minifloat ExMy has 1 sign bit, e exponent bits and m mantissa bits
 * (1 + e + m = 3..8), bias 2^(e-1) - 1, and subnormals when the exponent
 * field is 0 (value (-1)^s * 0.M * 2^(1-bias)); otherwise
 * (-1)^s * 1.M * 2^(E-bias).  Which codes are special depends on the rule:
 *
 *   NUMFMT_OCP_E4M3  fp8 E4M3 of the OCP 8-bit Floating Point Specification
 *                    (OFP8) rev 1.0, 2023, Table 1: no infinities; only
 *                    S.1111.111 is NaN, so E = 15 is an ordinary binade;
 *                    max normal 448, min subnormal 2^-9.
 *   NUMFMT_IEEE      fp8 E5M2 of the same specification (IEEE 754 rules):
 *                    E = all ones is Inf (M = 0) or NaN (M != 0); max
 *                    normal 57344, min subnormal 2^-16.
 *   NUMFMT_FINITE    every other ExMy: all codes are finite numbers (no Inf,
 *                    no NaN), as the OCP Microscaling (MX) Formats
 *                    Specification v1.0, 2023, sec. 5.3, defines its FP6
 *                    (E2M3, E3M2) and FP4 (E2M1) element types.
 *
 * The engines multiply minifloats exactly and accumulate in fixed point
 * (a Kulisch-style accumulator): value = sig * 2^(q + off) with the format's
 * LSB exponent q = 1 - bias - m, an integer significand sig (|sig| <
 * 2^(m+1)) and a shift off = max(E, 1) - 1.  The product of an A and a B
 * operand is then sig_a * sig_b << (off_a + off_b) in units of 2^(q_a + q_b),
 * an integer; the accumulator keeps it modulo 2^acc_bits.  NaN and Inf
 * operands cannot be held by a fixed-point accumulator: they count as 0
 * (the model and the RTL agree; a real design would raise a flag).
 */
#ifndef CODESIM_NUMFMT_H
#define CODESIM_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { NUMFMT_FINITE = 0, NUMFMT_OCP_E4M3 = 1, NUMFMT_IEEE = 2 } numfmt_rule_t;

/* e == 0: integer (two's complement, width given by the engine's *_bits). */
typedef struct {
    uint8_t e, m;          /* exponent and mantissa bits */
    uint8_t rule;          /* numfmt_rule_t */
} numfmt_t;

#define NUMFMT_MAX_BITS 8u

/* "int", "e4m3" / "fp8_e4m3" (OCP), "e5m2" / "fp8_e5m2" (OCP), or "eXmY"
 * with X in 1..5, Y >= 1 and 1 + X + Y in 3..8 (all codes finite).  0, or -1 with a reason. */
int numfmt_parse(const char *s, numfmt_t *out, char *err, size_t errlen);
/* Canonical name ("int", "e4m3", "e5m2", "e3m2", ...) into buf. */
void numfmt_name(const numfmt_t *f, char *buf, size_t size);

/* The operand pair of a block with formats (the array, the tensor engines):
 * formats and widths, as the hardware-file keys set them. */
typedef struct {
    numfmt_t *in_fmt, *w_fmt;
    uint32_t *in_bits, *w_bits;
    uint32_t max_bits;          /* widest integer operand */
} numfmt_operands_t;

/* Sets one of the keys format (both operands: intN or a minifloat),
 * in_format or w_format (int, intN or a minifloat) on o.  A minifloat also
 * sets the operand's width, intN sets it to N.  0, or -1 with err
 * "KEY: reason"; key must be one of the three. */
int numfmt_set_key(const numfmt_operands_t *o, const char *key, const char *val, char *err,
                   size_t errlen);

/* Checks a pair of operand formats against their widths: both integer or
 * both minifloat, each minifloat 3..NUMFMT_MAX_BITS bits with 1..5 exponent
 * bits, and its width equal to its bits.  0, or -1 with err. */
int numfmt_check_operands(const numfmt_t *in_fmt, const numfmt_t *w_fmt, uint32_t in_bits,
                          uint32_t w_bits, char *err, size_t errlen);
static inline int numfmt_is_float(const numfmt_t *f) { return f->e != 0; }
static inline uint32_t numfmt_bits(const numfmt_t *f) { return 1u + f->e + f->m; }
int numfmt_bias(const numfmt_t *f);
/* LSB exponent q = 1 - bias - m. */
int numfmt_lsb_exp(const numfmt_t *f);

/* Decoded operand as the PE sees it.  cls: 0 finite, 1 Inf, 2 NaN (sig =
 * 0 then). */
typedef struct {
    int32_t sig;           /* signed significand, |sig| < 2^(m+1) */
    uint32_t off;          /* shift above q, 0 .. 2^e - 2 */
    int cls;
} numfmt_dec_t;
void numfmt_decode(const numfmt_t *f, uint32_t code, numfmt_dec_t *d);

/* The PE operand register of a minifloat engine: off << 8 | (sig & 0xff),
 * 14 bits at most; both the model and rtl/systolic.v use this packing. */
int16_t numfmt_pack(const numfmt_t *f, uint32_t code);
/* Product of two packed operands modulo 2^32, in units of 2^(q_a + q_b). */
static inline uint32_t numfmt_packed_mul(int16_t x, int16_t y)
{
    const int32_t s = (int32_t)(int8_t)(x & 0xff) * (int8_t)(y & 0xff);
    const uint32_t sh = ((uint32_t)x >> 8) + ((uint32_t)y >> 8);
    return sh >= 32 ? 0u : (uint32_t)s << sh;
}

/* Two's-complement bits that hold every product exactly: 1 + sum over A, B
 * of (m + 1 + max off); a K-long reduction needs ceil(log2 K) more. */
uint32_t numfmt_product_bits(const numfmt_t *a, const numfmt_t *b);

/* Reference decoding straight from the specification's formula (independent
 * of numfmt_decode): the value as a double (exact for <= 8 bits), and cls as
 * numfmt_dec_t's. */
double numfmt_ref_value(const numfmt_t *f, uint32_t code, int *cls);

#ifdef __cplusplus
}
#endif
#endif
