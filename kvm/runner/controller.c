// SPDX-License-Identifier: MIT
/*
 * The controller is a hypervisor thread of its own on CPU 0, scheduled like
 * the vCPUs: it sleeps until a VM ends or its poll period passes, so a vCPU
 * that never leaves the guest of its own accord (a spinning guest on CPU 0)
 * still yields to it at the next tick and is ended at its time limit.  It
 * starts a group's VMs, tears each VM down as soon as it has ended (its
 * memory goes back while its neighbours still run), and starts the next
 * group.  Every CPU, CPU 0 included, then only runs its idle loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/gdbstub/gdbstub.h"
#include "runner.h"
#include "vcpu.h"

/* The controller's poll period: the debugger and console input want it short. */
#define CONTROLLER_PERIOD_NS		 10000000ULL
#define CONTROLLER_PERIOD_INTERACTIVE_NS 1000000ULL

/* A VM of the group that has ended and whose threads are off their CPUs: report, free it. */
static void finish_vm(struct run_entry *e)
{
	struct vm *vm = e->vm;

	gdbstub_detach_vm(vm);
	run_report_vm(vm, e->expect);
	vm_destroy(vm);
	e->vm = NULL;
}

/* Input, the debugger, time limits, VMs that are done.  How many VMs still run. */
static unsigned int group_poll(struct run_entry *g, unsigned int n)
{
	u64 now = arch_time_ns();
	unsigned int i, alive = 0;

	gdbstub_poll();
	for (i = 0; i < n; i++) {
		struct vm *vm = g[i].vm;

		if (!vm)
			continue;
		vm_devices_poll(vm);
		if (vm->cfg.time_limit_ns && now - vm->start_ns > vm->cfg.time_limit_ns &&
		    !READ_ONCE(vm->ending)) {
			printf("vm %s: time limit reached\n", vm->name);
			vm_end(vm, -1, "time limit");
		}
		if (READ_ONCE(vm->ending) && vm_done(vm))
			finish_vm(&g[i]);
		else
			alive++;
	}
	return alive;
}

/* Until a VM of the group ends (vm->waiter) or the poll period has passed. */
static void controller_wait(struct run_entry *g, unsigned int n)
{
	u64 period = CONTROLLER_PERIOD_NS;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (g[i].vm && (g[i].vm->gdb || g[i].cfg.console_input))
			period = CONTROLLER_PERIOD_INTERACTIVE_NS;
	sched_block_until(arch_time_ns() + period);
}

/* Create one VM of the group; expect=refused passes only when host memory refuses it. */
static void create_vm(struct run_entry *e)
{
	int err = 0;

	printf("vm %s: %u vCPU(s), %s, %llu MiB at %#llx%s\n", e->cfg.name, e->cfg.nr_vcpus,
	       e->cfg.blocks ? "2M blocks" : "4K pages", (unsigned long long)e->cfg.mem_size >> 20,
	       VM_RAM_BASE, e->cfg.prepopulate ? ", prepopulated" : "");
	e->vm = vm_create(&e->cfg, &err);
	if (e->expect == EXPECT_REFUSED) {
		run_verdict(e->cfg.name, "refused-at-creation", !e->vm && err == -ENOMEM);
		if (e->vm)
			vm_destroy(e->vm);
		e->vm = NULL;
		return;
	}
	if (!e->vm) {
		run_verdict(e->cfg.name, "create", false);
		return;
	}
	e->vm->waiter = sched_current();
	if (e->cfg.gdb)
		gdbstub_attach(e->vm);
}

static void run_group(struct run_entry *g, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (g[i].bad)
			run_verdict(g[i].cfg.name, "create", false);
		else if (g[i].selftest)
			run_selftest(&g[i]);
		else if (g[i].image_selftest)
			run_image_selftest();
		else
			create_vm(&g[i]);
	}
	for (i = 0; i < n; i++)
		if (g[i].vm)
			vm_start(g[i].vm);
	while (group_poll(g, n))
		controller_wait(g, n);
}

static void run_all(const char *spec, size_t len)
{
	static struct run_entry group[RUN_MAX_GROUP];
	const char *end = spec + len;

	printf("run=%.*s\n", (int)len, spec);
	while (spec < end) {
		const char *comma = memchr(spec, ',', end - spec);
		const char *stop = comma ? comma : end;
		unsigned int n = run_parse_group(spec, stop, group);

		if (n)
			run_group(group, n);
		spec = stop + 1;
	}
}

static struct sched_thread controller;

static void controller_main(void *arg)
{
	struct rcu_stats r;
	const char *spec;
	size_t len;

	(void)arg;
	spec = run_spec(&len);
	run_all(spec, len);
	printf("total: %u VMs, free chunks %u of %u, deepest vCPU stack %llu of %u bytes, "
	       "controller stack %llu bytes, longest reschedule wait %llu us\n",
	       run_total.vms, host_mem_nr_free(), host_mem_nr_total(),
	       (unsigned long long)sched_stack_peak_bytes(), SCHED_STACK_SIZE,
	       (unsigned long long)sched_thread_stack_used(&controller),
	       (unsigned long long)sched_resched_latency_max() / 1000);
	printf("total: first guest instruction %llu us after the machine started\n",
	       (unsigned long long)vcpu_first_entry_ns() / 1000);
	rcu_get_stats(&kvm_rcu, &r);
	run_print_counters("total", &run_total.vcpu, &run_total.pgt, r.grace_periods);
	/* Every VM has been torn down: every chunk must be back and unpromised. */
	run_verdict("hyp", "host-memory-returned",
		    host_mem_nr_free() == host_mem_nr_total() &&
			    host_mem_nr_unpromised() == host_mem_nr_total());
	printf("%u passed, %u failed\n", run_total.passed, run_total.failed);
	exit(run_total.failed ? 1 : 0);
}

int run_controller_start(void)
{
	int ret = sched_thread_init(&controller, 0, controller_main, NULL);

	if (!ret)
		sched_wake(&controller);
	return ret;
}
