// SPDX-License-Identifier: MIT
/*
 * GICv3 helpers for arm64 guests (gic_arm64.h).  Register offsets and
 * fields from Arm IHI 0069: 12.9 distributor, 12.10/12.11 redistributor,
 * 12.2 CPU interface system registers (written by their S<op0>_<op1>_C<n>_
 * C<m>_<op2> encodings, each named in a comment).
 */
#pragma GCC target("general-regs-only") /* runs in the IRQ path: FP state is not saved */

#include "gic_arm64.h"
#include "guest.h"

#define GICD_CTLR	    0x0000
#define GICD_CTLR_ENABLE_G0 (1u << 0)
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE	    (1u << 4)
#define GICD_CTLR_RWP	    (1u << 31)
#define GICD_IGROUPR	    0x0080
#define GICD_ISENABLER	    0x0100
#define GICD_ISPENDR	    0x0200
#define GICD_IPRIORITYR	    0x0400
#define GICD_IROUTER	    0x6000

#define GICR_WAKER	0x0014
#define GICR_WAKER_PS	(1u << 1)
#define GICR_WAKER_CA	(1u << 2)
#define GICR_IGROUPR0	(GIC_GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GIC_GICR_SGI + 0x0100)
#define GICR_IPRIORITYR (GIC_GICR_SGI + 0x0400)

#define ICC_SRE_SRE 1

#define WAIT_NS 1000000000ULL

static void (*irq_handler)(unsigned int intid);

static volatile uint32_t *reg32(unsigned long addr)
{
	return (volatile uint32_t *)addr;
}

uint32_t gicd_read(unsigned long off)
{
	return *reg32(GIC_GICD_BASE + off);
}

void gicd_write(unsigned long off, uint32_t val)
{
	*reg32(GIC_GICD_BASE + off) = val;
}

uint64_t gicd_read64(unsigned long off)
{
	return *(volatile uint64_t *)(GIC_GICD_BASE + off);
}

void gicd_write64(unsigned long off, uint64_t val)
{
	*(volatile uint64_t *)(GIC_GICD_BASE + off) = val;
}

uint32_t gicr_read(unsigned int cpu, unsigned long off)
{
	return *reg32(GIC_GICR_BASE + cpu * GIC_GICR_STRIDE + off);
}

void gicr_write(unsigned int cpu, unsigned long off, uint32_t val)
{
	*reg32(GIC_GICR_BASE + cpu * GIC_GICR_STRIDE + off) = val;
}

uint64_t gicr_read64(unsigned int cpu, unsigned long off)
{
	return *(volatile uint64_t *)(GIC_GICR_BASE + cpu * GIC_GICR_STRIDE + off);
}

static void gicd_wait_rwp(void)
{
	uint64_t t0 = hc_time_ns();

	while ((gicd_read(GICD_CTLR) & GICD_CTLR_RWP) && hc_time_ns() - t0 < WAIT_NS)
		;
}

/* ARE before the group enables that depend on it (IHI 0069 12.9.4). */
void gic_dist_init(void)
{
	gicd_write(GICD_CTLR, GICD_CTLR_ARE);
	gicd_wait_rwp();
	gicd_write(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1);
	gicd_wait_rwp();
}

void gic_cpu_init(void)
{
	unsigned int cpu = guest_cpu_index();
	uint64_t sre, t0 = hc_time_ns();

	/* 11.1 "Power management": clear ProcessorSleep, wait for ChildrenAsleep to follow. */
	gicr_write(cpu, GICR_WAKER, gicr_read(cpu, GICR_WAKER) & ~GICR_WAKER_PS);
	while ((gicr_read(cpu, GICR_WAKER) & GICR_WAKER_CA) && hc_time_ns() - t0 < WAIT_NS)
		;
	__asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre)); /* ICC_SRE_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_5, %0; isb" : : "r"(sre | ICC_SRE_SRE));
	__asm__ volatile("msr S3_0_C4_C6_0, %0" : : "r"(0xffUL));     /* ICC_PMR_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_3, %0" : : "r"(0UL));      /* ICC_BPR1_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_7, %0; isb" : : "r"(1UL)); /* ICC_IGRPEN1_EL1 */
}

void gic_irq_enable(unsigned int intid, uint8_t prio, unsigned int cpu)
{
	unsigned int me = guest_cpu_index(), n = intid / 32;
	uint32_t bit = 1u << (intid % 32);

	if (intid < 32) {
		gicr_write(me, GICR_IGROUPR0, gicr_read(me, GICR_IGROUPR0) | bit);
		*(volatile uint8_t *)(GIC_GICR_BASE + me * GIC_GICR_STRIDE + GICR_IPRIORITYR +
				      intid) = prio;
		gicr_write(me, GICR_ISENABLER0, bit);
		return;
	}
	gicd_write(GICD_IGROUPR + 4 * n, gicd_read(GICD_IGROUPR + 4 * n) | bit);
	*(volatile uint8_t *)(GIC_GICD_BASE + GICD_IPRIORITYR + intid) = prio;
	gicd_write64(GICD_IROUTER + 8 * intid, cpu); /* Aff0 = cpu, IRM = 0 */
	gicd_write(GICD_ISENABLER + 4 * n, bit);
}

void gic_spi_set_pending(unsigned int intid)
{
	gicd_write(GICD_ISPENDR + 4 * (intid / 32), 1u << (intid % 32));
}

/* ICC_SGI1R_EL1 (12.2.22): TargetList bit Aff0, Aff1 23:16 = 0, INTID 27:24. */
void gic_send_sgi(unsigned int intid, unsigned int cpu)
{
	uint64_t val = (1UL << (cpu % 16)) | (uint64_t)(cpu / 16) << 44 | (uint64_t)intid << 24;

	__asm__ volatile("dsb ishst; msr S3_0_C12_C11_5, %0; isb" : : "r"(val) : "memory");
}

void gic_set_handler(void (*fn)(unsigned int intid))
{
	irq_handler = fn;
}

/* EOImode 0 (ICC_CTLR_EL1 reset): the EOI drops the priority and deactivates. */
bool gic_handle_irq(void)
{
	uint64_t intid;

	if (!irq_handler)
		return false;
	for (;;) {
		__asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(intid)); /* ICC_IAR1_EL1 */
		intid &= 0xffffff;
		if (intid >= GIC_INTID_SPURIOUS && intid < 1024)
			return true;
		irq_handler(intid);
		__asm__ volatile("msr S3_0_C12_C12_1, %0; isb" : : "r"(intid)); /* ICC_EOIR1_EL1 */
	}
}
