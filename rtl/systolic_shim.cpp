// systolic_shim.cpp - C API (systolic_shim.h) over the Verilated
// systolic_top.  Compiled by rtl/build.sh with the shape as -D macros:
// VSYS_R, VSYS_C, VSYS_AW, VSYS_BW, VSYS_ACCW (the same values passed to
// Verilator as -G parameters).
#include "systolic_shim.h"

#include <cstddef>
#include <cstdint>
#include <new>

#include "Vsystolic_top.h"
#include "verilated.h"

#if !defined(VSYS_R) || !defined(VSYS_C) || !defined(VSYS_AW) || !defined(VSYS_BW) || \
    !defined(VSYS_ACCW)
#error "build with -DVSYS_R= -DVSYS_C= -DVSYS_AW= -DVSYS_BW= -DVSYS_ACCW= (see rtl/build.sh)"
#endif

namespace {

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

// 32-bit lane i of a port.  Verilator represents a port of <= 32 bits as
// IData, 33..64 bits as QData and wider ports as VlWide<N> (N 32-bit words,
// word 0 least significant), so there is one overload for each.
inline uint32_t get32(IData v, unsigned) { return v; }
inline uint32_t get32(QData v, unsigned i) { return static_cast<uint32_t>(v >> (32u * i)); }
template <std::size_t N>
inline uint32_t get32(const VlWide<N> &v, unsigned i) {
    return v.at(i);
}

inline void put32(IData &p, unsigned, uint32_t x) { p = x; }
inline void put32(QData &p, unsigned i, uint32_t x) {
    const unsigned sh = 32u * i;
    p = (p & ~(static_cast<QData>(0xFFFFFFFFu) << sh)) | (static_cast<QData>(x) << sh);
}
template <std::size_t N>
inline void put32(VlWide<N> &p, unsigned i, uint32_t x) {
    p.at(i) = x;
}

struct Inst {
    VerilatedContext *ctx;
    Vsystolic_top *top;
};

inline Vsystolic_top *T(void *h) { return static_cast<Inst *>(h)->top; }

void *vs_create(void) {
    Inst *in = new (std::nothrow) Inst{nullptr, nullptr};
    if (!in) return nullptr;
    try {
        // Own context per instance: no shared mutable Verilator state.
        in->ctx = new VerilatedContext;
        in->ctx->randReset(0);  // any register not yet reset starts at 0
        in->top = new Vsystolic_top{in->ctx, "TOP"};
    } catch (...) {
        delete in->top;
        delete in->ctx;
        delete in;
        return nullptr;
    }
    Vsystolic_top *t = in->top;
    t->clk = 0;
    t->rst = 0;
    t->start = 0;
    t->cfg_m = t->cfg_n = t->cfg_k = 0;
    t->cfg_df = 0;
    for (unsigned l = 0; l < kLanes; ++l) {
        put32(t->a_rdata, l, 0);
        put32(t->b_rdata, l, 0);
    }
    t->eval();
    return in;
}

void vs_destroy(void *h) {
    if (!h) return;
    Inst *in = static_cast<Inst *>(h);
    in->top->final();
    delete in->top;
    delete in->ctx;
    delete in;
}

void vs_set_inputs(void *h, int rst, int start, uint32_t m, uint32_t n, uint32_t k,
                   uint32_t df) {
    Vsystolic_top *t = T(h);
    t->rst = rst ? 1 : 0;
    t->start = start ? 1 : 0;
    t->cfg_m = m;
    t->cfg_n = n;
    t->cfg_k = k;
    t->cfg_df = static_cast<CData>(df & 3u);
}

void vs_set_clk_eval(void *h, int clk) {
    Vsystolic_top *t = T(h);
    t->clk = clk ? 1 : 0;
    t->eval();
}

void vs_get_reads(void *h, uint32_t *a_addr, uint32_t *b_addr) {
    const Vsystolic_top *t = T(h);
    for (unsigned l = 0; l < kLanes; ++l) {
        if (a_addr) a_addr[l] = get32(t->a_raddr, l);
        if (b_addr) b_addr[l] = get32(t->b_raddr, l);
    }
}

void vs_set_read_data(void *h, const int32_t *a_data, const int32_t *b_data) {
    Vsystolic_top *t = T(h);
    for (unsigned l = 0; l < kLanes; ++l) {
        put32(t->a_rdata, l, a_data ? static_cast<uint32_t>(a_data[l]) : 0u);
        put32(t->b_rdata, l, b_data ? static_cast<uint32_t>(b_data[l]) : 0u);
    }
}

int vs_get_writes(void *h, uint32_t *o_addr, int32_t *o_data) {
    const Vsystolic_top *t = T(h);
    for (unsigned j = 0; j < kCols; ++j) {
        if (o_addr) o_addr[j] = get32(t->o_waddr, j);
        if (o_data) o_data[j] = static_cast<int32_t>(get32(t->o_wdata, j));
    }
    return t->o_wacc ? 1 : 0;
}

int vs_done(void *h) { return T(h)->done ? 1 : 0; }

const vsys_api_t kApi = {
    vs_create,      vs_destroy,      kRows,         kCols,         kLanes,
    VSYS_AW,        VSYS_BW,         VSYS_ACCW,     vs_set_inputs, vs_set_clk_eval,
    vs_get_reads,   vs_set_read_data, vs_get_writes, vs_done,
};

}  // namespace

extern "C" const vsys_api_t *vsys_api(void) { return &kApi; }
