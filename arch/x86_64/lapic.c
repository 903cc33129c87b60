// SPDX-License-Identifier: MIT
/*
 * Local APIC (xAPIC, memory-mapped; Intel SDM vol. 3A, "Advanced
 * Programmable Interrupt Controller (APIC)"; AMD APM vol. 2, 16 "Advanced
 * Programmable Interrupt Controller"): enable, IPIs, EOI, and the timer
 * that gives each CPU its tick.  The timer's and the TSC's frequencies are
 * measured once against the PIT, whose input clock is fixed at 1.193182 MHz.
 */
#include <stdio.h>

#include "arch_priv.h"
#include "exception.h"
#include "platform.h"
#include "x86.h"

/* Register offsets from the APIC base. */
#define LAPIC_ID	 0x020
#define LAPIC_VERSION	 0x030
#define LAPIC_TPR	 0x080
#define LAPIC_EOI	 0x0b0
#define LAPIC_SVR	 0x0f0
#define LAPIC_ESR	 0x280
#define LAPIC_ICR_LO	 0x300
#define LAPIC_ICR_HI	 0x310
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_LVT_LINT0	 0x350
#define LAPIC_LVT_LINT1	 0x360
#define LAPIC_LVT_ERROR	 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR	 0x390
#define LAPIC_TIMER_DIV	 0x3e0

#define SVR_ENABLE   (1 << 8)
#define LVT_MASKED   (1 << 16)
#define LVT_PERIODIC (1 << 17)
#define LVT_NMI	     (4 << 8)
#define ICR_PENDING  (1 << 12) /* delivery status: send pending */
#define TIMER_DIV_16 0x3       /* divide configuration: by 16 */

/* PIT (Intel 8254): channel 2, gated and read back through port 0x61. */
#define PIT_HZ	       1193182ULL
#define PIT_CH2	       0x42
#define PIT_CMD	       0x43
#define PIT_PORT_B     0x61
#define PORT_B_GATE2   0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2    0x20
#define CALIBRATE_MS   10

static volatile u32 *lapic;
static u64 tsc_to_ns_mult; /* ns = (tsc * mult) >> 32 */
static void (*tick_hook)(void);

static u32 lapic_read(u32 reg)
{
	return lapic[reg / 4];
}

static void lapic_write(u32 reg, u32 v)
{
	lapic[reg / 4] = v;
}

u32 lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* Send and wait until the local APIC has accepted the IPI (delivery status idle). */
void lapic_send_ipi(u32 apic_id, u32 icr_lo)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		cpu_relax();
}

void udelay(u64 us)
{
	u64 end = rdtsc_ordered() + boot_info.tsc_hz / 1000000 * us;

	while (rdtsc_ordered() < end)
		cpu_relax();
}

/*
 * PIT channel 2 in mode 0 (interrupt on terminal count) counts down once
 * from @count after the gate rises; OUT2 (port 0x61 bit 5) goes high at 0.
 * Meanwhile the LAPIC timer counts down from ~0 and the TSC up.
 */
static void calibrate(void)
{
	u32 count = PIT_HZ * CALIBRATE_MS / 1000, lapic_ticks;
	u8 b = inb(PIT_PORT_B) & ~(PORT_B_GATE2 | PORT_B_SPEAKER);
	u64 tsc0, tsc1;

	outb(PIT_PORT_B, b); /* gate low: hold */
	outb(PIT_CMD, 0xb0); /* channel 2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, ~0u);
	tsc0 = rdtsc_ordered();
	outb(PIT_PORT_B, b | PORT_B_GATE2); /* go */
	while (!(inb(PIT_PORT_B) & PORT_B_OUT2))
		;
	tsc1 = rdtsc_ordered();
	lapic_ticks = ~0u - lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	outb(PIT_PORT_B, b);

	boot_info.tsc_hz = (tsc1 - tsc0) * PIT_HZ / count;
	boot_info.lapic_timer_hz = (u64)lapic_ticks * PIT_HZ / count;
	tsc_to_ns_mult = (1000000000ULL << 32) / boot_info.tsc_hz;
}

static bool timer_irq(struct x86_frame *f)
{
	struct x86_percpu *p = this_cpu();
	void (*hook)(void) = __atomic_load_n(&tick_hook, __ATOMIC_ACQUIRE);

	(void)f;
	p->ticks++;
	if (hook)
		hook();
	return true;
}

/* Boot CPU, once, after the identity map is ours (the LAPIC page is uncached there). */
void lapic_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	if (base & APIC_BASE_EXTD)
		printf("hyp: the firmware left x2APIC mode on; xAPIC MMIO may not respond\n");
	boot_info.lapic_pa = base & GENMASK(51, 12);
	lapic = (volatile u32 *)boot_info.lapic_pa;
	x86_set_trap_handler(VEC_TIMER, timer_irq);
	lapic_cpu_init();
	calibrate();
}

/*
 * Every CPU: software-enable the APIC with our spurious vector, accept all
 * priorities, mask what we do not use (LINT0: the 8259's virtual wire; the
 * error LVT), keep LINT1 as NMI, timer masked until x86_tick_start().
 * The 8259 PICs are masked too (boot_main()), so nothing legacy arrives.
 */
void lapic_cpu_init(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_NMI);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);
	this_cpu()->apic_id = lapic_id();
}

void x86_tick_start(u64 period_ns, void (*hook)(void))
{
	u64 count = boot_info.lapic_timer_hz * period_ns / 1000000000ULL;

	if (count == 0)
		count = 1;
	if (count > ~0u)
		count = ~0u;
	__atomic_store_n(&tick_hook, hook, __ATOMIC_RELEASE);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, (u32)count);
}

void x86_tick_stop(void)
{
	lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
}

/*
 * Nanoseconds from the TSC: one clock for all CPUs (QEMU's TSCs agree;
 * an invariant TSC on hardware).
 */
u64 x86_time_ns(void)
{
	return (u64)(((unsigned __int128)rdtsc_ordered() * tsc_to_ns_mult) >> 32);
}
