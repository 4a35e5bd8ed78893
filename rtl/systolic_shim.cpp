// systolic_shim.cpp - C API (systolic_shim.h) over the Verilated
// systolic_top, on the shim template rtl/vshim.hpp.  Compiled by
// rtl/build.sh with the shape as -D macros: VSYS_R, VSYS_C, VSYS_AW,
// VSYS_BW, VSYS_ACCW (the same values passed to Verilator as -G parameters).
#include "systolic_shim.h"

#include "Vsystolic_top.h"
#include "vshim.hpp"

#if !defined(VSYS_R) || !defined(VSYS_C) || !defined(VSYS_AW) || !defined(VSYS_BW) || \
    !defined(VSYS_ACCW)
#error "build with -DVSYS_R= -DVSYS_C= -DVSYS_AW= -DVSYS_BW= -DVSYS_ACCW= (see rtl/build.sh)"
#endif

#ifndef VSYS_AF
#define VSYS_AF 0
#endif
#ifndef VSYS_BF
#define VSYS_BF 0
#endif
#ifndef VSYS_OSD
#define VSYS_OSD 0
#endif
#ifndef VSYS_WOR
#define VSYS_WOR 1
#endif
#ifndef VSYS_CMP
#define VSYS_CMP 0
#endif

namespace {

using vshim::get32;
using vshim::put32;

constexpr unsigned kRows = VSYS_R;
constexpr unsigned kCols = VSYS_C;
constexpr unsigned kLanes = kRows > kCols ? kRows : kCols;

// The port types Verilator picked must match the shape we were told, else
// the -D macros and the -G parameters disagree.
static_assert(sizeof(Vsystolic_top::a_raddr) == 4u * kLanes, "a_raddr width mismatch");
static_assert(sizeof(Vsystolic_top::a_rdata) == 4u * kLanes, "a_rdata width mismatch");
static_assert(sizeof(Vsystolic_top::b_raddr) == 4u * kLanes, "b_raddr width mismatch");
static_assert(sizeof(Vsystolic_top::o_waddr) == 4u * kCols, "o_waddr width mismatch");
static_assert(sizeof(Vsystolic_top::o_wdata) == 4u * kCols, "o_wdata width mismatch");

void init(Vsystolic_top &t) {
    t.rst = 0;
    t.start = 0;
    t.cfg_m = t.cfg_n = t.cfg_k = 0;
    t.cfg_df = 0;
    for (unsigned l = 0; l < kLanes; ++l) {
        put32(t.a_rdata, l, 0);
        put32(t.b_rdata, l, 0);
    }
}

using M = vshim::Model<Vsystolic_top, init>;

void set_inputs(void *h, int rst, int start, uint32_t m, uint32_t n, uint32_t k, uint32_t df) {
    Vsystolic_top &t = M::top(h);
    t.rst = rst ? 1 : 0;
    t.start = start ? 1 : 0;
    t.cfg_m = m;
    t.cfg_n = n;
    t.cfg_k = k;
    t.cfg_df = static_cast<CData>(df & 3u);
}

void get_reads(void *h, uint32_t *a_addr, uint32_t *b_addr) {
    const Vsystolic_top &t = M::top(h);
    for (unsigned l = 0; l < kLanes; ++l) {
        if (a_addr) a_addr[l] = get32(t.a_raddr, l);
        if (b_addr) b_addr[l] = get32(t.b_raddr, l);
    }
}

void set_read_data(void *h, const int32_t *a_data, const int32_t *b_data) {
    Vsystolic_top &t = M::top(h);
    for (unsigned l = 0; l < kLanes; ++l) {
        put32(t.a_rdata, l, a_data ? static_cast<uint32_t>(a_data[l]) : 0u);
        put32(t.b_rdata, l, b_data ? static_cast<uint32_t>(b_data[l]) : 0u);
    }
    // WOR = 0: lane 0's write data depends on this cycle's read data
    // (rtl/systolic.v, memory protocol): settle it before get_writes.
    if (VSYS_WOR == 0) t.eval();
}

int get_writes(void *h, uint32_t *o_addr, int32_t *o_data) {
    const Vsystolic_top &t = M::top(h);
    for (unsigned j = 0; j < kCols; ++j) {
        if (o_addr) o_addr[j] = get32(t.o_waddr, j);
        if (o_data) o_data[j] = static_cast<int32_t>(get32(t.o_wdata, j));
    }
    return t.o_wacc ? 1 : 0;
}

int done(void *h) { return M::top(h).done ? 1 : 0; }

const vsys_api_t kApi = {
    M::base,    kRows,         kCols,      kLanes, VSYS_AW, VSYS_BW, VSYS_ACCW, VSYS_AF, VSYS_BF,
    set_inputs, get_reads,     set_read_data, get_writes, done, VSYS_OSD,
    VSYS_CMP,  VSYS_WOR,
};

}  // namespace

VSHIM_EXPORT(vsys_api, vsys_api_t, kApi)
