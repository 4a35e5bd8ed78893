// sc_systolic.cpp - SystemC testbench: the Verilated RTL (rtl/systolic.v,
// built with verilator --sc for a 4 x 3 array) and the C model wrapped as a
// SystemC module run side by side on one clock.  At every rising edge the
// checker compares their memory ports (read addresses, write addresses,
// data, accumulate flag) and done; at the end of each GEMM both outputs are
// compared with a naive reference.  Random GEMMs in all three dataflows.
#include <systemc.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "Vsystolic_top.h"
extern "C" {
#include "models/systolic.h"
}

static const unsigned R = 4, C = 3, L = 4; // must match SC_SHAPE in the Makefile
static const unsigned AW = 8, BW = 8, ACCW = 32;

typedef sc_bv<32 * L> lanes_t;
typedef sc_bv<32 * C> cols_t;

// The operands and outputs of the current case (owned by the testbench).
struct workload {
    systolic_gemm_t g;
    systolic_dataflow_t df;
    std::vector<int32_t> a, b, o_rtl, o_model;
};

// The C model as a SystemC module: in every cycle (computed at the falling
// edge, so its outputs are stable at the next rising edge) it presents the
// same ports as the RTL.
SC_MODULE(model_array) {
    sc_in<bool> clk, start;
    sc_signal<lanes_t> a_raddr, b_raddr;
    sc_signal<cols_t> o_waddr, o_wdata;
    sc_signal<bool> o_wacc, done;
    workload *wl = nullptr;
    systolic_array_t *sa = nullptr;
    bool running = false;

    void tick() {
        lanes_t ar, br;
        cols_t ow, od;
        for (unsigned l = 0; l < L; l++) {
            ar.range(32 * l + 31, 32 * l) = SYSTOLIC_NO_ACCESS;
            br.range(32 * l + 31, 32 * l) = SYSTOLIC_NO_ACCESS;
        }
        for (unsigned j = 0; j < C; j++) {
            ow.range(32 * j + 31, 32 * j) = SYSTOLIC_NO_ACCESS;
            od.range(32 * j + 31, 32 * j) = 0;
        }
        bool acc = false;
        if (start.read() && !running && wl) {
            systolic_cfg_t cfg = {R, C, wl->df, AW, BW, ACCW};
            systolic_array_free(sa);
            sa = systolic_array_new(&cfg);
            systolic_array_start(sa, &wl->g, wl->a.data(), wl->b.data(), wl->o_model.data());
            running = true;
            done.write(false);
        }
        if (running) {
            systolic_ports_t p;
            if (systolic_array_step(sa, &p)) {
                for (unsigned l = 0; l < L; l++) {
                    ar.range(32 * l + 31, 32 * l) = p.a_addr[l];
                    br.range(32 * l + 31, 32 * l) = p.b_addr[l];
                }
                for (unsigned j = 0; j < C; j++) {
                    ow.range(32 * j + 31, 32 * j) = p.o_addr[j];
                    od.range(32 * j + 31, 32 * j) = p.o_addr[j] == SYSTOLIC_NO_ACCESS ? 0 : (uint32_t)p.o_data[j];
                }
                acc = p.o_acc != 0;
            } else {
                running = false;
                done.write(true);
            }
        }
        a_raddr.write(ar);
        b_raddr.write(br);
        o_waddr.write(ow);
        o_wdata.write(od);
        o_wacc.write(acc);
    }

    SC_CTOR(model_array) {
        SC_METHOD(tick);
        sensitive << clk.neg();
        dont_initialize();
    }
    ~model_array() { systolic_array_free(sa); }
};

SC_MODULE(testbench) {
    sc_in<bool> clk;
    // RTL side
    sc_signal<bool> rst, start, done;
    sc_signal<sc_bv<32>> cfg_m, cfg_n, cfg_k;
    sc_signal<sc_bv<2>> cfg_df;
    sc_signal<lanes_t> a_rdata, b_rdata, a_raddr, b_raddr;
    sc_signal<cols_t> o_waddr, o_wdata;
    sc_signal<bool> o_wacc;
    Vsystolic_top *rtl;
    model_array *model;
    workload wl;
    unsigned long cases = 0, cycles = 0, mismatches = 0;
    bool finished = false;

    static uint32_t lane(const sc_bv_base &v, unsigned i) {
        return v.range(32 * i + 31, 32 * i).to_uint();
    }

    // Rising edge: both sides' ports hold this cycle's values.  Compare, and
    // commit the RTL's writes (the harness is the RTL's memory).
    void check() {
        if (rst.read())
            return;
        bool same = rtl_done() == model->done.read();
        for (unsigned l = 0; l < L; l++)
            same &= lane(a_raddr.read(), l) == lane(model->a_raddr.read(), l) &&
                    lane(b_raddr.read(), l) == lane(model->b_raddr.read(), l);
        bool any_write = false;
        for (unsigned j = 0; j < C; j++) {
            const uint32_t addr = lane(o_waddr.read(), j);
            same &= addr == lane(model->o_waddr.read(), j);
            if (addr != SYSTOLIC_NO_ACCESS) {
                any_write = true;
                const int32_t d = (int32_t)lane(o_wdata.read(), j);
                same &= d == (int32_t)lane(model->o_wdata.read(), j);
                int32_t &o = wl.o_rtl[addr];
                o = o_wacc.read() ? systolic_wrap((int64_t)o + d, ACCW) : d;
            }
        }
        if (any_write)
            same &= o_wacc.read() == model->o_wacc.read();
        if (!same && mismatches++ < 5)
            std::printf("systemc: case %lu cycle %lu: RTL and model ports differ\n", cases, cycles);
        cycles++;
    }
    bool rtl_done() const { return done.read(); }

    // Falling edge: serve the RTL's reads for this cycle.
    void serve() {
        lanes_t ad, bd;
        for (unsigned l = 0; l < L; l++) {
            const uint32_t a = lane(a_raddr.read(), l), b = lane(b_raddr.read(), l);
            ad.range(32 * l + 31, 32 * l) = a == SYSTOLIC_NO_ACCESS ? 0u : (uint32_t)wl.a[a];
            bd.range(32 * l + 31, 32 * l) = b == SYSTOLIC_NO_ACCESS ? 0u : (uint32_t)wl.b[b];
        }
        a_rdata.write(ad);
        b_rdata.write(bd);
    }

    void run() {
        uint64_t s = 0x9e3779b97f4a7c15ull;
        auto rnd = [&s]() { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; };
        for (int i = 0; i < 60; i++) {
            wl.df = (systolic_dataflow_t)(i % 3);
            wl.g = {1 + rnd() % 11, 1 + rnd() % 11, 1 + rnd() % (i % 4 == 0 ? 40 : 11)};
            wl.a.resize(wl.g.m * wl.g.k);
            wl.b.resize(wl.g.k * wl.g.n);
            for (auto &x : wl.a) x = (int8_t)rnd();
            for (auto &x : wl.b) x = (int8_t)rnd();
            wl.o_rtl.assign(wl.g.m * wl.g.n, 0);
            wl.o_model.assign(wl.g.m * wl.g.n, 0);
            // Reset for two cycles, then raise start just after a rising edge.
            rst.write(true);
            wait(clk.posedge_event());
            wait(clk.posedge_event());
            rst.write(false);
            cfg_m.write(wl.g.m);
            cfg_n.write(wl.g.n);
            cfg_k.write(wl.g.k);
            cfg_df.write(wl.df);
            start.write(true);
            wait(clk.posedge_event()); // the command-accept edge
            start.write(false);
            unsigned long guard = 0;
            while (!(rtl_done() && model->done.read()) && guard++ < 100000)
                wait(clk.posedge_event());
            std::vector<int32_t> ref(wl.g.m * wl.g.n);
            systolic_cfg_t cfg = {R, C, wl.df, AW, BW, ACCW};
            systolic_reference_gemm(&cfg, &wl.g, wl.a.data(), wl.b.data(), ref.data());
            if (wl.o_rtl != ref || wl.o_model != ref) {
                mismatches++;
                std::printf("systemc: case %lu (%s M=%llu N=%llu K=%llu): outputs differ\n", cases,
                            systolic_dataflow_name(wl.df), (unsigned long long)wl.g.m,
                            (unsigned long long)wl.g.n, (unsigned long long)wl.g.k);
            }
            cases++;
        }
        finished = true;
        sc_stop();
    }

    SC_CTOR(testbench) {
        rtl = new Vsystolic_top("rtl");
        rtl->clk(clk);
        rtl->rst(rst);
        rtl->start(start);
        rtl->cfg_m(cfg_m);
        rtl->cfg_n(cfg_n);
        rtl->cfg_k(cfg_k);
        rtl->cfg_df(cfg_df);
        rtl->a_rdata(a_rdata);
        rtl->b_rdata(b_rdata);
        rtl->done(done);
        rtl->a_raddr(a_raddr);
        rtl->b_raddr(b_raddr);
        rtl->o_waddr(o_waddr);
        rtl->o_wdata(o_wdata);
        rtl->o_wacc(o_wacc);
        model = new model_array("model");
        model->clk(clk);
        model->start(start);
        model->wl = &wl;
        SC_METHOD(check);
        sensitive << clk.pos();
        dont_initialize();
        SC_METHOD(serve);
        sensitive << clk.neg();
        dont_initialize();
        SC_THREAD(run);
    }
    ~testbench() {
        delete rtl;
        delete model;
    }
};

int sc_main(int, char **) {
    sc_clock clk("clk", 10, SC_NS);
    testbench tb("tb");
    tb.clk(clk);
    sc_start();
    std::printf("systemc: %lu cases, %lu cycles compared, %lu mismatches\n", tb.cases, tb.cycles,
                tb.mismatches);
    return tb.finished && tb.mismatches == 0 && tb.cases > 0 ? 0 : 1;
}
