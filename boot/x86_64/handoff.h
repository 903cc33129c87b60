/* SPDX-License-Identifier: MIT */
/*
 * The contract between the UEFI stub (boot/x86_64/efi_main.c, built with
 * gnu-efi as a position-independent PE32+ application) and the hypervisor
 * image it carries (a static ELF linked at a fixed identity address by
 * linker/x86_64-hyp.ld, built against newlib like the arm64 image).
 *
 * The image starts with struct x86_image_header (boot/x86_64/entry.S).  The
 * stub reserves [load_addr, load_addr + image_size) from UEFI, copies the
 * load_size bytes of the file there, exits boot services and calls entry in
 * 64-bit mode, on UEFI's identity map, with interrupts off and %rdi pointing
 * at struct x86_handoff.
 *
 * Plain integers only: both sides include this file, and the stub is built
 * without newlib or mmu/.  Usable from assembly (constants only).
 */
#ifndef BOOT_X86_64_HANDOFF_H
#define BOOT_X86_64_HANDOFF_H

/* "HYPX8664", little-endian: the first 8 bytes of the image. */
#define X86_IMAGE_MAGIC	  0x3436363858505948ULL
#define X86_IMAGE_VERSION 1
/* "HANDOFF!" */
#define X86_HANDOFF_MAGIC 0x2146464f444e4148ULL

/* Bytes of the command line the stub copies from the UEFI load options. */
#define X86_CMDLINE_MAX 1024
/*
 * What a command line too long to hold becomes: never a silently cut one
 * (a run list cut short would run fewer VMs and still pass); kvm/ refuses
 * this payload name loudly.
 */
#define X86_CMDLINE_TOO_LONG "run=boot-arguments-too-long"

#ifndef __ASSEMBLER__

#include <stdint.h>

struct x86_image_header {
	uint64_t magic;	     /* X86_IMAGE_MAGIC */
	uint64_t version;    /* X86_IMAGE_VERSION */
	uint64_t load_addr;  /* physical = virtual address of this header */
	uint64_t load_size;  /* bytes the file holds from load_addr */
	uint64_t image_size; /* bytes to reserve: file + .bss + stacks + heap */
	uint64_t entry;	     /* 64-bit entry point (absolute) */
};

/*
 * What the stub learned from UEFI.  Lives in memory of type EfiLoaderData,
 * which the hypervisor never counts as free, so it stays valid for as long
 * as anyone wants to read it.
 */
struct x86_handoff {
	uint64_t magic; /* X86_HANDOFF_MAGIC */
	/* The final memory map (the one ExitBootServices() accepted). */
	uint64_t memmap;      /* physical address of the first descriptor */
	uint64_t memmap_size; /* bytes */
	uint64_t desc_size;   /* stride between descriptors (UEFI 2.10, 7.2 GetMemoryMap) */
	uint32_t desc_version;
	uint32_t exit_tries; /* ExitBootServices() calls it took */
	uint64_t rsdp;	     /* ACPI RSDP from the configuration table, 0 if none */
	uint64_t trampoline; /* one 4 KiB page below 1 MiB for the AP start-up code */
	uint64_t stub_base;  /* where UEFI loaded the stub itself (EfiLoaderCode) */
	uint64_t stub_size;
	char cmdline[X86_CMDLINE_MAX]; /* load options as ASCII, NUL-terminated */
};

/*
 * UEFI memory descriptor (UEFI 2.10, 7.2 EFI_MEMORY_DESCRIPTOR), as the
 * hypervisor reads it without gnu-efi's headers.  Walk with desc_size, never
 * sizeof: firmware may append fields.
 */
struct x86_efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t nr_pages; /* 4 KiB pages */
	uint64_t attribute;
};

/* EFI_MEMORY_TYPE values (UEFI 2.10, 7.2 Table 7-6). */
enum {
	X86_EFI_RESERVED = 0,
	X86_EFI_LOADER_CODE = 1,
	X86_EFI_LOADER_DATA = 2,
	X86_EFI_BS_CODE = 3,
	X86_EFI_BS_DATA = 4,
	X86_EFI_RT_CODE = 5,
	X86_EFI_RT_DATA = 6,
	X86_EFI_CONVENTIONAL = 7,
	X86_EFI_UNUSABLE = 8,
	X86_EFI_ACPI_RECLAIM = 9,
	X86_EFI_ACPI_NVS = 10,
	X86_EFI_MMIO = 11,
	X86_EFI_MMIO_PORT = 12,
	X86_EFI_PAL_CODE = 13,
	X86_EFI_PERSISTENT = 14,
	X86_EFI_NR_TYPES
};

#endif /* !__ASSEMBLER__ */

#endif
