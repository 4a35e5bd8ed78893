# mk/pim.mk - the PIM unit's Verilated libraries (rtl/pim_unit.v) for the
# configurations tests/test_pim_rtl.c cross-checks, built ahead so that
# make -j2 builds them in parallel with the rest.  The directory name carries
# the configuration: pim_l<lanes>_fp<0|1>_g<grf>_s<srf>_a<acc> (the same name
# sim/harness/pim_rtl.c builds on demand for other configurations).
PIM_TEST_CFGS := l16_fp1_g8_s8_a8 l5_fp0_g4_s2_a3
PIM_TEST_LIBS := $(PIM_TEST_CFGS:%=$(BUILD)/pim/pim_%/libvpim.so)

$(BUILD)/pim/pim_%/libvpim.so: rtl/pim_unit.v rtl/pim_shim.cpp rtl/pim_shim.h rtl/pim_build.sh $(VSHIM_SRCS) | deps
	@set -- $$(echo $* | sed 's/^l\([0-9]*\)_fp\([01]\)_g\([0-9]*\)_s\([0-9]*\)_a\([0-9]*\)$$/\1 \2 \3 \4 \5/'); \
	rtl/pim_build.sh $(BUILD)/pim/pim_$* $$1 $$2 $$3 $$4 $$5

TEST_PREREQS += $(PIM_TEST_LIBS)
