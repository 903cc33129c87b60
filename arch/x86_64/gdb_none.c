// SPDX-License-Identifier: MIT
/*
 * Guest debugging (kvm/gdbstub.c) is not on x86 yet: no debug channel, so
 * the stub never attaches, and the rest of the interface answers "none"
 * (no registers, no breakpoint slots, no translation).  What it would take:
 * a second COM port as the channel, the #DB/#BP exception intercepts, the
 * guest's DR0-DR3/DR7 in the VMCB, RFLAGS.TF for single step, and a walk of
 * the guest's own long-mode tables from its CR3.
 */
#include <errno.h>

#include "kvm/arch_iface.h"

int arch_debug_chan_open(void)
{
	return -ENODEV;
}

int arch_debug_chan_getc(void)
{
	return -1;
}

void arch_debug_chan_putc(u8 c)
{
	(void)c;
}

unsigned int arch_gdb_nr_regs(void)
{
	return 0;
}

unsigned int arch_gdb_get_reg(const struct arch_vcpu *v, unsigned int n, u8 *buf)
{
	(void)v;
	(void)n;
	(void)buf;
	return 0;
}

unsigned int arch_gdb_set_reg(struct arch_vcpu *v, unsigned int n, const u8 *buf)
{
	(void)v;
	(void)n;
	(void)buf;
	return 0;
}

const char *arch_gdb_target_xml(void)
{
	return "<?xml version=\"1.0\"?><target><architecture>i386:x86-64</architecture></target>";
}

/* INT3 (Intel SDM vol. 2A), one byte. */
u32 arch_sw_breakpoint_insn(unsigned int *size)
{
	*size = 1;
	return 0xcc;
}

void arch_vcpu_set_debug(struct arch_vcpu *v, bool on)
{
	(void)v;
	(void)on;
}

void arch_vcpu_set_single_step(struct arch_vcpu *v, bool on)
{
	(void)v;
	(void)on;
}

unsigned int arch_hw_breakpoint_slots(void)
{
	return 0;
}

void arch_vcpu_set_hw_breakpoints(struct arch_vcpu *v, const u64 *addrs, unsigned int n)
{
	(void)v;
	(void)addrs;
	(void)n;
}

int arch_vcpu_translate(const struct arch_vcpu *v, u64 gva, u64 *gpa, u64 *len,
			int (*read64)(void *ctx, u64 gpa, u64 *val), void *ctx)
{
	(void)v;
	(void)gva;
	(void)gpa;
	(void)len;
	(void)read64;
	(void)ctx;
	return -EFAULT;
}

/* x86 instruction fetches snoop stores: nothing to do (Intel SDM vol. 3A, 11.6). */
void arch_sync_icache(void)
{
}
