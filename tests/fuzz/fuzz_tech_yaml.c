/* fuzz_tech_yaml.c - libFuzzer harness: a technology node file through
 * tech_load (sim/cost/tech_file.h), as codesim area --tech FILE reads it.
 * The shipped 45nm.yaml sits beside the input so that base: 45nm loads.
 *
 * Property (models/tech.h): every loaded value is finite and > 0, and the
 * SRAM law's points have increasing sizes. */
#include "../../sim/cost/tech_file.h"
#include "fuzz_util.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_copy("reports/tech/45nm.yaml", "45nm.yaml");
    return 0;
}

static int positive(double v) { return isfinite(v) && v > 0; }
/* sim/cost/tech_file.c's range for every value but the scale factors. */
static int in_range(double v) { return v >= 1e-12 && v <= 1e12; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[1024], err[512];
    tech_t t;
    fuzz_write("node.yaml", data, size, path, sizeof path);
    if (tech_load(path, &t, err, sizeof err) != 0) {
        FUZZ_ASSERT(err[0] != '\0');
        return 0;
    }
    const double *e = &t.e.int8_add, *e_end = &t.e.lut_read_byte + 1;
    for (; e < e_end; e++)
        FUZZ_ASSERT(in_range(*e));
    const double *a = &t.a.int8_add, *a_end = &t.a.pim_unit + 1;
    for (; a < a_end; a++)
        FUZZ_ASSERT(in_range(*a));
    FUZZ_ASSERT(positive(t.clock_mhz) && positive(t.sram_write_ratio));
    FUZZ_ASSERT(positive(t.sram_efficiency) && t.sram_efficiency <= 1);
    FUZZ_ASSERT(t.sram_points >= 1 && t.sram_points <= TECH_SRAM_POINTS);
    for (size_t i = 0; i < t.sram_points; i++) {
        FUZZ_ASSERT(positive(t.sram_read[i].kib) && positive(t.sram_read[i].pj));
        if (i)
            FUZZ_ASSERT(t.sram_read[i].kib > t.sram_read[i - 1].kib);
    }
    return 0;
}
