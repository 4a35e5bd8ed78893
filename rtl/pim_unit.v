// pim_unit.v - one DRAM PIM processing unit: command decode, a row-buffer
// read port, LANES multiply-accumulate lanes and the GRF / SRF / ACC
// register files.  Implements exactly the unit described in models/pim.h
// (the C model); codesim rtlcheck --block pim compares the two cycle by cycle.
//
// Parameters: LANES 1..64, FP 0 = int8 x int8 -> int32 (wrapping), 1 = fp16 x
// fp16 exact product, fp32 accumulate rounded to nearest even; NG, NS, NA =
// GRF, SRF and ACC entries (1..16).
//
// Pipeline, for a command presented with cmd_valid in cycle t:
//   t+1 D: decode; MAC/MACS/MACT drive rb_rd/rb_col and take rb_data in the same
//          cycle (the row buffer answers combinationally); WRGRF/WRSRF write.
//   t+2 M: multiply.
//   t+3 A: MAC/MACS add into ACC[dst], MACT adds its adder tree's sum into
//          lane cmd_data[5:0] of ACC[dst], CLR clears it; RDACC drives
//          rd_valid and rd_data = ACC[dst].
// Opcodes: 0 NOP, 1 WRGRF, 2 WRSRF, 3 MAC, 4 MACS, 5 CLR, 6 RDACC, 7 MACT
// (the adder-tree dot product into one accumulator lane, cmd_data[5:0]).
/* verilator lint_off WIDTH */
/* verilator lint_off UNUSED */
// The combinational blocks assign every variable before use on every path;
// the lint cannot see that through the normalisation loop.
/* verilator lint_off LATCH */

module pim_fp16_mul (
    input  wire [15:0] a,
    input  wire [15:0] b,
    output reg  [31:0] p
);
    reg sign, nan_a, nan_b, inf_a, inf_b, zero_a, zero_b;
    reg [10:0] ma, mb;
    reg [5:0] xa, xb;
    reg [21:0] prod;
    reg [8:0] ex;
    reg [44:0] sh;
    integer i, n;
    always @* begin
        sign   = a[15] ^ b[15];
        nan_a  = (a[14:10] == 5'd31) && (a[9:0] != 0);
        nan_b  = (b[14:10] == 5'd31) && (b[9:0] != 0);
        inf_a  = (a[14:10] == 5'd31) && (a[9:0] == 0);
        inf_b  = (b[14:10] == 5'd31) && (b[9:0] == 0);
        zero_a = (a[14:0] == 0);
        zero_b = (b[14:0] == 0);
        ma = {(a[14:10] != 0), a[9:0]};
        mb = {(b[14:10] != 0), b[9:0]};
        xa = (a[14:10] != 0) ? {1'b0, a[14:10]} : 6'd1;
        xb = (b[14:10] != 0) ? {1'b0, b[14:10]} : 6'd1;
        prod = ma * mb;
        n = 0;
        for (i = 0; i < 22; i = i + 1)
            if (prod[i]) n = i;
        ex = n + xa + xb + 77;
        sh = {23'd0, prod} << (23 - n);
        if (nan_a || nan_b || (inf_a && zero_b) || (inf_b && zero_a))
            p = 32'h7FC00000;
        else if (inf_a || inf_b)
            p = {sign, 8'hFF, 23'd0};
        else if (zero_a || zero_b)
            p = {sign, 31'd0};
        else
            p = {sign, ex[7:0], sh[22:0]};
    end
endmodule

module pim_fp32_add (
    input  wire [31:0] a,
    input  wire [31:0] b,
    output reg  [31:0] s
);
    reg [7:0] ea, eb;
    reg sa, sb, ts;
    reg [8:0] xa, xb, tx;
    reg [23:0] ma, mb, tm;
    reg [8:0] d;
    reg [26:0] big, sml, lost;
    reg [27:0] sum;
    reg [9:0] x;
    reg [24:0] mant;
    reg [2:0] grs;
    integer i;
    always @* begin
        ts = 1'b0; tx = 9'd0; tm = 24'd0;
        ea = a[30:23];
        eb = b[30:23];
        sa = a[31];
        sb = b[31];
        xa = (ea != 0) ? {1'b0, ea} : 9'd1;
        xb = (eb != 0) ? {1'b0, eb} : 9'd1;
        ma = {(ea != 0), a[22:0]};
        mb = {(eb != 0), b[22:0]};
        if (xb > xa || (xb == xa && mb > ma)) begin
            ts = sa; sa = sb; sb = ts;
            tx = xa; xa = xb; xb = tx;
            tm = ma; ma = mb; mb = tm;
        end
        d = xa - xb;
        big = {ma, 3'b000};
        sml = {mb, 3'b000};
        lost = 0;
        if (d >= 27)
            sml = (sml != 0) ? 27'd1 : 27'd0;
        else if (d != 0) begin
            lost = sml & ((27'd1 << d) - 27'd1);
            sml = (sml >> d) | ((lost != 0) ? 27'd1 : 27'd0);
        end
        sum = (sa == sb) ? ({1'b0, big} + {1'b0, sml}) : ({1'b0, big} - {1'b0, sml});
        x = {1'b0, xa};
        if (sum[27]) begin
            sum = (sum >> 1) | {27'd0, sum[0]};
            x = x + 1;
        end else begin
            for (i = 0; i < 27; i = i + 1)
                if (!sum[26] && x > 1) begin
                    sum = sum << 1;
                    x = x - 1;
                end
        end
        mant = {1'b0, sum[26:3]};
        grs = sum[2:0];
        if (grs > 3'd4 || (grs == 3'd4 && mant[0]))
            mant = mant + 1;
        if (mant[24]) begin
            mant = mant >> 1;
            x = x + 1;
        end
        if ((ea == 8'hFF && a[22:0] != 0) || (eb == 8'hFF && b[22:0] != 0))
            s = 32'h7FC00000;
        else if (ea == 8'hFF && eb == 8'hFF)
            s = (a[31] ^ b[31]) ? 32'h7FC00000 : a;
        else if (ea == 8'hFF)
            s = a;
        else if (eb == 8'hFF)
            s = b;
        else if (sum == 0)
            s = (sa == sb) ? {sa, 31'd0} : 32'd0;
        else if (x >= 255)
            s = {sa, 8'hFF, 23'd0};
        else
            s = {sa, mant[23] ? x[7:0] : 8'd0, mant[22:0]};
    end
endmodule

// One lane: product of the M stage and accumulate of the A stage.
module pim_lane #(parameter FP = 1) (
    input  wire [15:0] row,
    input  wire [15:0] opnd,
    output wire [31:0] prod,
    input  wire [31:0] acc,
    input  wire [31:0] addend,
    output wire [31:0] sum
);
    generate
        if (FP) begin : g_fp
            pim_fp16_mul mul (.a(row), .b(opnd), .p(prod));
            pim_fp32_add add (.a(acc), .b(addend), .s(sum));
        end else begin : g_int
            wire signed [7:0] r8 = row[7:0];
            wire signed [7:0] o8 = opnd[7:0];
            wire signed [15:0] p16 = r8 * o8;
            assign prod = {{16{p16[15]}}, p16};
            assign sum = acc + addend;
        end
    endgenerate
endmodule

module pim_unit #(
    parameter LANES = 16,
    parameter FP = 1,
    parameter NG = 8,
    parameter NS = 8,
    parameter NA = 8
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  cmd_valid,
    input  wire [2:0]            cmd_op,
    input  wire [3:0]            cmd_dst,
    input  wire [3:0]            cmd_src,
    input  wire [11:0]           cmd_col,
    input  wire [LANES*16-1:0]   cmd_data,
    output wire                  rb_rd,
    output wire [11:0]           rb_col,
    input  wire [LANES*16-1:0]   rb_data,
    output wire                  rd_valid,
    output wire [LANES*32-1:0]   rd_data,
    output wire                  busy
);
    localparam EW = FP ? 16 : 8;
    localparam [2:0] OP_WRGRF = 1, OP_WRSRF = 2, OP_MAC = 3, OP_MACS = 4, OP_CLR = 5, OP_RDACC = 6,
                     OP_MACT = 7;
    // MACT's adder tree: P leaves (LANES padded with zeros to a power of two),
    // a heap of 2P-1 nodes, node n = node 2n+1 + node 2n+2, leaves at P-1..
    localparam P = LANES <= 1 ? 1 : LANES <= 2 ? 2 : LANES <= 4 ? 4 : LANES <= 8 ? 8 :
                   LANES <= 16 ? 16 : LANES <= 32 ? 32 : 64;

    // Register files, flat so that reset and indexed writes need no loops.
    reg [NG*LANES*16-1:0] grf;
    reg [NS*16-1:0]       srf;
    reg [NA*LANES*32-1:0] acc;

    // D stage: the accepted command.
    reg                 d_valid;
    reg [2:0]           d_op;
    reg [3:0]           d_dst, d_src;
    reg [11:0]          d_col;
    reg [LANES*16-1:0]  d_data;
    // M stage: operands.
    reg                 m_valid;
    reg [2:0]           m_op;
    reg [3:0]           m_dst;
    reg [5:0]           m_lane;
    reg [LANES*16-1:0]  m_row, m_opnd;
    // A stage: products.
    reg                 a_valid;
    reg [2:0]           a_op;
    reg [3:0]           a_dst;
    reg [5:0]           a_lane;
    reg [LANES*32-1:0]  a_prod;

    wire d_mac = d_valid && (d_op == OP_MAC || d_op == OP_MACS || d_op == OP_MACT);
    wire m_mac = m_valid && (m_op == OP_MAC || m_op == OP_MACS || m_op == OP_MACT);
    assign rb_rd  = d_mac;
    assign rb_col = d_col;
    assign busy   = d_valid || m_valid || a_valid;

    wire [LANES*32-1:0] acc_cur = acc[a_dst*LANES*32 +: LANES*32];
    assign rd_valid = a_valid && a_op == OP_RDACC;
    assign rd_data  = acc_cur;

    wire [LANES*16-1:0] grf_sel = grf[d_src*LANES*16 +: LANES*16];
    wire [15:0]         srf_sel = srf[d_src*16 +: 16];
    wire [15:0]         emask = FP ? 16'hFFFF : 16'h00FF;

    wire [LANES*16-1:0] opnd_d, row_d, data_d;
    wire [LANES*32-1:0] prod_m, sum_a;

    genvar l;
    generate
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            assign row_d[l*16 +: 16]  = rb_data[l*16 +: 16] & emask;
            assign data_d[l*16 +: 16] = d_data[l*16 +: 16] & emask;
            assign opnd_d[l*16 +: 16] = (d_op == OP_MACS) ? srf_sel : grf_sel[l*16 +: 16];
            pim_lane #(.FP(FP)) lane (
                .row(m_row[l*16 +: 16]), .opnd(m_opnd[l*16 +: 16]), .prod(prod_m[l*32 +: 32]),
                .acc(acc_cur[l*32 +: 32]), .addend(a_prod[l*32 +: 32]), .sum(sum_a[l*32 +: 32]));
        end
    endgenerate

    // MACT: the tree over the A stage's products, added into ACC[a_dst][a_lane].
    wire [(2*P-1)*32-1:0] tree /* verilator split_var */;
    wire [31:0] acc_lane = acc_cur[a_lane*32 +: 32];
    wire [31:0] tsum;
    genvar n;
    generate
        for (n = 0; n < P; n = n + 1) begin : g_leaf
            if (n < LANES) begin : g_prod
                assign tree[(P-1+n)*32 +: 32] = a_prod[n*32 +: 32];
            end else begin : g_pad
                assign tree[(P-1+n)*32 +: 32] = 32'd0;
            end
        end
        for (n = 0; n < P-1; n = n + 1) begin : g_node
            if (FP) begin : g_fp
                pim_fp32_add add (.a(tree[(2*n+1)*32 +: 32]), .b(tree[(2*n+2)*32 +: 32]),
                                  .s(tree[n*32 +: 32]));
            end else begin : g_int
                assign tree[n*32 +: 32] = tree[(2*n+1)*32 +: 32] + tree[(2*n+2)*32 +: 32];
            end
        end
        if (FP) begin : g_tfp
            pim_fp32_add tadd (.a(acc_lane), .b(tree[31:0]), .s(tsum));
        end else begin : g_tint
            assign tsum = acc_lane + tree[31:0];
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            grf <= 0;
            srf <= 0;
            acc <= 0;
            d_valid <= 1'b0;
            m_valid <= 1'b0;
            a_valid <= 1'b0;
            d_op <= 0; d_dst <= 0; d_src <= 0; d_col <= 0; d_data <= 0;
            m_op <= 0; m_dst <= 0; m_lane <= 0; m_row <= 0; m_opnd <= 0;
            a_op <= 0; a_dst <= 0; a_lane <= 0; a_prod <= 0;
        end else begin
            // A stage
            if (a_valid && (a_op == OP_MAC || a_op == OP_MACS))
                acc[a_dst*LANES*32 +: LANES*32] <= sum_a;
            else if (a_valid && a_op == OP_MACT)
                acc[a_dst*LANES*32 + a_lane*32 +: 32] <= tsum;
            else if (a_valid && a_op == OP_CLR)
                acc[a_dst*LANES*32 +: LANES*32] <= 0;
            // M -> A
            a_valid <= m_valid;
            a_op    <= m_op;
            a_dst   <= m_dst;
            a_lane  <= m_lane;
            a_prod  <= m_mac ? prod_m : 0;
            // D -> M, register writes
            m_valid <= d_valid;
            m_op    <= d_op;
            m_dst   <= d_dst;
            m_lane  <= (d_valid && d_op == OP_MACT) ? d_data[5:0] : 6'd0;
            m_row   <= d_mac ? row_d : 0;
            m_opnd  <= d_mac ? opnd_d : 0;
            if (d_valid && d_op == OP_WRGRF)
                grf[d_dst*LANES*16 +: LANES*16] <= data_d;
            if (d_valid && d_op == OP_WRSRF)
                srf[d_dst*16 +: 16] <= data_d[15:0];
            // accept
            d_valid <= cmd_valid && cmd_op != 0;
            d_op    <= cmd_op;
            d_dst   <= cmd_dst;
            d_src   <= cmd_src;
            d_col   <= cmd_col;
            d_data  <= cmd_data;
        end
    end
endmodule
