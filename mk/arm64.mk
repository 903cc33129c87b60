# SPDX-License-Identifier: MIT
#
# The arm64 hypervisor image.  The top-level Makefile includes this file; it
# also works on its own, run from the top of the tree:
#
#   make -f mk/arm64.mk arm64-hyp        build/arm64/hyp.elf and hyp.bin (Image)
#   make -f mk/arm64.mk arm64-hyp-run    boot it: tools/qemu-run.sh hyp.bin 30
#   make -f mk/arm64.mk arm64-newlib     only newlib (tools/build-newlib.sh)
#   make -f mk/arm64.mk arm64-clean      remove build/arm64 (newlib stays cached)
#   make -f mk/arm64.mk arm64-arch-smoke      build/arm64/smoke/hyp.bin: the arch smoke test
#   make -f mk/arm64.mk arm64-arch-smoke-run  boot it (tests/arch-arm64/arch_smoke.c)
#
# To grow the hypervisor, add sources (C or .S, paths from the top of the
# tree) and name the file that defines hyp_main()/hyp_secondary_main():
#
#   ARM64_HYP_SRCS += mmu/pgtable.c kvm/vm.c ...
#   ARM64_HYP_MAIN := kvm/runner/main.c
#
# ARM64_TARGET_CFLAGS is what any C built against our newlib for bare-metal
# arm64 needs (guest payloads too); ARM64_CFLAGS adds warnings and includes.

# Keep the includer's default goal: this file's first rule must not become it.
arm64_saved_goal := $(.DEFAULT_GOAL)

ARM64_CROSS ?= aarch64-linux-gnu-
ARM64_CC := $(ARM64_CROSS)gcc
ARM64_OBJCOPY := $(ARM64_CROSS)objcopy
ARM64_OUT ?= build/arm64
ARM64_NEWLIB ?= build/newlib/aarch64-none-elf
ARM64_NEWLIB_STAMP := $(ARM64_NEWLIB)/.stamp
ARM64_RUN_TIMEOUT ?= 30

# cc-flags (written by tools/build-newlib.sh) holds the include path and the
# ABI-relevant flags newlib was built with: -nostdinc + gcc's own headers +
# newlib's, Linux macros undefined, no PIC, no stack protector, armv8-a,
# inline atomics.  Recursive (=): the file exists only once newlib is built.
ARM64_TARGET_CFLAGS = $(shell cat $(ARM64_NEWLIB)/cc-flags) \
	-ffunction-sections -fdata-sections -fno-omit-frame-pointer
ARM64_CFLAGS = $(ARM64_TARGET_CFLAGS) -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-I. -Immu -Iarch/arm64 -MMD -MP
ARM64_ASFLAGS = $(ARM64_TARGET_CFLAGS) -g -Wall -Werror -I. -MMD -MP
ARM64_LDFLAGS = -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,-z,norelro -Wl,--no-warn-rwx-segments -T linker/arm64-hyp.ld
ARM64_LIBS = -L$(ARM64_NEWLIB)/lib -Wl,--start-group -lc -lm -lgcc -Wl,--end-group

ARM64_HYP_MAIN ?= arch/arm64/boot_demo.c
ARM64_HYP_SRCS += \
	boot/arm64/entry.S \
	arch/arm64/vectors.S \
	arch/arm64/boot.c \
	arch/arm64/console.c \
	arch/arm64/debug.c \
	arch/arm64/el2_mmu.c \
	arch/arm64/exceptions.c \
	arch/arm64/fdt.c \
	arch/arm64/locks.c \
	arch/arm64/pci.c \
	arch/arm64/pl011.c \
	arch/arm64/psci.c \
	arch/arm64/smp.c \
	arch/arm64/syscalls.c \
	lib/newlib_locks.c \
	lib/newlib_syscalls.c \
	arch/arm64/sysreg_names.c \
	arch/arm64/gic.c \
	arch/arm64/id_regs.c \
	arch/arm64/el1_regs.c \
	arch/arm64/sysreg_trap.c \
	arch/arm64/guest_entry.S \
	arch/arm64/kvm_weak.c \
	arch/arm64/stage2.c \
	arch/arm64/thread.S \
	arch/arm64/timer.c \
	arch/arm64/uart16550.c \
	arch/arm64/vcpu.c \
	arch/arm64/vgic_hw.c \
	mmu/pte_arm64.c

# sort: a source named twice (an includer adding mmu/ files we already list) links once.
# Added to ARM64_HYP_SRCS even when ARM64_HYP_SRCS is given on the command line.
ARM64_EXTRA_SRCS ?=
ARM64_HYP_SRCS += $(ARM64_EXTRA_SRCS)

ARM64_HYP_OBJS = $(patsubst %,$(ARM64_OUT)/obj/%.o,$(sort $(basename $(ARM64_HYP_SRCS) \
	$(ARM64_HYP_MAIN))))

.PHONY: arm64-hyp arm64-hyp-run arm64-newlib arm64-clean arm64-arch-smoke arm64-arch-smoke-run

# The arch smoke test: its own image (own hyp_main) with the walker, built by
# a sub-make so that nothing an includer added (kvm/) comes along.
ARM64_SMOKE_OUT := build/arm64/smoke
ARM64_SMOKE_TIMEOUT ?= 60
ARM64_SMOKE_SRCS := mmu/page_pool.c mmu/pgtable.c mmu/pgtable_walk.c mmu/rcu.c \
	tests/arch-arm64/guest_blob.S tests/arch-arm64/smoke_asm.S

arm64-arch-smoke: $(ARM64_NEWLIB_STAMP)
	$(MAKE) -f mk/arm64.mk ARM64_OUT=$(ARM64_SMOKE_OUT) \
		ARM64_HYP_MAIN=tests/arch-arm64/arch_smoke.c \
		ARM64_EXTRA_SRCS="$(ARM64_SMOKE_SRCS)" arm64-hyp

arm64-arch-smoke-run: arm64-arch-smoke
	tools/qemu-run.sh $(ARM64_SMOKE_OUT)/hyp.bin $(ARM64_SMOKE_TIMEOUT)

arm64-hyp: $(ARM64_OUT)/hyp.bin

arm64-hyp-run: $(ARM64_OUT)/hyp.bin
	tools/qemu-run.sh $< $(ARM64_RUN_TIMEOUT)

arm64-newlib: $(ARM64_NEWLIB_STAMP)

arm64-clean:
	rm -rf $(ARM64_OUT)

# The script is its own cache (a no-op when the stamp matches); touch so that
# make does not ask again after an edit that did not change the result.
$(ARM64_NEWLIB_STAMP): tools/build-newlib.sh
	tools/build-newlib.sh aarch64-none-elf $(ARM64_NEWLIB)
	touch $@

$(ARM64_OUT)/obj/%.o: %.c | $(ARM64_NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(ARM64_CC) $(ARM64_CFLAGS) -c $< -o $@

$(ARM64_OUT)/obj/%.o: %.S | $(ARM64_NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(ARM64_CC) $(ARM64_ASFLAGS) -c $< -o $@

$(ARM64_OUT)/hyp.elf: $(ARM64_HYP_OBJS) linker/arm64-hyp.ld $(ARM64_NEWLIB_STAMP)
	$(ARM64_CC) $(ARM64_LDFLAGS) -Wl,-Map=$(ARM64_OUT)/hyp.map -o $@ $(ARM64_HYP_OBJS) \
		$(ARM64_LIBS)

# The Image: the loadable bytes from the header on; .bss and the heap are NOLOAD.
$(ARM64_OUT)/hyp.bin: $(ARM64_OUT)/hyp.elf
	$(ARM64_OBJCOPY) -O binary $< $@

-include $(ARM64_HYP_OBJS:.o=.d)

.DEFAULT_GOAL := $(arm64_saved_goal)
