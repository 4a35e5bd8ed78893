// tensor_engine.v - adder-tree, 3D-cube and 2D-matrix engines: an R x C grid
// of PEs, each a D-input dot product and an accumulator, operands broadcast
// along rows (A) and columns (B).  The schedule, the shapes and the two PE
// options are specified in models/tensor_engine.h; the C model there and this
// RTL are cross-checked by `codesim rtlcheck --block addertree|cube|matrix2d`.
//
// Parameters: R, C, D (grid and dot-product depth), AW, BW (operand widths),
// ACCW (accumulator), CMP (1: compressed accumulation, sum and carry kept
// apart until the write; 0: MAC-based, one carry-propagate add per step),
// AF, BF (teng_top: operand formats, 0 integer or E*16+M for a minifloat
// ExMy, both or neither; each read lane then decodes its code into the
// packed {off, sig} operand of models/numfmt.h and the PEs get FP = 1).
//
// teng_core is the PE grid alone (what `codesim synth` synthesizes);
// teng_top adds the command FSM, the output address generators and the A
// and B read lanes (teng_lanes: addresses, decoders, operand registers).
`default_nettype none

// The minifloat lane decoder (mf_dec), shared with rtl/systolic.v.
`include "mfdec.vh"

// One PE: D products summed and accumulated.  FP = 1: the operands are
// packed minifloats (AW = BW = 16), each product sig_a * sig_b shifted up
// by off_a + off_b, the D products summed modulo 2^ACCW.
module teng_pe #(
    parameter integer D    = 4,
    parameter integer AW   = 8,
    parameter integer BW   = 8,
    parameter integer ACCW = 32,
    parameter integer CMP  = 0,
    parameter integer FP   = 0
) (
    input  wire              clk,
    input  wire              en,       // a registered k-step is valid
    input  wire              first,    // its k0 == 0: load instead of add
    input  wire [D*AW-1:0]   a,        // registered operands
    input  wire [D*BW-1:0]   b,
    output wire [ACCW-1:0]   q         // the accumulated value (s + c when CMP)
);
    wire [ACCW-1:0] p;
    generate
        if (FP != 0) begin : g_fp
            // Packed minifloats: a signed 8x8 significand multiplier, the
            // exponent adder and the alignment shifter per product, then the
            // adder tree at ACCW bits (everything modulo 2^ACCW).
            reg [ACCW-1:0] fsum;
            reg signed [15:0] fs;
            reg [8:0] fsh;
            /* verilator lint_off UNUSEDSIGNAL */
            reg [47:0] fx;
            /* verilator lint_on UNUSEDSIGNAL */
            integer e;
            always @(*) begin
                fsum = {ACCW{1'b0}};
                for (e = 0; e < D; e = e + 1) begin
                    fs   = $signed(a[AW*e +: 8]) * $signed(b[BW*e +: 8]);
                    fsh  = {1'b0, a[AW*e + 8 +: 8]} + {1'b0, b[BW*e + 8 +: 8]};
                    fx   = {{32{fs[15]}}, fs} << fsh;
                    fsum = fsum + fx[ACCW-1:0];
                end
            end
            assign p = fsum;
        end else begin : g_int
            // The dot product (the adder tree) at its exact width PW, then
            // sign-extended (or wrapped) to ACCW: products of AW x BW bits,
            // their sum of D terms needs clog2(D) more bits.
            localparam integer PW = AW + BW + $clog2(D);
            reg signed [PW-1:0] sum;
            integer d;
            always @(*) begin
                sum = {PW{1'b0}};
                for (d = 0; d < D; d = d + 1)
                    sum = sum + $signed(a[AW*d +: AW]) * $signed(b[BW*d +: BW]);
            end
            if (ACCW > PW) begin : g_sext
                assign p = {{(ACCW-PW){sum[PW-1]}}, sum};
            end else begin : g_wrap
                assign p = sum[ACCW-1:0];
            end
        end
    endgenerate
    reg [ACCW-1:0] s;
    generate
        if (CMP != 0) begin : g_cmp
            reg [ACCW-1:0] c;
            wire [ACCW-1:0] pu = p;
            always @(posedge clk)
                if (en) begin
                    if (first) begin
                        s <= pu;
                        c <= {ACCW{1'b0}};
                    end else begin
                        s <= s ^ c ^ pu;
                        c <= ((s & c) | (s & pu) | (c & pu)) << 1;
                    end
                end
            assign q = s + c;   // the one carry-propagate add, at the write
        end else begin : g_mac
            always @(posedge clk)
                if (en)
                    s <= (first ? {ACCW{1'b0}} : s) + p;
            assign q = s;
        end
    endgenerate
endmodule

// The PE grid: a_in lane i*D+d feeds PE row i, b_in lane d*C+j PE column j.
module teng_core #(
    parameter integer R    = 4,
    parameter integer C    = 4,
    parameter integer D    = 4,
    parameter integer AW   = 8,
    parameter integer BW   = 8,
    parameter integer ACCW = 32,
    parameter integer CMP  = 0,
    parameter integer FP   = 0
) (
    input  wire                  clk,
    input  wire                  en,
    input  wire                  first,
    input  wire [R*D*AW-1:0]     a_in,
    input  wire [D*C*BW-1:0]     b_in,
    output wire [R*C*ACCW-1:0]   q
);
    genvar i, j, d;
    generate
        for (i = 0; i < R; i = i + 1) begin : g_row
            for (j = 0; j < C; j = j + 1) begin : g_col
                wire [D*BW-1:0] bcol;
                for (d = 0; d < D; d = d + 1) begin : g_b
                    assign bcol[BW*d +: BW] = b_in[BW*(d*C + j) +: BW];
                end
                teng_pe #(.D(D), .AW(AW), .BW(BW), .ACCW(ACCW), .CMP(CMP), .FP(FP)) u_pe (
                    .clk(clk), .en(en), .first(first),
                    .a(a_in[AW*D*i +: AW*D]), .b(bcol),
                    .q(q[ACCW*(i*C + j) +: ACCW]));
            end
        end
    endgenerate
endmodule

// The read lanes of one operand of teng_top, the same module for A and B:
// an LR x LC grid of lanes over the row-major rows x cols operand, lane
// r*LC + c reading element (row0 + r, col0 + c) while reading and in range,
// else idle (address NONE).  A lane's operand register takes the code read
// (FP = 1: decoded by mf_dec from the minifloat format FMT = E*16 + M into
// the packed {off, sig}), or 0 when idle.
module teng_lanes #(
    parameter integer LR  = 4,     // lanes along the operand's rows
    parameter integer LC  = 4,     // lanes along its columns
    parameter integer W   = 8,     // code width
    parameter integer FP  = 0,     // 1: packed minifloat operands
    parameter integer FMT = 0,     // FP = 1: E*16 + M
    parameter integer Q   = (FP != 0) ? 16 : W    // operand register width
) (
    input  wire                 clk,
    input  wire                 reading,  // a k-step is read this cycle
    input  wire [31:0]          row0,
    input  wire [31:0]          col0,
    input  wire [31:0]          rows,
    input  wire [31:0]          cols,
    output wire [LR*LC*32-1:0]  raddr,
    input  wire [LR*LC*32-1:0]  rdata,    // each lane's low W bits are its code
    output reg  [LR*LC*Q-1:0]   q
);
    localparam [31:0] NONE = 32'hFFFF_FFFF;
    genvar r, c;
    generate
        for (r = 0; r < LR; r = r + 1) begin : g_r
            for (c = 0; c < LC; c = c + 1) begin : g_c
                localparam integer L = r * LC + c;
                wire [31:0] row = row0 + r, col = col0 + c;
                assign raddr[32*L +: 32] =
                    reading && row < rows && col < cols ? row * cols + col : NONE;
                wire [Q-1:0] v;
                if (FP != 0) begin : g_dec
                    mf_dec #(.E(FMT / 16), .M(FMT % 16), .W(W)) u_dec (
                        .code(rdata[32*L +: W]), .packed_op(v));
                end else begin : g_raw
                    assign v = rdata[32*L +: W];
                end
                always @(posedge clk)
                    q[Q*L +: Q] <= raddr[32*L +: 32] == NONE ? {Q{1'b0}} : v;
            end
        end
    endgenerate
endmodule

module teng_top #(
    parameter integer R    = 4,
    parameter integer C    = 4,
    parameter integer D    = 4,
    parameter integer AW   = 8,
    parameter integer BW   = 8,
    parameter integer ACCW = 32,
    parameter integer CMP  = 0,
    parameter integer AF   = 0,    // operand formats: 0 integer, else E*16 + M
    parameter integer BF   = 0
) (
    input  wire                clk,
    input  wire                rst,
    input  wire                start,
    input  wire [31:0]         cfg_m,
    input  wire [31:0]         cfg_n,
    input  wire [31:0]         cfg_k,
    output wire [R*D*32-1:0]   a_raddr,
    input  wire [R*D*32-1:0]   a_rdata,
    output wire [D*C*32-1:0]   b_raddr,
    input  wire [D*C*32-1:0]   b_rdata,
    output wire [R*C*32-1:0]   o_waddr,
    output wire [R*C*32-1:0]   o_wdata,
    output reg                 done
);
    localparam [31:0] NONE = 32'hFFFF_FFFF;
    localparam integer FP = (AF != 0) ? 1 : 0;
    // Operand register widths: the codes' widths, or 16 for packed minifloats.
    localparam integer QA = (FP != 0) ? 16 : AW;
    localparam integer QB = (FP != 0) ? 16 : BW;
    reg [31:0] M, N, K;
    reg        reading;                 // a k-step is read this cycle
    reg [31:0] m0, n0, k0;              // the k-step being read
    reg        v1, first1, last1;       // stage 1: registered operands
    reg [31:0] m1, n1;
    reg        wv;                      // stage 2 finished a fold: write it
    reg [31:0] wm, wn;
    wire [R*D*QA-1:0] a_q;
    wire [D*C*QB-1:0] b_q;
    wire [R*C*ACCW-1:0] q;

    // The read lanes (teng_lanes): A lane i*D+d reads A[m0+i][k0+d], B lane
    // d*C+j reads B[k0+d][n0+j].
    teng_lanes #(.LR(R), .LC(D), .W(AW), .FP(FP), .FMT(AF)) u_a (
        .clk(clk), .reading(reading), .row0(m0), .col0(k0), .rows(M), .cols(K),
        .raddr(a_raddr), .rdata(a_rdata), .q(a_q));
    teng_lanes #(.LR(D), .LC(C), .W(BW), .FP(FP), .FMT(BF)) u_b (
        .clk(clk), .reading(reading), .row0(k0), .col0(n0), .rows(K), .cols(N),
        .raddr(b_raddr), .rdata(b_rdata), .q(b_q));

    // Write addresses: an output lane writes while in range, else is idle.
    genvar i, j;
    generate
        for (i = 0; i < R; i = i + 1) begin : g_or
            for (j = 0; j < C; j = j + 1) begin : g_oc
                wire [31:0] m = wm + i, n = wn + j;
                wire        w = wv && m < M && n < N;
                assign o_waddr[32*(i*C + j) +: 32] = w ? m * N + n : NONE;
                assign o_wdata[32*(i*C + j) +: 32] =
                    w ? {{(32-ACCW){q[ACCW*(i*C + j) + ACCW - 1]}}, q[ACCW*(i*C + j) +: ACCW]}
                      : 32'd0;
            end
        end
    endgenerate

    teng_core #(.R(R), .C(C), .D(D), .AW(QA), .BW(QB), .ACCW(ACCW), .CMP(CMP), .FP(FP)) u_core (
        .clk(clk), .en(v1), .first(first1), .a_in(a_q), .b_in(b_q), .q(q));

    wire last = k0 + D >= K;
    always @(posedge clk) begin
        if (rst) begin
            reading <= 1'b0;
            v1 <= 1'b0;
            wv <= 1'b0;
            done <= 1'b0;
            m0 <= 0; n0 <= 0; k0 <= 0;
        end else if (start) begin
            M <= cfg_m; N <= cfg_n; K <= cfg_k;
            m0 <= 0; n0 <= 0; k0 <= 0;
            reading <= 1'b1;
            v1 <= 1'b0;
            wv <= 1'b0;
            done <= 1'b0;
        end else begin
            wv <= v1 && last1;
            wm <= m1;
            wn <= n1;
            v1 <= reading;
            if (reading) begin
                first1 <= k0 == 0;
                last1 <= last;
                m1 <= m0;
                n1 <= n0;
                if (!last) begin
                    k0 <= k0 + D;
                end else begin
                    k0 <= 0;
                    if (n0 + C < N) begin
                        n0 <= n0 + C;
                    end else begin
                        n0 <= 0;
                        m0 <= m0 + R;
                        if (m0 + R >= M)
                            reading <= 1'b0;
                    end
                end
            end
            if (!reading && !v1 && wv)
                done <= 1'b1;
        end
    end
endmodule
`default_nettype wire
