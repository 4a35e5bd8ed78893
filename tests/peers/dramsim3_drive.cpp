// dramsim3_drive.cpp - runs one synthetic memory pattern through DRAMsim3
// (../shared/peers/DRAMsim3, linked as built by mk/dramsim3.mk) and writes
// the same requests as a codesim trace, so that `codesim dram` and DRAMsim3
// see identical traffic.  Ours; DRAMsim3 is used unmodified through its
// public MemorySystem interface.
//
//   dramsim3_drive CONFIG.ini PATTERN RATE N SEED OUTDIR TRACE [gen]
//   dramsim3_drive CONFIG.ini --trace TRACE OUTDIR
//
// The first form draws the requests, writes them to TRACE and runs them
// (with `gen`: only writes TRACE).  The second reads such a codesim trace
// (CYCLE 0xADDR R|W, as the first form writes it) and runs it: the form
// tests/peers/compare_dramsim3.sh times, as a whole process, against the
// whole `codesim dram` process on the same file.
//
// PATTERN  seq | rand | rw | bank | gemm
//            seq   reads of consecutive bursts
//            rand  reads of uniformly random bursts
//            rw    random bursts, each a read or a write with probability 1/2
//            bank  random rows and columns of one bank (channel 0, group 0,
//                  bank 0): every request a row conflict unless it repeats
//            gemm  three interleaved streams as a GEMM tile loop makes them:
//                  sequential reads of A and of B, sequential writes of C,
//                  from three bases a quarter of the device apart
// RATE     offered load as a fraction of the peak request rate (channels /
//          burst cycles per request): request i arrives at cycle
//          floor(i / (RATE x peak)); 0 = saturation (every request at cycle
//          0, admitted as fast as the queues take them)
// N        requests; SEED for the random patterns
//
// Addresses.  codesim's presets named after DRAMsim3's files model one rank
// (models/dram.c), so every request stays in rank 0: the driver draws a
// codesim address (DRAMsim3's field order without the rank bits) and gives
// DRAMsim3 the same address with zero rank bits inserted.
//
// Admission, as `codesim dram` does it: each cycle, the requests that have
// arrived enter in trace order while the controller accepts them; the first
// refused one waits, and those behind it.  Then the memory ticks.
//
// Output (one line): "dramsim3 END READS WRITES WALL_S REF_FIRST" where END is the
// later of the cycle the last read's data returned and the cycle the last
// request entered; DRAMsim3 posts writes at entry and never drains the last
// few (at most 8 per channel), so write data is not part of END; REF_FIRST
// is the cycle of rank 0's first refresh (codesim's refresh_first).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "configuration.h"
#include "memory_system.h"

namespace {

struct Req {
    uint64_t cycle, addr_cs, addr_ds;
    bool write;
};

uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

}  // namespace

int main(int argc, char **argv)
{
    const bool from_trace = argc == 5 && std::string(argv[2]) == "--trace";
    const bool gen_only = argc == 9 && std::string(argv[8]) == "gen";
    if (!from_trace && argc != 8 && !gen_only) {
        std::fprintf(stderr,
                     "usage: dramsim3_drive CONFIG.ini seq|rand|rw|bank|gemm RATE N SEED OUTDIR "
                     "TRACE [gen]\n"
                     "       dramsim3_drive CONFIG.ini --trace TRACE OUTDIR\n");
        return 2;
    }
    const std::string ini = argv[1], pattern = from_trace ? "" : argv[2],
                      outdir = from_trace ? argv[4] : argv[6];
    const double rate = from_trace ? 0 : std::atof(argv[3]);
    uint64_t n = from_trace ? 1 : std::strtoull(argv[4], nullptr, 10);
    uint64_t seed =
        from_trace ? 0 : std::strtoull(argv[5], nullptr, 10) * 2654435761u + 0x9e3779b97f4a7c15ull;
    if (!n || rate < 0 || rate > 1) {
        std::fprintf(stderr, "dramsim3_drive: RATE must be in 0..1 and N above 0\n");
        return 2;
    }
    dramsim3::Config cfg(ini, outdir);
    auto lg = [](uint64_t v) {
        int b = 0;
        while (v > 1) {
            v >>= 1;
            b++;
        }
        return b;
    };
    const int ra_bits = lg(cfg.ranks), shift = cfg.shift_bits;
    // Field widths and positions above the burst offset, in codesim's space
    // (rank bits removed).
    auto pos_cs = [&](int p) { return p > cfg.ra_pos ? p - ra_bits : p; };
    const int ch_pos = pos_cs(cfg.ch_pos), bg_pos = pos_cs(cfg.bg_pos), ba_pos = pos_cs(cfg.ba_pos),
              ro_pos = pos_cs(cfg.ro_pos), co_pos = pos_cs(cfg.co_pos);
    const int co_bits = lg(cfg.columns) - lg(cfg.BL);
    const uint64_t bursts = (uint64_t)cfg.channels * cfg.bankgroups * cfg.banks_per_group *
                            cfg.rows * (1ull << co_bits);
    auto to_ds = [&](uint64_t burst) {
        const uint64_t low = burst & ((1ull << cfg.ra_pos) - 1), high = burst >> cfg.ra_pos;
        return ((high << (cfg.ra_pos + ra_bits)) | low) << shift;
    };
    (void)ch_pos;
    (void)bg_pos;
    (void)ba_pos;
    const double peak = (double)cfg.channels / (cfg.burst_cycle ? cfg.burst_cycle : 1);
    std::vector<Req> reqs;
    if (from_trace) {
        FILE *f = std::fopen(argv[3], "r");
        if (!f) {
            std::perror(argv[3]);
            return 1;
        }
        char line[256];
        unsigned long long lno = 0;
        while (std::fgets(line, sizeof line, f)) {
            lno++;
            char *p = line, *q;
            Req r;
            r.cycle = std::strtoull(p, &q, 10);
            const uint64_t a = std::strtoull(q, &p, 16);
            while (*p == ' ')
                p++;
            if (q == line || p == q || (*p != 'R' && *p != 'W')) {
                std::fprintf(stderr, "%s:%llu: expected CYCLE 0xADDR R|W\n", argv[3], lno);
                std::fclose(f);
                return 1;
            }
            r.addr_cs = a;
            r.addr_ds = to_ds(a >> shift);
            r.write = *p == 'W';
            reqs.push_back(r);
        }
        std::fclose(f);
        n = reqs.size();
        if (!n) {
            std::fprintf(stderr, "%s: no requests\n", argv[3]);
            return 1;
        }
    } else {
        reqs.resize(n);
    }
    for (uint64_t i = 0; !from_trace && i < n; i++) {
        uint64_t b = 0;
        bool w = false;
        if (pattern == "seq") {
            b = i % bursts;
        } else if (pattern == "rand") {
            b = xorshift(&seed) % bursts;
        } else if (pattern == "rw") {
            b = xorshift(&seed) % bursts;
            w = xorshift(&seed) & 1;
        } else if (pattern == "bank") {
            const uint64_t row = xorshift(&seed) % cfg.rows,
                           col = xorshift(&seed) % (1ull << co_bits);
            b = (row << ro_pos) | (col << co_pos);
        } else if (pattern == "gemm") {
            const uint64_t s = i % 3, k = i / 3;
            b = (s * (bursts / 4) + bursts / 8 + k) % bursts;
            w = s == 2;
        } else {
            std::fprintf(stderr, "dramsim3_drive: unknown pattern '%s'\n", pattern.c_str());
            return 2;
        }
        reqs[i].cycle = rate > 0 ? (uint64_t)((double)i / (rate * peak)) : 0;
        reqs[i].addr_cs = b << shift;
        reqs[i].addr_ds = to_ds(b);
        reqs[i].write = w;
    }
    if (!from_trace) {
        FILE *f = std::fopen(argv[7], "w");
        if (!f) {
            std::perror(argv[7]);
            return 1;
        }
        for (const Req &r : reqs)
            std::fprintf(f, "%llu 0x%llx %c\n", (unsigned long long)r.cycle,
                         (unsigned long long)r.addr_cs, r.write ? 'W' : 'R');
        std::fclose(f);
        if (gen_only)
            return 0;
    }

    uint64_t clk = 0, reads = 0, writes = 0, last_read = 0, last_push = 0, nreads = 0;
    for (const Req &r : reqs)
        nreads += !r.write;
    auto on_read = [&](uint64_t) {
        reads++;
        last_read = clk;
    };
    auto on_write = [&](uint64_t) { writes++; };
    const auto t0 = std::chrono::steady_clock::now();
    dramsim3::MemorySystem mem(ini, outdir, on_read, on_write);
    size_t i = 0;
    while (i < n || reads < nreads) {
        while (i < n && reqs[i].cycle <= clk &&
               mem.WillAcceptTransaction(reqs[i].addr_ds, reqs[i].write)) {
            mem.AddTransaction(reqs[i].addr_ds, reqs[i].write);
            last_push = clk;
            i++;
        }
        mem.ClockTick();
        clk++;
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // DRAMsim3 refreshes rank 0 first at tREFI / ranks (src/refresh.cc).
    std::printf("dramsim3 %llu %llu %llu %.4f %d\n",
                (unsigned long long)(last_read > last_push ? last_read : last_push),
                (unsigned long long)reads, (unsigned long long)writes, wall,
                cfg.tREFI / cfg.ranks);
    return 0;
}
