/* SPDX-License-Identifier: MIT */
/*
 * Booting a guest image a user brings, the way QEMU's -kernel boots it on
 * arm64: an arm64 Image (Documentation/arm64/booting.rst), an ELF64, or a
 * raw binary; an optional initrd; a generated device tree (fdt_gen.h).
 */
#ifndef KVM_GUEST_IMAGE_H
#define KVM_GUEST_IMAGE_H

#include "mmu/types.h"

struct vm;

/* What to boot: the blobs are read in place (host memory the hypervisor reaches). */
struct guest_boot {
	const u8 *kernel;
	u64 kernel_size;
	const u8 *initrd; /* NULL: none */
	u64 initrd_size;
	const char *cmdline; /* the guest's /chosen/bootargs */
};

enum guest_image_kind {
	GUEST_IMAGE_ARM64, /* arm64 Image: header honoured */
	GUEST_IMAGE_ELF,   /* ELF64: kvm/loader.c */
	GUEST_IMAGE_RAW,   /* anything else: at RAM base + 0x80000 */
};

/* Where everything goes in a guest's RAM [ram_base, ram_base + ram_size). */
struct guest_layout {
	enum guest_image_kind kind;
	u64 kernel_load; /* first byte of the file copied here (not for ELF) */
	u64 kernel_end;	 /* end of what the kernel may use (Image: + image_size) */
	u64 entry;
	u64 initrd_start, initrd_end; /* equal when there is none */
	u64 dtb;		      /* 2 MiB aligned, at the top of RAM */
};

/*
 * Decide where everything goes, checking the kernel's headers (ELF: only
 * that it looks like one; loader.c checks the rest when loading).  0, or
 * -ENOEXEC (not bootable: empty, truncated, compressed, big-endian, ...) or
 * -ENOSPC (does not fit in the RAM) with *why saying what is wrong.
 */
int guest_image_layout(const struct guest_boot *b, u64 ram_base, u64 ram_size,
		       struct guest_layout *l, const char **why);

/*
 * Load @b into @vm's memslot at VM_RAM_BASE (kernel, initrd, device tree
 * for @vm's vCPUs) and say how to enter it: *entry, and *arg for x0 (the
 * device tree's address; x1-x3 are zero from the vCPU reset).  0, or a
 * negative errno with the reason printed ("vm NAME: guest image refused:
 * ...").  Before the vCPUs run.
 */
int guest_image_load(struct vm *vm, const struct guest_boot *b, u64 *entry, u64 *arg);

/*
 * The checker against malformed and misplaced images (run= "guest_image"):
 * one PASS/FAIL line per case; returns the failures.  @elf is a good ELF
 * payload to accept.
 */
unsigned int guest_image_selftest(struct vm *vm, const void *elf, u64 elf_size,
				  unsigned int *passed);

#endif
