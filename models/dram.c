/* dram.c - DRAM presets, configuration, address mapping and the bank state
 * machine.  The rules implemented here are listed in dram.h; dram_check.c
 * enforces the same list with separate bookkeeping, so a slip in one shows up
 * as a violation in the other. */
#include "dram.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const cmd_names[DRAM_CMD_COUNT] = {
    [DRAM_ACT] = "ACT", [DRAM_PRE] = "PRE", [DRAM_PREA] = "PREA", [DRAM_RD] = "RD",
    [DRAM_WR] = "WR", [DRAM_REF] = "REF", [DRAM_PIM_ACT_AB] = "PIM_ACT_AB",
    [DRAM_PIM_MAC_AB] = "PIM_MAC_AB", [DRAM_PIM_RD_RES] = "PIM_RD_RES",
    [DRAM_PIM_WR_GB] = "PIM_WR_GB",
};

const char *dram_cmd_name(dram_cmd_kind_t k)
{
    return (unsigned)k < DRAM_CMD_COUNT ? cmd_names[k] : "?";
}

/* ---- presets --------------------------------------------------------------
 * Timings are the datasheet nanoseconds divided by tCK and rounded up. */

typedef struct {
    const char *name;
    dram_cfg_t cfg;
} preset_t;

static const preset_t presets[] = {
    /* HBM2: JEDEC JESD235B, 2.0 Gb/s per pin speed bin (tCK = 1.0 ns, DDR:
     * 2 transfers per tCK), pseudo-channel mode.  An 8-Hi stack of 8 Gb
     * dies (8 GB): 8 channels x 128 bits, each split into 2 pseudo-channels of
     * 64 bits with BL4 (32-byte bursts), 4 bank groups x 4 banks, 1 KB page
     * (128 columns of 64 bits), 32768 rows.  Array timings (ns = cycles at
     * 1 ns) as tabulated for this bin in DRAMsim3's configs/HBM2_8Gb_x128.ini
     * (tRCD 14, tRP 14, tRAS 34 -> we keep 33 + tRP = tRC 47 from the
     * JESD235 tRC, CL 14, CWL 4, tRRD_S 4, tRRD_L 6, tFAW 30, tWR 16,
     * tWTR_S 6, tWTR_L 8, tRTP_S 4); tCCD_S = tBL = 2 (BL4 at DDR) and
     * tCCD_L = 4; refresh: tREFI 3.9 us and tRFC 350 ns for 8 Gb per channel
     * (JESD235 refresh table, as in Ramulator 2's HBM2 tRFC table). */
    {"HBM2",
     {.channels = 8, .pseudo_channels = 2, .bank_groups = 4, .banks_per_group = 4,
      .rows = 32768, .columns = 128, .bus_bits = 64, .burst_length = 4,
      .transfers_per_tck = 2, .tck_ps = 1000,
      .tRCD = 14, .tRP = 14, .tRAS = 33, .tRC = 47, .tCL = 14, .tCWL = 4, .tBL = 2,
      .tCCD_S = 2, .tCCD_L = 4, .tRRD_S = 4, .tRRD_L = 6, .tFAW = 30,
      .tWR = 16, .tWTR_S = 6, .tWTR_L = 8, .tRTP = 4, .tREFI = 3900, .tRFC = 350}},
    /* HBM3: JEDEC JESD238, 6.4 Gb/s per pin speed bin: CK 1.6 GHz (tCK =
     * 0.625 ns) with 4 data transfers per CK.  A 16 GB 8-Hi stack: 16
     * channels x 64 bits, each 2 pseudo-channels of 32 bits, BL8 (32-byte
     * bursts, tBL = 8/4 = 2), 4 bank groups x 4 banks, 1 KB page (256 columns
     * of 32 bits), 32768 rows.  The DRAM core of HBM3 keeps HBM2's array
     * timings in nanoseconds, so the HBM2 values above are converted at
     * 0.625 ns and rounded up: tRCD/tRP 14 ns -> 23, tRAS 33 -> 53, tRC 47 ->
     * 76, CL 14 -> 23, CWL 4 -> 7, tRRD_S 4 -> 7, tRRD_L 6 -> 10, tFAW 30 ->
     * 48, tWR 16 -> 26, tWTR_S 6 -> 10, tWTR_L 8 -> 13, tRTP 4 -> 7, tREFI
     * 3.9 us -> 6240, tRFC 350 ns -> 560; tCCD_S = tBL = 2, tCCD_L = 4. */
    {"HBM3",
     {.channels = 16, .pseudo_channels = 2, .bank_groups = 4, .banks_per_group = 4,
      .rows = 32768, .columns = 256, .bus_bits = 32, .burst_length = 8,
      .transfers_per_tck = 4, .tck_ps = 625,
      .tRCD = 23, .tRP = 23, .tRAS = 53, .tRC = 76, .tCL = 23, .tCWL = 7, .tBL = 2,
      .tCCD_S = 2, .tCCD_L = 4, .tRRD_S = 7, .tRRD_L = 10, .tFAW = 48,
      .tWR = 26, .tWTR_S = 10, .tWTR_L = 13, .tRTP = 7, .tREFI = 6240, .tRFC = 560}},
    /* GDDR6: JEDEC JESD250, 16 Gb/s per pin speed bin (Micron MT61K 16 Gbps
     * parts): CK 2 GHz (tCK = 0.5 ns), 8 data transfers per CK (WCK at 4x CK,
     * DDR).  One 8 Gb x16 device: 2 independent channels of 16 bits, BL16
     * (32-byte bursts, tBL = 16/8 = 2), 4 bank groups x 4 banks, 2 KB page
     * (1024 columns of 16 bits), 16384 rows.  Array timings in ns from
     * Ramulator 2's GDDR6 preset (GDDR6_2000_1350mV, which follows JESD250)
     * converted at 0.5 ns and rounded up: tRCD/tRP 14.8 ns -> 30, tRAS 30.2 ->
     * 61, tRC 45.0 -> 91, CL 13.7 -> 28, CWL 3.4 -> 7, tRRD_S/L 4.0 -> 8,
     * tFAW 16.0 -> 32, tWR 14.8 -> 30, tWTR_S 5.1 -> 11, tWTR_L 6.3 -> 13,
     * tRTP 2.3 -> 5, tRFC 120 ns -> 240; tREFI 1.9 us (JESD250) -> 3800;
     * tCCD_S = tBL = 2 so one channel can stream at 16 Gb/s per pin, and
     * tCCD_L = 4. */
    {"GDDR6",
     {.channels = 2, .pseudo_channels = 1, .bank_groups = 4, .banks_per_group = 4,
      .rows = 16384, .columns = 1024, .bus_bits = 16, .burst_length = 16,
      .transfers_per_tck = 8, .tck_ps = 500,
      .tRCD = 30, .tRP = 30, .tRAS = 61, .tRC = 91, .tCL = 28, .tCWL = 7, .tBL = 2,
      .tCCD_S = 2, .tCCD_L = 4, .tRRD_S = 8, .tRRD_L = 8, .tFAW = 32,
      .tWR = 30, .tWTR_S = 11, .tWTR_L = 13, .tRTP = 5, .tREFI = 3800, .tRFC = 240}},
    /* DRAMsim3's shipped device files (../shared/peers/DRAMsim3/configs/,
     * commit 29817593b338), their [dram_structure], [timing] and [system]
     * values as DRAMsim3 applies them (src/configuration.cc, src/timing.cc):
     * tRC = tRAS + tRP; a column command waits max(burst cycles, tCCD); with
     * no tRTP in the file DRAMsim3 uses its default 5, with no tRTRS its
     * default 2; ranks are not modelled: one unit is one rank (DRAMsim3 runs
     * the HBM2 and GDDR6 files with one rank per channel; for a file with
     * more, tests/peers/dramsim3_drive.cpp keeps the traffic in rank 0);
     * codesim has one tRCD where GDDR6 has tRCDRD 24 and tRCDWR 20: 24. */
    /* HBM2_8Gb_x128.ini: 8 channels x 128 bits, BL4 (64-byte bursts, 2 cycles
     * at DDR), 4 x 4 banks, 32768 rows of 64 columns (DRAMsim3 doubles HBM
     * columns for the prefetch: 128, so 32 bursts per row), tCK 1 ns, CL 14, CWL 4,
     * tRCDRD/WR 14, tRP 14, tRAS 34, tRFC 260, tREFI 3900, tRRD 4/6, tWTR 6/8,
     * tFAW 30, tWR 16, tCCD 1/2 (-> 2/2), hbm_dual_cmd default true, mapping
     * rorabgbachco. */
    {"HBM2_8Gb_x128",
     {.channels = 8, .pseudo_channels = 1, .bank_groups = 4, .banks_per_group = 4,
      .rows = 32768, .columns = 128, .bus_bits = 128, .burst_length = 4,
      .transfers_per_tck = 2, .tck_ps = 1000,
      .tRCD = 14, .tRP = 14, .tRAS = 34, .tRC = 48, .tCL = 14, .tCWL = 4, .tBL = 2,
      .tCCD_S = 2, .tCCD_L = 2, .tRRD_S = 4, .tRRD_L = 6, .tFAW = 30,
      .tWR = 16, .tWTR_S = 6, .tWTR_L = 8, .tRTP = 5, .tREFI = 3900, .tRFC = 260,
      .tRTRS = 2, .dual_cmd = 1}},
    /* GDDR6_8Gb_x16.ini: 1 channel of 128 bits (8 x16 devices), BL16 in one
     * cycle (DRAMsim3: burst_cycle = BL/16), bank groups disabled (16 banks in
     * one group, so the _S timings apply), 16384 rows of 128 columns (a
     * GDDR column is BL columns of the device width for DRAMsim3: 2048, so
     * 128 bursts of 256 bytes per row), tCK 0.66 ns, CL 24, CWL 16, tRP 24, tRAS 54, tRFC
     * 126, tREFI 11862, tRRD 9, tWTR 7, tFAW 32, tWR 16, tCCD_S 3, tRTRS 1,
     * tRTP_S 3 (no tRTP key: 5), t32AW 420, mapping rochrababgco.  Its
     * channel_size of 4096 MB is below one rank of 8 devices, so DRAMsim3
     * uses one rank of 8192 MB. */
    {"GDDR6_8Gb_x16",
     {.channels = 1, .pseudo_channels = 1, .bank_groups = 1, .banks_per_group = 16,
      .rows = 16384, .columns = 2048, .bus_bits = 128, .burst_length = 16,
      .transfers_per_tck = 16, .tck_ps = 660,
      .tRCD = 24, .tRP = 24, .tRAS = 54, .tRC = 78, .tCL = 24, .tCWL = 16, .tBL = 1,
      .tCCD_S = 3, .tCCD_L = 3, .tRRD_S = 9, .tRRD_L = 9, .tFAW = 32,
      .tWR = 16, .tWTR_S = 7, .tWTR_L = 7, .tRTP = 5, .tREFI = 11862, .tRFC = 126,
      .tRTRS = 1, .t32AW = 420}},
    /* DDR4_8Gb_x8_3200.ini: 1 channel of 64 bits (8 x8 devices), BL8 (64-byte
     * bursts, 4 cycles), 4 x 4 banks, 65536 rows of 1024 columns, tCK 0.63 ns,
     * CL 22, CWL 16, tRCD 22, tRP 22, tRAS 52, tRFC 560, tREFI 12480, tRRD
     * 4/8, tWTR 4/12, tFAW 34, tWR 24, tRTP 12, tCCD 4/8, tRTRS 1, mapping
     * rochrababgco. */
    {"DDR4_8Gb_x8_3200",
     {.channels = 1, .pseudo_channels = 1, .bank_groups = 4, .banks_per_group = 4,
      .rows = 65536, .columns = 1024, .bus_bits = 64, .burst_length = 8,
      .transfers_per_tck = 2, .tck_ps = 630,
      .tRCD = 22, .tRP = 22, .tRAS = 52, .tRC = 74, .tCL = 22, .tCWL = 16, .tBL = 4,
      .tCCD_S = 4, .tCCD_L = 8, .tRRD_S = 4, .tRRD_L = 8, .tFAW = 34,
      .tWR = 24, .tWTR_S = 4, .tWTR_L = 12, .tRTP = 12, .tREFI = 12480, .tRFC = 560,
      .tRTRS = 1}},
};

/* DRAMsim3's address mappings of the files above, as codesim fields. */
static const char *const preset_maps[][2] = {
    {"HBM2_8Gb_x128", "RoBgBaChCo"},
    {"GDDR6_8Gb_x16", "RoChBaBgCo"},
    {"DDR4_8Gb_x8_3200", "RoChBaBgCo"},
};

int dram_preset(const char *name, dram_cfg_t *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < ARRAY_LEN(presets); i++)
        if (!strcasecmp(name, presets[i].name)) {
            *cfg = presets[i].cfg;
            snprintf(cfg->preset, sizeof cfg->preset, "%s", presets[i].name);
            const char *map = DRAM_MAP_DEFAULT;
            for (size_t j = 0; j < ARRAY_LEN(preset_maps); j++)
                if (!strcmp(preset_maps[j][0], presets[i].name))
                    map = preset_maps[j][1];
            char e[64];
            return dram_map_parse(map, &cfg->map, e, sizeof e);
        }
    snprintf(err, errlen,
             "preset: unknown '%.32s' (HBM2, HBM3, GDDR6, HBM2_8Gb_x128, GDDR6_8Gb_x16, "
             "DDR4_8Gb_x8_3200)",
             name);
    return -1;
}

/* ---- keys ------------------------------------------------------------------ */

typedef struct {
    const char *key;
    size_t off;
} key_t_;

#define K(f) {#f, offsetof(dram_cfg_t, f)}
static const key_t_ keys[] = {
    K(channels), K(pseudo_channels), K(bank_groups), K(banks_per_group), K(rows), K(columns),
    K(bus_bits), K(burst_length), K(transfers_per_tck), K(tck_ps),
    K(tRCD), K(tRP), K(tRAS), K(tRC), K(tCL), K(tCWL), K(tBL), K(tCCD_S), K(tCCD_L),
    K(tRRD_S), K(tRRD_L), K(tFAW), K(tWR), K(tWTR_S), K(tWTR_L), K(tRTP), K(tREFI), K(tRFC),
    K(tRTRS), K(dual_cmd), K(t32AW),
};
#undef K

int dram_cfg_set(dram_cfg_t *cfg, const char *key, const char *val, char *err, size_t errlen)
{
    if (!strcmp(key, "preset"))
        return dram_preset(val, cfg, err, errlen);
    if (!strcmp(key, "mapping")) {
        dram_map_t m;
        if (dram_map_parse(val, &m, err, errlen))
            return -1;
        cfg->map = m;
        return 0;
    }
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        if (strcmp(key, keys[i].key))
            continue;
        const char *p = val;
        int ok = *p != 0;
        for (; *p; p++)
            ok = ok && *p >= '0' && *p <= '9';
        errno = 0;
        const unsigned long long v = ok ? strtoull(val, NULL, 10) : 0;
        if (!ok || errno || v > UINT32_MAX) {
            snprintf(err, errlen, "%s: '%.32s' is not a whole number of %s", key, val,
                     key[0] == 't' && strcmp(key, "tck_ps") ? "cycles" : "units up to 2^32-1");
            return -1;
        }
        *(uint32_t *)((char *)cfg + keys[i].off) = (uint32_t)v;
        return 0;
    }
    return 1;
}

/* ---- checks ---------------------------------------------------------------- */

static int pow2(uint32_t v) { return v && !(v & (v - 1)); }

static unsigned lg2(uint64_t v)
{
    unsigned n = 0;
    while (v > 1) {
        v >>= 1;
        n++;
    }
    return n;
}

uint64_t dram_capacity(const dram_cfg_t *c)
{
    return (uint64_t)dram_units(c) * dram_banks(c) * c->rows * dram_bursts_per_row(c) *
           dram_burst_bytes(c);
}

double dram_peak_bytes_per_s(const dram_cfg_t *c)
{
    return (double)dram_units(c) * (c->bus_bits / 8.0) * c->transfers_per_tck /
           (c->tck_ps * 1e-12);
}

int dram_cfg_check(const dram_cfg_t *c, char *err, size_t errlen)
{
    const struct {
        const char *name;
        uint32_t v, lo, hi;
    } org[] = {
        {"channels", c->channels, 1, DRAM_MAX_UNITS},
        {"pseudo_channels", c->pseudo_channels, 1, 8},
        {"bank_groups", c->bank_groups, 1, 64},
        {"banks_per_group", c->banks_per_group, 1, 64},
        {"rows", c->rows, 1, 1u << 24},
        {"columns", c->columns, 1, 1u << 16},
        {"bus_bits", c->bus_bits, 8, 1024},
        {"burst_length", c->burst_length, 1, 64},
        {"transfers_per_tck", c->transfers_per_tck, 1, 16},
    };
    for (size_t i = 0; i < ARRAY_LEN(org); i++) {
        if (org[i].v < org[i].lo || org[i].v > org[i].hi) {
            snprintf(err, errlen, "%s: %u is outside %u..%u", org[i].name, org[i].v, org[i].lo,
                     org[i].hi);
            return -1;
        }
        if (!pow2(org[i].v)) {
            snprintf(err, errlen, "%s: %u is not a power of two", org[i].name, org[i].v);
            return -1;
        }
    }
    if (dram_units(c) > DRAM_MAX_UNITS) {
        snprintf(err, errlen, "channels: %u channels x %u pseudo-channels is more than %u",
                 c->channels, c->pseudo_channels, DRAM_MAX_UNITS);
        return -1;
    }
    if (c->burst_length > c->columns) {
        snprintf(err, errlen, "burst_length: %u is more than the %u columns of a row",
                 c->burst_length, c->columns);
        return -1;
    }
    if (c->tck_ps < 100 || c->tck_ps > 100000) {
        snprintf(err, errlen, "tck_ps: %u is outside 100..100000", c->tck_ps);
        return -1;
    }
    const struct {
        const char *name;
        uint32_t v;
    } t[] = {
        {"tRCD", c->tRCD},     {"tRP", c->tRP},       {"tRAS", c->tRAS},   {"tRC", c->tRC},
        {"tCL", c->tCL},       {"tCWL", c->tCWL},     {"tBL", c->tBL},     {"tCCD_S", c->tCCD_S},
        {"tCCD_L", c->tCCD_L}, {"tRRD_S", c->tRRD_S}, {"tRRD_L", c->tRRD_L}, {"tFAW", c->tFAW},
        {"tWR", c->tWR},       {"tWTR_S", c->tWTR_S}, {"tWTR_L", c->tWTR_L}, {"tRTP", c->tRTP},
        {"tREFI", c->tREFI},   {"tRFC", c->tRFC},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++)
        if (t[i].v < 1 || t[i].v > DRAM_MAX_TIMING) {
            snprintf(err, errlen, "%s: %u is outside 1..%u cycles", t[i].name, t[i].v,
                     DRAM_MAX_TIMING);
            return -1;
        }
    if (c->tRTRS > DRAM_MAX_TIMING) {
        snprintf(err, errlen, "tRTRS: %u is outside 0..%u cycles", c->tRTRS, DRAM_MAX_TIMING);
        return -1;
    }
    if (c->t32AW > DRAM_MAX_TIMING || (c->t32AW && c->t32AW < c->tFAW)) {
        snprintf(err, errlen, "t32AW: %u is not 0 or within tFAW..%u cycles", c->t32AW,
                 DRAM_MAX_TIMING);
        return -1;
    }
    if (c->dual_cmd > 1) {
        snprintf(err, errlen, "dual_cmd: %u is not 0 or 1", c->dual_cmd);
        return -1;
    }
    /* Consistency: each rule names the parameter to fix first. */
    if (c->tRC < c->tRAS + c->tRP) {
        snprintf(err, errlen, "tRC: %u is less than tRAS + tRP = %u + %u", c->tRC, c->tRAS, c->tRP);
        return -1;
    }
    if (c->tRAS < c->tRCD) {
        snprintf(err, errlen, "tRAS: %u is less than tRCD = %u", c->tRAS, c->tRCD);
        return -1;
    }
    if (c->tBL * c->transfers_per_tck != c->burst_length) {
        snprintf(err, errlen, "tBL: %u cycles x %u transfers per tCK is not the burst length %u",
                 c->tBL, c->transfers_per_tck, c->burst_length);
        return -1;
    }
    if (c->tCCD_S < c->tBL) {
        snprintf(err, errlen, "tCCD_S: %u is less than tBL = %u", c->tCCD_S, c->tBL);
        return -1;
    }
    if (c->tCCD_L < c->tCCD_S) {
        snprintf(err, errlen, "tCCD_L: %u is less than tCCD_S = %u", c->tCCD_L, c->tCCD_S);
        return -1;
    }
    if (c->tRRD_L < c->tRRD_S) {
        snprintf(err, errlen, "tRRD_L: %u is less than tRRD_S = %u", c->tRRD_L, c->tRRD_S);
        return -1;
    }
    if (c->tWTR_L < c->tWTR_S) {
        snprintf(err, errlen, "tWTR_L: %u is less than tWTR_S = %u", c->tWTR_L, c->tWTR_S);
        return -1;
    }
    if (c->tFAW < c->tRRD_S) {
        snprintf(err, errlen, "tFAW: %u is less than tRRD_S = %u", c->tFAW, c->tRRD_S);
        return -1;
    }
    if (c->tRFC < c->tRC) {
        snprintf(err, errlen, "tRFC: %u is less than tRC = %u", c->tRFC, c->tRC);
        return -1;
    }
    if (c->tREFI <= c->tRFC + c->tRC) {
        snprintf(err, errlen, "tREFI: %u leaves no time between refreshes (tRFC %u + tRC %u)",
                 c->tREFI, c->tRFC, c->tRC);
        return -1;
    }
    unsigned seen = 0;
    for (int i = 0; i < DRAM_F_COUNT; i++)
        seen |= c->map.order[i] < DRAM_F_COUNT ? 1u << c->map.order[i] : 0;
    if (seen != (1u << DRAM_F_COUNT) - 1) {
        snprintf(err, errlen, "mapping: not a permutation of Ro Bg Ba Co Ch");
        return -1;
    }
    if (lg2(dram_capacity(c)) >= 48) {
        snprintf(err, errlen, "rows: capacity of 2^%u bytes is beyond 2^48", lg2(dram_capacity(c)));
        return -1;
    }
    return 0;
}

/* ---- address mapping -------------------------------------------------------- */

static const char *const field_names[DRAM_F_COUNT] = {"Ro", "Bg", "Ba", "Co", "Ch"};

int dram_map_parse(const char *s, dram_map_t *m, char *err, size_t errlen)
{
    unsigned seen = 0;
    size_t n = strlen(s);
    if (n != 2 * DRAM_F_COUNT) {
        snprintf(err, errlen, "mapping: '%.32s' must name Ro, Bg, Ba, Co and Ch once each, "
                 "most significant first (e.g. %s)", s, DRAM_MAP_DEFAULT);
        return -1;
    }
    for (int i = 0; i < DRAM_F_COUNT; i++) {
        int f = -1;
        for (int j = 0; j < DRAM_F_COUNT; j++)
            if (!strncasecmp(s + 2 * i, field_names[j], 2))
                f = j;
        if (f < 0 || (seen & (1u << f))) {
            snprintf(err, errlen, "mapping: '%.32s' must name Ro, Bg, Ba, Co and Ch once each, "
                     "most significant first (e.g. %s)", s, DRAM_MAP_DEFAULT);
            return -1;
        }
        seen |= 1u << f;
        m->order[i] = (uint8_t)f;
    }
    return 0;
}

void dram_map_name(const dram_map_t *m, char out[16])
{
    for (int i = 0; i < DRAM_F_COUNT; i++)
        memcpy(out + 2 * i, m->order[i] < DRAM_F_COUNT ? field_names[m->order[i]] : "??", 2);
    out[2 * DRAM_F_COUNT] = 0;
}

static void field_sizes(const dram_cfg_t *c, uint32_t size[DRAM_F_COUNT])
{
    size[DRAM_F_RO] = c->rows;
    size[DRAM_F_BG] = c->bank_groups;
    size[DRAM_F_BA] = c->banks_per_group;
    size[DRAM_F_CO] = dram_bursts_per_row(c);
    size[DRAM_F_CH] = dram_units(c);
}

int dram_decode(const dram_cfg_t *c, uint64_t addr, dram_loc_t *loc, char *err, size_t errlen)
{
    const uint64_t cap = dram_capacity(c);
    if (addr >= cap) {
        snprintf(err, errlen, "address 0x%llx: beyond the capacity of %llu bytes (0x%llx)",
                 (unsigned long long)addr, (unsigned long long)cap, (unsigned long long)cap);
        return -1;
    }
    uint32_t size[DRAM_F_COUNT], v[DRAM_F_COUNT];
    field_sizes(c, size);
    uint64_t a = addr >> lg2(dram_burst_bytes(c));
    for (int i = DRAM_F_COUNT - 1; i >= 0; i--) {
        const int f = c->map.order[i];
        v[f] = (uint32_t)(a & (size[f] - 1));
        a >>= lg2(size[f]);
    }
    *loc = (dram_loc_t){v[DRAM_F_CH], v[DRAM_F_BG], v[DRAM_F_BA], v[DRAM_F_RO], v[DRAM_F_CO]};
    return 0;
}

uint64_t dram_encode(const dram_cfg_t *c, const dram_loc_t *loc)
{
    uint32_t size[DRAM_F_COUNT], v[DRAM_F_COUNT];
    field_sizes(c, size);
    v[DRAM_F_CH] = loc->unit;
    v[DRAM_F_BG] = loc->bg;
    v[DRAM_F_BA] = loc->bank;
    v[DRAM_F_RO] = loc->row;
    v[DRAM_F_CO] = loc->col;
    uint64_t a = 0;
    for (int i = 0; i < DRAM_F_COUNT; i++) {
        const int f = c->map.order[i];
        a = (a << lg2(size[f])) | (v[f] & (size[f] - 1));
    }
    return a << lg2(dram_burst_bytes(c));
}

/* ---- state machine ------------------------------------------------------------ */

int dram_init(dram_t *d, const dram_cfg_t *cfg, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    if (dram_cfg_check(cfg, err, errlen))
        return -1;
    d->cfg = *cfg;
    const size_t u = dram_units(cfg);
    d->unit = calloc(u, sizeof *d->unit);
    d->group = calloc(u * cfg->bank_groups, sizeof *d->group);
    d->bank = calloc(u * dram_banks(cfg), sizeof *d->bank);
    if (!d->unit || !d->group || !d->bank) {
        dram_free(d);
        snprintf(err, errlen, "dram: out of memory");
        return -1;
    }
    for (size_t i = 0; i < u * dram_banks(cfg); i++)
        d->bank[i].row = DRAM_NO_ROW;
    return 0;
}

void dram_free(dram_t *d)
{
    free(d->unit);
    free(d->group);
    free(d->bank);
    d->unit = NULL;
    d->group = NULL;
    d->bank = NULL;
}

/* Raises *x to at least v. */
static inline void raise_to(uint64_t *x, uint64_t v)
{
    if (*x < v)
        *x = v;
}

static int cmd_in_range(const dram_t *d, const dram_cmd_t *c)
{
    const dram_cfg_t *g = &d->cfg;
    if (c->kind >= DRAM_CMD_COUNT || c->unit >= dram_units(g))
        return 0;
    switch (c->kind) {
    case DRAM_ACT:
        return c->bg < g->bank_groups && c->bank < g->banks_per_group && c->row < g->rows;
    case DRAM_PRE:
        return c->bg < g->bank_groups && c->bank < g->banks_per_group;
    case DRAM_RD:
    case DRAM_WR:
        return c->bg < g->bank_groups && c->bank < g->banks_per_group && c->row < g->rows &&
               c->col < dram_bursts_per_row(g);
    case DRAM_PIM_ACT_AB:
        return c->row < g->rows;
    case DRAM_PIM_MAC_AB:
        return c->col < dram_bursts_per_row(g);
    default:
        return 1;
    }
}

uint64_t dram_earliest(const dram_t *d, const dram_cmd_t *c)
{
    if (!cmd_in_range(d, c))
        return DRAM_NEVER;
    const dram_cfg_t *g = &d->cfg;
    const uint32_t nb = dram_banks(g);
    const dram_unit_t *u = &d->unit[c->unit];
    const dram_group_t *gr = &d->group[(size_t)c->unit * g->bank_groups + c->bg];
    const dram_bank_t *banks = &d->bank[(size_t)c->unit * nb];
    const dram_bank_t *b = &banks[c->bg * g->banks_per_group + c->bank];
    /* One command per cycle, or with dual_cmd one per command bus. */
    const int col = c->kind == DRAM_RD || c->kind == DRAM_WR || c->kind == DRAM_PIM_MAC_AB ||
                    c->kind == DRAM_PIM_RD_RES || c->kind == DRAM_PIM_WR_GB;
    uint64_t t = u->last_cmd;
    if (g->dual_cmd) /* in time order; the other bus's last cycle may be shared */
        t = util_max_u64(col ? u->last_col : u->last_row, t ? t - 1 : 0);
    switch ((dram_cmd_kind_t)c->kind) {
    case DRAM_ACT:
        if (b->row != DRAM_NO_ROW)
            return DRAM_NEVER;
        t = util_max_u64(t, util_max_u64(b->act, util_max_u64(gr->act, u->act)));
        if (g->t32AW && u->aw32[u->ai32])
            t = util_max_u64(t, u->aw32[u->ai32] - 1 + g->t32AW);
        return util_max_u64(t, u->faw[u->fi] ? u->faw[u->fi] - 1 + g->tFAW : 0);
    case DRAM_PRE:
        if (b->row == DRAM_NO_ROW)
            return DRAM_NEVER;
        return util_max_u64(t, b->pre);
    case DRAM_PREA:
        for (uint32_t i = 0; i < nb; i++)
            if (banks[i].row != DRAM_NO_ROW)
                t = util_max_u64(t, banks[i].pre);
        return t;
    case DRAM_RD:
    case DRAM_WR: {
        if (b->row != c->row)
            return DRAM_NEVER;
        t = util_max_u64(t, util_max_u64(b->col, util_max_u64(gr->col, u->col)));
        if (c->kind == DRAM_RD) {
            t = util_max_u64(t, util_max_u64(gr->rd, u->rd));
            return util_max_u64(t, u->bus_free > g->tCL ? u->bus_free - g->tCL : 0);
        }
        if (u->rd_end && u->rd_end + g->tRTRS > g->tCWL)
            t = util_max_u64(t, u->rd_end + g->tRTRS - g->tCWL);
        return util_max_u64(t, u->bus_free > g->tCWL ? u->bus_free - g->tCWL : 0);
    }
    case DRAM_REF:
        if (u->open)
            return DRAM_NEVER;
        return util_max_u64(t, u->ref);
    case DRAM_PIM_ACT_AB: {
        if (u->open)
            return DRAM_NEVER;
        t = util_max_u64(t, u->act);
        for (uint32_t i = 0; i < nb; i++)
            t = util_max_u64(t, banks[i].act);
        for (uint32_t i = 0; i < g->bank_groups; i++)
            t = util_max_u64(t, d->group[(size_t)c->unit * g->bank_groups + i].act);
        /* Four slots of the 32-activation window must be free. */
        const uint64_t fourth = u->aw32[(u->ai32 + 3) & 31];
        if (g->t32AW && fourth)
            t = util_max_u64(t, fourth - 1 + g->t32AW);
        /* The whole window must be free: wait tFAW after the newest activation. */
        const uint64_t newest = u->faw[(u->fi + 3) & 3];
        return util_max_u64(t, newest ? newest - 1 + g->tFAW : 0);
    }
    case DRAM_PIM_MAC_AB:
        if (u->open != nb)
            return DRAM_NEVER;
        t = util_max_u64(t, u->col);
        for (uint32_t i = 0; i < nb; i++)
            t = util_max_u64(t, banks[i].col);
        for (uint32_t i = 0; i < g->bank_groups; i++) {
            const dram_group_t *q = &d->group[(size_t)c->unit * g->bank_groups + i];
            t = util_max_u64(t, util_max_u64(q->col, q->rd));
        }
        return t;
    case DRAM_PIM_RD_RES:
        t = util_max_u64(t, u->col);
        return util_max_u64(t, u->bus_free > g->tCL ? u->bus_free - g->tCL : 0);
    case DRAM_PIM_WR_GB:
        t = util_max_u64(t, u->col);
        if (u->rd_end && u->rd_end + g->tRTRS > g->tCWL)
            t = util_max_u64(t, u->rd_end + g->tRTRS - g->tCWL);
        return util_max_u64(t, u->bus_free > g->tCWL ? u->bus_free - g->tCWL : 0);
    case DRAM_CMD_COUNT:
        break;
    }
    return DRAM_NEVER;
}

/* Activation bookkeeping shared by ACT and PIM_ACT_AB.  faw[] stores cycle+1
 * so that 0 means "no activation yet". */
static void note_act(dram_t *d, dram_unit_t *u, dram_bank_t *b, uint64_t t, uint32_t row)
{
    const dram_cfg_t *g = &d->cfg;
    b->row = row;
    raise_to(&b->act, t + g->tRC);
    raise_to(&b->pre, t + g->tRAS);
    raise_to(&b->col, t + g->tRCD);
    u->open++;
}

static void note_pre(dram_t *d, dram_unit_t *u, dram_bank_t *b, uint64_t t)
{
    if (b->row != DRAM_NO_ROW) {
        b->row = DRAM_NO_ROW;
        u->open--;
    }
    raise_to(&b->act, t + d->cfg.tRP);
    raise_to(&u->ref, t + d->cfg.tRP);
}

int dram_issue(dram_t *d, const dram_cmd_t *c, char *err, size_t errlen)
{
    const uint64_t e = dram_earliest(d, c);
    const uint64_t t = c->cycle;
    if (e == DRAM_NEVER || t < e) {
        if (e == DRAM_NEVER)
            snprintf(err, errlen, "%s at cycle %llu: not allowed in the bank state (or out of range)",
                     dram_cmd_name(c->kind), (unsigned long long)t);
        else
            snprintf(err, errlen, "%s at cycle %llu: too early, allowed from cycle %llu",
                     dram_cmd_name(c->kind), (unsigned long long)t, (unsigned long long)e);
        return -1;
    }
    dram_apply(d, c);
    return 0;
}

void dram_apply(dram_t *d, const dram_cmd_t *c)
{
    const uint64_t t = c->cycle;
    const dram_cfg_t *g = &d->cfg;
    const uint32_t nb = dram_banks(g);
    dram_unit_t *u = &d->unit[c->unit];
    dram_group_t *groups = &d->group[(size_t)c->unit * g->bank_groups];
    dram_bank_t *banks = &d->bank[(size_t)c->unit * nb];
    dram_group_t *gr = &groups[c->bg < g->bank_groups ? c->bg : 0];
    dram_bank_t *b = &banks[c->bg < g->bank_groups && c->bank < g->banks_per_group
                                ? c->bg * g->banks_per_group + c->bank : 0];
    u->last_cmd = t + 1;
    if (c->kind == DRAM_RD || c->kind == DRAM_WR || c->kind == DRAM_PIM_MAC_AB ||
        c->kind == DRAM_PIM_RD_RES || c->kind == DRAM_PIM_WR_GB)
        u->last_col = t + 1;
    else
        u->last_row = t + 1;
    switch ((dram_cmd_kind_t)c->kind) {
    case DRAM_ACT:
        note_act(d, u, b, t, c->row);
        raise_to(&gr->act, t + g->tRRD_L);
        raise_to(&u->act, t + g->tRRD_S);
        raise_to(&u->ref, t + g->tRC);
        u->faw[u->fi] = t + 1;
        u->fi = (u->fi + 1) & 3;
        u->aw32[u->ai32] = t + 1;
        u->ai32 = (u->ai32 + 1) & 31;
        break;
    case DRAM_PIM_ACT_AB:
        for (uint32_t i = 0; i < nb; i++)
            note_act(d, u, &banks[i], t, c->row);
        for (uint32_t i = 0; i < g->bank_groups; i++)
            raise_to(&groups[i].act, t + g->tRRD_L);
        raise_to(&u->act, t + g->tRRD_S);
        raise_to(&u->ref, t + g->tRC);
        for (int i = 0; i < 4; i++) {
            u->faw[i] = t + 1;
            u->aw32[u->ai32] = t + 1;
            u->ai32 = (u->ai32 + 1) & 31;
        }
        break;
    case DRAM_PRE:
        note_pre(d, u, b, t);
        break;
    case DRAM_PREA:
        for (uint32_t i = 0; i < nb; i++)
            note_pre(d, u, &banks[i], t);
        break;
    case DRAM_RD:
        raise_to(&b->pre, t + g->tRTP);
        raise_to(&gr->col, t + g->tCCD_L);
        raise_to(&u->col, t + g->tCCD_S);
        u->bus_free = u->rd_end = t + g->tCL + g->tBL;
        break;
    case DRAM_WR: {
        const uint64_t end = t + g->tCWL + g->tBL;
        raise_to(&b->pre, end + g->tWR);
        raise_to(&gr->col, t + g->tCCD_L);
        raise_to(&u->col, t + g->tCCD_S);
        raise_to(&gr->rd, end + g->tWTR_L);
        raise_to(&u->rd, end + g->tWTR_S);
        u->bus_free = end;
        break;
    }
    case DRAM_REF:
        for (uint32_t i = 0; i < nb; i++)
            raise_to(&banks[i].act, t + g->tRFC);
        raise_to(&u->ref, t + g->tRFC);
        u->refs++;
        break;
    case DRAM_PIM_MAC_AB:
        for (uint32_t i = 0; i < nb; i++)
            raise_to(&banks[i].pre, t + g->tRTP);
        for (uint32_t i = 0; i < g->bank_groups; i++)
            raise_to(&groups[i].col, t + g->tCCD_L);
        raise_to(&u->col, t + g->tCCD_S);
        break;
    case DRAM_PIM_RD_RES:
        raise_to(&u->col, t + g->tCCD_S);
        u->bus_free = u->rd_end = t + g->tCL + g->tBL;
        break;
    case DRAM_PIM_WR_GB:
        raise_to(&u->col, t + g->tCCD_S);
        u->bus_free = t + g->tCWL + g->tBL;
        break;
    case DRAM_CMD_COUNT:
        break;
    }
}
