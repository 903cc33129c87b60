// SPDX-License-Identifier: MIT
/*
 * Differential test of the walker against a model too simple to be wrong: an
 * array with one entry per guest page of a 4 GiB window (unmapped, or host
 * page, permissions and memory type).  Random map / unmap / protect / split /
 * collapse operations (exclusive under the write lock, some shared under the
 * read lock, some with rescheduling points forced) and bad inputs go to both.
 * After each one the walker's translations over the operation's range, and a
 * few pages elsewhere, must equal the model's, leaves must sit at the levels
 * the contract implies, and an operation that failed must have left no trace.
 * Every so often the whole window is compared.
 *
 * The window is three 1G-aligned regions, so that 1G blocks fit and the table
 * indices at both ends of every level are used: the bottom 1G, 2G across the
 * boundary between the first two root entries, and the top 1G of the input
 * address space.  Operations never leave their region, so everything outside
 * the window must stay unmapped.
 *
 *	test_difftest [--ops N] [--seed S] [--format NAME] [--full-every K] [-v]
 *
 * N is per format.  K (ops between whole-window checks) is 1000, or N / 200
 * for long runs.  The same seed gives the same run; a failure prints the
 * seed, the operation number and the operation, enough to replay it.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "harness.h"
#include "host_env.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DEFAULT_OPS 5000
#else
#define DEFAULT_OPS 20000
#endif

#define FULL_CHECK_EVERY 1000		/* ops between whole-window comparisons... */
#define FULL_CHECKS_MAX 200		/* ...unless that makes more than this many */
#define POOL_PAGES 8192			/* a fully 4K-mapped window needs ~2060 tables */
#define NR_REGIONS 3
#define WINDOW_PAGES (4 * SZ_1G / SZ_4K)
#define PAGES_2M (SZ_2M / SZ_4K)
#define PAGES_1G (SZ_1G / SZ_4K)
#define NR_HOT 8

static const struct pte_format *const formats[] = {
	&pte_format_arm64_s2_4lvl,
	&pte_format_arm64_s2_3lvl,
	&pte_format_x86_npt,
	&pte_format_x86_ept,
};

/*
 * A model entry: valid bit, memory type, permissions and host page number,
 * packed so that the entry of page i + 1 of a contiguous run is entry i + 1.
 */
#define ME_VALID	BIT(63)
#define ME_PROT_SHIFT	40
#define ME_MT_SHIFT	44
#define ME_HPN_MASK	GENMASK(39, 0)
#define ME_PROT_MASK	(7ULL << ME_PROT_SHIFT)

static u64 me_make(u64 pa, struct pte_attrs a)
{
	return ME_VALID | (u64)a.memtype << ME_MT_SHIFT | (u64)a.prot << ME_PROT_SHIFT |
	       pa >> PAGE_SHIFT;
}

static u64 me_pa(u64 e)
{
	return (e & ME_HPN_MASK) << PAGE_SHIFT;
}

static unsigned int me_prot(u64 e)
{
	return (e >> ME_PROT_SHIFT) & 7;
}

static unsigned int me_mt(u64 e)
{
	return (e >> ME_MT_SHIFT) & 3;
}

struct region {
	u64 base;	/* guest-physical, 1G aligned */
	u64 pages;
	u64 first;	/* index of its first page in the model */
	u64 pa_base;	/* where "contiguous" maps put @base, so neighbours join up */
};

enum op_kind { OP_MAP, OP_UNMAP, OP_PROTECT, OP_SPLIT, OP_COLLAPSE, OP_KINDS };

/*
 * How need-resched is raised during an exclusive op: not at all, from the
 * start until a random rescheduling point clears it, or after every leaf.
 */
enum resched_mode { RESCHED_NONE, RESCHED_BURST, RESCHED_EVERY_LEAF };

struct op {
	enum op_kind kind;
	u64 addr, size, pa;
	struct pte_attrs attrs;		/* map; protect uses attrs.prot */
	unsigned int level;		/* collapse */
	unsigned int flags;
	bool no_cache;			/* exclusive walk without a cache: pool only */
	enum resched_mode resched;	/* rescheduling points asked for during the op */
	const char *bad;		/* the injected fault, or NULL */
	int want;			/* expected return */
};

/* State before an operation that must change nothing. */
struct snapshot {
	struct pgtable_stats stats;
	u64 in_use, tlb_range, tlb_all;
	unsigned int cache_nr;
};

struct coverage {
	u64 ops[OP_KINDS], shared, bad;
	u64 collapsed, collapse_busy, collapse_noent, protect_enotsup;
	u64 collapsed_1g, leaves_seen[PT_LAST_LEVEL + 1];
	u64 leaves_checked, full_checks;
};

struct difftest {
	const struct pte_format *fmt;
	struct host_vm *vm;
	u64 *model;
	struct region reg[NR_REGIONS];
	u64 ia_end, oa_end;
	/* Separate streams: how often the window is checked must not change the operations. */
	u64 seed, rng, resched_rng, probe_rng, op_nr;
	const struct op *cur;		/* for the failure report... */
	const char *phase;		/* ...or what is checked when no op runs */
	bool failed;
	struct pte_attrs valid[MT_COUNT * 8], invalid[MT_COUNT * 8];
	unsigned int nr_valid, nr_invalid;
	u64 hot[NR_HOT];		/* recent addresses, so operations meet each other */
	unsigned int hot_next;
	enum resched_mode resched_mode;
	u64 resched_calls, resched_locked;
	struct op story[4];		/* queued operations that build a collapsible 1G */
	unsigned int story_len, story_next;
	struct coverage cov;
};

static const struct pte_attrs rw = { PROT_R | PROT_W, MT_NORMAL };
static const char *const op_names[OP_KINDS] = { "map", "unmap", "protect", "split", "collapse" };

/* ---- random numbers (splitmix64: tiny, and good enough as a stream) ---- */

static u64 splitmix64(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 rnd(struct difftest *t)
{
	return splitmix64(&t->rng);
}

static u64 rnd_below(struct difftest *t, u64 n)
{
	return rnd(t) % n;
}

static bool chance(struct difftest *t, unsigned int percent)
{
	return rnd_below(t, 100) < percent;
}

/* ---- failure report ---- */

static void op_print(const struct op *op)
{
	printf("%s gpa 0x%llx size 0x%llx", op_names[op->kind], (unsigned long long)op->addr,
	       (unsigned long long)op->size);
	if (op->kind == OP_MAP)
		printf(" pa 0x%llx prot 0x%x mt %u", (unsigned long long)op->pa, op->attrs.prot,
		       op->attrs.memtype);
	if (op->kind == OP_PROTECT)
		printf(" prot 0x%x", op->attrs.prot);
	if (op->kind == OP_COLLAPSE)
		printf(" level %u", op->level);
	if (op->flags & PGT_SHARED)
		printf(" shared");
	if (op->flags & PGT_PAGES_ONLY)
		printf(" pages-only");
	if (op->no_cache)
		printf(" no-cache");
	if (op->resched)
		printf(" resched(%s)", op->resched == RESCHED_BURST ? "burst" : "every leaf");
	if (op->bad)
		printf(" [bad input: %s]", op->bad);
}

/* Report the first mismatch of this format's run; the run stops after it. */
static bool __attribute__((format(printf, 2, 3))) fail(struct difftest *t, const char *fmt, ...)
{
	va_list ap;

	if (t->failed)
		return false;
	t->failed = true;
	printf("    seed %llu, op %llu: ", (unsigned long long)t->seed,
	       (unsigned long long)t->op_nr);
	if (t->cur)
		op_print(t->cur);
	else
		printf("%s", t->phase);
	printf("\n    ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n    replay: test_difftest --seed %llu --ops %llu --format %s\n",
	       (unsigned long long)t->seed, (unsigned long long)t->op_nr, t->fmt->name);
	return false;
}

static void expected_str(u64 e, char *buf, size_t len)
{
	if (e & ME_VALID)
		snprintf(buf, len, "pa 0x%llx prot 0x%x mt %u", (unsigned long long)me_pa(e),
			 me_prot(e), me_mt(e));
	else
		snprintf(buf, len, "unmapped");
}

/* ---- the model ---- */

static u64 *model_slot(struct difftest *t, u64 addr)
{
	unsigned int i;

	for (i = 0; i < NR_REGIONS; i++) {
		const struct region *r = &t->reg[i];

		if (addr - r->base < r->pages << PAGE_SHIFT)
			return &t->model[r->first + ((addr - r->base) >> PAGE_SHIFT)];
	}
	return NULL;
}

static struct region *region_of(struct difftest *t, u64 addr)
{
	unsigned int i;

	for (i = 0; i < NR_REGIONS; i++)
		if (addr - t->reg[i].base < t->reg[i].pages << PAGE_SHIFT)
			return &t->reg[i];
	return NULL;
}

/* @n entries from @slot: all mapped, one run of host pages aligned to @size, one set of attrs. */
static bool model_uniform(const u64 *slot, u64 n, u64 size)
{
	u64 i;

	if (!(slot[0] & ME_VALID) || (me_pa(slot[0]) & (size - 1)))
		return false;
	for (i = 1; i < n; i++)
		if (slot[i] != slot[0] + i)
			return false;
	return true;
}

static void model_apply(struct difftest *t, const struct op *op)
{
	u64 *slot = model_slot(t, op->addr), n = op->size >> PAGE_SHIFT, e, i;

	switch (op->kind) {
	case OP_MAP:
		e = me_make(op->pa, op->attrs);
		for (i = 0; i < n; i++)
			slot[i] = e + i;
		break;
	case OP_UNMAP:
		memset(slot, 0, n * sizeof(*slot));
		break;
	case OP_PROTECT:
		for (i = 0; i < n; i++)
			if (slot[i] & ME_VALID)
				slot[i] = (slot[i] & ~ME_PROT_MASK) |
					  (u64)op->attrs.prot << ME_PROT_SHIFT;
		break;
	default:
		break;		/* split and collapse change no translation */
	}
}

/* The memory types mapped somewhere in the operation's range, one bit each. */
static unsigned int model_memtypes(struct difftest *t, const struct op *op)
{
	u64 *slot = model_slot(t, op->addr), n = op->size >> PAGE_SHIFT, i;
	unsigned int mask = 0;

	for (i = 0; i < n; i++)
		if (slot[i] & ME_VALID)
			mask |= 1U << me_mt(slot[i]);
	return mask;
}

/*
 * Is there a table at @level for @addr?  The model cannot say: partial unmaps
 * leave empty tables behind, so collapse's -EBUSY / -ENOENT over an unmapped
 * region depends on the shape of the tree.  Read the raw entries.
 */
static bool raw_table_at(struct difftest *t, u64 addr, unsigned int level)
{
	const struct pte_format *fmt = t->fmt;
	u64 *table = t->vm->pgt.root, pte;
	unsigned int lvl;

	for (lvl = pt_start_level(fmt);; lvl++) {
		pte = READ_ONCE(table[pt_index(addr, lvl)]);
		if (!fmt->is_table(pte, lvl))
			return false;
		if (lvl == level)
			return true;
		table = host_mmu_ops.phys_to_virt(fmt->output_addr(pte));
	}
}

/* ---- checking the walker against the model ---- */

static bool level_allowed(const struct pte_format *fmt, unsigned int level)
{
	return level >= pt_start_level(fmt) && level <= PT_LAST_LEVEL &&
	       (level == PT_LAST_LEVEL || (fmt->block_levels & BIT(level)));
}

/* The level a map must use at @addr: the largest block inside the range with pa aligned. */
static unsigned int map_level(const struct difftest *t, const struct op *op, u64 addr)
{
	unsigned int level;

	if (op->flags & PGT_PAGES_ONLY)
		return PT_LAST_LEVEL;
	for (level = pt_start_level(t->fmt); level < PT_LAST_LEVEL; level++) {
		u64 size = pt_level_size(level), base = addr & ~(size - 1);

		if ((t->fmt->block_levels & BIT(level)) && base >= op->addr &&
		    base + size <= op->addr + op->size && !((op->pa - op->addr) & (size - 1)))
			return level;
	}
	return PT_LAST_LEVEL;
}

/* The leaf level @op must have left at @addr inside its range, 0 when any plausible one will do. */
static unsigned int want_level(const struct difftest *t, const struct op *op, u64 addr)
{
	if (!op || op->want || addr - op->addr >= op->size)
		return 0;
	switch (op->kind) {
	case OP_MAP:
		return map_level(t, op, addr);
	case OP_SPLIT:
		return PT_LAST_LEVEL;
	case OP_COLLAPSE:
		return op->level;
	default:
		return 0;
	}
}

/*
 * The rest of a block, from @addr (checked) to @end, against the model in one
 * go: one aligned run of host pages with one set of attributes, as a block
 * may only be used where the model has that.  The caller checks the whole
 * block when it checks the whole window, and only its own range otherwise,
 * so that a probe inside a 1G block does not cost 262144 comparisons.
 */
static bool check_block(struct difftest *t, u64 addr, u64 e, unsigned int level, u64 end)
{
	u64 size = pt_level_size(level), base = addr & ~(size - 1), *slot = model_slot(t, base);
	u64 first = e - ((addr - base) >> PAGE_SHIFT), i, n;

	if (end > base + size)
		end = base + size;
	n = (end - base) >> PAGE_SHIFT;
	if ((first ^ e) & ~ME_HPN_MASK || me_pa(first) & (size - 1))
		return fail(t, "gpa 0x%llx: a level %u block whose output 0x%llx is not aligned",
			    (unsigned long long)addr, level, (unsigned long long)me_pa(first));
	for (i = (addr - base) >> PAGE_SHIFT; i < n; i++) {
		if (slot[i] != first + i) {
			char exp[64];

			expected_str(slot[i], exp, sizeof(exp));
			return fail(t, "gpa 0x%llx: inside a level %u block at 0x%llx mapping "
				    "0x%llx, where the model has %s",
				    (unsigned long long)(base + (i << PAGE_SHIFT)), level,
				    (unsigned long long)base, (unsigned long long)me_pa(first),
				    exp);
		}
	}
	t->cov.leaves_checked += n - 1 - ((addr - base) >> PAGE_SHIFT);
	return true;
}

static bool page_mismatch(struct difftest *t, u64 addr, u64 e, int ret, u64 pa,
			  struct pte_attrs a, unsigned int level, unsigned int want)
{
	char exp[64];

	expected_str(e, exp, sizeof(exp));
	if (ret)
		return fail(t, "gpa 0x%llx: expected %s, got error %d", (unsigned long long)addr,
			    exp, ret);
	if (!(e & ME_VALID) || pa != me_pa(e) || a.prot != me_prot(e) || a.memtype != me_mt(e))
		return fail(t, "gpa 0x%llx: expected %s, got pa 0x%llx prot 0x%x mt %u (level %u)",
			    (unsigned long long)addr, exp, (unsigned long long)pa, a.prot,
			    a.memtype, level);
	if (want)
		return fail(t, "gpa 0x%llx: %s as expected, but at level %u instead of %u",
			    (unsigned long long)addr, exp, level, want);
	return fail(t, "gpa 0x%llx: %s as expected, but at level %u, where no leaf may be",
		    (unsigned long long)addr, exp, level);
}

/*
 * Compare the translation of page @addr (at an offset inside it) with the
 * model, and of the rest of its block up to @end; *next is the first page
 * after what was checked.
 */
static bool check_page(struct difftest *t, u64 addr, u64 end, const struct op *op, u64 *next)
{
	u64 *slot = model_slot(t, addr), e = slot ? *slot : 0;
	u64 off = ((addr >> PAGE_SHIFT) * 0x238) & (PAGE_SIZE - 8);
	unsigned int level = 0, want = want_level(t, op, addr);
	struct pte_attrs a = { 0, 0 };
	hpa_t pa = hpa(0);
	int ret;

	*next = addr + PAGE_SIZE;
	t->cov.leaves_checked++;
	ret = pgtable_translate(&t->vm->pgt, gpa(addr + off), &pa, &a, &level);
	if (ret == -ENOENT && !(e & ME_VALID))
		return true;
	if (ret || !(e & ME_VALID) || pa.val != me_pa(e) + off || a.prot != me_prot(e) ||
	    a.memtype != me_mt(e) || !level_allowed(t->fmt, level) || (want && level != want))
		return page_mismatch(t, addr, e, ret, pa.val - off, a, level, want);
	t->cov.leaves_seen[level]++;
	if (level < PT_LAST_LEVEL) {
		if (!check_block(t, addr, e, level, end))
			return false;
		*next = (addr & ~(pt_level_size(level) - 1)) + pt_level_size(level);
	}
	return true;
}

static bool check_range(struct difftest *t, u64 addr, u64 size, const struct op *op)
{
	u64 end = addr + size, next;

	while (addr < end) {
		if (!check_page(t, addr, end, op, &next))
			return false;
		addr = next;
	}
	return true;
}

static bool check_window_page(struct difftest *t, u64 addr, const struct op *op)
{
	u64 next;

	addr &= ~(PAGE_SIZE - 1);
	if (!model_slot(t, addr))
		return true;
	return check_page(t, addr, addr + PAGE_SIZE, op, &next);
}

static u64 random_window_page(struct difftest *t)
{
	const struct region *r = &t->reg[rnd_below(t, NR_REGIONS)];

	return r->base + (rnd_below(t, r->pages) << PAGE_SHIFT);
}

/* Everything: the window page by page, and probes outside it (unmapped, or beyond ia_bits). */
static bool check_window(struct difftest *t)
{
	unsigned int i;
	hpa_t pa;

	t->cov.full_checks++;
	for (i = 0; i < NR_REGIONS; i++)
		if (!check_range(t, t->reg[i].base, t->reg[i].pages << PAGE_SHIFT, NULL))
			return false;
	for (i = 0; i < 64; i++) {
		u64 addr = splitmix64(&t->probe_rng) % t->ia_end & ~(PAGE_SIZE - 1);
		int ret;

		if (model_slot(t, addr))
			continue;
		ret = pgtable_translate(&t->vm->pgt, gpa(addr), &pa, NULL, NULL);
		if (ret != -ENOENT)
			return fail(t, "gpa 0x%llx outside the window: expected unmapped, got %d",
				    (unsigned long long)addr, ret);
		addr = t->ia_end + (splitmix64(&t->probe_rng) >> (64 - t->fmt->ia_bits));
		ret = pgtable_translate(&t->vm->pgt, gpa(addr), &pa, NULL, NULL);
		if (ret != -ERANGE)
			return fail(t, "gpa 0x%llx beyond ia_bits: expected %d, got %d",
				    (unsigned long long)addr, -ERANGE, ret);
	}
	return true;
}

static void snapshot_take(struct difftest *t, struct snapshot *s)
{
	pgtable_get_stats(&t->vm->pgt, &s->stats);
	s->in_use = t->vm->pool->in_use;
	s->tlb_range = host_tlb_range_flushes;
	s->tlb_all = host_tlb_all_flushes;
	s->cache_nr = t->vm->cache.nr;
}

/* An operation that failed (or had nothing to do) left no trace: no entry, page or flush. */
static bool check_unchanged(struct difftest *t, const struct snapshot *before)
{
	struct snapshot now;

	snapshot_take(t, &now);
	if (memcmp(&now.stats, &before->stats, sizeof(now.stats)))
		return fail(t, "returned %d but the walker's counters moved (tables +%lld, "
			    "leaves +%lld, splits +%lld, tlb flushes +%lld)", t->cur->want,
			    (long long)(now.stats.tables_allocated -
					before->stats.tables_allocated),
			    (long long)(now.stats.pages_mapped + now.stats.blocks_mapped -
					before->stats.pages_mapped - before->stats.blocks_mapped),
			    (long long)(now.stats.splits - before->stats.splits),
			    (long long)(now.stats.tlb_flushes - before->stats.tlb_flushes));
	if (now.in_use != before->in_use || now.tlb_range != before->tlb_range ||
	    now.tlb_all != before->tlb_all || now.cache_nr != before->cache_nr)
		return fail(t, "returned %d but pool pages %llu -> %llu, tlb flushes %llu -> %llu, "
			    "cache %u -> %u", t->cur->want, (unsigned long long)before->in_use,
			    (unsigned long long)now.in_use,
			    (unsigned long long)(before->tlb_range + before->tlb_all),
			    (unsigned long long)(now.tlb_range + now.tlb_all), before->cache_nr,
			    now.cache_nr);
	return true;
}

/* The region holding @*p; when it fell off a region's end, the nearest one, @*p clamped. */
static struct region *nearest_region(struct difftest *t, u64 *p)
{
	struct region *best = NULL;
	u64 best_dist = ~0ULL, dist, end;
	unsigned int i;

	for (i = 0; i < NR_REGIONS; i++) {
		struct region *r = &t->reg[i];

		end = r->base + (r->pages << PAGE_SHIFT);
		dist = *p < r->base ? r->base - *p : *p >= end ? *p - end + PAGE_SIZE : 0;
		if (dist < best_dist) {
			best = r;
			best_dist = dist;
		}
	}
	end = best->base + (best->pages << PAGE_SHIFT);
	if (*p < best->base)
		*p = best->base;
	else if (*p >= end)
		*p = end - PAGE_SIZE;
	return best;
}

/* ---- rescheduling points ---- */

static struct difftest *resched_test;

static void resched_begin(struct difftest *t, enum resched_mode mode)
{
	t->resched_mode = mode;
	*host_resched_word() = mode != RESCHED_NONE;
}

/*
 * The walker let go of the CPU: it must have dropped the lock.  Pass a
 * quiescent state, as the scheduler would, and end a burst at random.
 */
static void difftest_resched(void)
{
	struct difftest *t = resched_test;

	if (!t)
		return;
	t->resched_calls++;
	if (__atomic_load_n(&t->vm->lock.writer, __ATOMIC_RELAXED))
		t->resched_locked++;
	rcu_quiescent(&t->vm->rcu, host_cpu());
	if (t->resched_mode == RESCHED_BURST && !(splitmix64(&t->resched_rng) & 7))
		*host_resched_word() = 0;
}

/* ---- generating operations ---- */

static void note_hot(struct difftest *t, u64 addr)
{
	t->hot[t->hot_next++ % NR_HOT] = addr;
}

/*
 * A range inside one region: mostly 1-64 pages, often 2M..8M 2M-aligned,
 * sometimes up to 6M anywhere (crossing tables), rarely a whole 1G.  Start
 * near a recent address half of the time and across a 2M or 1G boundary
 * some of the time, so operations overlap and cross tables.
 */
static void pick_range(struct difftest *t, struct op *op, u64 max_pages)
{
	u64 pages, align = 1, p, idx;
	unsigned int c = rnd_below(t, 1000);
	struct region *r;

	if (c < 550) {
		pages = 1 + rnd_below(t, 64);
	} else if (c < 850) {
		pages = (1 + rnd_below(t, 4)) * PAGES_2M;
		align = PAGES_2M;
	} else if (c < 996) {
		pages = 1 + rnd_below(t, 3 * PAGES_2M);
	} else {
		pages = PAGES_1G;
		align = PAGES_1G;
	}
	if (pages > max_pages) {
		pages = max_pages;
		align = 1;
	}

	c = rnd_below(t, 100);
	if (c < 50) {
		p = t->hot[rnd_below(t, NR_HOT)] + (rnd_below(t, 2048) << PAGE_SHIFT) - 2 * SZ_2M;
	} else if (c < 62) {
		u64 b = chance(t, 25) ? SZ_1G : SZ_2M;

		r = &t->reg[rnd_below(t, NR_REGIONS)];
		p = r->base + rnd_below(t, (r->pages << PAGE_SHIFT) / b) * b;
		p -= rnd_below(t, pages) << PAGE_SHIFT;
	} else {
		p = random_window_page(t);
	}
	r = nearest_region(t, &p);
	idx = ((p - r->base) >> PAGE_SHIFT) & ~(align - 1);
	if (idx + pages > r->pages)
		idx = r->pages - pages;
	op->addr = r->base + (idx << PAGE_SHIFT);
	op->size = pages << PAGE_SHIFT;
}

static struct pte_attrs pick_attrs(struct difftest *t)
{
	/* One common set half of the time, so neighbouring maps can be collapsed. */
	return chance(t, 50) ? rw : t->valid[rnd_below(t, t->nr_valid)];
}

/*
 * Output address: contiguous with the region's other "contiguous" maps (any
 * block fits), or elsewhere with the same offset in 1G (any block fits), the
 * same in 2M only, no block at all, or right at the top of the output
 * address space.
 */
static u64 pick_pa(struct difftest *t, const struct op *op)
{
	const struct region *r = region_of(t, op->addr);
	u64 off = op->addr & (SZ_1G - 1), base, top = t->oa_end;
	unsigned int c = rnd_below(t, 100);

	if (c < 40)
		return r->pa_base + (op->addr - r->base);
	if (c < 45)
		return top - op->size - (rnd_below(t, 3) << PAGE_SHIFT);
	if (top > 1ULL << 46)
		top = 1ULL << 46;	/* keeps room below; the top is tried above */
	base = rnd_below(t, top / SZ_1G - 4) * SZ_1G;
	if (c < 65)
		return base + off;
	if (c < 82)
		return base + off + (1 + rnd_below(t, 511)) * SZ_2M;
	return base + off + (1 + rnd_below(t, 511)) * SZ_4K;
}

static void gen_map(struct difftest *t, struct op *op, bool shared)
{
	op->kind = OP_MAP;
	/* Shared maps stay within 2M, so a full cache always suffices: any error is a bug. */
	pick_range(t, op, shared ? PAGES_2M : PAGES_1G);
	op->pa = pick_pa(t, op);
	op->attrs = pick_attrs(t);
	op->flags = (shared ? PGT_SHARED : 0) | (chance(t, 20) ? PGT_PAGES_ONLY : 0);
	op->no_cache = !shared && chance(t, 25);
}

static void gen_protect(struct difftest *t, struct op *op, bool shared)
{
	static const u8 usual[] = { PROT_R, PROT_R | PROT_W, PROT_R | PROT_X, PROT_RWX };

	op->kind = OP_PROTECT;
	pick_range(t, op, shared ? PAGES_2M : PAGES_1G);
	/* Any of 1..7 half of the time: some do not go with every memory type. */
	op->attrs.prot = chance(t, 50) ? usual[rnd_below(t, 4)] : 1 + rnd_below(t, 7);
	op->flags = shared ? PGT_SHARED : 0;
	op->no_cache = !shared && chance(t, 25);
}

static void gen_split(struct difftest *t, struct op *op, bool shared)
{
	op->kind = OP_SPLIT;
	pick_range(t, op, shared ? PAGES_2M : PAGES_1G);
	op->flags = shared ? PGT_SHARED : 0;
	op->no_cache = !shared && chance(t, 25);
}

static void gen_collapse(struct difftest *t, struct op *op)
{
	u64 addr;

	op->kind = OP_COLLAPSE;
	op->level = chance(t, 25) ? 1 : 2;
	op->size = pt_level_size(op->level);
	addr = chance(t, 60) ? t->hot[rnd_below(t, NR_HOT)] : random_window_page(t);
	op->addr = addr & ~(op->size - 1);	/* regions are 1G aligned: still inside */
}

/* Expected result of a valid operation, from the model (and the tree's shape for collapse). */
static int expect(struct difftest *t, const struct op *op)
{
	unsigned int mask, mt;

	switch (op->kind) {
	case OP_PROTECT:
		mask = model_memtypes(t, op);
		for (mt = 0; mt < MT_COUNT; mt++)
			if ((mask & (1U << mt)) &&
			    t->fmt->check_attrs((struct pte_attrs){ op->attrs.prot, mt }))
				return -ENOTSUP;
		return 0;
	case OP_COLLAPSE:
		if (!raw_table_at(t, op->addr, op->level))
			return -ENOENT;
		return model_uniform(model_slot(t, op->addr), op->size >> PAGE_SHIFT, op->size) ?
		       0 : -EBUSY;
	default:
		return 0;
	}
}

/* Bad inputs: one fault at a time on an otherwise valid operation, so the code is exact. */
static void gen_bad(struct difftest *t, struct op *op)
{
	u64 k;

	switch (rnd_below(t, 5)) {
	case 0:
		gen_map(t, op, chance(t, 30));
		break;
	case 1:
		op->kind = OP_UNMAP;
		pick_range(t, op, PAGES_1G);
		break;
	case 2:
		gen_protect(t, op, false);
		break;
	case 3:
		gen_split(t, op, false);
		break;
	default:
		gen_collapse(t, op);
		switch (rnd_below(t, 4)) {
		case 0:
			op->addr += (1 + rnd_below(t, (op->size >> PAGE_SHIFT) - 1)) << PAGE_SHIFT;
			op->bad = "collapse address not aligned to the level";
			op->want = -EINVAL;
			break;
		case 1: {
			static const unsigned int levels[] = { 0, 3, 4, 7, 255 };

			op->level = levels[rnd_below(t, ARRAY_SIZE(levels))];
			op->bad = "collapse level";
			op->want = -EINVAL;
			break;
		}
		case 2:
			op->flags = PGT_SHARED;
			op->bad = "shared collapse";
			op->want = -EINVAL;
			break;
		default:
			op->addr = t->ia_end + rnd_below(t, (1ULL << 62) / op->size) * op->size;
			op->bad = "collapse beyond ia_bits";
			op->want = -ERANGE;
			break;
		}
		return;
	}

	switch (rnd_below(t, op->kind == OP_UNMAP || op->kind == OP_PROTECT ? 7 : 6)) {
	case 0:
		op->addr += 1 + rnd_below(t, PAGE_SIZE - 1);
		op->bad = "unaligned address";
		op->want = -EINVAL;
		break;
	case 1:
		op->size = chance(t, 50) ? 1 + rnd_below(t, PAGE_SIZE - 1) :
					   op->size + 1 + rnd_below(t, PAGE_SIZE - 1);
		op->bad = "unaligned size";
		op->want = -EINVAL;
		break;
	case 2:
		op->size = 0;
		op->bad = "zero size";
		op->want = -EINVAL;
		break;
	case 3:
		k = 1 + rnd_below(t, 16);
		op->addr = -(k << PAGE_SHIFT);
		op->size = (k + 1 + rnd_below(t, 16)) << PAGE_SHIFT;
		op->bad = "range wraps";
		op->want = -EINVAL;
		break;
	case 4:
		if (chance(t, 50)) {
			/* Often by exactly one page: off-by-one checks live there. */
			k = chance(t, 50) ? (op->size >> PAGE_SHIFT) - 1 :
					    rnd_below(t, op->size >> PAGE_SHIFT);
			op->addr = t->ia_end - (k << PAGE_SHIFT);
			op->bad = "range ends beyond ia_bits";
		} else {
			op->addr = t->ia_end +
				   (rnd_below(t, (1ULL << 62) >> PAGE_SHIFT) << PAGE_SHIFT);
			op->bad = "range starts beyond ia_bits";
		}
		op->want = -ERANGE;
		break;
	case 5:
		/* A fault of the operation's own arguments. */
		if (op->kind == OP_MAP) {
			switch (rnd_below(t, 6)) {
			case 0:
				op->pa += 1 + rnd_below(t, PAGE_SIZE - 1);
				op->bad = "unaligned pa";
				op->want = -EINVAL;
				return;
			case 1:
				k = chance(t, 50) ? (op->size >> PAGE_SHIFT) - 1 :
						    rnd_below(t, op->size >> PAGE_SHIFT);
				op->pa = chance(t, 70) ? t->oa_end - (k << PAGE_SHIFT) :
							 -(1 + k) << PAGE_SHIFT;
				op->bad = "pa range beyond oa_bits";
				op->want = -ERANGE;
				return;
			case 2:
				op->attrs.prot = chance(t, 50) ? 0 : (1 + rnd_below(t, 7)) |
								     (8 << rnd_below(t, 5));
				op->bad = "prot 0 or unknown bits";
				break;
			case 3:
				op->attrs.memtype = MT_COUNT + rnd_below(t, 256 - MT_COUNT);
				op->bad = "memtype out of range";
				break;
			default:
				op->attrs = t->invalid[rnd_below(t, t->nr_invalid)];
				op->bad = "prot the memtype cannot have";
				break;
			}
			op->want = -ENOTSUP;
		} else if (op->kind == OP_PROTECT) {
			op->attrs.prot = chance(t, 50) ? 0 : (1 + rnd_below(t, 7)) |
							     (8 << rnd_below(t, 5));
			op->bad = "protect with prot 0 or unknown bits";
			op->want = -ENOTSUP;
		} else {
			op->addr += 1 + rnd_below(t, PAGE_SIZE - 1);
			op->bad = "unaligned address";
			op->want = -EINVAL;
		}
		break;
	default:
		if (op->kind == OP_UNMAP) {
			op->flags = PGT_SHARED;
			op->bad = "shared unmap";
			op->want = -EINVAL;
		} else {
			op->flags = PGT_SHARED;
			op->attrs.prot = 0;
			op->bad = "shared protect with prot 0";
			op->want = -ENOTSUP;
		}
		break;
	}
}

/* Another permission the memory type of @a can have, or a.prot when there is none. */
static u8 other_prot(struct difftest *t, struct pte_attrs a)
{
	unsigned int i, n = 0;
	u8 cand[8];

	for (i = 0; i < t->nr_valid; i++)
		if (t->valid[i].memtype == a.memtype && t->valid[i].prot != a.prot)
			cand[n++] = t->valid[i].prot;
	return n ? cand[rnd_below(t, n)] : a.prot;
}

/*
 * A 1G collapse needs 262144 pages in one aligned run with one set of
 * attributes under a table, which random operations almost never build.
 * Queue a short story that does: map a whole 1G (as a block, or pages only,
 * or with pa aligned to 2M only), disturb its shape (split part of it, or
 * change the permissions of part and change them back), then collapse at
 * level 1 or at level 2 inside the disturbed part.  The results are still
 * predicted from the model like any other operation's.
 */
static void gen_story(struct difftest *t)
{
	const struct region *r = &t->reg[rnd_below(t, NR_REGIONS)];
	u64 base = r->base + rnd_below(t, r->pages / PAGES_1G) * SZ_1G, pages;
	struct op *q = t->story;

	memset(t->story, 0, sizeof(t->story));
	q->kind = OP_MAP;
	q->addr = base;
	q->size = SZ_1G;
	q->pa = r->pa_base + (base - r->base);
	if (chance(t, 20))
		q->pa += (1 + rnd_below(t, 511)) * SZ_2M;
	q->attrs = pick_attrs(t);
	q->flags = chance(t, 15) ? PGT_PAGES_ONLY : 0;
	q++;

	pages = 1 + rnd_below(t, 3 * PAGES_2M);
	q->kind = chance(t, 50) ? OP_SPLIT : OP_PROTECT;
	q->addr = base + (rnd_below(t, PAGES_1G - pages) << PAGE_SHIFT);
	q->size = pages << PAGE_SHIFT;
	q->attrs.prot = other_prot(t, t->story[0].attrs);
	if (q->kind == OP_PROTECT) {
		q[1] = q[0];
		q++;
		q->attrs.prot = t->story[0].attrs.prot;
	}
	q++;

	q->kind = OP_COLLAPSE;
	q->level = chance(t, 70) ? 1 : 2;
	q->size = pt_level_size(q->level);
	q->addr = q->level == 1 ? base : (q[-1].addr & ~(SZ_2M - 1));
	q++;
	t->story_len = q - t->story;
	t->story_next = 0;
}

static void gen_op(struct difftest *t, struct op *op)
{
	unsigned int c = rnd_below(t, 1000);

	memset(op, 0, sizeof(*op));
	if (t->story_next == t->story_len && c < 5)
		gen_story(t);
	if (t->story_next < t->story_len) {
		*op = t->story[t->story_next++];
	} else if (c < 330) {
		gen_map(t, op, false);
	} else if (c < 430) {
		gen_map(t, op, true);
	} else if (c < 630) {
		op->kind = OP_UNMAP;
		pick_range(t, op, PAGES_1G);
	} else if (c < 750) {
		gen_protect(t, op, chance(t, 20));
	} else if (c < 820) {
		gen_split(t, op, chance(t, 20));
	} else if (c < 940) {
		gen_collapse(t, op);
	} else {
		gen_bad(t, op);
	}
	if (!op->bad)
		op->want = expect(t, op);
	if (!(op->flags & PGT_SHARED) && chance(t, 25))
		op->resched = chance(t, 20) ? RESCHED_EVERY_LEAF : RESCHED_BURST;
}

/* ---- running one operation ---- */

static int op_call(struct difftest *t, const struct op *op)
{
	struct host_vm *vm = t->vm;
	struct pgtable *pgt = &vm->pgt;
	struct mmu_page_cache *cache = op->no_cache ? NULL : &vm->cache;

	switch (op->kind) {
	case OP_MAP:
		return pgtable_map(pgt, gpa(op->addr), op->size, hpa(op->pa), op->attrs, cache,
				   op->flags);
	case OP_UNMAP:
		return pgtable_unmap(pgt, gpa(op->addr), op->size, op->flags);
	case OP_PROTECT:
		return pgtable_protect(pgt, gpa(op->addr), op->size, op->attrs.prot, cache,
				       op->flags);
	case OP_SPLIT:
		return pgtable_split(pgt, gpa(op->addr), op->size, cache, op->flags);
	default:
		return pgtable_collapse(pgt, gpa(op->addr), op->level, op->flags);
	}
}

/* As the hypervisor does: shared walks under the read lock, exclusive ones under the write lock. */
static int op_run(struct difftest *t, const struct op *op)
{
	struct host_vm *vm = t->vm;
	int ret;

	if (op->flags & PGT_SHARED) {
		read_lock(&vm->lock);
		ret = op_call(t, op);
		read_unlock(&vm->lock);
		return ret;
	}
	resched_begin(t, op->resched);
	write_lock(&vm->lock);
	ret = op_call(t, op);
	write_unlock(&vm->lock);
	resched_begin(t, RESCHED_NONE);
	return ret;
}

static void count_op(struct difftest *t, const struct op *op)
{
	t->cov.ops[op->kind]++;
	t->cov.shared += !!(op->flags & PGT_SHARED);
	t->cov.bad += !!op->bad;
	if (op->bad)
		return;
	if (op->kind == OP_COLLAPSE) {
		t->cov.collapsed += op->want == 0;
		t->cov.collapsed_1g += op->want == 0 && op->level == 1;
		t->cov.collapse_busy += op->want == -EBUSY;
		t->cov.collapse_noent += op->want == -ENOENT;
	}
	t->cov.protect_enotsup += op->kind == OP_PROTECT && op->want == -ENOTSUP;
}

static bool do_op(struct difftest *t, const struct op *op)
{
	bool in_window = model_slot(t, op->addr) != NULL;
	struct snapshot before;
	unsigned int i;
	int ret;

	/* A fault handler fills its cache before a shared walk; full, it cannot run dry. */
	if ((op->flags & PGT_SHARED) &&
	    mmu_cache_topup(&t->vm->cache, t->vm->pool, MMU_CACHE_CAPACITY))
		return fail(t, "cannot top the cache up: pool exhausted");
	if (op->want)
		snapshot_take(t, &before);
	ret = op_run(t, op);
	if (ret != op->want)
		return fail(t, "returned %d, expected %d", ret, op->want);
	if (op->flags & PGT_SHARED)
		rcu_quiescent(&t->vm->rcu, host_cpu());
	count_op(t, op);

	if (op->want) {
		if (!check_unchanged(t, &before))
			return false;
		/* Untouched: a sample of the range is enough on top of the counters. */
		if (in_window && op->size >= PAGE_SIZE && !(op->addr & (PAGE_SIZE - 1))) {
			u64 pages = op->size >> PAGE_SHIFT, addr;

			for (i = 0; i < 8; i++) {
				addr = op->addr + (rnd_below(t, pages) << PAGE_SHIFT);
				if (!check_window_page(t, addr, op))
					return false;
			}
		}
	} else {
		model_apply(t, op);
		if (!check_range(t, op->addr, op->size, op))
			return false;
		note_hot(t, op->addr + (rnd_below(t, op->size >> PAGE_SHIFT) << PAGE_SHIFT));
	}
	if (in_window && !check_window_page(t, op->addr - PAGE_SIZE, NULL))
		return false;
	if (in_window && !check_window_page(t, (op->addr + op->size) & ~(PAGE_SIZE - 1), NULL))
		return false;
	for (i = 0; i < 4; i++)
		if (!check_window_page(t, random_window_page(t), NULL))
			return false;
	return true;
}

/* ---- one format ---- */

static void setup(struct difftest *t, const struct pte_format *fmt, unsigned int idx, u64 seed)
{
	u64 mid, s;
	unsigned int prot, mt, i;

	memset(t, 0, sizeof(*t));
	t->fmt = fmt;
	t->seed = seed;
	s = seed ^ (0x5851f42d4c957f2dULL * (idx + 1));
	t->rng = splitmix64(&s);
	t->resched_rng = splitmix64(&s);
	t->probe_rng = splitmix64(&s);
	t->ia_end = 1ULL << fmt->ia_bits;
	t->oa_end = 1ULL << fmt->oa_bits;

	/* The boundary between the first two root entries (4 levels), the middle (3 levels). */
	mid = fmt->levels == 4 ? pt_level_size(0) : t->ia_end / 2;
	t->reg[0] = (struct region){ 0, PAGES_1G, 0, 16 * SZ_1G };
	t->reg[1] = (struct region){ mid - SZ_1G, 2 * PAGES_1G, PAGES_1G, 32 * SZ_1G };
	t->reg[2] = (struct region){ t->ia_end - SZ_1G, PAGES_1G, 3 * PAGES_1G, 48 * SZ_1G };
	for (i = 0; i < NR_HOT; i++)
		t->hot[i] = random_window_page(t);

	for (mt = 0; mt < MT_COUNT; mt++) {
		for (prot = 1; prot <= PROT_RWX; prot++) {
			struct pte_attrs a = { (u8)prot, (u8)mt };

			if (fmt->check_attrs(a))
				t->invalid[t->nr_invalid++] = a;
			else
				t->valid[t->nr_valid++] = a;
		}
	}
}

static void print_coverage(struct difftest *t)
{
	struct pgtable_stats s;

	pgtable_get_stats(&t->vm->pgt, &s);
	printf("    ops: map %llu unmap %llu protect %llu split %llu collapse %llu "
	       "(shared %llu, bad input %llu)\n",
	       (unsigned long long)t->cov.ops[OP_MAP], (unsigned long long)t->cov.ops[OP_UNMAP],
	       (unsigned long long)t->cov.ops[OP_PROTECT], (unsigned long long)t->cov.ops[OP_SPLIT],
	       (unsigned long long)t->cov.ops[OP_COLLAPSE], (unsigned long long)t->cov.shared,
	       (unsigned long long)t->cov.bad);
	printf("    collapse ok %llu (1G %llu) / -EBUSY %llu / -ENOENT %llu; "
	       "protect -ENOTSUP %llu; leaves seen at level 1/2/3: %llu/%llu/%llu\n",
	       (unsigned long long)t->cov.collapsed, (unsigned long long)t->cov.collapsed_1g,
	       (unsigned long long)t->cov.collapse_busy, (unsigned long long)t->cov.collapse_noent,
	       (unsigned long long)t->cov.protect_enotsup,
	       (unsigned long long)t->cov.leaves_seen[1], (unsigned long long)t->cov.leaves_seen[2],
	       (unsigned long long)t->cov.leaves_seen[3]);
	printf("    walker: pages %llu blocks %llu splits %llu collapses %llu tables +%llu "
	       "-%llu -%llu(rcu) resched %llu; pool peak %llu; pages checked %llu, "
	       "full checks %llu\n",
	       (unsigned long long)s.pages_mapped, (unsigned long long)s.blocks_mapped,
	       (unsigned long long)s.splits, (unsigned long long)s.collapses,
	       (unsigned long long)s.tables_allocated, (unsigned long long)s.tables_freed,
	       (unsigned long long)s.tables_freed_rcu, (unsigned long long)s.resched_points,
	       (unsigned long long)t->vm->pool->peak, (unsigned long long)t->cov.leaves_checked,
	       (unsigned long long)t->cov.full_checks);
}

static void run_format(const struct pte_format *fmt, unsigned int idx, u64 ops, u64 seed,
		       u64 full_every, bool verbose)
{
	struct difftest *t = calloc(1, sizeof(*t));
	char label[64], detail[64];
	u64 left;

	if (!t)
		exit(2);
	setup(t, fmt, idx, seed);
	t->model = calloc(WINDOW_PAGES, sizeof(*t->model));
	t->vm = host_vm_create(fmt, 1, POOL_PAGES);
	if (!t->model || !t->vm) {
		printf("    cannot create a VM\n");
		exit(2);
	}
	resched_test = t;
	host_resched_hook = difftest_resched;
	t->phase = "full-window check";

	for (t->op_nr = 1; t->op_nr <= ops; t->op_nr++) {
		struct op op;

		gen_op(t, &op);
		t->cur = &op;
		if (!do_op(t, &op))
			break;
		t->cur = NULL;
		if (t->op_nr % full_every == 0 && !check_window(t))
			break;
	}
	t->cur = NULL;
	if (!t->failed) {
		t->op_nr = ops;
		check_window(t);
	}
	t->phase = "end of run";
	if (!t->failed && t->resched_locked)
		fail(t, "the walker called resched() %llu times with the lock held",
		     (unsigned long long)t->resched_locked);
	if (verbose)
		print_coverage(t);

	/* Tear-down gives every table page back, whatever the run did (and may yield too). */
	resched_begin(t, RESCHED_BURST);
	left = host_vm_destroy(t->vm);
	resched_begin(t, RESCHED_NONE);
	if (left && !t->failed)
		fail(t, "%llu table pages still out after host_vm_destroy",
		     (unsigned long long)left);
	resched_test = NULL;
	host_resched_hook = NULL;

	snprintf(label, sizeof(label), "difftest %s", fmt->name);
	snprintf(detail, sizeof(detail), "%llu ops, seed %llu", (unsigned long long)ops,
		 (unsigned long long)seed);
	harness_report(label, !t->failed, detail);
	free(t->model);
	free(t);
}

static void usage(void)
{
	fprintf(stderr, "usage: test_difftest [--ops N] [--seed S] [--format NAME] "
		"[--full-every K] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u64 ops = DEFAULT_OPS, seed = 1, full_every = 0;
	const char *only = NULL;
	bool verbose = false;
	unsigned int f, ran = 0;
	char *end;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (i + 1 < argc && !strcmp(argv[i], "--ops")) {
			ops = strtoull(argv[++i], &end, 0);
			if (*end || !ops)
				usage();
		} else if (i + 1 < argc && !strcmp(argv[i], "--seed")) {
			seed = strtoull(argv[++i], &end, 0);
			if (*end)
				usage();
		} else if (i + 1 < argc && !strcmp(argv[i], "--full-every")) {
			full_every = strtoull(argv[++i], &end, 0);
			if (*end || !full_every)
				usage();
		} else if (i + 1 < argc && !strcmp(argv[i], "--format")) {
			only = argv[++i];
		} else {
			usage();
		}
	}
	/* A long run checks the whole window less often, or it would do little else. */
	if (!full_every)
		full_every = ops / FULL_CHECKS_MAX > FULL_CHECK_EVERY ? ops / FULL_CHECKS_MAX :
									FULL_CHECK_EVERY;
	for (f = 0; f < ARRAY_SIZE(formats); f++) {
		if (!only || !strcmp(only, formats[f]->name)) {
			run_format(formats[f], f, ops, seed, full_every, verbose);
			ran++;
		}
	}
	if (!ran) {
		fprintf(stderr, "test_difftest: no format named %s:", only);
		for (f = 0; f < ARRAY_SIZE(formats); f++)
			fprintf(stderr, " %s", formats[f]->name);
		fprintf(stderr, "\n");
		return 2;
	}
	return harness_done();
}
