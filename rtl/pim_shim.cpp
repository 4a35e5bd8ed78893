// pim_shim.cpp - C API (pim_shim.h) over the Verilated pim_unit.  Compiled by
// rtl/pim_build.sh with the configuration as -D macros VPIM_LANES, VPIM_FP,
// VPIM_NG, VPIM_NS, VPIM_NA (the same values passed to Verilator as -G).
#include "pim_shim.h"

#include <cstddef>
#include <cstdint>
#include <new>

#include "Vpim_unit.h"
#include "verilated.h"

#if !defined(VPIM_LANES) || !defined(VPIM_FP) || !defined(VPIM_NG) || !defined(VPIM_NS) || \
    !defined(VPIM_NA)
#error "build with -DVPIM_LANES= -DVPIM_FP= -DVPIM_NG= -DVPIM_NS= -DVPIM_NA= (see rtl/pim_build.sh)"
#endif

namespace {

constexpr unsigned kLanes = VPIM_LANES;

// Word i (32 bits) of a port: Verilator uses IData up to 32 bits, QData up to
// 64 and VlWide<N> above.
inline uint32_t get32(IData v, unsigned) { return v; }
inline uint32_t get32(QData v, unsigned i) { return static_cast<uint32_t>(v >> (32u * i)); }
template <std::size_t N>
inline uint32_t get32(const VlWide<N> &v, unsigned i) { return v.at(i); }
inline void put32(IData &p, unsigned, uint32_t x) { p = x; }
inline void put32(QData &p, unsigned i, uint32_t x) {
    const unsigned sh = 32u * i;
    p = (p & ~(static_cast<QData>(0xFFFFFFFFu) << sh)) | (static_cast<QData>(x) << sh);
}
template <std::size_t N>
inline void put32(VlWide<N> &p, unsigned i, uint32_t x) { p.at(i) = x; }

// Lanes of 16 bits packed two per 32-bit word (lane 0 least significant).
template <typename P>
void put16s(P &p, const uint16_t *d) {
    for (unsigned w = 0; w < (kLanes + 1) / 2; ++w) {
        const uint32_t lo = d ? d[2 * w] : 0;
        const uint32_t hi = d && 2 * w + 1 < kLanes ? d[2 * w + 1] : 0;
        put32(p, w, lo | hi << 16);
    }
}

struct Inst {
    VerilatedContext *ctx;
    Vpim_unit *top;
};
inline Vpim_unit *T(void *h) { return static_cast<Inst *>(h)->top; }

void *vp_create(void) {
    Inst *in = new (std::nothrow) Inst{nullptr, nullptr};
    if (!in) return nullptr;
    try {
        in->ctx = new VerilatedContext;
        in->ctx->randReset(0);
        in->top = new Vpim_unit{in->ctx, "TOP"};
    } catch (...) {
        delete in->top;
        delete in->ctx;
        delete in;
        return nullptr;
    }
    Vpim_unit *t = in->top;
    t->clk = 0;
    t->rst = 0;
    t->cmd_valid = 0;
    t->eval();
    return in;
}

void vp_destroy(void *h) {
    if (!h) return;
    Inst *in = static_cast<Inst *>(h);
    in->top->final();
    delete in->top;
    delete in->ctx;
    delete in;
}

void vp_set_cmd(void *h, int rst, int valid, uint32_t op, uint32_t dst, uint32_t src, uint32_t col,
                const uint16_t *data) {
    Vpim_unit *t = T(h);
    t->rst = rst ? 1 : 0;
    t->cmd_valid = valid ? 1 : 0;
    t->cmd_op = op & 7u;
    t->cmd_dst = dst & 15u;
    t->cmd_src = src & 15u;
    t->cmd_col = col & 0xFFFu;
    put16s(t->cmd_data, data);
}

void vp_set_clk_eval(void *h, int clk) {
    Vpim_unit *t = T(h);
    t->clk = clk ? 1 : 0;
    t->eval();
}

int vp_get_rb(void *h, uint32_t *col) {
    Vpim_unit *t = T(h);
    *col = t->rb_col;
    return t->rb_rd;
}

void vp_set_rb_data(void *h, const uint16_t *d) {
    Vpim_unit *t = T(h);
    put16s(t->rb_data, d);
    t->eval();
}

int vp_get_rd(void *h, uint32_t *d) {
    Vpim_unit *t = T(h);
    for (unsigned l = 0; l < kLanes; ++l) d[l] = get32(t->rd_data, l);
    return t->rd_valid;
}

int vp_busy(void *h) { return T(h)->busy; }

const vpim_api_t kApi = {vp_create,  vp_destroy, VPIM_LANES,      VPIM_FP,   VPIM_NG,
                         VPIM_NS,    VPIM_NA,    vp_set_cmd,      vp_set_clk_eval,
                         vp_get_rb,  vp_set_rb_data, vp_get_rd,   vp_busy};

}  // namespace

extern "C" const vpim_api_t *vpim_api(void) { return &kApi; }
