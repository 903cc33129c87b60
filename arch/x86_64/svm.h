/* SPDX-License-Identifier: MIT */
/*
 * AMD SVM: the VMCB layout, intercept bits, exit codes and event injection
 * (AMD APM vol. 2, appendix B "Layout of VMCB", appendix C "SVM Intercept
 * Exit Codes", 15.20 "Event Injection").  Offsets are from the VMCB start.
 */
#ifndef ARCH_X86_64_SVM_H
#define ARCH_X86_64_SVM_H

#define MSR_VM_HSAVE_PA 0xc0010117 /* APM 15.30.4: host save area of VMRUN */

/* CPUID Fn8000_000A EDX (APM vol. 3, E.4.9) */
#define SVM_FEAT_NP	    (1 << 0) /* nested paging */
#define SVM_FEAT_NRIPS	    (1 << 3) /* next RIP saved on #VMEXIT */
#define SVM_FEAT_FLUSH_ASID (1 << 6) /* TLB_CONTROL 3: flush this guest's entries */

/* Control area */
#define VMCB_INTERCEPT_CR    0x000
#define VMCB_INTERCEPT_EXC   0x008
#define VMCB_INTERCEPT_MISC1 0x00c
#define VMCB_INTERCEPT_MISC2 0x010
#define VMCB_IOPM_PA	     0x040
#define VMCB_MSRPM_PA	     0x048
#define VMCB_ASID	     0x058
#define VMCB_TLB_CONTROL     0x05c
#define VMCB_VINTR	     0x060
#define VMCB_INT_STATE	     0x068
#define VMCB_EXIT_CODE	     0x070
#define VMCB_EXIT_INFO1	     0x078
#define VMCB_EXIT_INFO2	     0x080
#define VMCB_EXIT_INT_INFO   0x088
#define VMCB_NP_ENABLE	     0x090
#define VMCB_EVENT_INJ	     0x0a8
#define VMCB_N_CR3	     0x0b0
#define VMCB_CLEAN	     0x0c0
#define VMCB_NEXT_RIP	     0x0c8

/* State save area: segments are 16 bytes (selector, attributes, limit, base) */
#define VMCB_ES	    0x400
#define VMCB_CS	    0x410
#define VMCB_SS	    0x420
#define VMCB_DS	    0x430
#define VMCB_FS	    0x440
#define VMCB_GS	    0x450
#define VMCB_GDTR   0x460
#define VMCB_LDTR   0x470
#define VMCB_IDTR   0x480
#define VMCB_TR	    0x490
#define VMCB_CPL    0x4cb
#define VMCB_EFER   0x4d0
#define VMCB_CR4    0x548
#define VMCB_CR3    0x550
#define VMCB_CR0    0x558
#define VMCB_DR7    0x560
#define VMCB_DR6    0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP    0x578
#define VMCB_RSP    0x5d8
#define VMCB_RAX    0x5f8
#define VMCB_CR2    0x640
#define VMCB_G_PAT  0x668

/* Intercept vector 3 (MISC1) */
#define INTERCEPT_INTR	      (1u << 0)
#define INTERCEPT_NMI	      (1u << 1)
#define INTERCEPT_SMI	      (1u << 2)
#define INTERCEPT_INIT	      (1u << 3)
#define INTERCEPT_RDPMC	      (1u << 15)
#define INTERCEPT_CPUID	      (1u << 18)
#define INTERCEPT_INVD	      (1u << 22)
#define INTERCEPT_HLT	      (1u << 24)
#define INTERCEPT_INVLPGA     (1u << 26)
#define INTERCEPT_IOIO	      (1u << 27)
#define INTERCEPT_MSR	      (1u << 28)
#define INTERCEPT_INTN	      (1u << 21)
#define INTERCEPT_INVLPG      (1u << 25)
#define INTERCEPT_TASK_SWITCH (1u << 29)
#define INTERCEPT_SHUTDOWN    (1u << 31)
/* Intercept vector 4 (MISC2) */
#define INTERCEPT_VMRUN	      (1u << 0)
#define INTERCEPT_VMMCALL     (1u << 1)
#define INTERCEPT_VMLOAD      (1u << 2)
#define INTERCEPT_VMSAVE      (1u << 3)
#define INTERCEPT_STGI	      (1u << 4)
#define INTERCEPT_CLGI	      (1u << 5)
#define INTERCEPT_SKINIT      (1u << 6)
#define INTERCEPT_WBINVD      (1u << 9) /* and WBNOINVD */
#define INTERCEPT_MONITOR     (1u << 10)
#define INTERCEPT_MWAIT	      (1u << 11)
#define INTERCEPT_MWAIT_ARMED (1u << 12)
#define INTERCEPT_XSETBV      (1u << 13)
#define INTERCEPT_RDPRU	      (1u << 14)

#define VINTR_MASKING (1u << 24) /* host RFLAGS.IF gates physical interrupts (15.21.1) */

#define TLB_CONTROL_NONE       0
#define TLB_CONTROL_FLUSH_ALL  1
#define TLB_CONTROL_FLUSH_ASID 3

/* Exit codes (appendix C) */
#define SVM_EXIT_READ_CR0  0x000 /* + n: MOV from CRn; 0x010 + n: MOV to CRn (and CLTS, LMSW) */
#define SVM_EXIT_WRITE_CR0 0x010
#define SVM_EXIT_EXCP_BASE 0x040
#define SVM_EXIT_EXCP_PF   0x04e
#define SVM_EXIT_INVLPG	   0x079
#define SVM_EXIT_INTR	   0x060
#define SVM_EXIT_NMI	   0x061
#define SVM_EXIT_SMI	   0x062
#define SVM_EXIT_INIT	   0x063
#define SVM_EXIT_EXCP_DB   0x041
#define SVM_EXIT_EXCP_BP   0x043
#define SVM_EXIT_CPUID	   0x072
#define SVM_EXIT_RDPMC	   0x06f
#define SVM_EXIT_SWINT	   0x075
#define SVM_EXIT_HLT	   0x078
#define SVM_EXIT_IOIO	   0x07b
#define SVM_EXIT_MSR	   0x07c
#define SVM_EXIT_SHUTDOWN  0x07f
#define SVM_EXIT_VMMCALL   0x081
#define SVM_EXIT_WBINVD	   0x089
#define SVM_EXIT_XSETBV	   0x08d
#define SVM_EXIT_NPF	   0x400
#define SVM_EXIT_INVALID   (~0ULL)

/* #NPF EXITINFO1: a page-fault error code (15.25.6) */
#define NPF_WRITE (1ULL << 1)
#define NPF_FETCH (1ULL << 4)

/* IOIO EXITINFO1 (15.10.2, figure 15-2); EXITINFO2 = the next RIP */
#define IOIO_IN		(1ULL << 0)
#define IOIO_STR	(1ULL << 2)
#define IOIO_REP	(1ULL << 3)
#define IOIO_SZ_SHIFT	4 /* bits 4-6: SZ8, SZ16, SZ32 one-hot */
#define IOIO_PORT_SHIFT 16

/* The #PF error code (APM vol. 2, 8.4.2) */
#define PF_ERR_P  (1u << 0)
#define PF_ERR_W  (1u << 1)
#define PF_ERR_U  (1u << 2)
#define PF_ERR_ID (1u << 4)

/* EVENTINJ / EXITINTINFO (15.20) */
#define EVENT_VALID	     (1ULL << 31)
#define EVENT_ERR_VALID	     (1ULL << 11)
#define EVENT_TYPE_EXCEPTION (3ULL << 8)

#define X86_VEC_DB 1
#define X86_VEC_BP 3
#define X86_VEC_UD 6
#define X86_VEC_GP 13
#define X86_VEC_PF 14

#ifndef __ASSEMBLER__

#include "arch_vcpu.h"

static inline u64 vmcb_r64(const struct arch_vcpu *v, unsigned int off)
{
	return *(const u64 *)(v->vmcb + off);
}

static inline u32 vmcb_r32(const struct arch_vcpu *v, unsigned int off)
{
	return *(const u32 *)(v->vmcb + off);
}

static inline void vmcb_w64(struct arch_vcpu *v, unsigned int off, u64 val)
{
	*(u64 *)(v->vmcb + off) = val;
}

static inline void vmcb_w32(struct arch_vcpu *v, unsigned int off, u32 val)
{
	*(u32 *)(v->vmcb + off) = val;
}

/*
 * debug.c, around each VMRUN of vcpu.c, interrupts and GIF off: load DR0-DR3
 * (the guest's own, or the debugger's breakpoints) and the debugger's
 * wishes (exception intercepts, TF, the VMCB's DR7) right before it, and
 * return the DR7 value svm_vmrun() writes into the host's DR7 as its last
 * act before VMRUN (0: none; see there).  After the exit: recognise a debug
 * exit (true: @exit filled), save the guest's DR0-DR3 and give it its own
 * DR6/DR7/TF back.
 */
struct vcpu_exit;
u64 debug_guest_enter(struct arch_vcpu *v);
bool debug_decode(struct arch_vcpu *v, u64 code, struct vcpu_exit *exit);
void debug_guest_exit(struct arch_vcpu *v);

struct arch_stage2;

/*
 * vcpu.c: drop @asid's translations on every CPU (a new ASID generation,
 * CPUs running it kicked and waited for); stage2.c's TLB maintenance.
 */
void svm_flush_asid(u16 asid);

/* vcpu.c: an exception for the next entry (EVENTINJ, 15.20). */
void svm_inject(struct arch_vcpu *v, unsigned int vector, bool err, u32 code);

/*
 * stage2_shadow.c, the shadow MMU's side of a VMRUN (see there):
 *  - before: intercepts and the CPU's control registers (interrupts on);
 *    false when the vCPU must not enter this time (no shadow root to run
 *    on yet, or the VM ends): @exit then says what to do instead;
 *  - load_root: the table the CPU walks, after this CPU announced the
 *    entry (interrupts off); returns it, for the per-CPU TLB check;
 *  - decode: during exit decoding, true when the exit is the shadow
 *    MMU's (left in sh.pending);
 *  - handle: after the exit, interrupts on: CR/EFER/INVLPG/#PF.
 */
void svm_shadow_reset(struct arch_vcpu *v);
bool svm_shadow_before(struct arch_vcpu *v, const struct arch_stage2 *s2, struct vcpu_exit *exit);
u64 svm_shadow_load_root(struct arch_vcpu *v, const struct arch_stage2 *s2);
bool svm_shadow_decode(struct arch_vcpu *v, u64 code, struct vcpu_exit *exit);
void svm_shadow_handle(struct arch_vcpu *v, const struct arch_stage2 *s2, struct vcpu_exit *exit);
/* The guest's own CR0, CR3, CR4 and EFER (the VMCB's unless shadowed). */
struct svm_guest_ctl {
	u64 cr0, cr3, cr4, efer;
};
void svm_guest_ctl(const struct arch_vcpu *v, struct svm_guest_ctl *ctl);

/*
 * guest_entry.S: one VMRUN of @v; GIF clear on entry and on return, interrupts
 * off on return.  @host_dr7: written into DR7 right before VMRUN when not 0
 * (QEMU's breakpoints, debug.c); DR7 is left with every breakpoint disabled
 * at the first instructions after #VMEXIT either way.  The addresses from
 * svm_dr7_armed up to svm_dr7_disarmed are the only host code that runs
 * with it armed.
 */
void svm_vmrun(struct arch_vcpu *v, u64 vmcb_pa, u64 host_vmcb_pa, u64 host_dr7);
extern const char svm_dr7_armed[], svm_dr7_disarmed[];

#endif

/* The CR4 bits the guest's CPUID lets it set (vcpu.c). */
u64 svm_guest_cr4_mask(const struct arch_vcpu *v);

/* CPUID Fn8000_000A EDX of the host (vcpu.c): what SVM offers, e.g. SVM_FEAT_NRIPS. */
extern u32 svm_features;
/* After a #VMEXIT: fill @exit from the VMCB, answering what needs no kvm/ (exits.c). */
void svm_decode(struct arch_vcpu *v, struct vcpu_exit *exit);

#endif
