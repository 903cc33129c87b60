/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 structures kvm/ embeds without looking inside (kvm/arch/vcpu.h):
 * a vCPU under AMD SVM and a hypervisor thread's saved context.  Usable from
 * assembly (offsets) and C; the offsets are checked below.
 *
 * A vCPU's state lives in three places (AMD APM vol. 2, 15.5 "VMRUN"): the
 * VMCB's state save area holds what VMRUN/#VMEXIT and VMLOAD/VMSAVE switch
 * (segments, control registers, EFER, RIP, RSP, RAX, RFLAGS, FS/GS/TR/LDTR,
 * the SYSCALL MSRs); gpr[] the general registers neither touches; fx the
 * x87/SSE state, which SVM does not switch at all.
 */
#ifndef ARCH_X86_64_ARCH_VCPU_H
#define ARCH_X86_64_ARCH_VCPU_H

/* struct arch_vcpu, for guest_entry.S */
#define VCPU_GPR      0	  /* u64 gpr[16], the x86 register numbering below */
#define VCPU_GUEST_FX 128 /* 512-byte FXSAVE area, 16-byte aligned */
#define VCPU_HOST_FX  640

/* Register numbers (the ModRM encoding: Intel SDM vol. 2A, 2.1.5) */
#define GPR_RAX 0
#define GPR_RCX 1
#define GPR_RDX 2
#define GPR_RBX 3
#define GPR_RSP 4
#define GPR_RBP 5
#define GPR_RSI 6
#define GPR_RDI 7
#define GPR_R8	8

/* struct arch_thread, for thread.S */
#define THREAD_RSP 0

#ifndef __ASSEMBLER__

#include "mmu/shadow.h"
#include "mmu/types.h"
#include "platform.h" /* arch_cpu_id() */

#define SVM_VMCB_SIZE 4096
/* kvm/gdbstub's table size: DR0-DR3 (debug.c). */
#define ARCH_MAX_HW_BREAKPOINTS 4

/* What the debugger wants of a vCPU (debug.c), and the guest's own state it displaced. */
struct arch_vcpu_debug {
	bool on;      /* #DB and #BP intercepted */
	bool step;    /* RFLAGS.TF for the next entries */
	bool tf_ours; /* this entry's TF was set by us, not by the guest */
	unsigned int nr_hw;
	u64 hw[ARCH_MAX_HW_BREAKPOINTS];
	u64 guest_dr6, guest_dr7; /* the guest's while ours are in the VMCB */
};

/*
 * A vCPU on a shadow MMU (stage2_shadow.c): the control registers and EFER as
 * the guest wrote them (the VMCB holds what the CPU runs with), and the
 * shadow root the CPU walks while the guest's paging is on (while it is
 * off, a per-CPU PAE root page in stage2_shadow.c: nothing the CPU walks is
 * inside this structure, next to guest-controlled registers).
 */
struct arch_vcpu_shadow {
	bool on;
	u32 pending; /* exit code left for svm_shadow_handle(), 0 none */
	u64 cr0, cr3, cr4, efer;
	struct shadow_vcpu sv;
	unsigned int logged; /* refusals printed so far */
	u64 root_wait_since; /* arch_time_ns() of the first entry refused for want of a root */
	u64 root_waits;	     /* entries refused for want of a root */
	/* The last store to a guest table not emulated, and how often in a row: stage2_shadow.c. */
	u64 unemulated_rip, unemulated_gfn;
	unsigned int unemulated;
	bool entered_without_root; /* a bug svm_shadow_load_root() caught: the VM ends */
};

struct arch_vcpu {
	/*
	 * rbx, rcx, rdx, rsi, rdi, rbp, r8-r15 while the vCPU does not run.
	 * gpr[GPR_RAX] and gpr[GPR_RSP] are unused: RAX and RSP live in the
	 * VMCB (VMRUN loads them, #VMEXIT saves them).
	 */
	u64 gpr[16];
	u8 guest_fx[512] __attribute__((aligned(16)));
	/* The host's x87/SSE state around one VMRUN (the entry code's scratch). */
	u8 host_fx[512] __attribute__((aligned(16)));
	/*
	 * Guest state nothing in SVM switches (arch/x86_64/README.md, "What a
	 * guest can write"): DR0-DR3 (debug.c) and PKRU (vcpu.c).
	 */
	u64 guest_dr[4];
	u32 guest_pkru;
	/* The VMCB: page aligned inside vmcb_mem (kvm allocates vCPUs 64-byte aligned). */
	u8 *vmcb;
	u64 vmcb_pa;
	/* What the last exit left behind for arch_vcpu_skip_insn(): the next RIP, 0 if unknown. */
	u64 next_rip;
	/* The last exit's code and the event this entry injected (vcpu.c's host-state check). */
	u64 prev_exit_code, entry_event_inj;
	unsigned int index;
	/* I/O port accesses refused with #GP so far (the first few are logged). */
	unsigned int io_refused;
	struct arch_vcpu_debug dbg;
	struct arch_vcpu_shadow sh;
	u8 vmcb_mem[2 * SVM_VMCB_SIZE];
};

/* A hypervisor thread while it does not run: its stack pointer (the rest is on the stack). */
struct arch_thread {
	u64 rsp;
};

_Static_assert(__builtin_offsetof(struct arch_vcpu, gpr) == VCPU_GPR, "arch_vcpu layout");
_Static_assert(__builtin_offsetof(struct arch_vcpu, guest_fx) == VCPU_GUEST_FX, "arch_vcpu layout");
_Static_assert(__builtin_offsetof(struct arch_vcpu, host_fx) == VCPU_HOST_FX, "arch_vcpu layout");
_Static_assert(__builtin_offsetof(struct arch_thread, rsp) == THREAD_RSP, "arch_thread layout");

#endif /* !__ASSEMBLER__ */

#endif
