# SPDX-License-Identifier: MIT
#
# Guests nobody here wrote: a kernel and initrd a user brings, and Debian's
# arm64 cloud kernel with a busybox initramfs (tools/linux-guest.sh).
# Include after mk/arm64.mk, mk/guest-arm64.mk and mk/kvm-arm64.mk.
#
#   make run-guest IMAGE=F [INITRD=F] [APPEND="..."] [SMP=n] [MEM=512M] [RUN_GUEST_TIMEOUT=300]
#                      boot F (arm64 Image, ELF or raw) under the hypervisor; exits
#                      with the guest's verdict (0: it powered off cleanly)
#   make run-linux     Debian's kernel to a busybox shell on this terminal
#                      ('exit' or 'poweroff -f' ends it; Ctrl-A x quits QEMU)
#   make test-linux    the same kernel with an init that prints a marker and powers
#                      off: checks the marker, cpus=2 and a clean power-off
#   make linux-guest   only fetch the kernel and build the initramfs (cached)
#   make bench-linux   QEMU start to the marker line under the hypervisor and under
#                      bare QEMU, best of 3 each, as a ratio; the boot's stage-2
#                      faults, RCU counters and exits (tools/bench-linux.sh)

linux_guest_saved_goal := $(.DEFAULT_GOAL)

LINUX_GUEST_DIR := $(BUILD)/linux-guest
LINUX_GUEST_IMAGE := $(LINUX_GUEST_DIR)/Image
SMP ?= 2
MEM ?= 512M
RUN_GUEST_TIMEOUT ?= 300
LINUX_TEST_TIMEOUT ?= 600
APPEND ?= console=ttyAMA0 earlycon=pl011,0x09000000
INITRD ?=
IMAGE ?=

# The unhandled-trap decoder (arch_exit_describe) belongs to the arm64 image with
# kvm/; named here again for the link rule as mk/kvm-arm64.mk does for its sources.
ARM64_HYP_SRCS += arch/arm64/sysreg_names.c
$(ARM64_OUT)/hyp.elf: $(ARM64_OUT)/obj/arch/arm64/sysreg_names.o

RUN_GUEST := tools/run-guest.sh --smp $(SMP) --mem $(MEM)

.PHONY: linux-guest run-guest run-linux test-linux bench-linux

linux-guest: deps-arm64
	@tools/linux-guest.sh

run-guest: deps-arm64
	@[ -n "$(IMAGE)" ] || { echo "run-guest: say which kernel: make run-guest IMAGE=path [INITRD=...]" >&2; exit 2; }
	@$(MAKE) --no-print-directory -s arm64-kvm
	@$(RUN_GUEST) --timeout $(RUN_GUEST_TIMEOUT) --append "$(APPEND)" \
		$(if $(INITRD),--initrd $(INITRD)) $(IMAGE)

run-linux: deps-arm64
	@$(MAKE) --no-print-directory -s arm64-kvm
	@tools/linux-guest.sh
	@$(RUN_GUEST) --console --timeout 0 --append "$(APPEND)" \
		--initrd $(LINUX_GUEST_DIR)/initrd-shell.gz $(LINUX_GUEST_IMAGE)

# Exit status 0 means the hypervisor saw the guest power off (SYSTEM_OFF);
# the marker line proves it got to its init with both vCPUs.  One case, and
# its own closing line for tools/run-tests.sh.
test-linux: deps-arm64
	@$(MAKE) --no-print-directory -s arm64-kvm
	@tools/linux-guest.sh
	@if tools/run-guest.sh --smp 2 --mem 512M --timeout $(LINUX_TEST_TIMEOUT) \
		--append "console=ttyAMA0 panic=-1" --expect '^\[linux\] LINUX-GUEST-MARKER cpus=2 ' \
		--log $(ARM64_OUT)/test-linux.log \
		--initrd $(LINUX_GUEST_DIR)/initrd-marker.gz $(LINUX_GUEST_IMAGE); then \
		echo "PASS linux/marker-cpus-2-power-off"; echo "1 passed, 0 failed"; \
	else \
		echo "FAIL linux/marker-cpus-2-power-off"; echo "0 passed, 1 failed"; exit 1; \
	fi

bench-linux: deps-arm64
	@$(MAKE) --no-print-directory -s arm64-kvm
	@tools/linux-guest.sh
	@tools/bench-linux.sh $(ARM64_OUT)

.DEFAULT_GOAL := $(linux_guest_saved_goal)
