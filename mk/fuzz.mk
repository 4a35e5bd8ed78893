# mk/fuzz.mk - libFuzzer harnesses for every input parser (tests/fuzz/).
#
# Each harness tests/fuzz/fuzz_<name>.c feeds libFuzzer's inputs to the real
# parser entry point (hw_load, workload_load, ...) and checks what the
# parser's header promises.  They are built with clang and
# -fsanitize=fuzzer,address,undefined against the library sources compiled
# by clang with the same sanitizers and coverage (build/fuzz/libcodesim.a).
#
#   make fuzz                 each harness for FUZZ_SECONDS (default 60) s, two at
#                             a time; prints execs/s and totals per harness
#   make fuzz FUZZ_SECONDS=600 FUZZ_ONLY="hw_yaml sweep_yaml"
#   make test                 runs each for FUZZ_TEST_SECONDS (15) s as one step
#
# The seed corpus is tests/fuzz/corpus/<name>/ (committed); what a run finds
# goes to build/fuzz/work/<name>/ and a crashing input to
# build/fuzz/artifacts/ (tests/fuzz/run.sh).

# clang and its libFuzzer/sanitizer runtimes (Debian 12: clang-14 and
# libclang-rt-14-dev, which --no-install-recommends leaves out).
CMD_DEPS += clang:clang
FILE_DEPS += /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev

FUZZ_CC := clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 15
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(filter-out tests/fuzz/fuzz_util.c,\
                $(sort $(wildcard tests/fuzz/fuzz_*.c))))
FUZZ_ONLY ?= $(FUZZ_NAMES)
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_CFLAGS := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer \
               -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined $(DEFS)
FUZZ_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_DEPFILES := $(FUZZ_OBJ:.o=.d)
$(FUZZ_DEPFILES):
include $(wildcard $(FUZZ_DEPFILES))

$(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_DIR)/obj/%.d | deps $(BUILD)/version.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -I$(BUILD) -c $< -o $@

$(FUZZ_DIR)/libcodesim.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.c tests/fuzz/fuzz_util.h \
                    $(FUZZ_DIR)/libcodesim.a | deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(filter %.c,$^) $(FUZZ_DIR)/libcodesim.a \
	  -o $@ $(LIBS)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_DIR) $(FUZZ_ONLY)

TEST_PREREQS += $(FUZZ_BINS)
