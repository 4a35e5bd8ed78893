/* test_workload.c - layer CSVs: the GEMM form and SCALE-Sim's conv form
 * (converted to GEMMs by hand here), and every bad input giving -1 with
 * "FILE:LINE: FIELD: reason". */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../models/systolic.h"
#include "../sim/io/escape.h"
#include "../sim/io/workload.h"
#include "tests.h"

static char scratch[64];

static void scratch_setup(void)
{
    test_tmpdir(scratch, sizeof scratch, "wl");
}

static void scratch_teardown(void)
{
    test_rmtree(scratch);
}

static void write_file(char path[256], const char *name, const char *text)
{
    snprintf(path, 256, "%s/%s", scratch, name);
    test_write(path, text);
}

/* A file shipped in the source tree (see test_config.c). */
static void src_path(char out[256], const char *rel)
{
#ifdef CODESIM_ROOT
    snprintf(out, 256, "%s/%s", CODESIM_ROOT, rel);
#else
    const char *f = __FILE__, *t = strstr(f, "tests/test_workload.c");
    snprintf(out, 256, "%.*s%s", t ? (int)(t - f) : 0, f, rel);
#endif
}

static void load_ok(const char *text, workload_t *wl)
{
    char path[256], err[256] = "";
    write_file(path, "ok.csv", text);
    ck_assert_msg(workload_load(path, wl, err, sizeof err) == 0, "workload_load: %s", err);
    ck_assert_str_eq(wl->text, text);
}

static void assert_layer(const layer_t *l, const char *name, uint64_t m, uint64_t n, uint64_t k,
                         unsigned line)
{
    ck_assert_str_eq(l->name, name);
    ck_assert_uint_eq(l->m, m);
    ck_assert_uint_eq(l->n, n);
    ck_assert_uint_eq(l->k, k);
    ck_assert_uint_eq(l->line, line);
}

/* Expects -1 and an error starting "PATH:LINE: FIELD: " (no line when 0, no
 * field when NULL) that contains word. */
static void expect_error(const char *text, unsigned line, const char *field, const char *word)
{
    char path[256], err[256] = "", want[400];
    workload_t wl;
    write_file(path, "bad.csv", text);
    ck_assert_int_eq(workload_load(path, &wl, err, sizeof err), -1);
    if (line)
        snprintf(want, sizeof want, "%s:%u: %s%s", path, line, field ? field : "", field ? ": " : "");
    else
        snprintf(want, sizeof want, "%s: %s%s", path, field ? field : "", field ? ": " : "");
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "error '%s' does not start '%s'", err, want);
    ck_assert_msg(strstr(err, word) != NULL, "error '%s' lacks '%s'", err, word);
    ck_assert_msg(strchr(err, '\n') == NULL, "error '%s' is more than one line", err);
    ck_assert_ptr_null(wl.layers);
    ck_assert_ptr_null(wl.text);
    ck_assert_uint_eq(wl.count, 0);
}

#define CONV_HEADER "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"

/* ---- good input ------------------------------------------------------------------- */

START_TEST(gemm_rows_load_with_or_without_trailing_comma)
{
    workload_t wl;
    load_ok("Layer,M,N,K,\n"
            "fc1,1,4096,9216,\n"
            "fc2, 2 , 3 , 4\n"
            "\n"
            "# a comment row\n"
            "  fc 3 ,5,6,7,\n",
            &wl);
    ck_assert_uint_eq(wl.count, 3);
    assert_layer(&wl.layers[0], "fc1", 1, 4096, 9216, 2);
    assert_layer(&wl.layers[1], "fc2", 2, 3, 4, 3);
    assert_layer(&wl.layers[2], "fc 3", 5, 6, 7, 6);
    workload_free(&wl);
    ck_assert_ptr_null(wl.layers);
    ck_assert_ptr_null(wl.text);
}
END_TEST

START_TEST(header_names_ignore_case_and_spaces)
{
    workload_t wl;
    load_ok("# comments may come before the header\n layer name , m,N , k\nx,1,2,3\n", &wl);
    ck_assert_uint_eq(wl.count, 1);
    assert_layer(&wl.layers[0], "x", 1, 2, 3, 3);
    workload_free(&wl);
}
END_TEST

START_TEST(crlf_line_endings_and_bom_are_accepted)
{
    workload_t wl;
    load_ok("\xef\xbb\xbfLayer,M,N,K\r\na,1,2,3\r\nb,4,5,6,\r\n", &wl);
    ck_assert_uint_eq(wl.count, 2);
    assert_layer(&wl.layers[1], "b", 4, 5, 6, 3);
    workload_free(&wl);
}
END_TEST

START_TEST(many_rows_all_load)
{
    char *text = malloc(100000);
    size_t n = (size_t)sprintf(text, "Layer,M,N,K,\n");
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(text + n, "l%d,%d,%d,%d,\n", i, i + 1, 2 * i + 1, 3 * i + 1);
    workload_t wl;
    load_ok(text, &wl);
    ck_assert_uint_eq(wl.count, 1000);
    assert_layer(&wl.layers[999], "l999", 1000, 1999, 2998, 1001);
    workload_free(&wl);
    free(text);
}
END_TEST

START_TEST(conv_rows_become_gemms_as_in_scalesim)
{
    workload_t wl;
    load_ok(CONV_HEADER
            /* E = (230-7)/2+1 = 112: M = 112*112 = 12544, N = 64, K = 7*7*3 = 147 */
            "conv1, 230, 230, 7, 7, 3, 64, 2,\n"
            /* E_h = (10-3)/1+1 = 8, E_w = (7-3)/1+1 = 5: M = 40, N = 16, K = 3*3*2 = 18 */
            "rect, 10, 7, 3, 3, 2, 16, 1,\n"
            /* stride leaves a remainder: E = (5-2)/2+1 = 2 (rounded down): M = 4, K = 2*2*1 */
            "edge, 5, 5, 2, 2, 1, 1, 2,\n"
            /* filter as large as the ifmap: one output pixel, K = 7*5*8 = 280 */
            "full, 7, 5, 7, 5, 8, 3, 1\n"
            /* 1x1 conv with stride 1: M = 56*56 = 3136, K = 64 */
            "pw, 56, 56, 1, 1, 64, 256, 1,\n",
            &wl);
    ck_assert_uint_eq(wl.count, 5);
    assert_layer(&wl.layers[0], "conv1", 12544, 64, 147, 2);
    assert_layer(&wl.layers[1], "rect", 40, 16, 18, 3);
    assert_layer(&wl.layers[2], "edge", 4, 1, 4, 4);
    assert_layer(&wl.layers[3], "full", 1, 3, 280, 5);
    assert_layer(&wl.layers[4], "pw", 3136, 256, 64, 6);
    workload_free(&wl);
}
END_TEST

/* Depthwise: each output channel sums Fh x Fw products of its own input
 * channel only, so a 3-channel 3x3 "DP" row is 3 layers of K = 9 (dense it
 * would be one layer of K = 27).  Names and split follow SCALE-Sim's
 * topology_utils.py, so SCALE-Sim accounting sees the same layers. */
START_TEST(depthwise_dp_rows_split_per_channel)
{
    workload_t wl;
    load_ok(CONV_HEADER
            /* E = (9-3)/1+1 = 7: M = 49 per channel */
            "ConvDP, 9, 9, 3, 3, 3, 1, 1,\n"
            "after, 9, 9, 3, 3, 3, 2, 1,\n",
            &wl);
    ck_assert_uint_eq(wl.count, 4);
    assert_layer(&wl.layers[0], "ConvDPChannel_0", 49, 1, 9, 2);
    assert_layer(&wl.layers[1], "ConvDPChannel_1", 49, 1, 9, 2);
    assert_layer(&wl.layers[2], "ConvDPChannel_2", 49, 1, 9, 2);
    ck_assert_uint_eq(wl.layers[2].shape.channels, 1);
    assert_layer(&wl.layers[3], "after", 49, 2, 27, 3); /* no DP: dense */
    workload_free(&wl);
}
END_TEST

START_TEST(dimensions_up_to_the_array_limit_are_accepted)
{
    workload_t wl;
    load_ok("Layer,M,N,K\nbig,16777216,1,16777216\n", &wl);
    ck_assert_uint_eq(wl.layers[0].m, SYSTOLIC_MAX_GEMM_DIM);
    workload_free(&wl);
}
END_TEST

START_TEST(layer_name_of_63_characters_fits)
{
    workload_t wl;
    load_ok("Layer,M,N,K\n012345678901234567890123456789012345678901234567890123456789012,1,1,1\n",
            &wl);
    ck_assert_uint_eq(strlen(wl.layers[0].name), 63);
    workload_free(&wl);
}
END_TEST

START_TEST(shipped_transformer_trace_is_one_gpt2_small_block)
{
    char path[256], err[256] = "";
    workload_t wl;
    src_path(path, "traces/transformer.csv");
    ck_assert_msg(workload_load(path, &wl, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(wl.count, 6);
    /* 512 tokens, d_model 768, 12 heads of 64, d_ff 3072 */
    ck_assert_str_eq(wl.layers[0].name, "qkv_proj");
    ck_assert_uint_eq(wl.layers[0].m, 512);
    ck_assert_uint_eq(wl.layers[0].n, 3 * 768);
    ck_assert_uint_eq(wl.layers[0].k, 768);
    ck_assert_str_eq(wl.layers[1].name, "attn_scores_h0");
    ck_assert_uint_eq(wl.layers[1].n, 512);
    ck_assert_uint_eq(wl.layers[1].k, 768 / 12);
    ck_assert_str_eq(wl.layers[2].name, "attn_context_h0");
    ck_assert_uint_eq(wl.layers[2].n, 64);
    ck_assert_uint_eq(wl.layers[2].k, 512);
    ck_assert_str_eq(wl.layers[3].name, "attn_out_proj");
    ck_assert_uint_eq(wl.layers[3].n * wl.layers[3].k, 768 * 768);
    ck_assert_str_eq(wl.layers[4].name, "ffn_up");
    ck_assert_uint_eq(wl.layers[4].n, 3072);
    ck_assert_uint_eq(wl.layers[4].k, 768);
    ck_assert_str_eq(wl.layers[5].name, "ffn_down");
    ck_assert_uint_eq(wl.layers[5].n, 768);
    ck_assert_uint_eq(wl.layers[5].k, 3072);
    workload_free(&wl);
}
END_TEST

START_TEST(shipped_scalesim_conv_trace_loads)
{
    char path[256], err[256] = "";
    workload_t wl;
    src_path(path, "traces/scalesim_conv.csv");
    ck_assert_msg(workload_load(path, &wl, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_ge(wl.count, 3);
    assert_layer(&wl.layers[0], "conv1", 112 * 112, 64, 7 * 7 * 3, 2);
    workload_free(&wl);
}
END_TEST

static void assert_weights(const layer_t *l, uint32_t w_bits, lut_wq_t wq)
{
    ck_assert_msg(l->w_bits == w_bits && (w_bits == 0 || l->wq == wq),
                  "%s: w_bits %u wq %d, want %u %d", l->name, l->w_bits, (int)l->wq, w_bits,
                  (int)wq);
}

START_TEST(weight_width_columns_are_optional_and_default_to_zp)
{
    workload_t wl;
    load_ok("Layer,M,N,K,w_bits,wq\n"
            "a,1,2,3,1,sym\n"
            "b,1,2,3,2,zp\n"
            "c,1,2,3,3,\n"          /* wq empty: zp */
            "d,1,2,3,4\n"           /* wq left off */
            "e,1,2,3,ternary,\n"
            "f,1,2,3,,\n"           /* int8 */
            "g,1,2,3\n"             /* both left off: int8 */
            "h,1,2,3, 2 , sym ,\n", /* spaces and a trailing comma */
            &wl);
    ck_assert_uint_eq(wl.count, 8);
    assert_layer(&wl.layers[0], "a", 1, 2, 3, 2);
    assert_weights(&wl.layers[0], 1, LUT_WQ_SYM);
    assert_weights(&wl.layers[1], 2, LUT_WQ_ZP);
    assert_weights(&wl.layers[2], 3, LUT_WQ_ZP);
    assert_weights(&wl.layers[3], 4, LUT_WQ_ZP);
    assert_weights(&wl.layers[4], 2, LUT_WQ_TERNARY); /* ternary: two bit-planes */
    assert_weights(&wl.layers[5], 0, LUT_WQ_ZP);
    assert_weights(&wl.layers[6], 0, LUT_WQ_ZP);
    assert_layer(&wl.layers[7], "h", 1, 2, 3, 9);
    assert_weights(&wl.layers[7], 2, LUT_WQ_SYM);
    workload_free(&wl);

    /* Any order after Layer, any case in the header, trailing commas; w_bits
     * alone. */
    load_ok("Layer,W_BITS,M,N,K,\nx,ternary,4,5,6,\ny,,7,8,9,\n", &wl);
    assert_layer(&wl.layers[0], "x", 4, 5, 6, 2);
    assert_weights(&wl.layers[0], 2, LUT_WQ_TERNARY);
    assert_weights(&wl.layers[1], 0, LUT_WQ_ZP);
    workload_free(&wl);
    load_ok("Layer,wq,w_bits,M,N,K\nx,sym,3,4,5,6\n", &wl);
    assert_weights(&wl.layers[0], 3, LUT_WQ_SYM);
    workload_free(&wl);

    /* Files without the columns are int8 throughout. */
    load_ok("Layer,M,N,K,\nx,1,2,3,\n", &wl);
    assert_weights(&wl.layers[0], 0, LUT_WQ_ZP);
    workload_free(&wl);
}
END_TEST

START_TEST(shipped_lowbit_trace_has_each_width_and_one_int8_layer)
{
    char path[256], err[256] = "";
    workload_t wl;
    src_path(path, "traces/lowbit.csv");
    ck_assert_msg(workload_load(path, &wl, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(wl.count, 6);
    /* LLaMA-7B's d_model 4096 and d_ff 11008 divided by 8, 32 tokens */
    assert_layer(&wl.layers[0], "q_proj_w1", 32, 512, 512, 9);
    assert_weights(&wl.layers[0], 1, LUT_WQ_SYM);
    assert_weights(&wl.layers[1], 2, LUT_WQ_ZP);
    assert_layer(&wl.layers[2], "ffn_gate_ternary", 32, 11008 / 8, 512, 11);
    assert_weights(&wl.layers[2], 2, LUT_WQ_TERNARY);
    assert_weights(&wl.layers[3], 2, LUT_WQ_TERNARY);
    assert_layer(&wl.layers[4], "ffn_down_w4", 32, 512, 11008 / 8, 13);
    assert_weights(&wl.layers[4], 4, LUT_WQ_ZP);
    assert_layer(&wl.layers[5], "lm_head_int8", 32, 1000, 512, 14);
    assert_weights(&wl.layers[5], 0, LUT_WQ_ZP);
    workload_free(&wl);
}
END_TEST

/* ---- bad input ---------------------------------------------------------------------- */

START_TEST(missing_file_gives_cannot_open)
{
    char err[256] = "";
    workload_t wl;
    ck_assert_int_eq(workload_load("/nonexistent/w.csv", &wl, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/w.csv: cannot open: No such file or directory");
    ck_assert_ptr_null(wl.layers);
}
END_TEST

START_TEST(empty_file_has_no_header)
{
    expect_error("", 0, NULL, "no header");
    expect_error("# only comments\n\n", 0, NULL, "no header");
}
END_TEST

START_TEST(header_without_rows_has_no_layers)
{
    char path[256], err[256] = "", want[300];
    workload_t wl;
    write_file(path, "bad.csv", "Layer,M,N,K,\n\n# nothing\n");
    ck_assert_int_eq(workload_load(path, &wl, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: no layers", path);
    ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(unknown_header_column_is_an_error)
{
    expect_error("Layer,Rows,Cols,Depth\n", 1, "Rows", "unknown column");
    expect_error("Name,M,N,K\n", 1, "Name", "unknown column");
}
END_TEST

START_TEST(extra_column_is_rejected_by_name)
{
    expect_error("Layer,M,N,K,W bits,\na,1,2,3,8,\n", 1, "W bits", "unknown column");
    expect_error("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                 "Num Filter, Strides, Stride width,\n",
                 1, "Stride width", "unknown column");
}
END_TEST

START_TEST(header_mixing_forms_or_missing_columns_is_an_error)
{
    expect_error("Layer,M,N,K,Strides\n", 1, "Strides", "does not belong");
    expect_error("Layer,M,N\n", 1, "K", "missing column");
    expect_error("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels,\n", 1,
                 "Num Filter", "missing column");
    expect_error("Layer,\n", 1, "Layer", "expected M,N,K");
    expect_error("M,N,K,Layer\n", 1, "M", "first column");
    expect_error("Layer,M,M,N,K\n", 1, "M", "duplicated column");
    expect_error("Layer,,M,N,K\n", 1, NULL, "empty column name");
}
END_TEST

START_TEST(row_with_missing_field_names_the_column)
{
    expect_error("Layer,M,N,K,\na,1,2,3,\nb,1,2,\n", 3, "K", "missing");
    expect_error("Layer,M,N,K\nb,1,,3\n", 2, "N", "missing");
    expect_error(CONV_HEADER "c, 8, 8, 3, 3, 1, 4\n", 2, "Strides", "missing");
}
END_TEST

START_TEST(row_with_extra_field_is_an_error)
{
    expect_error("Layer,M,N,K,\na,1,2,3,4,\n", 2, NULL, "more fields");
    expect_error("Layer,M,N,K\na,1,2,3,,\n", 2, NULL, "more fields");
}
END_TEST

START_TEST(non_integer_field_is_an_error)
{
    expect_error("Layer,M,N,K\na,1,two,3\n", 2, "N", "not a whole number");
    expect_error("Layer,M,N,K\na,1.5,2,3\n", 2, "M", "not a whole number");
    expect_error("Layer,M,N,K\na,1,2,3k\n", 2, "K", "not a whole number");
    expect_error("Layer,M,N,K\na,1,2 3,3\n", 2, "N", "not a whole number");
    expect_error("Layer,M,N,K\na,1,2,99999999999999999999\n", 2, "K", "too large");
}
END_TEST

START_TEST(zero_or_negative_field_is_an_error)
{
    expect_error("Layer,M,N,K\na,0,2,3\n", 2, "M", "positive");
    expect_error("Layer,M,N,K\na,1,-2,3\n", 2, "N", "negative");
    expect_error(CONV_HEADER "c, 8, 8, 3, 3, 0, 4, 1,\n", 2, "Channels", "positive");
}
END_TEST

START_TEST(bad_weight_width_or_quantization_is_an_error)
{
    const char *h = "Layer,M,N,K,w_bits,wq\n";
    char text[256];
    static const char *const widths[] = {"0", "5", "8", "two", "-1", "1.5", "01", "Ternary",
                                         "W2"};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        snprintf(text, sizeof text, "%sok,1,2,3,2,\nbad,1,2,3,%s,\n", h, widths[i]);
        expect_error(text, 3, "w_bits", "not supported");
    }
    snprintf(text, sizeof text, "%sa,1,2,3,2,asym\n", h);
    expect_error(text, 2, "wq", "not sym or zp");
    snprintf(text, sizeof text, "%sa,1,2,3,2,ternary\n", h);
    expect_error(text, 2, "wq", "not sym or zp");
    snprintf(text, sizeof text, "%sa,1,2,3,,sym\n", h);
    expect_error(text, 2, "wq", "without a w_bits");
    snprintf(text, sizeof text, "%sa,1,2,3,ternary,zp\n", h);
    expect_error(text, 2, "wq", "ternary");
    /* The columns are the GEMM form's, once each. */
    expect_error("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                 "Num Filter, Strides, w_bits\n",
                 1, "w_bits", "does not belong");
    expect_error("Layer,M,N,K,w_bits,w_bits\n", 1, "w_bits", "duplicated column");
    /* A required column stays required next to optional ones. */
    expect_error("Layer,M,N,K,w_bits\na,1,2\n", 2, "K", "missing field");
}
END_TEST

START_TEST(stride_zero_is_an_error)
{
    expect_error(CONV_HEADER "c, 8, 8, 3, 3, 1, 4, 0,\n", 2, "Strides", "positive");
}
END_TEST

START_TEST(filter_larger_than_ifmap_is_an_error)
{
    expect_error(CONV_HEADER "ok, 8, 8, 3, 3, 1, 4, 1,\nc, 2, 8, 3, 3, 1, 4, 1,\n", 3,
                 "Filter Height", "larger than IFMAP Height");
    expect_error(CONV_HEADER "c, 8, 2, 3, 3, 1, 4, 1,\n", 2, "Filter Width",
                 "larger than IFMAP Width");
}
END_TEST

START_TEST(dimension_over_the_array_limit_is_an_error)
{
    expect_error("Layer,M,N,K\na,16777217,2,3\n", 2, "M", "larger than 16777216");
    expect_error("Layer,M,N,K\na,1,2,4294967296\n", 2, "K", "larger than 16777216");
    /* conv: (5000-1)/1+1 = 5000, M = 25,000,000 */
    expect_error(CONV_HEADER "c, 5000, 5000, 1, 1, 1, 4, 1,\n", 2, "M", "larger than 16777216");
    /* K = 3*3*2,000,000 = 18,000,000 */
    expect_error(CONV_HEADER "c, 8, 8, 3, 3, 2000000, 4, 1,\n", 2, "K", "larger than 16777216");
    expect_error(CONV_HEADER "c, 8, 8, 3, 3, 1, 16777217, 1,\n", 2, "Num Filter", "larger than");
    /* products that would overflow 64 bits are still refused, not wrapped */
    expect_error(CONV_HEADER "c, 8589934592, 8589934592, 4294967296, 4294967296, 4294967296, 4, 1,\n",
                 2, "M", "larger than 16777216");
}
END_TEST

START_TEST(empty_layer_name_is_an_error)
{
    expect_error("Layer,M,N,K\n ,1,2,3\n", 2, "Layer", "empty");
    expect_error("Layer,M,N,K\n,,,\n", 2, "Layer", "empty");
}
END_TEST

START_TEST(layer_name_over_63_characters_is_an_error)
{
    expect_error("Layer,M,N,K\n0123456789012345678901234567890123456789012345678901234567890123,1,1,1\n",
                 2, "Layer", "longer than 63");
}
END_TEST

/* An ESC sequence in a name would reach the terminal and the database. */
START_TEST(control_character_in_layer_name_is_an_error)
{
    expect_error("Layer,M,N,K\nok,1,2,3\nred\033[31m,1,2,3\n", 3, "Layer", "control character 0x1b");
    expect_error("Layer,M,N,K\na\tb,1,2,3\n", 2, "Layer", "control character 0x09 at byte 2");
    expect_error("Layer,M,N,K\nab\177,1,2,3\n", 2, "Layer", "control character 0x7f");
    expect_error(CONV_HEADER "c\001, 8, 8, 3, 3, 3, 4, 1,\n", 2, "Layer name", "control character");
}
END_TEST

/* RFC 4180 quoting, by hand: a quoted field holds commas, "" is one double
 * quote, spaces around the quotes are dropped and inside them kept; a quote
 * inside an unquoted field is literal (as Python's csv module reads it);
 * the header and number fields may be quoted too. */
START_TEST(quoted_fields_follow_rfc_4180)
{
    workload_t wl;
    load_ok("\"Layer\",\"M\",N,K\n"
            "\"a,b\",8,8,8\n"
            "\"x\",1,2,3\n"
            "\"say \"\"hi\"\"\",\"4\" , 5 ,6,\n"
            "  \" sp \"  ,1,1,1\n"
            "a\"b,2,2,2\n"
            "\"\"\"\",3,3,3\n"
            "\",\",4,4,4\n",
            &wl);
    ck_assert_uint_eq(wl.count, 7);
    assert_layer(&wl.layers[0], "a,b", 8, 8, 8, 2);
    assert_layer(&wl.layers[1], "x", 1, 2, 3, 3);
    assert_layer(&wl.layers[2], "say \"hi\"", 4, 5, 6, 4);
    assert_layer(&wl.layers[3], " sp ", 1, 1, 1, 5);
    assert_layer(&wl.layers[4], "a\"b", 2, 2, 2, 6);
    assert_layer(&wl.layers[5], "\"", 3, 3, 3, 7);
    assert_layer(&wl.layers[6], ",", 4, 4, 4, 8);
    workload_free(&wl);
}
END_TEST

/* codesim's own CSV writer (esc_csv, used for every name in --csv reports,
 * pareto.csv and the report's CSVs) reads back through the workload reader
 * unchanged, whatever the name holds. */
START_TEST(names_written_by_esc_csv_read_back)
{
    static const char *names[] = {"plain", "a,b", "q\"uote", "\"lead", "trail\"", "\"\"",
                                  ",,", " lead space", "trail space ", " both ", "#hash",
                                  "x,\"y\",z", "\xc3\xa9t\xc3\xa9"};
    enum { NN = sizeof names / sizeof names[0] };
    char path[256], err[256] = "";
    snprintf(path, sizeof path, "%s/rt.csv", scratch);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("Layer,M,N,K\n", f);
    for (int i = 0; i < NN; i++) {
        esc_csv(f, names[i]);
        fprintf(f, ",%d,%d,%d\n", i + 1, 2, 3);
    }
    ck_assert_int_eq(fclose(f), 0);
    workload_t wl;
    ck_assert_msg(workload_load(path, &wl, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(wl.count, NN);
    for (int i = 0; i < NN; i++)
        assert_layer(&wl.layers[i], names[i], (uint64_t)i + 1, 2, 3, (unsigned)i + 2);
    workload_free(&wl);
}
END_TEST

START_TEST(malformed_quoted_fields_are_an_error)
{
    expect_error("Layer,M,N,K\nok,1,2,3\n\"abc,1,2,3\n", 3, NULL, "quoted field not closed");
    expect_error("Layer,M,N,K\n\"a\"b,1,2,3\n", 2, NULL, "text after a quoted field");
    expect_error("Layer,M,N,K\n\"two\nlines\",1,2,3\n", 2, NULL, "not closed on its line");
    expect_error("\"Layer,M,N,K\nx,1,2,3\n", 1, NULL, "quoted field not closed");
}
END_TEST

Suite *workload_suite(void)
{
    Suite *s = suite_create("workload");
    TCase *tc = tcase_create("good");
    tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
    tcase_add_test(tc, gemm_rows_load_with_or_without_trailing_comma);
    tcase_add_test(tc, quoted_fields_follow_rfc_4180);
    tcase_add_test(tc, names_written_by_esc_csv_read_back);
    tcase_add_test(tc, header_names_ignore_case_and_spaces);
    tcase_add_test(tc, crlf_line_endings_and_bom_are_accepted);
    tcase_add_test(tc, many_rows_all_load);
    tcase_add_test(tc, conv_rows_become_gemms_as_in_scalesim);
    tcase_add_test(tc, depthwise_dp_rows_split_per_channel);
    tcase_add_test(tc, dimensions_up_to_the_array_limit_are_accepted);
    tcase_add_test(tc, layer_name_of_63_characters_fits);
    tcase_add_test(tc, shipped_transformer_trace_is_one_gpt2_small_block);
    tcase_add_test(tc, shipped_scalesim_conv_trace_loads);
    tcase_add_test(tc, weight_width_columns_are_optional_and_default_to_zp);
    tcase_add_test(tc, shipped_lowbit_trace_has_each_width_and_one_int8_layer);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad");
    tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
    tcase_add_test(tc, missing_file_gives_cannot_open);
    tcase_add_test(tc, empty_file_has_no_header);
    tcase_add_test(tc, header_without_rows_has_no_layers);
    tcase_add_test(tc, unknown_header_column_is_an_error);
    tcase_add_test(tc, extra_column_is_rejected_by_name);
    tcase_add_test(tc, header_mixing_forms_or_missing_columns_is_an_error);
    tcase_add_test(tc, row_with_missing_field_names_the_column);
    tcase_add_test(tc, row_with_extra_field_is_an_error);
    tcase_add_test(tc, non_integer_field_is_an_error);
    tcase_add_test(tc, zero_or_negative_field_is_an_error);
    tcase_add_test(tc, stride_zero_is_an_error);
    tcase_add_test(tc, bad_weight_width_or_quantization_is_an_error);
    tcase_add_test(tc, filter_larger_than_ifmap_is_an_error);
    tcase_add_test(tc, dimension_over_the_array_limit_is_an_error);
    tcase_add_test(tc, empty_layer_name_is_an_error);
    tcase_add_test(tc, layer_name_over_63_characters_is_an_error);
    tcase_add_test(tc, control_character_in_layer_name_is_an_error);
    tcase_add_test(tc, malformed_quoted_fields_are_an_error);
    suite_add_tcase(s, tc);
    return s;
}
