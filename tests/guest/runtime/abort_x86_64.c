// SPDX-License-Identifier: MIT
/*
 * x86-64 guest exceptions: the IDT, the C half of vectors_x86_64.S, and
 * the x86 side of guest.h's expected aborts (the slots and probes are
 * abort.c's).
 *
 * What the hypervisor injects (arch/x86_64/README.md, "Aborts"): an access
 * outside every memslot is a #PF (vector 14) with CR2 = the guest-physical
 * address (the virtual one only because the runtime identity-maps) and an
 * error code of P = 1, W/R = the access, I/D = 1 for a fetch; an I/O port
 * nothing emulates is a #GP(0).  An unexpected exception is a test failure
 * with the facts a person needs (vector, error code, CR2, RIP, registers);
 * the VM then exits.  An expected one resumes where guest.h says: after the
 * faulting instruction for data, at the caller for a fetch.
 */
#include <stdio.h>

#include "abort_slot.h"
#include "arch.h"
#include "guest.h"

#define X86_VEC_GP 13
#define X86_VEC_PF 14
#define PF_ERR_ID  (1u << 4) /* instruction fetch (SDM vol. 3A, 4.7) */

#define IDT_GATE_INTR64 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define GUEST_CODE_SEL	0x08 /* start_x86_64.S's GDT */

/* Pushed by vectors_x86_64.S and the CPU, lowest address first. */
struct x86_exc_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate (SDM vol. 3A, 6.14.1)");

extern const uint64_t x86_exc_stubs[32];
static struct idt_gate idt[32] __attribute__((aligned(16)));

void x86_exception(struct x86_exc_frame *f);

/*
 * Every vCPU, before any exception can happen (start_x86_64.S).  Each
 * writes the same gates, so vCPUs starting together need no ordering.
 */
void x86_exceptions_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	for (unsigned int v = 0; v < 32; v++) {
		uint64_t a = x86_exc_stubs[v];

		idt[v] = (struct idt_gate){
			.off_lo = (uint16_t)a,
			.sel = GUEST_CODE_SEL,
			.type = IDT_GATE_INTR64,
			.off_mid = (uint16_t)(a >> 16),
			.off_hi = (uint32_t)(a >> 32),
		};
	}
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

bool guest_probe_port_read(uint16_t port, struct guest_abort *info)
{
	uint8_t val;

	guest_expect_abort();
	__asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port) : "memory");
	(void)val;
	return guest_abort_seen(info);
}

/*
 * The length of the instruction at p, for the forms a compiler emits for a
 * load or store through a pointer (and port I/O): legacy prefixes, REX,
 * MOV/MOVZX/MOVSX/ALU/TEST with a ModRM memory operand, MOV with an
 * immediate, MOV with a 64-bit offset, IN/OUT; and MOV to/from a control
 * register, RDMSR, WRMSR (the refused writes of tests/guest/paging.c).  0 for
 * anything else.
 * Intel SDM vol. 2A, 2.1 "Instruction Format" and 2.2.1 (REX); ModRM/SIB
 * addressing, tables 2-2 and 2-3.
 */
static unsigned int insn_len(const uint8_t *p)
{
	const uint8_t *start = p;
	bool opsize = false;
	unsigned int imm = 0;
	uint8_t op, modrm, mod, rm;

	for (;; p++) {
		if (*p == 0x66)
			opsize = true;
		else if (*p != 0x67 && *p != 0xf0 && *p != 0xf2 && *p != 0xf3 && *p != 0x2e &&
			 *p != 0x3e && *p != 0x26 && *p != 0x36 && *p != 0x64 && *p != 0x65)
			break;
		if (p - start > 14)
			return 0;
	}
	if ((*p & 0xf0) == 0x40)
		p++; /* REX: no length effect but on moffs/imm64 forms below */
	op = *p++;
	if (op == 0x0f) {
		op = *p++;
		if (op == 0x30 || op == 0x32)
			return p - start; /* WRMSR, RDMSR */
		if (op == 0x20 || op == 0x22)
			return p - start + 1; /* MOV to/from CRn: ModRM is always a register */
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return 0;
	} else if (op >= 0xa0 && op <= 0xa3) {
		return p - start + 8; /* MOV AL/rAX <-> moffs64 */
	} else if (op >= 0xe4 && op <= 0xe7) {
		return p - start + 1; /* IN/OUT imm8 */
	} else if (op >= 0xec && op <= 0xef) {
		return p - start; /* IN/OUT DX */
	} else if (op == 0xc6 || op == 0x80 || op == 0x83) {
		imm = 1;
	} else if (op == 0xc7 || op == 0x81) {
		imm = opsize ? 2 : 4;
	} else if (op == 0xf6 || op == 0xf7) {
		if ((*p >> 3 & 7) == 0) /* TEST r/m, imm */
			imm = op == 0xf6 ? 1 : opsize ? 2 : 4;
	} else if (!(op >= 0x88 && op <= 0x8b) && !(op == 0x84 || op == 0x85) &&
		   !(op < 0x40 && (op & 7) < 4)) {
		return 0; /* not MOV, TEST or ADD..CMP r/m */
	}
	modrm = *p++;
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return 0; /* a register operand cannot fault on memory */
	if (rm == 4 && (*p++ & 7) == 5 && mod == 0)
		p += 4; /* SIB, no base: disp32 */
	else if (mod == 0 && rm == 5)
		p += 4; /* RIP-relative disp32 */
	if (mod == 1)
		p += 1;
	else if (mod == 2)
		p += 4;
	return p - start + imm;
}

static enum guest_abort_kind classify(const struct x86_exc_frame *f)
{
	if (f->vector != X86_VEC_PF)
		return GUEST_ABORT_OTHER;
	return f->error & PF_ERR_ID ? GUEST_ABORT_INSN : GUEST_ABORT_DATA;
}

/*
 * Record an expected exception and choose where to resume: past the
 * faulting instruction, or, for a fetch (RIP = the bad target, the CALL's
 * return address on top of the stack), back at the caller.  false if the
 * resume point is unknown (an instruction insn_len does not know).
 */
static bool take_expected(struct abort_slot *s, struct x86_exc_frame *f, uint64_t cr2)
{
	struct guest_abort *a = &s->info;
	unsigned int len = 0;

	a->kind = classify(f);
	a->syndrome = f->error;
	a->addr = f->vector == X86_VEC_PF ? cr2 : 0;
	a->addr_valid = f->vector == X86_VEC_PF;
	a->pc = f->rip;
	a->vector = f->vector;
	a->current_el = (f->cs & 3) == 0;
	if (a->kind == GUEST_ABORT_INSN) {
		f->rip = *(uint64_t *)f->rsp;
		f->rsp += 8;
	} else {
		len = insn_len((const uint8_t *)f->rip);
		if (!len)
			return false;
		f->rip += len;
	}
	s->armed = false;
	s->seen = true;
	return true;
}

static const char *const vector_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "9",   "#TS",
	"#NP", "#SS", "#GP", "#PF", "15",  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

/*
 * snprintf + hc_console_write, not printf: the exception may have hit
 * inside stdio on this vCPU, whose FILE lock we would then re-enter.
 */
static void report_unexpected(const struct x86_exc_frame *f, uint64_t cr2)
{
	const char *name = vector_names[f->vector & 31];
	char line[192];
	int n;

	n = snprintf(line, sizeof(line),
		     "guest: unexpected exception on vCPU %u: vector %llu (%s), error code %#llx, "
		     "CR2 %#llx, RIP %#llx, RSP %#llx, RFLAGS %#llx\n",
		     arch_cpu_index(), (unsigned long long)f->vector, name ? name : "?",
		     (unsigned long long)f->error, (unsigned long long)cr2,
		     (unsigned long long)f->rip, (unsigned long long)f->rsp,
		     (unsigned long long)f->rflags);
	hc_console_write(line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1);
	n = snprintf(line, sizeof(line),
		     "  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		     "  rsi %016llx rdi %016llx rbp %016llx\n",
		     (unsigned long long)f->rax, (unsigned long long)f->rbx,
		     (unsigned long long)f->rcx, (unsigned long long)f->rdx,
		     (unsigned long long)f->rsi, (unsigned long long)f->rdi,
		     (unsigned long long)f->rbp);
	hc_console_write(line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1);
}

void x86_exception(struct x86_exc_frame *f)
{
	struct abort_slot *s = abort_this_slot();
	uint64_t cr2;

	/* Before anything that could fault again and overwrite it. */
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (s->armed && take_expected(s, f, cr2))
		return;
	report_unexpected(f, cr2);
	check("unexpected-exception", false);
	hc_exit(test_failures());
}
