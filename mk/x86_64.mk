# SPDX-License-Identifier: MIT
#
# The x86-64 hypervisor: a UEFI application.  The top-level Makefile may
# include this file; it also works on its own, run from the top of the tree:
#
#   make -f mk/x86_64.mk x86_64-hyp        build/x86_64/BOOTX64.EFI and the ESP
#                                          directory build/x86_64/esp/EFI/BOOT/
#   make -f mk/x86_64.mk x86_64-hyp-run    boot it under OVMF (tools/qemu-run.sh --arch x86_64)
#   make -f mk/x86_64.mk x86_64-newlib     only newlib (tools/build-newlib.sh)
#   make -f mk/x86_64.mk x86_64-clean      remove build/x86_64 (newlib stays cached)
#
# Two links: hyp.elf, a static image against newlib linked at a fixed
# identity address (linker/x86_64-hyp.ld), like the arm64 image; and the
# UEFI stub (boot/x86_64/efi_main.c, gnu-efi, position independent), which
# carries hyp.bin, puts it in place and jumps to it after ExitBootServices().
#
# To grow the hypervisor, add sources (C or .S, paths from the top of the
# tree) and name the file that defines hyp_main()/hyp_secondary_main():
#
#   X86_HYP_SRCS += mmu/pgtable.c kvm/vm.c ...
#   X86_HYP_MAIN := kvm/runner/main.c
#
# X86_TARGET_CFLAGS is what any C built against our newlib for bare-metal
# x86-64 needs (guest payloads too); X86_CFLAGS adds warnings and includes.

# Keep the includer's default goal: this file's first rule must not become it.
x86_64_saved_goal := $(.DEFAULT_GOAL)

X86_CC ?= gcc
X86_OBJCOPY ?= objcopy
X86_LD ?= ld
X86_OUT ?= build/x86_64
X86_NEWLIB ?= build/newlib/x86_64-none-elf
X86_NEWLIB_STAMP := $(X86_NEWLIB)/.stamp
X86_RUN_TIMEOUT ?= 60
X86_SMP ?= 2
X86_MEM ?= 1G

# cc-flags (written by tools/build-newlib.sh): -nostdinc + gcc's headers +
# newlib's, Linux macros undefined, -fno-pic -fno-pie, no stack protector,
# -mno-red-zone (interrupts push onto the current stack).  Added here:
# -mcmodel=small (the default, said out loud: linked below 2 GiB, see
# linker/x86_64-hyp.ld), no unwind tables (nothing unwinds).
X86_TARGET_CFLAGS = $(shell cat $(X86_NEWLIB)/cc-flags) -mcmodel=small \
	-ffunction-sections -fdata-sections -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables
X86_CFLAGS = $(X86_TARGET_CFLAGS) -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-I. -Immu -Iarch/x86_64 -MMD -MP
X86_ASFLAGS = $(X86_TARGET_CFLAGS) -g -Wall -Werror -I. -Iarch/x86_64 -MMD -MP
X86_LDFLAGS = -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,-z,norelro -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T linker/x86_64-hyp.ld
X86_LIBS = -L$(X86_NEWLIB)/lib -Wl,--start-group -lc -lm -lgcc -Wl,--end-group

X86_HYP_MAIN ?= arch/x86_64/boot_demo.c
X86_HYP_SRCS += \
	boot/x86_64/entry.S \
	boot/x86_64/trampoline.S \
	arch/x86_64/vectors.S \
	arch/x86_64/acpi.c \
	arch/x86_64/boot.c \
	arch/x86_64/console.c \
	arch/x86_64/desc.c \
	arch/x86_64/exceptions.c \
	arch/x86_64/lapic.c \
	arch/x86_64/locks.c \
	arch/x86_64/memmap.c \
	arch/x86_64/paging.c \
	arch/x86_64/smp.c \
	arch/x86_64/syscalls.c \
	lib/newlib_locks.c \
	lib/newlib_syscalls.c \
	arch/x86_64/uart16550.c \
	arch/x86_64/virt.c

X86_EXTRA_SRCS ?=
X86_HYP_SRCS += $(X86_EXTRA_SRCS)

X86_HYP_OBJS = $(patsubst %,$(X86_OUT)/obj/%.o,$(sort $(basename $(X86_HYP_SRCS) \
	$(X86_HYP_MAIN))))

# The UEFI stub: Debian's gnu-efi 3.0.15.  -fpic and a -shared -Bsymbolic
# link against gnu-efi's linker script; crt0 applies the relocations
# (_relocate) before efi_main.  -fshort-wchar for UCS-2 strings;
# GNU_EFI_USE_MS_ABI so firmware calls use gcc's ms_abi, no call wrapper.
EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fpic -fshort-wchar \
	-mno-red-zone -fno-stack-protector -fno-strict-aliasing -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -DGNU_EFI_USE_MS_ABI \
	-I$(EFI_INC) -I$(EFI_INC)/x86_64 -I. -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds -shared -Bsymbolic \
	--no-undefined --no-warn-rwx-segments -L$(EFI_LIB)
EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
	-j '.rel.*' -j '.rela.*' -j .reloc

X86_ESP := $(X86_OUT)/esp
X86_EFI := $(X86_OUT)/BOOTX64.EFI

.PHONY: x86_64-hyp x86_64-hyp-run x86_64-newlib x86_64-clean x86_64-deps

x86_64-hyp: $(X86_ESP)/EFI/BOOT/BOOTX64.EFI

x86_64-hyp-run: $(X86_ESP)/EFI/BOOT/BOOTX64.EFI
	tools/qemu-run.sh --arch x86_64 --smp $(X86_SMP) --mem $(X86_MEM) $(X86_ESP) \
		$(X86_RUN_TIMEOUT)

x86_64-newlib: $(X86_NEWLIB_STAMP)

x86_64-deps:
	@tools/deps.sh host x86_64

x86_64-clean:
	rm -rf $(X86_OUT)

# The script is its own cache (a no-op when the stamp matches).
$(X86_NEWLIB_STAMP): tools/build-newlib.sh
	tools/build-newlib.sh x86_64-none-elf $(X86_NEWLIB)
	touch $@

$(X86_OUT)/obj/%.o: %.c | $(X86_NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(X86_CC) $(X86_CFLAGS) -c $< -o $@

$(X86_OUT)/obj/%.o: %.S | $(X86_NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(X86_CC) $(X86_ASFLAGS) -c $< -o $@

$(X86_OUT)/hyp.elf: $(X86_HYP_OBJS) linker/x86_64-hyp.ld $(X86_NEWLIB_STAMP)
	$(X86_CC) $(X86_LDFLAGS) -Wl,-Map=$(X86_OUT)/hyp.map -o $@ $(X86_HYP_OBJS) $(X86_LIBS)

# The loadable bytes from the image header on; .bss, stacks and heap are NOLOAD.
$(X86_OUT)/hyp.bin: $(X86_OUT)/hyp.elf
	$(X86_OBJCOPY) -O binary $< $@

$(X86_OUT)/efi/efi_main.o: boot/x86_64/efi_main.c boot/x86_64/handoff.h
	@mkdir -p $(@D)
	$(X86_CC) $(EFI_CFLAGS) -c $< -o $@

$(X86_OUT)/efi/payload.o: boot/x86_64/payload.S $(X86_OUT)/hyp.bin
	@mkdir -p $(@D)
	$(X86_CC) -c -DHYP_PAYLOAD='"$(X86_OUT)/hyp.bin"' $< -o $@

# gnu-efi's _relocate handles R_X86_64_RELATIVE only: refuse anything else.
$(X86_OUT)/efi/stub.so: $(X86_OUT)/efi/efi_main.o $(X86_OUT)/efi/payload.o
	$(X86_LD) $(EFI_LDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $^ -lgnuefi -o $@
	@if readelf -rW $@ | awk '/^ *[0-9a-f]+ +[0-9a-f]+ R_/ && $$3 != "R_X86_64_RELATIVE"' | \
		grep .; then echo "$@: relocations gnu-efi cannot apply" >&2; rm -f $@; exit 1; fi

$(X86_EFI): $(X86_OUT)/efi/stub.so
	$(X86_OBJCOPY) $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@

# The EFI system partition as a directory: QEMU's fat: drive serves it.
$(X86_ESP)/EFI/BOOT/BOOTX64.EFI: $(X86_EFI)
	@mkdir -p $(@D)
	cp $< $@

-include $(X86_HYP_OBJS:.o=.d) $(X86_OUT)/efi/efi_main.d

.DEFAULT_GOAL := $(x86_64_saved_goal)
