// SPDX-License-Identifier: MIT
/*
 * Hypercalls from the guest's user mode must be refused: user code must
 * not end the VM, give its kernel's pages back, print, report, or start a
 * vCPU at an entry of its choice.  Run with 2 vCPUs (vCPU 1 stays off: the
 * CPU_ON case checks it is never started).  Each case drops to user mode,
 * makes one call there, comes back to the kernel through the exception,
 * and checks the exception was an undefined instruction at the call, taken
 * from user mode, and that nothing the call asked for happened; last, the
 * kernel's own calls still work.  The two architectures have a half each:
 *
 * x86-64 (CPL 3): the hypervisor answers a VMMCALL from CPL 3 with #UD at
 * the call (kvm/vcpu.c, arch_vcpu_hypercall_allowed()).
 *
 * arm64 (EL0): HVC and SMC at EL0 are UNDEFINED (Arm ARM C6 "HVC", "SMC":
 * "at EL0 ... UNDEFINED"), whatever HCR_EL2 says (TSC traps EL1's SMC
 * only): the CPU itself refuses them, the hypervisor never sees one.
 */
#if defined(__x86_64__)

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "psci.h"

/*
 * x86-64: CPL 3 needs user segments, a TSS whose RSP0 is where exceptions
 * from CPL 3 switch to, and pages the user may touch (U/S = 1 at every
 * level, Intel SDM vol. 3A 4.6).  The payload builds its own GDT (the
 * runtime's two descriptors, user data and 64-bit code at DPL 3, a TSS)
 * and, for the time of one excursion, its own IDT: the runtime's 32
 * exception gates with #UD, #GP and #PF sent to a stub that returns to the
 * kernel, and vector 0x80 as a DPL 3 gate the user code calls when the
 * hypercall returned.  GiB 1 of the runtime's identity map (RAM) is made
 * user-accessible for the test and restored after it.
 */
#define USER_DS	   0x1b /* GDT entry 3, RPL 3 */
#define USER_CS	   0x23 /* GDT entry 4, RPL 3 */
#define TSS_SEL	   0x28
#define VEC_UD	   6
#define VEC_RETURN 0x80

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS (SDM vol. 3A, 7.7)");

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* What user_run() loads, and what came back (offsets used by the assembly below). */
struct user_call {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi; /* 0 .. 40: the call */
	uint64_t out_rax;		       /* 48 */
	uint64_t vector, rip, cs;	       /* 56, 64, 72: how it came back */
};

static uint64_t gdt[8] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
static uint8_t kernel_stack[8192] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static uint8_t pattern_page[4096] __attribute__((aligned(4096)));
static const char leak_line[] = "user_hypercall: LEAKED from user mode\n";

/* For the assembly: the kernel's stack pointer during an excursion, and the call. */
uint64_t user_kernel_rsp, user_stack_top, user_scratch;
struct user_call *user_cur;

extern char user_stub[], user_back_ud[], user_back_gp[], user_back_pf[], user_back_ret[];
extern uint64_t guest_pml4[512], guest_pdpt[512];
int user_run(struct user_call *c);

__asm__(".text\n"
	".global user_run\n"
	"user_run:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	mov %rsp, user_kernel_rsp(%rip)\n"
	"	mov %rdi, user_cur(%rip)\n"
	"	pushq $0x1b\n"		      /* SS */
	"	pushq user_stack_top(%rip)\n" /* RSP */
	"	pushq $0x2\n"		      /* RFLAGS, interrupts off */
	"	pushq $0x23\n"		      /* CS */
	"	lea user_stub(%rip), %rax\n"
	"	push %rax\n" /* RIP */
	"	mov 8(%rdi), %rbx\n"
	"	mov 16(%rdi), %rcx\n"
	"	mov 24(%rdi), %rdx\n"
	"	mov 32(%rdi), %rsi\n"
	"	mov 0(%rdi), %rax\n"
	"	mov 40(%rdi), %rdi\n"
	"	iretq\n"
	/* CPL 3 from here */
	".global user_stub\n"
	"user_stub:\n"
	"	vmmcall\n"
	"	int $0x80\n" /* answered: back with the result */
	"2:	jmp 2b\n"
	/* CPL 0 again, on tss.rsp0: [error code,] RIP, CS, RFLAGS, RSP, SS */
	".global user_back_ret, user_back_ud, user_back_gp, user_back_pf\n"
	"user_back_ret:\n"
	"	pushq $0x80\n"
	"	jmp 3f\n"
	"user_back_ud:\n"
	"	pushq $6\n"
	"	jmp 3f\n"
	"user_back_gp:\n"
	"	add $8, %rsp\n" /* the error code */
	"	pushq $13\n"
	"	jmp 3f\n"
	"user_back_pf:\n"
	"	add $8, %rsp\n"
	"	pushq $14\n"
	"3:	mov %rax, user_scratch(%rip)\n"
	"	mov user_cur(%rip), %rax\n"
	"	popq 56(%rax)\n"
	"	popq 64(%rax)\n"
	"	popq 72(%rax)\n"
	"	mov user_scratch(%rip), %rdi\n"
	"	mov %rdi, 48(%rax)\n"
	"	mov user_kernel_rsp(%rip), %rsp\n"
	"	mov $0x10, %eax\n"
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	mov %eax, %ss\n"
	"	mov %eax, %fs\n"
	"	mov %eax, %gs\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	xor %eax, %eax\n"
	"	ret\n");

static void set_gate(unsigned int vec, const void *fn, uint8_t type)
{
	uintptr_t a = (uintptr_t)fn;

	idt[vec] = (struct idt_gate){ .off_lo = (uint16_t)a,
				      .sel = 0x08,
				      .type = type,
				      .off_mid = (uint16_t)(a >> 16),
				      .off_hi = (uint32_t)(a >> 32) };
}

static struct dtr runtime_idtr;

/*
 * A page-table entry by one plain 8-byte MOV: a shadow MMU emulates that
 * store to a write-protected guest table (an OR into memory, which the
 * compiler would otherwise emit, was seen to hang the shadow MMU on the
 * active PML4).
 */
static void set_pte(uint64_t *pte, uint64_t val)
{
	__asm__ volatile("movq %1, %0" : "=m"(*pte) : "r"(val) : "memory");
}

static void user_mode_setup(void)
{
	struct dtr gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	uint64_t base = (uintptr_t)&tss;
	struct dtr cur;

	gdt[1] = 0x00af9a000000ffffULL; /* kernel code, 64-bit (the runtime's 0x08) */
	gdt[2] = 0x00cf92000000ffffULL; /* kernel data (0x10) */
	gdt[3] = 0x00cff2000000ffffULL; /* user data, DPL 3 */
	gdt[4] = 0x00affa000000ffffULL; /* user code, 64-bit, DPL 3 */
	/* 64-bit TSS, available (type 9), present: SDM vol. 3A, 7.2.3 */
	gdt[5] = (sizeof(tss) - 1) | (base & 0xffffff) << 16 | 0x89ULL << 40 |
		 ((base >> 24) & 0xff) << 56;
	gdt[6] = base >> 32;
	tss.rsp[0] = (uintptr_t)kernel_stack + sizeof(kernel_stack);
	tss.iomap = sizeof(tss);
	user_stack_top = (uintptr_t)user_stack + sizeof(user_stack);
	__asm__ volatile("lgdt %0; ltr %w1" : : "m"(gdtr), "r"(TSS_SEL) : "memory");

	/* The runtime's exception gates, then ours. */
	__asm__ volatile("sidt %0" : "=m"(cur));
	runtime_idtr = cur;
	memcpy(idt, (const void *)cur.base, cur.limit + 1);
	set_gate(VEC_UD, user_back_ud, 0x8e);
	set_gate(13, user_back_gp, 0x8e);
	set_gate(14, user_back_pf, 0x8e);
	set_gate(VEC_RETURN, user_back_ret, 0xee); /* DPL 3: callable from user mode */

	/* RAM (GiB 1) user-accessible: U/S at the PML4 and the 1 GiB PDPT entry. */
	set_pte(&guest_pml4[0], guest_pml4[0] | 4);
	set_pte(&guest_pdpt[1], guest_pdpt[1] | 4);
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
}

static void user_mode_teardown(void)
{
	set_pte(&guest_pdpt[1], guest_pdpt[1] & ~4ULL);
	set_pte(&guest_pml4[0], guest_pml4[0] & ~4ULL);
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
}

/* One call from CPL 3; true if it came back as #UD at the VMMCALL, from user mode. */
static bool user_call_refused(const char *what, struct user_call *c)
{
	struct dtr ours = { sizeof(idt) - 1, (uintptr_t)idt };
	bool ok;

	__asm__ volatile("lidt %0" : : "m"(ours) : "memory");
	user_run(c);
	__asm__ volatile("lidt %0" : : "m"(runtime_idtr) : "memory");
	ok = c->vector == VEC_UD && c->rip == (uintptr_t)user_stub && (c->cs & 3) == 3;
	if (!ok)
		printf("user_hypercall: %s came back as vector %#llx at rip %#llx, cs %#llx, "
		       "rax %#llx\n",
		       what, (unsigned long long)c->vector, (unsigned long long)c->rip,
		       (unsigned long long)c->cs, (unsigned long long)c->out_rax);
	return ok;
}

void test_main(void)
{
	struct user_call c;
	bool ok;

	if (!check("two-vcpus", hc_vcpu_count() >= 2))
		return;
	user_mode_setup();

	c = (struct user_call){ .rax = HC_CONSOLE_WRITE,
				.rbx = (uintptr_t)leak_line,
				.rcx = sizeof(leak_line) - 1 };
	ok = user_call_refused("console-write", &c);
	check("console-write-refused", ok && c.out_rax == HC_CONSOLE_WRITE);

	memset(pattern_page, 0xa5, sizeof(pattern_page));
	c = (struct user_call){ .rax = HC_GIVE_BACK,
				.rbx = (uintptr_t)pattern_page,
				.rcx = sizeof(pattern_page) };
	ok = user_call_refused("give-back", &c);
	for (unsigned int i = 0; i < sizeof(pattern_page); i++)
		if (pattern_page[i] != 0xa5)
			ok = false;
	check("give-back-refused-pattern-intact", ok);

	c = (struct user_call){
		.rax = PSCI_CPU_ON64, .rbx = 1, .rcx = guest_cpu_entry(), .rdx = 1
	};
	ok = user_call_refused("cpu-on", &c);
	/* Give a started vCPU time to show up: 20 ms, twenty scheduler ticks. */
	for (uint64_t t = hc_time_ns(); hc_time_ns() - t < 20000000;)
		guest_cpu_relax();
	check("cpu-on-refused-vcpu1-stays-off",
	      ok && hc_call(PSCI_AFFINITY_INFO64, 1, 0, 0, 0, 0) == PSCI_AFF_OFF);

	c = (struct user_call){ .rax = HC_EXIT, .rbx = 0 };
	check("exit-refused", user_call_refused("exit", &c));

	c = (struct user_call){ .rax = HC_REPORT, .rbx = (uintptr_t) "user-mode-report", .rcx = 1 };
	check("report-refused", user_call_refused("report", &c) && c.out_rax == HC_REPORT);

	user_mode_teardown();
	check("vm-alive-kernel-calls-work", hc_time_ns() != 0 && hc_vcpu_index() == 0);
}

#endif /* __x86_64__ */

#if defined(__aarch64__)

/*
 * arm64: from EL0 (runtime/guest_el0_call(), an EL0 alias of RAM), each
 * call must be an undefined instruction exception taken to EL1 from EL0
 * (vector "EL0/64 sync", ESR_EL1.EC 0, ELR_EL1 the HVC/SMC itself), x0
 * unchanged, and nothing else happen:
 *   el0-hvc-exit        HC_EXIT: the VM goes on (every later case)
 *   el0-hvc-give-back   HC_GIVE_BACK of a patterned page: pattern intact
 *   el0-hvc-console     HC_CONSOLE_WRITE of "LEAKED FROM EL0": no line in
 *                       the log (only the log can show that; x0 unchanged)
 *   el0-hvc-report      HC_REPORT of a PASS: no "user-mode-report" line
 *   el0-hvc-cpu-on      PSCI CPU_ON64 of vCPU 1: it stays off
 *   el0-smc-exit, el0-smc-cpu-on   the same over SMC
 *   vm-alive            afterwards, from EL1: HC_CONSOLE_WRITE answers,
 *                       the page still holds its pattern, vCPU 1 is off
 * Bare (plain QEMU at EL1): the CPU's own UNDEFs, the same checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "psci.h"

/* EL0 code: one call, then SVC #0 back to guest_el0_call()'s caller. */
__asm__(".text\n"
	".balign 4\n"
	".global el0_hvc\n"
	"el0_hvc:\n"
	"	hvc	#0\n"
	"	svc	#0\n"
	".global el0_smc\n"
	"el0_smc:\n"
	"	smc	#0\n"
	"	svc	#0\n");
extern char el0_hvc[], el0_smc[];

#define PATTERN	  0x5a5aa5a5c3c33c3cULL
#define LEAK_TEXT "user_hypercall: LEAKED FROM EL0\n"

static uint64_t page[GUEST_PAGE_SIZE / 8] __attribute__((aligned(GUEST_PAGE_SIZE)));
static uint64_t el0_stack[64] __attribute__((aligned(16)));
static const char leak_text[] = LEAK_TEXT;

static bool pattern_intact(void)
{
	for (unsigned int i = 0; i < GUEST_PAGE_SIZE / 8; i++)
		if (page[i] != (PATTERN ^ i))
			return false;
	return true;
}

/*
 * @insn's code at EL0 with the given x0..x5: true if it was refused as the
 * architecture says (UNDEF from EL0 at the instruction, x0 unchanged).
 */
static bool el0_refused(const char *name, char *insn, uint64_t a0, uint64_t a1, uint64_t a2,
			uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };
	uintptr_t entry = guest_el0_alias((uintptr_t)insn);
	uintptr_t sp = guest_el0_alias((uintptr_t)&el0_stack[64]);
	struct guest_abort a;
	long ret;
	bool seen, ok;

	guest_expect_abort();
	ret = guest_el0_call(entry, sp, args);
	seen = guest_abort_seen(&a);
	ok = seen && a.kind == GUEST_ABORT_OTHER && a.vector == 8 && !a.current_el &&
	     (a.syndrome >> 26) == 0 && a.pc == entry && (uint64_t)ret == a0;
	if (!ok)
		printf("user_hypercall: %s: %s, vector %u, ESR %#llx, pc %#llx (entry %#lx), "
		       "x0 %#lx\n",
		       name, seen ? "exception" : "no exception", a.vector,
		       (unsigned long long)a.syndrome, (unsigned long long)a.pc,
		       (unsigned long)entry, ret);
	return ok;
}

/* vCPU 1 is still off some time after the attempt (a started one would be on at once). */
static bool vcpu1_off(void)
{
	uint64_t t0 = hc_time_ns();

	while (hc_time_ns() - t0 < 20000000ULL)
		guest_cpu_relax();
	return guest_cpu_wait_off(1, 0) == 0;
}

void test_main(void)
{
	uintptr_t buf = (uintptr_t)leak_text;
	unsigned int i;

	if (!checkf(guest_cpu_count() >= 2, "%u-vcpus-at-least-2", guest_cpu_count()))
		return;
	for (i = 0; i < GUEST_PAGE_SIZE / 8; i++)
		page[i] = PATTERN ^ i;
	if (!checkf(guest_el0_alias((uintptr_t)el0_hvc) != 0, "el0-alias"))
		return;

	checkf(el0_refused("hvc exit", el0_hvc, HC_EXIT, 77, 0, 0), "el0-hvc-exit");
	checkf(el0_refused("hvc give-back", el0_hvc, HC_GIVE_BACK, (uintptr_t)page, GUEST_PAGE_SIZE,
			   0) &&
		       pattern_intact(),
	       "el0-hvc-give-back");
	checkf(el0_refused("hvc console", el0_hvc, HC_CONSOLE_WRITE, buf, sizeof(LEAK_TEXT) - 1, 0),
	       "el0-hvc-console");
	checkf(el0_refused("hvc report", el0_hvc, HC_REPORT, (uintptr_t) "user-mode-report", 1, 0),
	       "el0-hvc-report");
	checkf(el0_refused("hvc cpu-on", el0_hvc, PSCI_CPU_ON64, 1, guest_cpu_entry(), 1) &&
		       vcpu1_off(),
	       "el0-hvc-cpu-on");
	checkf(el0_refused("smc exit", el0_smc, HC_EXIT, 78, 0, 0), "el0-smc-exit");
	checkf(el0_refused("smc cpu-on", el0_smc, PSCI_CPU_ON64, 1, guest_cpu_entry(), 1) &&
		       vcpu1_off(),
	       "el0-smc-cpu-on");

	checkf(hc_console_write("user_hypercall: EL1 still answered\n", 35) == 35 &&
		       pattern_intact() && guest_cpu_wait_off(1, 0) == 0,
	       "vm-alive");
}

#endif /* __aarch64__ */
