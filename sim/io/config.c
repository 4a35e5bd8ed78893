/* config.c - hardware configuration files into one validated hw_cfg_t.
 *
 * Two front ends fill the same struct through one key table each:
 *   - codesim YAML (configs/default.yaml), read with libyaml's document API so
 *     every node carries its line;
 *   - SCALE-Sim INI (.cfg), read by a small reader that follows Python's
 *     configparser, which SCALE-Sim uses: keys are case-insensitive, section
 *     names are not, "key = value" or "key : value", whole-line ';' and '#'
 *     comments (configparser has no inline comments by default).
 * Both record where each field came from (key as written, line) so that the
 * range checks, which live in the models' *_cfg_check functions, can name the
 * user's key and line.  Every error is one line "FILE[:LINE]: KEY: reason".
 */
#include "config.h"

#include "../../models/block.h"

#include "ioerr.h"
#include "textfile.h"
#include "yamlscan.h"
#include "../../models/cfgkey.h"
#include "../../models/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>


/* The fields a file can set.  fields[] names each by its canonical dotted
 * key; the part after the dot is the name the model check functions use in
 * their "field: reason" messages. */
typedef enum {
    F_NONE = -1,
    F_NAME,
    F_ROWS, F_COLS, F_DATAFLOW, F_IN_BITS, F_W_BITS, F_ACC_BITS, F_FIXED,
    F_IFMAP, F_FILTER, F_OFMAP,
    F_BPC,
    F_ACCOUNTING,
    F_COUNT
} field_t;

static const char *const fields[F_COUNT] = {
    [F_NAME] = "name",
    [F_ROWS] = "array.rows", [F_COLS] = "array.cols", [F_DATAFLOW] = "array.dataflow",
    [F_IN_BITS] = "array.in_bits", [F_W_BITS] = "array.w_bits", [F_ACC_BITS] = "array.acc_bits",
    [F_FIXED] = "array.fixed_dataflow",
    [F_IFMAP] = "sram.ifmap_bytes", [F_FILTER] = "sram.filter_bytes",
    [F_OFMAP] = "sram.ofmap_bytes",
    [F_BPC] = "dram.bytes_per_cycle",
    [F_ACCOUNTING] = "array.accounting",
};

/* How a value is read. */
typedef enum {
    V_NAME,      /* string, 1..63 characters */
    V_UINT,      /* whole number that fits in 32 bits */
    V_BYTES,     /* whole number of bytes (64 bits) */
    V_KIB,       /* whole number of KiB, stored as bytes */
    V_DATAFLOW,  /* os | ws | is */
    V_BOOL,      /* true | false (cfg_parse_bool's words) */
    V_WORDS,     /* SCALE-Sim Bandwidth: operand words per cycle */
    V_BWMODE,    /* SCALE-Sim InterfaceBandwidth: CALC | USER: the accounting */
    V_ACCOUNTING,/* array.accounting: rtl | scalesim | scalesim-calc */
    V_OFF,       /* a SCALE-Sim switch codesim does not model: must be false */
    V_IGNORE     /* accepted, no effect on codesim */
} vkind_t;

typedef struct {
    const char *section; /* YAML: parent mapping ("" = top level); INI: section */
    const char *key;     /* YAML: exact; INI: case-insensitive */
    field_t field;
    vkind_t kind;
} key_spec_t;

static const key_spec_t yaml_keys[] = {
    {"", "name", F_NAME, V_NAME},
    {"array", "rows", F_ROWS, V_UINT},
    {"array", "cols", F_COLS, V_UINT},
    {"array", "dataflow", F_DATAFLOW, V_DATAFLOW},
    {"array", "in_bits", F_IN_BITS, V_UINT},
    {"array", "w_bits", F_W_BITS, V_UINT},
    {"array", "acc_bits", F_ACC_BITS, V_UINT},
    {"array", "accounting", F_ACCOUNTING, V_ACCOUNTING},
    {"array", "fixed_dataflow", F_FIXED, V_BOOL},
    {"sram", "ifmap_kib", F_IFMAP, V_KIB},
    {"sram", "ifmap_bytes", F_IFMAP, V_BYTES},
    {"sram", "filter_kib", F_FILTER, V_KIB},
    {"sram", "filter_bytes", F_FILTER, V_BYTES},
    {"sram", "ofmap_kib", F_OFMAP, V_KIB},
    {"sram", "ofmap_bytes", F_OFMAP, V_BYTES},
    {"dram", "bytes_per_cycle", F_BPC, V_UINT},
};

/* Sections that belong to one block (models/block.h): a key not in
 * yaml_keys goes to the block's own setter (models/<block>.c), which parses
 * and names it.  A block's `first` key is applied before the others
 * whatever its place in the file (a DRAM preset replaces every field). */
static const hw_block_t *find_block(const char *section)
{
    const hw_block_t *b = hw_block_find(section);
    return b && b->set ? b : NULL;
}

/* SCALE-Sim keys, as its scale_config.py (versions 1 to 3) and shipped
 * configs use them.  Offsets, banks and request buffers shape SCALE-Sim's
 * address traces and bank model, which codesim does not model. */
static const key_spec_t ini_keys[] = {
    {"general", "run_name", F_NAME, V_NAME},
    {"architecture_presets", "ArrayHeight", F_ROWS, V_UINT},
    {"architecture_presets", "ArrayWidth", F_COLS, V_UINT},
    {"architecture_presets", "IfmapSramSzkB", F_IFMAP, V_KIB},
    {"architecture_presets", "FilterSramSzkB", F_FILTER, V_KIB},
    {"architecture_presets", "OfmapSramSzkB", F_OFMAP, V_KIB},
    {"architecture_presets", "Dataflow", F_DATAFLOW, V_DATAFLOW},
    {"architecture_presets", "Bandwidth", F_BPC, V_WORDS},
    {"architecture_presets", "IfmapOffset", F_NONE, V_IGNORE},
    {"architecture_presets", "FilterOffset", F_NONE, V_IGNORE},
    {"architecture_presets", "OfmapOffset", F_NONE, V_IGNORE},
    {"architecture_presets", "MemoryBanks", F_NONE, V_IGNORE},
    {"architecture_presets", "OnChipMemoryBanks", F_NONE, V_IGNORE},
    {"architecture_presets", "OnChipMemoryBankPorts", F_NONE, V_IGNORE},
    {"architecture_presets", "ReadRequestBuffer", F_NONE, V_IGNORE},
    {"architecture_presets", "WriteRequestBuffer", F_NONE, V_IGNORE},
    /* A .cfg runs in SCALE-Sim accounting (array.accounting): USER counts
     * Bandwidth words per cycle on each of its three ports, CALC its
     * estimate.  With array.accounting: rtl the machine keeps the file's
     * Bandwidth as its one DRAM channel in both modes. */
    {"run_presets", "InterfaceBandwidth", F_ACCOUNTING, V_BWMODE},
    {"run_presets", "UseRamulatorTrace", F_NONE, V_IGNORE},
    {"run_presets", "SRAM_row_size", F_NONE, V_IGNORE},
    {"run_presets", "SRAM_bank_size", F_NONE, V_IGNORE},
    {"run_presets", "DRAM_row_size", F_NONE, V_IGNORE},
    {"run_presets", "DRAM_bank_size", F_NONE, V_IGNORE},
    {"network_presets", "TopologyCsvLoc", F_NONE, V_IGNORE}, /* codesim takes the workload separately */
    {"layout", "IfmapCustomLayout", F_NONE, V_IGNORE},       /* SRAM bank layout: not modelled */
    {"layout", "IfmapSRAMBankBandwidth", F_NONE, V_IGNORE},
    {"layout", "IfmapSRAMBankNum", F_NONE, V_IGNORE},
    {"layout", "IfmapSRAMBankPort", F_NONE, V_IGNORE},
    {"layout", "FilterCustomLayout", F_NONE, V_IGNORE},
    {"layout", "FilterSRAMBankBandwidth", F_NONE, V_IGNORE},
    {"layout", "FilterSRAMBankNum", F_NONE, V_IGNORE},
    {"layout", "FilterSRAMBankPort", F_NONE, V_IGNORE},
    /* Sparse operands would change every count: refuse rather than run dense. */
    {"sparsity", "SparsitySupport", F_NONE, V_OFF},
    {"sparsity", "SparseRep", F_NONE, V_IGNORE},
    {"sparsity", "OptimizedMapping", F_NONE, V_IGNORE},
    {"sparsity", "BlockSize", F_NONE, V_IGNORE},
    {"sparsity", "RandomNumberGeneratorSeed", F_NONE, V_IGNORE},
};

/* Where a field's value came from.  line 0: not from the file. */
typedef struct {
    char key[96];
    unsigned line;
} origin_t;

/* Most block-section keys whose line is kept (a DRAM section with every
 * timing key has about 40); a key past these is still read, and its range
 * error then has no line. */
#define BLOCK_KEYS_MAX 256

/* Longest key name a block section can have (none reaches 32 characters); a longer
 * one is an unknown key before any setter sees it. */
#define BLOCK_KEY_NAME_MAX 64

typedef struct {
    const char *path;
    hw_cfg_t *hw;
    origin_t at[F_COUNT];
    /* the block sections' keys ("npu.cores") and their lines, for the
     * blocks' range checks, which run after the whole file is read */
    origin_t blk[BLOCK_KEYS_MAX];
    size_t nblk;
    /* array.format, array.in_format, array.w_format as given, and the
     * values given to array.in_bits and array.w_bits, for formats_agree */
    struct {
        unsigned line;
        char val[24];
    } fmt[3];
    uint64_t bits_given[2];
    char *err;
    size_t errlen;
} load_t;

/* ---- reading the file --------------------------------------------------- */

/* ---- values ------------------------------------------------------------- */

/* Whole decimal number 0..max, nothing else (no sign, spaces or suffix). */
static int parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out, char *why,
                      size_t whylen)
{
    int shown = len > 40 ? 40 : (int)len;
    if (len == 0) {
        snprintf(why, whylen, "missing value, expected a whole number");
        return -1;
    }
    size_t i = s[0] == '-' ? 1 : 0;
    int digits = i < len;
    for (size_t j = i; j < len; j++)
        digits = digits && s[j] >= '0' && s[j] <= '9';
    if (!digits) {
        snprintf(why, whylen, "'%.*s' is not a whole number", shown, s);
        return -1;
    }
    if (i) {
        snprintf(why, whylen, "%.*s is negative", shown, s);
        return -1;
    }
    uint64_t v = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10) {
            snprintf(why, whylen, "%.*s is too large (at most %llu)", shown, s,
                     (unsigned long long)max);
            return -1;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* A value as it appears in the file: text (len bytes; a YAML escape can put
 * a NUL inside), or what it is when not a scalar. */
typedef struct {
    const char *text;
    size_t len;
    const char *not_scalar; /* "a mapping", "a sequence" or NULL */
    int quoted;             /* YAML quoted or block scalar: a string */
} value_t;

/* A key accepted but not modelled is said, not silently dropped: the run
 * prints hw->ignored in a note. */
static void note_ignored(hw_cfg_t *hw, const char *key)
{
    const size_t n = strlen(hw->ignored);
    if (n + strlen(key) + 3 < sizeof hw->ignored)
        snprintf(hw->ignored + n, sizeof hw->ignored - n, "%s%s", n ? ", " : "", key);
}

static int set_value(load_t *ld, const key_spec_t *spec, const char *key, unsigned line,
                     const value_t *v)
{
    hw_cfg_t *hw = ld->hw;
    char why[160];
    uint64_t n = 0;
    int numeric = spec->kind == V_UINT || spec->kind == V_BYTES || spec->kind == V_KIB ||
                  spec->kind == V_WORDS;

    if (v->not_scalar)
        return io_fail(ld->err, ld->errlen, ld->path, line, key, "expected %s, got %s",
                       numeric ? "a whole number" : "a single value", v->not_scalar);
    if (numeric && v->quoted)
        return io_fail(ld->err, ld->errlen, ld->path, line, key,
                       "expected a whole number, got a quoted string");
    if (spec->field != F_NONE && ld->at[spec->field].line)
        return io_fail(ld->err, ld->errlen, ld->path, line, key,
                       "conflicts with %s on line %u; give exactly one", ld->at[spec->field].key,
                       ld->at[spec->field].line);

    switch (spec->kind) {
    case V_NAME:
        if (v->len >= sizeof hw->name)
            return io_fail(ld->err, ld->errlen, ld->path, line, key,
                           "longer than %zu characters", sizeof hw->name - 1);
        memcpy(hw->name, v->text, v->len);
        hw->name[v->len] = '\0';
        if (strlen(hw->name) != v->len)
            return io_fail(ld->err, ld->errlen, ld->path, line, key, "contains a NUL character");
        break;
    case V_DATAFLOW:
        if (strlen(v->text) != v->len || systolic_dataflow_parse(v->text, &hw->array.dataflow))
            return io_fail(ld->err, ld->errlen, ld->path, line, key,
                           "'%.*s' is not a dataflow: use os, ws or is",
                           v->len > 40 ? 40 : (int)v->len, v->text);
        break;
    case V_BOOL:
        if (strlen(v->text) != v->len ||
            cfg_parse_bool(spec->key, v->text, &hw->fixed_dataflow, why, sizeof why))
            return io_fail(ld->err, ld->errlen, ld->path, line, key,
                           "'%.*s' is not true or false", v->len > 40 ? 40 : (int)v->len, v->text);
        break;
    case V_UINT:
    case V_WORDS:
        if (spec->kind == V_WORDS && memchr(v->text, ',', v->len))
            return io_fail(ld->err, ld->errlen, ld->path, line, key,
                           "'%.*s' is a list: codesim models one DRAM channel, give one number",
                           v->len > 40 ? 40 : (int)v->len, v->text);
        if (parse_uint(v->text, v->len, UINT32_MAX, &n, why, sizeof why))
            return io_fail(ld->err, ld->errlen, ld->path, line, key, "%s", why);
        if (spec->kind == V_WORDS) {
            /* SCALE-Sim counts words; an operand word is ceil(in_bits/8) bytes. */
            n *= util_ceil_div(hw->array.in_bits, 8);
            if (n > UINT32_MAX)
                return io_fail(ld->err, ld->errlen, ld->path, line, key,
                               "%.*s words per cycle is too large", (int)v->len, v->text);
        }
        switch (spec->field) {
        case F_ROWS: hw->array.rows = (uint32_t)n; break;
        case F_COLS: hw->array.cols = (uint32_t)n; break;
        case F_IN_BITS: hw->array.in_bits = (uint32_t)n; ld->bits_given[0] = n; break;
        case F_W_BITS: hw->array.w_bits = (uint32_t)n; ld->bits_given[1] = n; break;
        case F_ACC_BITS: hw->array.acc_bits = (uint32_t)n; break;
        case F_BPC: hw->dma.bytes_per_cycle = (uint32_t)n; break;
        default: break;
        }
        break;
    case V_BYTES:
    case V_KIB:
        if (parse_uint(v->text, v->len, spec->kind == V_KIB ? UINT64_MAX / 1024 : UINT64_MAX, &n,
                       why, sizeof why))
            return io_fail(ld->err, ld->errlen, ld->path, line, key, "%s", why);
        if (spec->kind == V_KIB)
            n *= 1024;
        if (spec->field == F_IFMAP)
            hw->sram.ifmap_bytes = n;
        else if (spec->field == F_FILTER)
            hw->sram.filter_bytes = n;
        else
            hw->sram.ofmap_bytes = n;
        break;
    case V_BWMODE:
        if (strcmp(v->text, "CALC") != 0 && strcmp(v->text, "USER") != 0)
            return io_fail(ld->err, ld->errlen, ld->path, line, key,
                           "'%.*s' is not CALC or USER", v->len > 40 ? 40 : (int)v->len, v->text);
        hw->accounting = v->text[0] == 'C' ? HW_ACCT_SCALESIM_CALC : HW_ACCT_SCALESIM;
        break;
    case V_ACCOUNTING:
        if (strlen(v->text) != v->len || hw_accounting_parse(v->text, &hw->accounting))
            return io_fail(ld->err, ld->errlen, ld->path, line, key,
                           "'%.*s' is not an accounting: use rtl, scalesim or scalesim-calc",
                           v->len > 40 ? 40 : (int)v->len, v->text);
        break;
    case V_OFF: {
        /* configparser's getboolean() words */
        static const char *const off[] = {"false", "no", "off", "0"};
        int ok = 0;
        for (size_t i = 0; i < ARRAY_LEN(off); i++)
            ok = ok || (v->len == strlen(off[i]) && strncasecmp(v->text, off[i], v->len) == 0);
        if (!ok)
            return io_fail(ld->err, ld->errlen, ld->path, line, key,
                           "'%.*s' is not supported: codesim models dense operands only, "
                           "set it to false", v->len > 40 ? 40 : (int)v->len, v->text);
        break;
    }
    case V_IGNORE:
        note_ignored(ld->hw, spec->key);
        break;
    }
    if (spec->field != F_NONE) {
        snprintf(ld->at[spec->field].key, sizeof ld->at[spec->field].key, "%s", key);
        ld->at[spec->field].line = line;
    }
    return 0;
}

static const key_spec_t *find_key(const key_spec_t *t, size_t n, const char *section,
                                  const char *key, int nocase)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].section, section) == 0 &&
            (nocase ? strcasecmp(t[i].key, key) : strcmp(t[i].key, key)) == 0)
            return &t[i];
    return NULL;
}

static int is_section(const key_spec_t *t, size_t n, const char *section)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].section, section) == 0)
            return 1;
    return 0;
}

/* ---- codesim YAML --------------------------------------------------------- */

static const char *node_kind(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE ? "a mapping" : n->type == YAML_SEQUENCE_NODE ? "a sequence"
                                                                                      : "a scalar";
}

static unsigned node_line(const yaml_node_t *n)
{
    return (unsigned)n->start_mark.line + 1;
}

/* A setter's "name: reason" without its "name: " (why when it does not
 * start with it).  A message cut at the buffer's end may stop right after
 * the colon: the reason is then empty, never read past the NUL. */
static const char *setter_reason(const char *why, const char *name)
{
    const size_t n = strlen(name);
    if (strncmp(why, name, n) != 0 || why[n] != ':')
        return why;
    return why[n + 1] == ' ' ? why + n + 2 : why + n + 1;
}

/* Hands one key of a block section to the block's setter. */
static int block_key(load_t *ld, const hw_block_t *b, const char *key, const char *name,
                     unsigned line, const yaml_node_t *v)
{
    char why[256];
    if (v->type != YAML_SCALAR_NODE)
        return io_fail(ld->err, ld->errlen, ld->path, line, key, "expected a single value, got %s",
                       node_kind(v));
    const char *val = (const char *)v->data.scalar.value;
    if (strlen(val) != v->data.scalar.length)
        return io_fail(ld->err, ld->errlen, ld->path, line, key, "contains a NUL character");
    /* no block key is that long; the setter's "name: reason" would not fit */
    if (strlen(name) > BLOCK_KEY_NAME_MAX)
        return io_fail(ld->err, ld->errlen, ld->path, line, key, "unknown key");
    ld->hw->block_keys |= 1u << (b - hw_blocks);
    if (ld->nblk < BLOCK_KEYS_MAX) {
        origin_t *o = &ld->blk[ld->nblk++];
        snprintf(o->key, sizeof o->key, "%s", key);
        o->line = line;
    }
    if (b->set(ld->hw, name, val, why, sizeof why) != 0) {
        /* why is "name: reason"; name it by its dotted key instead */
        return io_fail(ld->err, ld->errlen, ld->path, line, key, "%s", setter_reason(why, name));
    }
    static const char *const fmt_keys[3] = {"array.format", "array.in_format", "array.w_format"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(key, fmt_keys[i])) {
            ld->fmt[i].line = line;
            snprintf(ld->fmt[i].val, sizeof ld->fmt[i].val, "%s", val);
        }
    return 0;
}

/* array.format sets both operands' formats and widths, in_format and
 * w_format one each, in_bits and w_bits one width: whichever came last in
 * the file won, so format: int8 with in_bits: 4 gave one machine in one
 * order and another in the other.  Two of them that say different things
 * about one operand are refused, naming both; agreeing ones are fine. */
static int formats_agree(load_t *ld)
{
    static const char *const fmt_keys[3] = {"array.format", "array.in_format", "array.w_format"};
    static const field_t bit_field[2] = {F_IN_BITS, F_W_BITS};
    for (int op = 0; op < 2; op++) {
        /* What each key given says about this operand: a width (0: none)
         * and, for a format key, the format. */
        struct {
            const char *key;
            char val[24];
            unsigned line;
            uint32_t bits;
            int is_fmt;
            numfmt_t f;
        } c[3];
        int n = 0;
        for (int i = 0; i < 3; i++) {
            if (!ld->fmt[i].line || (i == 1 && op == 1) || (i == 2 && op == 0))
                continue;
            numfmt_t in_f, w_f;
            uint32_t in_b = 0, w_b = 0;
            const numfmt_operands_t o = {&in_f, &w_f, &in_b, &w_b, SYSTOLIC_MAX_OPERAND_BITS};
            char why[160];
            memset(&in_f, 0, sizeof in_f);
            if (numfmt_set_key(&o, "in_format", ld->fmt[i].val, why, sizeof why) != 0)
                continue; /* cannot happen: the setter took it */
            c[n].key = fmt_keys[i];
            memcpy(c[n].val, ld->fmt[i].val, sizeof c[n].val);
            c[n].line = ld->fmt[i].line;
            c[n].bits = in_b;
            c[n].is_fmt = 1;
            c[n].f = in_f;
            n++;
        }
        const origin_t *b = &ld->at[bit_field[op]];
        if (b->line) {
            c[n].key = fields[bit_field[op]];
            snprintf(c[n].val, sizeof c[n].val, "%llu", (unsigned long long)ld->bits_given[op]);
            c[n].line = b->line;
            c[n].bits = (uint32_t)ld->bits_given[op];
            c[n].is_fmt = 0;
            n++;
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                const int later = c[j].line >= c[i].line ? j : i, first = later == j ? i : j;
                const int bits_differ = c[i].bits && c[j].bits && c[i].bits != c[j].bits;
                const int fmts_differ = c[i].is_fmt && c[j].is_fmt &&
                                        (c[i].f.e != c[j].f.e || c[i].f.m != c[j].f.m);
                if (bits_differ || fmts_differ)
                    return io_fail(ld->err, ld->errlen, ld->path, c[later].line, c[later].key,
                                   "%s conflicts with %s: %s on line %u; give one, or values "
                                   "that agree", c[later].val, c[first].key, c[first].val,
                                   c[first].line);
            }
    }
    return 0;
}

/* Walks one mapping: the top level (section "") or a section ("array"). */
static int yaml_mapping(load_t *ld, yaml_document_t *doc, yaml_node_t *map, const char *section)
{
    const hw_block_t *block = *section ? find_block(section) : NULL;
    if (block && block->present)
        *block->present(ld->hw) = 1;
    if (*section) {
        const hw_block_t *any = hw_block_find(section);
        if (any)
            ld->hw->sections |= 1u << (any - hw_blocks);
    }
    if (block && block->first) {
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (k->type == YAML_SCALAR_NODE &&
                strcmp((const char *)k->data.scalar.value, block->first) == 0) {
                char key[96];
                snprintf(key, sizeof key, "%s.%s", section, block->first);
                if (block_key(ld, block, key, block->first, node_line(k),
                              yaml_document_get_node(doc, p->value)))
                    return -1;
            }
        }
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        unsigned line = node_line(k);
        if (k->type != YAML_SCALAR_NODE)
            return io_fail(ld->err, ld->errlen, ld->path, line, *section ? section : NULL,
                           "keys must be plain words, got %s", node_kind(k));
        const char *name = (const char *)k->data.scalar.value;
        char key[96];
        snprintf(key, sizeof key, "%s%s%.40s", section, *section ? "." : "", name);
        if (strlen(name) != k->data.scalar.length)
            return io_fail(ld->err, ld->errlen, ld->path, line, key, "unknown key");

        /* A repeated key was refused by yamlscan_check. */
        const key_spec_t *spec = find_key(yaml_keys, ARRAY_LEN(yaml_keys), section, name, 0);
        if (spec) {
            value_t val = {"", 0, NULL, 0};
            if (v->type == YAML_SCALAR_NODE) {
                val.text = (const char *)v->data.scalar.value;
                val.len = v->data.scalar.length;
                val.quoted = v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
                             v->data.scalar.style != YAML_ANY_SCALAR_STYLE;
            } else {
                val.not_scalar = node_kind(v);
            }
            if (set_value(ld, spec, key, line, &val))
                return -1;
        } else if (block) {
            if (!(block->first && strcmp(name, block->first) == 0) &&
                block_key(ld, block, key, name, line, v))
                return -1;
        } else if (!*section && (is_section(yaml_keys, ARRAY_LEN(yaml_keys), name) ||
                                 find_block(name))) {
            if (v->type != YAML_MAPPING_NODE)
                return io_fail(ld->err, ld->errlen, ld->path, line, key,
                               "expected a mapping of keys, got %s", node_kind(v));
            if (yaml_mapping(ld, doc, v, name))
                return -1;
        } else {
            return io_fail(ld->err, ld->errlen, ld->path, line, key, "unknown key");
        }
    }
    return 0;
}

static int yaml_syntax_error(load_t *ld, const yaml_parser_t *parser)
{
    return io_fail(ld->err, ld->errlen, ld->path, (unsigned)parser->problem_mark.line + 1, NULL,
                   "YAML syntax error: %s%s%s", parser->problem ? parser->problem : "unknown",
                   parser->context ? " " : "", parser->context ? parser->context : "");
}

static int load_yaml(load_t *ld, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = -1;

    if (yamlscan_check(text, len, ld->path, NULL, ld->err, ld->errlen))
        return -1;
    if (!yaml_parser_initialize(&parser))
        return io_fail(ld->err, ld->errlen, ld->path, 0, NULL, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_syntax_error(ld, &parser);
        yaml_parser_delete(&parser);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        io_fail(ld->err, ld->errlen, ld->path, 0, NULL, "empty file, expected a YAML mapping");
    } else if (root->type != YAML_MAPPING_NODE) {
        io_fail(ld->err, ld->errlen, ld->path, node_line(root), NULL,
                "expected a mapping of keys at the top level, got %s", node_kind(root));
    } else if (yaml_mapping(ld, &doc, root, "") == 0 && formats_agree(ld) == 0) {
        /* A second document would be silently ignored: refuse it. */
        yaml_document_t next;
        if (!yaml_parser_load(&parser, &next)) {
            yaml_syntax_error(ld, &parser);
        } else {
            yaml_node_t *extra = yaml_document_get_root_node(&next);
            if (extra)
                io_fail(ld->err, ld->errlen, ld->path, node_line(extra), NULL,
                        "more than one YAML document");
            else
                rc = 0;
            yaml_document_delete(&next);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- SCALE-Sim INI --------------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\f' || *s == '\v')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\f' ||
                     e[-1] == '\v'))
        *--e = '\0';
    return s;
}

static int load_ini(load_t *ld, char *text)
{
    static const char *const sections[] = {"general", "architecture_presets", "run_presets",
                                           "network_presets", "layout", "sparsity"};
    unsigned section_line[ARRAY_LEN(sections)] = {0};
    unsigned key_line[ARRAY_LEN(ini_keys)] = {0};
    const char *section = NULL;
    unsigned line = 0, keys = 0;

    /* A SCALE-Sim file asks for SCALE-Sim's numbers (USER unless its
     * InterfaceBandwidth says CALC); array.accounting: rtl switches it off. */
    ld->hw->accounting = HW_ACCT_SCALESIM;
    for (char *next = text; next;) {
        char *s = next;
        next = strchr(s, '\n');
        if (next)
            *next++ = '\0';
        line++;
        s = trim(s);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;

        if (*s == '[') {
            size_t n = strlen(s);
            if (n < 3 || s[n - 1] != ']')
                return io_fail(ld->err, ld->errlen, ld->path, line, NULL,
                               "'%.40s' is not a section header [name]", s);
            s[n - 1] = '\0';
            s++;
            section = NULL;
            for (size_t i = 0; i < ARRAY_LEN(sections); i++) {
                if (strcmp(s, sections[i]) != 0)
                    continue;
                if (section_line[i])
                    return io_fail(ld->err, ld->errlen, ld->path, line, s,
                                   "duplicated section (first on line %u)", section_line[i]);
                section_line[i] = line;
                section = sections[i];
            }
            if (!section)
                return io_fail(ld->err, ld->errlen, ld->path, line, NULL,
                               "[%.40s]: unknown section", s);
            continue;
        }

        /* configparser splits at the first '=' or ':' */
        char *eq = s + strcspn(s, "=:");
        if (*eq == '\0')
            return io_fail(ld->err, ld->errlen, ld->path, line, NULL,
                           "'%.40s' is not 'key = value'", s);
        *eq = '\0';
        char *name = trim(s), *value = trim(eq + 1);
        char key[96];
        snprintf(key, sizeof key, "%s%s%.40s", section ? section : "", section ? "." : "", name);
        if (!section)
            return io_fail(ld->err, ld->errlen, ld->path, line, key, "key before the first [section]");
        if (*name == '\0')
            return io_fail(ld->err, ld->errlen, ld->path, line, NULL, "missing key before '='");
        const key_spec_t *spec = find_key(ini_keys, ARRAY_LEN(ini_keys), section, name, 1);
        if (!spec)
            return io_fail(ld->err, ld->errlen, ld->path, line, key, "unknown key");
        size_t idx = (size_t)(spec - ini_keys);
        if (key_line[idx])
            return io_fail(ld->err, ld->errlen, ld->path, line, key,
                           "duplicated key (first on line %u)", key_line[idx]);
        key_line[idx] = line;
        value_t val = {value, strlen(value), NULL, 0};
        if (set_value(ld, spec, key, line, &val))
            return -1;
        keys++;
    }
    /* Else the built-in default would run under this file's name. */
    if (!keys)
        return io_fail(ld->err, ld->errlen, ld->path, 0, NULL,
                       "no key = value line: not a SCALE-Sim configuration");
    return 0;
}

/* ---- validation --------------------------------------------------------- */

/* The blocks' own checks: their "section.field: reason" gets the line the
 * file set that key on (blk, nblk: the block keys read, NULL when none); a
 * field the file did not set (a preset's value) has no line. */
static int validate_blocks(const hw_cfg_t *hw, const char *path, const origin_t *blk,
                           size_t nblk, char *err, size_t errlen)
{
    char msg[256];
    if (hw_blocks_check(hw, msg, sizeof msg) == 0)
        return 0;
    const char *colon = strstr(msg, ": ");
    const size_t klen = colon ? (size_t)(colon - msg) : 0;
    /* the last setting of a key is the one in force */
    for (size_t i = nblk; colon && i-- > 0;)
        if (strlen(blk[i].key) == klen && strncmp(blk[i].key, msg, klen) == 0)
            return io_fail(err, errlen, path, blk[i].line, blk[i].key, "%s", colon + 2);
    return io_fail(err, errlen, path, 0, NULL, "%s", msg);
}

/* Runs the models' checks and re-labels their "field: reason" with the key
 * and line the value came from (at may be NULL: canonical keys, no line). */
static int validate(const hw_cfg_t *hw, const char *path, const origin_t *at,
                    const origin_t *blk, size_t nblk, char *err, size_t errlen)
{
    char msg[256];
    const char *key = fields[F_NAME];
    unsigned line = at ? at[F_NAME].line : 0;
    if (line)
        key = at[F_NAME].key;

    size_t nlen = strnlen(hw->name, sizeof hw->name);
    if (nlen == 0)
        return io_fail(err, errlen, path, line, key, "must not be empty");
    if (nlen == sizeof hw->name)
        return io_fail(err, errlen, path, line, key, "is not NUL-terminated");
    for (size_t i = 0; i < nlen; i++)
        if ((unsigned char)hw->name[i] < 0x20 || (unsigned char)hw->name[i] > 0x7e)
            return io_fail(err, errlen, path, line, key,
                           "must be printable ASCII (byte %zu is 0x%02x)", i + 1,
                           (unsigned char)hw->name[i]);

    if (systolic_cfg_check(&hw->array, msg, sizeof msg) == 0 &&
        sram_cfg_check(&hw->sram, msg, sizeof msg) == 0 &&
        dma_cfg_check(&hw->dma, msg, sizeof msg) == 0)
        return validate_blocks(hw, path, blk, nblk, err, errlen);

    /* msg is "field: reason"; field is the last part of one of fields[]. */
    const char *colon = strstr(msg, ": ");
    size_t flen = colon ? (size_t)(colon - msg) : 0;
    for (int f = 0; f < F_COUNT && colon; f++) {
        const char *last = strrchr(fields[f], '.');
        last = last ? last + 1 : fields[f];
        if (strlen(last) == flen && strncmp(last, msg, flen) == 0) {
            int known = at && at[f].line;
            return io_fail(err, errlen, path, known ? at[f].line : 0, known ? at[f].key : fields[f],
                           "%s", colon + 2);
        }
    }
    return io_fail(err, errlen, path, 0, NULL, "%s", msg);
}

int hw_validate(const hw_cfg_t *hw, const char *path, char *err, size_t errlen)
{
    return validate(hw, path, NULL, NULL, 0, err, errlen);
}

/* ---- public ------------------------------------------------------------- */


/* One field by its YAML dotted key, through the same table and value
 * parsing as hw_load(); ranges are left to hw_validate(). */
int hw_set(hw_cfg_t *hw, const char *key, const char *value, char *err, size_t errlen)
{
    /* an unknown key is named by its first 64 characters */
    char shown[72];
    snprintf(shown, sizeof shown, "%.64s%s", key, strlen(key) > 64 ? "..." : "");
    char section[32] = "";
    const char *name = key;
    const char *dot = strrchr(key, '.');
    if (dot) {
        size_t n = (size_t)(dot - key);
        if (n >= sizeof section)
            return io_fail(err, errlen, NULL, 0, shown, "unknown key");
        memcpy(section, key, n);
        section[n] = '\0';
        name = dot + 1;
    }
    const key_spec_t *spec = find_key(yaml_keys, ARRAY_LEN(yaml_keys), section, name, 0);
    const hw_block_t *block = find_block(section);
    if (!spec && block) {
        char why[256];
        if (strlen(name) > BLOCK_KEY_NAME_MAX)
            return io_fail(err, errlen, NULL, 0, shown, "unknown key");
        if (block->present)
            *block->present(hw) = 1;
        if (block->set(hw, name, value, why, sizeof why) != 0)
            return io_fail(err, errlen, NULL, 0, key, "%s", setter_reason(why, name));
        return 0;
    }
    if (!spec)
        return io_fail(err, errlen, NULL, 0, shown, "unknown key");
    load_t ld;
    memset(&ld, 0, sizeof ld);
    ld.hw = hw;
    ld.err = err;
    ld.errlen = errlen;
    const value_t v = {value, strlen(value), NULL, 0};
    const int rc = set_value(&ld, spec, key, 0, &v);
    hw->lut.dma = hw->dma; /* the LUT unit shares the DRAM channel */
    return rc;
}

/* hw is an output: on error it holds hw_defaults() and no text. */
int hw_load(const char *path, hw_cfg_t *hw, char *err, size_t errlen)
{
    load_t ld;
    memset(&ld, 0, sizeof ld);
    ld.path = path;
    ld.hw = hw;
    ld.err = err;
    ld.errlen = errlen;
    hw_defaults(hw);

    size_t len = 0;
    char *text = textfile_read(path, &len, err, errlen);
    if (!text)
        return -1;

    size_t plen = strlen(path);
    int rc;
    if (plen >= 4 && strcmp(path + plen - 4, ".cfg") == 0) {
        char *work = malloc(len + 1);
        if (!work) {
            rc = io_fail(err, errlen, path, 0, NULL, "out of memory");
        } else {
            memcpy(work, text, len + 1);
            rc = load_ini(&ld, work);
            free(work);
        }
    } else {
        rc = load_yaml(&ld, text, len);
    }
    hw->lut.dma = hw->dma; /* the LUT unit shares the DRAM channel */
    if (rc == 0)
        rc = validate(hw, path, ld.at, ld.blk, ld.nblk, err, errlen);
    if (rc != 0) {
        free(text);
        hw_defaults(hw);
        return -1;
    }
    hw->text = text;
    return 0;
}

/* Canonical text into buf: the name, then every present block's section in
 * the block table's order (hw_blocks_write), in the YAML that hw_load reads
 * back to the same hw_cfg_t (CANONICAL_MAX always fits).  Returns the
 * length. */
static size_t canonical(const hw_cfg_t *hw, char *buf, size_t size)
{
    char name[2 * sizeof hw->name];
    size_t n = 0;
    for (size_t i = 0; i < sizeof hw->name && hw->name[i]; i++) {
        if (hw->name[i] == '"' || hw->name[i] == '\\')
            name[n++] = '\\';
        name[n++] = hw->name[i];
    }
    name[n] = '\0';
    buf[0] = '\0';
    n = 0;
    hw_append(buf, size, &n, "name: \"%s\"\n", name);
    return hw_blocks_write(hw, buf, size);
}

#define CANONICAL_MAX 4096

char *hw_canonical(const hw_cfg_t *hw)
{
    char *buf = malloc(CANONICAL_MAX);
    if (buf)
        canonical(hw, buf, CANONICAL_MAX);
    return buf;
}

void hw_hash(const hw_cfg_t *hw, char out[17])
{
    char buf[CANONICAL_MAX];
    size_t n = canonical(hw, buf, sizeof buf);
    const uint64_t h = util_fnv1a(UTIL_FNV_INIT, buf, n);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

void hw_free(hw_cfg_t *hw)
{
    if (!hw)
        return;
    free(hw->text);
    hw->text = NULL;
}
