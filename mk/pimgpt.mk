# mk/pimgpt.mk - `make pimgpt`: the PIM-GPT paper's comparison (batch-1
# GPT-2 small..XL in modes pimgpt, gpu and npu, speedups beside the paper's
# 41-137x; mk/pimgpt.sh).  Runs into build/pimgpt/.  PIMGPT_HW=FILE,
# PIMGPT_GPU_HW=FILE (roofline GPU), PIMGPT_NPU_HW=FILE and
# PIMGPT_EAGER_HW=FILE (the paper-like GPU) swap a machine.
PIMGPT_HW ?= configs/pimgpt.yaml
PIMGPT_GPU_HW ?= configs/a100_1gpu.yaml
PIMGPT_NPU_HW ?= configs/pimgpt_npu.yaml
PIMGPT_EAGER_HW ?= configs/t4_eager.yaml
.PHONY: pimgpt
pimgpt: $(BUILD)/codesim
	@mk/pimgpt.sh $(BUILD)/codesim $(BUILD)/pimgpt $(PIMGPT_HW) $(PIMGPT_GPU_HW) $(PIMGPT_NPU_HW) \
		$(PIMGPT_EAGER_HW)
