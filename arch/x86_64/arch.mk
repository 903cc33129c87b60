# SPDX-License-Identifier: MIT
# What the x86-64 build has of its own (the top Makefile does the rest): the host gcc
# against our newlib, the UEFI stub that carries the image, the QEMU command line.

TRIPLE_x86_64 := x86_64-none-elf
CC_x86_64 := gcc
OBJCOPY_x86_64 := objcopy
# cc-flags (tools/build-newlib.sh): -nostdinc, -fno-pic -fno-pie, no stack protector,
# -mno-red-zone (interrupts push onto the current stack).  -mcmodel=small said out loud:
# linked below 2 GiB (linker/x86_64-hyp.ld); no unwind tables (nothing unwinds).
TARGET_CFLAGS_x86_64 = $(shell cat $(NEWLIB_x86_64)/cc-flags) -mcmodel=small \
	-ffunction-sections -fdata-sections -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables
LDFLAGS_x86_64 := -Wl,-z,noexecstack
BOOT_SRCS_x86_64 := boot/x86_64/entry.S boot/x86_64/trampoline.S

# arm64 only: the GICv3 payload.
GUEST_SKIP_x86_64 := vgic
GUEST_VARIANTS_x86_64 := guest

# The UEFI stub (boot/x86_64/efi_main.c, Debian's gnu-efi): -fpic and a -shared
# -Bsymbolic link against gnu-efi's script, crt0 applies the relocations before
# efi_main; -fshort-wchar for UCS-2; GNU_EFI_USE_MS_ABI: firmware calls use ms_abi.
# It carries hyp.bin, puts it in place and jumps to it after ExitBootServices().
EFI_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fpic -fshort-wchar \
	-mno-red-zone -fno-stack-protector -fno-strict-aliasing -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -DGNU_EFI_USE_MS_ABI \
	-I/usr/include/efi -I/usr/include/efi/x86_64 -I. -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -T /usr/lib/elf_x86_64_efi.lds -shared -Bsymbolic \
	--no-undefined --no-warn-rwx-segments -L/usr/lib
EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
	-j '.rel.*' -j '.rela.*' -j .reloc

# What QEMU boots: the EFI system partition as a directory (QEMU's fat: drive).
boot_file_x86_64 = $(1)/esp/EFI/BOOT/BOOTX64.EFI
# gnu-efi's _relocate handles R_X86_64_RELATIVE only: anything else is refused.
define image_tail_x86_64
$(1)/hyp.bin: $(1)/hyp.elf
	objcopy -O binary $$< $$@
$(1)/efi/efi_main.o: boot/x86_64/efi_main.c boot/x86_64/handoff.h
	@mkdir -p $$(@D)
	gcc $(EFI_CFLAGS) -c $$< -o $$@
$(1)/efi/payload.o: boot/x86_64/payload.S $(1)/hyp.bin
	@mkdir -p $$(@D)
	gcc -c -DHYP_PAYLOAD='"$(1)/hyp.bin"' $$< -o $$@
$(1)/efi/stub.so: $(1)/efi/efi_main.o $(1)/efi/payload.o
	ld $(EFI_LDFLAGS) /usr/lib/crt0-efi-x86_64.o $$^ -lgnuefi -o $$@
	@if readelf -rW $$@ | awk '/^ *[0-9a-f]+ +[0-9a-f]+ R_/ && $$$$3 != "R_X86_64_RELATIVE"' | \
		grep .; then echo "$$@: relocations gnu-efi cannot apply" >&2; rm -f $$@; exit 1; fi
$(1)/esp/EFI/BOOT/BOOTX64.EFI: $(1)/efi/stub.so
	@mkdir -p $$(@D)
	objcopy $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $$< $(1)/BOOTX64.EFI
	cp $(1)/BOOTX64.EFI $$@
endef

# Under OVMF (q35) with QEMU CPU model KVM_CPU: max has SVM with nested paging, qemu64
# SVM without it (the shadow MMU).  The removable-media boot has no load options: run=
# reaches arch_boot_args() through the fw_cfg file opt/hyp/cmdline, commas doubled;
# empty RUN runs RUN_x86_64 (kvm's default minus what x86 lacks).  GDB: COM2 at 0x2f8.
comma := ,
QEMU_x86_64 = tools/qemu-run.sh --arch x86_64 --cpu $(KVM_CPU)
qemu_run_x86_64 = -- -fw_cfg 'name=opt/hyp/cmdline$(comma)string=run=$(subst $(comma),$(comma)$(comma),$(or $(1),$(RUN_x86_64)))'
QEMU_GDB_x86_64 = -device isa-serial,chardev=gdb,iobase=0x2f8,irq=3
