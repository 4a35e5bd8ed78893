// lut_shim.cpp - C API (lut_shim.h) over the Verilated lut_top.  Compiled by
// rtl/lut_build.sh with the shape as -D macros VLUT_TM, VLUT_TN, VLUT_TK,
// VLUT_G, VLUT_P, VLUT_AW, VLUT_SYM (the -G parameters given to Verilator).
#include "lut_shim.h"

#include <cstddef>
#include <cstdint>
#include <new>

#include "Vlut_top.h"
#include "verilated.h"

#if !defined(VLUT_TM) || !defined(VLUT_TN) || !defined(VLUT_TK) || !defined(VLUT_G) || \
    !defined(VLUT_P) || !defined(VLUT_AW) || !defined(VLUT_SYM)
#error "build with -DVLUT_TM= ... (see rtl/lut_build.sh)"
#endif

namespace {

constexpr unsigned kTN = VLUT_TN;
constexpr unsigned kALanes = VLUT_TM * VLUT_G;

static_assert(sizeof(Vlut_top::a_raddr) >= 4u * kALanes, "a_raddr width mismatch");
static_assert(sizeof(Vlut_top::w_raddr) >= 4u * kTN, "w_raddr width mismatch");
static_assert(sizeof(Vlut_top::o_wdata) >= 4u * kTN, "o_wdata width mismatch");

// 32-bit lane i of a port: IData (<= 32 bits), QData (<= 64) or VlWide<N>.
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
    Vlut_top *top;
};

inline Vlut_top *T(void *h) { return static_cast<Inst *>(h)->top; }

void *vl_create(void) {
    Inst *in = new (std::nothrow) Inst{nullptr, nullptr};
    if (!in) return nullptr;
    try {
        in->ctx = new VerilatedContext;
        in->ctx->randReset(0);
        in->top = new Vlut_top{in->ctx, "TOP"};
    } catch (...) {
        delete in->top;
        delete in->ctx;
        delete in;
        return nullptr;
    }
    Vlut_top *t = in->top;
    t->clk = 0;
    t->rst = 0;
    t->start = 0;
    t->cfg_m = t->cfg_n = t->cfg_k = 0;
    t->cfg_cz = 0;
    t->cfg_sh = 0;
    for (unsigned l = 0; l < kALanes; ++l) put32(t->a_rdata, l, 0);
    for (unsigned c = 0; c < kTN; ++c) put32(t->w_rdata, c, 0);
    t->eval();
    return in;
}

void vl_destroy(void *h) {
    if (!h) return;
    Inst *in = static_cast<Inst *>(h);
    in->top->final();
    delete in->top;
    delete in->ctx;
    delete in;
}

void vl_set_inputs(void *h, int rst, int start, uint32_t m, uint32_t n, uint32_t k, int32_t cz,
                   uint32_t sh) {
    Vlut_top *t = T(h);
    t->rst = rst ? 1 : 0;
    t->start = start ? 1 : 0;
    t->cfg_m = m;
    t->cfg_n = n;
    t->cfg_k = k;
    t->cfg_cz = static_cast<CData>(static_cast<uint32_t>(cz) & 0xFFu);
    t->cfg_sh = sh ? 1 : 0;
}

void vl_set_clk_eval(void *h, int clk) {
    Vlut_top *t = T(h);
    t->clk = clk ? 1 : 0;
    t->eval();
}

void vl_get_reads(void *h, uint32_t *a_addr, uint32_t *w_addr) {
    const Vlut_top *t = T(h);
    for (unsigned l = 0; l < kALanes; ++l) a_addr[l] = get32(t->a_raddr, l);
    for (unsigned c = 0; c < kTN; ++c) w_addr[c] = get32(t->w_raddr, c);
}

void vl_set_read_data(void *h, const int32_t *a_data, const int32_t *w_data) {
    Vlut_top *t = T(h);
    for (unsigned l = 0; l < kALanes; ++l) put32(t->a_rdata, l, static_cast<uint32_t>(a_data[l]));
    for (unsigned c = 0; c < kTN; ++c) put32(t->w_rdata, c, static_cast<uint32_t>(w_data[c]));
}

int vl_get_writes(void *h, uint32_t *o_addr, int32_t *o_data) {
    const Vlut_top *t = T(h);
    for (unsigned c = 0; c < kTN; ++c) {
        o_addr[c] = get32(t->o_waddr, c);
        o_data[c] = static_cast<int32_t>(get32(t->o_wdata, c));
    }
    return t->o_wacc ? 1 : 0;
}

int vl_done(void *h) { return T(h)->done ? 1 : 0; }

const vlut_api_t kApi = {
    vl_create,    vl_destroy,     VLUT_TM,         VLUT_TN,      VLUT_TK,
    VLUT_G,       VLUT_P,         VLUT_AW,         VLUT_SYM,     kALanes,
    vl_set_inputs, vl_set_clk_eval, vl_get_reads, vl_set_read_data, vl_get_writes,
    vl_done,
};

}  // namespace

extern "C" const vlut_api_t *vlut_api(void) { return &kApi; }
