/* tech.c - the laws over a technology table (tech.h): adders, multipliers
 * and SRAM macros at any width or size.  Tables are read by
 * sim/cost/tech_file.c. */
#include "tech.h"

#include <math.h>
#include <stdint.h>

/* ---- laws ------------------------------------------------------------- */

/* Power law y = y8 * (x/64)^p through (64, y8) and (1024, y32): x is the
 * operand-bit product, 64 for 8x8 and 1024 for 32x32. */
static double mul_law(double y8, double y32, uint32_t a, uint32_t b)
{
    const double p = log(y32 / y8) / log(16.0);
    return y8 * pow((double)a * (double)b / 64.0, p);
}

double tech_mul_pj(const tech_t *t, uint32_t a, uint32_t b)
{
    return mul_law(t->e.int8_mul, t->e.int32_mul, a, b);
}

double tech_mul_um2(const tech_t *t, uint32_t a, uint32_t b)
{
    return mul_law(t->a.int8_mul, t->a.int32_mul, a, b);
}

static double add_law(double y8, double y16, double y32, uint32_t bits)
{
    const double w = bits;
    if (w <= 8) return y8 * w / 8;
    if (w <= 16) return y8 + (y16 - y8) * (w - 8) / 8;
    if (w <= 32) return y16 + (y32 - y16) * (w - 16) / 16;
    return y32 * w / 32;
}

double tech_add_pj(const tech_t *t, uint32_t bits)
{
    return add_law(t->e.int8_add, t->e.int16_add, t->e.int32_add, bits);
}

double tech_add_um2(const tech_t *t, uint32_t bits)
{
    return add_law(t->a.int8_add, t->a.int16_add, t->a.int32_add, bits);
}

double tech_int8_mac_pj(const tech_t *t) { return t->e.int8_mul + t->e.int32_add; }
double tech_fp16_mac_pj(const tech_t *t) { return t->e.fp16_mul + t->e.fp16_add; }

double tech_sram_read_pj_per_byte(const tech_t *t, uint64_t bytes)
{
    const double kib = (bytes ? (double)bytes : 1.0) / 1024.0;
    const tech_point_t *p = t->sram_read;
    size_t i = 0; /* segment p[i]..p[i+1]; end segments extrapolate */
    while (i + 2 < t->sram_points && kib > p[i + 1].kib)
        i++;
    const double slope = log(p[i + 1].pj / p[i].pj) / log(p[i + 1].kib / p[i].kib);
    return p[i].pj * pow(kib / p[i].kib, slope);
}

double tech_sram_write_pj_per_byte(const tech_t *t, uint64_t bytes)
{
    return tech_sram_read_pj_per_byte(t, bytes) * t->sram_write_ratio;
}

double tech_sram_um2(const tech_t *t, uint64_t bytes)
{
    return (double)bytes * 8.0 * t->a.sram_bitcell / t->sram_efficiency;
}
