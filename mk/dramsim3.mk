# mk/dramsim3.mk - DRAMsim3 (../shared/peers/DRAMsim3, unmodified, MIT) built with
# its own CMake build under build/peers/, cached: the copy and the build run
# once, and again only when the peer folder's CMakeLists.txt changes.  The
# peer folder is read-only in CI, and DRAMsim3's CMake writes libdramsim3.so
# into its source folder, so the source is copied first.
#
# tests/peers/dramsim3_drive.cpp (ours) drives the library one request per
# cycle per channel, as codesim's `dram` command admits them, and prints total
# cycles; DRAMsim3's own trace runner admits one request per cycle in total
# and never drains the last writes (../shared/peers/README.md).
#
#   make dramsim3      the library and the driver (build/peers/dramsim3_drive);
#                      `make test` builds it first (the Check suite dramsim3,
#                      tests/test_dramsim3.c, runs a sample)
#   make compare-dramsim3   every pattern x rate on 100,000 requests, HBM2 and
#                      GDDR6, with the speed ratio (also part of `make compare`):
#                      both whole processes on the same trace file, median of
#                      COMPARE_REPS (3, mk/scalesim.mk) runs, per trace and
#                      the slowest

PEERS_DIR ?= ../shared/peers
DS3_SRC := $(PEERS_DIR)/DRAMsim3
DS3_COPY := $(BUILD)/peers/DRAMsim3
DS3_LIB := $(DS3_COPY)/libdramsim3.so
DS3_DRIVE := $(BUILD)/peers/dramsim3_drive

.PHONY: dramsim3 compare-dramsim3 compare
dramsim3: $(DS3_DRIVE)

$(DS3_LIB): $(DS3_SRC)/CMakeLists.txt | deps
	@command -v cmake >/dev/null || { echo "dramsim3: cmake missing (make deps installs it)" >&2; exit 1; }
	rm -rf $(DS3_COPY) && mkdir -p $(BUILD)/peers && cp -r $(DS3_SRC) $(DS3_COPY) && chmod -R u+w $(DS3_COPY)
	cmake -S $(DS3_COPY) -B $(DS3_COPY)/build -DCMAKE_BUILD_TYPE=Release >/dev/null
	$(MAKE) -C $(DS3_COPY)/build dramsim3 -j2 >/dev/null
	@test -f $@ && touch $@

$(DS3_DRIVE): tests/peers/dramsim3_drive.cpp $(DS3_LIB)
	$(CXX) -std=c++11 -O2 -Wall -Wextra -Werror -isystem $(DS3_COPY)/src -isystem $(DS3_COPY)/ext/headers \
	  -isystem $(DS3_COPY)/ext/fmt/include -DFMT_HEADER_ONLY=1 $< -o $@ \
	  -L$(DS3_COPY) -ldramsim3 -Wl,-rpath,$(abspath $(DS3_COPY))

TEST_PREREQS += $(DS3_DRIVE)

compare-dramsim3: $(BUILD)/codesim $(DS3_DRIVE)
	COMPARE_REPS=$(COMPARE_REPS) tests/peers/compare_dramsim3.sh $(DS3_DRIVE) $(BUILD)/codesim $(DS3_COPY) 100000 \
	  "0.05 0.5 0" "HBM2_8Gb_x128 GDDR6_8Gb_x16"
