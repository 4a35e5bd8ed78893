/* fuzz_dram_trace.c - libFuzzer harness: a DRAM request trace through
 * dram_trace_load (sim/io/dram_trace.h), as codesim dram --trace reads it,
 * with a 1 GiB device so that the capacity check is exercised too.
 *
 * Properties (dram_trace.h): cycles never decrease, every address is below
 * the capacity, line numbers increase, write is 0 or 1. */
#include "../../sim/io/dram_trace.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[1024], err[512];
    dram_trace_t t;
    const uint64_t capacity = (uint64_t)1 << 30;
    fuzz_write("dram.trace", data, size, path, sizeof path);
    if (dram_trace_load(path, capacity, &t, err, sizeof err) != 0) {
        FUZZ_ASSERT(err[0] != '\0');
        dram_trace_free(&t);
        return 0;
    }
    for (size_t i = 0; i < t.n; i++) {
        FUZZ_ASSERT(t.r[i].addr < capacity);
        FUZZ_ASSERT(t.r[i].write <= 1);
        if (i) {
            FUZZ_ASSERT(t.r[i].cycle >= t.r[i - 1].cycle);
            FUZZ_ASSERT(t.r[i].line > t.r[i - 1].line);
        }
    }
    dram_trace_free(&t);
    return 0;
}
