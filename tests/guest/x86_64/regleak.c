// SPDX-License-Identifier: MIT
/*
 * CPU state must not leak between VMs that share a physical CPU.  Run as
 * two VMs on ONE physical CPU (`regleak:cpu=0+regleak:cpu=0`; arm64's run
 * list uses CPU 1, away from the controller): each writes values of its
 * own (seeded from HC_TIME_NS, so the two differ) into every class of
 * register a guest can write, gives the CPU up long enough for the
 * scheduler to run the other VM there, reads them back and checks its own
 * values are still there; ROUNDS rounds, one check line per class.  A
 * register the hypervisor does not switch per vCPU shows the other VM's
 * value in some round.  The two architectures have a file each:
 * tests/guest/arm64/regleak.c and tests/guest/x86_64/regleak.c.
 *
 * Giving the CPU up: a WFI / HLT with nothing pending is no way to do it
 * (on x86 the wait ends at once: no interrupt controller, kvm/vcpu.c), so each round spins on
 * HC_TIME_NS: the tick preempts the spinning vCPU and the other VM's runs.
 * What proves the CPU shared is HC_VCPU_INFO(3), how often the tick
 * switched this vCPU out for another thread of its CPU ("shared-cpu"; with
 * the two VMs on different CPUs it does not happen at all).  The x86 half
 * spins four ticks a round and wants a switch in half the rounds or more
 * (under QEMU's one-thread TCG a long gap between two readings may be the
 * other physical CPU's emulation); the arm64 half spins until the count
 * moves, so every round has one.
 *
 * This is the x86-64 half.  Which classes, and what the hypervisor must do
 * with each, is
 * arch/<arch>/README.md's table ("What a guest can write" on x86,
 * "Guest-writable CPU state" on arm64).
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"

#define ROUNDS	40
#define SPIN_NS 4000000ULL /* four 1 ms ticks */

#define CR4_FSGSBASE (1ULL << 16)
#define CR4_OSXSAVE  (1ULL << 18)
#define CR4_PKE	     (1ULL << 22)
#define MSR_LSTAR    0xc0000082

/*
 * x86-64 classes (arch/x86_64/README.md, "What a guest can write"):
 * general registers r8-r15, x87 (control word, ST0-7), SSE (XMM0-15,
 * MXCSR), DR0-DR3, DR6, DR7, CR2, CR8 (the TPR, V_TPR under SVM), PKRU
 * (where the guest can set CR4.PKE), FS/GS base and KERNEL_GS_BASE (where
 * it can set CR4.FSGSBASE), TSC_AUX (read only: RDTSCP must give this
 * vCPU's index), XCR0 (read only: x87 | SSE), the SYSCALL MSRs (WRMSR and
 * RDMSR refused with #GP).
 */
enum cls {
	C_GPR,
	C_X87,
	C_SSE,
	C_DR03,
	C_DR6,
	C_DR7,
	C_CR2,
	C_CR8,
	C_PKRU,
	C_SEGBASE,
	C_TSC_AUX,
	C_NR
};

static const char *const cls_name[C_NR] = {
	"gpr-r8-r15", "x87",  "sse-xmm-mxcsr",	     "dr0-dr3", "dr6", "dr7", "cr2",
	"cr8-tpr",    "pkru", "fs-gs-kernelgs-base", "tsc-aux",
};

struct cls_result {
	unsigned int bad; /* rounds with a mismatch */
	unsigned int last_round;
	uint64_t want, got; /* the first mismatch */
};

static struct cls_result res[C_NR];
static unsigned int cur_round;
static bool have_pke, have_fsgs, have_rdtscp;

/* FXSAVE images (APM vol. 2, 11.4.4): in for the round, out after it. */
static uint8_t fx_in[512] __attribute__((aligned(16)));
static uint8_t fx_out[512] __attribute__((aligned(16)));
static uint64_t gpr_in[8], gpr_out[8];

#define FX_FCW	      0
#define FX_FTW	      4
#define FX_MXCSR      24
#define FX_MXCSR_MASK 28
#define FX_ST0	      32
#define FX_XMM0	      160

/*
 * uint64_t regleak_spin(const void *fx_in, void *fx_out, const uint64_t *gpr_in,
 *                       uint64_t *gpr_out, uint64_t until_ns)
 * Load x87/SSE from fx_in and r8-r15 from gpr_in, call HC_TIME_NS until it
 * reaches until_ns, store r8-r15 and x87/SSE; returns the longest gap
 * between two consecutive readings.  In assembly: compiled code between
 * the load and the store could use the registers under test.
 */
uint64_t regleak_spin(const void *in, void *out, const uint64_t *gin, uint64_t *gout,
		      uint64_t until);
__asm__(".text\n"
	".global regleak_spin\n"
	"regleak_spin:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	push %rsi\n"	 /* fx_out */
	"	push %rcx\n"	 /* gpr_out */
	"	mov %r8, %rbp\n" /* until */
	"	fxrstor64 (%rdi)\n"
	"	mov 0(%rdx), %r8\n"
	"	mov 8(%rdx), %r9\n"
	"	mov 16(%rdx), %r10\n"
	"	mov 24(%rdx), %r11\n"
	"	mov 32(%rdx), %r12\n"
	"	mov 40(%rdx), %r13\n"
	"	mov 48(%rdx), %r14\n"
	"	mov 56(%rdx), %r15\n"
	"	mov $0xc6000005, %eax\n" /* HC_TIME_NS */
	"	vmmcall\n"
	"	mov %rax, %rsi\n" /* previous reading */
	"	xor %edi, %edi\n" /* longest gap */
	"1:	mov $0xc6000005, %eax\n"
	"	vmmcall\n"
	"	mov %rax, %rdx\n"
	"	sub %rsi, %rdx\n"
	"	cmp %rdi, %rdx\n"
	"	cmova %rdx, %rdi\n"
	"	mov %rax, %rsi\n"
	"	cmp %rbp, %rax\n"
	"	jb 1b\n"
	"	pop %rcx\n"
	"	mov %r8, 0(%rcx)\n"
	"	mov %r9, 8(%rcx)\n"
	"	mov %r10, 16(%rcx)\n"
	"	mov %r11, 24(%rcx)\n"
	"	mov %r12, 32(%rcx)\n"
	"	mov %r13, 40(%rcx)\n"
	"	mov %r14, 48(%rcx)\n"
	"	mov %r15, 56(%rcx)\n"
	"	pop %rsi\n"
	"	fxsave64 (%rsi)\n"
	"	mov %rdi, %rax\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n");

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

#define DEFINE_DR(n)                                                       \
	static uint64_t read_dr##n(void)                                   \
	{                                                                  \
		uint64_t v;                                                \
		__asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static void write_dr##n(uint64_t v)                                \
	{                                                                  \
		__asm__ volatile("mov %0, %%dr" #n : : "r"(v) : "memory"); \
	}
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)
DEFINE_DR(7)
#undef DEFINE_DR

#define DEFINE_CR(n)                                                       \
	static uint64_t read_cr##n(void)                                   \
	{                                                                  \
		uint64_t v;                                                \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static void write_cr##n(uint64_t v)                                \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(2)
DEFINE_CR(4)
DEFINE_CR(8)
#undef DEFINE_CR

static uint32_t rdpkru(void)
{
	uint32_t v, d;

	__asm__ volatile("rdpkru" : "=a"(v), "=d"(d) : "c"(0));
	return v;
}

static void wrpkru(uint32_t v)
{
	__asm__ volatile("wrpkru" : : "a"(v), "c"(0), "d"(0) : "memory");
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static void note(enum cls c, uint64_t want, uint64_t got)
{
	if (want == got || (res[c].bad && res[c].last_round == cur_round))
		return;
	if (!res[c].bad++) {
		res[c].want = want;
		res[c].got = got;
	}
	res[c].last_round = cur_round;
}

/*
 * Turn on a CR4 bit the CPUID we are shown may hide: true if it stuck.
 * The write may fault (#GP, where the hypervisor emulates CR4) or be
 * dropped (QEMU drops bits its CPU model lacks); either way CR4 must be
 * as it was, which is checked as @name.
 */
static bool cr4_enable(uint64_t bit, const char *name)
{
	uint64_t cr4 = read_cr4();
	struct guest_abort a;
	bool faulted;

	guest_expect_abort();
	write_cr4(cr4 | bit);
	faulted = guest_abort_seen(&a);
	if (!faulted && (read_cr4() & bit))
		return true;
	printf("regleak: CR4 bit %#llx (%s) %s: not testable here\n", (unsigned long long)bit, name,
	       faulted ? "refused with a fault" : "not taken");
	checkf(read_cr4() == cr4 && (!faulted || a.vector == 13), "%s-refused-cleanly", name);
	return false;
}

static void probe_features(void)
{
	uint32_t r[4];

	cpuid(0x80000001, 0, r);
	have_rdtscp = r[3] & (1u << 27);
	/* Whatever CPUID says: the point is what a guest can do anyway. */
	have_pke = cr4_enable(CR4_PKE, "pke");
	have_fsgs = cr4_enable(CR4_FSGSBASE, "fsgsbase");
}

static void fill_fp(uint64_t s)
{
	uint16_t fcw = 0x037f ^ (uint16_t)((s & 3) << 10);	  /* RC */
	uint32_t mxcsr = 0x1f80 | (uint32_t)((s >> 2) & 3) << 13; /* RC */
	uint64_t x;

	__asm__ volatile("fxsave64 %0" : "=m"(fx_in));
	if (s & 16)
		mxcsr |= 1u << 15; /* FTZ */
	memcpy(fx_in + FX_FCW, &fcw, 2);
	fx_in[FX_FTW] = 0xff; /* all eight x87 registers valid */
	memcpy(fx_in + FX_MXCSR, &mxcsr, 4);
	for (unsigned int i = 0; i < 8; i++) {
		x = mix(s + 100 + i);
		memcpy(fx_in + FX_ST0 + 16 * i, &x, 8);
		memcpy(fx_in + FX_ST0 + 16 * i + 8, &x, 2);
	}
	for (unsigned int i = 0; i < 32; i++) {
		x = mix(s + 200 + i);
		memcpy(fx_in + FX_XMM0 + 8 * i, &x, 8);
	}
}

static uint64_t fx_sum(const uint8_t *fx, unsigned int off, unsigned int len, unsigned int stride,
		       unsigned int n)
{
	uint64_t h = 0, x = 0;

	for (unsigned int i = 0; i < n; i++) {
		memcpy(&x, fx + off + stride * i, len < 8 ? len : 8);
		h = mix(h ^ x);
		if (len > 8) {
			x = 0;
			memcpy(&x, fx + off + stride * i + 8, len - 8);
			h = mix(h ^ x);
		}
	}
	return h;
}

static void check_fp(void)
{
	uint64_t a, b;

	a = fx_sum(fx_in, FX_FCW, 2, 0, 1) ^ fx_sum(fx_in, FX_ST0, 10, 16, 8);
	b = fx_sum(fx_out, FX_FCW, 2, 0, 1) ^ fx_sum(fx_out, FX_ST0, 10, 16, 8);
	note(C_X87, a, b);
	a = fx_sum(fx_in, FX_MXCSR, 4, 0, 1) ^ fx_sum(fx_in, FX_XMM0, 16, 16, 16);
	b = fx_sum(fx_out, FX_MXCSR, 4, 0, 1) ^ fx_sum(fx_out, FX_XMM0, 16, 16, 16);
	note(C_SSE, a, b);
	for (unsigned int i = 0; i < 8; i++)
		note(C_GPR, gpr_in[i], gpr_out[i]);
}

/* A canonical, 8-byte aligned user address nothing runs at (DR0-DR3 and the bases). */
static uint64_t addr_val(uint64_t s)
{
	return 0x00007f0000000000ULL | (s & 0x000000fffffffff8ULL);
}

struct sys_vals {
	uint64_t dr[4], dr6, dr7, cr2, cr8, fs, gs, kgs;
	uint32_t pkru;
};

static void write_sys(const struct sys_vals *w)
{
	write_dr0(w->dr[0]);
	write_dr1(w->dr[1]);
	write_dr2(w->dr[2]);
	write_dr3(w->dr[3]);
	write_dr6(w->dr6);
	write_dr7(w->dr7);
	write_cr2(w->cr2);
	write_cr8(w->cr8);
	if (have_pke)
		wrpkru(w->pkru);
	if (have_fsgs) {
		/* KERNEL_GS_BASE is reached through SWAPGS. */
		__asm__ volatile("wrgsbase %0; swapgs; wrgsbase %1; wrfsbase %2"
				 :
				 : "r"(w->kgs), "r"(w->gs), "r"(w->fs)
				 : "memory");
	}
}

static void read_sys(struct sys_vals *r)
{
	r->dr[0] = read_dr0();
	r->dr[1] = read_dr1();
	r->dr[2] = read_dr2();
	r->dr[3] = read_dr3();
	r->dr6 = read_dr6();
	r->dr7 = read_dr7();
	r->cr2 = read_cr2();
	r->cr8 = read_cr8();
	r->pkru = have_pke ? rdpkru() : 0;
	if (have_fsgs)
		__asm__ volatile("rdgsbase %0; swapgs; rdgsbase %1; swapgs; rdfsbase %2"
				 : "=&r"(r->gs), "=&r"(r->kgs), "=&r"(r->fs)
				 :
				 : "memory");
}

static void round_vals(uint64_t s, struct sys_vals *w)
{
	for (unsigned int i = 0; i < 4; i++)
		w->dr[i] = addr_val(mix(s + 10 + i));
	/* DR6: B0-B3, BD, BS, BT are writable (APM vol. 2, 13.1.1.3); the rest reads fixed. */
	w->dr6 = 0xffff0ff0ULL | (mix(s + 20) & 0xe00f);
	/* DR7: L0-3/G0-3, LE/GE; R/W = LEN = 0 (instruction breakpoints at unused addresses). */
	w->dr7 = 0x400 | (mix(s + 21) & 0x3ff);
	w->cr2 = mix(s + 22);
	w->cr8 = mix(s + 23) & 15;
	w->pkru = (uint32_t)mix(s + 24) & ~3u; /* key 0 (all our pages) keeps access */
	w->fs = addr_val(mix(s + 25));
	w->gs = addr_val(mix(s + 26));
	w->kgs = addr_val(mix(s + 27));
}

static void check_sys(const struct sys_vals *w, const struct sys_vals *r)
{
	for (unsigned int i = 0; i < 4; i++)
		note(C_DR03, w->dr[i], r->dr[i]);
	note(C_DR6, w->dr6 & 0xe00f, r->dr6 & 0xe00f);
	note(C_DR7, w->dr7, r->dr7);
	note(C_CR2, w->cr2, r->cr2);
	note(C_CR8, w->cr8, r->cr8);
	if (have_pke)
		note(C_PKRU, w->pkru, r->pkru);
	if (have_fsgs) {
		note(C_SEGBASE, w->fs, r->fs);
		note(C_SEGBASE, w->gs, r->gs);
		note(C_SEGBASE, w->kgs, r->kgs);
	}
	if (have_rdtscp) {
		uint32_t aux;

		__asm__ volatile("rdtscp" : "=c"(aux) : : "rax", "rdx");
		note(C_TSC_AUX, (uint64_t)hc_vcpu_index(), aux);
	}
}

/* Read-only state: a guest reads it, never writes it, and it holds nothing of the host's. */
static void check_fixed(void)
{
	struct guest_abort a;
	uint32_t lo, hi;
	bool seen;

	guest_expect_abort();
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_LSTAR));
	seen = guest_abort_seen(&a);
	check("syscall-msrs-rdmsr-gp", seen && a.vector == 13);
	guest_expect_abort();
	__asm__ volatile("wrmsr" : : "c"(MSR_LSTAR), "a"(0x1000), "d"(0) : "memory");
	seen = guest_abort_seen(&a);
	check("syscall-msrs-wrmsr-gp", seen && a.vector == 13);
	if (cr4_enable(CR4_OSXSAVE, "osxsave")) {
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		/* At most x87 | SSE: what FXSAVE switches; AVX and wider state never reachable. */
		if ((lo & ~3u) || hi)
			printf("regleak: XCR0 %#x%08x\n", hi, lo);
		check("xcr0-x87-sse-only", !(lo & ~3u) && !hi);
		write_cr4(read_cr4() & ~CR4_OSXSAVE);
	}
}

static void restore_defaults(void)
{
	struct sys_vals z = { .dr6 = 0xffff0ff0ULL, .dr7 = 0x400 };

	write_sys(&z);
	if (have_pke)
		write_cr4(read_cr4() & ~CR4_PKE);
	if (have_fsgs)
		write_cr4(read_cr4() & ~CR4_FSGSBASE);
}

void test_main(void)
{
	uint64_t seed = mix(hc_time_ns()), gap, gap_max = 0, preempted;
	struct sys_vals w, r = { 0 };

	probe_features();
	preempted = hc_vcpu_info(3);
	for (unsigned int round = 0; round < ROUNDS; round++) {
		uint64_t s = mix(seed + round * 1000);

		cur_round = round;
		round_vals(s, &w);
		fill_fp(s);
		for (unsigned int i = 0; i < 8; i++)
			gpr_in[i] = mix(s + 300 + i);
		write_sys(&w);
		gap = regleak_spin(fx_in, fx_out, gpr_in, gpr_out, hc_time_ns() + SPIN_NS);
		read_sys(&r);
		check_fp();
		check_sys(&w, &r);
		if (gap > gap_max)
			gap_max = gap;
	}
	preempted = hc_vcpu_info(3) - preempted;
	restore_defaults();
	for (unsigned int c = 0; c < C_NR; c++) {
		if ((c == C_PKRU && !have_pke) || (c == C_SEGBASE && !have_fsgs) ||
		    (c == C_TSC_AUX && !have_rdtscp))
			continue;
		if (res[c].bad)
			printf("regleak: %s lost in %u of %u rounds: wrote %#llx, read %#llx\n",
			       cls_name[c], res[c].bad, ROUNDS, (unsigned long long)res[c].want,
			       (unsigned long long)res[c].got);
		check(cls_name[c], !res[c].bad);
	}
	check_fixed();
	printf("regleak: switched out %llu times in %u rounds, longest gap %llu us\n",
	       (unsigned long long)preempted, ROUNDS, (unsigned long long)gap_max / 1000);
	check("shared-cpu", preempted >= ROUNDS / 2);
}
