// parts.v - standalone components for calibrating codesim's area and timing
// models against the `codesim synth --top` flow (rtl/synth/top.ys, yosys'
// synth -noalumacc, ABC generic gates; `make synth-timing` runs them).  None
// of them is a design the models are compared with; models/te_cost.h and
// models/power.h (power_grid_opt1_um2) quote what they measure.
`default_nettype none

// w-bit ripple adder: 2w - 2 gate levels.
module addw #(parameter integer W = 8) (
    input wire [W-1:0] a, input wire [W-1:0] b, output wire [W-1:0] y);
    assign y = a + b;
endmodule

// signed n x m multiplier to n + m bits: 2(n+m) - 3 gate levels.
module mulw #(parameter integer N = 8, parameter integer M = 8) (
    input wire signed [N-1:0] a, input wire signed [M-1:0] b,
    output wire signed [N+M-1:0] y);
    assign y = a * b;
endmodule

// c + a*b at W bits: a multiplier feeding an adder.
module fmaw #(parameter integer N = 8, parameter integer W = 32) (
    input wire signed [N-1:0] a, input wire signed [N-1:0] b,
    input wire signed [W-1:0] c, output wire signed [W-1:0] y);
    assign y = c + a * b;
endmodule

// two products and one adder-tree level.
module dot2 #(parameter integer N = 8) (
    input wire signed [N-1:0] a0, input wire signed [N-1:0] b0,
    input wire signed [N-1:0] a1, input wire signed [N-1:0] b1,
    output wire signed [2*N:0] y);
    assign y = a0 * b0 + a1 * b1;
endmodule

// One row of 3:2 full adders (carry-save): 3 gate levels.
module csa3 #(parameter integer W = 32) (
    input wire [W-1:0] x, input wire [W-1:0] y, input wire [W-1:0] z,
    output wire [W-1:0] s, output wire [W-1:0] c);
    assign s = x ^ y ^ z;
    assign c = ((x & y) | (y & z) | (x & z)) << 1;
endmodule

// One radix-4 Booth partial product of an N-bit signed multiplicand for one
// 3-bit window of the multiplier: 0, +-x or +-2x as N+2 bits and the negate
// bit (the +1 of the two's complement goes into the tree).  Written here
// from the textbook recoding, not taken from any compared design.
module booth_row #(parameter integer N = 8) (
    input wire signed [N-1:0] x, input wire [2:0] w,
    output wire [N+1:0] pp, output wire neg);
    wire one = w[0] ^ w[1];
    wire two = (w[2] & ~w[1] & ~w[0]) | (~w[2] & w[1] & w[0]);
    assign neg = w[2] & ~(w[1] & w[0]);
    wire [N+1:0] xs = {{2{x[N-1]}}, x};
    wire [N+1:0] mag = one ? xs : (two ? (xs << 1) : {(N+2){1'b0}});
    assign pp = mag ^ {(N+2){neg}};
endmodule
// One radix-4 Booth partial product with the multiplicand's negation done
// in full in front of the row (no negate bit into the tree): -x as the
// bits of x up to its lowest 1 copied and the rest inverted, the "any 1
// below" flags as a serial OR chain, then +-x or +-2x chosen by the
// window's flags and the 2x shift as a 2:1 select.  The structure the
// HPCA 2025 paper's OPT1 Booth generator has (an OR-chain negator feeding
// AND-OR selects); written here from that description, not taken from it.
// N >= 2; pp is N+2 bits, sign included.
module booth_negrow #(parameter integer N = 8) (
    input wire signed [N-1:0] x, input wire [2:0] w,
    output wire [N+1:0] pp);
    wire [N:0] xs = {x[N-1], x};
    wire [N-1:0] seen;     // seen[i]: some x[j], j <= i, is 1
    wire [N:0] nx;         // -x at N+1 bits
    assign seen[0] = x[0];
    assign nx[0] = x[0];
    genvar i;
    generate
        for (i = 1; i < N; i = i + 1) begin : g_neg
            assign nx[i] = x[i] ^ seen[i-1];
            assign seen[i] = seen[i-1] | x[i];
        end
    endgenerate
    assign nx[N] = xs[N] ^ seen[N-1];
    wire two = (w[2] & ~w[1] & ~w[0]) | (~w[2] & w[1] & w[0]);
    wire pos = ~w[2] & (w[1] | w[0]);
    wire neg = w[2] & ~(w[1] & w[0]);
    wire [N:0] src = (xs & {(N+1){pos}}) | (nx & {(N+1){neg}});
    assign pp = two ? {src, 1'b0} : {src[N], src};
endmodule
`default_nettype wire
