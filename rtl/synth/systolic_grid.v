// systolic_grid.v - the R x C PE grid of rtl/systolic.v without its memory
// interface (no address generators, no FSM), for area synthesis with yosys
// (rtl/synth/grid.ys, `codesim synth`).  The wiring is the same as the grid
// in systolic_top: a enters at column 0 and moves right, b/w/v enter at row 0
// and move down, the bottom row's v_reg is the output.  The broadcast op code
// and the edge operands are ports.  As in systolic_top, the last column's
// a_reg and the last row's b_reg / w_reg have no consumer, and row 0 adds a
// constant 0 partial sum: synthesis removes that logic here exactly as it
// would in systolic_top, and models/power.c counts the grid the same way.
`default_nettype none
module systolic_grid #(
    parameter integer R    = 4,
    parameter integer C    = 4,
    parameter integer OPW  = 8,
    parameter integer ACCW = 32,
    parameter integer OSD  = 0,   // 1: overlapped OS drain (systolic_top OSD)
    parameter integer CMP  = 0    // 1: compressed-accumulation PEs, as systolic_top
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire [2:0]           op,
    input  wire                 osd_cap,  // used only with OSD = 1 (else 0)
    input  wire                 osd_shv,
    input  wire [R*OPW-1:0]     a_edge,   // row lanes, column 0
    input  wire [C*OPW-1:0]     b_edge,   // column lanes, row 0 (OS operand)
    input  wire [C*OPW-1:0]     w_edge,   // column lanes, row 0 (LOAD)
    output wire [C*ACCW-1:0]    v_out     // bottom row's v_reg
);
    /* verilator lint_off UNUSEDSIGNAL */
    wire [R*C*OPW-1:0]  a_q;
    wire [R*C*OPW-1:0]  b_q;
    wire [R*C*OPW-1:0]  w_q;
    /* verilator lint_on UNUSEDSIGNAL */
    wire [R*C*ACCW-1:0] v_q;
    // As systolic_top: the overlapped-drain controls are 0 without OSD.
    wire cap = (OSD != 0) ? osd_cap : 1'b0;
    wire shv = (OSD != 0) ? osd_shv : 1'b0;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [R*C*ACCW-1:0] c_q;    // carry words (CMP = 1)
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
                if (j == 0) begin : g_a_edge
                    assign a_in = a_edge[OPW*i +: OPW];
                end else begin : g_a_mid
                    assign a_in = a_q[OPW*(i*C + j - 1) +: OPW];
                end
                if (i == 0) begin : g_top_edge
                    assign b_in = b_edge[OPW*j +: OPW];
                    assign w_in = w_edge[OPW*j +: OPW];
                    assign v_in = {ACCW{1'b0}};
                    assign c_in = {ACCW{1'b0}};
                end else begin : g_top_mid
                    assign b_in = b_q[OPW*((i-1)*C + j) +: OPW];
                    assign w_in = w_q[OPW*((i-1)*C + j) +: OPW];
                    assign v_in = v_q[ACCW*((i-1)*C + j) +: ACCW];
                    assign c_in = c_q[ACCW*((i-1)*C + j) +: ACCW];
                end
                systolic_pe #(.OPW(OPW), .ACCW(ACCW), .CMP(CMP)) u_pe (
                    .clk(clk), .rst(rst), .op(op),
                    .a_in(a_in), .b_in(b_in), .w_in(w_in), .v_in(v_in),
                    .osd_cap(cap), .osd_shv(shv),
                    .c_in(c_in), .c_reg(c_q[ACCW*(i*C + j) +: ACCW]),
                    .a_reg(a_q[OPW*(i*C + j) +: OPW]),
                    .b_reg(b_q[OPW*(i*C + j) +: OPW]),
                    .w_reg(w_q[OPW*(i*C + j) +: OPW]),
                    .v_reg(v_q[ACCW*(i*C + j) +: ACCW]));
            end
        end
        for (j = 0; j < C; j = j + 1) begin : g_out
            if (CMP != 0) begin : g_cpa   // the column's carry-propagate add
                assign v_out[ACCW*j +: ACCW] = v_q[ACCW*((R-1)*C + j) +: ACCW] +
                                               c_q[ACCW*((R-1)*C + j) +: ACCW];
            end else begin : g_nocpa
                assign v_out[ACCW*j +: ACCW] = v_q[ACCW*((R-1)*C + j) +: ACCW];
            end
        end
    endgenerate
endmodule
`default_nettype wire
