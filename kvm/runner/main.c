// SPDX-License-Identifier: MIT
/*
 * hyp_main(): run the guest payloads the boot arguments ask for, print what
 * happened, power off with the verdict.
 *
 *   run=GROUP,GROUP,...     groups run one after another
 *   GROUP = VM+VM+...       VMs of a group run side by side
 *   mmu=shadow              every VM on a shadow MMU, as the "shadow" option (x86)
 *   VM = payload[:opt]...   opt: N (vCPUs), blocks, prepopulate, mem=SIZE[K|M|G],
 *                           shadow (shadow page tables even with nested paging, x86),
 *                           cpus=N (spread the vCPUs over N physical CPUs only),
 *                           cpu=N (vCPU 0 on physical CPU N, the others after it),
 *                           time=SECONDS (limit, default 120, 0 none),
 *                           gdb (debugged: starts stopped, waiting for GDB on the debug
 *                           channel; no time limit unless a time= follows),
 *                           expect=limit (the VM never ends by itself: it passes when its
 *                           time limit ends it, on time), expect=refused (it must not fit
 *                           in host memory: passes when creation refuses it)
 *   loader                  the loader's self-test: malformed images refused
 *   guest_image             the guest image checker's self-test (Image, ELF, raw, initrd)
 *   linux[:opt]...          the guest kernel QEMU loaded for us (tools/run-guest.sh):
 *                             guest=ADDR:SIZE    the kernel (Image, ELF or raw) in host RAM
 *                             initrd=ADDR:SIZE   optional initrd in host RAM
 *                             -- ARGS            the rest of the line: its command line
 *                           opt "console": the hypervisor's console is its UART both
 *                           ways (interactive), instead of "[linux] " lines
 *
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
#include "kvm/platform/guest_image.h"
#include "kvm/platform/guest_platform.h"
#include "loader.h"
#include "payloads.h"
#include "vcpu.h"
#include "vm.h"
#include "kvm/arch/console.h"

#define RUN_DEFAULT "loader,guest_image,touch,touch:blocks,give_back,give_back:blocks,isolation+isolation," \
		    "smp_faults:2,smp_faults:4,hostile:2,ticker:2:cpus=1,fault_bench," \
		    "fault_bench:prepopulate,uart,give_back_race:3+give_back_race:3:blocks,vgic:2," \
		    "vgic:2:cpus=1,spin:time=3:expect=limit:cpu=0+ticker:2:cpus=1:cpu=0," \
		    "spin:time=2:expect=limit:cpu=1," \
		    "oom:mem=1G+oom:mem=512M:blocks+oom:mem=1G:expect=refused," \
		    "regleak:cpu=1+regleak:cpu=1,user_hypercall:2"
#define RUN_MAX_GROUP 8
#define RUN_TIME_LIMIT_NS (120ULL * 1000000000ULL)
/* How late expect=limit may see its VM ended: the poll period plus the VM's teardown. */
#define RUN_LIMIT_SLACK_NS 1000000000ULL
/* The controller's poll period: the debugger and console input want it short. */
#define CONTROLLER_PERIOD_NS 10000000ULL
#define CONTROLLER_PERIOD_INTERACTIVE_NS 1000000ULL
#define RCU_BACKLOG_LIMIT 4096

enum run_expect {
	EXPECT_END,		/* ends by itself with status 0, having reported */
	EXPECT_LIMIT,		/* never ends by itself: its time limit must end it */
	EXPECT_REFUSED,		/* does not fit in host memory: creation must refuse it */
};

struct run_entry {
	struct vm_config cfg;
	enum run_expect expect;
	bool selftest;		/* "loader" */
	bool image_selftest;	/* "guest_image" */
	bool bad;		/* could not be parsed: counts as a failure */
	struct vm *vm;
};

struct run_totals {
	u32 passed, failed, vms;
	struct vcpu_stats vcpu;
	struct pgtable_stats pgt;
	u64 grace_periods;
};

/* Entry points, called by arch/ once every CPU is up (declared there too). */
void hyp_main(void) __attribute__((noreturn));
void hyp_secondary_main(unsigned int cpu) __attribute__((noreturn));

static struct run_totals totals;
static u32 kvm_ready;

const struct payload_image *payload_find(const char *name, size_t len)
{
	u32 i;

	for (i = 0; i < payload_count; i++)
		if (strlen(payload_images[i].name) == len &&
		    !memcmp(payload_images[i].name, name, len))
			return &payload_images[i];
	return NULL;
}

/* ---- a guest kernel from QEMU's loader ------------------------------------------------------ */

/*
 * tools/run-guest.sh has QEMU load the kernel and initrd into our RAM
 * (-device loader) and says where in the boot arguments.  The ranges are
 * kept out of guest memory before host_mem_init(); their contents are read
 * in place when a "linux" VM is created.
 */
static struct guest_boot linux_boot;
static char linux_cmdline[512];

/* "KEY=ADDR:SIZE" among the boot arguments before " -- ": false if absent or malformed. */
static bool boot_range(const char *args, const char *key, u64 *addr, u64 *size)
{
	size_t klen = strlen(key);
	const char *p = args, *end = strstr(args, " -- ");
	char *e;

	for (; (p = strstr(p, key)) && (!end || p < end); p += klen) {
		if ((p != args && p[-1] != ' ') || p[klen] != '=')
			continue;
		*addr = strtoull(p + klen + 1, &e, 0);
		if (*e != ':')
			break;
		*size = strtoull(e + 1, &e, 0);
		if (*e && *e != ' ')
			break;
		return true;
	}
	if (p && (!end || p < end))
		printf("kvm: boot argument %s= is not ADDR:SIZE\n", key);
	return false;
}

static void linux_boot_setup(void)
{
	const char *args = arch_boot_args(), *rest = strstr(args, " -- ");
	u64 addr, size;
	int ret;

	if (boot_range(args, "guest", &addr, &size)) {
		ret = host_mem_reserve(addr, size);
		if (ret)
			printf("kvm: guest kernel at %#llx+%#llx is not in free RAM (error %d): "
			       "ignored\n", (unsigned long long)addr, (unsigned long long)size, ret);
		else
			linux_boot.kernel = (const u8 *)(uintptr_t)addr, linux_boot.kernel_size = size;
	}
	if (boot_range(args, "initrd", &addr, &size)) {
		ret = host_mem_reserve(addr, size);
		if (ret)
			printf("kvm: initrd at %#llx+%#llx is not in free RAM (error %d): ignored\n",
			       (unsigned long long)addr, (unsigned long long)size, ret);
		else
			linux_boot.initrd = (const u8 *)(uintptr_t)addr, linux_boot.initrd_size = size;
	}
	snprintf(linux_cmdline, sizeof(linux_cmdline), "%s", rest ? rest + 4 : "");
	linux_boot.cmdline = linux_cmdline;
}

/* ---- the run specification ---------------------------------------------------------------- */

static bool parse_size(const char *s, u64 *out)
{
	char *end;
	u64 v = strtoull(s, &end, 0);

	if (end == s)
		return false;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	*out = v;
	return !*end;
}

static bool parse_option(struct vm_config *cfg, const char *opt)
{
	char *end;
	u64 v;

	if (opt[0] >= '0' && opt[0] <= '9') {
		v = strtoul(opt, &end, 10);
		cfg->nr_vcpus = v;
		return !*end && v >= 1 && v <= VM_MAX_VCPUS;
	}
	if (!strcmp(opt, "blocks")) {
		cfg->blocks = true;
		return true;
	}
	if (!strcmp(opt, "gdb")) {
		cfg->gdb = true;
		cfg->time_limit_ns = 0;	/* a person at the debugger takes their time */
		return true;
	}
	if (!strcmp(opt, "console")) {
		cfg->console_input = true;
		return true;
	}
	if (!strcmp(opt, "shadow")) {
		cfg->shadow = true;
		return true;
	}
	if (!strcmp(opt, "prepopulate")) {
		cfg->prepopulate = true;
		return true;
	}
	if (!strncmp(opt, "cpus=", 5)) {
		cfg->spread = strtoul(opt + 5, &end, 10);
		return !*end && cfg->spread;
	}
	if (!strncmp(opt, "cpu=", 4)) {
		v = strtoul(opt + 4, &end, 10);
		cfg->first_cpu = v;
		return !*end && opt[4] && v < arch_nr_cpus();
	}
	if (!strncmp(opt, "mem=", 4))
		return parse_size(opt + 4, &cfg->mem_size);
	if (!strncmp(opt, "time=", 5)) {
		v = strtoull(opt + 5, &end, 10);
		cfg->time_limit_ns = v * 1000000000ULL;
		return !*end;
	}
	return false;
}

/* expect=limit, expect=refused: false if @opt is not an expect= option. */
static bool parse_expect(struct run_entry *e, const char *opt)
{
	if (strncmp(opt, "expect=", 7))
		return false;
	if (!strcmp(opt + 7, "limit"))
		e->expect = EXPECT_LIMIT;
	else if (!strcmp(opt + 7, "refused"))
		e->expect = EXPECT_REFUSED;
	else
		return false;
	return true;
}

/* Boot argument mmu=shadow: every VM on a shadow MMU, nested paging or not. */
static bool all_shadow;

static bool boot_flag(const char *args, const char *flag)
{
	size_t len = strlen(flag);
	const char *p = args, *end = strstr(args, " -- ");

	for (; (p = strstr(p, flag)) && (!end || p < end); p += len)
		if ((p == args || p[-1] == ' ') && (!p[len] || p[len] == ' '))
			return true;
	return false;
}

/* One VM of a group: "payload[:opt]...". */
static void parse_vm(struct run_entry *e, const char *tok, size_t len)
{
	char buf[VM_NAME_LEN], *opt, *save;

	memset(e, 0, sizeof(*e));
	e->cfg.nr_vcpus = 1;
	e->cfg.mem_size = VM_RAM_SIZE;
	e->cfg.time_limit_ns = RUN_TIME_LIMIT_NS;
	e->cfg.shadow = all_shadow;
	e->cfg.first_cpu = -1;
	snprintf(e->cfg.name, sizeof(e->cfg.name), "%.*s", (int)len, tok);
	if (len >= sizeof(buf)) {
		printf("run: '%.*s': name too long\n", (int)len, tok);
		e->bad = true;
		return;
	}
	memcpy(buf, tok, len);
	buf[len] = 0;
	opt = strtok_r(buf, ":", &save);
	if (!opt) {
		e->bad = true;
		return;
	}
	e->selftest = !strcmp(opt, "loader");
	e->image_selftest = !strcmp(opt, "guest_image");
	e->cfg.image = payload_find(opt, strlen(opt));
	if (!strcmp(opt, "linux")) {
		/* Its console lines are "[linux] ...", whatever the options. */
		snprintf(e->cfg.name, sizeof(e->cfg.name), "linux");
		e->cfg.boot = &linux_boot;
		if (!linux_boot.kernel) {
			printf("run: linux: no guest kernel (boot argument guest=ADDR:SIZE; "
			       "tools/run-guest.sh passes it)\n");
			e->bad = true;
		}
	} else if (!e->cfg.image && !e->selftest && !e->image_selftest) {
		printf("run: no payload '%s' in this image\n", opt);
		e->bad = true;
	}
	while ((opt = strtok_r(NULL, ":", &save)))
		if (!parse_expect(e, opt) && !parse_option(&e->cfg, opt)) {
			printf("run: %s: bad option '%s'\n", e->cfg.name, opt);
			e->bad = true;
		}
}

/* VMs of one group with the same name: number them, "isolation#1", "isolation#2". */
static void name_duplicates(struct run_entry *g, unsigned int n)
{
	unsigned int count[RUN_MAX_GROUP] = { 0 }, seen[RUN_MAX_GROUP] = { 0 };
	unsigned int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			count[i] += !strcmp(g[i].cfg.name, g[j].cfg.name);
	for (i = 0; i < n; i++) {
		size_t l = strlen(g[i].cfg.name);

		if (count[i] < 2)
			continue;
		for (j = 0; j < i; j++)
			seen[i] += count[j] > 1 && !strncmp(g[i].cfg.name, g[j].cfg.name, l) &&
				   g[j].cfg.name[l] == '#';
		snprintf(g[i].cfg.name + l, sizeof(g[i].cfg.name) - l, "#%u", seen[i] + 1);
	}
}

/* The group "a+b+c" at @s (up to @end): fills @g, returns how many. */
static unsigned int parse_group(const char *s, const char *end, struct run_entry *g)
{
	unsigned int n = 0;

	while (s < end && n < RUN_MAX_GROUP) {
		const char *plus = memchr(s, '+', end - s);
		const char *stop = plus ? plus : end;

		if (stop > s)
			parse_vm(&g[n++], s, stop - s);
		s = stop + 1;
	}
	if (s < end)
		printf("run: more than %d VMs in a group; the rest are left out\n", RUN_MAX_GROUP);
	name_duplicates(g, n);
	return n;
}

/* The value of run= in the boot arguments (up to a space), or the default. */
static const char *run_spec(size_t *len)
{
	const char *args = arch_boot_args(), *p = args;

	while (p && (p = strstr(p, "run="))) {
		if (p == args || p[-1] == ' ') {
			p += 4;
			*len = strcspn(p, " ");
			return p;
		}
		p += 4;
	}
	*len = strlen(RUN_DEFAULT);
	return RUN_DEFAULT;
}

/* ---- reporting ---------------------------------------------------------------------------- */

static void verdict(const char *vm, const char *what, bool ok)
{
	printf("%s %s/%s\n", ok ? "PASS" : "FAIL", vm, what);
	if (ok)
		totals.passed++;
	else
		totals.failed++;
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

static void print_counters(const char *who, const struct vcpu_stats *s,
			   const struct pgtable_stats *p, u64 grace_periods)
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
		{ "tables allocated", p->tables_allocated },
		{ "freed at once", p->tables_freed },
		{ "freed through RCU", p->tables_freed_rcu },
		{ "grace periods", grace_periods },
		{ "rescheduling points", p->resched_points },
		{ "TLB flushes", p->tlb_flushes },
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

	verdict(vm->name, "ended-at-time-limit", by_limit && ran >= vm->cfg.time_limit_ns &&
		ran - vm->cfg.time_limit_ns <= RUN_LIMIT_SLACK_NS);
}

static void report_vm(struct vm *vm, enum run_expect expect)
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
	       "%llu thread switches\n", vm->name, vm->end_reason ? vm->end_reason : "?",
	       vm->exit_status, (unsigned long long)(vm->end_ns - vm->start_ns) / 1000000,
	       vm->passed, vm->failed,
	       (unsigned long long)(sched_nr_switches() - vm->switches_start));
	print_counters(who, &s, &p, r.grace_periods - vm->rcu_start.grace_periods);
	totals.passed += vm->passed;
	totals.failed += vm->failed;
	/* One more failure for a VM that ended badly or silently, whatever it reported. */
	if (expect == EXPECT_LIMIT)
		verdict_limit(vm);
	else if (vm->exit_status)
		verdict(vm->name, "exit-status", false);
	else if (vm->cfg.boot)
		verdict(vm->name, "ended-cleanly", true);	/* a kernel of its own reports nothing */
	else if (!vm->passed && !vm->failed)
		verdict(vm->name, "reported-nothing", false);
	add_stats((u64 *)&totals.vcpu, (u64 *)&s, sizeof(s) / sizeof(u64));
	add_stats((u64 *)&totals.pgt, (u64 *)&p, offsetof(struct pgtable_stats, tlb_flushes) /
		  sizeof(u64) + 1);
	totals.vms++;
}

/* ---- running groups ----------------------------------------------------------------------- */

static void run_selftest(struct run_entry *e)
{
	struct vm_config cfg = e->cfg;
	struct vm *vm;

	cfg.image = e->cfg.image ? e->cfg.image : (payload_count ? &payload_images[0] : NULL);
	if (!cfg.image) {
		verdict("hyp", "loader-selftest", false);
		return;
	}
	vm = vm_create(&cfg, NULL);
	if (!vm) {
		verdict("hyp", "loader-selftest", false);
		return;
	}
	totals.failed += loader_selftest(vm, cfg.image->start, cfg.image->size, &totals.passed);
	vm_destroy(vm);
}

static void run_image_selftest(void)
{
	struct vm_config cfg = { .name = "guest_image", .nr_vcpus = 1, .mem_size = VM_RAM_SIZE };
	struct vm *vm;

	cfg.image = payload_count ? &payload_images[0] : NULL;
	vm = cfg.image ? vm_create(&cfg, NULL) : NULL;
	if (!vm) {
		verdict("hyp", "guest-image-selftest", false);
		return;
	}
	totals.failed += guest_image_selftest(vm, cfg.image->start, cfg.image->size,
					      &totals.passed);
	vm_destroy(vm);
}

/* A VM of the group that has ended and whose threads are off their CPUs: report, free it. */
static void finish_vm(struct run_entry *e)
{
	struct vm *vm = e->vm;

	gdbstub_detach_vm(vm);
	report_vm(vm, e->expect);
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
		verdict(e->cfg.name, "refused-at-creation", !e->vm && err == -ENOMEM);
		if (e->vm)
			vm_destroy(e->vm);
		e->vm = NULL;
		return;
	}
	if (!e->vm) {
		verdict(e->cfg.name, "create", false);
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
			verdict(g[i].cfg.name, "create", false);
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
		unsigned int n = parse_group(spec, stop, group);

		if (n)
			run_group(group, n);
		spec = stop + 1;
	}
}

static void kvm_init(void)
{
	unsigned int nr = arch_nr_cpus();

	linux_boot_setup();
	all_shadow = boot_flag(arch_boot_args(), "mmu=shadow");
	if (host_mem_init() || sched_init(nr) || rcu_init(&kvm_rcu, nr, RCU_BACKLOG_LIMIT)) {
		printf("kvm: cannot initialise (memory)\n");
		exit(2);
	}
	printf("kvm: %u CPUs, %u MiB for guests in 2 MiB chunks, %u payload(s) embedded\n", nr,
	       host_mem_nr_total() * 2, payload_count);
	if (!arch_has_nested_paging() || all_shadow)
		printf("kvm: guest paging: shadow page tables (%s)\n", all_shadow ?
		       "mmu=shadow" : "the CPU has no nested paging");
	__atomic_store_n(&kvm_ready, 1, __ATOMIC_RELEASE);
	arch_tick_start(SCHED_TICK_NS);
	arch_irq_enable();
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
	       "controller stack %llu bytes, longest reschedule wait %llu us\n", totals.vms,
	       host_mem_nr_free(), host_mem_nr_total(),
	       (unsigned long long)sched_stack_peak_bytes(), SCHED_STACK_SIZE,
	       (unsigned long long)sched_thread_stack_used(&controller),
	       (unsigned long long)sched_resched_latency_max() / 1000);
	printf("total: first guest instruction %llu us after the machine started\n",
	       (unsigned long long)vcpu_first_entry_ns() / 1000);
	rcu_get_stats(&kvm_rcu, &r);
	print_counters("total", &totals.vcpu, &totals.pgt, r.grace_periods);
	/* Every VM has been torn down: every chunk must be back and unpromised. */
	verdict("hyp", "host-memory-returned", host_mem_nr_free() == host_mem_nr_total() &&
		host_mem_nr_unpromised() == host_mem_nr_total());
	printf("%u passed, %u failed\n", totals.passed, totals.failed);
	exit(totals.failed ? 1 : 0);
}

void hyp_main(void)
{
	kvm_init();
	if (sched_thread_init(&controller, 0, controller_main, NULL)) {
		printf("kvm: cannot start the controller (memory)\n");
		exit(2);
	}
	sched_wake(&controller);
	sched_idle_loop();
}

void hyp_secondary_main(unsigned int cpu)
{
	(void)cpu;
	while (!__atomic_load_n(&kvm_ready, __ATOMIC_ACQUIRE))
		mmu_cpu_relax();
	arch_tick_start(SCHED_TICK_NS);
	arch_irq_enable();
	sched_idle_loop();
}
