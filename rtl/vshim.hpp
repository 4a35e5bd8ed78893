// vshim.hpp - the one C++ shim template.  A block's shim (rtl/<block>_shim.cpp)
// writes only what is its own: how its inputs start, how its ports map to
// its C API (rtl/<block>_shim.h) and the table of entry points; this file
// gives it the instance (its own VerilatedContext and model), create,
// destroy and the clock, the 32-bit lane accessors for Verilator's port
// types, and the one exported symbol:
//
//     void init(Vblock &t) { ... inputs at reset ... }
//     using M = vshim::Model<Vblock, init>;
//     void set_x(void *h, uint32_t x) { M::top(h).x = x; }
//     const vblk_api_t kApi = {M::base, ..., set_x, ...};
//     VSHIM_EXPORT(vblk_api, vblk_api_t, kApi)
#ifndef CODESIM_RTL_VSHIM_HPP
#define CODESIM_RTL_VSHIM_HPP

#include <cstddef>
#include <cstdint>
#include <new>

#include "verilated.h"
#include "vshim.h"

namespace vshim {

// 32-bit word i of a port.  Verilator represents a port of <= 32 bits as
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

// n lanes of 16 bits packed two per 32-bit word (lane 0 least significant);
// d == nullptr drives zeros.
template <typename P>
void put16s(P &p, const uint16_t *d, unsigned n) {
    for (unsigned w = 0; w < (n + 1) / 2; ++w) {
        const uint32_t lo = d ? d[2 * w] : 0;
        const uint32_t hi = d && 2 * w + 1 < n ? d[2 * w + 1] : 0;
        put32(p, w, lo | hi << 16);
    }
}

// One Verilated model Top per instance, with its own context; Init sets the
// inputs an instance starts with (clk is set to 0 here), before the first eval.
template <class Top, void (*Init)(Top &)>
struct Model {
    struct Inst {
        VerilatedContext *ctx;
        Top *top;
    };

    static Top &top(void *h) { return *static_cast<Inst *>(h)->top; }

    static void *create() {
        Inst *in = new (std::nothrow) Inst{nullptr, nullptr};
        if (!in) return nullptr;
        try {
            in->ctx = new VerilatedContext;
            in->ctx->randReset(0);  // any register not yet reset starts at 0
            in->top = new Top{in->ctx, "TOP"};
        } catch (...) {
            delete in->top;
            delete in->ctx;
            delete in;
            return nullptr;
        }
        in->top->clk = 0;
        Init(*in->top);
        in->top->eval();
        return in;
    }

    static void destroy(void *h) {
        if (!h) return;
        Inst *in = static_cast<Inst *>(h);
        in->top->final();
        delete in->top;
        delete in->ctx;
        delete in;
    }

    static void set_clk_eval(void *h, int clk) {
        Top &t = top(h);
        t.clk = clk ? 1 : 0;
        t.eval();
    }

    static constexpr vshim_base_t base = {create, destroy, set_clk_eval};
};

}  // namespace vshim

// The library's one exported symbol: name() returns the block's table.
#define VSHIM_EXPORT(name, api_type, table) \
    extern "C" const api_type *name(void) { return &(table); }

#endif
