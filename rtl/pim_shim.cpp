// pim_shim.cpp - C API (pim_shim.h) over the Verilated pim_unit, on the shim
// template rtl/vshim.hpp.  Compiled by rtl/pim_build.sh with the
// configuration as -D macros VPIM_LANES, VPIM_FP, VPIM_NG, VPIM_NS, VPIM_NA
// (the same values passed to Verilator as -G).
#include "pim_shim.h"

#include "Vpim_unit.h"
#include "vshim.hpp"

#if !defined(VPIM_LANES) || !defined(VPIM_FP) || !defined(VPIM_NG) || !defined(VPIM_NS) || \
    !defined(VPIM_NA)
#error "build with -DVPIM_LANES= -DVPIM_FP= -DVPIM_NG= -DVPIM_NS= -DVPIM_NA= (see rtl/pim_build.sh)"
#endif

namespace {

using vshim::get32;
using vshim::put16s;

constexpr unsigned kLanes = VPIM_LANES;

void init(Vpim_unit &t) {
    t.rst = 0;
    t.cmd_valid = 0;
}

using M = vshim::Model<Vpim_unit, init>;

void set_cmd(void *h, int rst, int valid, uint32_t op, uint32_t dst, uint32_t src, uint32_t col,
             const uint16_t *data) {
    Vpim_unit &t = M::top(h);
    t.rst = rst ? 1 : 0;
    t.cmd_valid = valid ? 1 : 0;
    t.cmd_op = op & 7u;
    t.cmd_dst = dst & 15u;
    t.cmd_src = src & 15u;
    t.cmd_col = col & 0xFFFu;
    put16s(t.cmd_data, data, kLanes);
}

int get_rb(void *h, uint32_t *col) {
    const Vpim_unit &t = M::top(h);
    *col = t.rb_col;
    return t.rb_rd;
}

void set_rb_data(void *h, const uint16_t *d) {
    Vpim_unit &t = M::top(h);
    put16s(t.rb_data, d, kLanes);
    t.eval();
}

int get_rd(void *h, uint32_t *d) {
    const Vpim_unit &t = M::top(h);
    for (unsigned l = 0; l < kLanes; ++l) d[l] = get32(t.rd_data, l);
    return t.rd_valid;
}

int busy(void *h) { return M::top(h).busy; }

const vpim_api_t kApi = {M::base, VPIM_LANES, VPIM_FP,     VPIM_NG, VPIM_NS, VPIM_NA,
                         set_cmd, get_rb,     set_rb_data, get_rd,  busy};

}  // namespace

VSHIM_EXPORT(vpim_api, vpim_api_t, kApi)
