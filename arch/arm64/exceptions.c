// SPDX-License-Identifier: MIT
/*
 * EL2 exceptions that nobody handles: report them and stop the CPU.  The
 * report is formatted with vsnprintf into one per-CPU buffer (not the stack,
 * which may be what broke) and written with one console_write(), so it is
 * neither split by another CPU's output nor dependent on stdio locks the
 * interrupted code may hold.
 */
#include <stdarg.h>
#include <stdio.h>

#include "exception.h"
#include "pl011.h"
#include "platform.h"
#include "sysreg.h"

/* Exception classes, Arm ARM ESR_EL2.EC ("Exception Class"). */
static const char *const ec_names[64] = {
	[0x00] = "unknown reason",
	[0x01] = "WFI/WFE",
	[0x03] = "AArch32 MCR/MRC cp15",
	[0x04] = "AArch32 MCRR/MRRC cp15",
	[0x05] = "AArch32 MCR/MRC cp14",
	[0x06] = "AArch32 LDC/STC cp14",
	[0x07] = "SVE/SIMD/FP access",
	[0x0a] = "LD64B/ST64B",
	[0x0c] = "AArch32 MRRC cp14",
	[0x0d] = "branch target exception",
	[0x0e] = "illegal execution state",
	[0x11] = "AArch32 SVC",
	[0x12] = "AArch32 HVC",
	[0x13] = "AArch32 SMC",
	[0x15] = "SVC",
	[0x16] = "HVC",
	[0x17] = "SMC",
	[0x18] = "MSR/MRS/system instruction",
	[0x19] = "SVE access",
	[0x1a] = "ERET",
	[0x1c] = "pointer authentication failure",
	[0x1d] = "SME access",
	[0x20] = "instruction abort from a lower EL",
	[0x21] = "instruction abort from EL2",
	[0x22] = "PC alignment fault",
	[0x24] = "data abort from a lower EL",
	[0x25] = "data abort from EL2",
	[0x26] = "SP alignment fault",
	[0x27] = "memory operation (MOPS)",
	[0x28] = "AArch32 FP exception",
	[0x2c] = "FP exception",
	[0x2f] = "SError",
	[0x30] = "breakpoint from a lower EL",
	[0x31] = "breakpoint from EL2",
	[0x32] = "software step from a lower EL",
	[0x33] = "software step from EL2",
	[0x34] = "watchpoint from a lower EL",
	[0x35] = "watchpoint from EL2",
	[0x38] = "AArch32 BKPT",
	[0x3a] = "AArch32 vector catch",
	[0x3c] = "BRK",
};

const char *esr_class_name(unsigned int ec)
{
	if (ec < 64 && ec_names[ec])
		return ec_names[ec];
	return "?";
}

/* Fault status codes of aborts (Arm ARM ESR_EL2, ISS DFSC/IFSC), 4K granule. */
static const char *fsc_name(unsigned int fsc)
{
	switch (fsc & 0x3c) {
	case 0x00:
		return "address size fault";
	case 0x04:
		return "translation fault";
	case 0x08:
		return "access flag fault";
	case 0x0c:
		return "permission fault";
	}
	switch (fsc) {
	case 0x10:
		return "synchronous external abort";
	case 0x21:
		return "alignment fault";
	case 0x30:
		return "TLB conflict abort";
	}
	return "other fault";
}

static const char *const kind_types[4] = { "synchronous exception", "IRQ", "FIQ", "SError" };
static const char *const kind_groups[4] = {
	"EL2 on SP_EL0",
	"EL2",
	"a lower EL (AArch64)",
	"a lower EL (AArch32)",
};

static bool ec_is_abort(unsigned int ec)
{
	return ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
}

/* The whole report, written with a single console_write(). */
struct report {
	size_t len;
	char buf[1536];
};

static void __attribute__((format(printf, 2, 3))) emit(struct report *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
	/* Truncation only shortens the report. */
	if (n > 0)
		r->len = r->len + n < sizeof(r->buf) ? r->len + n : sizeof(r->buf) - 1;
}

static void emit_abort(struct report *r, unsigned int ec, unsigned int iss)
{
	unsigned int fsc = iss & 0x3f;

	emit(r, "  %s", fsc_name(fsc));
	if (fsc < 0x10)
		emit(r, ", level %u", fsc & 3);
	if ((ec & ~1u) == 0x24) /* data aborts: ISS.WnR, bit 6 */
		emit(r, (iss & BIT(6)) ? ", write" : ", read");
	emit(r, "\n");
}

static void emit_registers(struct report *r, const struct exc_frame *f)
{
	for (int i = 0; i < 30; i += 2)
		emit(r, "  x%-2d 0x%016llx  x%-2d 0x%016llx\n", i, (unsigned long long)f->x[i],
		     i + 1, (unsigned long long)f->x[i + 1]);
	emit(r, "  x30 0x%016llx  sp  0x%016llx\n", (unsigned long long)f->x[30],
	     (unsigned long long)f->sp);
}

static void report(const struct exc_frame *f, u64 kind, unsigned int cpu)
{
	static struct report reports[MAX_CPUS];
	struct report *r = &reports[cpu % MAX_CPUS];
	unsigned int ec = (f->esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
	unsigned int iss = f->esr & ESR_ISS_MASK;

	r->len = 0;
	emit(r, "\nhyp: PANIC on cpu%u: unexpected %s from %s\n", cpu, kind_types[kind & 3],
	     kind_groups[(kind >> 2) & 3]);
	emit(r, "  ESR_EL2 0x%08llx  EC 0x%02x (%s)  IL %u  ISS 0x%07x\n",
	     (unsigned long long)f->esr, ec, esr_class_name(ec), !!(f->esr & ESR_IL), iss);
	if ((kind & 3) == EXC_SYNC && ec_is_abort(ec))
		emit_abort(r, ec, iss);
	emit(r, "  ELR_EL2 0x%016llx  FAR_EL2 0x%016llx  SPSR_EL2 0x%08llx\n",
	     (unsigned long long)f->elr, (unsigned long long)f->far, (unsigned long long)f->spsr);
	emit_registers(r, f);
	if (!arch_stack_ok(cpu))
		emit(r, "  stack canary of cpu%u overwritten: stack overflow?\n", cpu);
	emit(r, "hyp: cpu%u stopped\n", cpu);
	console_write(r->buf, r->len);
}

static unsigned char in_report[MAX_CPUS];

void el2_exception(struct exc_frame *frame, u64 kind)
{
	unsigned int cpu = arch_cpu_id();

	/*
	 * Guest exits (EXC_GROUP_LOWER_A64) go to guest_entry.S and IRQs at
	 * EL2 to gic.c:el2_irq(); what reaches here is unexpected.
	 */
	if (cpu < MAX_CPUS && in_report[cpu]++) {
		/* Faulted while reporting (bad stack?): say the least possible. */
		static const char msg[] =
			"\nhyp: PANIC: exception while reporting an exception\nhyp: cpu stopped\n";

		pl011_write(msg, sizeof(msg) - 1);
		arch_cpu_stop();
	}
	report(frame, kind, cpu);
	arch_cpu_stop();
}
