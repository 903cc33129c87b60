// SPDX-License-Identifier: MIT
/*
 * x86_trap(): where every interrupt and exception arrives (vectors.S).
 * Registered handlers first; an exception nobody handles is reported
 * (vector, error code, RIP, CR2, registers) and the CPU stops, as on arm64.
 *
 * The report uses snprintf and console_write(), not printf: the exception
 * may have interrupted printf on this very CPU, holding stdout's lock.
 */
#include <stdarg.h>
#include <stdio.h>

#include "arch_priv.h"
#include "exception.h"
#include "platform.h"
#include "x86.h"

static x86_trap_handler_t handlers[256];

void x86_set_trap_handler(unsigned int vector, x86_trap_handler_t fn)
{
	__atomic_store_n(&handlers[vector & 0xff], fn, __ATOMIC_RELEASE);
}

/* Intel SDM vol. 3A, Table 6-1; AMD APM vol. 2, Table 8-1. */
static const char *const exc_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating point",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating point",
	[20] = "#VE virtualization",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security",
};

static void report(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n > 0)
		console_write(buf, (size_t)n < size ? (size_t)n : size - 1);
}

/* #PF error code bits (Intel SDM vol. 3A, 4.7 "Page-Fault Exceptions"). */
static void pf_decode(char *buf, size_t size, u64 err)
{
	snprintf(buf, size, " (%s, %s%s%s)", err & 1 ? "protection" : "not present",
		 err & 2 ? "write" : "read", err & 4 ? ", user" : "",
		 err & 16 ? ", instruction fetch" : "");
}

static void __attribute__((noreturn)) fatal(struct x86_frame *f)
{
	unsigned int cpu = arch_cpu_id(), v = f->vector;
	const char *name = v < 32 && exc_names[v] ? exc_names[v] : "interrupt";
	char buf[256], extra[64] = "";

	if (v == 14)
		pf_decode(extra, sizeof(extra), f->error);
	report(buf, sizeof(buf), "\nhyp: cpu%u: exception %s (vector %u), error code 0x%llx%s\n",
	       cpu, name, v, (unsigned long long)f->error, extra);
	report(buf, sizeof(buf), "  rip %016llx  cs %04llx  rflags %016llx\n",
	       (unsigned long long)f->rip, (unsigned long long)f->cs,
	       (unsigned long long)f->rflags);
	report(buf, sizeof(buf), "  rsp %016llx  ss %04llx  cr2 %016llx  cr3 %016llx\n",
	       (unsigned long long)f->rsp, (unsigned long long)f->ss,
	       (unsigned long long)read_cr2(), (unsigned long long)read_cr3());
	report(buf, sizeof(buf),
	       "  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n"
	       "  rsi %016llx  rdi %016llx  rbp %016llx  r8  %016llx\n",
	       (unsigned long long)f->rax, (unsigned long long)f->rbx, (unsigned long long)f->rcx,
	       (unsigned long long)f->rdx, (unsigned long long)f->rsi, (unsigned long long)f->rdi,
	       (unsigned long long)f->rbp, (unsigned long long)f->r8);
	report(buf, sizeof(buf),
	       "  r9  %016llx  r10 %016llx  r11 %016llx  r12 %016llx\n"
	       "  r13 %016llx  r14 %016llx  r15 %016llx\n",
	       (unsigned long long)f->r9, (unsigned long long)f->r10, (unsigned long long)f->r11,
	       (unsigned long long)f->r12, (unsigned long long)f->r13, (unsigned long long)f->r14,
	       (unsigned long long)f->r15);
	if (!arch_stack_ok(cpu))
		report(buf, sizeof(buf), "  (cpu%u's stack overflowed: its canary is gone)\n", cpu);
	/* tools/qemu-run.sh ends the run on this line. */
	report(buf, sizeof(buf), "hyp: cpu%u stopped\n", cpu);
	arch_cpu_stop();
}

void x86_trap(struct x86_frame *f)
{
	unsigned int v = f->vector;
	x86_trap_handler_t fn = __atomic_load_n(&handlers[v], __ATOMIC_ACQUIRE);

	if (v < 32) {
		if (fn && fn(f))
			return;
		fatal(f);
	}
	/* Spurious LAPIC interrupts get no EOI (Intel SDM vol. 3A, "Spurious Interrupt"). */
	if (v == VEC_SPURIOUS)
		return;
	if (!fn)
		fatal(f);
	fn(f);
	lapic_eoi();
}
