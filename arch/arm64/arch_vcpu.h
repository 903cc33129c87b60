/* SPDX-License-Identifier: MIT */
/*
 * The arm64 structures kvm/ embeds without looking inside (kvm/arch/vcpu.h):
 * a vCPU's whole register state and a hypervisor thread's saved context.
 * Usable from assembly (offsets) and C; the offsets are checked below.
 */
#ifndef ARCH_ARM64_ARCH_VCPU_H
#define ARCH_ARM64_ARCH_VCPU_H

/* struct arch_vcpu, for guest_entry.S */
#define VCPU_X	    0
#define VCPU_SP_EL0 248
#define VCPU_PC	    256
#define VCPU_PSTATE 264
#define VCPU_V	    272 /* 16-byte aligned: ldp/stp of q registers */
#define VCPU_FPSR   784
#define VCPU_FPCR   792

/* struct arch_thread, for thread.S */
#define THREAD_X19  0 /* x19..x30: 12 registers */
#define THREAD_SP   96
#define THREAD_D8   104 /* d8..d15 */
#define THREAD_SIZE 168

#ifndef __ASSEMBLER__

#include "mmu/types.h"
#include "platform.h" /* arch_cpu_id() */

/*
 * The guest's pointer authentication keys are loaded in the key registers
 * while it runs, and EL2 shares them (E2H = 0): hypervisor code signing its
 * return addresses would authenticate them with a guest's key.
 */
#if defined(__ARM_FEATURE_PAC_DEFAULT)
#error "build the hypervisor with -mbranch-protection=none: guests own the PAuth keys"
#endif

/*
 * The guest's self-hosted debug registers (Arm ARM D2, each by name):
 * DBGBVR<n>/DBGBCR<n>/DBGWVR<n>/DBGWCR<n>_EL1 (the CPU's first BRPs and WRPs
 * slots are switched), MDCCINT_EL1, the OS Lock (OSLSR_EL1.OSLK, set at
 * reset) and the OS Double Lock (OSDLR_EL1.DLK).
 */
#define ARCH_MAX_DBG_SLOTS 16
struct arch_dbg_regs {
	u64 bvr[ARCH_MAX_DBG_SLOTS], bcr[ARCH_MAX_DBG_SLOTS];
	u64 wvr[ARCH_MAX_DBG_SLOTS], wcr[ARCH_MAX_DBG_SLOTS];
	u64 mdccint, oslk, osdlr;
};

/*
 * The guest's own system registers, EL1's and the EL0 ones it shares: while
 * the vCPU does not run they live here, while it runs in the CPU (Arm ARM D1
 * "The AArch64 System level programmers' model"; each one is named by its
 * register).  el1_regs.c switches them, README.md lists them.
 */
struct arch_el1_regs {
	u64 sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar;
	u64 elr, spsr, esr, far, afsr0, afsr1, sp_el1;
	u64 cpacr, contextidr, tpidr_el0, tpidr_el1, tpidrro_el0, par, csselr;
	u64 cntkctl, cntv_ctl, cntv_cval, mdscr;
	u64 cntp_ctl, cntp_cval; /* the EL1 physical timer (CNTHCTL_EL2 gives it to EL1) */
	u64 tpidr2;		 /* TPIDR2_EL0, with SME (which stays hidden) */
	u64 vdisr;		 /* VDISR_EL2, the guest's DISR_EL1 (AMO), with RAS */
	/*
	 * Pointer authentication keys (FEAT_PAuth), Lo then Hi: APIAKey,
	 * APIBKey, APDAKey, APDBKey, APGAKey (Arm ARM APIAKeyLo_EL1 ...).
	 * Switched only where the CPU has them.
	 */
	u64 pauth_keys[10];
	struct arch_dbg_regs dbg;
};

/*
 * The guest's view of the GIC virtual CPU interface (IHI 0069 6.2, 12.4
 * "The GIC virtual CPU interface" / ICH_* registers), saved while the vCPU
 * does not run, and what the next entry loads (vgic_hw.c).
 */
#define ARCH_VGIC_MAX_LR 16
struct arch_vgic_cpu {
	u64 lr[ARCH_VGIC_MAX_LR]; /* ICH_LR<n>_EL2 of the last flush / exit */
	u64 hcr;		  /* ICH_HCR_EL2 for the next entry */
	u64 vmcr;		  /* ICH_VMCR_EL2: the guest's PMR, BPRs, group enables */
	u32 ap0r[4], ap1r[4];	  /* ICH_AP0R<n>_EL2, ICH_AP1R<n>_EL2: active priorities */
	unsigned int nr_lr;	  /* list registers the last flush used */
	bool vtimer_asserted;	  /* the virtual timer's line, as kvm last sampled it */
	bool ptimer_asserted;	  /* the EL1 physical timer's, likewise */
};

/*
 * What the debugger asked of a vCPU (debug.c): debug exceptions to EL2,
 * single step, breakpoint registers.  Applied at each entry; the guest's own
 * MDSCR_EL1 is kept in @guest_mdscr while the CPU holds ours.
 */
#define ARCH_MAX_HW_BREAKPOINTS 16
struct arch_vcpu_debug {
	bool on, step;
	unsigned int nr_hw;
	u64 hw[ARCH_MAX_HW_BREAKPOINTS];
	u64 guest_mdscr;
};

struct arch_vcpu {
	u64 x[31]; /* x0..x30 */
	u64 sp_el0;
	u64 pc;					   /* ELR_EL2 on entry */
	u64 pstate;				   /* SPSR_EL2 on entry */
	u64 v[32][2] __attribute__((aligned(16))); /* q0..q31, low half first */
	u64 fpsr, fpcr;
	struct arch_el1_regs el1;
	u64 vmpidr; /* VMPIDR_EL2: what the guest reads as MPIDR_EL1 */
	/*
	 * The last exit was an emulable load of a W register (ISS.SF = 0):
	 * arch_vcpu_skip_insn() clears bits 63:32 of x[w_load_reg], as the
	 * load would have (a W write zero-extends).  -1 otherwise.
	 */
	int w_load_reg;
	/*
	 * The EL1 registers stay in the CPU after an exit: the next entry on
	 * the same CPU, with no other vCPU run there in between, skips
	 * reloading them unless @el1_dirty says this struct changed (reset,
	 * an injected exception) or the CPU's copy did (AT clobbers PAR_EL1).
	 */
	bool el1_dirty;
	int last_cpu;
	struct arch_vgic_cpu vgic;
	struct arch_vcpu_debug dbg;
};

/* A hypervisor thread while it does not run: AAPCS64 callee-saved state. */
struct arch_thread {
	u64 x19_x30[12]; /* x29 = frame pointer, x30 = where to continue */
	u64 sp;
	u64 d8_d15[8];
};

_Static_assert(__builtin_offsetof(struct arch_vcpu, sp_el0) == VCPU_SP_EL0, "arch_vcpu layout");
_Static_assert(__builtin_offsetof(struct arch_vcpu, pc) == VCPU_PC, "arch_vcpu layout");
_Static_assert(__builtin_offsetof(struct arch_vcpu, pstate) == VCPU_PSTATE, "arch_vcpu layout");
_Static_assert(__builtin_offsetof(struct arch_vcpu, v) == VCPU_V, "arch_vcpu layout");
_Static_assert(__builtin_offsetof(struct arch_vcpu, fpsr) == VCPU_FPSR, "arch_vcpu layout");
_Static_assert(__builtin_offsetof(struct arch_vcpu, fpcr) == VCPU_FPCR, "arch_vcpu layout");
_Static_assert(__builtin_offsetof(struct arch_thread, sp) == THREAD_SP, "arch_thread layout");
_Static_assert(__builtin_offsetof(struct arch_thread, d8_d15) == THREAD_D8, "arch_thread layout");
_Static_assert(sizeof(struct arch_thread) == THREAD_SIZE, "arch_thread layout");

#endif /* !__ASSEMBLER__ */

#endif
