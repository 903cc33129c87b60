# SPDX-License-Identifier: MIT
#
# arm64 guest payloads: build/arm64/guest/<name>.elf for every
# tests/guest/<name>.c that is not x86-64-only, linked with the guest
# runtime (tests/guest/runtime/) and our newlib.  Include after mk/arm64.mk
# (ARM64_TARGET_CFLAGS, ARM64_CC, the newlib stamp).  On its own, from the
# top of the tree:
#
#   make -f mk/arm64.mk -f mk/guest-arm64.mk arm64-guests
#   make -f mk/arm64.mk -f mk/guest-arm64.mk arm64-guests-bare-run
#
# arm64-guests           the payloads the hypervisor embeds and runs
# arm64-guests-bare      the same payloads built with GUEST_BARE into
#                        build/arm64/guest-bare/ (never guest/: the hypervisor
#                        embeds every ELF there): hypercalls played by the
#                        runtime over PL011, for plain QEMU at EL1
# arm64-guests-bare-run  boot each bare payload in plain QEMU (no EL2), 2 vCPUs

# Keep the includer's default goal.
guest_arm64_saved_goal := $(.DEFAULT_GOAL)

GUEST_ARM64_OUT ?= $(ARM64_OUT)/guest
GUEST_ARM64_BARE_OUT ?= $(ARM64_OUT)/guest-bare
# x86-64 only: the guest's own page tables (CR3, INVLPG, #PF error codes).
GUEST_ARM64_X86_ONLY := paging cr_refuse shadow_rmw shadow_pool
# A payload whose two halves share nothing but a name has one file per architecture:
# tests/guest/arm64/<name>.c here, tests/guest/x86_64/<name>.c there.
GUEST_ARM64_PAYLOADS ?= $(filter-out $(GUEST_ARM64_X86_ONLY), \
	$(sort $(basename $(notdir $(wildcard tests/guest/*.c tests/guest/arm64/*.c)))))
GUEST_ARM64_BARE_TIMEOUT ?= 60

GUEST_RT_DIR := tests/guest/runtime
GUEST_RT_ARM64_SRCS := start_arm64.S abort_arm64.c psci_arm64.c mmu_arm64.c gic_arm64.c \
	start.c hypercall.c test.c smp.c syscalls.c locks.c
GUEST_RT_ARM64_BARE_SRCS := bare_arm64.c

GUEST_ARM64_CFLAGS = $(ARM64_TARGET_CFLAGS) -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-I. -I$(GUEST_RT_DIR) -MMD -MP
GUEST_ARM64_ASFLAGS = $(ARM64_TARGET_CFLAGS) -g -Wall -Werror -I$(GUEST_RT_DIR) -MMD -MP
GUEST_ARM64_LDFLAGS = -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,-z,norelro -Wl,--no-warn-rwx-segments -T linker/arm64-guest.ld
GUEST_ARM64_LIBS = -L$(ARM64_NEWLIB)/lib -Wl,--start-group -lc -lm -lgcc -Wl,--end-group

# $(1) = output dir, $(2) = extra sources, $(3) = extra flags
define guest_arm64_variant
$(1)/obj/%.o: $(GUEST_RT_DIR)/%.c | $(ARM64_NEWLIB_STAMP)
	@mkdir -p $$(@D)
	$$(ARM64_CC) $$(GUEST_ARM64_CFLAGS) $(3) -c $$< -o $$@

$(1)/obj/%.o: $(GUEST_RT_DIR)/%.S | $(ARM64_NEWLIB_STAMP)
	@mkdir -p $$(@D)
	$$(ARM64_CC) $$(GUEST_ARM64_ASFLAGS) $(3) -c $$< -o $$@

$(1)/obj/payload/%.o: tests/guest/arm64/%.c | $(ARM64_NEWLIB_STAMP)
	@mkdir -p $$(@D)
	$$(ARM64_CC) $$(GUEST_ARM64_CFLAGS) $(3) -c $$< -o $$@

$(1)/obj/payload/%.o: tests/guest/%.c | $(ARM64_NEWLIB_STAMP)
	@mkdir -p $$(@D)
	$$(ARM64_CC) $$(GUEST_ARM64_CFLAGS) $(3) -c $$< -o $$@

$(1)/obj/lib/%.o: lib/%.c | $(ARM64_NEWLIB_STAMP)
	@mkdir -p $$(@D)
	$$(ARM64_CC) $$(GUEST_ARM64_CFLAGS) $(3) -c $$< -o $$@

$(1)/%.elf: $(1)/obj/payload/%.o \
		$(patsubst %,$(1)/obj/%.o,$(basename $(GUEST_RT_ARM64_SRCS) $(2))) \
		$(1)/obj/lib/newlib_syscalls.o linker/arm64-guest.ld
	$$(ARM64_CC) $$(GUEST_ARM64_LDFLAGS) -Wl,-Map=$$(@:.elf=.map) -o $$@ \
		$$(filter %.o,$$^) $$(GUEST_ARM64_LIBS)

-include $(wildcard $(1)/obj/*.d $(1)/obj/payload/*.d $(1)/obj/lib/*.d)
endef

$(eval $(call guest_arm64_variant,$(GUEST_ARM64_OUT),,))
$(eval $(call guest_arm64_variant,$(GUEST_ARM64_BARE_OUT),$(GUEST_RT_ARM64_BARE_SRCS),-DGUEST_BARE))

GUEST_ARM64_ELFS := $(patsubst %,$(GUEST_ARM64_OUT)/%.elf,$(GUEST_ARM64_PAYLOADS))
GUEST_ARM64_BARE_ELFS := $(patsubst %,$(GUEST_ARM64_BARE_OUT)/%.elf,$(GUEST_ARM64_PAYLOADS))

# Pattern-built objects would count as intermediate and be deleted.
.SECONDARY: $(foreach d,$(GUEST_ARM64_OUT) $(GUEST_ARM64_BARE_OUT), \
	$(patsubst %,$(d)/obj/payload/%.o,$(GUEST_ARM64_PAYLOADS)) \
	$(patsubst %,$(d)/obj/%.o,$(basename $(GUEST_RT_ARM64_SRCS) $(GUEST_RT_ARM64_BARE_SRCS))) \
	$(d)/obj/lib/newlib_syscalls.o)

.PHONY: arm64-guests arm64-guests-bare arm64-guests-bare-run

arm64-guests: $(GUEST_ARM64_ELFS)

arm64-guests-bare: $(GUEST_ARM64_BARE_ELFS)

# Plain QEMU: no virtualization=on, so the payload starts at EL1 and PSCI
# is QEMU's own over HVC.  -m 512M makes QEMU's RAM the memslot, so that an
# access past it aborts as it does under the hypervisor (hostile.c).  QEMU
# exits 0 on SYSTEM_OFF: the status is the runtime's "guest: exit status N"
# line.
# gdbdemo's verdict is set only by a debugger (tools/gdb-test.sh), spin never ends (only
# the hypervisor's time limit does), heartbeat is a neighbour for the GDB flood test,
# regleak needs a second VM on its CPU: not run bare.
GUEST_ARM64_BARE_RUN := $(filter-out %/gdbdemo.elf %/spin.elf %/heartbeat.elf %/regleak.elf,$\
	$(GUEST_ARM64_BARE_ELFS))

arm64-guests-bare-run: $(GUEST_ARM64_BARE_RUN)
	@fail=0; for elf in $^; do \
		echo "== $$elf"; \
		timeout $(GUEST_ARM64_BARE_TIMEOUT) qemu-system-aarch64 -M virt,gic-version=3 -cpu max -smp 2 \
			-m 512M -nographic -no-reboot -kernel $$elf </dev/null | tee $${elf%.elf}.log; \
		grep -q '^guest: exit status 0' $${elf%.elf}.log || fail=1; \
	done; exit $$fail

.DEFAULT_GOAL := $(guest_arm64_saved_goal)
