// SPDX-License-Identifier: MIT
/*
 * Just enough GICv3 (Arm IHI 0069, "GICv3 and GICv4 Architecture
 * Specification") for the hypervisor's own tick: the EL2 physical timer's
 * PPI, Non-secure Group 1, through the system register CPU interface; and
 * the EL2 interrupt paths (taken from a guest, or at EL2 itself).
 *
 * Guests get their own GIC from kvm/devices/vgic.c and vgic_hw.c; here only the
 * physical side of it: the virtual timer's PPI, the maintenance PPI and an
 * SGI that kicks a CPU out of a guest.
 */
#include <stdio.h>

#include "kvm/arch/cpu.h"
#include "mmu/sync.h"

#include "arch_priv.h"
#include "exception.h"
#include "mmio.h"
#include "platform.h"
#include "sysreg.h"

/* Distributor (IHI 0069, 12.9 "The GIC Distributor register descriptions"). */
#define GICD_CTLR     0x0000
#define GICD_CTLR_RWP BIT(31)
/*
 * With one Security state (GICD_CTLR.DS = 1, QEMU virt without secure=on)
 * bit 0 is EnableGrp0, bit 1 EnableGrp1 and bit 4 ARE; in the Non-secure
 * view of two states bit 0 is EnableGrp1, bit 1 EnableGrp1A and bit 4 ARE_NS.
 * Setting all three enables Non-secure Group 1 with affinity routing in both.
 */
#define GICD_CTLR_ENABLE (BIT(0) | BIT(1))
#define GICD_CTLR_ARE	 BIT(4)

/* Redistributor: RD_base frame, then SGI_base 64 KiB above it (IHI 0069, 12.10, 12.11). */
#define GICR_WAKER		   0x0014
#define GICR_WAKER_PROCESSOR_SLEEP BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP BIT(2)
#define GICR_TYPER		   0x0008
#define GICR_TYPER_VLPIS	   BIT(1)
#define GICR_TYPER_LAST		   BIT(4)
#define GICR_SGI_BASE		   0x10000
#define GICR_IGROUPR0		   (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0		   (GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0		   (GICR_SGI_BASE + 0x0180)
#define GICR_IPRIORITYR		   (GICR_SGI_BASE + 0x0400)
#define GICR_FRAMES_V3		   0x20000 /* RD_base + SGI_base */
#define GICR_FRAMES_V4		   0x40000 /* + VLPI_base + reserved, when VLPIS */

/* CPU interface system registers (IHI 0069, 12.2, 12.7). */
#define ICC_SRE_SRE    BIT(0)
#define ICC_SRE_ENABLE BIT(3) /* EL1 may use ICC_SRE_EL1 */
#define ICC_PMR_ALL    0xff   /* lowest priority mask: let everything through */
#define INTID_SPURIOUS 1020   /* 1020..1023 are special, never acknowledged */

/* The tick's priority: any value above the mask (numerically below 0xff) works. */
#define TICK_PRIORITY 0xa0

static u64 gicr_cpu[MAX_CPUS]; /* each CPU's RD_base, 0 if not found */
static bool gic_ready;
/* Each CPU's guest timer PPIs that are enabled, one bit per INTID (gic_timer_ppi_enable()). */
static u32 timer_ppis_on[MAX_CPUS];

/* Wait for a distributor write to take effect (GICD_CTLR.RWP), at most ~1 s. */
static void gicd_wait_rwp(u64 gicd)
{
	u64 deadline = arch_counter() + arch_counter_freq();

	while ((mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP) && arch_counter() < deadline)
		mmu_cpu_relax();
}

/*
 * Boot CPU, once: affinity routing on, then Group 1 on (IHI 0069, 4.1: ARE
 * must be set before the group enables that depend on it).
 */
void gic_init(void)
{
	const struct fdt_platform *p = &boot_info.fdt;

	if (!p->gicd_base) {
		printf("hyp: no \"arm,gic-v3\" in the DTB: no scheduler tick\n");
		return;
	}
	mmio_write32(p->gicd_base + GICD_CTLR, GICD_CTLR_ARE);
	gicd_wait_rwp(p->gicd_base);
	mmio_write32(p->gicd_base + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE);
	gicd_wait_rwp(p->gicd_base);
	gic_ready = true;
	vgic_hw_init();
}

/* A private interrupt of the redistributor @rd: Group 1, the tick's priority, enabled. */
static void gic_ppi_setup(u64 rd, unsigned int intid)
{
	mmio_write32(rd + GICR_IGROUPR0, mmio_read32(rd + GICR_IGROUPR0) | (u32)BIT(intid));
	mmio_write8(rd + GICR_IPRIORITYR + intid, TICK_PRIORITY);
	mmio_write32(rd + GICR_ISENABLER0, (u32)BIT(intid));
}

/* GICR_TYPER.Affinity_Value (bits 63:32) is Aff3.Aff2.Aff1.Aff0 of its PE. */
static u64 gicr_find(u64 mpidr)
{
	const struct fdt_platform *p = &boot_info.fdt;
	u64 aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;

	for (u64 rd = p->gicr_base; rd < p->gicr_base + p->gicr_size;) {
		u64 typer = mmio_read64(rd + GICR_TYPER);

		if ((typer >> 32) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
		rd += (typer & GICR_TYPER_VLPIS) ? GICR_FRAMES_V4 : GICR_FRAMES_V3;
	}
	return 0;
}

/*
 * Calling CPU: wake its redistributor, make @intid (a PPI) Group 1 and
 * enabled, and open the CPU interface.
 */
void gic_init_cpu(unsigned int intid)
{
	unsigned int cpu = arch_cpu_id();
	u64 rd, deadline;

	if (!gic_ready)
		return;
	rd = gicr_find(read_sysreg(mpidr_el1) & MPIDR_AFF_MASK);
	if (!rd) {
		printf("hyp: cpu%u: no GIC redistributor for its MPIDR\n", cpu);
		return;
	}
	/* IHI 0069, 11.1 "Power management": clear ProcessorSleep, wait for ChildrenAsleep. */
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	deadline = arch_counter() + arch_counter_freq();
	while ((mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP) &&
	       arch_counter() < deadline)
		mmu_cpu_relax();

	gic_ppi_setup(rd, intid);
	/* For guests: their timers, the virtual interface's maintenance PPI, our kick SGI. */
	gic_ppi_setup(rd, TIMER_VIRT_PPI);
	gic_ppi_setup(rd, TIMER_PHYS_PPI);
	gic_ppi_setup(rd, VGIC_MAINT_PPI);
	gic_ppi_setup(rd, KICK_SGI);
	timer_ppis_on[cpu] = BIT(TIMER_VIRT_PPI) | BIT(TIMER_PHYS_PPI);
	dsb(sy);

	/* System register interface at EL2 and below (ICC_SRE_EL2), then the mask and group. */
	write_sysreg(S3_4_C12_C9_5, read_sysreg(S3_4_C12_C9_5) | ICC_SRE_SRE | ICC_SRE_ENABLE);
	isb();
	write_sysreg(S3_0_C4_C6_0, ICC_PMR_ALL); /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_7, 1);	 /* ICC_IGRPEN1_EL1 */
	isb();
	gicr_cpu[cpu] = rd;
}

/*
 * Acknowledge and handle every pending Group 1 interrupt.  Interrupts
 * masked.  ICC_CTLR_EL1.EOImode is 0: the EOI both drops the priority and
 * deactivates.  Besides the tick we enable only what guests need (see
 * gic_init_cpu); anything else is just acknowledged.
 */
void gic_handle_irq(void)
{
	for (;;) {
		u64 intid = read_sysreg(S3_0_C12_C12_0) & 0xffffff; /* ICC_IAR1_EL1 */

		if (intid >= INTID_SPURIOUS && intid < 1024)
			return;
		if (intid == TIMER_HYP_PPI)
			timer_tick_irq();
		/*
		 * A guest's timer fired: its level stays high until the guest
		 * reprograms it, so it stays off here until the vCPU's next
		 * entry finds the line low (vcpu.c, gic_timer_ppi_enable).  The
		 * physical one is stopped at every exit (el1_ptimer_out), so it
		 * is seen here at most as it made its guest exit.  The
		 * maintenance PPI and the kick SGI only had to make the guest
		 * exit, which it did.
		 */
		else if (intid == TIMER_VIRT_PPI || intid == TIMER_PHYS_PPI)
			gic_timer_ppi_enable(intid, false);
		write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
		isb();
	}
}

/*
 * The calling CPU's PPI of a guest timer on or off (GICR_ISENABLER0 /
 * ICENABLER0, IHI 0069 12.11.7, 12.11.3).  Interrupts masked.  Off while a
 * vCPU's timer line is high and the guest has the virtual interrupt, or it
 * would fire again at once.
 */
void gic_timer_ppi_enable(unsigned int ppi, bool on)
{
	unsigned int cpu = arch_cpu_id();
	u64 rd = gicr_cpu[cpu];

	if (!rd || !!(timer_ppis_on[cpu] & BIT(ppi)) == on)
		return;
	timer_ppis_on[cpu] ^= (u32)BIT(ppi);
	mmio_write32(rd + (on ? GICR_ISENABLER0 : GICR_ICENABLER0), (u32)BIT(ppi));
}

/*
 * ICC_SGI1R_EL1 (IHI 0069 12.2.22) to one CPU: TargetList bit Aff0 % 16,
 * RS = Aff0 / 16, Aff1 23:16, Aff2 39:32, Aff3 55:48, INTID 27:24.
 */
void arch_cpu_kick(unsigned int cpu)
{
	u64 mpidr, aff0, sgir;

	if (cpu >= boot_info.nr_cpus || !gicr_cpu[cpu])
		return;
	mpidr = boot_info.cpu_mpidr[cpu];
	aff0 = mpidr & 0xff;
	sgir = BIT(aff0 % 16) | ((mpidr >> 8) & 0xff) << 16 | (u64)KICK_SGI << 24 |
	       ((mpidr >> 16) & 0xff) << 32 | (aff0 / 16) << 44 | ((mpidr >> 32) & 0xff) << 48;
	dsb(ishst); /* what the kicked CPU is to notice is visible before the SGI */
	write_sysreg(S3_0_C12_C11_5, sgir); /* ICC_SGI1R_EL1 */
	isb();
}

/* The IRQ vector at EL2 (vectors.S: el2_irq_common), FP/SIMD already saved. */
void el2_irq(struct exc_frame *frame)
{
	(void)frame;
	gic_handle_irq();
}

/* ---- interrupt masking at EL2 (PSTATE.I; D, A and F stay as they are) ---- */

unsigned long arch_irq_save(void)
{
	unsigned long flags = read_sysreg(daif);

	__asm__ volatile("msr daifset, #2" : : : "memory");
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	write_sysreg(daif, flags);
}

void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

/*
 * WFI wakes on a pending interrupt even while PSTATE.I masks it (Arm ARM
 * "Wait for Interrupt"), so we wait masked and then open the mask for a
 * moment: an interrupt that arrived in between is then taken and handled
 * here, not lost.  A caller that checks its own condition (need resched)
 * with interrupts disabled before calling cannot miss a tick either.
 */
void arch_wait_for_interrupt(void)
{
	unsigned long flags = arch_irq_save();

	dsb(sy);
	__asm__ volatile("wfi" : : : "memory");
	arch_irq_enable();
	isb();
	arch_irq_restore(flags);
}
