// SPDX-License-Identifier: MIT
/*
 * Verdicts and counters: every case line (PASS/FAIL <vm>/<case>), each VM's
 * end and counters, the totals, the loaders' self-tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/platform/guest_image.h"
#include "loader.h"
#include "payloads.h"
#include "runner.h"

struct run_totals run_total;

void run_verdict(const char *vm, const char *what, bool ok)
{
	printf("%s %s/%s\n", ok ? "PASS" : "FAIL", vm, what);
	if (ok)
		run_total.passed++;
	else
		run_total.failed++;
}

static void add_stats(u64 *dst, const u64 *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] += src[i];
}

struct counter {
	const char *name;
	u64 val;
};

/* One line: "<who>: name value, name value, ..." */
static void print_counter_line(const char *who, const struct counter *c, unsigned int n)
{
	char line[256];
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < n && len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len, "%s%s %llu", i ? ", " : "",
				c[i].name, (unsigned long long)c[i].val);
	printf("%s: %s\n", who, line);
}

void run_print_counters(const char *who, const struct vcpu_stats *s, const struct pgtable_stats *p,
			u64 grace_periods)
{
	const struct counter faults[] = {
		{ "stage-2 faults", s->faults },
		{ "chunk races", s->chunk_races },
		{ "give-back backoffs", s->fault_dying },
		{ "walker backoffs", s->fault_eagain - s->fault_dying },
		{ "races lost", p->races_lost },
		{ "pages mapped", p->pages_mapped },
		{ "blocks mapped", p->blocks_mapped },
		{ "unmapped", p->leaves_unmapped },
	};
	const struct counter tables[] = {
		{ "tables allocated", p->tables_allocated },  { "freed at once", p->tables_freed },
		{ "freed through RCU", p->tables_freed_rcu }, { "grace periods", grace_periods },
		{ "rescheduling points", p->resched_points }, { "TLB flushes", p->tlb_flushes },
	};
	const struct counter calls[] = {
		{ "give-backs", s->give_backs },
		{ "give-back bytes", s->give_back_bytes },
		{ "chunks freed", s->chunks_freed },
		{ "exits", s->exits },
		{ "hypercalls", s->hypercalls },
		{ "PSCI", s->psci_calls },
		{ "refused calls", s->hc_refused },
		{ "UART", s->mmio },
		{ "aborts", s->aborts },
		{ "WFI", s->wfi },
		{ "unhandled", s->unhandled },
	};

	print_counter_line(who, faults, ARRAY_SIZE(faults));
	print_counter_line(who, tables, ARRAY_SIZE(tables));
	print_counter_line(who, calls, ARRAY_SIZE(calls));
}

/* expect=limit: its time limit ended it, and no later than the controller's slack allows. */
static void verdict_limit(struct vm *vm)
{
	bool by_limit = vm->end_reason && !strcmp(vm->end_reason, "time limit");
	u64 ran = vm->end_ns - vm->start_ns;

	run_verdict(vm->name, "ended-at-time-limit",
		    by_limit && ran >= vm->cfg.time_limit_ns &&
			    ran - vm->cfg.time_limit_ns <= RUN_LIMIT_SLACK_NS);
}

void run_report_vm(struct vm *vm, enum run_expect expect)
{
	struct pgtable_stats p;
	struct vcpu_stats s;
	struct rcu_stats r;
	char who[VM_NAME_LEN + 4];

	pgtable_get_stats(&vm->stage2, &p);
	vm_sum_stats(vm, &s);
	rcu_get_stats(&kvm_rcu, &r);
	snprintf(who, sizeof(who), "vm %s", vm->name);
	printf("vm %s: ended (%s), exit status %d, %llu ms, %u passed, %u failed, "
	       "%llu thread switches\n",
	       vm->name, vm->end_reason ? vm->end_reason : "?", vm->exit_status,
	       (unsigned long long)(vm->end_ns - vm->start_ns) / 1000000, vm->passed, vm->failed,
	       (unsigned long long)(sched_nr_switches() - vm->switches_start));
	run_print_counters(who, &s, &p, r.grace_periods - vm->rcu_start.grace_periods);
	run_total.passed += vm->passed;
	run_total.failed += vm->failed;
	/* One more failure for a VM that ended badly or silently, whatever it reported. */
	if (expect == EXPECT_LIMIT)
		verdict_limit(vm);
	else if (vm->exit_status)
		run_verdict(vm->name, "exit-status", false);
	else if (vm->cfg.boot)
		run_verdict(vm->name, "ended-cleanly",
			    true); /* a kernel of its own reports nothing */
	else if (!vm->passed && !vm->failed)
		run_verdict(vm->name, "reported-nothing", false);
	add_stats((u64 *)&run_total.vcpu, (u64 *)&s, sizeof(s) / sizeof(u64));
	add_stats((u64 *)&run_total.pgt, (u64 *)&p,
		  offsetof(struct pgtable_stats, tlb_flushes) / sizeof(u64) + 1);
	run_total.vms++;
}

void run_selftest(struct run_entry *e)
{
	struct vm_config cfg = e->cfg;
	struct vm *vm;

	cfg.image = e->cfg.image ? e->cfg.image : (payload_count ? &payload_images[0] : NULL);
	if (!cfg.image) {
		run_verdict("hyp", "loader-selftest", false);
		return;
	}
	vm = vm_create(&cfg, NULL);
	if (!vm) {
		run_verdict("hyp", "loader-selftest", false);
		return;
	}
	run_total.failed +=
		loader_selftest(vm, cfg.image->start, cfg.image->size, &run_total.passed);
	vm_destroy(vm);
}

void run_image_selftest(void)
{
	struct vm_config cfg = { .name = "guest_image", .nr_vcpus = 1, .mem_size = VM_RAM_SIZE };
	struct vm *vm;

	cfg.image = payload_count ? &payload_images[0] : NULL;
	vm = cfg.image ? vm_create(&cfg, NULL) : NULL;
	if (!vm) {
		run_verdict("hyp", "guest-image-selftest", false);
		return;
	}
	run_total.failed +=
		guest_image_selftest(vm, cfg.image->start, cfg.image->size, &run_total.passed);
	vm_destroy(vm);
}
