/* SPDX-License-Identifier: MIT */
/* The host bridge of QEMU virt, just enough to find one device (pci.c). */
#ifndef ARCH_ARM64_PCI_H
#define ARCH_ARM64_PCI_H

#include "mmu/types.h"

/* Where a BAR ended up, as the CPU reaches it (I/O space too is memory-mapped on arm64). */
struct pci_bar {
	u64 cpu, size;
	bool io;
};

/*
 * The first device on bus 0 whose class code (base class, subclass,
 * programming interface: config offset 0x09..0x0b) matches @class_prog
 * under @class_mask; its BAR0 is assigned and decoding enabled.  Its device
 * number, or -1 (no host bridge in the DTB, no such device, no room).
 * Boot CPU, once.
 */
int pci_find_device(u32 class_prog, u32 class_mask, struct pci_bar *bar0);

#endif
