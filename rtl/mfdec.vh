// mfdec.vh - the minifloat lane decoder, included by rtl/systolic.v and
// rtl/tensor_engine.v (each is Verilated and synthesized on its own).
`ifndef CODESIM_MFDEC_VH
`define CODESIM_MFDEC_VH
// ---------------------------------------------------------------------------
// Minifloat lane decoder: code -> {off[7:0], sig[7:0]} (models/numfmt.h).
// E4M3 follows OCP OFP8 (only S.1111.111 is NaN), E5M2 IEEE 754 (E all ones
// is Inf/NaN), every other ExMy has no special codes (OCP MX v1.0 FP6/FP4).
// Specials decode to 0.
// ---------------------------------------------------------------------------
module mf_dec #(
    parameter integer E = 4,
    parameter integer M = 3,
    parameter integer W = 8      // code width, 1 + E + M
) (
    input  wire [W-1:0] code,
    output wire [15:0]  packed_op
);
    localparam integer RULE = (E == 4 && M == 3) ? 1 : (E == 5 && M == 2) ? 2 : 0;
    wire         s  = code[E + M];
    wire [E-1:0] ef = code[M +: E];
    wire [M-1:0] mf = code[M-1:0];
    wire special = (RULE == 2) ? (&ef) : (RULE == 1) ? ((&ef) & (&mf)) : 1'b0;
    wire [7:0] mag = (ef != {E{1'b0}}) ? {{(7 - M){1'b0}}, 1'b1, mf} : {{(8 - M){1'b0}}, mf};
    wire [7:0] sig = special ? 8'd0 : (s ? (8'd0 - mag) : mag);
    wire [7:0] off = (special || ef == {E{1'b0}}) ? 8'd0 : ({{(8 - E){1'b0}}, ef} - 8'd1);
    assign packed_op = {off, sig};
endmodule
`endif
