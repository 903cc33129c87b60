// SPDX-License-Identifier: MIT
/*
 * Just enough PCI to find one device on QEMU virt's PCIe host bridge: the
 * ECAM configuration space and the bridge's windows come from the DTB node
 * "pci-host-ecam-generic" (Linux's binding
 * Documentation/devicetree/bindings/pci/host-generic-pci.yaml: "reg" is the
 * ECAM region, "ranges" maps PCI I/O and 32/64-bit memory space into the
 * CPU's).  Nobody has enumerated the bus before us (no firmware), so we size
 * and place BAR0 ourselves and turn decoding on.
 *
 * ECAM: function (bus, dev, fn) has 4 KiB of configuration space at
 * base + (bus << 20 | dev << 15 | fn << 12) (PCI Express Base Specification,
 * 7.2.2 "PCI Express Enhanced Configuration Access Mechanism").  Header
 * layout: PCI Local Bus Specification 3.0, 6.1 "Configuration Space
 * Organization" and 6.2.5 "Base Addresses" (sizing by writing all ones).
 */
#include <stdio.h>

#include "arch_priv.h"
#include "fdt.h"
#include "mmio.h"
#include "pci.h"
#include "platform.h"
#include "sysreg.h"

#define PCI_VENDOR_ID 0x00
#define PCI_COMMAND   0x04
#define PCI_CLASS_REV 0x08
#define PCI_BAR0      0x10

#define PCI_COMMAND_IO	   BIT(0)
#define PCI_COMMAND_MEMORY BIT(1)
#define PCI_BAR_IO	   BIT(0)

/* "ranges" phys.hi space code, bits 25:24 (IEEE 1275 PCI bus binding, 2.2.1.1). */
#define PCI_SPACE_SHIFT 24
#define PCI_SPACE_IO	1
#define PCI_SPACE_MEM32 2

#define ECAM_DEVS      32
#define ECAM_FN_SHIFT  12
#define ECAM_DEV_SHIFT 15

/* Keep BARs away from PCI address 0: some devices and drivers treat 0 as "unassigned". */
#define PCI_ALLOC_START 0x1000

struct pci_window {
	u64 pci, cpu, size;
};

struct pci_host {
	u64 ecam, ecam_size;
	struct pci_window io, mem32;
	bool found;
};

static u32 be32_at(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static u64 cells_at(const u8 *p, u32 n)
{
	u64 v = 0;

	while (n--) {
		v = v << 32 | be32_at(p);
		p += 4;
	}
	return v;
}

static int find_host(const struct fdt_node *n, void *arg)
{
	struct pci_host *h = arg;
	u32 len, pa = n->addr_cells, ca = n->child_addr_cells, cs = n->child_size_cells;
	const u8 *r;
	u32 entry, off;

	if (!fdt_is_compatible(n, "pci-host-ecam-generic") || !fdt_is_enabled(n))
		return 0;
	if (!fdt_reg(n, 0, &h->ecam, &h->ecam_size))
		return 0;
	r = fdt_getprop(n, "ranges", &len);
	/* PCI addresses are 3 cells (phys.hi, phys.mid, phys.lo); sizes up to 2. */
	if (!r || ca != 3 || pa < 1 || pa > 2 || cs < 1 || cs > 2)
		return 0;
	entry = (ca + pa + cs) * 4;
	for (off = 0; off + entry <= len; off += entry) {
		const u8 *e = r + off;
		unsigned int space = (be32_at(e) >> PCI_SPACE_SHIFT) & 3;
		struct pci_window w = {
			.pci = cells_at(e + 4, 2),
			.cpu = cells_at(e + ca * 4, pa),
			.size = cells_at(e + (ca + pa) * 4, cs),
		};

		if (space == PCI_SPACE_IO && !h->io.size)
			h->io = w;
		else if (space == PCI_SPACE_MEM32 && !h->mem32.size)
			h->mem32 = w;
	}
	h->found = true;
	return 1;
}

/*
 * The EL2 identity map has GiB 0 as Device memory (boot/arm64/entry.S);
 * QEMU's "highmem" ECAM lives at 256 GiB.  Make its GiB a Device block:
 * an invalid level 1 entry becoming valid needs no TLB maintenance (Arm
 * ARM D8 "Translation Lookaside Buffers": invalid entries are never cached).
 */
static bool map_device_gib(u64 base, u64 size)
{
	extern u64 el2_l1_table[512];
	u64 gib;

	for (gib = base >> EL2_L1_SHIFT; gib <= (base + size - 1) >> EL2_L1_SHIFT; gib++) {
		u64 e;

		if (gib >= 512)
			return false;
		e = READ_ONCE(el2_l1_table[gib]);
		if (!e) {
			WRITE_ONCE(el2_l1_table[gib], (gib << EL2_L1_SHIFT) | PTE_EL2_DEVICE_BLOCK);
			continue;
		}
		/* Only a Device block will do: Normal memory would let accesses merge or speculate. */
		if ((e & PTE_TYPE_MASK) != PTE_BLOCK || ((e >> 2) & 7) != MT_DEVICE_nGnRE)
			return false;
	}
	dsb(ishst);
	isb();
	return true;
}

static u64 cfg_addr(const struct pci_host *h, unsigned int dev, unsigned int reg)
{
	return h->ecam + ((u64)dev << ECAM_DEV_SHIFT | 0 << ECAM_FN_SHIFT | reg);
}

/* Place BAR0 of bus 0 device @dev in the window its type asks for. */
static bool assign_bar0(const struct pci_host *h, unsigned int dev, struct pci_bar *out)
{
	u64 bar = cfg_addr(h, dev, PCI_BAR0);
	u32 orig = mmio_read32(bar), mask, size;
	const struct pci_window *w;
	bool io = orig & PCI_BAR_IO;
	u64 pci;

	mmio_write32(bar, ~0u);
	mask = mmio_read32(bar);
	mask &= io ? ~3u : ~15u;
	if (io)
		mask |= 0xffff0000u; /* I/O BARs may implement only 16 bits */
	size = ~mask + 1;
	w = io ? &h->io : &h->mem32;
	if (!mask || !w->size || size > w->size) {
		mmio_write32(bar, orig);
		return false;
	}
	pci = (w->pci + PCI_ALLOC_START + size - 1) & ~((u64)size - 1);
	if (pci + size > w->pci + w->size) {
		mmio_write32(bar, orig);
		return false;
	}
	mmio_write32(bar, (u32)pci);
	mmio_write32(cfg_addr(h, dev, PCI_COMMAND),
		     (mmio_read32(cfg_addr(h, dev, PCI_COMMAND)) & 0xffff) |
			     (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY));
	out->cpu = w->cpu + (pci - w->pci);
	out->size = size;
	out->io = io;
	return true;
}

int pci_find_device(u32 class_prog, u32 class_mask, struct pci_bar *bar0)
{
	struct pci_host h = { 0 };
	unsigned int dev;

	if (!boot_info.dtb_pa ||
	    fdt_for_each_node((const void *)boot_info.dtb_pa, find_host, &h) < 0 || !h.found)
		return -1;
	if (!map_device_gib(h.ecam, h.ecam_size)) {
		printf("pci: ECAM at %#llx cannot be mapped\n", (unsigned long long)h.ecam);
		return -1;
	}
	/* Bus 0 only: QEMU virt puts -device ... without a bus= there. */
	for (dev = 0; dev < ECAM_DEVS; dev++) {
		u32 id = mmio_read32(cfg_addr(&h, dev, PCI_VENDOR_ID));
		u32 cls = mmio_read32(cfg_addr(&h, dev, PCI_CLASS_REV)) >> 8;

		if ((id & 0xffff) == 0xffff || (cls & class_mask) != class_prog)
			continue;
		if (assign_bar0(&h, dev, bar0))
			return (int)dev;
		printf("pci: 00:%02x.0 (%04x:%04x): BAR0 does not fit the bridge's windows\n", dev,
		       id & 0xffff, id >> 16);
	}
	return -1;
}
