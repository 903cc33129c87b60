// SPDX-License-Identifier: MIT
/*
 * vCPUs under AMD SVM (AMD APM vol. 2, 15 "Secure Virtual Machine"): the
 * per-CPU enable, ASIDs, a vCPU's VMCB, the entry (guest_entry.S) and event
 * injection.  What a #VMEXIT means is exits.c's.
 *
 * Guest entry state: tests/guest/runtime/entry_x86_64.h.
 *
 * What the guest owns and what it does not: its control registers, EFER,
 * segments, descriptor tables and paging are its own (no CR intercepts:
 * nested paging makes them harmless, 15.25).  Everything that reaches the
 * machine is intercepted: physical interrupts, NMI, SMI, INIT, I/O ports
 * (COM1 emulated, the rest refused with #GP), MSRs except EFER (EFER is
 * part of the VMCB state, so passing it through only changes the guest's),
 * the SVM instructions (VMLOAD/VMSAVE would otherwise act on a host
 * physical address), XSETBV (XCR0 is not switched), MONITOR/MWAIT, INVD,
 * WBINVD (a flush of every cache in the machine: a guest could slow every
 * other VM with it), RDPMC (the host's performance counters), task
 * switches and shutdown (a triple fault must not reset the machine).
 *
 * Every piece of CPU state a guest can write is either in the VMCB
 * (switched by VMRUN/#VMEXIT and VMLOAD/VMSAVE), switched here by hand
 * (general registers, x87/SSE, DR0-DR3, PKRU, TSC_AUX) or intercepted:
 * the table is in arch/x86_64/README.md, "What a guest can write".
 */
#include <stdio.h>
#include <string.h>

#include "kvm/arch/cpu.h"
#include "kvm/arch/stage2.h"
#include "kvm/arch/vcpu.h"
#include "kvm/hypercall_abi.h"
#include "tests/guest/runtime/entry_x86_64.h"

#include "arch_priv.h"
#include "platform.h"
#include "svm.h"
#include "x86.h"

/* Per CPU: VMRUN's host save area and the page VMSAVE/VMLOAD keep the host's other state in. */
static u8 hsave_area[MAX_CPUS][4096] __attribute__((aligned(4096)));
static u8 host_vmcb[MAX_CPUS][SVM_VMCB_SIZE] __attribute__((aligned(4096)));
static bool svm_on[MAX_CPUS];

/* One I/O permission map (12 KiB, every port intercepted) and one MSR map (8 KiB) for all VMs. */
static u8 iopm[3 * 4096] __attribute__((aligned(4096)));
static u8 msrpm[2 * 4096] __attribute__((aligned(4096)));
/* Under a shadow MMU EFER is the guest's view, not the CPU's: every MSR intercepted. */
static u8 msrpm_all[2 * 4096] __attribute__((aligned(4096)));

u32 svm_features; /* CPUID Fn8000_000A EDX */
static u32 svm_nr_asids;
static u8 tlb_flush_op;
static bool host_pku;	  /* PKRU exists: switched around VMRUN */
static bool host_tsc_aux; /* TSC_AUX exists (RDTSCP or RDPID) */
/* Per CPU: the vCPU index TSC_AUX holds (written only when another vCPU enters), ~0 unknown. */
static u32 cpu_tsc_aux[MAX_CPUS];

/* A VMCB segment: selector, attributes (descriptor bits 47:40 and 55:52), limit, base. */
static void vmcb_seg(struct arch_vcpu *v, unsigned int off, u16 sel, u16 attr, u32 limit, u64 base)
{
	*(u16 *)(v->vmcb + off) = sel;
	*(u16 *)(v->vmcb + off + 2) = attr;
	*(u32 *)(v->vmcb + off + 4) = limit;
	*(u64 *)(v->vmcb + off + 8) = base;
}

/* ---- per-CPU enable ------------------------------------------------------------------ */

/*
 * Once, on the first CPU that runs a guest (under svm_init_lock's order:
 * the first caller wins, the others wait for it).
 */
static void svm_global_init(void)
{
	struct cpuid_regs r = cpuid(0x8000000a, 0);

	svm_features = r.edx;
	svm_nr_asids = r.ebx;
	/* 15.16.1 "TLB Flush": flushing one ASID is optional; flushing all always works. */
	tlb_flush_op =
		svm_features & SVM_FEAT_FLUSH_ASID ? TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL;
	memset(iopm, 0xff, sizeof(iopm));
	memset(msrpm, 0xff, sizeof(msrpm));
	memset(msrpm_all, 0xff, sizeof(msrpm_all));
	/*
	 * MSR permission map (15.11): two bits (read, write) per MSR; the
	 * second 2 KiB covers 0xc0000000-0xc0001fff.  EFER is in the VMCB.
	 */
	msrpm[0x800 + (MSR_EFER - 0xc0000000) * 2 / 8] &= ~3;
	/* CPUID Fn0000_0007 ECX[3] PKU; Fn8000_0001 EDX[27] RDTSCP, Fn0000_0007 ECX[22] RDPID. */
	host_pku = cpuid_max(0) >= 7 && (cpuid(7, 0).ecx & BIT(3));
	host_tsc_aux = (cpuid(0x80000001, 0).edx & BIT(27)) ||
		       (cpuid_max(0) >= 7 && (cpuid(7, 0).ecx & BIT(22)));
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		cpu_tsc_aux[cpu] = ~0u;
	if (svm_nr_asids <= 255)
		printf("hyp: SVM offers %u ASIDs: VMIDs from %u up share the last one, "
		       "flushed at every entry\n",
		       svm_nr_asids, svm_nr_asids - 1);
}

static unsigned int svm_init_state; /* 0 none, 1 in progress, 2 done */

/*
 * State a guest can use but not write, fixed once per CPU so that it holds
 * nothing of the host's (and no other VM's):
 *  - XCR0 = x87 | SSE.  A guest may set CR4.OSXSAVE although CPUID hides
 *    XSAVE (nothing intercepts CR4 under nested paging), and then XSAVE,
 *    XRSTOR and VEX instructions use the host's XCR0 (XSETBV is
 *    intercepted, so it cannot change it).  With x87 | SSE they reach only
 *    the state FXSAVE/FXRSTOR switch; AVX and wider state, which nothing
 *    switches, stay disabled whatever the firmware enabled.  IA32_XSS = 0
 *    likewise for XSAVES/XRSTORS (supervisor components).  The hypervisor
 *    itself uses no XSAVE state (built for SSE only).
 *  - CR4.PKE in the host, where the CPU has protection keys: only so that
 *    RDPKRU/WRPKRU can switch the guests' PKRU (arch_vcpu_run()).  The
 *    host's own pages are supervisor pages, which PKRU never restricts
 *    (Intel SDM vol. 3A, 4.6.2), and the host's PKRU is 0 (no restriction)
 *    anyway.
 */
static void svm_cpu_pin_state(void)
{
	struct cpuid_regs r = cpuid(1, 0);

	if (r.ecx & BIT(26)) { /* XSAVE */
		write_cr4(read_cr4() | CR4_OSXSAVE);
		xsetbv(0, XCR0_X87 | XCR0_SSE);
		if (cpuid_max(0) >= 0xd && (cpuid(0xd, 1).eax & BIT(3))) /* XSAVES */
			wrmsr(MSR_XSS, 0);
	}
	if (host_pku) {
		write_cr4(read_cr4() | CR4_PKE);
		wrpkru(0);
	}
}

/* This CPU: EFER.SVME (15.4 "Enabling SVM"), its host save area (15.30.4), EFER.NXE for NPT's NX. */
static void svm_cpu_init(unsigned int cpu)
{
	unsigned int want = 0;
	u64 efer;

	if (__atomic_compare_exchange_n(&svm_init_state, &want, 1, false, __ATOMIC_ACQUIRE,
					__ATOMIC_ACQUIRE)) {
		svm_global_init();
		__atomic_store_n(&svm_init_state, 2, __ATOMIC_RELEASE);
	}
	while (__atomic_load_n(&svm_init_state, __ATOMIC_ACQUIRE) != 2)
		cpu_relax();
	efer = rdmsr(MSR_EFER) | EFER_SVME;
	if (cpuid(0x80000001, 0).edx & (1 << 20))
		efer |= EFER_NXE;
	wrmsr(MSR_EFER, efer);
	wrmsr(MSR_VM_HSAVE_PA, (u64)hsave_area[cpu]);
	svm_cpu_pin_state();
	svm_on[cpu] = true;
}

/* ---- TLB: ASIDs and flush generations -------------------------------------------------- */

/*
 * Every VM's guest translations are tagged with its ASID (= its VMID,
 * 1..255; 15.16 "TLB Control").  Invalidation is by generation: a flush
 * bumps asid_gen[asid]; each CPU remembers the generation it last flushed
 * that ASID at and, when it enters a guest of that ASID with an older one,
 * sets TLB_CONTROL to flush it on this VMRUN.  A CPU that is inside a guest
 * of that ASID right now gets an IPI (the INTR intercept ends the guest)
 * and the flusher waits until it has left: the walker's break-before-make
 * needs the old translation gone everywhere when the flush returns.
 *
 * cpu_guest[cpu] = (entry sequence << 16) | ASID while in the guest, the
 * same sequence + 1 with ASID 0 outside.  The entry stores it before
 * reading asid_gen and the flusher bumps asid_gen before reading it, both
 * sequentially consistent: either the entry sees the new generation or the
 * flusher sees the CPU inside (and the IPI, held by GIF = 0 until VMRUN,
 * ends that guest entry at once).
 */
static u64 asid_gen[256];
static u64 cpu_asid_gen[MAX_CPUS][256];
static u64 cpu_guest[MAX_CPUS];
static u64 cpu_asid_root[MAX_CPUS][256]; /* shadow MMU: the root last entered */

void svm_flush_asid(u16 asid)
{
	unsigned int me = arch_cpu_id(), nr = boot_info.nr_cpus;

	__atomic_fetch_add(&asid_gen[asid & 0xff], 1, __ATOMIC_SEQ_CST);
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		u64 st;

		if (cpu == me)
			continue;
		st = __atomic_load_n(&cpu_guest[cpu], __ATOMIC_SEQ_CST);
		if ((st & 0xffff) != asid)
			continue;
		arch_cpu_kick(cpu);
		while (__atomic_load_n(&cpu_guest[cpu], __ATOMIC_ACQUIRE) == st)
			cpu_relax();
	}
}

/* ---- vCPU state --------------------------------------------------------------------------------- */

#define SEG_CODE32     0x0c9b /* present, DPL 0, execute/read, accessed, D = 1, G = 1 */
#define SEG_DATA32     0x0c93 /* present, DPL 0, read/write, accessed, D/B = 1, G = 1 */
#define SEG_LDT	       0x0082
#define SEG_TSS32_BUSY 0x008b

void arch_vcpu_reset(struct arch_vcpu *v, unsigned int index, u64 entry, u64 arg)
{
	u64 base = ((u64)v->vmcb_mem + SVM_VMCB_SIZE - 1) & ~(u64)(SVM_VMCB_SIZE - 1);

	memset(v->gpr, 0, sizeof(v->gpr));
	memset(v->guest_fx, 0, sizeof(v->guest_fx));
	/* Power-on values: DR0-DR3 0, PKRU 0 (Intel SDM vol. 3A, table 9-1). */
	memset(v->guest_dr, 0, sizeof(v->guest_dr));
	v->guest_pkru = 0;
	/* FXSAVE image (Intel SDM vol. 1, 10.5.1): FCW at 0, MXCSR at 24; power-on values. */
	*(u16 *)&v->guest_fx[0] = 0x37f;
	*(u32 *)&v->guest_fx[24] = 0x1f80;
	v->vmcb = (u8 *)base;
	v->vmcb_pa = base; /* identity map */
	v->index = index;
	v->next_rip = 0;
	v->io_refused = 0;
	memset(&v->dbg, 0, sizeof(v->dbg));
	memset(v->vmcb, 0, SVM_VMCB_SIZE);

	vmcb_w32(v, VMCB_INTERCEPT_MISC1,
		 INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_SMI | INTERCEPT_INIT | INTERCEPT_RDPMC |
			 INTERCEPT_CPUID | INTERCEPT_INVD | INTERCEPT_HLT | INTERCEPT_INVLPGA |
			 INTERCEPT_IOIO | INTERCEPT_MSR | INTERCEPT_TASK_SWITCH |
			 INTERCEPT_SHUTDOWN);
	/* VMRUN must be intercepted or VMRUN fails its consistency checks (15.5.1). */
	vmcb_w32(v, VMCB_INTERCEPT_MISC2,
		 INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
			 INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT | INTERCEPT_WBINVD |
			 INTERCEPT_MONITOR | INTERCEPT_MWAIT | INTERCEPT_MWAIT_ARMED |
			 INTERCEPT_XSETBV | INTERCEPT_RDPRU);
	vmcb_w64(v, VMCB_IOPM_PA, (u64)iopm);
	vmcb_w64(v, VMCB_MSRPM_PA, (u64)msrpm);
	vmcb_w32(v, VMCB_VINTR, VINTR_MASKING);

	vmcb_seg(v, VMCB_CS, GUEST_ENTRY_CS, SEG_CODE32, 0xffffffff, 0);
	vmcb_seg(v, VMCB_DS, GUEST_ENTRY_DS, SEG_DATA32, 0xffffffff, 0);
	vmcb_seg(v, VMCB_ES, GUEST_ENTRY_DS, SEG_DATA32, 0xffffffff, 0);
	vmcb_seg(v, VMCB_SS, GUEST_ENTRY_DS, SEG_DATA32, 0xffffffff, 0);
	vmcb_seg(v, VMCB_FS, GUEST_ENTRY_DS, SEG_DATA32, 0xffffffff, 0);
	vmcb_seg(v, VMCB_GS, GUEST_ENTRY_DS, SEG_DATA32, 0xffffffff, 0);
	vmcb_seg(v, VMCB_GDTR, 0, 0, 0, 0);
	vmcb_seg(v, VMCB_IDTR, 0, 0, 0, 0);
	vmcb_seg(v, VMCB_LDTR, 0, SEG_LDT, 0, 0);
	vmcb_seg(v, VMCB_TR, 0, SEG_TSS32_BUSY, 0x67, 0);
	v->vmcb[VMCB_CPL] = 0;
	/* EFER.SVME: VMRUN refuses a guest without it (15.5.1). */
	vmcb_w64(v, VMCB_EFER, EFER_SVME);
	vmcb_w64(v, VMCB_CR0, GUEST_ENTRY_CR0);
	vmcb_w64(v, VMCB_DR7, 0x400);
	vmcb_w64(v, VMCB_DR6, 0xffff0ff0);
	vmcb_w64(v, VMCB_RFLAGS, 0x2);
	vmcb_w64(v, VMCB_RIP, entry);
	vmcb_w64(v, VMCB_G_PAT, PAT_DEFAULT);
	v->gpr[GPR_RDI] = arg;
	svm_shadow_reset(v);
}

u64 arch_vcpu_get_reg(const struct arch_vcpu *v, unsigned int n)
{
	if (n == GPR_RAX)
		return vmcb_r64(v, VMCB_RAX);
	if (n == GPR_RSP)
		return vmcb_r64(v, VMCB_RSP);
	return n < 16 ? v->gpr[n] : 0;
}

void arch_vcpu_set_reg(struct arch_vcpu *v, unsigned int n, u64 val)
{
	if (n == GPR_RAX)
		vmcb_w64(v, VMCB_RAX, val);
	else if (n == GPR_RSP)
		vmcb_w64(v, VMCB_RSP, val);
	else if (n < 16)
		v->gpr[n] = val;
}

/* kvm/hypercall_abi.h: function ID in rax, arguments in rbx, rcx, rdx, rsi, rdi. */
u64 arch_vcpu_hc_arg(const struct arch_vcpu *v, unsigned int n)
{
	static const u8 reg[6] = { GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI };

	return n < 6 ? arch_vcpu_get_reg(v, reg[n]) : 0;
}

/*
 * VMMCALL is intercepted at every privilege level (APM vol. 2, 15.13.1
 * does not look at CPL), so a guest's user code reaches us as its kernel
 * does.  Only CPL 0 may call (KVM refuses the others too).
 */
bool arch_vcpu_hypercall_allowed(const struct arch_vcpu *v)
{
	return v->vmcb[VMCB_CPL] == 0;
}

void arch_vcpu_hc_ret(struct arch_vcpu *v, u64 val)
{
	vmcb_w64(v, VMCB_RAX, val);
}

u64 arch_vcpu_pc(const struct arch_vcpu *v)
{
	return vmcb_r64(v, VMCB_RIP);
}

void arch_vcpu_set_pc(struct arch_vcpu *v, u64 pc)
{
	vmcb_w64(v, VMCB_RIP, pc);
}

void arch_vcpu_skip_insn(struct arch_vcpu *v)
{
	if (v->next_rip)
		vmcb_w64(v, VMCB_RIP, v->next_rip);
}

void svm_inject(struct arch_vcpu *v, unsigned int vector, bool err, u32 code)
{
	u64 ev = vector | EVENT_TYPE_EXCEPTION | EVENT_VALID;

	if (err)
		ev |= EVENT_ERR_VALID | (u64)code << 32;
	vmcb_w64(v, VMCB_EVENT_INJ, ev);
}

/*
 * An access outside every memslot.  x86 has no synchronous external abort
 * (a machine check is asynchronous to the guest and needs emulated MCA
 * banks), and #GP would say nothing about the address.  We inject a #PF,
 * the fault a guest kernel already handles for "this access did not
 * work", with the address in CR2 so that the guest can tell which access
 * it was (as FAR_EL1 does on arm64): error code P = 1 (the guest's own
 * translation was present: it is not the guest's tables that failed),
 * W/R from the #NPF's error code, U/S from the CPL, I/D for a fetch (APM
 * vol. 2, 8.4.2).  An injected #PF does not load CR2: the VMCB's is
 * written (15.20).
 *
 * @gva: #NPF reports only the guest-physical address (EXITINFO2, 15.25.6),
 * which svm_decode() passes as the "virtual" one.  It is the virtual
 * address for a guest that maps virtual = physical (the test payloads);
 * for any other mapping CR2 is wrong, and for a fault on the guest's own
 * page-table walk (EXITINFO1 bit 33) it names the table, not the access.
 * Finding the real one needs the faulting instruction decoded (no decode
 * assists here) or a reverse walk of the guest's tables.
 */
void arch_vcpu_inject_abort(struct arch_vcpu *v, bool exec, u64 gva)
{
	u32 code = PF_ERR_P;

	u64 exit_code = vmcb_r64(v, VMCB_EXIT_CODE);

	/* #NPF and (shadow MMU) #PF both report W/R in EXITINFO1 bit 1. */
	if ((exit_code == SVM_EXIT_NPF || exit_code == SVM_EXIT_EXCP_PF) &&
	    (vmcb_r64(v, VMCB_EXIT_INFO1) & NPF_WRITE))
		code |= PF_ERR_W;
	if (v->vmcb[VMCB_CPL] == 3)
		code |= PF_ERR_U;
	if (exec)
		code |= PF_ERR_ID;
	vmcb_w64(v, VMCB_CR2, gva);
	svm_inject(v, X86_VEC_PF, true, code);
}

void arch_vcpu_inject_undef(struct arch_vcpu *v)
{
	svm_inject(v, X86_VEC_UD, false, 0);
}

/* ---- entry and exit ------------------------------------------------------------------------------ */

/*
 * Seen under QEMU 7.2's multi-threaded TCG (nested-paging vCPUs faulting
 * while another vCPU gives memory back): after a #VMEXIT, mostly an #NPF on
 * the host's own PML4, the guest's save area held the host's state (RIP
 * just past our VMRUN, our CR3, RSP and RAX) although it held the guest's
 * right before the VMRUN.  Only the emulated VMRUN/#VMEXIT writes that
 * state; with one TCG thread it never happened, so tools/qemu-run.sh runs
 * x86 that way.  The guest's real state is lost by then: the VM ends with
 * the evidence rather than run the hypervisor's code as its guest.
 */
extern const char svm_vmrun_resume[];

static void svm_check_host_state_leak(struct arch_vcpu *v)
{
	u64 code = vmcb_r64(v, VMCB_EXIT_CODE);

	if (vmcb_r64(v, VMCB_RIP) != (u64)svm_vmrun_resume || vmcb_r64(v, VMCB_CR3) != read_cr3()) {
		v->prev_exit_code = code;
		return;
	}
	printf("vcpu %u: the guest's state is the host's after #VMEXIT %#llx (RIP past VMRUN, "
	       "host CR3; previous exit %#llx, injected %#llx, EXITINTINFO %#llx): ending the VM\n",
	       v->index, (unsigned long long)code, (unsigned long long)v->prev_exit_code,
	       (unsigned long long)v->entry_event_inj,
	       (unsigned long long)vmcb_r64(v, VMCB_EXIT_INT_INFO));
	vmcb_w64(v, VMCB_EXIT_CODE, SVM_EXIT_INVALID);
}

/*
 * Guest state VMRUN does not switch, right around it (interrupts and GIF
 * off; DR0-DR3 are debug.c's):
 *  - PKRU: a guest may set CR4.PKE although CPUID hides PKU (CR4 is not
 *    intercepted under nested paging) and then WRPKRU; the register is
 *    outside the VMCB, so without this the next VM on the CPU would read
 *    it.  Read back after every exit, the host's 0 put back, the guest's
 *    loaded before its entries (only when not 0: the usual guest never
 *    enabled PKE, and its PKRU stays the power-on 0).
 *  - TSC_AUX: not writable by a guest (WRMSR is intercepted) but read by
 *    RDTSCP and RDPID (which SVM cannot intercept): it holds this vCPU's
 *    index, as an OS would put its CPU number there, never the host's
 *    value.  Written only when another vCPU than the last enters here.
 */
static void svm_switch_in(struct arch_vcpu *v, unsigned int cpu)
{
	if (host_pku && v->guest_pkru)
		wrpkru(v->guest_pkru);
	if (host_tsc_aux && cpu_tsc_aux[cpu] != v->index) {
		wrmsr(MSR_TSC_AUX, v->index);
		cpu_tsc_aux[cpu] = v->index;
	}
}

static void svm_switch_out(struct arch_vcpu *v)
{
	if (!host_pku)
		return;
	v->guest_pkru = rdpkru();
	if (v->guest_pkru)
		wrpkru(0);
}

void arch_vcpu_run(struct arch_vcpu *v, const struct arch_stage2 *s2, struct vcpu_exit *exit)
{
	unsigned int cpu;
	u64 st, gen, intinfo, host_dr7;
	u8 flush = TLB_CONTROL_NONE;

	cpu = arch_cpu_id(); /* vCPU threads are pinned */
	if (!svm_on[cpu])
		svm_cpu_init(cpu);
	/* May take the shadow MMU lock; no root to enter with: no entry (stage2_shadow.c). */
	if (s2->shadow && !svm_shadow_before(v, s2, exit))
		return;
	__asm__ volatile("cli; clgi" : : : "memory");

	/*
	 * ASID 0 is the host's; a VMID the CPU has no ASID for shares the
	 * last one, and then nothing cached under it can be trusted.
	 */
	if (s2->vmid < svm_nr_asids - 1) {
		vmcb_w32(v, VMCB_ASID, s2->vmid);
	} else {
		vmcb_w32(v, VMCB_ASID, svm_nr_asids - 1);
		flush = tlb_flush_op;
	}
	vmcb_w64(v, VMCB_NP_ENABLE, !s2->shadow);
	vmcb_w64(v, VMCB_N_CR3, s2->shadow ? 0 : s2->root.val);
	vmcb_w64(v, VMCB_MSRPM_PA, (u64)(s2->shadow ? msrpm_all : msrpm));
	vmcb_w32(v, VMCB_CLEAN, 0); /* no VMCB state cached across entries */

	st = ((__atomic_load_n(&cpu_guest[cpu], __ATOMIC_RELAXED) >> 16) + 1) << 16;
	__atomic_store_n(&cpu_guest[cpu], st | s2->vmid, __ATOMIC_SEQ_CST);
	gen = __atomic_load_n(&asid_gen[s2->vmid & 0xff], __ATOMIC_SEQ_CST);
	/*
	 * A shadow root is per vCPU but the ASID per VM: entering with another
	 * root than this CPU last used for the ASID must not find the other
	 * root's translations (after the announcement above: see stage2_shadow.c).
	 */
	if (s2->shadow) {
		u64 root = svm_shadow_load_root(v, s2);

		if (cpu_asid_root[cpu][s2->vmid & 0xff] != root)
			flush = tlb_flush_op;
		cpu_asid_root[cpu][s2->vmid & 0xff] = root;
	}
	if (cpu_asid_gen[cpu][s2->vmid & 0xff] != gen || flush) {
		cpu_asid_gen[cpu][s2->vmid & 0xff] = gen;
		flush = tlb_flush_op;
	}
	v->vmcb[VMCB_TLB_CONTROL] = flush;
	host_dr7 = debug_guest_enter(v);
	v->entry_event_inj = vmcb_r64(v, VMCB_EVENT_INJ);
	svm_switch_in(v, cpu);

	svm_vmrun(v, v->vmcb_pa, (u64)host_vmcb[cpu], host_dr7);

	svm_switch_out(v);
	__atomic_store_n(&cpu_guest[cpu], st + (1 << 16), __ATOMIC_RELEASE);
	svm_check_host_state_leak(v);
	/*
	 * An event whose delivery the exit interrupted (an #NPF on the guest's
	 * IDT or stack) is in EXITINTINFO: deliver it again (15.7.2).
	 */
	intinfo = vmcb_r64(v, VMCB_EXIT_INT_INFO);
	vmcb_w64(v, VMCB_EVENT_INJ, intinfo & EVENT_VALID ? intinfo : 0);
	/* GIF back on, interrupts still off: a held interrupt arrives at the STI below. */
	__asm__ volatile("stgi" : : : "memory");
	svm_decode(v, exit);
	debug_guest_exit(v);
	__asm__ volatile("sti" : : : "memory");
	if (s2->shadow)
		svm_shadow_handle(v, s2, exit);
}
