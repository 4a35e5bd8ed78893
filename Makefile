# codesim - the single entry point: make, make run, make test, make bench.
# Every target that builds first runs `deps`, which installs what a fresh
# Debian machine lacks.

SHELL := /bin/bash
CC := gcc
CXX := g++
BUILD := build
VERSION := 0.1.0

# Debian package for each pkg-config module / command the build needs.
PC_DEPS := sqlite3:libsqlite3-dev yaml-0.1:libyaml-dev check:check jansson:libjansson-dev \
           systemc:libsystemc-dev
CMD_DEPS := pkg-config:pkg-config verilator:verilator valgrind:valgrind parallel:parallel \
            chromium:chromium cmake:cmake
# Files no command or pkg-config module stands for: PATH-GLOB:package.
FILE_DEPS :=

WARN := -Wall -Wextra -Werror
CSTD := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
DEFS := -DCODESIM_VERSION=\"$(VERSION)\" -DCODESIM_ROOT=\"$(CURDIR)\"
CFLAGS_REL := $(CSTD) $(WARN) -O3 -g $(DEFS)
CFLAGS_SAN := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined $(DEFS)
LIBS := -lsqlite3 -lyaml -ljansson -ldl -lm -pthread

LIB_SRC := $(sort $(wildcard models/*.c) $(filter-out sim/cli/main.c,$(wildcard sim/*/*.c)) \
           $(wildcard mapper/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c))
REL_OBJ := $(LIB_SRC:%.c=$(BUILD)/rel/%.o)
SAN_OBJ := $(LIB_SRC:%.c=$(BUILD)/san/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/san/%.o)
# Every object gets a dependency file (-MMD) listing the headers it includes,
# so an edit rebuilds only the objects that include what changed; -MP adds an
# empty rule per header so that deleting one does not stop make.
DEPFLAGS := -MMD -MP
DEPFILES := $(REL_OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/rel/sim/cli/main.d \
            $(BUILD)/san/sim/cli/main.d

.PHONY: all deps run test unit install bench clean rtlcheck-all version-stamp
.DEFAULT_GOAL := all

all: $(BUILD)/codesim

deps:
	@missing=""; \
	for d in $(CMD_DEPS); do command -v $${d%%:*} >/dev/null 2>&1 || missing="$$missing $${d##*:}"; done; \
	for d in $(PC_DEPS); do pkg-config --exists $${d%%:*} 2>/dev/null || missing="$$missing $${d##*:}"; done; \
	for d in $(FILE_DEPS); do compgen -G "$${d%%:*}" >/dev/null || missing="$$missing $${d##*:}"; done; \
	mk/apt-install.sh deps $$missing

# The git revision lands in one generated header, rewritten only when it
# changes; only the files that print or store it include it (sim/cli/main.c,
# sim/db/db.c), and their dependency files say so.  Every object waits for it
# (order-only) so that it exists before the first compile.
$(BUILD)/version.h: version-stamp
	@mkdir -p $(BUILD)
	@rev=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	git diff --quiet HEAD -- 2>/dev/null || rev="$$rev-dirty"; \
	line="#define CODESIM_GIT_REV \"$$rev\""; \
	[ -f $@ ] && [ "$$(cat $@)" = "$$line" ] || echo "$$line" > $@

$(BUILD)/rel/%.o: %.c $(BUILD)/rel/%.d | deps $(BUILD)/version.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_REL) $(DEPFLAGS) -I$(BUILD) -c $< -o $@

$(BUILD)/san/%.o: %.c $(BUILD)/san/%.d | deps $(BUILD)/version.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SAN) $(DEPFLAGS) -I$(BUILD) $$(pkg-config --cflags check) -c $< -o $@

# An object whose dependency file is missing (say, built by an older
# Makefile) is rebuilt; the empty rule keeps make from deleting the files.
$(DEPFILES):
include $(wildcard $(DEPFILES))

$(BUILD)/codesim: $(REL_OBJ) $(BUILD)/rel/sim/cli/main.o
	$(CC) $(CFLAGS_REL) $^ -o $@ $(LIBS)

$(BUILD)/codesim-san: $(SAN_OBJ) $(BUILD)/san/sim/cli/main.o
	$(CC) $(CFLAGS_SAN) $^ -o $@ $(LIBS)

$(BUILD)/run_tests: $(SAN_OBJ) $(TEST_OBJ)
	$(CC) $(CFLAGS_SAN) $^ -o $@ $(LIBS) $$(pkg-config --libs check)

# SystemC: the Verilated RTL and the C model side by side, compared every cycle.
SC_DIR := $(BUILD)/sc
SC_SHAPE := -GR=4 -GC=3 -GAW=8 -GBW=8 -GACCW=32
# The model is compiled as C by gcc (Verilator would compile a .c as C++).
$(SC_DIR)/sc_systolic: rtl/systolic.v rtl/mfdec.vh tests/sc/sc_systolic.cpp $(BUILD)/rel/models/systolic.o \
                       $(BUILD)/rel/models/numfmt.o | deps
	@rm -rf $(SC_DIR) && mkdir -p $(SC_DIR)
	SYSTEMC_INCLUDE=/usr/include SYSTEMC_LIBDIR=/usr/lib/x86_64-linux-gnu \
	verilator --sc rtl/systolic.v -Irtl --top-module systolic_top $(SC_SHAPE) --pins-bv 2 \
	  --exe $(CURDIR)/tests/sc/sc_systolic.cpp $(CURDIR)/$(BUILD)/rel/models/systolic.o \
	  $(CURDIR)/$(BUILD)/rel/models/numfmt.o -CFLAGS "-I$(CURDIR) -O1" -LDFLAGS "-lm" --build -j 2 -Mdir $(SC_DIR) -o sc_systolic >/dev/null

# Shapes the test suite cross-checks (tests/test_rtl.c), built ahead so that
# make -j2 builds them in parallel; the directory name carries the shape:
# systolic_r<R>_c<C>_a<in_bits>_w<w_bits>_acc<acc_bits>.
RTL_TEST_SHAPES := r8_c8_a8_w8_acc32 r12_c5_a8_w8_acc32 r5_c12_a8_w8_acc32 r4_c3_a4_w6_acc12
RTL_TEST_LIBS := $(RTL_TEST_SHAPES:%=$(BUILD)/rtl/systolic_%/libvsystolic.so)
# Every block's shim is built on the one template (rtl/vshim.h, rtl/vshim.hpp)
# by rtl/vbuild.sh; a change to any of them rebuilds every library.
VSHIM_SRCS := rtl/vshim.h rtl/vshim.hpp rtl/vbuild.sh
$(BUILD)/rtl/systolic_%/libvsystolic.so: rtl/systolic.v rtl/mfdec.vh rtl/systolic_shim.cpp rtl/systolic_shim.h rtl/build.sh $(VSHIM_SRCS) | deps
	@set -- $$(echo $* | sed 's/^r\([0-9]*\)_c\([0-9]*\)_a\([0-9]*\)_w\([0-9]*\)_acc\([0-9]*\)$$/\1 \2 \3 \4 \5/'); \
	rtl/build.sh $(BUILD)/rtl/systolic_$* $$1 $$2 $$3 $$4 $$5

# Blocks add build rules in mk/<block>.mk and append what `make test` needs
# first to TEST_PREREQS (for example their Verilated libraries).
TEST_PREREQS :=
-include $(sort $(wildcard mk/*.mk))

run: $(BUILD)/codesim
	$(BUILD)/codesim run --hw configs/default.yaml --workload traces/transformer.csv --db results.db

# `make unit`: the edit-compile-test loop, in seconds: the layering check and
# the unit suites (no codesim binary, no Verilator, yosys or valgrind) under
# ASan/UBSan, two at a time (tests/unit.sh).  `make test` runs everything.
unit: $(BUILD)/run_tests
	@tests/unit.sh $(BUILD)/run_tests

test: $(BUILD)/codesim $(BUILD)/codesim-san $(BUILD)/run_tests $(SC_DIR)/sc_systolic $(RTL_TEST_LIBS) \
      $(TEST_PREREQS)
	@echo "== layers: no #include points up (tests/check_layers.sh)"
	tests/check_layers.sh
	@echo "== SystemC: Verilated RTL beside the C model, every cycle"
	$(SC_DIR)/sc_systolic
	@echo "== valgrind: codesim run leaks nothing"
	@tmp=$$(mktemp -d) && \
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=all \
	  $(BUILD)/codesim run --hw configs/default.yaml --workload traces/transformer.csv --db $$tmp/v.db >/dev/null && \
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=all \
	  $(BUILD)/codesim run --path cycle --hw tests/data/tiny.yaml --workload tests/data/tiny.csv --db $$tmp/v.db >/dev/null && \
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=all \
	  $(BUILD)/codesim run --model traces/models/gpt2.json --hw configs/npu_pim.yaml --batch 2 \
	  --prompt 16 --gen 3 --timeline $$tmp/t.json --db $$tmp/v.db >/dev/null && \
	rm -rf $$tmp && echo "valgrind: clean"
	@echo "== make install into a temporary PREFIX, moved: the binary finds its data"
	tests/check_install.sh
	@echo "== Check suites (ASan/UBSan)"
	CODESIM_BIN=$(CURDIR)/$(BUILD)/codesim-san CK_DEFAULT_TIMEOUT=600 $(BUILD)/run_tests
	@echo "== fuzzing: every parser under libFuzzer, ASan and UBSan (mk/fuzz.mk)"
	tests/fuzz/run.sh $(FUZZ_TEST_SECONDS) $(FUZZ_DIR) $(FUZZ_NAMES)

# `make install PREFIX=DIR` (default /usr/local; DESTDIR is honoured for
# staging): the binary into PREFIX/bin and its data into
# PREFIX/share/codesim, where the binary finds it through /proc/self/exe, also
# after the whole PREFIX is moved (sim/io/paths.h).  Verilated libraries are
# then built on first use into $CODESIM_CACHE, $XDG_CACHE_HOME/codesim or
# ~/.cache/codesim, never below PREFIX.
PREFIX ?= /usr/local
INSTALL_DATA := $(wildcard reports/tech/*.yaml rtl/*.v rtl/*.vh rtl/*.cpp rtl/*.h rtl/*.hpp rtl/*.sh \
                  rtl/synth/* configs/* traces/*.csv traces/*.yaml traces/models/* traces/dram/* sweeps/*)
install: $(BUILD)/codesim
	@dest="$(DESTDIR)$(PREFIX)"; \
	install -d "$$dest/bin" "$$dest/share/codesim" && \
	install -m 755 $(BUILD)/codesim "$$dest/bin/codesim" && \
	for f in $(INSTALL_DATA); do \
	  mode=644; [ -x "$$f" ] && mode=755; \
	  install -D -m $$mode "$$f" "$$dest/share/codesim/$$f" || exit 1; \
	done && \
	echo "installed $$dest/bin/codesim and its data in $$dest/share/codesim"

bench: $(BUILD)/codesim
	$(BUILD)/codesim bench

clean:
	rm -rf $(BUILD)
