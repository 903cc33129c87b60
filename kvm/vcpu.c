// SPDX-License-Identifier: MIT
/*
 * The vCPU run loop: enter the guest, dispatch the exit, honour a pending
 * reschedule, again.
 *
 * RCU: entering and leaving the guest are quiescent states.  Everything a
 * fault handler reads under the MMU lock (page-table pages a concurrent
 * shared walk may unlink) is read between two such reports, so a table
 * unlinked during a walk on another CPU is freed only after this CPU's
 * handler is done with it.
 */
#include <stdio.h>

#include "hypercall_abi.h"
#include "kvm/arch/virq.h"
#include "kvm/gdbstub/gdbstub.h"
#include "kvm/platform/platform.h"
#include "vcpu.h"

#define VCPU_UNHANDLED_LOG_MAX 8

static void vcpu_print_line(struct vcpu *v)
{
	printf("[%s] %.*s\n", v->vm->name, (int)v->line_len, v->line);
	v->line_len = 0;
}

void vcpu_console_put(struct vcpu *v, const char *s, u64 len)
{
	u64 i;

	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '\n') {
			vcpu_print_line(v);
			continue;
		}
		if (ch == '\r')
			continue;
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			ch = '?'; /* the guest must not drive our terminal */
		v->line[v->line_len++] = ch;
		if (v->line_len == sizeof(v->line))
			vcpu_print_line(v);
	}
}

void vcpu_console_flush(struct vcpu *v)
{
	if (v->line_len)
		vcpu_print_line(v);
}

static struct vcpu *vcpu_of(struct arch_vcpu *av)
{
	return (struct vcpu *)((char *)av - offsetof(struct vcpu, arch));
}

int kvm_vcpu_pio(struct arch_vcpu *av, u16 port, unsigned int size, bool in, u64 *val)
{
	struct vcpu *v = vcpu_of(av);
	const struct mmio_region *r = vm_pio_find(v->vm, port);

	if (!r || size > r->size - (port - r->base))
		return -1;
	if (in)
		return r->ops->read(r->dev, v, port - r->base, size, val);
	return r->ops->write(r->dev, v, port - r->base, size, *val);
}

static bool vcpu_should_leave(struct vcpu *v)
{
	return __atomic_load_n(&v->vm->ending, __ATOMIC_ACQUIRE);
}

/* Off until PSCI CPU_ON (or the VM's end) wakes us; then apply the reset it asked for. */
static bool vcpu_wait_on(struct vcpu *v)
{
	for (;;) {
		if (vcpu_should_leave(v))
			return false;
		if (vcpu_power(v) == VCPU_ON)
			break;
		sched_block();
	}
	if (v->reset_pending) {
		v->reset_pending = false;
		v->line_len = 0;
		arch_vcpu_reset(&v->arch, v->index, v->reset_entry, v->reset_arg);
		vm_devices_vcpu_reset(v);
	}
	return true;
}

static void vcpu_unhandled(struct vcpu *v, const struct vcpu_exit *exit)
{
	char what[96];

	/* A guest stuck on one bad instruction would flood the console. */
	if (++v->stats.unhandled > VCPU_UNHANDLED_LOG_MAX) {
		arch_vcpu_inject_undef(&v->arch);
		return;
	}
	arch_exit_describe(exit, what, sizeof(what));
	printf("vm %s vcpu %u: unhandled %s (syndrome %#llx) at pc %#llx: injecting undef\n",
	       v->vm->name, v->index, what, (unsigned long long)exit->syndrome,
	       (unsigned long long)exit->pc);
	arch_vcpu_dump(&v->arch);
	arch_vcpu_inject_undef(&v->arch);
}

/*
 * A hypercall or PSCI call.  Only the guest's kernel may make one: from its
 * user code (x86 CPL 3) it is an undefined instruction at the call, as HVC
 * is at EL0 on arm64, and nothing of it happens -- no result either (the
 * registers are as the user code left them).
 */
static void vcpu_call(struct vcpu *v, const struct vcpu_exit *exit)
{
	u64 fid = arch_vcpu_hc_arg(&v->arch, 0);

	if (!arch_vcpu_hypercall_allowed(&v->arch)) {
		v->stats.hc_refused++;
		arch_vcpu_set_pc(&v->arch, exit->pc);
		arch_vcpu_inject_undef(&v->arch);
		return;
	}
	if ((v->vm->platform->power == VCPU_POWER_PSCI && psci_dispatch(v, fid)) ||
	    hc_dispatch(v, fid))
		return;
	arch_vcpu_hc_ret(&v->arch, (u64)(s64)HC_ENOSYS);
}

/*
 * WFI (Arm ARM "Wait for Interrupt"): off the CPU until an interrupt the
 * guest's CPU interface would signal is pending, or its virtual timer's
 * deadline (checked by the tick), or the VM ends.  Whoever makes an
 * interrupt pending for it wakes it (kvm/devices/vgic.c).  Without an
 * interrupt controller nothing could wake it: the wait ends at once.
 */
static bool vcpu_irq_should_wake(struct vcpu *v)
{
	return !v->vm->irqchip || v->vm->irqchip->vcpu_should_wake(v);
}

static void vcpu_wfi(struct vcpu *v)
{
	while (!vcpu_should_leave(v) && !vcpu_irq_should_wake(v) && !gdbstub_vcpu_held(v)) {
		u64 deadline = arch_vcpu_timer_deadline_ns(&v->arch);

		/* Already fired yet not signalled (disabled, masked): not a wake-up. */
		if (deadline <= arch_time_ns())
			deadline = SCHED_NO_DEADLINE;
		sched_block_until(deadline);
	}
}

static void vcpu_handle_exit(struct vcpu *v, const struct vcpu_exit *exit)
{
	switch (exit->reason) {
	case EXIT_MEM_FAULT:
		stage2_fault(v, exit);
		break;
	case EXIT_HYPERCALL:
	case EXIT_FIRMWARE_CALL:
		vcpu_call(v, exit);
		break;
	case EXIT_WFI:
		v->stats.wfi++;
		vcpu_wfi(v);
		break;
	case EXIT_YIELD:
		/*
		 * The event it waits for may come from another vCPU without an
		 * exit (arm64 SEV, a store clearing its exclusive monitor), so it
		 * must not sleep; but that vCPU may be the next one on this CPU.
		 */
		kvm_resched();
		break;
	case EXIT_SEND_IPI:
		if (v->vm->irqchip)
			v->vm->irqchip->send_ipi(v, exit->ipi_intid, exit->ipi_broadcast,
						 exit->ipi_targets);
		break;
	case EXIT_IRQ:
	case EXIT_NONE:
		break; /* the tick was handled on the way out */
	case EXIT_DEBUG:
		break; /* for the debugger: gdbstub_vcpu_exit() */
	case EXIT_FATAL:
		vcpu_console_flush(v);
		vm_end(v->vm, exit->fatal_status, "the guest cannot go on");
		break;
	default:
		vcpu_unhandled(v, exit);
		break;
	}
}

/* When the first guest instruction of this boot ran (hypervisor clock), 0 before. */
static u64 first_entry_ns;

u64 vcpu_first_entry_ns(void)
{
	return __atomic_load_n(&first_entry_ns, __ATOMIC_RELAXED);
}

static void note_first_entry(void)
{
	u64 none = 0;

	if (!__atomic_load_n(&first_entry_ns, __ATOMIC_RELAXED))
		__atomic_compare_exchange_n(&first_entry_ns, &none, arch_time_ns(), false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

void vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	unsigned int cpu = arch_cpu_id(); /* pinned */
	struct vcpu_exit exit;
	u64 pc_before;

	while (vcpu_wait_on(v)) {
		if (v->vm->gdb) {
			/* Parks while the debugger holds the VM (which may end meanwhile). */
			gdbstub_vcpu_enter(v);
			if (vcpu_should_leave(v))
				continue;
		}
		pc_before = arch_vcpu_pc(&v->arch);
		rcu_quiescent(&kvm_rcu, cpu);
		note_first_entry();
		if (v->vm->irqchip)
			v->vm->irqchip->vcpu_flush(v);
		arch_vcpu_run(&v->arch, &v->vm->s2, &exit);
		if (v->vm->irqchip)
			v->vm->irqchip->vcpu_sync(v);
		rcu_quiescent(&kvm_rcu, cpu);
		v->stats.exits++;
		vcpu_handle_exit(v, &exit);
		if (v->vm->gdb)
			gdbstub_vcpu_exit(v, &exit, pc_before);
		if (v->vm->cfg.console_input)
			vm_devices_poll(v->vm); /* typed input, whoever runs */
		if (READ_ONCE(*kvm_need_resched_word())) {
			u64 switches = sched_this_cpu_switches();

			kvm_resched();
			if (sched_this_cpu_switches() != switches)
				v->stats.preempted++; /* HC_VCPU_INFO(3) */
		}
	}
	vcpu_console_flush(v);
	arch_vcpu_release(&v->arch);
	mmu_cache_drain(&v->cache, &v->vm->pool);
	if (__atomic_add_fetch(&v->vm->nr_dead, 1, __ATOMIC_ACQ_REL) == v->vm->nr_vcpus &&
	    v->vm->waiter)
		sched_wake(v->vm->waiter);
}
