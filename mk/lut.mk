# lut.mk - the LUT tensor core's Verilated libraries (rtl/lut_tc.v), one per
# shape, built ahead of `make test` for tests/test_lut_rtl.c.  Directory name:
# build/lut/lut_m<TM>_n<TN>_k<TK>_g<G>_p<planes>_a<a_bits>_s<sym_table>.
LUT_TEST_SHAPES := m3_n5_k8_g4_p1_a8 m2_n7_k6_g2_p2_a8 m3_n4_k6_g3_p3_a5 m4_n3_k8_g4_p4_a8 \
                   m2_n6_k10_g5_p2_a8
LUT_TEST_LIBS := $(foreach s,$(LUT_TEST_SHAPES),$(BUILD)/lut/lut_$(s)_s0/libvlut.so \
                                                $(BUILD)/lut/lut_$(s)_s1/libvlut.so)

$(BUILD)/lut/lut_%/libvlut.so: rtl/lut_tc.v rtl/lut_shim.cpp rtl/lut_shim.h rtl/lut_build.sh $(VSHIM_SRCS) | deps
	@set -- $$(echo $* | sed 's/^m\([0-9]*\)_n\([0-9]*\)_k\([0-9]*\)_g\([0-9]*\)_p\([0-9]*\)_a\([0-9]*\)_s\([0-9]*\)$$/\1 \2 \3 \4 \5 \6 \7/'); \
	rtl/lut_build.sh $(BUILD)/lut/lut_$* $$1 $$2 $$3 $$4 $$5 $$6 $$7

TEST_PREREQS += $(LUT_TEST_LIBS)
