/* fuzz_sweep_yaml.c - libFuzzer harness: a sweep file through sweep_load
 * (sim/explore/sweep.h), as codesim sweep reads it.  The files a sweep names
 * sit beside it: hw.yaml and npu_pim.yaml (configs/), layers.csv
 * (tests/data/tiny.csv), transformer.csv and gpt2.json (traces/), so the
 * corpus's sweeps name them by these short names.
 *
 * Properties (sweep.h): npoints is the product of every parameter's value
 * count and the workload count, at most SWEEP_MAX_POINTS; every point was
 * validated at load, so sweep_point() succeeds for the first, last and a
 * middle index and fails for index npoints. */
#include "../../sim/explore/sweep.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_copy("configs/default.yaml", "hw.yaml");
    fuzz_copy("configs/npu_pim.yaml", "npu_pim.yaml");
    fuzz_copy("tests/data/tiny.csv", "layers.csv");
    fuzz_copy("traces/transformer.csv", "transformer.csv");
    fuzz_copy("traces/models/gpt2.json", "gpt2.json");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[1024], err[512];
    sweep_t sw;
    fuzz_write("sweep.yaml", data, size, path, sizeof path);
    if (sweep_load(path, &sw, err, sizeof err) != 0) {
        FUZZ_ASSERT(err[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(sw.npoints >= 1 && sw.npoints <= SWEEP_MAX_POINTS);
    size_t product = sw.nworkloads;
    for (size_t i = 0; i < sw.nparams; i++)
        product *= sw.params[i].nvalues;
    FUZZ_ASSERT(product == sw.npoints);
    const size_t probe[3] = {0, sw.npoints / 2, sw.npoints - 1};
    sweep_point_t pt;
    for (int i = 0; i < 3; i++)
        FUZZ_ASSERT(sweep_point(&sw, probe[i], &pt, err, sizeof err) == 0);
    FUZZ_ASSERT(sweep_point(&sw, sw.npoints, &pt, err, sizeof err) != 0);
    sweep_free(&sw);
    return 0;
}
