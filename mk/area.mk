# area.mk - area/energy block (models/tech, models/power, sim/cli/cmd_area.c).
#
# `make synth`: synthesizes the PE grid of rtl/systolic.v with yosys at
# 1x1, 2x2, 4x4, 8x8 and 16x16 (8-bit operands, 32-bit accumulator; 16x16
# alone takes 2-7 minutes of one core and 1.6 GB) and compares the area
# model's size ratios with the synthesized cell-area ratios (15% tolerance).
# Writes build/area/synth.csv and the yosys logs next to it.
# The test suite runs the 1x1, 2x2 and 4x4 grids only (tests/test_power.c).

# yosys comes from Debian like the other tools (installed by `deps`).
CMD_DEPS += yosys:yosys

.PHONY: synth
synth: $(BUILD)/codesim | deps
	@mkdir -p $(BUILD)/area
	$(BUILD)/codesim synth --sizes 1,2,4,8,16 --out $(BUILD)/area
