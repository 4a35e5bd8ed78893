# mk/neupims.mk - `make neupims`: the NeuPIMs paper's comparison (throughput
# of GPT-3 7B-175B at batch 256 and 512 in the modes gpu, npu, pim-blocked
# and neupims, the ratios and the paper's beside them; mk/neupims.sh).  The
# last line is the geometric mean over the runs.  Runs into build/neupims/.
# NEUPIMS_HW=FILE / GPU_HW=FILE swap a machine (README, "NeuPIMs comparison").
NEUPIMS_HW ?= configs/neupims.yaml
GPU_HW ?= configs/a100.yaml
.PHONY: neupims
neupims: $(BUILD)/codesim
	@mk/neupims.sh $(BUILD)/codesim $(BUILD)/neupims $(NEUPIMS_HW) $(GPU_HW)
