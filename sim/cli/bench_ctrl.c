/* bench_ctrl.c - `codesim bench`: wall time of `dram.timing: controller`
 * layer runs against the fixed-rate channel: ResNet-18 (SCALE-Sim's
 * topologies/conv_nets/Resnet18.csv) on the default 32 x 32 OS array, and
 * the seven GEMVs of one Llama-2-7B decoder layer at decode (hidden 4096,
 * MLP 11008) on a 128 x 128 WS array, both on HBM2 at 256 GB/s against a
 * 256 B/cycle channel, and the 512-token prefill of its q projection on
 * the 32 x 32 OS array; each also on the controller's slow walk (dram.slow),
 * whose cycles must be the same.  The layer files are written to a
 * temporary directory and run through sim_run as `codesim run` runs them.
 * Then the channel alone on a stream of prefill-like transfers, with the
 * share of bursts the steady-state shortcut (memchan.h) skipped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../cost/tech_file.h"
#include "../io/config.h"
#include "../io/outfile.h"
#include "../io/workload.h"
#include "../../models/memchan.h"
#include "../run/run.h"

/* SCALE-Sim v2, topologies/conv_nets/Resnet18.csv */
static const char resnet18[] =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n"
    "Conv1,224,224,7,7,3,64,2,\nConv2_1a,56,56,3,3,64,64,1,\nConv2_1b,56,56,3,3,64,64,1,\n"
    "Conv2_2a,56,56,3,3,64,64,1,\nConv2_2b,56,56,3,3,64,64,1,\nConv3_1a,56,56,3,3,64,128,2,\n"
    "Conv3_1b,28,28,3,3,128,128,1,\nConv3_s,56,56,1,1,64,128,2,\nConv3_2a,28,28,3,3,128,128,1,\n"
    "Conv3_2b,28,28,3,3,128,128,1,\nConv4_1a,28,28,3,3,128,256,2,\nConv4_1b,14,14,3,3,256,256,1,\n"
    "Conv4_s,28,28,1,1,128,256,2,\nConv4_2a,14,14,3,3,256,256,1,\nConv4_2b,14,14,3,3,256,256,1,\n"
    "Conv5_1a,14,14,3,3,256,512,2,\nConv5_1b,7,7,3,3,512,512,1,\nConv5_s,14,14,1,1,256,512,2,\n"
    "Conv5_2a,7,7,3,3,512,512,1,\nConv5_2b,7,7,3,3,512,512,1,\nFC,1,1,1,1,512,1000,1,\n";

/* Llama-2-7B (traces/models/llama-2-7b.json): hidden 4096, intermediate 11008 */
static const char decode7b[] = "Layer,M,N,K\nq,1,4096,4096\nk,1,4096,4096\nv,1,4096,4096\n"
                               "o,1,4096,4096\ngate,1,11008,4096\nup,1,11008,4096\n"
                               "down,1,4096,11008\n";

/* Llama-2-7B's q projection at a 512-token prefill: a run of identical
 * 128 KB filter fetches, where memchan's steady-state shortcut fires. */
static const char prefill512[] = "Layer,M,N,K\nq,512,4096,4096\n";

/* Runs the layer file text on hw; *s = wall seconds, *cycles = total. */
static int time_layers(const char *dir, const char *text, const hw_cfg_t *hw, const tech_t *tech,
                       double *s, uint64_t *cycles, char *err, size_t errlen)
{
    char path[64];
    snprintf(path, sizeof path, "%s/layers.csv", dir);
    if (io_out_write_text(path, text, err, errlen) != 0)
        return -1;
    workload_t wl;
    const int lrc = workload_load(path, &wl, err, errlen);
    unlink(path);
    if (lrc != 0)
        return -1;
    const sim_workload_t w = {SIM_LAYERS, &wl, NULL, {0}, ENGINE_FAST, NULL, NULL};
    sim_result_t res = {0};
    const double t0 = util_now_s();
    const int rc = sim_run(hw, tech, &w, &res, err, errlen);
    *s = util_now_s() - t0;
    if (rc == 0)
        *cycles = res.cycles;
    sim_result_free(&res);
    workload_free(&wl);
    return rc;
}

/* The channel alone: 64 transfers of 128 KB of consecutive reads and a
 * 4 KB write-back each (the prefill's filter fetches) on HBM2, on the
 * default walk and the slow one; prints both times, and the share of
 * bursts memchan's shortcut pushed by arithmetic. */
static int bench_memchan(void)
{
    double t[2];
    uint64_t last[2] = {0, 0}, skipped = 0, bursts = 0;
    for (int slow = 0; slow < 2; slow++) {
        hw_cfg_t hw;
        hw_defaults(&hw);
        char err[400];
        if (hw_set(&hw, "dram.timing", "controller", err, sizeof err) != 0) {
            cli_err("bench ctrl: %s\n", err);
            return 1;
        }
        hw.dram.slow = slow;
        const uint64_t tensor[MEM_STREAMS] = {1u << 20, 8u << 20, 1u << 20, 0};
        memchan_t m;
        if (memchan_init(&m, &hw.dma, &hw.dram, hw.npu.freq_mhz, tensor, NULL, err,
                         sizeof err) != 0) {
            cli_err("bench ctrl: %s\n", err);
            hw_free(&hw);
            return 1;
        }
        const double t0 = util_now_s();
        uint64_t at = 0;
        int rc = 0;
        for (int x = 0; x < 64 && rc == 0; x++) {
            const uint64_t rd[MEM_STREAMS] = {0, 128u << 10, 0, 0}, wr[MEM_STREAMS] = {0, 0, 0, 4096};
            uint64_t ready = 0, done = 0;
            rc = memchan_issue(&m, at, rd, &ready, err, sizeof err) ||
                 memchan_issue(&m, ready, wr, &done, err, sizeof err);
            at = ready;
            last[slow] = done;
        }
        t[slow] = util_now_s() - t0;
        if (!slow) {
            skipped = m.skipped;
            bursts = m.c.st.reads + m.c.st.writes;
        }
        memchan_free(&m);
        hw_free(&hw);
        if (rc != 0) {
            cli_err("bench ctrl: %s\n", err);
            return 1;
        }
    }
    if (last[0] != last[1]) {
        cli_err("bench ctrl: memchan: last write-back at %llu, the slow walk %llu\n",
                (unsigned long long)last[0], (unsigned long long)last[1]);
        return 1;
    }
    printf("%-38s %11s %11llu %9s %9.3f %9.3f %8s %7.2fx\n", "memchan: 64 x (128 KB rd + 4 KB wr)",
           "-", (unsigned long long)last[0], "-", t[0], t[1], "-", t[0] > 0 ? t[1] / t[0] : 0.0);
    printf("  steady-state shortcut: %llu of %llu bursts (%.0f%%) pushed by arithmetic\n",
           (unsigned long long)skipped, (unsigned long long)bursts,
           bursts ? 100.0 * (double)skipped / (double)bursts : 0.0);
    return 0;
}

int bench_ctrl(void)
{
    char err[512], dir[] = "/tmp/codesim-bench-ctrl-XXXXXX", tech_file[600];
    tech_t tech;
    tech_path("45nm", tech_file, sizeof tech_file);
    if (tech_load(tech_file, &tech, err, sizeof err) != 0) {
        cli_err("bench ctrl: %s\n", err);
        return 1;
    }
    if (!mkdtemp(dir)) {
        cli_err("bench ctrl: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    static const struct {
        const char *name, *text;
        uint32_t dim;
        systolic_dataflow_t df;
    } cases[] = {
        {"ResNet-18, 32x32 OS", resnet18, 32, SYSTOLIC_OS},
        {"7B decoder layer, decode, 128x128 WS", decode7b, 128, SYSTOLIC_WS},
        {"7B q proj, 512-token prefill, 32x32 OS", prefill512, 32, SYSTOLIC_OS},
    };
    printf("\ncodesim bench: dram.timing: controller (HBM2, 256 GB/s) against a fixed "
           "256 B/cycle channel\n");
    printf("%-38s %11s %11s %9s %9s %9s %8s %8s\n", "layers", "fixed cyc", "ctrl cyc",
           "fixed ms", "ctrl s", "slow s", "c/fixed", "slow/c");
    int rc = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0] && rc == 0; i++) {
        /* fixed, controller, controller's slow walk (dram.slow: no shortcut) */
        double t[3] = {0, 0, 0};
        uint64_t cyc[3] = {0, 0, 0};
        for (int run = 0; run < 3 && rc == 0; run++) {
            hw_cfg_t hw;
            hw_defaults(&hw);
            hw.array.rows = hw.array.cols = cases[i].dim;
            hw.array.dataflow = cases[i].df;
            hw.dram.slow = run == 2;
            if (hw_set(&hw, "dram.bytes_per_cycle", "256", err, sizeof err) != 0 ||
                (run && hw_set(&hw, "dram.timing", "controller", err, sizeof err) != 0) ||
                time_layers(dir, cases[i].text, &hw, &tech, &t[run], &cyc[run], err,
                            sizeof err) != 0) {
                cli_err("bench ctrl: %s\n", err);
                rc = 1;
            }
            hw_free(&hw);
        }
        if (rc == 0 && cyc[2] != cyc[1]) {
            cli_err("bench ctrl: %s: %llu cycles, the slow walk %llu\n", cases[i].name,
                    (unsigned long long)cyc[1], (unsigned long long)cyc[2]);
            rc = 1;
        }
        if (rc == 0)
            printf("%-38s %11llu %11llu %9.2f %9.3f %9.3f %7.0fx %7.2fx\n", cases[i].name,
                   (unsigned long long)cyc[0], (unsigned long long)cyc[1], t[0] * 1e3, t[1], t[2],
                   t[0] > 0 ? t[1] / t[0] : 0.0, t[1] > 0 ? t[2] / t[1] : 0.0);
    }
    rmdir(dir);
    if (rc == 0)
        rc = bench_memchan();
    return rc;
}
