/* dram.h - a timing-exact DRAM device: organization, timing parameters,
 * presets, address mapping, and a bank state machine that answers "when may
 * this command issue" and records what issuing it does.
 *
 * Units.  Every time is in cycles of the command clock tCK (tck_ps picoseconds
 * long).  A cycle number is a uint64_t counted from 0.
 *
 * Organization.  The device has `channels` channels, each split into
 * `pseudo_channels` pseudo-channels (1 = no split; HBM2/HBM3 pseudo-channel
 * mode = 2).  A pseudo-channel is the timing unit ("unit" below): it has its
 * own banks, its own data bus of `bus_bits` pins and its own command slot (one
 * command per cycle; the row/column command buses of HBM, which could carry an
 * ACT and a RD in one cycle, are not modelled separately).  All tRRD, tFAW,
 * tCCD and refresh bookkeeping is per unit, as in JESD235 ("array access
 * timings counted individually per pseudo channel").  A unit holds
 * bank_groups x banks_per_group banks of `rows` rows of `columns` column
 * addresses, each column bus_bits wide.  One RD or WR moves one burst of
 * burst_length (BL) columns: burst_bytes = bus_bits / 8 * BL, and the burst
 * occupies the data bus for tBL = BL / transfers_per_tck cycles.
 *
 * Commands (dram_cmd_kind_t).  The host commands are JEDEC's; the PIM
 * commands follow SK hynix AiM / Samsung HBM-PIM (FIMDRAM) all-bank operation,
 * where one command acts on every bank of a unit at once:
 *   ACT b,row    open `row` in bank b (bank closed before)
 *   PRE b        close bank b (bank open before)
 *   PREA         close every bank of the unit (closed banks: no effect)
 *   RD  b,col    read burst `col` of the open row of bank b (row must match)
 *   WR  b,col    write burst `col` of the open row of bank b
 *   REF          all-bank refresh (every bank closed before)
 *   PIM_ACT_AB row  open `row` in every bank (AiM ACTab; all banks closed
 *                before).  Counts as an ACT of every bank for tRC/tRCD/tRAS,
 *                as an ACT for tRRD_S/tRRD_L, and as FOUR activations for
 *                tFAW: it needs a tFAW window free of other activations and
 *                fills the window after it (our budgeting of the all-bank
 *                activation power, which AiM's ACTab also restricts).
 *   PIM_MAC_AB col  every bank's PIM unit reads burst `col` of its open row
 *                into its MAC lanes (AiM MACab; HBM-PIM all-bank-mode RD).
 *                Needs every bank open and tRCD after its ACT; a column read
 *                in every bank group, so tCCD_L from any earlier column
 *                command in any group, tWTR_L after any write, and tRTP
 *                before each bank's PRE.  It does not use the data bus.
 *   PIM_RD_RES   read one burst of PIM results (AiM RDMAC / HBM-PIM read of
 *                GRF_B) over the data bus: tCCD_S after any column command,
 *                burst at +tCL like a RD.  No bank state.
 *   PIM_WR_GB    write one burst into the PIM global buffer (AiM WRGB /
 *                HBM-PIM write of GRF_A/SRF), the broadcast vector operand:
 *                tCCD_S after any column command, burst at +tCWL like a WR.
 *
 * Timing rules (the checker in dram_check.c enforces the same list with its
 * own bookkeeping; t = issue cycle of the later command):
 *   same bank:   ACT->ACT tRC, ACT->RD/WR tRCD, ACT->PRE tRAS, PRE->ACT tRP,
 *                RD->PRE tRTP, WR->PRE tCWL+tBL+tWR
 *   same group:  ACT->ACT tRRD_L, column->column tCCD_L,
 *                WR->RD tCWL+tBL+tWTR_L
 *   any in unit: ACT->ACT tRRD_S, at most 4 ACTs in any tFAW window,
 *                column->column tCCD_S, WR->RD tCWL+tBL+tWTR_S,
 *                data bus: RD burst [t+tCL, t+tCL+tBL), WR burst
 *                [t+tCWL, t+tCWL+tBL); each burst starts no earlier than the
 *                end of the previous burst (bursts leave in issue order and
 *                never overlap), and a WR burst starts tRTRS after the
 *                end of the last RD burst (read-to-write turnaround),
 *                at most 32 ACTs in any t32AW window (when t32AW > 0),
 *                REF needs tRP after the last PRE and tRC after the last
 *                ACT; ACT and REF wait tRFC after a REF; the
 *                n-th REF is due at n*tREFI and may be postponed at most
 *                DRAM_REF_MAX_POSTPONE intervals;
 *                one command per cycle (dual_cmd: one row and one column
 *                command per cycle).
 *   PREA applies tRP to every bank.  "column" = RD, WR and the PIM column
 *   commands.
 */
#ifndef CODESIM_DRAM_H
#define CODESIM_DRAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DRAM_ACT = 0,
    DRAM_PRE,
    DRAM_PREA,
    DRAM_RD,
    DRAM_WR,
    DRAM_REF,
    DRAM_PIM_ACT_AB,
    DRAM_PIM_MAC_AB,
    DRAM_PIM_RD_RES,
    DRAM_PIM_WR_GB,
    DRAM_CMD_COUNT
} dram_cmd_kind_t;

/* "ACT", "PRE", ..., "PIM_WR_GB". */
const char *dram_cmd_name(dram_cmd_kind_t k);

/* One command.  unit = channel * pseudo_channels + pseudo_channel; bg, bank
 * (bank within its group), row and col (burst index within the row, 0 ..
 * columns/BL - 1) are read only by the kinds that name them. */
typedef struct {
    uint64_t cycle;
    uint8_t kind;           /* dram_cmd_kind_t */
    uint8_t bg, bank;
    uint16_t unit;
    uint32_t row, col;
} dram_cmd_t;

/* Address fields, for the mapping: Ro row, Bg bank group, Ba bank in group,
 * Co burst within the row, Ch unit (channel and pseudo-channel together). */
typedef enum { DRAM_F_RO = 0, DRAM_F_BG, DRAM_F_BA, DRAM_F_CO, DRAM_F_CH, DRAM_F_COUNT } dram_field_t;

/* An address mapping: the five fields from the most significant bit down,
 * written as in Ramulator, e.g. "RoBaCoBgCh" (the default: consecutive bursts
 * go to consecutive units, then bank groups, then columns of one row).  Below
 * all fields sit the log2(burst_bytes) byte-offset bits. */
typedef struct {
    uint8_t order[DRAM_F_COUNT]; /* dram_field_t, most significant first */
} dram_map_t;

#define DRAM_MAP_DEFAULT "RoBaCoBgCh"

/* Parses a mapping name (each of Ro Bg Ba Co Ch exactly once); -1 and err
 * "mapping: reason" otherwise. */
int dram_map_parse(const char *s, dram_map_t *m, char *err, size_t errlen);
/* Writes the mapping's name (11 bytes with the NUL). */
void dram_map_name(const dram_map_t *m, char out[16]);

typedef struct {
    char preset[24];           /* preset the values started from ("" = none) */
    /* organization (every count a power of two, for the address mapping) */
    uint32_t channels;
    uint32_t pseudo_channels;  /* per channel */
    uint32_t bank_groups;      /* per unit */
    uint32_t banks_per_group;
    uint32_t rows;             /* per bank */
    uint32_t columns;          /* column addresses per row, each bus_bits wide */
    uint32_t bus_bits;         /* data pins of one unit */
    uint32_t burst_length;     /* BL: columns per RD/WR */
    uint32_t transfers_per_tck;/* data beats per pin per tCK (DDR on CK: 2) */
    uint32_t tck_ps;           /* command clock period, picoseconds */
    /* timing, cycles of tCK */
    uint32_t tRCD, tRP, tRAS, tRC, tCL, tCWL, tBL;
    uint32_t tCCD_S, tCCD_L, tRRD_S, tRRD_L, tFAW;
    uint32_t tWR, tWTR_S, tWTR_L, tRTP;
    uint32_t tREFI, tRFC;
    /* Read-to-write bus turnaround: a WR burst starts at least tRTRS cycles
     * after the end of the last RD burst of its unit (0 = bursts may touch;
     * DRAMsim3's read_to_write = RL + BL/2 - WL + tRTRS). */
    uint32_t tRTRS;
    /* 1: separate row and column command buses (HBM, JESD235 3.3): one row
     * command (ACT, PRE, PREA, REF, PIM_ACT_AB) and one column command may
     * issue in the same cycle.  0: one command per cycle. */
    uint32_t dual_cmd;
    /* GDDR5/GDDR6: at most 32 activations in any t32AW window (JESD250;
     * DRAMsim3's t32AW); 0 = no such limit. */
    uint32_t t32AW;
    dram_map_t map;
} dram_cfg_t;

/* JEDEC lets a controller postpone up to 8 REF commands (JESD79-4 4.8, and
 * the HBM refresh rules of JESD235 follow DDR4): the checker's tREFI bound. */
#define DRAM_REF_MAX_POSTPONE 8u
#define DRAM_MAX_UNITS 1024u
#define DRAM_MAX_TIMING 1000000u

/* Fills cfg from a named preset ("HBM2", "HBM3", "GDDR6", and DRAMsim3's
 * device files "HBM2_8Gb_x128", "GDDR6_8Gb_x16", "DDR4_8Gb_x8_3200";
 * case-insensitive); -1 with err "preset: unknown 'X' (...)" otherwise. */
int dram_preset(const char *name, dram_cfg_t *cfg, char *err, size_t errlen);

/* Sets one field by its YAML key (the dram_cfg_t member name: channels,
 * tRCD, ..., or "mapping" / "preset"; "preset" replaces every field, so
 * readers apply it before the other keys).  val is the text from the file.
 * -1 with err "KEY: reason" on an unknown key or a malformed value; range and
 * consistency are dram_cfg_check's job.  Returns 1 when key is not a device
 * key (the controller's keys are tried next, see dram_ctrl.h). */
int dram_cfg_set(dram_cfg_t *cfg, const char *key, const char *val, char *err, size_t errlen);

/* Checks every field and the consistency rules (tRC >= tRAS + tRP, tRAS >=
 * tRCD, tBL = BL / transfers_per_tck, tCCD_S >= tBL, the _L values not below
 * the _S ones, tFAW >= tRRD_S, tRFC >= tRC, tREFI > tRFC, power-of-two
 * counts, capacity below 2^48 bytes).  err "field: reason". */
int dram_cfg_check(const dram_cfg_t *cfg, char *err, size_t errlen);

static inline uint32_t dram_units(const dram_cfg_t *c) { return c->channels * c->pseudo_channels; }
static inline uint32_t dram_banks(const dram_cfg_t *c) { return c->bank_groups * c->banks_per_group; }
static inline uint32_t dram_burst_bytes(const dram_cfg_t *c) { return c->bus_bits / 8 * c->burst_length; }
static inline uint32_t dram_bursts_per_row(const dram_cfg_t *c) { return c->columns / c->burst_length; }
uint64_t dram_capacity(const dram_cfg_t *c); /* bytes */
/* Peak bandwidth, bytes per second: units x bus_bits/8 x transfers_per_tck / tCK. */
double dram_peak_bytes_per_s(const dram_cfg_t *c);

/* Where an address lives. */
typedef struct {
    uint32_t unit, bg, bank, row, col; /* col in bursts */
} dram_loc_t;

/* Splits a byte address by cfg->map; -1 with err "address 0x...: beyond the
 * capacity of N bytes" when addr >= capacity. */
int dram_decode(const dram_cfg_t *cfg, uint64_t addr, dram_loc_t *loc, char *err, size_t errlen);
/* The inverse: the address of the first byte of loc's burst. */
uint64_t dram_encode(const dram_cfg_t *cfg, const dram_loc_t *loc);

/* ---- device state -------------------------------------------------------
 * dram_t tracks, per bank, group and unit, the first cycle each command kind
 * may issue ("next allowed" times, Ramulator style), so a query is O(1) for
 * bank commands and O(banks) for the all-bank ones. */

#define DRAM_NO_ROW UINT32_MAX
#define DRAM_NEVER UINT64_MAX

typedef struct {
    uint64_t act, pre, col;     /* next ACT, PRE, RD/WR */
    uint32_t row;               /* open row or DRAM_NO_ROW */
} dram_bank_t;

typedef struct {
    uint64_t act, col, rd;      /* tRRD_L, tCCD_L, WR->RD tWTR_L */
} dram_group_t;

typedef struct {
    uint64_t act, col, rd, ref; /* tRRD_S, tCCD_S, tWTR_S, REF after PRE/ACT/REF */
    uint64_t bus_free;          /* end of the last data burst */
    uint64_t rd_end;            /* end of the last read burst (tRTRS) */
    uint64_t aw32[32];          /* last 32 activation cycles + 1, aw32[ai32] oldest */
    uint32_t ai32;
    uint64_t last_row, last_col;/* cycle + 1 of the last row / column command (dual_cmd) */
    uint64_t faw[4];            /* last four activation cycles, faw[fi] oldest */
    uint32_t fi, open;          /* ring index, open banks */
    uint64_t last_cmd;          /* cycle of the last command + 1 (0 = none) */
    uint64_t refs;              /* REF commands issued */
} dram_unit_t;

typedef struct {
    dram_cfg_t cfg;
    dram_unit_t *unit;          /* [units] */
    dram_group_t *group;        /* [units * bank_groups] */
    dram_bank_t *bank;          /* [units * banks], bank index bg*banks_per_group+bank */
} dram_t;

/* Checks cfg and allocates; -1 with err. */
int dram_init(dram_t *d, const dram_cfg_t *cfg, char *err, size_t errlen);
void dram_free(dram_t *d);

/* The earliest cycle (>= 0) at which c may issue given everything issued so
 * far, ignoring c->cycle; DRAM_NEVER when c is illegal in the current bank
 * state (RD to a closed bank or another row, ACT to an open bank, ...). */
uint64_t dram_earliest(const dram_t *d, const dram_cmd_t *c);

/* Issues c at c->cycle.  Refuses (-1, err "CMD at cycle N: reason", state
 * unchanged) a command that dram_earliest would not allow then. */
int dram_issue(dram_t *d, const dram_cmd_t *c, char *err, size_t errlen);
/* The state change of dram_issue without its check: for a caller that has
 * just found dram_earliest(c) <= c->cycle (the controller's scheduler). */
void dram_apply(dram_t *d, const dram_cmd_t *c);

/* Open row of a bank, or DRAM_NO_ROW. */
static inline uint32_t dram_open_row(const dram_t *d, uint32_t unit, uint32_t bg, uint32_t bank)
{
    return d->bank[(size_t)unit * dram_banks(&d->cfg) + bg * d->cfg.banks_per_group + bank].row;
}

#ifdef __cplusplus
}
#endif
#endif
