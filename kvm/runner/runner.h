/* SPDX-License-Identifier: MIT */
/*
 * The payload runner (kvm/runner/): what its files share.  run_spec.c
 * parses run= into groups of VMs, controller.c runs the groups, verdict.c
 * counts and prints what happened, main.c holds the entry points.
 */
#ifndef KVM_RUNNER_RUNNER_H
#define KVM_RUNNER_RUNNER_H

#include "vm.h"

#define RUN_MAX_GROUP	  8
#define RUN_TIME_LIMIT_NS (120ULL * 1000000000ULL)
/* How late expect=limit may see its VM ended: the poll period plus the VM's teardown. */
#define RUN_LIMIT_SLACK_NS 1000000000ULL

enum run_expect {
	EXPECT_END,	/* ends by itself with status 0, having reported */
	EXPECT_LIMIT,	/* never ends by itself: its time limit must end it */
	EXPECT_REFUSED, /* does not fit in host memory: creation must refuse it */
};

struct run_entry {
	struct vm_config cfg;
	enum run_expect expect;
	bool selftest;	     /* "loader" */
	bool image_selftest; /* "guest_image" */
	bool bad;	     /* could not be parsed: counts as a failure */
	struct vm *vm;
};

struct run_totals {
	u32 passed, failed, vms;
	struct vcpu_stats vcpu;
	struct pgtable_stats pgt;
	u64 grace_periods;
};

extern struct run_totals run_total;

/* run_spec.c */
/*
 * Read the boot arguments the runner needs before anything runs: the guest
 * kernel's ranges (kept out of guest memory, before host_mem_init()) and
 * mmu=shadow.  Returns whether mmu=shadow was given.
 */
bool run_spec_init(void);
/* The value of run= in the boot arguments (up to a space), or the default. */
const char *run_spec(size_t *len);
/* The group "a+b+c" at @s (up to @end): fills @g, returns how many. */
unsigned int run_parse_group(const char *s, const char *end, struct run_entry *g);

/* verdict.c */
/* One case line, PASS or FAIL <vm>/<what>, counted in run_total. */
void run_verdict(const char *vm, const char *what, bool ok);
/* The three counter lines of @who. */
void run_print_counters(const char *who, const struct vcpu_stats *s, const struct pgtable_stats *p,
			u64 grace_periods);
/* A VM has ended: its line, its counters, its verdict; added to run_total. */
void run_report_vm(struct vm *vm, enum run_expect expect);
/* "loader" and "guest_image": the loaders' self-tests on the first embedded payload. */
void run_selftest(struct run_entry *e);
void run_image_selftest(void);

/* controller.c */
/* Start the controller thread on CPU 0 (it runs run= and ends the machine). */
int run_controller_start(void);

#endif
