// teng_shim.cpp - C API (teng_shim.h) over the Verilated teng_top, on the
// shim template rtl/vshim.hpp.  Compiled by rtl/teng_build.sh with the shape
// as -D macros VTENG_R, _C, _D, _AW, _BW, _ACCW, _CMP (the same values given
// to Verilator as -G parameters).
#include "teng_shim.h"

#include "Vteng_top.h"
#include "vshim.hpp"

#if !defined(VTENG_R) || !defined(VTENG_C) || !defined(VTENG_D) || !defined(VTENG_AW) || \
    !defined(VTENG_BW) || !defined(VTENG_ACCW) || !defined(VTENG_CMP)
#error "build with -DVTENG_R= ... -DVTENG_CMP= (see rtl/teng_build.sh)"
#endif
#ifndef VTENG_AF
#define VTENG_AF 0
#endif
#ifndef VTENG_BF
#define VTENG_BF 0
#endif

namespace {

using vshim::get32;
using vshim::put32;

constexpr unsigned kA = VTENG_R * VTENG_D;   // A read lanes
constexpr unsigned kB = VTENG_D * VTENG_C;   // B read lanes
constexpr unsigned kO = VTENG_R * VTENG_C;   // write lanes

static_assert(sizeof(Vteng_top::a_raddr) == 4u * kA, "a_raddr width mismatch");
static_assert(sizeof(Vteng_top::b_raddr) == 4u * kB, "b_raddr width mismatch");
static_assert(sizeof(Vteng_top::o_waddr) == 4u * kO, "o_waddr width mismatch");

void init(Vteng_top &t) {
    t.rst = 0;
    t.start = 0;
    t.cfg_m = t.cfg_n = t.cfg_k = 0;
    for (unsigned l = 0; l < kA; ++l) put32(t.a_rdata, l, 0);
    for (unsigned l = 0; l < kB; ++l) put32(t.b_rdata, l, 0);
}

using M = vshim::Model<Vteng_top, init>;

void set_inputs(void *h, int rst, int start, uint32_t m, uint32_t n, uint32_t k) {
    Vteng_top &t = M::top(h);
    t.rst = rst ? 1 : 0;
    t.start = start ? 1 : 0;
    t.cfg_m = m;
    t.cfg_n = n;
    t.cfg_k = k;
}

void get_reads(void *h, uint32_t *a_addr, uint32_t *b_addr) {
    const Vteng_top &t = M::top(h);
    for (unsigned l = 0; l < kA; ++l) a_addr[l] = get32(t.a_raddr, l);
    for (unsigned l = 0; l < kB; ++l) b_addr[l] = get32(t.b_raddr, l);
}

void set_read_data(void *h, const int32_t *a_data, const int32_t *b_data) {
    Vteng_top &t = M::top(h);
    for (unsigned l = 0; l < kA; ++l) put32(t.a_rdata, l, static_cast<uint32_t>(a_data[l]));
    for (unsigned l = 0; l < kB; ++l) put32(t.b_rdata, l, static_cast<uint32_t>(b_data[l]));
}

void get_writes(void *h, uint32_t *o_addr, int32_t *o_data) {
    const Vteng_top &t = M::top(h);
    for (unsigned l = 0; l < kO; ++l) {
        o_addr[l] = get32(t.o_waddr, l);
        o_data[l] = static_cast<int32_t>(get32(t.o_wdata, l));
    }
}

int done(void *h) { return M::top(h).done ? 1 : 0; }

const vteng_api_t kApi = {
    M::base,  VTENG_R,   VTENG_C,   VTENG_D,       VTENG_AW,   VTENG_BW, VTENG_ACCW,
    VTENG_CMP, set_inputs, get_reads, set_read_data, get_writes, done, VTENG_AF, VTENG_BF,
};

}  // namespace

VSHIM_EXPORT(vteng_api, vteng_api_t, kApi)
