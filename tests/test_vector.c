/* test_vector.c - the vector unit's closed form against a beat-by-beat
 * simulation of its pipeline. */
#include <string.h>

#include "../models/vector.h"
#include "tests.h"

/* Issues one beat per cycle; a pass that follows a reduction waits until the
 * reduction's last beat has left the pipeline and the adder tree. */
static uint64_t simulate(const vector_cfg_t *cfg, vector_op_t op, uint64_t rows, uint64_t cols)
{
    uint32_t passes, barriers, tree = 0;
    vector_op_shape(op, &passes, &barriers);
    while ((1u << tree) < cfg->lanes)
        tree++;
    uint64_t t = 0, last_out = 0;
    for (uint64_t r = 0; r < rows; r++) {
        for (uint32_t p = 0; p < passes; p++) {
            const int reduces = p < barriers; /* the first `barriers` passes reduce */
            for (uint64_t c = 0; c < cols; c += cfg->lanes) {
                last_out = t + cfg->latency; /* this beat's result */
                t++;
            }
            if (reduces)
                t = last_out + tree; /* next pass needs the reduced value */
        }
    }
    return last_out;
}

START_TEST(closed_form_equals_beat_simulation)
{
    static const vector_cfg_t cfgs[] = {{1, 1}, {8, 4}, {16, 7}, {64, 12}, {128, 3}};
    static const uint64_t shapes[][2] = {{1, 1}, {1, 100}, {7, 64}, {32, 4096}, {3, 129}};
    for (size_t c = 0; c < sizeof cfgs / sizeof cfgs[0]; c++)
        for (int op = 0; op < VECTOR_OPS; op++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                ck_assert_uint_eq(vector_cycles(&cfgs[c], (vector_op_t)op, shapes[s][0], shapes[s][1]),
                                  simulate(&cfgs[c], (vector_op_t)op, shapes[s][0], shapes[s][1]));
}
END_TEST

START_TEST(hand_counted_softmax)
{
    /* 2 rows of 32 on 16 lanes, latency 4: per row 3 passes of 2 beats, and 2
     * barriers that each hold issue for 4 + log2(16) - 1 = 7 extra cycles ->
     * 20 per row, 40 for both; the last beat issues at cycle 39 and its
     * result exists at 39 + 4 = 43. */
    const vector_cfg_t cfg = {16, 4};
    ck_assert_uint_eq(vector_cycles(&cfg, VECTOR_SOFTMAX, 2, 32), 43);
}
END_TEST

START_TEST(bad_config_names_the_field)
{
    char err[64];
    vector_cfg_t cfg = {0, 4};
    ck_assert_int_eq(vector_cfg_check(&cfg, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "lanes"));
    cfg = (vector_cfg_t){16, 0};
    ck_assert_int_eq(vector_cfg_check(&cfg, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "latency"));
}
END_TEST

Suite *vector_suite(void)
{
    Suite *s = suite_create("vector");
    TCase *tc = tcase_create("timing");
    tcase_add_test(tc, closed_form_equals_beat_simulation);
    tcase_add_test(tc, hand_counted_softmax);
    tcase_add_test(tc, bad_config_names_the_field);
    suite_add_tcase(s, tc);
    return s;
}
