/* fuzz_model_json.c - libFuzzer harness: a Hugging Face config.json through
 * workload_model_load (sim/io/workload.h -> mapper_model_parse), as codesim
 * run --model reads it.
 *
 * Properties (mapper/model.h): a parsed model has nonzero hidden size,
 * heads, head size, layers and vocabulary, kv_heads dividing heads, and a
 * NUL-terminated name; its parameter count (mapper_model_params) runs. */
#include "../../sim/io/workload.h"
#include "fuzz_util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[1024], err[512];
    mapper_model_t m;
    fuzz_write("config.json", data, size, path, sizeof path);
    if (workload_model_load(path, &m, err, sizeof err) != 0) {
        FUZZ_ASSERT(err[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(m.hidden >= 1 && m.heads >= 1 && m.kv_heads >= 1 && m.head_dim >= 1);
    FUZZ_ASSERT(m.layers >= 1 && m.vocab >= 1);
    FUZZ_ASSERT(m.heads % m.kv_heads == 0);
    FUZZ_ASSERT(memchr(m.name, '\0', sizeof m.name) != NULL);
    mapper_params_t p;
    mapper_model_params(&m, &p);
    return 0;
}
