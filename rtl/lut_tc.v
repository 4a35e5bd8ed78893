// lut_tc.v - LUT tensor core: lookup-table mpGEMM for low-bit weights.
//
// Implements the microarchitecture documented in models/lut_tc.h (in-unit
// table precompute): TM x TN lookup PEs, per-row table buffers for one K-tile
// of TK/G groups, bit-serial weight planes, shift-accumulate, a drain with the
// zero-point correction.  The C model and this RTL are cross-checked value for
// value, cycle for cycle and port for port (codesim rtlcheck --block lut).
// A drainer writes the previous tile's results (from a drain bank) while the
// PEs work on the next tile.
//
// Parameters (build time): TM, TN, TK (tile), G (activations per table),
// P (weight bit-planes), AW (activation bits), SYM (1: symmetrized tables of
// 2^(G-1) entries, sign applied on read).
// Runtime command: cfg_m, cfg_n, cfg_k, cfg_cz (zero-point correction
// constant, signed), cfg_sh (final right shift, 0 or 1).
//
// Memory ports, 32-bit lanes, all-ones address = idle lane:
//   a_raddr/a_rdata  TM*G activation lanes (lane r*G+t), PRE phase
//   w_raddr/w_rdata  TN packed-weight lanes (G-bit plane words), LOOK phase
//   o_waddr/o_wdata  TN output lanes, written by the drainer; o_wacc: add into O
// Read data are combinational inputs in the cycle of the address (the
// harness is the memory); everything else is registered.
module lut_top #(
    parameter integer TM = 2,
    parameter integer TN = 4,
    parameter integer TK = 8,
    parameter integer G = 4,
    parameter integer P = 2,
    parameter integer AW = 8,
    parameter integer SYM = 1
) (
    input wire clk,
    input wire rst,
    input wire start,
    input wire [31:0] cfg_m,
    input wire [31:0] cfg_n,
    input wire [31:0] cfg_k,
    input wire [7:0] cfg_cz,
    input wire cfg_sh,
    output wire [TM*G*32-1:0] a_raddr,
    input wire [TM*G*32-1:0] a_rdata,
    output wire [TN*32-1:0] w_raddr,
    input wire [TN*32-1:0] w_rdata,
    output wire [TN*32-1:0] o_waddr,
    output wire [TN*32-1:0] o_wdata,
    output wire o_wacc,
    output reg done
);
    localparam integer E = SYM != 0 ? (1 << (G - 1)) : (1 << G);
    localparam integer NG = TK / G;
    localparam [2:0] PH_IDLE = 3'd0, PH_PRE = 3'd1, PH_LOOK = 3'd2, PH_MOVE = 3'd3,
                     PH_FINISH = 3'd4;
    localparam [31:0] NONE = 32'hFFFF_FFFF;

    reg [2:0] phase;
    reg [31:0] m0, k0, n0, kg0;
    reg [15:0] j;
    reg [3:0] i;
    // The drainer: tile (d_m0, d_n0), row d_r, accumulate flag d_kacc.
    reg d_active, d_kacc;
    reg [31:0] d_m0, d_n0;
    reg [7:0] d_r;

    // Remaining extents of the current tile.
    wire [31:0] m_left = cfg_m - m0;
    wire [31:0] n_left = cfg_n - n0;
    wire [31:0] k_left = cfg_k - k0;
    wire [31:0] ml = m_left < TM ? m_left : TM;
    wire [31:0] nl = n_left < TN ? n_left : TN;
    wire [31:0] kl = k_left < TK ? k_left : TK;
    wire [31:0] gt = (kl + G - 1) / G;

    // sum over t < G of (bit t of idx ? +v_t : -v_t), 32-bit wrapping.
    function automatic [31:0] signed_sum(input [G*32-1:0] v, input integer idx);
        integer q;
        begin
            signed_sum = 32'd0;
            for (q = 0; q < G; q = q + 1)
                signed_sum = ((idx >> q) & 1) != 0 ? signed_sum + v[q*32 +: 32]
                                                   : signed_sum - v[q*32 +: 32];
        end
    endfunction

    wire in_pre = phase == PH_PRE;
    wire in_look = phase == PH_LOOK;
    wire first = j == 0 && i == 0;
    wire [31:0] dm_left = cfg_m - d_m0;
    wire [31:0] dn_left = cfg_n - d_n0;
    wire [31:0] d_ml = dm_left < TM ? dm_left : TM;
    wire [31:0] d_nl = dn_left < TN ? dn_left : TN;
    wire d_last = d_active && {24'd0, d_r} + 1 == d_ml;
    wire move = phase == PH_MOVE && (!d_active || d_last);   // bank takes the tile

    // ---- controller: the loop nest of models/lut_tc.h -------------------
    always @(posedge clk) begin
        if (rst) begin
            phase <= PH_IDLE;
            done <= 1'b0;
            m0 <= 0; k0 <= 0; n0 <= 0; kg0 <= 0; j <= 0; i <= 0;
        end else begin
            case (phase)
                PH_IDLE: if (start) begin
                    phase <= PH_PRE;
                    done <= 1'b0;
                    m0 <= 0; k0 <= 0; n0 <= 0; kg0 <= 0; j <= 0; i <= 0;
                end
                PH_PRE: begin
                    if ({16'd0, j} + 1 < gt) j <= j + 1;
                    else begin
                        j <= 0; i <= 0; n0 <= 0;
                        phase <= PH_LOOK;
                    end
                end
                PH_LOOK: begin
                    if ({28'd0, i} + 1 < P) i <= i + 1;
                    else begin
                        i <= 0;
                        if ({16'd0, j} + 1 < gt) j <= j + 1;
                        else phase <= PH_MOVE;
                    end
                end
                PH_MOVE: if (move) begin
                    j <= 0; i <= 0;
                    if (n0 + TN < cfg_n) begin
                        n0 <= n0 + TN;
                        phase <= PH_LOOK;
                    end else begin
                        n0 <= 0;
                        if (k0 + TK < cfg_k) begin
                            k0 <= k0 + TK;
                            kg0 <= kg0 + NG;
                            phase <= PH_PRE;
                        end else if (m0 + TM < cfg_m) begin
                            k0 <= 0;
                            kg0 <= 0;
                            m0 <= m0 + TM;
                            phase <= PH_PRE;
                        end else begin
                            phase <= PH_FINISH;
                        end
                    end
                end
                PH_FINISH: if (d_last) begin
                    phase <= PH_IDLE;
                    done <= 1'b1;
                end
                default: phase <= PH_IDLE;
            endcase
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            d_active <= 1'b0;
            d_kacc <= 1'b0;
            d_m0 <= 0; d_n0 <= 0; d_r <= 0;
        end else if (move) begin
            d_active <= 1'b1;
            d_r <= 0;
            d_m0 <= m0;
            d_n0 <= n0;
            d_kacc <= k0 != 0;
        end else if (d_active) begin
            if (d_last) d_active <= 1'b0;
            else d_r <= d_r + 1;
        end
    end

    // ---- weight lanes (LOOK) and output lanes (drainer) ------------------
    wire [TM*TN*32-1:0] bank_flat;
    wire [TM*32-1:0] drs_flat;
    wire [31:0] rs_sel = drs_flat[d_r*32 +: 32];
    wire [31:0] cz32 = {{24{cfg_cz[7]}}, cfg_cz};
    wire [31:0] corr = rs_sel * cz32;    // low 32 bits: equal for signed operands

    genvar c;
    generate
        for (c = 0; c < TN; c = c + 1) begin : col
            wire valid = c < nl;
            assign w_raddr[c*32 +: 32] = in_look && valid
                ? ((kg0 + {16'd0, j}) * cfg_n + n0 + c) * P + {28'd0, i} : NONE;
            wire d_valid = d_active && c < d_nl;
            wire [31:0] bank_sel = bank_flat[(d_r*TN + c)*32 +: 32];
            wire [31:0] sum = bank_sel + corr;
            assign o_waddr[c*32 +: 32] = d_valid ? (d_m0 + {24'd0, d_r}) * cfg_n + d_n0 + c : NONE;
            assign o_wdata[c*32 +: 32] = d_valid ? (cfg_sh ? {sum[31], sum[31:1]} : sum) : 32'd0;
        end
    endgenerate
    assign o_wacc = d_active && d_kacc;

    // ---- rows: activation lanes, table buffer, rowsum, PEs ----------------
    genvar rr, t, e;
    generate
        for (rr = 0; rr < TM; rr = rr + 1) begin : row
            wire row_valid = rr < ml;
            wire [G*32-1:0] av;          // this row's G activations, sign-extended
            for (t = 0; t < G; t = t + 1) begin : lane
                wire [31:0] k_abs = k0 + {16'd0, j} * G + t;
                wire valid = row_valid && k_abs < cfg_k;
                assign a_raddr[(rr*G + t)*32 +: 32] =
                    in_pre && valid ? (m0 + rr) * cfg_k + k_abs : NONE;
                wire [AW-1:0] raw = a_rdata[(rr*G + t)*32 +: AW];
                assign av[t*32 +: 32] = valid ? {{(32-AW){raw[AW-1]}}, raw} : 32'd0;
            end
            // Entry e of the new table: the signed sum selected by its index;
            // the rowsum is the all-plus sum (the full table's last entry).
            wire [E*32-1:0] fresh;
            for (e = 0; e < E; e = e + 1) begin : ent
                assign fresh[e*32 +: 32] = signed_sum(av, SYM != 0 ? (e | (1 << (G - 1))) : e);
            end
            wire [31:0] all_plus = signed_sum(av, (1 << G) - 1);

            reg [NG*E*32-1:0] tab;
            reg [31:0] rs, d_rs;
            always @(posedge clk) begin
                if (in_pre) begin
                    tab[j*E*32 +: E*32] <= fresh;
                    rs <= (j == 0 ? 32'd0 : rs) + all_plus;
                end
                if (move) d_rs <= rs;
            end
            assign drs_flat[rr*32 +: 32] = d_rs;
            wire [E*32-1:0] cur = tab[j*E*32 +: E*32];   // group j's table

            for (c = 0; c < TN; c = c + 1) begin : pe
                wire [G-1:0] idx = w_rdata[c*32 +: G];
                wire top = SYM != 0 ? idx[G-1] : 1'b1;
                wire [G-1:0] sel = top ? idx : ~idx;
                wire [G-1:0] eidx = SYM != 0 ? (sel & G'(E - 1)) : idx;
                wire [31:0] raw_v = cur[eidx*32 +: 32];
                wire [31:0] v = top ? raw_v : 32'd0 - raw_v;
                wire [31:0] sv = v << i;
                reg [31:0] acc, bank;
                always @(posedge clk) begin
                    if (in_look) acc <= first ? sv : acc + sv;
                    if (move) bank <= acc;
                end
                assign bank_flat[(rr*TN + c)*32 +: 32] = bank;
            end
        end
    endgenerate
endmodule
