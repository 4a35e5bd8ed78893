# mk/scalesim.mk - side-by-side with SCALE-Sim v2 (../shared/peers/scale-sim-v2, issue 17).
#
# The peer is Python: it needs python3 with numpy, pandas, absl and tqdm, which
# `scalesim-deps` installs from Debian (python3-numpy python3-pandas
# python3-absl python3-tqdm) the same way `deps` installs the build's packages.
#
#   make compare     every shipped layer of the sampled topologies through the
#                    peer and through codesim's SCALE-Sim accounting mode, a
#                    table per dataflow and array size, and the speed ratio
#                    measured in the same run (tests/scalesim_compare.sh):
#                    per layer file, the median whole-process wall time of
#                    COMPARE_REPS (3) runs of each tool, the ratio per file
#                    and its minimum

# Debian's interpreter, where the python3-* packages land (a python3 earlier
# on PATH, say from pyenv, would not see them).
SCALESIM_PYTHON := /usr/bin/python3
SCALESIM_PY_DEPS := numpy:python3-numpy pandas:python3-pandas absl:python3-absl tqdm:python3-tqdm

.PHONY: scalesim-deps compare
scalesim-deps:
	@missing=""; \
	[ -x $(SCALESIM_PYTHON) ] || missing=" python3"; \
	for d in $(SCALESIM_PY_DEPS); do \
	  $(SCALESIM_PYTHON) -c "import $${d%%:*}" >/dev/null 2>&1 || missing="$$missing $${d##*:}"; done; \
	mk/apt-install.sh scalesim-deps $$missing

TEST_PREREQS += scalesim-deps

# Shipped topologies that the peer finishes in minutes on an 8x8 array.
SCALESIM_PEER := $(CURDIR)/../shared/peers/scale-sim-v2
# (Whole conv nets such as AlexNet take SCALE-Sim hours on 8x8 and 32x32:
# give them with SCALESIM_TOPOS=... and SCALESIM_TIMEOUT=seconds.)
SCALESIM_TOPOS ?= $(addprefix $(SCALESIM_PEER)/topologies/,rnn_eval/handwriting_rec.csv \
                  GEMM_mnk/test_mnk_input.csv) $(CURDIR)/tests/data/scalesim_sample.csv

# Each tool's whole process, this many runs per input, median (the speed
# ratios; tests/scalesim_compare.sh, tests/peers/compare_dramsim3.sh).
COMPARE_REPS ?= 3

.PHONY: compare-scalesim
compare-scalesim: $(BUILD)/codesim scalesim-deps
	COMPARE_REPS=$(COMPARE_REPS) tests/scalesim_compare.sh $(CURDIR)/$(BUILD)/codesim $(SCALESIM_PEER) $(BUILD)/compare/scalesim $(SCALESIM_TOPOS)

# Both peer comparisons, one after the other (so that neither's speed ratio
# is measured while the other runs), then one line over both.
.PHONY: compare
compare:
	$(MAKE) compare-scalesim
	$(MAKE) compare-dramsim3
	@read se st sr sm < build/compare/scalesim.txt; read de dt ds dm < build/compare/dramsim3.txt; \
	echo "compare: SCALE-Sim $$se/$$st layers equal, $${sr}x faster (slowest layer file $${sm}x); DRAMsim3 $$de/$$dt runs within 2%, $${ds}x faster (slowest trace $${dm}x)"
