/* fuzz_hw_yaml.c - libFuzzer harness: a codesim hardware YAML file through
 * hw_load (sim/io/config.h), as codesim run --hw reads it.
 *
 * Property (config.h): a loaded config's hw_canonical() text loads back to
 * the same config, so its canonical text and hash are the same again. */
#include "../../sim/io/config.h"
#include "fuzz_util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[1024], err[512];
    hw_cfg_t hw;
    fuzz_write("hw.yaml", data, size, path, sizeof path);
    if (hw_load(path, &hw, err, sizeof err) != 0) {
        FUZZ_ASSERT(err[0] != '\0');
        hw_free(&hw);
        return 0;
    }
    char *canon = hw_canonical(&hw);
    FUZZ_ASSERT(canon != NULL);
    char again_path[1024], h1[17], h2[17];
    fuzz_write("canonical.yaml", (const uint8_t *)canon, strlen(canon), again_path,
               sizeof again_path);
    hw_cfg_t again;
    FUZZ_ASSERT(hw_load(again_path, &again, err, sizeof err) == 0);
    char *canon2 = hw_canonical(&again);
    FUZZ_ASSERT(canon2 != NULL && strcmp(canon, canon2) == 0);
    hw_hash(&hw, h1);
    hw_hash(&again, h2);
    FUZZ_ASSERT(strcmp(h1, h2) == 0);
    free(canon);
    free(canon2);
    hw_free(&again);
    hw_free(&hw);
    return 0;
}
