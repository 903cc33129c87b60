# SPDX-License-Identifier: MIT
# What the arm64 build has of its own (the top Makefile does the rest): a Linux
# cross compiler against our newlib, the boot entry, the QEMU command line.

TRIPLE_arm64 := aarch64-none-elf
CC_arm64 := aarch64-linux-gnu-gcc
OBJCOPY_arm64 := aarch64-linux-gnu-objcopy
# cc-flags (tools/build-newlib.sh) holds newlib's include path and the ABI flags it was
# built with: -nostdinc, no PIC, no stack protector, armv8-a, inline atomics.
TARGET_CFLAGS_arm64 = $(shell cat $(NEWLIB_arm64)/cc-flags) \
	-ffunction-sections -fdata-sections -fno-omit-frame-pointer
LDFLAGS_arm64 :=
BOOT_SRCS_arm64 := boot/arm64/entry.S

# Payloads that need what only x86-64 has (its own page tables: CR3, INVLPG, #PF codes).
GUEST_SKIP_arm64 := paging cr_refuse shadow_rmw shadow_pool
# Payloads also built with GUEST_BARE (build/arm64/guest-bare/): for plain QEMU at EL1,
# the hypercalls played by the runtime.
GUEST_VARIANTS_arm64 := guest guest-bare

# The Image: the loadable bytes from the header on; .bss and the heap are NOLOAD.
boot_file_arm64 = $(1)/hyp.bin
define image_tail_arm64
$(1)/hyp.bin: $(1)/hyp.elf
	$$(OBJCOPY_arm64) -O binary $$< $$@
endef

# tools/qemu-run.sh boots the Image on -M virt,virtualization=on; run= on the kernel's
# command line (empty: kvm's default set); the GDB channel is a pci-serial 16550.
QEMU_arm64 = tools/qemu-run.sh
qemu_run_arm64 = $(if $(1),-- -append "run=$(1)")
QEMU_GDB_arm64 = -device pci-serial,chardev=gdb

# Plain QEMU with no EL2: the payload starts at EL1 and PSCI is QEMU's own.  -m 512M
# makes QEMU's RAM the memslot (hostile.c's access past it aborts as under the
# hypervisor).  QEMU exits 0 on SYSTEM_OFF: the verdict is the runtime's exit line.
.PHONY: arm64-guests-bare arm64-guests-bare-run
arm64-guests-bare: $(patsubst %,build/arm64/guest-bare/%.elf,$(call guests,arm64))
arm64-guests-bare-run: $(patsubst %,build/arm64/guest-bare/%.elf,$\
		$(filter-out $(BARE_SKIP),$(call guests,arm64)))
	@fail=0; for elf in $^; do echo "== $$elf"; \
		timeout 60 qemu-system-aarch64 -M virt,gic-version=3 -cpu max -smp 2 -m 512M \
			-nographic -no-reboot -kernel $$elf </dev/null | tee $${elf%.elf}.log; \
		grep -q '^guest: exit status 0' $${elf%.elf}.log || fail=1; \
	done; exit $$fail
