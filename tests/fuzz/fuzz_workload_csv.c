/* fuzz_workload_csv.c - libFuzzer harness: a layer CSV (codesim's GEMM rows
 * or a SCALE-Sim topology of convolution rows) through workload_load
 * (sim/io/workload.h), as codesim run --workload reads it.
 *
 * Properties (workload.h): a loaded workload has at least one layer; every
 * layer's M, N and K are in 1..SYSTOLIC_MAX_GEMM_DIM (their product may
 * exceed 64 bits: systolic_count refuses that before anything runs); its
 * name is NUL-terminated and free of control characters; w_bits is 0..4. */
#include "../../models/systolic.h"
#include "../../sim/io/workload.h"
#include "fuzz_util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[1024], err[512];
    workload_t wl;
    fuzz_write("layers.csv", data, size, path, sizeof path);
    if (workload_load(path, &wl, err, sizeof err) != 0) {
        FUZZ_ASSERT(err[0] != '\0');
        workload_free(&wl);
        return 0;
    }
    FUZZ_ASSERT(wl.count > 0 && wl.text != NULL);
    for (size_t i = 0; i < wl.count; i++) {
        const layer_t *l = &wl.layers[i];
        FUZZ_ASSERT(l->m >= 1 && l->n >= 1 && l->k >= 1);
        FUZZ_ASSERT(l->m <= SYSTOLIC_MAX_GEMM_DIM && l->n <= SYSTOLIC_MAX_GEMM_DIM &&
                    l->k <= SYSTOLIC_MAX_GEMM_DIM);
        FUZZ_ASSERT(memchr(l->name, '\0', sizeof l->name) != NULL);
        for (const char *c = l->name; *c; c++)
            FUZZ_ASSERT((unsigned char)*c >= 0x20 && *c != 0x7f);
        FUZZ_ASSERT(l->w_bits <= 4);
    }
    workload_free(&wl);
    return 0;
}
