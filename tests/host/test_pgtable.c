// SPDX-License-Identifier: MIT
/*
 * Unit tests of every walker operation on every format, single-threaded.
 * Encodings themselves are checked bit by bit in test_pte_formats.c; here
 * the walker's choices are checked: levels, blocks, tables made and freed,
 * TLB debts paid, rescheduling points, and that bad input changes nothing.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "host_env.h"

static const struct pte_format *const formats[] = {
	&pte_format_arm64_s2_4lvl,
	&pte_format_arm64_s2_3lvl,
	&pte_format_x86_npt,
	&pte_format_x86_ept,
};

static const struct pte_attrs rw = { PROT_R | PROT_W, MT_NORMAL };
static const struct pte_attrs rx = { PROT_R | PROT_X, MT_NORMAL };

#define PA_BASE 0x80000000ULL

static struct host_vm *vm_new(const struct pte_format *fmt)
{
	struct host_vm *vm = host_vm_create(fmt, 1, 8192);

	if (!vm) {
		printf("    cannot create a VM\n");
		exit(2);
	}
	return vm;
}

static void vm_done(struct host_vm *vm)
{
	CHECK_EQ(host_vm_destroy(vm), 0); /* every table page came back */
}

static int map(struct host_vm *vm, u64 addr, u64 size, u64 pa, struct pte_attrs a, unsigned int f)
{
	return pgtable_map(&vm->pgt, gpa(addr), size, hpa(pa), a, &vm->cache, f, NULL);
}

/* Translation of one address: pa, or ~0 when unmapped; *level set when mapped. */
static u64 xlate(struct host_vm *vm, u64 addr, unsigned int *level, struct pte_attrs *attrs)
{
	hpa_t pa;

	if (pgtable_translate(&vm->pgt, gpa(addr), &pa, attrs, level))
		return ~0ULL;
	return pa.val;
}

static unsigned int level_of(struct host_vm *vm, u64 addr)
{
	unsigned int level = 99;

	xlate(vm, addr, &level, NULL);
	return level;
}

/* A digest of the whole tree: every entry of every reachable table, in order. */
static u64 tree_digest_at(struct host_vm *vm, u64 *table, unsigned int level)
{
	const struct pte_format *fmt = vm->pgt.fmt;
	u64 h = 0xcbf29ce484222325ULL;
	unsigned int i;

	for (i = 0; i < PT_ENTRIES; i++) {
		h = (h ^ table[i]) * 0x100000001b3ULL;
		if (level < PT_LAST_LEVEL && fmt->is_table(table[i], level))
			h ^= tree_digest_at(vm, (u64 *)(uintptr_t)fmt->output_addr(table[i]).val,
					    level + 1);
	}
	return h;
}

static u64 tree_digest(struct host_vm *vm)
{
	return tree_digest_at(vm, vm->pgt.root, pt_start_level(vm->pgt.fmt)) ^ vm->pool->in_use;
}

static struct pgtable_stats stats(struct host_vm *vm)
{
	struct pgtable_stats s;

	pgtable_get_stats(&vm->pgt, &s);
	return s;
}

static void test_map_page(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	struct pte_attrs a;
	unsigned int level;

	CHECK_EQ(map(vm, 0x5000, SZ_4K, PA_BASE + 0x7000, rw, 0), 0);
	CHECK_EQ(xlate(vm, 0x5000, &level, &a), PA_BASE + 0x7000);
	CHECK_EQ(xlate(vm, 0x5abc, NULL, NULL), PA_BASE + 0x7abc);
	CHECK_EQ(level, 3);
	CHECK_EQ(a.prot, PROT_R | PROT_W);
	CHECK_EQ(a.memtype, MT_NORMAL);
	CHECK_EQ(xlate(vm, 0x4000, NULL, NULL), ~0ULL);
	CHECK_EQ(xlate(vm, 0x6000, NULL, NULL), ~0ULL);
	/* root + one table per level below it */
	CHECK_EQ(vm->pool->in_use, fmt->levels);
	CHECK_EQ(stats(vm).pages_mapped, 1);
	CHECK_EQ(stats(vm).tables_allocated, fmt->levels - 1);
	vm_done(vm);
}

static void test_map_blocks(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);

	/* 1G-2M-4K .. 2G+4M+8K: a page, a 2M block, a 1G block, two 2M blocks, two pages */
	CHECK_EQ(map(vm, SZ_1G - SZ_2M - SZ_4K, SZ_4K + SZ_2M + SZ_1G + 2 * SZ_2M + 2 * SZ_4K,
		     2 * SZ_1G - SZ_2M - SZ_4K, rw, 0),
		 0);
	CHECK_EQ(level_of(vm, SZ_1G - SZ_2M - SZ_4K), 3);
	CHECK_EQ(level_of(vm, SZ_1G - SZ_2M), 2);
	CHECK_EQ(level_of(vm, SZ_1G), 1);
	CHECK_EQ(xlate(vm, SZ_1G + 0x12345, NULL, NULL), 2 * SZ_1G + 0x12345);
	CHECK_EQ(level_of(vm, 2 * SZ_1G), 2);
	CHECK_EQ(level_of(vm, 2 * SZ_1G + 2 * SZ_2M), 3);
	CHECK_EQ(level_of(vm, 2 * SZ_1G + 2 * SZ_2M + SZ_4K), 3);
	CHECK_EQ(xlate(vm, 2 * SZ_1G + 2 * SZ_2M + 2 * SZ_4K, NULL, NULL), ~0ULL);
	CHECK_EQ(stats(vm).blocks_mapped, 1 + 1 + 2);
	CHECK_EQ(stats(vm).pages_mapped, 3);

	/* A pa misaligned for a block forces pages; PGT_PAGES_ONLY too. */
	CHECK_EQ(map(vm, 8 * SZ_1G, SZ_2M, PA_BASE + SZ_4K, rw, 0), 0);
	CHECK_EQ(level_of(vm, 8 * SZ_1G), 3);
	CHECK_EQ(map(vm, 9 * SZ_1G, SZ_2M, PA_BASE, rw, PGT_PAGES_ONLY), 0);
	CHECK_EQ(level_of(vm, 9 * SZ_1G + SZ_2M - SZ_4K), 3);
	vm_done(vm);
}

static void test_remap_and_collapse_by_map(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	u64 tables, flushes;

	CHECK_EQ(map(vm, SZ_2M, SZ_2M, PA_BASE, rw, PGT_PAGES_ONLY), 0);
	tables = vm->pool->in_use;
	flushes = host_tlb_range_flushes;
	/* A block over the 4K table: break-before-make, the table is freed. */
	CHECK_EQ(map(vm, SZ_2M, SZ_2M, PA_BASE + SZ_2M, rx, 0), 0);
	CHECK_EQ(level_of(vm, SZ_2M + SZ_4K), 2);
	CHECK_EQ(xlate(vm, SZ_2M + SZ_4K, NULL, NULL), PA_BASE + SZ_2M + SZ_4K);
	CHECK_EQ(vm->pool->in_use, tables - 1);
	CHECK_EQ(stats(vm).tables_freed, 1);
	CHECK(host_tlb_range_flushes > flushes);
	/* Mapping a page inside the block splits it; the rest keeps its mapping. */
	CHECK_EQ(map(vm, SZ_2M + 5 * SZ_4K, SZ_4K, PA_BASE, rw, 0), 0);
	CHECK_EQ(xlate(vm, SZ_2M + 5 * SZ_4K, NULL, NULL), PA_BASE);
	CHECK_EQ(xlate(vm, SZ_2M + 6 * SZ_4K, NULL, NULL), PA_BASE + SZ_2M + 6 * SZ_4K);
	CHECK_EQ(level_of(vm, SZ_2M + 6 * SZ_4K), 3);
	CHECK_EQ(stats(vm).splits, 1);
	vm_done(vm);
}

static void test_unmap(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);

	CHECK_EQ(map(vm, 0, 4 * SZ_2M, PA_BASE, rw, 0), 0);
	CHECK_EQ(map(vm, 4 * SZ_2M, SZ_2M, PA_BASE, rw, PGT_PAGES_ONLY), 0);
	/* Part of a block: split, the rest still mapped. */
	CHECK_EQ(pgtable_unmap(&vm->pgt, gpa(SZ_2M + SZ_4K), SZ_4K, 0, NULL), 0);
	CHECK_EQ(xlate(vm, SZ_2M + SZ_4K, NULL, NULL), ~0ULL);
	CHECK_EQ(xlate(vm, SZ_2M, NULL, NULL), PA_BASE + SZ_2M);
	CHECK_EQ(xlate(vm, SZ_2M + 2 * SZ_4K, NULL, NULL), PA_BASE + SZ_2M + 2 * SZ_4K);
	/* Everything: tables the range covers are freed, down to the root. */
	CHECK_EQ(pgtable_unmap(&vm->pgt, gpa(0), SZ_1G, 0, NULL), 0);
	CHECK_EQ(xlate(vm, 3 * SZ_2M, NULL, NULL), ~0ULL);
	CHECK_EQ(xlate(vm, 4 * SZ_2M + SZ_4K, NULL, NULL), ~0ULL);
	CHECK_EQ(vm->pool->in_use, fmt->levels == 4 ? 2 : 1);
	CHECK(stats(vm).leaves_unmapped >= 4 + 512);
	vm_done(vm);
}

static void test_protect(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	struct pte_attrs a;

	CHECK_EQ(map(vm, 0, 2 * SZ_2M, PA_BASE, rw, 0), 0);
	CHECK_EQ(pgtable_protect(&vm->pgt, gpa(SZ_4K), SZ_4K, PROT_R, &vm->cache, 0, NULL), 0);
	xlate(vm, SZ_4K, NULL, &a);
	CHECK_EQ(a.prot, PROT_R);
	xlate(vm, 0, NULL, &a);
	CHECK_EQ(a.prot, PROT_R | PROT_W);
	CHECK_EQ(level_of(vm, 0), 3);	  /* the block was split */
	CHECK_EQ(level_of(vm, SZ_2M), 2); /* the other one was not */
	CHECK_EQ(pgtable_protect(&vm->pgt, gpa(SZ_2M), SZ_2M, PROT_R | PROT_X, &vm->cache, 0, NULL),
		 0);
	xlate(vm, SZ_2M + 0x1000, NULL, &a);
	CHECK_EQ(a.prot, PROT_R | PROT_X);
	CHECK_EQ(xlate(vm, SZ_2M + 0x1000, NULL, NULL), PA_BASE + SZ_2M + 0x1000);
	CHECK_EQ(level_of(vm, SZ_2M), 2);
	vm_done(vm);
}

static void test_split(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	struct pte_attrs a;
	u64 off;

	CHECK_EQ(map(vm, SZ_1G, SZ_1G, PA_BASE, rx, 0), 0);
	CHECK_EQ(level_of(vm, SZ_1G), 1);
	CHECK_EQ(pgtable_split(&vm->pgt, gpa(SZ_1G + SZ_2M), SZ_4K, &vm->cache, 0, NULL), 0);
	CHECK_EQ(level_of(vm, SZ_1G + SZ_2M), 3);
	CHECK_EQ(level_of(vm, SZ_1G), 2); /* the 1G block became 2M blocks, one split on */
	for (off = 0; off < SZ_1G; off += 0x1234567)
		CHECK_EQ(xlate(vm, SZ_1G + off, NULL, NULL), PA_BASE + off);
	xlate(vm, SZ_1G + SZ_2M + 0x3000, NULL, &a);
	CHECK_EQ(a.prot, rx.prot);
	CHECK_EQ(stats(vm).splits, 2);
	vm_done(vm);
}

static void test_collapse(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	u64 before;

	CHECK_EQ(map(vm, SZ_2M, SZ_2M, PA_BASE, rw, PGT_PAGES_ONLY), 0);
	CHECK_EQ(pgtable_collapse(&vm->pgt, gpa(SZ_2M), 2, 0), 0);
	CHECK_EQ(level_of(vm, SZ_2M + SZ_4K), 2);
	CHECK_EQ(xlate(vm, SZ_2M + 0x5432, NULL, NULL), PA_BASE + 0x5432);
	CHECK_EQ(stats(vm).collapses, 1);
	CHECK_EQ(stats(vm).tables_freed, 1);

	/* Not uniform (one page elsewhere): refused, nothing changes. */
	CHECK_EQ(map(vm, 2 * SZ_2M, SZ_2M, PA_BASE, rw, PGT_PAGES_ONLY), 0);
	CHECK_EQ(map(vm, 2 * SZ_2M + SZ_4K, SZ_4K, PA_BASE + 0x100000, rw, 0), 0);
	before = tree_digest(vm);
	CHECK_EQ(pgtable_collapse(&vm->pgt, gpa(2 * SZ_2M), 2, 0), -EBUSY);
	CHECK_EQ(tree_digest(vm), before);
	/* A hole: refused.  Mixed permissions: refused. */
	CHECK_EQ(map(vm, 2 * SZ_2M + SZ_4K, SZ_4K, PA_BASE + SZ_4K, rw, 0), 0);
	CHECK_EQ(
		pgtable_protect(&vm->pgt, gpa(2 * SZ_2M + 9 * SZ_4K), SZ_4K, PROT_R, NULL, 0, NULL),
		0);
	CHECK_EQ(pgtable_collapse(&vm->pgt, gpa(2 * SZ_2M), 2, 0), -EBUSY);
	CHECK_EQ(pgtable_unmap(&vm->pgt, gpa(2 * SZ_2M + 9 * SZ_4K), SZ_4K, 0, NULL), 0);
	CHECK_EQ(pgtable_collapse(&vm->pgt, gpa(2 * SZ_2M), 2, 0), -EBUSY);
	/* Nothing there / already a block. */
	CHECK_EQ(pgtable_collapse(&vm->pgt, gpa(100 * SZ_2M), 2, 0), -ENOENT);
	CHECK_EQ(pgtable_collapse(&vm->pgt, gpa(SZ_2M), 2, 0), -ENOENT);
	/* 1G from 2M blocks and 4K pages mixed. */
	CHECK_EQ(map(vm, 4 * SZ_1G, SZ_1G, 2 * SZ_1G, rw, 0), 0);
	CHECK_EQ(pgtable_split(&vm->pgt, gpa(4 * SZ_1G + 7 * SZ_2M), SZ_4K, &vm->cache, 0, NULL),
		 0);
	CHECK_EQ(level_of(vm, 4 * SZ_1G + 7 * SZ_2M), 3);
	CHECK_EQ(pgtable_collapse(&vm->pgt, gpa(4 * SZ_1G), 1, 0), 0);
	CHECK_EQ(level_of(vm, 4 * SZ_1G + 7 * SZ_2M), 1);
	CHECK_EQ(xlate(vm, 4 * SZ_1G + 7 * SZ_2M + 0x10, NULL, NULL), 2 * SZ_1G + 7 * SZ_2M + 0x10);
	vm_done(vm);
}

static void test_bad_input(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	u64 ia_end = 1ULL << fmt->ia_bits, before;
	struct pgtable *pgt = &vm->pgt;

	CHECK_EQ(map(vm, 0, SZ_2M, PA_BASE, rw, PGT_PAGES_ONLY), 0);
	before = tree_digest(vm);
	CHECK_EQ(map(vm, 0x800, SZ_4K, PA_BASE, rw, 0), -EINVAL);
	CHECK_EQ(map(vm, 0, 0x800, PA_BASE, rw, 0), -EINVAL);
	CHECK_EQ(map(vm, 0, SZ_4K, PA_BASE + 1, rw, 0), -EINVAL);
	CHECK_EQ(map(vm, 0, 0, PA_BASE, rw, 0), -EINVAL);
	CHECK_EQ(map(vm, ~0ULL - SZ_4K + 1, 2 * SZ_4K, PA_BASE, rw, 0), -EINVAL);
	CHECK_EQ(map(vm, ia_end - SZ_4K, 2 * SZ_4K, PA_BASE, rw, 0), -ERANGE);
	CHECK_EQ(map(vm, ia_end, SZ_4K, PA_BASE, rw, 0), -ERANGE);
	CHECK_EQ(map(vm, 0, SZ_4K, 1ULL << fmt->oa_bits, rw, 0), -ERANGE);
	CHECK_EQ(map(vm, 0, SZ_4K, PA_BASE, (struct pte_attrs){ 0, MT_NORMAL }, 0), -ENOTSUP);
	CHECK_EQ(map(vm, 0, SZ_4K, PA_BASE, (struct pte_attrs){ PROT_R, MT_COUNT }, 0), -ENOTSUP);
	CHECK_EQ(map(vm, 0, SZ_4K, PA_BASE, (struct pte_attrs){ 0x80 | PROT_R, MT_NORMAL }, 0),
		 -ENOTSUP);
	CHECK_EQ(pgtable_unmap(pgt, gpa(0x10), SZ_4K, 0, NULL), -EINVAL);
	CHECK_EQ(pgtable_unmap(pgt, gpa(0), SZ_4K, PGT_SHARED, NULL), -EINVAL);
	CHECK_EQ(pgtable_unmap(pgt, gpa(ia_end), SZ_4K, 0, NULL), -ERANGE);
	CHECK_EQ(pgtable_protect(pgt, gpa(0), SZ_4K, 0, NULL, 0, NULL), -ENOTSUP);
	CHECK_EQ(pgtable_protect(pgt, gpa(0), SZ_4K, 0x10, NULL, 0, NULL), -ENOTSUP);
	CHECK_EQ(pgtable_protect(pgt, gpa(0), SZ_4K + 1, PROT_R, NULL, 0, NULL), -EINVAL);
	CHECK_EQ(pgtable_split(pgt, gpa(ia_end - SZ_4K), SZ_2M, NULL, 0, NULL), -ERANGE);
	CHECK_EQ(pgtable_collapse(pgt, gpa(SZ_4K), 2, 0), -EINVAL);
	CHECK_EQ(pgtable_collapse(pgt, gpa(0), 3, 0), -EINVAL);
	CHECK_EQ(pgtable_collapse(pgt, gpa(0), 0, 0), -EINVAL);
	CHECK_EQ(pgtable_collapse(pgt, gpa(0), 2, PGT_SHARED), -EINVAL);
	CHECK_EQ(pgtable_collapse(pgt, gpa(ia_end), 2, 0), -ERANGE);
	CHECK_EQ(pgtable_translate(pgt, gpa(ia_end), NULL, NULL, NULL), -ERANGE);
	CHECK_EQ(tree_digest(vm), before);
	vm_done(vm);
}

/* Device memory cannot be executable on arm64: protect refuses before changing anything. */
static void test_protect_refuses_device_exec(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	struct pte_attrs dev = { PROT_R | PROT_W, MT_DEVICE };
	u64 before;

	CHECK_EQ(map(vm, 0, SZ_2M, PA_BASE, rw, PGT_PAGES_ONLY), 0);
	CHECK_EQ(map(vm, SZ_2M - SZ_4K, SZ_4K, PA_BASE, dev, 0), 0);
	before = tree_digest(vm);
	if (fmt->check_attrs((struct pte_attrs){ PROT_R | PROT_X, MT_DEVICE })) {
		CHECK_EQ(pgtable_protect(&vm->pgt, gpa(0), SZ_2M, PROT_R | PROT_X, NULL, 0, NULL),
			 -ENOTSUP);
		CHECK_EQ(tree_digest(vm), before);
	}
	CHECK_EQ(pgtable_protect(&vm->pgt, gpa(0), SZ_2M - SZ_4K, PROT_R | PROT_X, NULL, 0, NULL),
		 0);
	vm_done(vm);
}

static void test_shared_walks(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	struct pgtable *pgt = &vm->pgt;
	u64 before;

	/* A shared walk never allocates: an empty cache is -ENOMEM, nothing mapped. */
	before = tree_digest(vm);
	CHECK_EQ(map(vm, 0, SZ_4K, PA_BASE, rw, PGT_SHARED), -ENOMEM);
	CHECK_EQ(xlate(vm, 0, NULL, NULL), ~0ULL);
	CHECK_EQ(mmu_cache_topup(&vm->cache, vm->pool, pgtable_fault_cache_min(pgt)), 0);
	CHECK_EQ(map(vm, 0, SZ_4K, PA_BASE, rw, PGT_SHARED), 0);
	CHECK_EQ(vm->cache.nr, 1);
	(void)before;

	/* An entry another walker has locked: back off with -EAGAIN, change nothing. */
	CHECK_EQ(map(vm, SZ_2M, SZ_2M, PA_BASE, rw, PGT_PAGES_ONLY), 0);
	{
		u64 *l2 = vm->pgt.root, *slot;
		unsigned int lvl;

		for (lvl = pt_start_level(fmt); lvl < 2; lvl++)
			l2 = (u64 *)(uintptr_t)fmt->output_addr(l2[pt_index(SZ_2M, lvl)]).val;
		slot = &l2[pt_index(SZ_2M, 2)];
		before = *slot;
		*slot = fmt->locked;
		CHECK_EQ(map(vm, SZ_2M, SZ_2M, PA_BASE, rw, PGT_SHARED), -EAGAIN);
		CHECK_EQ(*slot, fmt->locked);
		CHECK_EQ(xlate(vm, SZ_2M, NULL, NULL), ~0ULL);
		*slot = before;
	}

	/* A block over a table in a shared walk: the table goes to RCU, not to the pool. */
	CHECK_EQ(mmu_cache_topup(&vm->cache, vm->pool, 4), 0);
	before = vm->pool->in_use;
	CHECK_EQ(map(vm, SZ_2M, SZ_2M, PA_BASE + SZ_2M, rw, PGT_SHARED), 0);
	CHECK_EQ(level_of(vm, SZ_2M), 2);
	CHECK_EQ(vm->pool->in_use, before);
	CHECK_EQ(stats(vm).tables_freed_rcu, 0);
	rcu_quiescent(&vm->rcu, 0);
	rcu_quiescent(&vm->rcu, 0);
	CHECK_EQ(stats(vm).tables_freed_rcu, 1);
	CHECK_EQ(vm->pool->in_use, before - 1);
	vm_done(vm);
}

/* ---- rescheduling points ---- */

static struct host_vm *resched_vm;
static u64 resched_calls, resched_flush_missing, resched_lock_held;

static void resched_check(void)
{
	static u64 last_flushes;

	resched_calls++;
	if (__atomic_load_n(&resched_vm->lock.writer, __ATOMIC_RELAXED))
		resched_lock_held++;
	/* Each stop follows an unmapped leaf, so a TLB invalidation must have been paid. */
	if (host_tlb_range_flushes == last_flushes)
		resched_flush_missing++;
	last_flushes = host_tlb_range_flushes;
}

static void test_resched_points(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	u64 pages = 4 * 512;

	resched_vm = vm;
	CHECK_EQ(map(vm, 0, pages * SZ_4K, PA_BASE, rw, PGT_PAGES_ONLY), 0);
	resched_calls = resched_flush_missing = resched_lock_held = 0;
	*host_resched_word() = 1; /* and nothing clears it: a point after every leaf */
	host_resched_hook = resched_check;
	write_lock(&vm->lock);
	CHECK_EQ(kvm_mmu_unmap(&vm->pgt, &vm->lock, gpa(0), pages * SZ_4K, 0), 0);
	write_unlock(&vm->lock);
	/* After every leaf but the last; the lock dropped, the TLB debt paid. */
	CHECK_EQ(resched_calls, pages - 1);
	CHECK_EQ(stats(vm).resched_points, pages - 1);
	CHECK_EQ(resched_lock_held, 0);
	CHECK_EQ(resched_flush_missing, 0);
	CHECK_EQ(xlate(vm, 0x123000, NULL, NULL), ~0ULL);
	CHECK_EQ(stats(vm).leaves_unmapped, pages);

	/* The same zap with the points disabled never stops. */
	CHECK_EQ(map(vm, 0, pages * SZ_4K, PA_BASE, rw, PGT_PAGES_ONLY | PGT_NO_RESCHED), 0);
	resched_calls = 0;
	write_lock(&vm->lock);
	CHECK_EQ(kvm_mmu_unmap(&vm->pgt, &vm->lock, gpa(0), pages * SZ_4K, PGT_NO_RESCHED), 0);
	write_unlock(&vm->lock);
	CHECK_EQ(resched_calls, 0);
	*host_resched_word() = 0;
	host_resched_hook = NULL;
	vm_done(vm);
}

static void test_destroy_frees_all(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt);
	u64 i;

	for (i = 0; i < 64; i++)
		CHECK_EQ(map(vm, i * 3 * SZ_2M + i * SZ_4K, 5 * SZ_4K + (i % 3) * SZ_2M,
			     PA_BASE + i * SZ_4K, rw, 0),
			 0);
	CHECK_EQ(map(vm, 7 * SZ_1G, SZ_1G, 0, rw, 0), 0);
	CHECK(vm->pool->in_use > 64);
	vm_done(vm); /* checks in_use == 0 */
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(const struct pte_format *);
	} cases[] = {
		{ "map_page", test_map_page },
		{ "map_blocks", test_map_blocks },
		{ "remap_and_collapse_by_map", test_remap_and_collapse_by_map },
		{ "unmap", test_unmap },
		{ "protect", test_protect },
		{ "protect_refuses_device_exec", test_protect_refuses_device_exec },
		{ "split", test_split },
		{ "collapse", test_collapse },
		{ "bad_input_changes_nothing", test_bad_input },
		{ "shared_walks", test_shared_walks },
		{ "resched_points", test_resched_points },
		{ "destroy_frees_all", test_destroy_frees_all },
	};
	char label[96];
	unsigned int c, f;

	for (f = 0; f < ARRAY_SIZE(formats); f++) {
		for (c = 0; c < ARRAY_SIZE(cases); c++) {
			snprintf(label, sizeof(label), "pgtable %s %s", formats[f]->name,
				 cases[c].name);
			RUN_ARG(label, cases[c].fn, formats[f]);
		}
	}
	return harness_done();
}
