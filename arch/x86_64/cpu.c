// SPDX-License-Identifier: MIT
/*
 * The platform half of kvm/arch/ on x86-64: CPUs, RAM, boot
 * arguments, time, the tick, interrupts, threads, kicks.  The SVM half is
 * vcpu.c, exits.c, stage2.c.
 */
#include <stdio.h>
#include <string.h>

#include "kvm/arch/console.h"
#include "kvm/arch/cpu.h"
#include "kvm/arch/platform.h"
#include "kvm/arch/virq.h"
#include "kvm/platform/platform.h"

#include "arch_priv.h"
#include "exception.h"
#include "platform.h"
#include "x86.h"

unsigned int arch_nr_cpus(void)
{
	return boot_info.nr_cpus;
}

int arch_console_getc(void)
{
	return uart_getc();
}

unsigned int arch_free_ram(struct arch_ram_range *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < boot_info.nr_free && n < max; i++, n++)
		out[n] = (struct arch_ram_range){ boot_info.free[i].base, boot_info.free[i].size };
	return n;
}

/*
 * QEMU's firmware configuration device (docs/specs/fw_cfg.rst in QEMU):
 * a 16-bit selector port and an 8-bit data port; the file directory at
 * selector 0x19 lists big-endian {size, select, reserved, name[56]}.  The
 * UEFI removable-media boot passes no load options, so the boot arguments
 * come from "-fw_cfg name=opt/hyp/cmdline,string=..." when the stub had none.
 */
#define FW_CFG_SEL	 0x510
#define FW_CFG_DATA	 0x511
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_FILE_DIR	 0x19
#define FW_CFG_CMDLINE	 "opt/hyp/cmdline"
/* Room for the longest run list make test passes, several times over. */
#define BOOT_ARGS_MAX 8192

static void fw_cfg_read(void *buf, size_t n)
{
	u8 *p = buf;

	for (size_t i = 0; i < n; i++)
		p[i] = inb(FW_CFG_DATA);
}

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void fw_cfg_cmdline(char *out, size_t max)
{
	u8 sig[4], ent[64];
	u32 count;

	outw(FW_CFG_SEL, FW_CFG_SIGNATURE);
	fw_cfg_read(sig, 4);
	if (memcmp(sig, "QEMU", 4))
		return;
	outw(FW_CFG_SEL, FW_CFG_FILE_DIR);
	fw_cfg_read(ent, 4);
	count = be32(ent);
	for (u32 i = 0; i < count; i++) {
		u32 size;
		u16 sel;

		fw_cfg_read(ent, sizeof(ent));
		if (strncmp((const char *)ent + 8, FW_CFG_CMDLINE, 56))
			continue;
		size = be32(ent);
		sel = (u16)(ent[4] << 8 | ent[5]);
		if (size >= max) {
			printf("hyp: the boot arguments (%u bytes) do not fit in %zu: refused\n",
			       size, max - 1);
			snprintf(out, max, "%s", X86_CMDLINE_TOO_LONG);
			return;
		}
		outw(FW_CFG_SEL, sel);
		fw_cfg_read(out, size);
		out[size] = 0;
		return;
	}
}

const char *arch_boot_args(void)
{
	static char args[BOOT_ARGS_MAX];
	static bool done;

	if (!done) {
		const char *h = boot_info.handoff->cmdline;

		if (h[0])
			snprintf(args, sizeof(args), "%s", h);
		else
			fw_cfg_cmdline(args, sizeof(args));
		done = true;
	}
	return args;
}

/* ---- time, tick, interrupts ---------------------------------------------------------------------- */

u64 arch_time_ns(void)
{
	return x86_time_ns();
}

void arch_tick_start(u64 period_ns)
{
	x86_tick_start(period_ns, kvm_sched_tick);
}

unsigned long arch_irq_save(void)
{
	unsigned long flags = read_rflags();

	__asm__ volatile("cli" : : : "memory");
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

void arch_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

/* STI's one-instruction shadow makes "sti; hlt" sleep without missing an interrupt. */
void arch_wait_for_interrupt(void)
{
	unsigned long flags = read_rflags();

	__asm__ volatile("sti; hlt" : : : "memory");
	if (!(flags & RFLAGS_IF))
		__asm__ volatile("cli" : : : "memory");
}

/* VEC_IPI: nothing to do but arrive (an exit from the guest, the end of a HLT); EOI by x86_trap(). */
static bool ipi_irq(struct x86_frame *f)
{
	(void)f;
	return true;
}

static void __attribute__((constructor)) kvm_arch_init(void)
{
	x86_set_trap_handler(VEC_IPI, ipi_irq);
}

void arch_cpu_kick(unsigned int cpu)
{
	unsigned long flags;

	if (cpu >= boot_info.nr_cpus || cpu == arch_cpu_id())
		return;
	/* ICR_HI then ICR_LO: nothing on this CPU may send in between. */
	flags = arch_irq_save();
	lapic_send_ipi(boot_info.cpu_apic_id[cpu], ICR_FIXED | VEC_IPI);
	arch_irq_restore(flags);
}

/* ---- threads -------------------------------------------------------------------------------------- */

void arch_thread_start(void);
void arch_thread_returned(void) __attribute__((noreturn));

void arch_thread_returned(void)
{
	static const char msg[] = "hyp: a thread's function returned\n";

	console_write(msg, sizeof(msg) - 1);
	arch_cpu_stop();
}

/*
 * The frame arch_thread_switch pops: r15, r14, r13, r12 (= @arg), rbx (= @fn),
 * rbp, then the return address arch_thread_start.
 */
void arch_thread_init(struct arch_thread *t, void *stack_top, void (*fn)(void *), void *arg)
{
	u64 *sp = (u64 *)((u64)stack_top & ~15ULL);

	*--sp = 0; /* alignment, and the end of backtraces */
	*--sp = (u64)arch_thread_start;
	*--sp = 0;	  /* rbp */
	*--sp = (u64)fn;  /* rbx */
	*--sp = (u64)arg; /* r12 */
	*--sp = 0;	  /* r13 */
	*--sp = 0;	  /* r14 */
	*--sp = 0;	  /* r15 */
	t->rsp = (u64)sp;
}

/* ---- the interrupt controller's CPU interface: none on x86 yet ---------------------------------- */

/*
 * kvm/devices/vgic.c is arm64's; the x86 platform table has no interrupt
 * controller, so nothing calls these.  They exist for the interface's sake: no slots, nothing
 * ever signalled, no virtual timer.
 */
unsigned int arch_vgic_nr_slots(void)
{
	return 0;
}

void arch_vgic_flush(struct arch_vcpu *v, const struct arch_virq *irqs, unsigned int n, bool more)
{
	(void)v;
	(void)irqs;
	(void)n;
	(void)more;
}

unsigned int arch_vgic_sync(struct arch_vcpu *v, struct arch_virq *irqs)
{
	(void)v;
	(void)irqs;
	return 0;
}

bool arch_vgic_would_signal(const struct arch_vcpu *v, u8 priority, bool group1)
{
	(void)v;
	(void)priority;
	(void)group1;
	return false;
}

bool arch_vcpu_timer_level(struct arch_vcpu *v)
{
	(void)v;
	return false;
}

u64 arch_vcpu_timer_deadline_ns(const struct arch_vcpu *v)
{
	(void)v;
	return ~0ULL;
}

/* x86 VMs: COM1 on its ports, no interrupt controller yet (kvm/platform/platform.c). */
const struct vm_platform *arch_vm_platform(void)
{
	return &vm_platform_x86_64;
}
