/* SPDX-License-Identifier: MIT */
/*
 * What kvm/ asks of arch/<arch>/: entering a guest and decoding why it came
 * back, injecting what the guest must see, the stage-2 environment of the
 * walker, hypervisor threads, time, the scheduler tick and interrupts.
 *
 * kvm/ never names a register or an instruction; every such detail lives
 * behind these functions.  arch/<arch>/arch_vcpu.h defines the structures
 * kvm/ embeds but does not look into (struct arch_vcpu, struct arch_thread).
 *
 * Unless said otherwise a function acts on the calling physical CPU and may
 * be called with interrupts enabled.
 */
#ifndef KVM_ARCH_IFACE_H
#define KVM_ARCH_IFACE_H

#include "mmu/pgtable.h"
#include "mmu/types.h"

/*
 * From arch/<arch>/: struct arch_vcpu, struct arch_thread, and
 * unsigned int arch_cpu_id(void) (0 .. arch_nr_cpus() - 1, may be inline).
 */
#include "arch_vcpu.h"

/* ---- physical CPUs, memory, boot arguments ---------------------------------------- */

unsigned int arch_nr_cpus(void);	/* physical CPUs online */
/* The boot command line (arm64: the DTB's /chosen/bootargs), "" if none. */
const char *arch_boot_args(void);
/* A byte typed on the hypervisor's console, -1 if none is waiting.  Never blocks. */
int arch_console_getc(void);

/*
 * RAM nobody uses: fills up to @max ranges, returns how many.  The hypervisor
 * reaches all RAM at its physical address (identity map).
 */
struct arch_ram_range {
	u64 base, size;
};
unsigned int arch_free_ram(struct arch_ram_range *out, unsigned int max);

/* ---- time and the scheduler tick -------------------------------------------------- */

u64 arch_time_ns(void);			/* monotonic, same clock on every CPU */

/*
 * Start this CPU's periodic tick: every @period_ns the arch calls
 * kvm_sched_tick() (kvm/sched.c) from interrupt context, whether the CPU
 * was in a guest or in the hypervisor with interrupts enabled.
 */
void arch_tick_start(u64 period_ns);
void kvm_sched_tick(void);		/* implemented by kvm/, called by arch/ */

/*
 * Interrupts at the hypervisor's level.  Enabled in hypervisor threads
 * (so a long zap sees the tick), disabled around guest entry and thread
 * switches.  save/restore nest.
 */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
void arch_irq_enable(void);
/* Idle: wait for an interrupt (which is handled before this returns). */
void arch_wait_for_interrupt(void);

/* ---- hypervisor threads (one per vCPU, one idle thread per CPU) --------------- */

/*
 * Prepare @t to run @fn(@arg) on the stack below @stack_top when first
 * switched to; @fn must never return.
 */
void arch_thread_init(struct arch_thread *t, void *stack_top, void (*fn)(void *), void *arg);
/*
 * Save the calling thread's callee-saved state in @from and continue @to.
 * Returns when something switches back to @from.  Interrupts disabled.
 * @from may be a thread never initialised (the CPU's boot stack becoming
 * its idle thread).
 */
void arch_thread_switch(struct arch_thread *from, struct arch_thread *to);

/* ---- stage 2 ------------------------------------------------------------------ */

/* The format of this architecture's stage-2 tables, and the IPA size it is set up for. */
const struct pte_format *arch_stage2_format(void);
u64 arch_stage2_ipa_limit(void);	/* guest-physical addresses must be below this */
/*
 * The CPU translates guest-physical addresses itself (arm64 stage 2, x86
 * NPT).  false (x86 SVM without NPT): every VM needs a shadow MMU.
 */
bool arch_has_nested_paging(void);
/* The arch can run a VM on a shadow MMU (struct arch_stage2's @shadow): x86 SVM. */
bool arch_has_shadow_paging(void);

struct shadow_mmu;

/*
 * A VM's stage-2 context.  The VM points its pgtable's owner at its
 * struct arch_stage2, so arch_stage2_mmu_ops can find the VMID to invalidate.
 *
 * @shadow (x86 only; NULL elsewhere): the VM runs on shadow page tables
 * (mmu/shadow.h) built from its own; the stage-2 table at @root then maps
 * guest-physical memory for the guest while its paging is off.
 */
struct arch_stage2 {
	u16 vmid;			/* 1..255; 0 is never a guest's */
	hpa_t root;
	struct shadow_mmu *shadow;
};
/* phys_to_virt, TLBI by IPA, ... */
extern const struct mmu_ops arch_stage2_mmu_ops;
/* Implemented by kvm/sched.c: this CPU's need-resched word; let others run (lock dropped). */
const u32 *kvm_need_resched_word(void);
void kvm_resched(void);
/* Forget every translation cached for @s2 (VM teardown, VMID reuse). */
void arch_stage2_flush_vmid(const struct arch_stage2 *s2);

/* ---- vCPUs -------------------------------------------------------------------- */

/*
 * Reset @v to the architecture's entry state: at the guest kernel's level
 * (arm64: EL1h, MMU off, interrupts masked), pc = @entry, first argument
 * register = @arg (arm64: x0), everything else zero; @index is its number in
 * the VM (arm64: the virtual MPIDR's Aff0, so PSCI targets it by MPIDR = index).
 */
void arch_vcpu_reset(struct arch_vcpu *v, unsigned int index, u64 entry, u64 arg);

enum arch_debug_event {
	DEBUG_NONE,
	DEBUG_SW_BREAKPOINT,	/* a breakpoint instruction (ours or the guest's own) */
	DEBUG_HW_BREAKPOINT,	/* a breakpoint register matched */
	DEBUG_STEP,		/* one instruction stepped */
};

enum vcpu_exit_reason {
	EXIT_NONE,
	EXIT_HYPERCALL,		/* HVC / VMMCALL; pc already past it */
	EXIT_FIRMWARE_CALL,	/* arm64 SMC (PSCI over SMC); pc already past it */
	EXIT_MEM_FAULT,		/* stage-2 / NPT fault */
	EXIT_WFI,		/* the guest waits for an interrupt; pc already past it */
	EXIT_YIELD,		/* the guest waits for an event (arm64 WFE): yield; pc past it */
	EXIT_IRQ,		/* a physical interrupt (already handled: the tick) */
	EXIT_SEND_IPI,		/* the guest asked for an SGI (@ipi_*); pc already past it */
	EXIT_DEBUG,		/* breakpoint or single step for the debugger (@debug) */
	EXIT_FATAL,		/* the guest cannot go on (triple fault, entry refused, ...): the
				 * arch printed why; the VM ends with @fatal_status */
	EXIT_UNHANDLED,		/* anything else: @syndrome says what */
};

struct vcpu_exit {
	enum vcpu_exit_reason reason;
	/* EXIT_MEM_FAULT */
	u64 gpa;		/* faulting guest-physical address (byte precise) */
	u64 gva;		/* guest-virtual address, if @gva_valid */
	bool gva_valid;
	bool write;		/* a write (or a read-modify-write) */
	bool exec;		/* an instruction fetch */
	bool decoded;		/* a single load/store the hypervisor may emulate: */
	u8 access_size;		/*   1, 2, 4 or 8 bytes */
	u8 reg;			/*   register number (31: zero register on arm64) */
	bool sign_extend;	/*   load sign-extends */
	/* EXIT_SEND_IPI: SGI @ipi_intid to the vCPUs whose indexes are set in @ipi_targets */
	u32 ipi_intid;
	bool ipi_broadcast;	/*   to every vCPU but the sender instead */
	u64 ipi_targets;
	/* EXIT_DEBUG: what stopped it; pc is the next instruction to run */
	enum arch_debug_event debug;
	/* EXIT_FATAL: the VM's exit status (a negative errno, -1 when none says more) */
	int fatal_status;
	/* EXIT_UNHANDLED (and for reports) */
	u64 syndrome;		/* arm64: the EL2 exception syndrome */
	u64 pc;			/* guest pc of the trapping instruction */
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
u64 arch_vcpu_hc_arg(const struct arch_vcpu *v, unsigned int n);	/* 0 = function ID */
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
 * Implemented by kvm/, for a console device the arch emulates itself
 * (x86: COM1 through the I/O intercept): @len bytes the guest wrote,
 * printed as its HC_CONSOLE_WRITE output, a line at a time behind the VM's
 * name.  On @v's vCPU thread, while it handles an exit.
 */
void kvm_vcpu_console_put(struct arch_vcpu *v, const char *s, u64 len);

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

/* ---- the virtual interrupt controller's CPU interface and the virtual timer ---------- */

/*
 * The hardware holds a few interrupts for the guest at a time (arm64: the
 * GICv3 list registers, IHI 0069 6.2 "The virtual CPU interface"); the guest
 * acknowledges and completes them without exits.  kvm/vgic.c keeps the
 * distributor's state and, before each entry, hands the arch the highest
 * priority ones; after the exit it reads back what the guest did to them.
 */
#define ARCH_VIRQ_PENDING 1
#define ARCH_VIRQ_ACTIVE 2

struct arch_virq {
	u32 intid;
	u8 priority;		/* 0 highest */
	u8 state;		/* ARCH_VIRQ_PENDING | ARCH_VIRQ_ACTIVE; 0 once the guest is done */
	bool group1;
	bool notify_eoi;	/* exit when the guest deactivates it (level-sensitive resample) */
};

/* How many interrupts one entry can carry (at least 1, at most 16). */
unsigned int arch_vgic_nr_slots(void);
/*
 * Load @n (<= arch_vgic_nr_slots()) interrupts for the next arch_vcpu_run()
 * of @v.  @more: others are waiting that did not fit, so exit once the
 * guest has taken most of these (arm64: underflow and no-pending
 * maintenance interrupts, PPI 25).
 */
void arch_vgic_flush(struct arch_vcpu *v, const struct arch_virq *irqs, unsigned int n,
		     bool more);
/*
 * After arch_vcpu_run(): the interrupts of the last flush, in its order,
 * with the state the guest left them in.  Returns their number.
 */
unsigned int arch_vgic_sync(struct arch_vcpu *v, struct arch_virq *irqs);
/*
 * The guest's CPU interface would signal an interrupt of @priority in
 * @group1 (its priority mask and group enables allow it): a WFI ends.
 */
bool arch_vgic_would_signal(const struct arch_vcpu *v, u8 priority, bool group1);
/* INTIDs of the guest's timers' PPIs (arm64: 27 the virtual timer, 30 the EL1 physical one). */
#define ARCH_VTIMER_INTID 27
#define ARCH_PTIMER_INTID 30
/*
 * The guest's virtual timer output (enabled, unmasked, deadline passed),
 * sampled now; also tells the next arch_vcpu_run() whether the physical
 * interrupt must stay quiet while the guest has the virtual one.
 */
bool arch_vcpu_timer_level(struct arch_vcpu *v);
/* The same for its physical timer (arm64 only: called by vgic.c). */
bool arch_vcpu_ptimer_level(struct arch_vcpu *v);
/* When the first of those outputs rises (arch_time_ns() clock), ~0 if none is armed. */
u64 arch_vcpu_timer_deadline_ns(const struct arch_vcpu *v);
/*
 * Make physical CPU @cpu leave the guest (or its wait for an interrupt)
 * soon, so that the vCPU it runs notices new interrupts.  Any context.
 */
void arch_cpu_kick(unsigned int cpu);

/* ---- debugging guests (kvm/gdbstub.c) -------------------------------------------- */

/*
 * The debugger's byte channel, a serial port of its own (arm64: a 16550 on
 * PCI).  open: find and set it up, once; 0 or -ENODEV.  getc never blocks
 * (-1: nothing waiting).  write never waits either: it hands the
 * transmitter what it takes now and returns how many bytes that was (0
 * while it is full: a debugger that stops reading must not hold a CPU; all
 * of them when there is no channel).  Callers serialise them.
 */
int arch_debug_chan_open(void);
int arch_debug_chan_getc(void);
u32 arch_debug_chan_write(const u8 *buf, u32 len);

/*
 * Registers as GDB numbers them in arch_gdb_target_xml() (the "regnum"
 * order of the target description, GDB manual "Target Descriptions").
 * get: writes the register's bytes in the guest's memory order to @buf
 * (ARCH_GDB_REG_MAX bytes room), returns its size; set reads as many.  0
 * for a number beyond the last.
 */
#define ARCH_GDB_REG_MAX 16
#define ARCH_GDB_MAX_REGS 128	/* arch_gdb_nr_regs() is at most this */
unsigned int arch_gdb_nr_regs(void);
unsigned int arch_gdb_get_reg(const struct arch_vcpu *v, unsigned int n, u8 *buf);
unsigned int arch_gdb_set_reg(struct arch_vcpu *v, unsigned int n, const u8 *buf);
/*
 * Validate a value for register @n (as arch_gdb_set_reg() would read it
 * from @buf) before setting it: 0, or -EINVAL for a value the hardware
 * would refuse to load (x86: MXCSR reserved bits, RFLAGS reserved bits or
 * VM, a selector other than the current one, a non-canonical FS/GS base)
 * or that would put the guest where it cannot be (arm64: a PSTATE mode
 * other than EL0t, EL1t, EL1h).  gdbstub checks every value of a G packet
 * before it sets any.
 */
int arch_gdb_check_reg(const struct arch_vcpu *v, unsigned int n, const u8 *buf);
const char *arch_gdb_target_xml(void);
/* The software breakpoint instruction (arm64: BRK #0) and its size. */
u32 arch_sw_breakpoint_insn(unsigned int *size);

/*
 * Debug exceptions of @v's guest come to the hypervisor as EXIT_DEBUG
 * (arm64: the EL2 debug-trap control while it runs).  Off again for a VM nobody debugs.
 */
void arch_vcpu_set_debug(struct arch_vcpu *v, bool on);
/* Exit with DEBUG_STEP after one guest instruction, at every entry until turned off. */
void arch_vcpu_set_single_step(struct arch_vcpu *v, bool on);
/* How many hardware breakpoints a vCPU can have (0: none). */
unsigned int arch_hw_breakpoint_slots(void);
/* Breakpoint registers of @v for its next entries: @n addresses (n <= slots). */
void arch_vcpu_set_hw_breakpoints(struct arch_vcpu *v, const u64 *addrs, unsigned int n);

/*
 * Translate guest-virtual @gva through @v's own stage 1 (its translation
 * registers as of its last exit; MMU off: the same address) into
 * guest-physical *@gpa; *@len = bytes from @gva to the end of its page.
 * Table entries are read through @read64(@ctx, gpa, &val) (0 or error).
 * 0, or -EFAULT when it does not translate.  Needs @v not running.
 */
int arch_vcpu_translate(const struct arch_vcpu *v, u64 gva, u64 *gpa, u64 *len,
			int (*read64)(void *ctx, u64 gpa, u64 *val), void *ctx);
/* Instructions written by the hypervisor become visible to every CPU's fetches. */
void arch_sync_icache(void);

/*
 * The machine ends with newlib's exit(status): it prints "hyp: exit status N"
 * and powers off (arch/arm64/syscalls.c).  hyp_main() and
 * hyp_secondary_main(cpu) (arch/arm64/platform.h) are kvm's entry points.
 */

#endif
