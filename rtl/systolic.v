// systolic.v - R x C systolic-array GEMM core (output, weight and input
// stationary).  Independent RTL reference for models/systolic.c: both follow
// the spec in the header comment of models/systolic.h and are cross-checked
// value for value (every memory write) and cycle for cycle.
//
// GEMM: O[M][N] = A[M][K] x B[K][N], row-major element addresses
//   A[m][k] = m*K + k   (ifmap,  a_* ports)
//   B[k][n] = k*N + n   (filter, b_* ports)
//   O[m][n] = m*N + n   (output, o_* ports)
//
// Memory protocol ("the harness is the memory"): every address, write data
// and o_wacc output is a combinational function of registers only, never of
// *_rdata.  Per cycle the harness (with clk low) reads a_raddr/b_raddr,
// answers on a_rdata/b_rdata, commits o_waddr/o_wdata/o_wacc, then raises
// clk; the rising edge consumes the read data.  One exception, WOR = 0
// (array.ws_out_reg: false): in WS/IS FEED o_wdata is the bottom PE's
// v_in + a_in*w_reg, and column 0's a_in is this cycle's read lane, so the
// write data of lane 0 depends on *_rdata; the shim evaluates the model
// after set_read_data (rtl/systolic_shim.cpp); addresses stay register-
// only.  A lane address of 32'hFFFFFFFF means "no access this cycle".
//
// Fold loops (outer to inner) and phases per fold:
//   OS: for m0 (step R) for n0 (step C): FEED K+R+C-2, DRAIN R+1
//   WS: for n0 (step C) for k0 (step R): LOAD R, FEED M+R+C-1
//   IS: for m0 (step C) for k0 (step R): LOAD R, FEED N+R+C-1
// The edge that samples start counts as one cycle, so done rises right after
// edge 1 + sum(phase cycles).
//
// Requirements beyond the spec (documented choices):
//   * M, N, K >= 1.  If any of them is 0, or cfg_df is 3, the command is
//     accepted and the core goes straight to DONE with no memory traffic.
//   * start is only honoured in IDLE or DONE; it is ignored while busy.
//   * Lanes that do not read feed 0 into the array whatever *_rdata holds, and
//     lanes that do not write drive o_wdata = 0.
//   * Addresses are plain 32-bit arithmetic (M*K, K*N and M*N must fit).

`default_nettype none
// Three modules live in this file on purpose (PE, minifloat decoder, top).
/* verilator lint_off DECLFILENAME */

// ---------------------------------------------------------------------------
// One processing element.  Kept in its own module so the grid can be
// synthesized (yosys) for area on its own.  All control comes in as a single
// op code broadcast to every PE by systolic_top.
// ---------------------------------------------------------------------------
module systolic_pe #(
    parameter integer OPW  = 8,   // operand register width (max(AW, BW))
    parameter integer ACCW = 32,  // accumulator / partial-sum width
    parameter integer FP   = 0,   // 1: minifloat operands, packed (see below)
    parameter integer CMP  = 0    // 1: compressed accumulation (see g_cmp)
) (
    input  wire                   clk,
    input  wire                   rst,     // synchronous, active high
    input  wire [2:0]             op,      // PE_* op code, see below
    input  wire signed [OPW-1:0]  a_in,    // from the left (or row lane)
    input  wire signed [OPW-1:0]  b_in,    // from above (or column lane), OS
    input  wire signed [OPW-1:0]  w_in,    // from above (or column lane), LOAD
    input  wire [ACCW-1:0]        v_in,    // partial sum from above (0 at row 0)
    // OS overlapped drain (systolic_top OSD = 1; tied to 0 otherwise), with
    // op PE_OS_MAC: capture acc into v_reg and restart acc with this product,
    // or shift v_reg down while the MAC goes on (with CMP = 1 the carry
    // words alike, see g_cmp).
    input  wire                   osd_cap,
    input  wire                   osd_shv,
    /* verilator lint_off UNUSEDSIGNAL */ // CMP = 0: no carry word
    input  wire [ACCW-1:0]        c_in,    // its carry word (CMP = 1; 0 at row 0)
    /* verilator lint_on UNUSEDSIGNAL */
    output wire [ACCW-1:0]        c_reg,   // v_reg's carry word (CMP = 1, else 0)
    output reg  signed [OPW-1:0]  a_reg,
    output reg  signed [OPW-1:0]  b_reg,
    output reg  signed [OPW-1:0]  w_reg,
    output reg  [ACCW-1:0]        v_reg,
    output wire [ACCW-1:0]        v_sum    // v_nx: v_in + product (WOR = 0 output)
);
    // Op codes (same values as in systolic_top).
    localparam [2:0] PE_HOLD    = 3'd0;  // IDLE / DONE: keep everything
    localparam [2:0] PE_OS_MAC  = 3'd1;  // OS FEED
    localparam [2:0] PE_OS_CAPT = 3'd2;  // OS DRAIN t = 0
    localparam [2:0] PE_SHIFT_V = 3'd3;  // OS DRAIN t >= 1
    localparam [2:0] PE_LOAD_W  = 3'd4;  // WS / IS LOAD
    localparam [2:0] PE_WS_MAC  = 3'd5;  // WS / IS FEED

    localparam integer PW = 2 * OPW;     // exact product width

    reg [ACCW-1:0] acc;                  // OS accumulator

    // One multiplier per PE, shared by the dataflows: OS multiplies the two
    // moving operands, WS/IS the moving operand by the stationary one.
    wire signed [OPW-1:0] mul_b = (op == PE_OS_MAC) ? b_in : w_reg;
    // (when ACCW < 2*OPW the top product bits are dropped by the wrap)
    /* verilator lint_off UNUSEDSIGNAL */
    wire signed [PW-1:0]  prod  = a_in * mul_b;   // signed OPW x OPW, exact
    /* verilator lint_on UNUSEDSIGNAL */

    // Bring the product to ACCW bits: truncation is the mod-2^ACCW wrap, and
    // when ACCW is wider the exact product is sign-extended.
    // Minifloat PEs (FP = 1, OPW = 16) get operands packed by mf_dec
    // as {off[7:0], sig[7:0]}: the product is sig_a * sig_b (a signed 8x8
    // multiplier), moved up by off_a + off_b (exponent adder and alignment
    // shifter) into the fixed-point accumulator (models/numfmt.h).
    wire [ACCW-1:0] prod_w;
    generate
        if (FP != 0) begin : g_prod_fp
            wire signed [7:0]  fa = a_in[7:0];
            wire signed [7:0]  fb = mul_b[7:0];
            wire signed [15:0] fs = fa * fb;
            wire [8:0]         fsh = {1'b0, a_in[15:8]} + {1'b0, mul_b[15:8]};
            /* verilator lint_off UNUSEDSIGNAL */
            wire [47:0]        fx = {{32{fs[15]}}, fs} << fsh;
            /* verilator lint_on UNUSEDSIGNAL */
            assign prod_w = fx[ACCW-1:0];
        end else if (ACCW <= PW) begin : g_prod_trunc
            assign prod_w = prod[ACCW-1:0];
        end else begin : g_prod_sext
            assign prod_w = {{(ACCW - PW){prod[PW-1]}}, prod};
        end
    endgenerate

    // The two adds of the PE: acc + prod_w (OS) and v_in + prod_w (WS/IS);
    // with CMP = 1 the sum words of one row of 3:2 full adders.
    wire [ACCW-1:0] acc_nx;
    wire [ACCW-1:0] v_nx;
    generate
        if (CMP != 0) begin : g_cmp
            // Compressed accumulation (models/systolic.h, array.compressed):
            // acc and v_reg are sum words, acc_c and v_c their carry words,
            // s <= s ^ c ^ p, c <= maj(s, c, p) << 1.  The carry words move
            // with the sums (OS capture and drain, the WS/IS chain); the
            // one carry-propagate add s + c is in systolic_top, at the
            // bottom of each column.
            // With the overlapped OS drain (osd_cap / osd_shv, OSD = 1) the
            // carry word is part of the shadow set: osd_cap copies acc_c
            // into v_c as acc into v_reg and restarts both from 0 (the
            // 3:2 step of 0, 0, p is (p, 0)); osd_shv shifts v_c down with
            // v_reg.
            reg [ACCW-1:0] acc_c;
            reg [ACCW-1:0] v_c;
            wire [ACCW-1:0] acc_s = osd_cap ? {ACCW{1'b0}} : acc;
            wire [ACCW-1:0] acc_k = osd_cap ? {ACCW{1'b0}} : acc_c;
            assign acc_nx = acc_s ^ acc_k ^ prod_w;
            assign v_nx   = v_in ^ c_in ^ prod_w;
            always @(posedge clk) begin
                if (rst) begin
                    acc_c <= {ACCW{1'b0}};
                    v_c   <= {ACCW{1'b0}};
                end else begin
                    case (op)
                        PE_OS_MAC: begin
                            acc_c <= ((acc_s & acc_k) | (acc_s & prod_w) | (acc_k & prod_w)) << 1;
                            if (osd_cap)
                                v_c <= acc_c;    // the shadow set's carry word
                            else if (osd_shv)
                                v_c <= c_in;     // draining beside v_reg
                        end
                        PE_OS_CAPT: begin
                            v_c   <= acc_c;
                            acc_c <= {ACCW{1'b0}};
                        end
                        PE_SHIFT_V: v_c <= c_in;
                        PE_WS_MAC:  v_c <= ((v_in & c_in) | (v_in & prod_w) | (c_in & prod_w)) << 1;
                        default: ;
                    endcase
                end
            end
            assign c_reg = v_c;
            assign v_sum = v_nx;
        end else begin : g_mac
            assign acc_nx = (osd_cap ? {ACCW{1'b0}} : acc) + prod_w;   // restart on osd_cap
            assign v_nx   = v_in + prod_w;
            assign c_reg  = {ACCW{1'b0}};
            assign v_sum  = v_nx;
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            a_reg <= {OPW{1'b0}};
            b_reg <= {OPW{1'b0}};
            w_reg <= {OPW{1'b0}};
            v_reg <= {ACCW{1'b0}};
            acc   <= {ACCW{1'b0}};
        end else begin
            case (op)
                PE_OS_MAC: begin
                    acc   <= acc_nx;         // acc + prod_w, wraps mod 2^ACCW
                    a_reg <= a_in;
                    b_reg <= b_in;
                    if (osd_cap)
                        v_reg <= acc;        // overlapped drain: v_reg is the shadow set
                    else if (osd_shv)
                        v_reg <= v_in;       // ... draining while this fold computes
                end
                PE_OS_CAPT: begin
                    // Hand the finished dot product to the drain pipe and
                    // clear the operand pipes so the next fold starts clean.
                    v_reg <= acc;
                    acc   <= {ACCW{1'b0}};
                    a_reg <= {OPW{1'b0}};
                    b_reg <= {OPW{1'b0}};
                end
                PE_SHIFT_V: begin
                    v_reg <= v_in;           // drain one row down per cycle
                end
                PE_LOAD_W: begin
                    w_reg <= w_in;           // stationary operand shifts down
                end
                PE_WS_MAC: begin
                    v_reg <= v_nx;           // v_in + prod_w: partial sum flows down
                    a_reg <= a_in;
                end
                PE_HOLD: ;                   // keep everything
                default: ;
            endcase
        end
    end
endmodule

// The minifloat lane decoder (mf_dec) is shared with rtl/tensor_engine.v.
`include "mfdec.vh"

// ---------------------------------------------------------------------------
// Top: control FSM, per-lane address generators and the PE grid.
// L = max(R, C) read lanes per operand memory; C write lanes.
// ---------------------------------------------------------------------------
module systolic_top #(
    parameter integer R    = 4,    // rows
    parameter integer C    = 4,    // columns
    parameter integer AW   = 8,    // ifmap (A) operand bits
    parameter integer BW   = 8,    // filter (B) operand bits
    parameter integer ACCW = 32,   // accumulator bits (<= 32)
    // Operand formats: 0 integer, else a minifloat as E*16 + M (1+E+M = 3..8,
    // M >= 1; AW / BW = 1+E+M).  Both integer or both minifloat.
    parameter integer AF   = 0,
    parameter integer BF   = 0,
    // OS drain: 0 serial (DRAIN after every fold), 1 overlapped with the
    // next fold (models/systolic.h, systolic_os_drain_t).
    parameter integer OSD  = 0,
    // 1: compressed-accumulation PEs (systolic_pe g_cmp); the carry-
    // propagate add s + c sits at the bottom of each column (g_out).
    // With OSD = 1 the shadow set holds both words (systolic_pe g_cmp).
    parameter integer CMP  = 0,
    // WS/IS output: 1 registered (v_reg of the bottom row, default), 0 the
    // bottom PE's sum unregistered, FEED one cycle shorter
    // (models/systolic.h, array.ws_out_reg).  Not with CMP = 1.
    parameter integer WOR  = 1
) (
    input  wire                               clk,
    input  wire                               rst,
    input  wire                               start,
    input  wire [31:0]                        cfg_m,
    input  wire [31:0]                        cfg_n,
    input  wire [31:0]                        cfg_k,
    input  wire [1:0]                         cfg_df,  // 0 OS, 1 WS, 2 IS
    // Port widths use L = max(R, C) written out (no localparam is visible
    // in an ANSI port list in plain Verilog-2005).
    /* verilator lint_off UNUSEDSIGNAL */ // only [AW-1:0] / [BW-1:0] per lane
    input  wire [((R > C) ? R : C)*32-1:0]    a_rdata,
    input  wire [((R > C) ? R : C)*32-1:0]    b_rdata,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire                               done,
    output wire [((R > C) ? R : C)*32-1:0]    a_raddr,
    output wire [((R > C) ? R : C)*32-1:0]    b_raddr,
    output wire [C*32-1:0]                    o_waddr,
    output wire [C*32-1:0]                    o_wdata,
    output wire                               o_wacc
);
    localparam integer L   = (R > C) ? R : C;
    localparam integer FP  = (AF != 0) ? 1 : 0;
    // Minifloat operands travel packed in 16 bits (mf_dec).
    localparam integer OPW = (FP != 0) ? 16 : ((AW > BW) ? AW : BW);

    localparam [31:0] NO_ACCESS = 32'hFFFF_FFFF;
    localparam [31:0] R32 = R;
    localparam [31:0] C32 = C;

    localparam [1:0] DF_OS = 2'd0;
    localparam [1:0] DF_WS = 2'd1;
    localparam [1:0] DF_IS = 2'd2;

    // FSM states.  IDLE is 0 so that reset lands there.
    localparam [2:0] S_IDLE     = 3'd0;
    localparam [2:0] S_OS_FEED  = 3'd1;
    localparam [2:0] S_OS_DRAIN = 3'd2;
    localparam [2:0] S_LOAD     = 3'd3;  // WS / IS
    localparam [2:0] S_FEED     = 3'd4;  // WS / IS
    localparam [2:0] S_DONE     = 3'd5;

    // PE op codes (must match systolic_pe).
    localparam [2:0] PE_HOLD    = 3'd0;
    localparam [2:0] PE_OS_MAC  = 3'd1;
    localparam [2:0] PE_OS_CAPT = 3'd2;
    localparam [2:0] PE_SHIFT_V = 3'd3;
    localparam [2:0] PE_LOAD_W  = 3'd4;
    localparam [2:0] PE_WS_MAC  = 3'd5;

    // ------------------------------------------------------------------
    // Control registers
    // ------------------------------------------------------------------
    reg [2:0]  state;
    reg [1:0]  df;
    reg [31:0] gm, gn, gk;      // latched GEMM shape
    reg [31:0] t;               // cycle within the current phase
    reg [31:0] m0, n0, k0;      // tile origin of the current fold

    // Phase lengths (all >= 1 when M, N, K >= 1).  WOR = 0: FEED ends one
    // cycle earlier (the last sum leaves as it is formed).
    localparam [31:0] FEED_END = (WOR != 0) ? 32'd1 : 32'd2;
    wire [31:0] stream_len = (df == DF_WS) ? gm : gn;   // WS: M, IS: N
    wire [31:0] phase_len =
        (state == S_OS_FEED)  ? gk + R32 + C32 - 32'd2 :
        (state == S_OS_DRAIN) ? R32 + 32'd1 :
        (state == S_LOAD)     ? R32 :
                                stream_len + R32 + C32 - FEED_END;   // S_FEED
    wire phase_last = (t + 32'd1 == phase_len);

    // OS overlapped drain controls (OSD = 1, see g_osd below; 0 otherwise).
    wire        osd_wait;
    wire        osd_cap;
    wire        osd_shv;
    wire        osd_emit;
    wire [31:0] osd_row;
    wire [31:0] osd_n0;

    // Next-tile tests in 33 bits so that origin + step cannot wrap.
    wire m_more_r = ({1'b0, m0} + {1'b0, R32}) < {1'b0, gm};  // OS rows
    wire m_more_c = ({1'b0, m0} + {1'b0, C32}) < {1'b0, gm};  // IS rows
    wire n_more_c = ({1'b0, n0} + {1'b0, C32}) < {1'b0, gn};  // OS / WS cols
    wire k_more_r = ({1'b0, k0} + {1'b0, R32}) < {1'b0, gk};  // WS / IS depth

    // A command with a zero dimension or an unknown dataflow has no work.
    wire cmd_ok = (cfg_m != 32'd0) && (cfg_n != 32'd0) && (cfg_k != 32'd0) &&
                  (cfg_df != 2'd3);

    always @(posedge clk) begin
        if (rst) begin
            state <= S_IDLE;
            df    <= 2'd0;
            gm    <= 32'd0;
            gn    <= 32'd0;
            gk    <= 32'd0;
            t     <= 32'd0;
            m0    <= 32'd0;
            n0    <= 32'd0;
            k0    <= 32'd0;
        end else begin
            case (state)
                S_IDLE, S_DONE: begin
                    // The edge that samples start is the command-accept cycle.
                    if (start) begin
                        df <= cfg_df;
                        gm <= cfg_m;
                        gn <= cfg_n;
                        gk <= cfg_k;
                        t  <= 32'd0;
                        m0 <= 32'd0;
                        n0 <= 32'd0;
                        k0 <= 32'd0;
                        if (!cmd_ok)
                            state <= S_DONE;
                        else if (cfg_df == DF_OS)
                            state <= S_OS_FEED;
                        else
                            state <= S_LOAD;
                    end
                end
                S_OS_FEED: begin
                    if (!osd_wait) t <= phase_last ? 32'd0 : t + 32'd1;
                    if (phase_last && !osd_wait) begin
                        if (OSD == 0 || !(n_more_c || m_more_r)) begin
                            state <= S_OS_DRAIN;
                        end else if (n_more_c) begin
                            n0 <= n0 + C32;      // overlapped drain: the next
                        end else begin           // fold's FEED starts at once
                            n0 <= 32'd0;
                            m0 <= m0 + R32;
                        end
                    end
                end
                S_OS_DRAIN: begin
                    if (!osd_wait) t <= phase_last ? 32'd0 : t + 32'd1;
                    if (phase_last && !osd_wait) begin
                        // End of an OS fold: n0 is the inner loop, m0 outer.
                        if (n_more_c) begin
                            n0    <= n0 + C32;
                            state <= S_OS_FEED;
                        end else if (m_more_r) begin
                            n0    <= 32'd0;
                            m0    <= m0 + R32;
                            state <= S_OS_FEED;
                        end else begin
                            state <= S_DONE;
                        end
                    end
                end
                S_LOAD: begin
                    t <= phase_last ? 32'd0 : t + 32'd1;
                    if (phase_last) state <= S_FEED;
                end
                S_FEED: begin
                    t <= phase_last ? 32'd0 : t + 32'd1;
                    if (phase_last) begin
                        // End of a WS / IS fold: k0 is the inner loop; the
                        // outer loop is n0 (WS, step C) or m0 (IS, step C).
                        if (k_more_r) begin
                            k0    <= k0 + R32;
                            state <= S_LOAD;
                        end else if (df == DF_WS && n_more_c) begin
                            k0    <= 32'd0;
                            n0    <= n0 + C32;
                            state <= S_LOAD;
                        end else if (df == DF_IS && m_more_c) begin
                            k0    <= 32'd0;
                            m0    <= m0 + C32;
                            state <= S_LOAD;
                        end else begin
                            state <= S_DONE;
                        end
                    end
                end
                default: state <= S_IDLE;
            endcase
        end
    end

    assign done = (state == S_DONE);

    // o_wacc: WS / IS FEED of any fold after the first k0 tile accumulates
    // into the output; OS always writes plainly.
    assign o_wacc = (state == S_FEED) && (k0 != 32'd0);

    // ------------------------------------------------------------------
    // OS overlapped drain (OSD = 1).  A FEED's first cycle after the first
    // fold (m0, n0 not both 0) captures every acc into v_reg (osd_cap); the
    // captured tile (pm0, pn0) then leaves one row per cycle on the output
    // lanes, bottom row first, while the fold computes (dr rows to go).  A
    // capture, also the final DRAIN's, waits (osd_wait: no reads, no MACs,
    // the drain goes on) while more than this cycle's row is still to go.
    // Captures are a FEED (K+R+C-2 >= R cycles) apart, so this interlock
    // should never fire; the C model has no wait, and rtlcheck's cycle
    // agreement (K = 1 on an R x 1 array is the tight case) checks that.
    // ------------------------------------------------------------------
    generate
        if (OSD != 0) begin : g_osd
            reg [31:0] dr, dm0, dn0, pm0, pn0;
            wire first_fold = (m0 == 32'd0) && (n0 == 32'd0);
            wire cap_at = (t == 32'd0) &&
                          ((state == S_OS_FEED && !first_fold) || state == S_OS_DRAIN);
            assign osd_wait = cap_at && dr > 32'd1;
            assign osd_cap  = cap_at && !osd_wait && state == S_OS_FEED;
            assign osd_shv  = dr != 32'd0;
            assign osd_emit = dr != 32'd0;
            assign osd_row  = dm0 + dr - 32'd1;
            assign osd_n0   = dn0;
            always @(posedge clk) begin
                if (rst) begin
                    dr  <= 32'd0;
                    dm0 <= 32'd0;
                    dn0 <= 32'd0;
                    pm0 <= 32'd0;
                    pn0 <= 32'd0;
                end else begin
                    if (osd_cap) begin
                        dr  <= R32;
                        dm0 <= pm0;
                        dn0 <= pn0;
                    end else if (dr != 32'd0) begin
                        dr <= dr - 32'd1;
                    end
                    // the tile a FEED computes, for the next capture
                    if (state == S_OS_FEED && phase_last && !osd_wait) begin
                        pm0 <= m0;
                        pn0 <= n0;
                    end
                end
            end
        end else begin : g_no_osd
            assign osd_wait = 1'b0;
            assign osd_cap  = 1'b0;
            assign osd_shv  = 1'b0;
            assign osd_emit = 1'b0;
            assign osd_row  = 32'd0;
            assign osd_n0   = 32'd0;
        end
    endgenerate

    // Broadcast PE op for this cycle.
    wire [2:0] pe_op =
        osd_wait              ? PE_SHIFT_V :
        (state == S_OS_FEED)  ? PE_OS_MAC :
        (state == S_OS_DRAIN) ? ((t == 32'd0) ? PE_OS_CAPT : PE_SHIFT_V) :
        (state == S_LOAD)     ? PE_LOAD_W :
        (state == S_FEED)     ? PE_WS_MAC :
                                PE_HOLD;

    wire is_os_feed = (state == S_OS_FEED) && !osd_wait;
    wire is_load    = (state == S_LOAD);
    wire is_feed    = (state == S_FEED);
    wire is_ws      = (df == DF_WS);
    wire is_is      = (df == DF_IS);

    // ------------------------------------------------------------------
    // Read lanes: address generators and operand extraction.
    // ------------------------------------------------------------------
    // Operand value of each lane after sign extension to OPW bits; 0 when
    // the lane does not read this cycle.
    wire [L*OPW-1:0] a_val;
    wire [L*OPW-1:0] b_val;

    genvar l;
    generate
        for (l = 0; l < L; l = l + 1) begin : g_lane
            localparam [31:0] LI = l;

            reg        a_v, b_v;       // lane reads this cycle
            reg [31:0] a_ad, b_ad;     // element address when it does
            reg [32:0] s_full;         // t - l in 33 bits: bit 32 = "t < l"
            reg [31:0] s;              // stream index t - l (the skew)
            reg        s_ok;           // t >= l: lane l has started
            reg [31:0] kl;             // reversed LOAD depth k0 + R-1-t

            always @(*) begin
                a_v    = 1'b0;
                b_v    = 1'b0;
                a_ad   = 32'd0;
                b_ad   = 32'd0;
                s_full = {1'b0, t} - {1'b0, LI};
                s      = s_full[31:0];
                s_ok   = !s_full[32];
                kl     = k0 + R32 - 32'd1 - t;
                if (is_os_feed) begin
                    // OS: ifmap lane l = row l streams A[m0+l][t-l];
                    //     filter lane l = column l streams B[t-l][n0+l].
                    if (l < R && s_ok && s < gk && m0 + LI < gm) begin
                        a_v  = 1'b1;
                        a_ad = (m0 + LI) * gk + s;
                    end
                    if (l < C && s_ok && s < gk && n0 + LI < gn) begin
                        b_v  = 1'b1;
                        b_ad = s * gn + n0 + LI;
                    end
                end else if (is_load && is_ws) begin
                    // WS LOAD: filter lane l = column l, deepest row first.
                    if (l < C && kl < gk && n0 + LI < gn) begin
                        b_v  = 1'b1;
                        b_ad = kl * gn + n0 + LI;
                    end
                end else if (is_load && is_is) begin
                    // IS LOAD: ifmap lane l = column l holds row m0+l of A.
                    if (l < C && kl < gk && m0 + LI < gm) begin
                        a_v  = 1'b1;
                        a_ad = (m0 + LI) * gk + kl;
                    end
                end else if (is_feed && is_ws) begin
                    // WS FEED: ifmap lane l = row l streams A[t-l][k0+l].
                    if (l < R && s_ok && s < gm && k0 + LI < gk) begin
                        a_v  = 1'b1;
                        a_ad = s * gk + k0 + LI;
                    end
                end else if (is_feed && is_is) begin
                    // IS FEED: filter lane l = row l streams B[k0+l][t-l].
                    if (l < R && s_ok && s < gn && k0 + LI < gk) begin
                        b_v  = 1'b1;
                        b_ad = (k0 + LI) * gn + s;
                    end
                end
            end

            assign a_raddr[32*l +: 32] = a_v ? a_ad : NO_ACCESS;
            assign b_raddr[32*l +: 32] = b_v ? b_ad : NO_ACCESS;

            // Sign-extend each operand from its own width into OPW bits.
            // The valid bit comes from registers, so rdata never reaches an
            // output combinationally.
            // Only the low AW / BW bits of each 32-bit lane are used.
            wire [AW-1:0] a_raw = a_rdata[32*l +: AW];
            wire [BW-1:0] b_raw = b_rdata[32*l +: BW];
            wire [OPW-1:0] a_ext;
            wire [OPW-1:0] b_ext;
            if (FP != 0) begin : g_amf
                mf_dec #(.E(AF / 16), .M(AF % 16), .W(AW)) u_adec (
                    .code(a_raw), .packed_op(a_ext));
            end else if (OPW > AW) begin : g_asx
                assign a_ext = {{(OPW - AW){a_raw[AW-1]}}, a_raw};
            end else begin : g_anx
                assign a_ext = a_raw;
            end
            if (FP != 0) begin : g_bmf
                mf_dec #(.E(BF / 16), .M(BF % 16), .W(BW)) u_bdec (
                    .code(b_raw), .packed_op(b_ext));
            end else if (OPW > BW) begin : g_bsx
                assign b_ext = {{(OPW - BW){b_raw[BW-1]}}, b_raw};
            end else begin : g_bnx
                assign b_ext = b_raw;
            end
            assign a_val[OPW*l +: OPW] = a_v ? a_ext : {OPW{1'b0}};
            assign b_val[OPW*l +: OPW] = b_v ? b_ext : {OPW{1'b0}};
        end
    endgenerate

    // ------------------------------------------------------------------
    // PE grid.  Flattened buses, PE(i,j) at index i*C + j.
    // ------------------------------------------------------------------
    // The last column's a_reg and the last row's b_reg / w_reg have no
    // consumer (they exist because every PE is identical).
    /* verilator lint_off UNUSEDSIGNAL */
    wire [R*C*OPW-1:0]  a_q;    // a_reg of every PE
    wire [R*C*OPW-1:0]  b_q;    // b_reg
    wire [R*C*OPW-1:0]  w_q;    // w_reg
    /* verilator lint_on UNUSEDSIGNAL */
    wire [R*C*ACCW-1:0] v_q;    // v_reg
    // c_reg (CMP = 1; all 0 otherwise, and then only row R-1's is unread)
    /* verilator lint_off UNUSEDSIGNAL */
    wire [R*C*ACCW-1:0] c_q;
    wire [R*C*ACCW-1:0] vs_q;   // v_sum (only row R-1's is read, WOR = 0)
    /* verilator lint_on UNUSEDSIGNAL */

    genvar i, j;
    generate
        for (i = 0; i < R; i = i + 1) begin : g_row
            for (j = 0; j < C; j = j + 1) begin : g_col
                wire [OPW-1:0]  a_in;
                wire [OPW-1:0]  b_in;
                wire [OPW-1:0]  w_in;
                wire [ACCW-1:0] v_in;
                wire [ACCW-1:0] c_in;

                // Row i's streamed operand enters at column 0: ifmap lane i
                // (OS, WS) or filter lane i (IS FEED).
                if (j == 0) begin : g_a_edge
                    assign a_in = is_is ? b_val[OPW*i +: OPW] : a_val[OPW*i +: OPW];
                end else begin : g_a_mid
                    assign a_in = a_q[OPW*(i*C + j - 1) +: OPW];
                end

                // Column j's operands enter at row 0: filter lane j for OS
                // b and WS w; ifmap lane j for IS w.  Row 0 has no partial
                // sum above it.
                if (i == 0) begin : g_top_edge
                    assign b_in = b_val[OPW*j +: OPW];
                    assign w_in = is_is ? a_val[OPW*j +: OPW] : b_val[OPW*j +: OPW];
                    assign v_in = {ACCW{1'b0}};
                    assign c_in = {ACCW{1'b0}};
                end else begin : g_top_mid
                    assign b_in = b_q[OPW*((i-1)*C + j) +: OPW];
                    assign w_in = w_q[OPW*((i-1)*C + j) +: OPW];
                    assign v_in = v_q[ACCW*((i-1)*C + j) +: ACCW];
                    assign c_in = c_q[ACCW*((i-1)*C + j) +: ACCW];
                end

                systolic_pe #(.OPW(OPW), .ACCW(ACCW), .FP(FP), .CMP(CMP)) u_pe (
                    .clk   (clk),
                    .rst   (rst),
                    .op    (pe_op),
                    .a_in  (a_in),
                    .b_in  (b_in),
                    .w_in  (w_in),
                    .v_in  (v_in),
                    .osd_cap (osd_cap),
                    .osd_shv (osd_shv),
                    .c_in  (c_in),
                    .c_reg (c_q[ACCW*(i*C + j) +: ACCW]),
                    .v_sum (vs_q[ACCW*(i*C + j) +: ACCW]),
                    .a_reg (a_q[OPW*(i*C + j) +: OPW]),
                    .b_reg (b_q[OPW*(i*C + j) +: OPW]),
                    .w_reg (w_q[OPW*(i*C + j) +: OPW]),
                    .v_reg (v_q[ACCW*(i*C + j) +: ACCW])
                );
            end
        end
    endgenerate

    // ------------------------------------------------------------------
    // Write lanes: column j's bottom PE (row R-1) feeds output lane j.
    // ------------------------------------------------------------------
    genvar oc;
    generate
        for (oc = 0; oc < C; oc = oc + 1) begin : g_out
            localparam [31:0] JI = oc;
            // WOR = 0: a sum leaves in the cycle it is formed, one cycle
            // ahead of the registered v_reg (WS/IS stream index t+1-R-j)
            localparam [31:0] WOR_EARLY = (WOR != 0) ? 32'd0 : 32'd1;

            reg        o_v;
            reg [31:0] o_ad;
            reg [31:0] row;    // OS drain row m0 + R - t (overlapped: osd_row)
            reg [31:0] col0;   // its tile's first column n0 (overlapped: osd_n0)
            reg [31:0] s;      // WS / IS output stream index t - R - j

            always @(*) begin
                o_v  = 1'b0;
                o_ad = 32'd0;
                row  = osd_emit ? osd_row : m0 + R32 - t;
                col0 = osd_emit ? osd_n0 : n0;
                s    = t + WOR_EARLY - R32 - JI;
                if (osd_emit || state == S_OS_DRAIN) begin
                    // t = 0 captures acc; t = 1..R then emit rows bottom-up:
                    // row R-1 first, row 0 last.  The overlapped drain
                    // (osd_emit, never during those) emits the captured
                    // tile's rows the same way, on the same lane logic.
                    if ((osd_emit || t != 32'd0) && row < gm && col0 + JI < gn) begin
                        o_v  = 1'b1;
                        o_ad = row * gn + col0 + JI;
                    end
                end else if (is_feed && is_ws) begin
                    // WS: column j = output column n0+j, row t-R-j.
                    if (t + WOR_EARLY >= R32 + JI && s < gm && n0 + JI < gn) begin
                        o_v  = 1'b1;
                        o_ad = s * gn + n0 + JI;
                    end
                end else if (is_feed && is_is) begin
                    // IS: column j = output row m0+j, column t-R-j.
                    if (t + WOR_EARLY >= R32 + JI && s < gn && m0 + JI < gm) begin
                        o_v  = 1'b1;
                        o_ad = (m0 + JI) * gn + s;
                    end
                end
            end

            wire [ACCW-1:0] v_bot;
            if (CMP != 0) begin : g_cpa
                // The column's one carry-propagate add (compressed PEs).
                assign v_bot = v_q[ACCW*((R-1)*C + oc) +: ACCW] + c_q[ACCW*((R-1)*C + oc) +: ACCW];
            end else if (WOR == 0) begin : g_wor
                // WS/IS FEED: the bottom PE's sum as it is formed; OS drains
                // through v_reg as before
                assign v_bot = is_feed ? vs_q[ACCW*((R-1)*C + oc) +: ACCW]
                                       : v_q[ACCW*((R-1)*C + oc) +: ACCW];
            end else begin : g_nocpa
                assign v_bot = v_q[ACCW*((R-1)*C + oc) +: ACCW];
            end
            wire [31:0]     v_sx;
            if (ACCW < 32) begin : g_vsx
                assign v_sx = {{(32 - ACCW){v_bot[ACCW-1]}}, v_bot};
            end else begin : g_vnx
                assign v_sx = v_bot;
            end

            assign o_waddr[32*oc +: 32] = o_v ? o_ad : NO_ACCESS;
            assign o_wdata[32*oc +: 32] = o_v ? v_sx : 32'd0;
        end
    endgenerate
endmodule

`default_nettype wire
