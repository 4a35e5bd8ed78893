# mk/slurm.mk - `make test-slurm`: codesim sweep --slurm on a real one-node
# Slurm cluster started and stopped by tests/slurm.sh (Debian's slurmctld,
# slurmd, slurm-client and munge, installed here when missing; sqlite3 for
# the checks).  Not part of `make test`: it installs system daemons.
.PHONY: test-slurm
test-slurm: $(BUILD)/codesim
	@missing=""; \
	for d in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge sqlite3:sqlite3; do \
	  command -v $${d%%:*} >/dev/null 2>&1 || missing="$$missing $${d##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "test-slurm: installing$$missing"; \
	  $$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
	    --no-install-recommends $$missing >/dev/null || { echo "test-slurm: apt-get failed" >&2; exit 1; }; \
	fi
	tests/slurm.sh $(BUILD)/codesim
