// SPDX-License-Identifier: MIT
/*
 * The virtual GICv3's registers: the distributor (IHI 0069 12.9 "The GIC
 * Distributor register descriptions") and each vCPU's redistributor, its
 * RD_base frame (12.10) and SGI_base frame (12.11), one MMIO access at a
 * time.  The presented GIC has one Security state (GICD_CTLR.DS = 1),
 * affinity routing always on (ARE RAO/WI), 64 SPIs, no LPIs.  Reserved and
 * unimplemented offsets read as zero and ignore writes (RES0), as do the
 * registers that ARE = 1 or DS = 1 make RAZ/WI (GICD_IGROUPR0 and the
 * other distributor copies of SGI/PPI state, ITARGETSR, SGIR, IGRPMODR,
 * NSACR).
 */
#include "vcpu.h"
#include "vgic.h"

/* Distributor offsets (IHI 0069 Table 12-25). */
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define GICD_PIDR2	0xffe8

/* GICD_CTLR, DS = 1 (12.9.4): EnableGrp0, EnableGrp1, ARE (4), DS (6). */
#define GICD_CTLR_ENABLES (BIT(0) | BIT(1))
#define GICD_CTLR_ARE	  BIT(4)
#define GICD_CTLR_DS	  BIT(6)

/*
 * GICD_TYPER (12.9.38): ITLinesNumber = INTIDs / 32 - 1; CPUNumber only
 * counts for ARE = 0 but says how many vCPUs there are; IDbits = 10 - 1
 * (INTIDs below 1024); No1N (bit 25): no 1-of-N SPI routing.
 */
#define GICD_TYPER_VAL(cpus) ((VGIC_NR_IRQS / 32 - 1) | ((cpus)-1) << 5 | 9 << 19 | BIT(25))

/*
 * GICD_IIDR / GICR_IIDR (12.9.24, 12.10.11): ProductID 0x48 ('H'),
 * Implementer 0 (no JEP106 code is ours), Variant and Revision 0.
 */
#define GIC_IIDR_VAL 0x48000000u
/* GICD_PIDR2 / GICR_PIDR2.ArchRev (bits 7:4) = 3: GICv3; bits 3:0 JEDEC as Arm's parts. */
#define GIC_PIDR2_VAL 0x3b

/* Redistributor: RD_base (Table 12-27) and SGI_base (Table 12-29) 64 KiB above it. */
#define GICR_CTLR	0x0000
#define GICR_IIDR	0x0004
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_PIDR2	0xffe8
#define GICR_SGI_BASE	0x10000
#define GICR_IGROUPR0	0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0	0x0200
#define GICR_ICPENDR0	0x0280
#define GICR_ISACTIVER0 0x0300
#define GICR_ICACTIVER0 0x0380
#define GICR_IPRIORITYR 0x0400
#define GICR_ICFGR0	0x0c00
#define GICR_ICFGR1	0x0c04

/* GICR_TYPER (12.10.33): Last (4), Processor_Number (23:8), Affinity_Value (63:32). */
#define GICR_TYPER_LAST BIT(4)
/* GICR_WAKER (12.10.35): ProcessorSleep (1), ChildrenAsleep (2) follows it at once. */
#define GICR_WAKER_PS BIT(1)
#define GICR_WAKER_CA BIT(2)

/* The registers with one bit per INTID, in their order from IGROUPR at 0x80. */
enum vgic_bitreg {
	BR_GROUP,
	BR_SENABLE,
	BR_CENABLE,
	BR_SPEND,
	BR_CPEND,
	BR_SACTIVE,
	BR_CACTIVE,
};

static u32 bits_read(struct vgic *vg, unsigned int cpu, unsigned int first, enum vgic_bitreg r)
{
	u32 val = 0;
	unsigned int i;

	for (i = 0; i < 32; i++) {
		const struct vgic_irq *irq = vgic_get_irq(vg, cpu, first + i);
		bool bit = false;

		if (!irq)
			break;
		switch (r) {
		case BR_GROUP:
			bit = irq->group1;
			break;
		case BR_SENABLE:
		case BR_CENABLE:
			bit = irq->enabled;
			break;
		case BR_SPEND:
		case BR_CPEND:
			bit = vgic_irq_pending(irq);
			break;
		case BR_SACTIVE:
		case BR_CACTIVE:
			bit = irq->active;
			break;
		}
		val |= (u32)bit << i;
	}
	return val;
}

/*
 * ISPENDR/ICPENDR set and clear the latch only: a level-sensitive
 * interrupt whose wire is high stays pending (IHI 0069 12.9.13, 12.9.8).
 */
static void bits_write(struct vgic *vg, unsigned int cpu, unsigned int first, enum vgic_bitreg r,
		       u32 val)
{
	unsigned int i;

	for (i = 0; i < 32; i++) {
		struct vgic_irq *irq = vgic_get_irq(vg, cpu, first + i);
		bool bit = val & BIT(i);

		if (!irq)
			break;
		if (r != BR_GROUP && !bit)
			continue;
		switch (r) {
		case BR_GROUP:
			irq->group1 = bit;
			break;
		case BR_SENABLE:
			irq->enabled = true;
			break;
		case BR_CENABLE:
			irq->enabled = false;
			break;
		case BR_SPEND:
			irq->latch = true;
			break;
		case BR_CPEND:
			irq->latch = false;
			break;
		case BR_SACTIVE:
			irq->active = true;
			break;
		case BR_CACTIVE:
			irq->active = false;
			break;
		}
		vgic_irq_changed(vg, first + i < VGIC_NR_PRIVATE ? cpu : irq->target, irq);
	}
}

/* IPRIORITYR: one byte per INTID (12.9.21); @size bytes, all inside one register. */
static u64 prio_read(struct vgic *vg, unsigned int cpu, unsigned int first, unsigned int size)
{
	u64 val = 0;
	unsigned int i;

	for (i = 0; i < size; i++) {
		const struct vgic_irq *irq = vgic_get_irq(vg, cpu, first + i);

		if (irq)
			val |= (u64)irq->priority << (8 * i);
	}
	return val;
}

static void prio_write(struct vgic *vg, unsigned int cpu, unsigned int first, unsigned int size,
		       u64 val)
{
	unsigned int i;

	for (i = 0; i < size; i++) {
		struct vgic_irq *irq = vgic_get_irq(vg, cpu, first + i);

		if (irq)
			irq->priority = val >> (8 * i);
	}
}

/* ICFGR: two bits per INTID, bit 1 of each = edge-triggered (12.9.9); SGIs are fixed edge. */
static u32 cfg_read(struct vgic *vg, unsigned int cpu, unsigned int first)
{
	u32 val = 0;
	unsigned int i;

	for (i = 0; i < 16; i++) {
		const struct vgic_irq *irq = vgic_get_irq(vg, cpu, first + i);

		if (irq && irq->edge)
			val |= 2u << (2 * i);
	}
	return val;
}

static void cfg_write(struct vgic *vg, unsigned int cpu, unsigned int first, u32 val)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		struct vgic_irq *irq = vgic_get_irq(vg, cpu, first + i);

		if (irq && first + i >= 16)
			irq->edge = val & (2u << (2 * i));
	}
}

/*
 * The registers common to the distributor (SPIs, @cpu unused) and the
 * SGI_base frame (@cpu's SGIs and PPIs), at the same offsets in both
 * (IHI 0069 Tables 12-25, 12-29): @off from the frame's base; INTIDs
 * outside [@lo, @hi) are RAZ/WI there.  True if @off is one of them.
 */
static bool irq_regs_access(struct vgic *vg, unsigned int cpu, u64 off, unsigned int size, u64 *val,
			    bool write, unsigned int lo, unsigned int hi)
{
	unsigned int first;

	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
		enum vgic_bitreg r = (off - GICD_IGROUPR) / 0x80;

		first = (off & 0x7f) / 4 * 32;
		if (size != 4 || first < lo || first >= hi)
			return true; /* RAZ/WI */
		if (write)
			bits_write(vg, cpu, first, r, *val);
		else
			*val = bits_read(vg, cpu, first, r);
		return true;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
		first = off - GICD_IPRIORITYR;
		/*
		 * Byte or aligned word accesses only (12.1.3, "GIC memory-mapped
		 * register access"; anything else is RAZ/WI here): they stay in
		 * one register of four INTIDs, so in [lo, hi), which are
		 * multiples of 4.  An unaligned wider one at a frame's last
		 * bytes would reach the next INTIDs: a redistributor's
		 * priorities 28..31 the VM's SPIs, GICD's last ones nothing.
		 */
		if ((size != 1 && size != 4) || (off & (size - 1)) || first < lo || first >= hi)
			return true;
		if (write)
			prio_write(vg, cpu, first, size, *val);
		else
			*val = prio_read(vg, cpu, first, size);
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
		first = (off - GICD_ICFGR) / 4 * 16;
		if (size != 4 || first < lo || first >= hi)
			return true;
		if (write)
			cfg_write(vg, cpu, first, *val);
		else
			*val = cfg_read(vg, cpu, first);
		return true;
	}
	return false;
}

/* ---- the distributor ---------------------------------------------------------------------- */

static void gicd_access(struct vgic *vg, u64 off, unsigned int size, u64 *val, bool write)
{
	if (irq_regs_access(vg, 0, off, size, val, write, VGIC_NR_PRIVATE, VGIC_NR_IRQS))
		return;
	if (off >= GICD_IROUTER + 8 * VGIC_NR_PRIVATE && off < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
		struct vgic_irq *irq = vgic_get_irq(vg, 0, (off - GICD_IROUTER) / 8);
		unsigned int shift = (off & 4) * 8;
		u64 mask = size == 8 ? ~0ULL : 0xffffffffULL << shift;

		if ((size != 8 && size != 4) || (off & (size - 1)))
			return;
		if (write)
			vgic_spi_route(vg, irq, (irq->irouter & ~mask) | ((*val << shift) & mask));
		else
			*val = (irq->irouter & mask) >> shift;
		return;
	}
	switch (off) {
	case GICD_CTLR:
		if (write)
			vg->ctlr = *val & GICD_CTLR_ENABLES;
		else
			*val = vg->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
		return;
	case GICD_TYPER:
		if (!write)
			*val = GICD_TYPER_VAL(vg->nr_cpus);
		return;
	case GICD_IIDR:
		if (!write)
			*val = GIC_IIDR_VAL;
		return;
	case GICD_PIDR2:
		if (!write)
			*val = GIC_PIDR2_VAL;
		return;
	}
}

static int gicd_read(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 *val)
{
	struct vgic *vg = dev;

	(void)v;
	*val = 0;
	spin_lock(&vg->lock);
	gicd_access(vg, off, size, val, false);
	spin_unlock(&vg->lock);
	return 0;
}

static int gicd_write(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 val)
{
	struct vgic *vg = dev;
	u32 old;

	(void)v;
	spin_lock(&vg->lock);
	old = vg->ctlr;
	gicd_access(vg, off, size, &val, true);
	/* A group enabled now may forward what was already pending. */
	if (vg->ctlr & ~old)
		vg->kick = vg->nr_cpus < 64 ? BIT(vg->nr_cpus) - 1 : ~0ULL;
	spin_unlock(&vg->lock);
	vgic_kick_marked(vg);
	return 0;
}

static const struct mmio_ops gicd_ops = {
	.read = gicd_read,
	.write = gicd_write,
};

/* ---- the redistributors ------------------------------------------------------------------- */

static u64 gicr_typer(const struct vgic *vg, unsigned int cpu)
{
	u64 aff = (cpu & 0xff) | (u64)(cpu >> 8) << 8;

	return aff << 32 | (u64)cpu << 8 | (cpu == vg->nr_cpus - 1 ? GICR_TYPER_LAST : 0);
}

static void gicr_access(struct vgic *vg, unsigned int cpu, u64 off, unsigned int size, u64 *val,
			bool write)
{
	struct vgic_cpu *c = &vg->cpu[cpu];

	if (off >= GICR_SGI_BASE) {
		irq_regs_access(vg, cpu, off - GICR_SGI_BASE, size, val, write, 0, VGIC_NR_PRIVATE);
		return;
	}
	switch (off) {
	case GICR_IIDR:
		if (!write)
			*val = GIC_IIDR_VAL;
		return;
	case GICR_TYPER:
	case GICR_TYPER + 4:
		if (!write)
			*val = size == 8 ? gicr_typer(vg, cpu) :
					   gicr_typer(vg, cpu) >> (off & 4) * 8;
		return;
	case GICR_WAKER:
		if (write)
			c->asleep = *val & GICR_WAKER_PS;
		else
			*val = c->asleep ? GICR_WAKER_PS | GICR_WAKER_CA : 0;
		return;
	case GICR_PIDR2:
		if (!write)
			*val = GIC_PIDR2_VAL;
		return;
	}
	/* GICR_CTLR (no LPIs: EnableLPIs RAZ/WI), STATUSR, PROPBASER, PENDBASER, ...: RES0. */
}

static int gicr_read(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 *val)
{
	struct vgic *vg = dev;

	(void)v;
	*val = 0;
	spin_lock(&vg->lock);
	gicr_access(vg, off / GUEST_GICR_STRIDE, off % GUEST_GICR_STRIDE, size, val, false);
	spin_unlock(&vg->lock);
	return 0;
}

static int gicr_write(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 val)
{
	struct vgic *vg = dev;

	(void)v;
	spin_lock(&vg->lock);
	gicr_access(vg, off / GUEST_GICR_STRIDE, off % GUEST_GICR_STRIDE, size, &val, true);
	spin_unlock(&vg->lock);
	vgic_kick_marked(vg);
	return 0;
}

static const struct mmio_ops gicr_ops = {
	.read = gicr_read,
	.write = gicr_write,
};

int vgic_mmio_register(struct vm *vm, struct vgic *vg)
{
	int ret = vm_mmio_register(vm, vg->dist_base, GUEST_GICD_SIZE, "gicd", &gicd_ops, vg);

	if (ret)
		return ret;
	return vm_mmio_register(vm, vg->redist_base, vg->nr_cpus * GUEST_GICR_STRIDE, "gicr",
				&gicr_ops, vg);
}
