# osdrain.mk - the overlapped-OS-drain arrays (array.os_drain: overlap,
# rtl/systolic.v OSD = 1): their Verilated libraries, built ahead of `make
# test` for tests/test_rtl.c, and `make osdrain-rtlcheck`.  Directory name:
# build/rtl/systolic_r<R>_c<C>_a<AW>_w<BW>_acc<ACCW>_af0_bf0_osd1 (the
# shortest-stem rule wins over the serial one in the Makefile).
OSD_TEST_SHAPES := r4_c3_a8_w8_acc32 r5_c1_a8_w8_acc32
OSD_TEST_LIBS := $(OSD_TEST_SHAPES:%=$(BUILD)/rtl/systolic_%_af0_bf0_osd1/libvsystolic.so)

$(BUILD)/rtl/systolic_%_af0_bf0_osd1/libvsystolic.so: rtl/systolic.v rtl/mfdec.vh rtl/systolic_shim.cpp rtl/systolic_shim.h rtl/build.sh $(VSHIM_SRCS) | deps
	@set -- $$(echo $* | sed 's/^r\([0-9]*\)_c\([0-9]*\)_a\([0-9]*\)_w\([0-9]*\)_acc\([0-9]*\)$$/\1 \2 \3 \4 \5/'); \
	rtl/build.sh $(BUILD)/rtl/systolic_$*_af0_bf0_osd1 $$1 $$2 $$3 $$4 $$5 0 0 1

TEST_PREREQS += $(OSD_TEST_LIBS)

# The compressed-PE arrays (array.compressed, CMP = 1, build.sh's 10th
# argument): ..._af0_bf0_cmp1, as sim/harness/systolic_rtl.c names them.
# Both (..._osd1_cmp1) are built on demand by the harness.
$(BUILD)/rtl/systolic_%_af0_bf0_cmp1/libvsystolic.so: rtl/systolic.v rtl/mfdec.vh rtl/systolic_shim.cpp rtl/systolic_shim.h rtl/build.sh $(VSHIM_SRCS) | deps
	@set -- $$(echo $* | sed 's/^r\([0-9]*\)_c\([0-9]*\)_a\([0-9]*\)_w\([0-9]*\)_acc\([0-9]*\)$$/\1 \2 \3 \4 \5/'); \
	rtl/build.sh $(BUILD)/rtl/systolic_$*_af0_bf0_cmp1 $$1 $$2 $$3 $$4 $$5 0 0 0 1

# `make osdrain-rtlcheck`: 200 random cases per shape (square, tall, wide,
# one column, narrow wrapping accumulator; K = 1 on one column is the case
# where a fold is exactly as long as the drain it hides), OS and, on the
# same OSD = 1 build, WS and IS (which the option leaves alone); then the
# same with compressed PEs (array.compressed, OSD = 1 CMP = 1) on 4x3 and
# the tight 5x1 K = 1 case.
.PHONY: osdrain-rtlcheck
osdrain-rtlcheck: $(BUILD)/codesim
	@set -e; for s in "8 8" "12 5" "5 12" "5 1" "4 3 --a-bits 4 --w-bits 6 --acc-bits 12"; do \
	  set -- $$s; \
	  $(BUILD)/codesim rtlcheck --block systolic --rows $$1 --cols $$2 $${3:+$$3 $$4 $$5 $$6 $$7 $$8} --dataflow os \
	    --os-drain overlap --trials 200 --db $(BUILD)/osdrain.db | tail -2; \
	done; \
	$(BUILD)/codesim rtlcheck --block systolic --rows 5 --cols 1 --dataflow os --os-drain overlap --k 1 \
	  --trials 200 --db $(BUILD)/osdrain.db | tail -2; \
	for d in ws is; do \
	  $(BUILD)/codesim rtlcheck --block systolic --rows 8 --cols 8 --dataflow $$d --os-drain overlap \
	    --trials 200 --db $(BUILD)/osdrain.db | tail -2; \
	done; \
	for s in "4 3" "5 1 --k 1"; do \
	  set -- $$s; \
	  $(BUILD)/codesim rtlcheck --block systolic --rows $$1 --cols $$2 $${3:+$$3 $$4} --dataflow os \
	    --os-drain overlap --compressed 1 --trials 200 --db $(BUILD)/osdrain.db | tail -2; \
	done
