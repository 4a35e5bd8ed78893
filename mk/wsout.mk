# wsout.mk - the unregistered WS/IS output (array.ws_out_reg: false,
# rtl/systolic.v WOR = 0, build.sh's 11th argument): `make wsout-rtlcheck`,
# also run by `make osdrain-rtlcheck`.  Libraries
# build/rtl/systolic_r<R>_c<C>_a<AW>_w<BW>_acc<ACCW>_af<AF>_bf<BF>_wor0, built
# on first use by sim/harness/systolic_rtl.c; none is built for `make test`
# (tests/test_systolic.c checks the model's cycle saving against hand counts).
#
# 200 random cases per shape and dataflow: square, tall, wide, one row
# (R = 1: the read lane feeds the output adder directly), one column, a
# narrow wrapping accumulator, minifloat operands; OS on the same build
# (left alone by the option).
.PHONY: wsout-rtlcheck
wsout-rtlcheck: $(BUILD)/codesim
	@set -e; for d in ws is; do \
	  for s in "8 8" "12 5" "5 12" "1 5" "5 1" "4 3 --a-bits 4 --w-bits 6 --acc-bits 12" \
	           "4 3 --a-format e4m3 --w-format e5m2"; do \
	    set -- $$s; \
	    $(BUILD)/codesim rtlcheck --block systolic --rows $$1 --cols $$2 $${3:+$$3 $$4 $$5 $$6 $$7 $$8} \
	      --dataflow $$d --ws-out-reg 0 --trials 200 --db $(BUILD)/wsout.db | tail -1; \
	  done; \
	done; \
	$(BUILD)/codesim rtlcheck --block systolic --rows 8 --cols 8 --dataflow os --ws-out-reg 0 \
	  --trials 200 --db $(BUILD)/wsout.db | tail -1

osdrain-rtlcheck: wsout-rtlcheck
