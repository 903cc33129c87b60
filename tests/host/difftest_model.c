// SPDX-License-Identifier: MIT
/*
 * The differential test's reference model (an array with one entry per guest
 * page of the window), the checks of the walker against it, and the report
 * of the first mismatch.  See test_difftest.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "difftest.h"

/*
 * A model entry: valid bit, memory type, permissions and host page number,
 * packed so that the entry of page i + 1 of a contiguous run is entry i + 1.
 */
#define ME_VALID      BIT(63)
#define ME_PROT_SHIFT 40
#define ME_MT_SHIFT   44
#define ME_HPN_MASK   GENMASK(39, 0)
#define ME_PROT_MASK  (7ULL << ME_PROT_SHIFT)

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

static const char *const op_names[OP_KINDS] = { "map", "unmap", "protect", "split", "collapse" };

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
bool fail(struct difftest *t, const char *fmt, ...)
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

u64 *model_slot(struct difftest *t, u64 addr)
{
	unsigned int i;

	for (i = 0; i < NR_REGIONS; i++) {
		const struct region *r = &t->reg[i];

		if (addr - r->base < r->pages << PAGE_SHIFT)
			return &t->model[r->first + ((addr - r->base) >> PAGE_SHIFT)];
	}
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

void model_apply(struct difftest *t, const struct op *op)
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
				slot[i] = (slot[i] & ~ME_PROT_MASK) | (u64)op->attrs.prot
									      << ME_PROT_SHIFT;
		break;
	default:
		break; /* split and collapse change no translation */
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

/* Expected result of a valid operation, from the model (and the tree's shape for collapse). */
int expect(struct difftest *t, const struct op *op)
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
			       0 :
			       -EBUSY;
	default:
		return 0;
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
			return fail(t,
				    "gpa 0x%llx: inside a level %u block at 0x%llx mapping "
				    "0x%llx, where the model has %s",
				    (unsigned long long)(base + (i << PAGE_SHIFT)), level,
				    (unsigned long long)base, (unsigned long long)me_pa(first),
				    exp);
		}
	}
	t->cov.leaves_checked += n - 1 - ((addr - base) >> PAGE_SHIFT);
	return true;
}

static bool page_mismatch(struct difftest *t, u64 addr, u64 e, int ret, u64 pa, struct pte_attrs a,
			  unsigned int level, unsigned int want)
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

bool check_range(struct difftest *t, u64 addr, u64 size, const struct op *op)
{
	u64 end = addr + size, next;

	while (addr < end) {
		if (!check_page(t, addr, end, op, &next))
			return false;
		addr = next;
	}
	return true;
}

bool check_window_page(struct difftest *t, u64 addr, const struct op *op)
{
	u64 next;

	addr &= ~(PAGE_SIZE - 1);
	if (!model_slot(t, addr))
		return true;
	return check_page(t, addr, addr + PAGE_SIZE, op, &next);
}

/* Everything: the window page by page, and probes outside it (unmapped, or beyond ia_bits). */
bool check_window(struct difftest *t)
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

void snapshot_take(struct difftest *t, struct snapshot *s)
{
	pgtable_get_stats(&t->vm->pgt, &s->stats);
	s->in_use = t->vm->pool->in_use;
	s->tlb_range = host_tlb_range_flushes;
	s->tlb_all = host_tlb_all_flushes;
	s->cache_nr = t->vm->cache.nr;
}

/* An operation that failed (or had nothing to do) left no trace: no entry, page or flush. */
bool check_unchanged(struct difftest *t, const struct snapshot *before)
{
	struct snapshot now;

	snapshot_take(t, &now);
	if (memcmp(&now.stats, &before->stats, sizeof(now.stats)))
		return fail(
			t,
			"returned %d but the walker's counters moved (tables +%lld, "
			"leaves +%lld, splits +%lld, tlb flushes +%lld)",
			t->cur->want,
			(long long)(now.stats.tables_allocated - before->stats.tables_allocated),
			(long long)(now.stats.pages_mapped + now.stats.blocks_mapped -
				    before->stats.pages_mapped - before->stats.blocks_mapped),
			(long long)(now.stats.splits - before->stats.splits),
			(long long)(now.stats.tlb_flushes - before->stats.tlb_flushes));
	if (now.in_use != before->in_use || now.tlb_range != before->tlb_range ||
	    now.tlb_all != before->tlb_all || now.cache_nr != before->cache_nr)
		return fail(t,
			    "returned %d but pool pages %llu -> %llu, tlb flushes %llu -> %llu, "
			    "cache %u -> %u",
			    t->cur->want, (unsigned long long)before->in_use,
			    (unsigned long long)now.in_use,
			    (unsigned long long)(before->tlb_range + before->tlb_all),
			    (unsigned long long)(now.tlb_range + now.tlb_all), before->cache_nr,
			    now.cache_nr);
	return true;
}
