// SPDX-License-Identifier: MIT
/*
 * Hypercalls from the guest's user mode must be refused: user code must
 * not end the VM, give its kernel's pages back, print, or start a vCPU at
 * an entry of its choice.  The hypervisor answers a call from user mode
 * with an undefined-instruction exception at the call (kvm/vcpu.c,
 * arch_vcpu_hypercall_allowed()) and does nothing of it.  Run with 2 vCPUs
 * (vCPU 1 stays off: the CPU_ON case checks it is never started).
 *
 * Each case drops to user mode, makes one call there, and comes back to
 * the kernel through the exception (or, were the call answered, through a
 * return gate right after it); it checks the exception was an undefined
 * instruction at the call, taken from user mode, and that nothing the call
 * asked for happened:
 *   console-write  HC_CONSOLE_WRITE of a line: the result register still
 *                  holds the function ID (no result was written); the log
 *                  must not show the line (tools check it is absent)
 *   give-back      HC_GIVE_BACK of a page holding a pattern: still there
 *   cpu-on         PSCI CPU_ON of vCPU 1 at the payload's entry: it stays
 *                  off (AFFINITY_INFO from the kernel, after a while)
 *   exit           HC_EXIT(0): the VM goes on
 *   report         HC_REPORT of a PASS: no result written (the log must
 *                  not show "PASS user_hypercall/user-mode-report")
 * and last, the kernel's own calls still work (vm-alive).
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
#define USER_DS 0x1b		/* GDT entry 3, RPL 3 */
#define USER_CS 0x23		/* GDT entry 4, RPL 3 */
#define TSS_SEL 0x28
#define VEC_UD 6
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
	uint64_t rax, rbx, rcx, rdx, rsi, rdi;	/* 0 .. 40: the call */
	uint64_t out_rax;			/* 48 */
	uint64_t vector, rip, cs;		/* 56, 64, 72: how it came back */
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
	"	pushq $0x1b\n"				/* SS */
	"	pushq user_stack_top(%rip)\n"		/* RSP */
	"	pushq $0x2\n"				/* RFLAGS, interrupts off */
	"	pushq $0x23\n"				/* CS */
	"	lea user_stub(%rip), %rax\n"
	"	push %rax\n"				/* RIP */
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
	"	int $0x80\n"				/* answered: back with the result */
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
	"	add $8, %rsp\n"				/* the error code */
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

	idt[vec] = (struct idt_gate){ .off_lo = (uint16_t)a, .sel = 0x08, .type = type,
				      .off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32) };
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

	gdt[1] = 0x00af9a000000ffffULL;		/* kernel code, 64-bit (the runtime's 0x08) */
	gdt[2] = 0x00cf92000000ffffULL;		/* kernel data (0x10) */
	gdt[3] = 0x00cff2000000ffffULL;		/* user data, DPL 3 */
	gdt[4] = 0x00affa000000ffffULL;		/* user code, 64-bit, DPL 3 */
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
	set_gate(VEC_RETURN, user_back_ret, 0xee);	/* DPL 3: callable from user mode */

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
		       "rax %#llx\n", what, (unsigned long long)c->vector,
		       (unsigned long long)c->rip, (unsigned long long)c->cs,
		       (unsigned long long)c->out_rax);
	return ok;
}

void test_main(void)
{
	struct user_call c;
	bool ok;

	if (!check("two-vcpus", hc_vcpu_count() >= 2))
		return;
	user_mode_setup();

	c = (struct user_call){ .rax = HC_CONSOLE_WRITE, .rbx = (uintptr_t)leak_line,
				.rcx = sizeof(leak_line) - 1 };
	ok = user_call_refused("console-write", &c);
	check("console-write-refused", ok && c.out_rax == HC_CONSOLE_WRITE);

	memset(pattern_page, 0xa5, sizeof(pattern_page));
	c = (struct user_call){ .rax = HC_GIVE_BACK, .rbx = (uintptr_t)pattern_page,
				.rcx = sizeof(pattern_page) };
	ok = user_call_refused("give-back", &c);
	for (unsigned int i = 0; i < sizeof(pattern_page); i++)
		if (pattern_page[i] != 0xa5)
			ok = false;
	check("give-back-refused-pattern-intact", ok);

	c = (struct user_call){ .rax = PSCI_CPU_ON64, .rbx = 1, .rcx = guest_cpu_entry(),
				.rdx = 1 };
	ok = user_call_refused("cpu-on", &c);
	/* Give a started vCPU time to show up: 20 ms, twenty scheduler ticks. */
	for (uint64_t t = hc_time_ns(); hc_time_ns() - t < 20000000;)
		guest_cpu_relax();
	check("cpu-on-refused-vcpu1-stays-off",
	      ok && hc_call(PSCI_AFFINITY_INFO64, 1, 0, 0, 0, 0) == PSCI_AFF_OFF);

	c = (struct user_call){ .rax = HC_EXIT, .rbx = 0 };
	check("exit-refused", user_call_refused("exit", &c));

	c = (struct user_call){ .rax = HC_REPORT, .rbx = (uintptr_t)"user-mode-report",
				.rcx = 1 };
	check("report-refused", user_call_refused("report", &c) && c.out_rax == HC_REPORT);

	user_mode_teardown();
	check("vm-alive-kernel-calls-work", hc_time_ns() != 0 && hc_vcpu_index() == 0);
}

#endif /* __x86_64__ */
