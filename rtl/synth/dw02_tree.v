// dw02_tree.v - a synthesizable stand-in for Synopsys DesignWare DW02_tree
// (the carry-save adder tree the HPCA 2025 paper's optimized PEs
// instantiate), for `codesim synth` of that public Verilog with yosys: the
// paper's repository ships DW02_tree's simulation model inside
// `synopsys translate_off`, so yosys would synthesize an empty tree.  Same
// ports and parameters; OUT0 + OUT1 == the sum of the num_inputs words
// modulo 2^input_width, reduced by rows of 3:2 full adders (a Wallace tree,
// the reduction order of the DesignWare simulation model).  Written here
// from that interface; pass it instead of the repository's DW02_tree.sv.
`default_nettype none
module DW02_tree #(
    parameter integer num_inputs  = 8,
    parameter integer input_width = 8,
    parameter integer verif_en    = 1
) (
    input  wire [num_inputs*input_width-1:0] INPUT,
    output wire [input_width-1:0]            OUT0,
    output wire [input_width-1:0]            OUT1
);
    csa_tree #(.N(num_inputs), .W(input_width)) u_tree (.in(INPUT), .s(OUT0), .c(OUT1));
endmodule

// N words of W bits to two: one layer of 3:2 compressors on each group of
// three, the N % 3 words left over pass through, then the same on the rest.
module csa_tree #(
    parameter integer N = 3,
    parameter integer W = 8
) (
    input  wire [N*W-1:0] in,
    output wire [W-1:0]   s,
    output wire [W-1:0]   c
);
    localparam integer G = N / 3;              // 3:2 groups this layer
    localparam integer NEXT = 2 * G + N % 3;   // words after it
    genvar g;
    generate
        if (N == 1) begin : g_one
            assign s = in[W-1:0];
            assign c = {W{1'b0}};
        end else if (N == 2) begin : g_two
            assign s = in[W-1:0];
            assign c = in[2*W-1:W];
        end else begin : g_layer
            wire [NEXT*W-1:0] nxt;
            for (g = 0; g < G; g = g + 1) begin : g_csa
                wire [W-1:0] x = in[W*(3*g)   +: W];
                wire [W-1:0] y = in[W*(3*g+1) +: W];
                wire [W-1:0] z = in[W*(3*g+2) +: W];
                assign nxt[W*(2*g)   +: W] = x ^ y ^ z;
                assign nxt[W*(2*g+1) +: W] = ((x & y) | (y & z) | (x & z)) << 1;
            end
            if (N % 3 != 0) begin : g_rest
                assign nxt[NEXT*W-1:2*G*W] = in[N*W-1:3*G*W];
            end
            csa_tree #(.N(NEXT), .W(W)) u_next (.in(nxt), .s(s), .c(c));
        end
    endgenerate
endmodule
`default_nettype wire
