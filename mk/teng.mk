# teng.mk - the tensor engines' Verilated libraries (rtl/tensor_engine.v), one
# per shape, built ahead of `make test` for tests/test_teng_rtl.c.  Directory
# name: build/rtl/teng_r<R>_c<C>_d<D>_a<AW>_w<BW>_acc<ACCW>_x<CMP>.
TENG_TEST_SHAPES := r1_c3_d4_a8_w8_acc32_x0 r1_c3_d4_a8_w8_acc32_x1 r2_c3_d2_a8_w8_acc32_x0 \
                    r2_c3_d2_a5_w8_acc12_x1 r3_c2_d1_a8_w8_acc32_x0 r3_c2_d1_a8_w4_acc32_x1
TENG_TEST_LIBS := $(TENG_TEST_SHAPES:%=$(BUILD)/rtl/teng_%/libvteng.so)

$(BUILD)/rtl/teng_%/libvteng.so: rtl/tensor_engine.v rtl/mfdec.vh rtl/teng_shim.cpp rtl/teng_shim.h rtl/teng_build.sh $(VSHIM_SRCS) | deps
	@set -- $$(echo $* | sed 's/^r\([0-9]*\)_c\([0-9]*\)_d\([0-9]*\)_a\([0-9]*\)_w\([0-9]*\)_acc\([0-9]*\)_x\([0-9]*\)$$/\1 \2 \3 \4 \5 \6 \7/'); \
	rtl/teng_build.sh $(BUILD)/rtl/teng_$* $$1 $$2 $$3 $$4 $$5 $$6 $$7

TEST_PREREQS += $(TENG_TEST_LIBS)

# `make teng-rtlcheck`: the three engines at their hardware-file default
# shapes, both PE options, 200 random cases each; then the systolic array's
# compressed-accumulation PE (array.compressed) on a 4x3 array, 200 cases
# per dataflow; then the engines with minifloat operands (cube.format etc.)
# on three format pairs, both PE options, 200 cases each.
.PHONY: teng-rtlcheck
teng-rtlcheck: $(BUILD)/codesim
	@run() { $(BUILD)/codesim rtlcheck "$$@" --trials 200 --db $(BUILD)/teng.db > $(BUILD)/teng-rtlcheck.out 2>&1; \
	  rc=$$?; tail -1 $(BUILD)/teng-rtlcheck.out; return $$rc; }; \
	for b in addertree cube matrix2d; do for x in 0 1; do \
	  run --block $$b --compressed $$x || exit 1; \
	done; done; \
	for df in os ws is; do \
	  run --block systolic --rows 4 --cols 3 --dataflow $$df --compressed 1 || exit 1; \
	done; \
	for p in e4m3:e4m3 e5m2:e5m2 e3m2:e2m3; do for b in addertree cube matrix2d; do for x in 0 1; do \
	  run --block $$b --compressed $$x --a-format $${p%:*} --w-format $${p#*:} --acc-bits 24 || exit 1; \
	done; done; done

# `make paper-synth PAPER_DIR=... [PAPER_N=4]`: the HPCA 2025 paper's public
# Verilog (a checkout of
# github.com/wqzustc/High-Performance-Tensor-Processing-Engines, never copied
# into this repository), MAC-based against OPT1: the PAPER_N x PAPER_N OS
# arrays with the model of each (within 10% on yosys45, else it fails), the
# N x N x N cubes at N = 2 and, when PAPER_N <= 4, at PAPER_N, each with the
# model (--compare cube+mac / cube+opt1, the same 10%), and the WS PEs; each
# pair's area ratio at one clock and area efficiency at each design's own
# fmax (rtl/synth/paper_synth.sh; about three minutes at PAPER_N=4).
PAPER_N ?= 4
.PHONY: paper-synth
paper-synth: $(BUILD)/codesim
	@[ -n "$(PAPER_DIR)" ] && [ -f "$(PAPER_DIR)/OPT1/systolic_array_os/array_mac_based/top.v" ] || \
	  { echo "paper-synth: set PAPER_DIR to a checkout of wqzustc/High-Performance-Tensor-Processing-Engines" >&2; exit 2; }
	rtl/synth/paper_synth.sh $(BUILD)/codesim "$(PAPER_DIR)" $(PAPER_N) $(BUILD)/paper

# `make synth-timing`: the timing model's calibration and cross-check.  The
# standalone components of rtl/synth/parts.v (adders, multipliers, a
# multiply-add, one tree level, Booth rows) with their measured gate levels
# beside te_cost.h's laws (booth_negrow, the OPT1 PE's Booth term, fails
# beyond 10%), then the engines' teng_core at depth 1, 2 and 4
# with both PE options against te_pe_levels (and the area model), on
# yosys45.  Longer than make test's synth checks (about two minutes).
.PHONY: synth-timing
synth-timing: $(BUILD)/codesim
	rtl/synth/synth_timing.sh $(BUILD)/codesim $(BUILD)/synth-timing
