// SPDX-License-Identifier: MIT
/*
 * Smoke test of arch/arm64's side of kvm/arch/ on the real thing
 * (QEMU virt, EL2): a stage 2 built by the real walker, a tiny guest
 * (guest_blob.S) run on every CPU from a hypervisor thread, each exit
 * checked.  One line per case, then "N passed, N failed"; the exit status
 * is the number of failures.
 *
 * Built as its own image: make arm64-arch-smoke(-run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/arch/console.h"
#include "kvm/arch/cpu.h"
#include "kvm/arch/stage2.h"
#include "kvm/arch/vcpu.h"
#include "mmu/page_pool.h"
#include "mmu/pgtable.h"
#include "mmu/rcu.h"
#include "tests/arch-arm64/smoke.h"

#define TICK_NS	     2000000ULL /* 2 ms: a few of them pass quickly even in TCG */
#define POOL_SIZE    (4ULL << 20)
#define THREAD_STACK (16 * 1024)

/* IPAs of the test VM. */
#define IPA_CODE     0x40000000ULL
#define IPA_DATA(c)  (0x40100000ULL + (c)*0x10000)
#define IPA_TLB(c)   (0x40200000ULL + (c)*0x10000)
#define IPA_MMIO(c)  (0x09000000ULL + (c)*0x10000)
#define IPA_ABORT(c) (0x0a000000ULL + (c)*0x10000 + 0x18)
#define TLB_MAGIC    0x7eb0000000000000ULL

extern const char smoke_guest_start[], smoke_guest_end[], smoke_guest_smc[], smoke_guest_mmio_ld[],
	smoke_guest_abort_ld[], smoke_guest_wfi[], smoke_guest_tlb_ld[], smoke_guest_mmio_st[],
	smoke_guest_ldrsh[], smoke_guest_vectors[];
u64 smoke_fp_call(void (*fn)(void *), void *arg, u64 seed);
u64 smoke_fp_irq(u64 seed, const u64 *word, u64 old);

/* The one VM both CPUs run. */
static struct page_pool pool;
static struct rcu_state rcu;
static struct rwlock mmu_lock;
static struct pgtable pgt;
static struct arch_stage2 s2 = { .vmid = 1 };
static u8 *guest_ram; /* code page, then per-CPU data and TLB pages */

static unsigned int passed, failed;
static unsigned int go, cpus_done;
static u64 ticks[MAX_CPUS]; /* kvm_sched_tick() calls per CPU */

struct smoke_cpu {
	unsigned int cpu;
	struct arch_vcpu vcpu;
	struct vcpu_exit exit;
	unsigned int irq_exits;
	struct arch_thread boot, test, other;
	unsigned int pingpong[8], pp_len;
	void *stacks[2];
};

static struct smoke_cpu cpus[MAX_CPUS];

static void check(struct smoke_cpu *c, bool ok, const char *name)
{
	printf("%s cpu%u %s\n", ok ? "PASS" : "FAIL", c->cpu, name);
	__atomic_fetch_add(ok ? &passed : &failed, 1, __ATOMIC_RELAXED);
}

/* kvm/'s tick, here: count, and use every SIMD register as compiled C might. */
void kvm_sched_tick(void)
{
	__atomic_fetch_add(&ticks[arch_cpu_id()], 1, __ATOMIC_RELAXED);
	__asm__ volatile("bl smoke_fp_clobber"
			 :
			 :
			 : "x30", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8",
			   "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18",
			   "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28",
			   "v29", "v30", "v31");
}

static u64 ipa_of(const char *sym)
{
	return IPA_CODE + (u64)(sym - smoke_guest_start);
}

static void *hva_data(unsigned int cpu)
{
	return guest_ram + PAGE_SIZE * (1 + 2 * cpu);
}

static void *hva_tlb(unsigned int cpu)
{
	return guest_ram + PAGE_SIZE * (2 + 2 * cpu);
}

/* The guest runs with its MMU off: its accesses do not look in our caches. */
static void clean_to_poc(void *p, u64 size)
{
	for (u64 a = (u64)p & ~63ULL; a < (u64)p + size; a += 64)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb ish\n\tic ialluis\n\tdsb ish\n\tisb" : : : "memory");
}

static int map(u64 ipa, void *hva, u8 prot)
{
	struct mmu_page_cache cache = { 0 };
	int ret;

	write_lock(&mmu_lock);
	ret = pgtable_map(&pgt, gpa(ipa), PAGE_SIZE, hpa((u64)hva),
			  (struct pte_attrs){ prot, MT_NORMAL }, &cache, 0, NULL);
	write_unlock(&mmu_lock);
	mmu_cache_drain(&cache, &pool);
	return ret;
}

static bool vm_init(void)
{
	struct arch_ram_range r[8];
	unsigned int n = arch_free_ram(r, 8), i;
	u64 need = POOL_SIZE + PAGE_SIZE * (1 + 2 * MAX_CPUS);
	bool ok = true;
	u8 *base;

	for (i = 0; i < n && r[i].size < need + SZ_2M; i++)
		;
	if (i == n || smoke_guest_end - smoke_guest_start > (long)PAGE_SIZE)
		return false;
	/* 2 MiB aligned, like a real memslot would be; the walker does not care. */
	base = (u8 *)((r[i].base + SZ_2M - 1) & ~(SZ_2M - 1));

	ok &= !page_pool_init(&pool, base, POOL_SIZE);
	ok &= !rcu_init(&rcu, arch_nr_cpus(), 1024);
	ok &= !pgtable_init(&pgt, arch_stage2_format(), &arch_stage2_mmu_ops, &pool, &rcu);
	if (!ok)
		return false;
	pgt.owner = &s2;
	s2.root = pgt.root_pa;
	guest_ram = base + POOL_SIZE;
	memset(guest_ram, 0, PAGE_SIZE * (1 + 2 * MAX_CPUS));
	memcpy(guest_ram, smoke_guest_start, smoke_guest_end - smoke_guest_start);
	ok &= !map(IPA_CODE, guest_ram, PROT_R | PROT_X);
	for (unsigned int c = 0; c < arch_nr_cpus(); c++) {
		*(u64 *)hva_tlb(c) = TLB_MAGIC + c;
		ok &= !map(IPA_DATA(c), hva_data(c), PROT_R | PROT_W);
		ok &= !map(IPA_TLB(c), hva_tlb(c), PROT_R | PROT_W);
	}
	clean_to_poc(guest_ram, PAGE_SIZE * (1 + 2 * MAX_CPUS));
	arch_stage2_flush_vmid(&s2);
	return ok;
}

/* ---- running the guest ------------------------------------------------------------ */

/* Next exit that is not the tick. */
static struct vcpu_exit *next_exit(struct smoke_cpu *c)
{
	do {
		arch_vcpu_run(&c->vcpu, &s2, &c->exit);
		if (c->exit.reason == EXIT_IRQ)
			c->irq_exits++;
	} while (c->exit.reason == EXIT_IRQ);
	return &c->exit;
}

static bool is_hc(struct smoke_cpu *c, struct vcpu_exit *e, unsigned int n)
{
	if (e->reason == EXIT_HYPERCALL && arch_vcpu_hc_arg(&c->vcpu, 0) == SMOKE_HC(n))
		return true;
	printf("  cpu%u: wanted hypercall %u, got %s (reason %d, ESR 0x%llx, pc 0x%llx, x0 0x%llx"
	       ", x1 0x%llx)\n",
	       c->cpu, n, arch_exit_name(e), e->reason, (unsigned long long)e->syndrome,
	       (unsigned long long)e->pc, (unsigned long long)arch_vcpu_get_reg(&c->vcpu, 0),
	       (unsigned long long)arch_vcpu_get_reg(&c->vcpu, 1));
	return false;
}

static bool hc_x1(struct smoke_cpu *c, unsigned int n, u64 want)
{
	struct vcpu_exit *e = next_exit(c);

	if (!is_hc(c, e, n))
		return false;
	if (arch_vcpu_hc_arg(&c->vcpu, 1) == want)
		return true;
	printf("  cpu%u: hypercall %u: x1 0x%llx, wanted 0x%llx\n", c->cpu, n,
	       (unsigned long long)arch_vcpu_hc_arg(&c->vcpu, 1), (unsigned long long)want);
	return false;
}

static bool mem_fault(struct vcpu_exit *e, u64 gpa, bool write, u8 size, u8 reg, u64 pc)
{
	bool ok = e->reason == EXIT_MEM_FAULT && e->gpa == gpa && e->write == write && !e->exec &&
		  e->decoded && e->access_size == size && e->reg == reg && e->pc == pc &&
		  e->gva_valid && e->gva == gpa;

	if (!ok)
		printf("  %s: reason %d gpa 0x%llx write %d exec %d decoded %d size %u reg %u "
		       "pc 0x%llx (wanted gpa 0x%llx pc 0x%llx)\n",
		       arch_exit_name(e), e->reason, (unsigned long long)e->gpa, e->write, e->exec,
		       e->decoded, e->access_size, e->reg, (unsigned long long)e->pc,
		       (unsigned long long)gpa, (unsigned long long)pc);
	return ok;
}

static void switch_to_other(struct smoke_cpu *c)
{
	unsigned long flags = arch_irq_save();

	arch_thread_switch(&c->test, &c->other);
	arch_irq_restore(flags);
}

/* The second thread: clobber every vector register, log, give the CPU back. */
static void other_thread(void *arg)
{
	struct smoke_cpu *c = arg;
	unsigned long flags;

	for (;;) {
		__asm__ volatile("bl smoke_fp_clobber"
				 :
				 :
				 : "x30", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7",
				   "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16",
				   "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25",
				   "v26", "v27", "v28", "v29", "v30", "v31");
		if (c->pp_len < ARRAY_SIZE(c->pingpong))
			c->pingpong[c->pp_len++] = 2;
		flags = arch_irq_save();
		arch_thread_switch(&c->other, &c->test);
		arch_irq_restore(flags);
	}
}

static void fp_switch_fn(void *arg)
{
	switch_to_other(arg);
}

/* Run the guest from HC_FP_LOADED to HC_FP_CHECKED (inside smoke_fp_call). */
static bool fp_guest_ok;
static void fp_guest_fn(void *arg)
{
	struct smoke_cpu *c = arg;

	fp_guest_ok = hc_x1(c, HC_FP_CHECKED, 0);
}

static void guest_steps(struct smoke_cpu *c)
{
	struct arch_vcpu *v = &c->vcpu;
	unsigned int cpu = c->cpu;
	struct vcpu_exit *e;
	u64 pc, t0;
	bool ok;

	arch_vcpu_reset(v, cpu, IPA_CODE, cpu);
	arch_vcpu_set_reg(v, 19, IPA_DATA(cpu));
	arch_vcpu_set_reg(v, 20, IPA_MMIO(cpu));
	arch_vcpu_set_reg(v, 21, IPA_ABORT(cpu));
	arch_vcpu_set_reg(v, 22, IPA_TLB(cpu));
	check(c,
	      arch_vcpu_pc(v) == IPA_CODE && arch_vcpu_get_reg(v, 0) == cpu &&
		      arch_vcpu_get_reg(v, 31) == 0,
	      "reset");

	e = next_exit(c);
	ok = is_hc(c, e, HC_ARGS) && arch_vcpu_hc_arg(v, 1) == 0x11 &&
	     arch_vcpu_hc_arg(v, 2) == 0x22 && arch_vcpu_hc_arg(v, 3) == 0x33 &&
	     arch_vcpu_hc_arg(v, 4) == 0x44 && arch_vcpu_hc_arg(v, 5) == cpu &&
	     arch_vcpu_pc(v) == e->pc + 4;
	arch_vcpu_hc_ret(v, 0x5eed0000 + cpu);
	ok &= hc_x1(c, HC_ECHO, 0x5eed0000 + cpu);
	check(c, ok, "hvc_args_result");

	e = next_exit(c);
	pc = ipa_of(smoke_guest_smc);
	ok = e->reason == EXIT_FIRMWARE_CALL && e->pc == pc && arch_vcpu_pc(v) == pc + 4 &&
	     arch_vcpu_hc_arg(v, 0) == 0x84000000;
	arch_vcpu_hc_ret(v, 0x10001);
	ok &= hc_x1(c, HC_SMC_ECHO, 0x10001);
	check(c, ok, "smc_firmware_call");

	pc = ipa_of(smoke_guest_mmio_ld);
	check(c, mem_fault(next_exit(c), IPA_MMIO(cpu) + 8, false, 8, 5, pc), "mmio_load_fault");
	arch_vcpu_set_reg(v, 5, 0x1122334455667788ULL);
	arch_vcpu_skip_insn(v);
	check(c, hc_x1(c, HC_MMIO_LOAD, 0x1122334455667788ULL), "mmio_load_emulated");

	ok = mem_fault(next_exit(c), IPA_MMIO(cpu) + 0x14, true, 4, 7,
		       ipa_of(smoke_guest_mmio_st)) &&
	     (arch_vcpu_get_reg(v, 7) & 0xffffffff) == 0xbeef;
	arch_vcpu_skip_insn(v);
	e = next_exit(c);
	ok &= mem_fault(e, IPA_MMIO(cpu) + 0x22, false, 2, 9, ipa_of(smoke_guest_ldrsh)) &&
	      e->sign_extend;
	/* What kvm's sign extension gives; skip_insn must clear bits 63:32 of a W load. */
	arch_vcpu_set_reg(v, 9, (u64)(s64)(int16_t)0x8001);
	arch_vcpu_skip_insn(v);
	ok &= hc_x1(c, HC_MMIO_LDRSH, 0xffff8001); /* a W register: upper half zero */
	check(c, ok, "mmio_store_and_ldrsh_w");

	e = next_exit(c);
	pc = ipa_of(smoke_guest_abort_ld);
	ok = e->reason == EXIT_MEM_FAULT && e->gpa == IPA_ABORT(cpu) && !e->write;
	arch_vcpu_inject_abort(v, false, e->gva);
	e = next_exit(c);
	ok &= is_hc(c, e, HC_VECTOR) && e->pc == ipa_of(smoke_guest_vectors) + 0x200 + 24 &&
	      arch_vcpu_hc_arg(v, 1) == 0x96000010 && arch_vcpu_hc_arg(v, 2) == IPA_ABORT(cpu) &&
	      arch_vcpu_hc_arg(v, 3) == pc && arch_vcpu_hc_arg(v, 4) == 0x3c5;
	check(c, ok, "inject_abort_vbar_0x200");

	e = next_exit(c);
	ok = is_hc(c, e, HC_WANT_UNDEF);
	pc = arch_vcpu_pc(v);
	arch_vcpu_inject_undef(v);
	ok &= is_hc(c, next_exit(c), HC_VECTOR) && arch_vcpu_hc_arg(v, 1) == 0x02000000 &&
	      arch_vcpu_hc_arg(v, 3) == pc;
	check(c, ok, "inject_undef");

	e = next_exit(c);
	pc = ipa_of(smoke_guest_wfi);
	ok = e->reason == EXIT_WFI && e->pc == pc && arch_vcpu_pc(v) == pc + 4;
	ok &= is_hc(c, next_exit(c), HC_AFTER_WFI);
	check(c, ok, "wfi_exit");

	/* Guest FP across our own SIMD use and a thread switch; ours across guest entry. */
	ok = is_hc(c, next_exit(c), HC_FP_LOADED);
	__asm__ volatile("bl smoke_fp_clobber"
			 :
			 :
			 : "x30", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8",
			   "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18",
			   "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28",
			   "v29", "v30", "v31");
	switch_to_other(c);
	ok &= smoke_fp_call(fp_guest_fn, c, 0xd8d8d8d800000000ULL) == 0 && fp_guest_ok;
	check(c, ok, "fp_guest_and_host");

	ok = hc_x1(c, HC_TLB_READ, TLB_MAGIC + cpu);
	write_lock(&mmu_lock);
	ok &= !pgtable_unmap(&pgt, gpa(IPA_TLB(cpu)), PAGE_SIZE, 0, NULL);
	write_unlock(&mmu_lock);
	ok &= mem_fault(next_exit(c), IPA_TLB(cpu), false, 8, 1, ipa_of(smoke_guest_tlb_ld));
	arch_vcpu_set_reg(v, 1, 0xdead);
	arch_vcpu_skip_insn(v);
	ok &= hc_x1(c, HC_TLB_AGAIN, 0xdead);
	check(c, ok, "tlb_flush_after_unmap");

	/* The guest spins; the tick must bring it back a few times. */
	c->irq_exits = 0;
	t0 = __atomic_load_n(&ticks[cpu], __ATOMIC_RELAXED);
	while (c->irq_exits < 3) {
		arch_vcpu_run(v, &s2, &c->exit);
		if (c->exit.reason != EXIT_IRQ)
			break;
		c->irq_exits++;
	}
	ok = c->irq_exits == 3 && __atomic_load_n(&ticks[cpu], __ATOMIC_RELAXED) - t0 >= 3;
	*(volatile u64 *)hva_data(cpu) = 1;
	clean_to_poc(hva_data(cpu), 8);
	ok &= is_hc(c, next_exit(c), HC_TICK_DONE);
	check(c, ok, "tick_exit_irq");
	check(c, is_hc(c, next_exit(c), HC_END), "guest_end");
}

static void test_thread(void *arg)
{
	struct smoke_cpu *c = arg;
	u64 t0, n;

	arch_tick_start(TICK_NS);

	/* The tick at EL2 itself, interrupting code that has all 32 vector registers live. */
	t0 = __atomic_load_n(&ticks[c->cpu], __ATOMIC_RELAXED);
	n = smoke_fp_irq(0x1234567800000000ULL + c->cpu, &ticks[c->cpu], t0);
	check(c, n == 0, "tick_at_el2_keeps_simd");

	/* Idle as kvm's idle loop would: masked, WFI, the tick handled before the return. */
	{
		unsigned long flags = arch_irq_save();
		u64 ns = arch_time_ns(), dt;

		t0 = __atomic_load_n(&ticks[c->cpu], __ATOMIC_RELAXED);
		arch_wait_for_interrupt();
		n = __atomic_load_n(&ticks[c->cpu], __ATOMIC_RELAXED) - t0;
		dt = arch_time_ns() - ns;
		arch_irq_restore(flags);
		check(c, n >= 1 && dt > 0 && dt < 1000000000ULL, "wait_for_interrupt_and_time");
	}

	/* Two threads on this CPU: callee-saved FP survives, turns alternate. */
	c->pp_len = 0;
	for (int i = 0; i < 3; i++) {
		c->pingpong[c->pp_len++] = 1;
		n = smoke_fp_call(fp_switch_fn, c, 0xabcd000000000000ULL + i);
		if (n)
			break;
	}
	check(c,
	      n == 0 && c->pp_len == 6 && c->pingpong[0] == 1 && c->pingpong[1] == 2 &&
		      c->pingpong[4] == 1 && c->pingpong[5] == 2,
	      "thread_switch_fp");

	guest_steps(c);

	arch_tick_start(1000000000ULL); /* quiet from here on */
	if (c->cpu)
		rcu_idle_enter(&rcu, c->cpu); /* hyp_main's rcu_barrier() does not wait for us */
	arch_irq_save();
	arch_thread_switch(&c->test, &c->boot);
	for (;;)
		;
}

static void run_on_this_cpu(void)
{
	struct smoke_cpu *c = &cpus[arch_cpu_id()];
	unsigned long flags;

	c->cpu = arch_cpu_id();
	for (int i = 0; i < 2; i++)
		c->stacks[i] = malloc(THREAD_STACK);
	arch_thread_init(&c->test, (u8 *)c->stacks[0] + THREAD_STACK, test_thread, c);
	arch_thread_init(&c->other, (u8 *)c->stacks[1] + THREAD_STACK, other_thread, c);
	flags = arch_irq_save();
	arch_thread_switch(&c->boot, &c->test);
	arch_irq_restore(flags);
	__atomic_fetch_add(&cpus_done, 1, __ATOMIC_RELEASE);
}

void hyp_secondary_main(unsigned int cpu)
{
	(void)cpu;
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		mmu_cpu_relax();
	run_on_this_cpu();
	arch_cpu_stop();
}

void hyp_main(void)
{
	const struct pte_format *fmt = arch_stage2_format();
	struct smoke_cpu *c0 = &cpus[0];
	bool ok;

	c0->cpu = 0;
	printf("arch smoke: %u CPUs, stage 2 %s, IPA limit 2^%u, bootargs \"%s\"\n", arch_nr_cpus(),
	       fmt ? fmt->name : "?", 63 - __builtin_clzll(arch_stage2_ipa_limit()),
	       arch_boot_args());
	check(c0,
	      fmt && arch_stage2_ipa_limit() >= (1ULL << 39) &&
		      arch_stage2_ipa_limit() <= (1ULL << fmt->ia_bits),
	      "stage2_format");
	ok = vm_init();
	check(c0, ok, "vm_init");
	if (!ok)
		exit(1);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	run_on_this_cpu();
	while (__atomic_load_n(&cpus_done, __ATOMIC_ACQUIRE) < arch_nr_cpus())
		mmu_cpu_relax();

	arch_stage2_flush_vmid(&s2);
	write_lock(&mmu_lock);
	pgtable_destroy(&pgt, PGT_NO_RESCHED);
	write_unlock(&mmu_lock);
	rcu_barrier(&rcu, 0);
	check(c0, pool.in_use == 0, "teardown");
	printf("%u passed, %u failed\n", passed, failed);
	exit(failed);
}
