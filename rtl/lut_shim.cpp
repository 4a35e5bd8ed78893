// lut_shim.cpp - C API (lut_shim.h) over the Verilated lut_top, on the shim
// template rtl/vshim.hpp.  Compiled by rtl/lut_build.sh with the shape as -D
// macros VLUT_TM, VLUT_TN, VLUT_TK, VLUT_G, VLUT_P, VLUT_AW, VLUT_SYM (the -G
// parameters given to Verilator).
#include "lut_shim.h"

#include "Vlut_top.h"
#include "vshim.hpp"

#if !defined(VLUT_TM) || !defined(VLUT_TN) || !defined(VLUT_TK) || !defined(VLUT_G) || \
    !defined(VLUT_P) || !defined(VLUT_AW) || !defined(VLUT_SYM)
#error "build with -DVLUT_TM= ... (see rtl/lut_build.sh)"
#endif

namespace {

using vshim::get32;
using vshim::put32;

constexpr unsigned kTN = VLUT_TN;
constexpr unsigned kALanes = VLUT_TM * VLUT_G;

static_assert(sizeof(Vlut_top::a_raddr) >= 4u * kALanes, "a_raddr width mismatch");
static_assert(sizeof(Vlut_top::w_raddr) >= 4u * kTN, "w_raddr width mismatch");
static_assert(sizeof(Vlut_top::o_wdata) >= 4u * kTN, "o_wdata width mismatch");

void init(Vlut_top &t) {
    t.rst = 0;
    t.start = 0;
    t.cfg_m = t.cfg_n = t.cfg_k = 0;
    t.cfg_cz = 0;
    t.cfg_sh = 0;
    for (unsigned l = 0; l < kALanes; ++l) put32(t.a_rdata, l, 0);
    for (unsigned c = 0; c < kTN; ++c) put32(t.w_rdata, c, 0);
}

using M = vshim::Model<Vlut_top, init>;

void set_inputs(void *h, int rst, int start, uint32_t m, uint32_t n, uint32_t k, int32_t cz,
                uint32_t sh) {
    Vlut_top &t = M::top(h);
    t.rst = rst ? 1 : 0;
    t.start = start ? 1 : 0;
    t.cfg_m = m;
    t.cfg_n = n;
    t.cfg_k = k;
    t.cfg_cz = static_cast<CData>(static_cast<uint32_t>(cz) & 0xFFu);
    t.cfg_sh = sh ? 1 : 0;
}

void get_reads(void *h, uint32_t *a_addr, uint32_t *w_addr) {
    const Vlut_top &t = M::top(h);
    for (unsigned l = 0; l < kALanes; ++l) a_addr[l] = get32(t.a_raddr, l);
    for (unsigned c = 0; c < kTN; ++c) w_addr[c] = get32(t.w_raddr, c);
}

void set_read_data(void *h, const int32_t *a_data, const int32_t *w_data) {
    Vlut_top &t = M::top(h);
    for (unsigned l = 0; l < kALanes; ++l) put32(t.a_rdata, l, static_cast<uint32_t>(a_data[l]));
    for (unsigned c = 0; c < kTN; ++c) put32(t.w_rdata, c, static_cast<uint32_t>(w_data[c]));
}

int get_writes(void *h, uint32_t *o_addr, int32_t *o_data) {
    const Vlut_top &t = M::top(h);
    for (unsigned c = 0; c < kTN; ++c) {
        o_addr[c] = get32(t.o_waddr, c);
        o_data[c] = static_cast<int32_t>(get32(t.o_wdata, c));
    }
    return t.o_wacc ? 1 : 0;
}

int done(void *h) { return M::top(h).done ? 1 : 0; }

const vlut_api_t kApi = {
    M::base,    VLUT_TM,   VLUT_TN,       VLUT_TK,    VLUT_G, VLUT_P, VLUT_AW, VLUT_SYM, kALanes,
    set_inputs, get_reads, set_read_data, get_writes, done,
};

}  // namespace

VSHIM_EXPORT(vlut_api, vlut_api_t, kApi)
