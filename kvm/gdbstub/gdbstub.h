/* SPDX-License-Identifier: MIT */
/*
 * A GDB stub for one debugged VM at a time, speaking the GDB remote serial
 * protocol (GDB manual, appendix E "GDB Remote Serial Protocol") over the
 * arch's debug channel (arch_debug_chan_*).  Threads are vCPUs (thread id =
 * vCPU index + 1); all-stop: a breakpoint, a finished step or Ctrl-C stops
 * every vCPU of the VM, and GDB is told once all of them are parked.
 *
 * Nobody owns a thread for it: gdbstub_poll() is called from the boot
 * CPU's idle context, by parked vCPUs, and by running vCPUs of the
 * debugged VM after their exits (so Ctrl-C is seen while the guest spins).
 * Whoever calls it first does the work; the others return at once.
 */
#ifndef KVM_GDBSTUB_H
#define KVM_GDBSTUB_H

#include "vm.h"

/*
 * @vm (created, not started) is the debugged VM: it starts stopped.  False
 * (and the VM runs undebugged) when there is no debug channel or another
 * VM is debugged already.  Boot CPU.
 */
bool gdbstub_attach(struct vm *vm);
/* @vm has ended: tell GDB ("W"), forget it.  Before vm_destroy(). */
void gdbstub_detach_vm(struct vm *vm);
/* Read what the debugger sent and act on it.  Any thread or the idle context; never blocks. */
void gdbstub_poll(void);

/* ---- the vCPU loop's hooks (kvm/vcpu.c), for a VM whose ->gdb is set ------------------- */

/* Before entering the guest: park while the debugger holds @v, then load its debug state. */
void gdbstub_vcpu_enter(struct vcpu *v);
/* The debugger wants @v parked: a wait for an interrupt must end. */
static inline bool gdbstub_vcpu_held(const struct vcpu *v)
{
	return v->vm->gdb && __atomic_load_n(&v->dbg_hold, __ATOMIC_ACQUIRE);
}
/* After an exit was handled; @pc_before: the pc the guest was entered at. */
void gdbstub_vcpu_exit(struct vcpu *v, const struct vcpu_exit *exit, u64 pc_before);

#endif
