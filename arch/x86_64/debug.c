// SPDX-License-Identifier: MIT
/*
 * The x86-64 half of debugging guests (kvm/arch/debug.h, "debugging
 * guests") under AMD SVM: the debugger's byte channel on COM2, the register
 * file in GDB's numbering, the target description, breakpoint and single
 * step exits, DR0-DR3 hardware breakpoints, and a software walk of the
 * guest's own page tables.
 *
 * Routing (AMD APM vol. 2, 15.12 "Exception Intercepts"): while a vCPU is
 * debugged, #DB (vector 1) and #BP (vector 3) are intercepted, so the
 * guest never sees them: a #VMEXIT with exit code 0x40 + vector comes
 * instead, the guest's state as it was when the exception was recognised.
 * For #BP that is RIP at the INT3 itself (the intercept is checked before
 * the trap's delivery would move RIP past it), which is what GDB wants to
 * see as the stop address; for a single-step #DB it is the next
 * instruction; for an instruction breakpoint #DB (a fault) it is the
 * instruction that matched.  The debugger owns the guest's debug
 * exceptions then, as on arm64 with MDCR_EL2.TDE: a guest's own INT3 or
 * TF stops it in the debugger.
 *
 * QEMU's TCG model of SVM takes INT3 down its software-interrupt path and
 * checks the INTn intercept (15.12 "INTn" intercept, exit code 0x75)
 * rather than the #BP one, so that is intercepted too while debugging;
 * a guest's own INT n then also stops in the debugger (see debug_decode()).
 *
 * Single step is RFLAGS.TF (APM vol. 2, 13.1.4 "Single Step"): set in the
 * VMCB's RFLAGS for the entry, so one guest instruction runs and its #DB
 * trap is intercepted.  TF is taken out again at the exit unless the guest
 * had set it itself, so the guest does not find it in its flags later
 * (only a PUSHF being stepped itself can see it).
 *
 * Debug registers (APM vol. 2, 13.1.1; appendix B): the VMCB holds the
 * guest's DR6 and DR7, so VMRUN and #VMEXIT switch them; DR0-DR3 are not
 * switched at all, and the guest writes them without an intercept.  They
 * are a vCPU's state like any other: loaded before every VMRUN (the
 * guest's own, or where the debugger has breakpoints its addresses) and
 * read back after every #VMEXIT, so no VM ever sees another's, on the same
 * physical CPU or not.  With DR7 disabled in the host (guest_entry.S) their
 * values are inert there.  While debugged, DR7 in the VMCB is ours; the
 * guest's DR6/DR7 are put back after every exit.  QEMU arms breakpoints
 * only on a MOV to DR7, which svm_vmrun() does as its last act before
 * VMRUN: the value is computed here without any breakpoint at an address
 * of that window (svm_dr7_armed .. svm_dr7_disarmed), so a breakpoint the
 * debugger puts on hypervisor code can never match in the host.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kvm/arch/debug.h"
#include "kvm/arch/vcpu.h"

#include "arch_priv.h"
#include "platform.h"
#include "svm.h"
#include "x86.h"

/* RFLAGS (APM vol. 2, 3.1.6): TF single step, RF resume (masks instruction breakpoints once). */
#define RFLAGS_TF     BIT(8)
#define RFLAGS_RF     BIT(16)
#define RFLAGS_VM     BIT(17)
#define RFLAGS_FIXED1 BIT(1)

/* DR6 (APM vol. 2, 13.1.1.3): B0-B3 which breakpoint matched, BS single step; reset value. */
#define DR6_B0_B3 0xfULL
#define DR6_BS	  BIT(14)
#define DR6_RESET 0xffff0ff0ULL
/* DR7: Ln local enable for breakpoint n (bit 2n); R/Wn = LENn = 0: fetch; bit 10 reads 1. */
#define DR7_RESET 0x400ULL
#define DR7_L(n)  BIT(2 * (n))

#define CR4_PSE	 BIT(4)
#define CR4_LA57 BIT(12)

/* ---- entry and exit ----------------------------------------------------------------- */

/*
 * What this CPU's DR0-DR3 hold (read back at the last exit), so that an
 * entry writes only the ones that differ: the same vCPU re-entering, or any
 * two vCPUs that never touch them, write none.
 */
static u64 cpu_dr[MAX_CPUS][4];
static bool cpu_dr_known[MAX_CPUS];

static u64 read_dr(unsigned int n)
{
	u64 v = 0;

	/* The register is named in the instruction. */
	switch (n) {
	case 0:
		__asm__ volatile("mov %%dr0, %0" : "=r"(v));
		break;
	case 1:
		__asm__ volatile("mov %%dr1, %0" : "=r"(v));
		break;
	case 2:
		__asm__ volatile("mov %%dr2, %0" : "=r"(v));
		break;
	case 3:
		__asm__ volatile("mov %%dr3, %0" : "=r"(v));
		break;
	}
	return v;
}

static void write_dr(unsigned int n, u64 v)
{
	switch (n) {
	case 0:
		__asm__ volatile("mov %0, %%dr0" : : "r"(v));
		break;
	case 1:
		__asm__ volatile("mov %0, %%dr1" : : "r"(v));
		break;
	case 2:
		__asm__ volatile("mov %0, %%dr2" : : "r"(v));
		break;
	case 3:
		__asm__ volatile("mov %0, %%dr3" : : "r"(v));
		break;
	}
}

/* Slot @i holds one of the debugger's breakpoints rather than the guest's own DRi. */
static bool dr_is_debuggers(const struct arch_vcpu *v, unsigned int i)
{
	return v->dbg.on && i < v->dbg.nr_hw;
}

static void load_dr0_3(const struct arch_vcpu *v)
{
	unsigned int cpu = arch_cpu_id(), i;

	for (i = 0; i < 4; i++) {
		u64 want = dr_is_debuggers(v, i) ? v->dbg.hw[i] : v->guest_dr[i];

		if (!cpu_dr_known[cpu] || cpu_dr[cpu][i] != want)
			write_dr(i, want);
		cpu_dr[cpu][i] = want;
	}
	cpu_dr_known[cpu] = true;
}

/* A host address QEMU could match while svm_vmrun() has DR7 armed. */
static bool in_dr7_window(u64 addr)
{
	return addr >= (u64)svm_dr7_armed && addr < (u64)svm_dr7_disarmed;
}

u64 debug_guest_enter(struct arch_vcpu *v)
{
	struct arch_vcpu_debug *d = &v->dbg;
	u32 exc = vmcb_r32(v, VMCB_INTERCEPT_EXC);
	u32 misc1 = vmcb_r32(v, VMCB_INTERCEPT_MISC1);
	u64 rflags, rip, dr7 = DR7_RESET, host_dr7 = DR7_RESET;
	unsigned int i;

	load_dr0_3(v);
	d->tf_ours = false;
	if (!d->on) {
		vmcb_w32(v, VMCB_INTERCEPT_EXC, exc & ~(BIT(X86_VEC_DB) | BIT(X86_VEC_BP)));
		vmcb_w32(v, VMCB_INTERCEPT_MISC1, misc1 & ~INTERCEPT_INTN);
		return 0;
	}
	vmcb_w32(v, VMCB_INTERCEPT_EXC, exc | BIT(X86_VEC_DB) | BIT(X86_VEC_BP));
	vmcb_w32(v, VMCB_INTERCEPT_MISC1, misc1 | INTERCEPT_INTN);

	d->guest_dr6 = vmcb_r64(v, VMCB_DR6);
	d->guest_dr7 = vmcb_r64(v, VMCB_DR7);
	rflags = vmcb_r64(v, VMCB_RFLAGS);
	rip = vmcb_r64(v, VMCB_RIP);
	if (d->step && !(rflags & RFLAGS_TF)) {
		rflags |= RFLAGS_TF;
		d->tf_ours = true;
	}
	for (i = 0; i < d->nr_hw; i++) {
		dr7 |= DR7_L(i);
		/*
		 * The host's copy (QEMU's arming, guest_entry.S) leaves out a
		 * breakpoint on the entry path's own instructions: on QEMU it
		 * then does not stop the guest there, on hardware (the VMCB's
		 * DR7) it does.
		 */
		if (!in_dr7_window(d->hw[i]))
			host_dr7 |= DR7_L(i);
		/*
		 * Resuming at a breakpoint's own address: an instruction
		 * breakpoint is a fault, it would match again at once.  RF
		 * masks instruction breakpoints for one instruction (13.1.1.5).
		 */
		if (d->hw[i] == rip)
			rflags |= RFLAGS_RF;
	}
	vmcb_w64(v, VMCB_DR7, dr7);
	/* DR6 is sticky: clear it so that the exit shows only this entry's cause. */
	vmcb_w64(v, VMCB_DR6, DR6_RESET);
	vmcb_w64(v, VMCB_RFLAGS, rflags);
	return host_dr7 != DR7_RESET ? host_dr7 : 0;
}

/*
 * Before svm_decode()'s own cases.  The VMCB's DR6 says why a #DB came
 * (15.7.1: the processor updates DR6 before the intercept is taken).
 */
bool debug_decode(struct arch_vcpu *v, u64 code, struct vcpu_exit *exit)
{
	struct arch_vcpu_debug *d = &v->dbg;
	u64 dr6;

	if (!d->on)
		return false;
	switch (code) {
	case SVM_EXIT_EXCP_BP:
	case SVM_EXIT_SWINT:
		/*
		 * RIP is the INT3 (or INT n) itself: nothing moved it yet.  An
		 * INT n of the guest's own is reported like a breakpoint: with
		 * no decode assists the vector is not known here to re-deliver
		 * it.  The test payloads make none.
		 */
		exit->debug = DEBUG_SW_BREAKPOINT;
		break;
	case SVM_EXIT_EXCP_DB:
		dr6 = vmcb_r64(v, VMCB_DR6);
		if (d->nr_hw && (dr6 & DR6_B0_B3 & (BIT(d->nr_hw) - 1)))
			exit->debug = DEBUG_HW_BREAKPOINT;
		else if (d->step || (dr6 & DR6_BS))
			exit->debug = DEBUG_STEP;
		else
			exit->debug = d->nr_hw ? DEBUG_HW_BREAKPOINT : DEBUG_STEP;
		break;
	default:
		return false;
	}
	exit->reason = EXIT_DEBUG;
	return true;
}

void debug_guest_exit(struct arch_vcpu *v)
{
	struct arch_vcpu_debug *d = &v->dbg;
	unsigned int cpu = arch_cpu_id(), i;

	/* The guest may have written any of them; the debugger's slots keep the guest's old value. */
	for (i = 0; i < 4; i++) {
		cpu_dr[cpu][i] = read_dr(i);
		if (!dr_is_debuggers(v, i))
			v->guest_dr[i] = cpu_dr[cpu][i];
	}
	if (!d->on)
		return;
	if (d->tf_ours)
		vmcb_w64(v, VMCB_RFLAGS, vmcb_r64(v, VMCB_RFLAGS) & ~RFLAGS_TF);
	d->tf_ours = false;
	vmcb_w64(v, VMCB_DR6, d->guest_dr6);
	vmcb_w64(v, VMCB_DR7, d->guest_dr7);
}

unsigned int arch_hw_breakpoint_slots(void)
{
	return ARCH_MAX_HW_BREAKPOINTS;
}

/* INT3 (APM vol. 3, "INT3"): the one-byte breakpoint GDB itself inserts on x86. */
u32 arch_sw_breakpoint_insn(unsigned int *size)
{
	*size = 1;
	return 0xcc;
}

/* x86 instruction fetches snoop stores, other CPUs' included (APM vol. 2, 7.6.1): nothing to do. */
void arch_sync_icache(void)
{
}

/* ---- registers in GDB's numbering ---------------------------------------------------- */

/*
 * The order of target_xml below: the 16 general registers in GDB's amd64
 * order (not the ModRM one), rip, eflags, six selectors, the x87 stack and
 * its control registers, xmm0-15, mxcsr, fs_base, gs_base.  GDB's amd64
 * support finds them by name in the features org.gnu.gdb.i386.core,
 * .sse and .segments (GDB manual, "i386 Features").
 */
#define GDB_REG_RIP	16
#define GDB_REG_EFLAGS	17
#define GDB_REG_CS	18 /* cs ss ds es fs gs */
#define GDB_REG_ST0	24
#define GDB_REG_FCTRL	32 /* fctrl fstat ftag fiseg fioff foseg fooff fop */
#define GDB_REG_XMM0	40
#define GDB_REG_MXCSR	56
#define GDB_REG_FS_BASE 57
#define GDB_REG_GS_BASE 58
#define GDB_NR_REGS	59

static const u8 gdb_gpr[16] = {
	GPR_RAX, GPR_RBX,    GPR_RCX,	 GPR_RDX,    GPR_RSI,	 GPR_RDI,    GPR_RBP,	 GPR_RSP,
	GPR_R8,	 GPR_R8 + 1, GPR_R8 + 2, GPR_R8 + 3, GPR_R8 + 4, GPR_R8 + 5, GPR_R8 + 6, GPR_R8 + 7,
};

static const u16 gdb_seg[6] = { VMCB_CS, VMCB_SS, VMCB_DS, VMCB_ES, VMCB_FS, VMCB_GS };

/* FXSAVE64 image (APM vol. 2, 11.4.4): offsets of what GDB shows. */
#define FX_FCW	      0
#define FX_FSW	      2
#define FX_FTW	      4 /* abridged: one "not empty" bit per register */
#define FX_FOP	      6
#define FX_FIP	      8
#define FX_FDP	      16
#define FX_MXCSR      24
#define FX_MXCSR_MASK 28
#define FX_ST0	      32 /* 16 bytes apart, 10 used */
#define FX_XMM0	      160

unsigned int arch_gdb_nr_regs(void)
{
	return GDB_NR_REGS;
}

/* GDB's ftag is the full tag word: 2 bits per register, 3 = empty; FXSAVE keeps 1 bit. */
static u32 ftag_full(u8 abridged)
{
	u32 full = 0;

	for (unsigned int i = 0; i < 8; i++)
		if (!(abridged & BIT(i)))
			full |= 3u << (2 * i);
	return full;
}

static u8 ftag_abridged(u32 full)
{
	u8 a = 0;

	for (unsigned int i = 0; i < 8; i++)
		if (((full >> (2 * i)) & 3) != 3)
			a |= BIT(i);
	return a;
}

static u32 fpu_ctl(const struct arch_vcpu *v, unsigned int i)
{
	const u8 *fx = v->guest_fx;
	u16 r16;
	u32 r32;

	switch (i) {
	case 0:
		memcpy(&r16, fx + FX_FCW, 2);
		return r16;
	case 1:
		memcpy(&r16, fx + FX_FSW, 2);
		return r16;
	case 2:
		return ftag_full(fx[FX_FTW]);
	case 4:
		memcpy(&r32, fx + FX_FIP, 4);
		return r32;
	case 6:
		memcpy(&r32, fx + FX_FDP, 4);
		return r32;
	case 7:
		memcpy(&r16, fx + FX_FOP, 2);
		return r16 & 0x7ff;
	default:
		return 0; /* fiseg, foseg: not in the 64-bit image */
	}
}

unsigned int arch_gdb_get_reg(const struct arch_vcpu *v, unsigned int n, u8 *buf)
{
	u64 r64;
	u32 r32;

	/* Little-endian guest and host: the bytes of the value are its memory order. */
	if (n < 16 || n == GDB_REG_RIP || n == GDB_REG_FS_BASE || n == GDB_REG_GS_BASE) {
		if (n < 16)
			r64 = arch_vcpu_get_reg(v, gdb_gpr[n]);
		else if (n == GDB_REG_RIP)
			r64 = vmcb_r64(v, VMCB_RIP);
		else
			r64 = vmcb_r64(v, (n == GDB_REG_FS_BASE ? VMCB_FS : VMCB_GS) + 8);
		memcpy(buf, &r64, 8);
		return 8;
	}
	if (n >= GDB_REG_ST0 && n < GDB_REG_ST0 + 8) {
		memcpy(buf, v->guest_fx + FX_ST0 + 16 * (n - GDB_REG_ST0), 10);
		return 10;
	}
	if (n >= GDB_REG_XMM0 && n < GDB_REG_XMM0 + 16) {
		memcpy(buf, v->guest_fx + FX_XMM0 + 16 * (n - GDB_REG_XMM0), 16);
		return 16;
	}
	if (n == GDB_REG_EFLAGS) {
		/* Our single-step TF is never in the guest's VMCB between exits (debug_guest_exit()). */
		r32 = (u32)vmcb_r64(v, VMCB_RFLAGS);
	} else if (n >= GDB_REG_CS && n < GDB_REG_CS + 6) {
		r32 = *(const u16 *)(v->vmcb + gdb_seg[n - GDB_REG_CS]);
	} else if (n >= GDB_REG_FCTRL && n < GDB_REG_FCTRL + 8) {
		r32 = fpu_ctl(v, n - GDB_REG_FCTRL);
	} else if (n == GDB_REG_MXCSR) {
		memcpy(&r32, v->guest_fx + FX_MXCSR, 4);
	} else {
		return 0;
	}
	memcpy(buf, &r32, 4);
	return 4;
}

static void set_fpu_ctl(struct arch_vcpu *v, unsigned int i, u32 val)
{
	u8 *fx = v->guest_fx;
	u16 r16 = (u16)val;

	switch (i) {
	case 0:
		memcpy(fx + FX_FCW, &r16, 2);
		break;
	case 1:
		memcpy(fx + FX_FSW, &r16, 2);
		break;
	case 2:
		fx[FX_FTW] = ftag_abridged(val);
		break;
	case 4:
		memcpy(fx + FX_FIP, &val, 4);
		break;
	case 6:
		memcpy(fx + FX_FDP, &val, 4);
		break;
	case 7:
		r16 &= 0x7ff;
		memcpy(fx + FX_FOP, &r16, 2);
		break;
	}
}

/* RFLAGS (APM vol. 2, 3.1.6): bit 1 reads 1; 3, 5, 15 and 22-63 are reserved, must be 0. */
#define RFLAGS_RESERVED (BIT(3) | BIT(5) | BIT(15) | GENMASK(31, 22))

/*
 * MXCSR bits FXRSTOR accepts: the MXCSR_MASK field of an FXSAVE image, or
 * 0xffbf where it is 0 (APM vol. 2, 11.5.9 "MXCSR State Management").  A
 * reserved bit set makes FXRSTOR raise #GP -- in the hypervisor, which
 * restores the guest's image before VMRUN.
 */
static u32 mxcsr_mask(void)
{
	static u32 mask;
	u8 fx[512] __attribute__((aligned(16)));

	if (!mask) {
		memset(fx, 0, sizeof(fx));
		__asm__ volatile("fxsave64 %0" : "=m"(fx));
		memcpy(&mask, fx + FX_MXCSR_MASK, 4);
		if (!mask)
			mask = 0xffbf;
	}
	return mask;
}

/* Canonical for the CPU's linear address width (CPUID Fn8000_0008 EAX[15:8]). */
static bool canonical(u64 addr)
{
	unsigned int bits = (cpuid(0x80000008, 0).eax >> 8) & 0xff;

	if (bits < 48 || bits > 64)
		bits = 48;
	return bits == 64 || (u64)((s64)(addr << (64 - bits)) >> (64 - bits)) == addr;
}

/*
 * What the hardware would refuse (Intel SDM / AMD APM: FXRSTOR #GP on
 * MXCSR reserved bits; RFLAGS reserved bits; WRMSR #GP on a non-canonical
 * FS/GS base) and what the debugger cannot set at all: a selector is only
 * the visible part of a segment whose base, limit and attributes come from
 * the guest's descriptor tables, which the debugger does not send, so a
 * selector other than the current one is refused (the same one, as G of
 * what g returned sends, is accepted), and so is RFLAGS.VM (virtual-8086
 * mode, which the guest's CS and long mode do not allow).  The x87 control
 * registers and the vector registers take any value FXRSTOR takes.
 */
int arch_gdb_check_reg(const struct arch_vcpu *v, unsigned int n, const u8 *buf)
{
	u64 r64;
	u32 r32;

	memcpy(&r64, buf, 8);
	memcpy(&r32, buf, 4);
	if (n == GDB_REG_FS_BASE || n == GDB_REG_GS_BASE)
		return canonical(r64) ? 0 : -EINVAL;
	if (n == GDB_REG_EFLAGS)
		return (r32 & RFLAGS_RESERVED) || (r32 & RFLAGS_VM) || !(r32 & RFLAGS_FIXED1) ?
			       -EINVAL :
			       0;
	if (n >= GDB_REG_CS && n < GDB_REG_CS + 6)
		return r32 == *(const u16 *)(v->vmcb + gdb_seg[n - GDB_REG_CS]) ? 0 : -EINVAL;
	if (n == GDB_REG_MXCSR)
		return r32 & ~mxcsr_mask() ? -EINVAL : 0;
	return 0;
}

unsigned int arch_gdb_set_reg(struct arch_vcpu *v, unsigned int n, const u8 *buf)
{
	u64 r64;
	u32 r32;

	if (n < 16 || n == GDB_REG_RIP || n == GDB_REG_FS_BASE || n == GDB_REG_GS_BASE) {
		memcpy(&r64, buf, 8);
		if (n < 16)
			arch_vcpu_set_reg(v, gdb_gpr[n], r64);
		else if (n == GDB_REG_RIP)
			vmcb_w64(v, VMCB_RIP, r64);
		else
			vmcb_w64(v, (n == GDB_REG_FS_BASE ? VMCB_FS : VMCB_GS) + 8, r64);
		return 8;
	}
	if (n >= GDB_REG_ST0 && n < GDB_REG_ST0 + 8) {
		memcpy(v->guest_fx + FX_ST0 + 16 * (n - GDB_REG_ST0), buf, 10);
		return 10;
	}
	if (n >= GDB_REG_XMM0 && n < GDB_REG_XMM0 + 16) {
		memcpy(v->guest_fx + FX_XMM0 + 16 * (n - GDB_REG_XMM0), buf, 16);
		return 16;
	}
	if (n != GDB_REG_EFLAGS && !(n >= GDB_REG_CS && n < GDB_REG_CS + 6) &&
	    !(n >= GDB_REG_FCTRL && n < GDB_REG_FCTRL + 8) && n != GDB_REG_MXCSR)
		return 0;
	memcpy(&r32, buf, 4);
	if (n == GDB_REG_EFLAGS) {
		/* Flags as asked (arch_gdb_check_reg() refused reserved bits and VM). */
		vmcb_w64(v, VMCB_RFLAGS, (r32 & ~RFLAGS_VM) | RFLAGS_FIXED1);
	} else if (n >= GDB_REG_FCTRL && n < GDB_REG_FCTRL + 8) {
		set_fpu_ctl(v, n - GDB_REG_FCTRL, r32);
	} else if (n == GDB_REG_MXCSR) {
		memcpy(v->guest_fx + FX_MXCSR, &r32, 4);
	}
	/*
	 * A selector alone is not a segment (see arch_gdb_check_reg()): only
	 * its current value passes the check, and writing it changes nothing.
	 */
	return 4;
}

/*
 * Written for this hypervisor after the GDB manual's "Target Description
 * Format" and "i386 Features": the core, sse and segments features with the
 * register names GDB requires, in arch_gdb_get_reg()'s order.
 */
#define XR64(name) "<reg name=\"" name "\" bitsize=\"64\" type=\"int64\"/>\n"
#define XR32(name) "<reg name=\"" name "\" bitsize=\"32\" type=\"int32\"/>\n"
#define XST(name)  "<reg name=\"" name "\" bitsize=\"80\" type=\"i387_ext\"/>\n"
#define XFP(name)  "<reg name=\"" name "\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
#define XMM(name)  "<reg name=\"" name "\" bitsize=\"128\" type=\"vec128\"/>\n"

static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<feature name=\"org.gnu.gdb.i386.core\">\n"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>\n" XR64("rbx") XR64(
		"rcx") XR64("rdx") XR64("rsi")
		XR64("rdi") "<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
			    "<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n" XR64("r8") XR64(
				    "r9") XR64("r10") XR64("r11") XR64("r12") XR64("r13") XR64("r14")
				    XR64("r15") "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n" XR32(
					    "eflags") XR32("cs") XR32("ss") XR32("ds") XR32("es")
					    XR32("fs") XR32("gs") XST("st0") XST("st1") XST("st2") XST(
						    "st3") XST("st4") XST("st5") XST("st6") XST("st7")
						    XFP("fctrl") XFP("fstat") XFP("ftag") XFP(
							    "fiseg") XFP("fioff") XFP("foseg") XFP("fooff")
							    XFP("fop") "</feature>\n"
								       "<feature name=\"org.gnu.gdb.i386.sse\">\n"
								       "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
								       "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
								       "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
								       "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
								       "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
								       "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
								       "<union id=\"vec128\">\n"
								       "<field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>"
								       "<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>"
								       "<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>"
								       "<field name=\"uint128\" type=\"uint128\"/>\n"
								       "</union>\n"
								       "<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\" regnum=\"40\"/>\n" XMM(
									       "xmm1") XMM("xmm2")
									       XMM("xmm3") XMM("xmm4") XMM("xmm5") XMM(
										       "xmm6") XMM("xmm7") XMM("xmm8")
										       XMM("xmm9") XMM("xmm10") XMM(
											       "xmm11") XMM("xmm12")
											       XMM("xmm13") XMM(
												       "xmm14")
												       XMM("xmm15") "<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>\n"
														    "</feature>\n"
														    "<feature name=\"org.gnu.gdb.i386.segments\">\n"
														    "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"57\"/>\n"
														    "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
														    "</feature>\n"
														    "</target>\n";

const char *arch_gdb_target_xml(void)
{
	return target_xml;
}

/* ---- the guest's own page tables, walked in software ------------------------------------ */

/*
 * APM vol. 2, 5 "Page Translation and Protection": paging off (CR0.PG = 0)
 * means virtual = physical, 32 bits; legacy 32-bit paging (2 levels of
 * 4-byte entries, 4 MiB pages with CR4.PSE); PAE (CR4.PAE, a 4-entry
 * directory pointer table then 2 levels of 8-byte entries); long mode
 * (EFER.LMA: 4 levels, canonical addresses, 1 GiB and 2 MiB pages).
 * Entries: bit 0 present, bit 7 a page at the directory levels (PS).
 * 5-level paging (CR4.LA57) is refused.  Access rights are not checked:
 * the debugger may read what the guest's kernel may.
 */
#define PTE_P	 BIT(0)
#define PTE_PS	 BIT(7)
#define PTE_ADDR GENMASK(51, 12)

static int read_pte32(u64 addr, u64 *pte, int (*read64)(void *ctx, u64 gpa, u64 *val), void *ctx)
{
	u64 val;

	/* Aligned 8-byte reads only: the wanted half of the pair. */
	if (read64(ctx, addr & ~7ULL, &val))
		return -EFAULT;
	*pte = (u32)(val >> (addr & 4 ? 32 : 0));
	return 0;
}

/* Does @pte at @level map a page (rather than point to the next table)? */
static bool is_page(unsigned int level, u64 pte, bool legacy32, bool lma, u64 cr4)
{
	if (level == 1)
		return true;
	if (!(pte & PTE_PS))
		return false;
	if (legacy32)
		return cr4 & CR4_PSE;		  /* 4 MiB pages */
	return level == 2 || (level == 3 && lma); /* 2 MiB; 1 GiB in long mode only */
}

int arch_vcpu_translate(const struct arch_vcpu *v, u64 gva, u64 *gpa, u64 *len,
			int (*read64)(void *ctx, u64 gpa, u64 *val), void *ctx)
{
	struct svm_guest_ctl ctl;
	u64 cr0, cr4, table, pte;
	unsigned int level, shift;
	bool legacy32 = false, lma;

	/* The guest's own registers: under a shadow MMU the VMCB's are the hypervisor's. */
	svm_guest_ctl(v, &ctl);
	cr0 = ctl.cr0;
	cr4 = ctl.cr4;
	table = ctl.cr3;
	lma = ctl.efer & EFER_LMA;

	if (!(cr0 & CR0_PG)) {
		if (gva >> 32)
			return -EFAULT;
		*gpa = gva;
		*len = 0x1000 - (gva & 0xfff);
		return 0;
	}
	if (lma) {
		if ((cr4 & CR4_LA57) || (u64)((s64)(gva << 16) >> 16) != gva)
			return -EFAULT;
		level = 4;
		table &= PTE_ADDR;
	} else if (cr4 & CR4_PAE) {
		if (gva >> 32)
			return -EFAULT;
		level = 3;
		table &= GENMASK(31, 5);
	} else {
		if (gva >> 32)
			return -EFAULT;
		legacy32 = true;
		level = 2;
		table &= GENMASK(31, 12);
	}
	for (; level >= 1; level--) {
		u64 idx, mask;

		if (legacy32) {
			shift = level == 2 ? 22 : 12;
			idx = (gva >> shift) & 0x3ff;
			if (read_pte32(table + idx * 4, &pte, read64, ctx))
				return -EFAULT;
		} else {
			shift = 12 + 9 * (level - 1);
			idx = (gva >> shift) & 0x1ff;
			if (read64(ctx, table + idx * 8, &pte))
				return -EFAULT;
		}
		if (!(pte & PTE_P))
			return -EFAULT;
		if (is_page(level, pte, legacy32, lma, cr4)) {
			mask = (1ULL << shift) - 1;
			*gpa = (pte & (legacy32 ? GENMASK(31, 0) : GENMASK(51, 0)) & ~mask) |
			       (gva & mask);
			*len = mask + 1 - (gva & mask);
			return 0;
		}
		table = legacy32 ? pte & GENMASK(31, 12) : pte & PTE_ADDR;
	}
	return -EFAULT;
}
