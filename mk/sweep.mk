# mk/sweep.mk - design-space sweeps (sim/explore/sweep.c, sim/cli/cmd_sweep.c, cmd_db.c,
# cmd_pareto.c, cmd_report.c).  The Check suite (tests/test_sweep.c) runs the
# real binary and needs GNU parallel and chromium (Debian packages parallel,
# chromium), which the Makefile's deps target installs.
#
#   make sweep-gpt2   the 200-point GPT-2 sweep of sweeps/gpt2_systolic.yaml into
#                     build/sweep/gpt2.db (resumes), its Pareto table (latency
#                     against area) and the HTML report in build/sweep/report/

SWEEP_DIR := $(BUILD)/sweep

.PHONY: sweep-gpt2
sweep-gpt2: $(BUILD)/codesim
	@mkdir -p $(SWEEP_DIR)
	$(BUILD)/codesim sweep sweeps/gpt2_systolic.yaml --db $(SWEEP_DIR)/gpt2.db
	$(BUILD)/codesim pareto --db $(SWEEP_DIR)/gpt2.db --x latency --y area_mm2
	$(BUILD)/codesim report --db $(SWEEP_DIR)/gpt2.db --out $(SWEEP_DIR)/report
