// SPDX-License-Identifier: MIT
/*
 * The virtual GICv3 and the timers, as a guest kernel uses them (Arm IHI
 * 0069): identification registers (GICD_PIDR2/GICR_PIDR2 ArchRev,
 * GICD_TYPER, each redistributor's GICR_TYPER), the virtual timer's PPI 27
 * and the EL1 physical timer's PPI 30 taken as IRQs (once while spinning,
 * once from WFI), an SGI from vCPU 0 to vCPU 1 through ICC_SGI1R_EL1, vCPU
 * 1 in WFE woken by vCPU 0's SEV, an unaligned word written at the end of
 * a redistributor's GICR_IPRIORITYR that must not reach the SPIs, and an
 * SPI made pending through GICD_ISPENDR delivered to the vCPU its IROUTER
 * names.  Needs 2 vCPUs.
 *
 * Under the hypervisor this checks the emulated distributor and
 * redistributors, the list registers, the trapped SGI register, the
 * timers' routing and WFI wake-ups; the exact GICD_TYPER values are the
 * hypervisor's.  WFE: a hypervisor must not sleep a trapped WFE until an
 * interrupt (none comes here); QEMU 7.2 never traps WFE (TCG runs it as a
 * yield, whatever HCR_EL2.TWE says), so there the case checks the payload
 * only.  Bare (-M virt,gic-version=3): QEMU's own GIC, which checks the
 * payload (not the unaligned access, which is the hypervisor's to refuse).
 */
#include <stdio.h>

#include "gic_arm64.h"
#include "guest.h"

#define VTIMER_INTID 27
#define PTIMER_INTID 30
#define SGI_INTID    3
#define SPI_INTID    40
#define FIRST_SPI    32
#define PRIO	     0xa0
#define WAIT_NS	     2000000000ULL

#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_PIDR2	0xffe8
#define GICD_IPRIORITYR 0x0400
#define GICR_TYPER	0x0008
#define GICR_PIDR2	0xffe8
#define GICR_IPRIORITYR 0x0400 /* in the SGI_base frame */

/* What each vCPU's handler saw, written in its IRQ handler. */
static volatile unsigned int seen[GUEST_MAX_CPUS][64];
static volatile uint64_t timer_late; /* CNTVCT - CVAL when the timer PPI came */
static volatile bool cpu1_ready, cpu1_done;
static volatile bool wfe_go, wfe_done;

static inline uint64_t cntvct(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline uint64_t cntfrq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* CNTV_CTL_EL0 (Arm ARM): ENABLE bit 0, IMASK bit 1. */
static void vtimer_arm(uint64_t ticks)
{
	uint64_t cval = cntvct() + ticks;

	__asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb"
			 :
			 : "r"(cval), "r"(1UL)
			 : "memory");
}

static void __attribute__((target("general-regs-only"))) on_irq(unsigned int intid)
{
	unsigned int cpu = guest_cpu_index();
	uint64_t cval;

	if (intid == VTIMER_INTID) {
		__asm__ volatile("mrs %0, cntv_cval_el0" : "=r"(cval));
		timer_late = cntvct() - cval;
		/* Level-sensitive: mask it at the source before the EOI. */
		__asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"(3UL));
	}
	if (intid == PTIMER_INTID)
		__asm__ volatile("msr cntp_ctl_el0, %0; isb" : : "r"(3UL));
	if (intid < 64)
		seen[cpu][intid]++;
}

/* The EL1 physical timer (CNTP_*_EL0, as CNTV): switched by the hypervisor, PPI 30. */
static void ptimer_arm(uint64_t ticks)
{
	uint64_t cval = cntvct() + ticks; /* CNTVOFF is 0: one count for both timers */

	__asm__ volatile("msr cntp_cval_el0, %0; msr cntp_ctl_el0, %1; isb"
			 :
			 : "r"(cval), "r"(1UL)
			 : "memory");
}

/*
 * Wait for *count to reach @want, spinning or in WFI.  The check and the
 * WFI run with IRQs masked (WFI still wakes on a pending one, Arm ARM
 * "Wait for Interrupt"), then the mask opens to take it: an interrupt
 * between an unmasked check and the WFI would otherwise be slept through.
 * A WFI wait needs a wake-up source for its time limit (vtimer_watchdog).
 */
static bool wait_for(volatile unsigned int *count, unsigned int want, bool wfi)
{
	uint64_t t0 = hc_time_ns();

	for (;;) {
		gic_local_irq_disable();
		if (*count >= want || hc_time_ns() - t0 >= WAIT_NS)
			break;
		if (wfi)
			__asm__ volatile("wfi");
		gic_local_irq_enable();
	}
	gic_local_irq_enable();
	return *count >= want;
}

static void check_ids(unsigned int ncpus)
{
	uint32_t typer = gicd_read(GICD_TYPER);
	unsigned int itlines = typer & 0x1f, idbits = (typer >> 19) & 0x1f, c;
	bool ok = true;

	checkf(((gicd_read(GICD_PIDR2) >> 4) & 0xf) == 3, "gicd-pidr2-archrev-3");
	checkf(((gicr_read(0, GICR_PIDR2) >> 4) & 0xf) == 3, "gicr-pidr2-archrev-3");
	printf("vgic: GICD_TYPER %#x (ITLinesNumber %u, IDbits %u), GICD_CTLR %#x\n", typer,
	       itlines, idbits, gicd_read(GICD_CTLR));
	checkf(itlines >= 2 && idbits >= 9, "gicd-typer-64-spis-10-id-bits");
#ifndef GUEST_BARE
	checkf(itlines == 2 && ((typer >> 5) & 7) == ncpus - 1, "gicd-typer-exact");
#endif
	for (c = 0; c < ncpus; c++) {
		uint64_t t = gicr_read64(c, GICR_TYPER);

		printf("vgic: GICR_TYPER[%u] %#llx\n", c, (unsigned long long)t);
		ok &= (t >> 32) == c && ((t >> 8) & 0xffff) == c &&
		      !!(t & (1u << 4)) == (c == ncpus - 1);
	}
	checkf(ok, "gicr-typer-affinity-number-last");
}

/*
 * WFE until vCPU 0 says go: its SEV (or its store) is the wake-up, which no
 * hypervisor sees.  A hypervisor that sleeps a WFE until an interrupt (and
 * none comes) never lets this return.
 */
static void cpu1_wfe(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&wfe_go, __ATOMIC_ACQUIRE))
		__asm__ volatile("wfe" ::: "memory");
	__atomic_store_n(&wfe_done, true, __ATOMIC_RELEASE);
}

#ifndef GUEST_BARE
/*
 * A redistributor's GICR_IPRIORITYR covers its SGIs and PPIs only (IHI 0069
 * 12.11.13): a word written unaligned at its last bytes (INTIDs 30..33,
 * through a Normal-memory alias: Device memory would fault on alignment)
 * must not reach SPI 32, whose priority lives in the distributor.  What the
 * access itself does is the GIC's choice (it need not be supported).
 */
static bool gicr_prio_stays_private(void)
{
	uintptr_t gicr = guest_map_window(GIC_GICR_BASE);
	uint32_t before;

	gicd_write(GICD_IPRIORITYR + FIRST_SPI, 0x50505050);
	before = gicd_read(GICD_IPRIORITYR + FIRST_SPI);
	*(volatile uint32_t *)(gicr + GIC_GICR_SGI + GICR_IPRIORITYR + 30) = 0xa0a0a0a0;
	__asm__ volatile("dsb sy" ::: "memory");
	printf("vgic: SPI %u..%u priorities %#x before, %#x after\n", FIRST_SPI, FIRST_SPI + 3,
	       before, gicd_read(GICD_IPRIORITYR + FIRST_SPI));
	return before == 0x50505050 && gicd_read(GICD_IPRIORITYR + FIRST_SPI) == before;
}
#endif

static void cpu1_main(void *arg)
{
	(void)arg;
	gic_cpu_init();
	gic_irq_enable(SGI_INTID, PRIO, 1);
	/* Its own timer bounds the wait if the SGI never comes. */
	gic_irq_enable(VTIMER_INTID, PRIO, 1);
	vtimer_arm(WAIT_NS / 1000000 * (cntfrq() / 1000));
	gic_local_irq_enable();
	__atomic_store_n(&cpu1_ready, true, __ATOMIC_RELEASE);
	/* Sleeps in WFI: the SGI must wake it. */
	wait_for(&seen[1][SGI_INTID], 1, true);
	__asm__ volatile("msr cntv_ctl_el0, xzr; isb");
	gic_local_irq_disable();
	__atomic_store_n(&cpu1_done, true, __ATOMIC_RELEASE);
}

void test_main(void)
{
	unsigned int ncpus = guest_cpu_count();
	uint64_t t0, ms = cntfrq() / 1000;

	if (!checkf(ncpus >= 2, "%u-vcpus-at-least-2", ncpus))
		return;
	check_ids(ncpus);

	gic_set_handler(on_irq);
	gic_dist_init();
	gic_cpu_init();
	gic_irq_enable(VTIMER_INTID, PRIO, 0);
	gic_local_irq_enable();

	/* The virtual timer, 1 ms ahead, taken while spinning. */
	vtimer_arm(ms);
	checkf(wait_for(&seen[0][VTIMER_INTID], 1, false), "vtimer-ppi27-taken");
	printf("vgic: timer PPI %u us after its deadline\n",
	       (unsigned int)(timer_late * 1000000 / cntfrq()));
	/* Again, 2 ms ahead, waiting in WFI: the hypervisor must wake the vCPU for it. */
	vtimer_arm(2 * ms);
	checkf(wait_for(&seen[0][VTIMER_INTID], 2, true), "vtimer-ppi27-wakes-wfi");
	checkf(seen[0][VTIMER_INTID] == 2, "vtimer-ppi27-once-per-deadline");

	/* The EL1 physical timer: PPI 30, the same two ways. */
	gic_irq_enable(PTIMER_INTID, PRIO, 0);
	ptimer_arm(ms);
	checkf(wait_for(&seen[0][PTIMER_INTID], 1, false), "ptimer-ppi30-taken");
	ptimer_arm(2 * ms);
	/* The virtual timer ends the wait if PPI 30 never comes: WFI needs a wake-up source. */
	vtimer_arm((WAIT_NS / 1000000 + 50) * ms);
	checkf(wait_for(&seen[0][PTIMER_INTID], 2, true), "ptimer-ppi30-wakes-wfi");
	__asm__ volatile("msr cntv_ctl_el0, xzr; msr cntp_ctl_el0, xzr; isb");
	checkf(seen[0][PTIMER_INTID] == 2 && seen[0][VTIMER_INTID] == 2, "ptimer-ppi30-once");

	/* An SGI from vCPU 0 to vCPU 1, which waits for it in WFI. */
	if (checkf(guest_cpu_start(1, cpu1_main, NULL) == 0, "vcpu1-cpu-on")) {
		t0 = hc_time_ns();
		while (!__atomic_load_n(&cpu1_ready, __ATOMIC_ACQUIRE) &&
		       hc_time_ns() - t0 < WAIT_NS)
			guest_cpu_relax();
		gic_send_sgi(SGI_INTID, 1);
		t0 = hc_time_ns();
		while (!__atomic_load_n(&cpu1_done, __ATOMIC_ACQUIRE) &&
		       hc_time_ns() - t0 < WAIT_NS)
			guest_cpu_relax();
		checkf(seen[1][SGI_INTID] == 1, "sgi-vcpu0-to-vcpu1");
		checkf(seen[0][SGI_INTID] == 0, "sgi-not-to-sender");
		checkf(guest_cpu_wait_off(1, WAIT_NS) == 0, "vcpu1-off");
	}

	/* vCPU 1 waits in WFE for a flag vCPU 0 sets 10 ms later, then SEV. */
	if (checkf(guest_cpu_start(1, cpu1_wfe, NULL) == 0, "vcpu1-cpu-on-wfe")) {
		t0 = hc_time_ns();
		while (hc_time_ns() - t0 < 10000000ULL)
			guest_cpu_relax();
		__atomic_store_n(&wfe_go, true, __ATOMIC_RELEASE);
		__asm__ volatile("dsb ish; sev" ::: "memory");
		t0 = hc_time_ns();
		while (!__atomic_load_n(&wfe_done, __ATOMIC_ACQUIRE) && hc_time_ns() - t0 < WAIT_NS)
			guest_cpu_relax();
		checkf(wfe_done, "wfe-woken-by-sev");
		checkf(guest_cpu_wait_off(1, WAIT_NS) == 0, "vcpu1-off-after-wfe");
	}

#ifndef GUEST_BARE
	checkf(gicr_prio_stays_private(), "gicr-ipriorityr-stays-in-frame");
#endif

	/* An SPI routed to vCPU 0 and made pending by GICD_ISPENDR. */
	gic_irq_enable(SPI_INTID, PRIO, 0);
	gic_spi_set_pending(SPI_INTID);
	checkf(wait_for(&seen[0][SPI_INTID], 1, false), "spi-ispendr-delivered");
	checkf(seen[0][SPI_INTID] == 1, "spi-delivered-once");
	gic_local_irq_disable();
}
