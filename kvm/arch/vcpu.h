/* SPDX-License-Identifier: MIT */
/*
 * What kvm/ asks of arch/<arch>/ for a vCPU: reset, entering the guest and
 * decoding why it came back, its registers and hypercall arguments,
 * injecting what the guest must see, describing an exit.
 *
 * arch/<arch>/arch_vcpu.h defines the structures kvm/ embeds but does not
 * look into (struct arch_vcpu, struct arch_thread).
 *
 * kvm/ never names a register or an instruction; every such detail lives
 * behind the functions of the kvm/arch/ headers, which arch/<arch>/ implements.
 * Unless said otherwise a function acts on the calling physical CPU and may
 * be called with interrupts enabled.
 */
#ifndef KVM_ARCH_VCPU_H
#define KVM_ARCH_VCPU_H

#include "mmu/types.h"

/* From arch/<arch>/: struct arch_vcpu, struct arch_thread, arch_cpu_id(). */
#include "arch_vcpu.h"
#include "kvm/arch/stage2.h"

/*
 * Reset @v to the architecture's entry state: at the guest kernel's level
 * (arm64: EL1h, MMU off, interrupts masked), pc = @entry, first argument
 * register = @arg (arm64: x0), everything else zero; @index is its number in
 * the VM (arm64: the virtual MPIDR's Aff0, so PSCI targets it by MPIDR = index).
 */
void arch_vcpu_reset(struct arch_vcpu *v, unsigned int index, u64 entry, u64 arg);

enum arch_debug_event {
	DEBUG_NONE,
	DEBUG_SW_BREAKPOINT, /* a breakpoint instruction (ours or the guest's own) */
	DEBUG_HW_BREAKPOINT, /* a breakpoint register matched */
	DEBUG_STEP,	     /* one instruction stepped */
};

enum vcpu_exit_reason {
	EXIT_NONE,
	EXIT_HYPERCALL,	    /* HVC / VMMCALL; pc already past it */
	EXIT_FIRMWARE_CALL, /* arm64 SMC (PSCI over SMC); pc already past it */
	EXIT_MEM_FAULT,	    /* stage-2 / NPT fault */
	EXIT_WFI,	    /* the guest waits for an interrupt; pc already past it */
	EXIT_YIELD,	    /* the guest waits for an event (arm64 WFE): yield; pc past it */
	EXIT_IRQ,	    /* a physical interrupt (already handled: the tick) */
	EXIT_SEND_IPI,	    /* the guest asked for an SGI (@ipi_*); pc already past it */
	EXIT_DEBUG,	    /* breakpoint or single step for the debugger (@debug) */
	EXIT_FATAL,	    /* the guest cannot go on (triple fault, entry refused, ...): the
				 * arch printed why; the VM ends with @fatal_status */
	EXIT_UNHANDLED,	    /* anything else: @syndrome says what */
};

struct vcpu_exit {
	enum vcpu_exit_reason reason;
	/* EXIT_MEM_FAULT */
	u64 gpa; /* faulting guest-physical address (byte precise) */
	u64 gva; /* guest-virtual address, if @gva_valid */
	bool gva_valid;
	bool write;	  /* a write (or a read-modify-write) */
	bool exec;	  /* an instruction fetch */
	bool decoded;	  /* a single load/store the hypervisor may emulate: */
	u8 access_size;	  /*   1, 2, 4 or 8 bytes */
	u8 reg;		  /*   register number (31: zero register on arm64) */
	bool sign_extend; /*   load sign-extends */
	/* EXIT_SEND_IPI: SGI @ipi_intid to the vCPUs whose indexes are set in @ipi_targets */
	u32 ipi_intid;
	bool ipi_broadcast; /*   to every vCPU but the sender instead */
	u64 ipi_targets;
	/* EXIT_DEBUG: what stopped it; pc is the next instruction to run */
	enum arch_debug_event debug;
	/* EXIT_FATAL: the VM's exit status (a negative errno, -1 when none says more) */
	int fatal_status;
	/* EXIT_UNHANDLED (and for reports) */
	u64 syndrome; /* arm64: the EL2 exception syndrome */
	u64 pc;	      /* guest pc of the trapping instruction */
};

/*
 * Enter the guest on @v with stage-2 @s2 until it exits; fill @exit.
 * Called with interrupts enabled from the vCPU's thread; returns with them
 * enabled.  Saves and restores the guest's whole register state (general,
 * FP/SIMD, the guest kernel's system registers) in @v.
 */
void arch_vcpu_run(struct arch_vcpu *v, const struct arch_stage2 *s2, struct vcpu_exit *exit);

/* The vCPU's thread leaves for good: drop what it holds in the VM (a shadow root). */
void arch_vcpu_release(struct arch_vcpu *v);

/* General-purpose register @n of the guest (arm64 x0..x30; 31 reads 0, writes vanish). */
u64 arch_vcpu_get_reg(const struct arch_vcpu *v, unsigned int n);
void arch_vcpu_set_reg(struct arch_vcpu *v, unsigned int n, u64 val);
/*
 * The hypercall (or firmware call) of the last exit came from the guest's
 * kernel level, the only one allowed to make them (x86: CPL 0; a guest's
 * user code must not end the VM, give its kernel's pages back, print or
 * start vCPUs).  arm64: always true, HVC and SMC at EL0 are UNDEFINED
 * (Arm ARM D1.4 "Exceptions"; with HCR_EL2.TSC only EL1's SMC traps) and
 * never reach the hypervisor.  Refused calls get arch_vcpu_inject_undef()
 * at the calling instruction, as the architecture gives EL0 on arm64.
 */
bool arch_vcpu_hypercall_allowed(const struct arch_vcpu *v);
/* Hypercall arguments and result: arm64 x0 = function ID, x1..x5, result in x0. */
u64 arch_vcpu_hc_arg(const struct arch_vcpu *v, unsigned int n); /* 0 = function ID */
void arch_vcpu_hc_ret(struct arch_vcpu *v, u64 val);
u64 arch_vcpu_pc(const struct arch_vcpu *v);
/* Resume the guest at @pc (a debugger's "continue at address"). */
void arch_vcpu_set_pc(struct arch_vcpu *v, u64 pc);
/* Step over the instruction that caused the last EXIT_MEM_FAULT (it was emulated). */
void arch_vcpu_skip_insn(struct arch_vcpu *v);

/*
 * Make the guest take a synchronous external abort at its kernel's level, as
 * if the access at guest-virtual @gva had failed (instruction fetch if
 * @exec): arm64 injects a data/instruction abort, the guest's ESR.EC from the
 * level it was taken at, its FAR = @gva, and enters its vector base + the right
 * offset.  Called after an exit, before the next arch_vcpu_run().
 */
void arch_vcpu_inject_abort(struct arch_vcpu *v, bool exec, u64 gva);
/* An undefined-instruction exception at the guest's current pc. */
void arch_vcpu_inject_undef(struct arch_vcpu *v);
/*
 * Implemented by kvm/, for an I/O port access the arch decoded (x86 IN/OUT
 * through the I/O intercept): @size bytes at @port, read into *@val (@in)
 * or written from it, by the VM's device on those ports (kvm/mmio.h,
 * vm_pio_register()).  0, or -1 when no device answers it (the arch
 * injects what the hardware would).  On @v's vCPU thread, while it
 * handles an exit.
 */
int kvm_vcpu_pio(struct arch_vcpu *v, u16 port, unsigned int size, bool in, u64 *val);

/* Print the guest's registers (one short block) after a fatal exit. */
void arch_vcpu_dump(const struct arch_vcpu *v);
/* A short name for an exit's syndrome ("DABT_LOW", "SYS64", ...). */
const char *arch_exit_name(const struct vcpu_exit *exit);
/*
 * One line saying exactly what an exit was, for the unhandled ones: a
 * trapped system register access by name and encoding ("MRS x0,
 * <name> (S3_0_C12_C12_0, read)"), else the class and syndrome.
 * snprintf's contract: the length it wanted.  (arch/arm64/sysreg_names.c.)
 */
int arch_exit_describe(const struct vcpu_exit *exit, char *buf, size_t len);

#endif
