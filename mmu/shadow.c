// SPDX-License-Identifier: MIT
/*
 * Shadow MMU: shadow pages, their hash table, zapping and freeing, roots, and
 * the lockless shadow walk.  The fault path is in shadow_fault.c, zapping by
 * guest frame through the rmap in rmap_zap.c.  See shadow.h for the design,
 * the locking and the freeing rule.
 */
#include <errno.h>
#include <string.h>

#include "shadow.h"

static unsigned int hash_bucket(u64 gfn)
{
	/* Fibonacci hashing: guest tables are often allocated at consecutive frames. */
	return (unsigned int)((gfn * 0x9e3779b97f4a7c15ULL) >> (64 - 10));
}

_Static_assert(SHADOW_HASH_BUCKETS == 1 << 10, "hash_bucket() takes 10 bits");

/* Pages one fault (or root load) may need: three levels of pages below the root, a gfns page. */
#define SHADOW_FAULT_PAGES 6
#define SHADOW_FAULT_DESCS 8

int shadow_init(struct shadow_mmu *sm, const struct shadow_ops *ops, void *vm,
		struct page_pool *pool, struct shadow_page *meta, struct rcu_state *rcu)
{
	if (!ops || !pool || !meta || !ops->gfn_lookup || !ops->read_gpa || !ops->tlb_flush)
		return -EINVAL;
	memset(sm, 0, sizeof(*sm));
	sm->ops = ops;
	sm->vm = vm;
	sm->pool = pool;
	sm->rcu = rcu;
	sm->meta = meta;
	sm->active.next = sm->active.prev = &sm->active;
	rmap_pool_init(&sm->descs, pool);
	return 0;
}

struct shadow_page *shadow_page_of(struct shadow_mmu *sm, const void *spt_or_sptep)
{
	u64 idx = (u64)((const u8 *)spt_or_sptep - sm->pool->base) >> PAGE_SHIFT;

	return &sm->meta[idx];
}

static struct shadow_page *child_of(struct shadow_mmu *sm, u64 spte)
{
	return shadow_page_of(sm, sm->ops->phys_to_virt(hpa(spte & sm->fmt->addr)));
}

u64 shadow_leaf_gfn(const struct shadow_page *sp, unsigned int idx)
{
	return sp->role.direct ? sp->gfn + idx : sp->gfns[idx];
}

static struct shadow_page *hash_find(struct shadow_mmu *sm, u64 gfn, union shadow_role role)
{
	struct shadow_page *sp;

	for (sp = sm->hash[hash_bucket(gfn)]; sp; sp = sp->hash_next)
		if (sp->gfn == gfn && sp->role.word == role.word)
			return sp;
	return NULL;
}

static void hash_del(struct shadow_mmu *sm, struct shadow_page *sp)
{
	struct shadow_page **pp = &sm->hash[hash_bucket(sp->gfn)];

	while (*pp != sp)
		pp = &(*pp)->hash_next;
	*pp = sp->hash_next;
	sp->hash_next = NULL;
}

bool shadow_gfn_write_tracked(struct shadow_mmu *sm, u64 gfn)
{
	struct shadow_page *sp;

	if (!sm->nr_indirect)
		return false;
	for (sp = sm->hash[hash_bucket(gfn)]; sp; sp = sp->hash_next)
		if (sp->gfn == gfn && !sp->role.direct)
			return true;
	return false;
}

/*
 * Make every shadow leaf that maps guest frame @gfn read-only: it has just
 * become a guest table some shadow page depends on, so the guest's stores to
 * it must fault (shadow.h, "Write protection").  The TLB flush is owed and
 * paid before the lock is dropped, so the guest never writes its table
 * through a stale writable translation once the shadow page is in use.
 */
static void write_protect_gfn(struct shadow_mmu *sm, u64 gfn)
{
	const u64 w = sm->fmt->write;
	struct shadow_gfn g;
	struct rmap_iter it;
	u64 *sptep, spte;

	if (sm->ops->gfn_lookup(sm->vm, gfn, &g) == -ENOENT)
		return;
	for (sptep = rmap_first(g.rmap, &it); sptep; sptep = rmap_next(&it)) {
		spte = READ_ONCE(*sptep);
		if (spte & w) {
			WRITE_ONCE(*sptep, spte & ~(w | sm->fmt->dirty));
			sm->tlb_owed = true;
			sm->stats.wrprot_entries++;
		}
	}
}

/*
 * The shadow page for (@gfn, @role), created when missing from pages the
 * caller put in sm->cache before taking the lock.  NULL when the cache ran
 * dry (a caller bug: the top-up covers a whole fault).  MMU lock (write).
 */
struct shadow_page *shadow_get_page(struct shadow_mmu *sm, u64 gfn, union shadow_role role)
{
	struct shadow_page *sp = hash_find(sm, gfn, role);
	bool need_gfns = !role.direct && role.level == shadow_last_level(sm->fmt);
	unsigned int b = hash_bucket(gfn);
	u64 *spt;

	if (sp)
		return sp;
	if (sm->cache.nr < 1u + need_gfns)
		return NULL;
	spt = mmu_cache_take(&sm->cache);
	sp = shadow_page_of(sm, spt);
	memset(sp, 0, sizeof(*sp));
	sp->spt = spt;
	sp->gfns = need_gfns ? mmu_cache_take(&sm->cache) : NULL;
	sp->gfn = gfn;
	sp->role = role;
	sp->sm = sm;
	sp->live = true;
	sp->hash_next = sm->hash[b];
	sm->hash[b] = sp;
	sp->next = sm->active.next;
	sp->prev = &sm->active;
	sm->active.next->prev = sp;
	sm->active.next = sp;
	sm->stats.pages_created++;
	if (!role.direct) {
		sm->nr_indirect++;
		write_protect_gfn(sm, gfn);
	}
	return sp;
}

/* Clear a leaf whose frame's rmap head is @head (looked up by the caller). */
void shadow_drop_leaf(struct shadow_mmu *sm, struct shadow_page *sp, unsigned int idx,
		      struct rmap_head *head)
{
	WRITE_ONCE(sp->spt[idx], 0);
	sm->tlb_owed = true;
	sm->stats.leaves_zapped++;
	if (!head || rmap_remove(&sm->descs, head, &sp->spt[idx]))
		sm->stats.rmap_missing++;
}

/*
 * A non-root page that lost its last parent is unreachable: queue it rather
 * than zap it here, so that a zap through the rmap can stop at rescheduling
 * points between the pages of a cascade (zapping one upper-level page may
 * orphan a whole subtree).  Queued pages stay live and hashed: a fault may
 * link one again, and shadow_zap_orphans() then leaves it be.
 */
static void queue_orphan(struct shadow_mmu *sm, struct shadow_page *sp)
{
	if (sp->orphan_queued)
		return;
	sp->orphan_queued = true;
	sp->orphan_prev = NULL;
	sp->orphan_next = sm->orphans;
	if (sm->orphans)
		sm->orphans->orphan_prev = sp;
	sm->orphans = sp;
}

static void dequeue_orphan(struct shadow_mmu *sm, struct shadow_page *sp)
{
	if (!sp->orphan_queued)
		return;
	if (sp->orphan_prev)
		sp->orphan_prev->orphan_next = sp->orphan_next;
	else
		sm->orphans = sp->orphan_next;
	if (sp->orphan_next)
		sp->orphan_next->orphan_prev = sp->orphan_prev;
	sp->orphan_next = sp->orphan_prev = NULL;
	sp->orphan_queued = false;
}

bool shadow_zap_orphans(struct shadow_mmu *sm, bool (*stop)(void *ctx), void *ctx)
{
	struct shadow_page *sp;

	while ((sp = sm->orphans)) {
		dequeue_orphan(sm, sp);
		if (rmap_empty(&sp->parents) && !sp->root_count && sp->role.level)
			shadow_zap_page(sm, sp);
		if (sm->orphans && stop && stop(ctx))
			return false;
	}
	return true;
}

void shadow_drop_spte(struct shadow_mmu *sm, struct shadow_page *sp, unsigned int idx)
{
	u64 spte = READ_ONCE(sp->spt[idx]);
	struct shadow_page *child;
	struct shadow_gfn g;

	if (!(spte & sm->fmt->present))
		return;
	if (sp->role.level == shadow_last_level(sm->fmt)) {
		bool found = sm->ops->gfn_lookup(sm->vm, shadow_leaf_gfn(sp, idx), &g) != -ENOENT;

		shadow_drop_leaf(sm, sp, idx, found ? g.rmap : NULL);
		return;
	}
	child = child_of(sm, spte);
	WRITE_ONCE(sp->spt[idx], 0);
	sm->tlb_owed = true;
	if (rmap_remove(&sm->descs, &child->parents, &sp->spt[idx]))
		sm->stats.rmap_missing++;
	/*
	 * An unreachable non-root page is zapped (before the lock is dropped,
	 * see shadow_commit_zap) rather than cached: it would keep its guest
	 * table write-protected for nothing, and keeps "every live non-root
	 * page has a parent" true for the rmap checks.
	 */
	if (rmap_empty(&child->parents) && !child->root_count && child->role.level)
		queue_orphan(sm, child);
}

/*
 * Unlink @sp: empty it (dropping its leaves' rmap entries and its children),
 * clear every entry pointing at it, take it out of the hash.  Loaded roots
 * stay allocated as "invalid" until shadow_put_root(); everything else waits
 * on sm->zapped for the TLB flush (shadow_commit_zap).  MMU lock (write).
 */
void shadow_zap_page(struct shadow_mmu *sm, struct shadow_page *sp)
{
	struct rmap_iter it;
	unsigned int idx;
	u64 *parent;

	if (!sp->live || sp->invalid)
		return;
	/* Stops re-entry from a child's orphan zap; read unlocked by shadow_root_valid(). */
	__atomic_store_n(&sp->invalid, true, __ATOMIC_RELAXED);
	dequeue_orphan(sm,
		       sp); /* it may be freed (and its descriptor reused) before the queue runs */
	for (idx = 0; idx < 1u << sm->fmt->level_bits; idx++)
		shadow_drop_spte(sm, sp, idx);
	while ((parent = rmap_first(&sp->parents, &it))) {
		rmap_remove(&sm->descs, &sp->parents, parent);
		WRITE_ONCE(*parent, 0);
	}
	sm->tlb_owed = true;
	hash_del(sm, sp);
	sp->prev->next = sp->next;
	sp->next->prev = sp->prev;
	sp->next = sp->prev = NULL;
	if (!sp->role.direct)
		sm->nr_indirect--;
	sm->stats.pages_zapped++;
	if (sp->root_count)
		return;
	sp->zap_next = sm->zapped;
	sm->zapped = sp;
}

void shadow_zap_gfn(struct shadow_mmu *sm, u64 gfn)
{
	struct shadow_page *sp;

again:
	if (!sm->nr_indirect)
		return;
	for (sp = sm->hash[hash_bucket(gfn)]; sp; sp = sp->hash_next) {
		if (sp->gfn == gfn && !sp->role.direct) {
			/* The zap may unhash others of this bucket: start over. */
			shadow_zap_page(sm, sp);
			goto again;
		}
	}
}

/* Drop entry @idx of one indirect page of @gfn that has it present.  false: none left. */
bool shadow_drop_gfn_entry(struct shadow_mmu *sm, u64 gfn, unsigned int idx)
{
	struct shadow_page *sp;

	for (sp = sm->hash[hash_bucket(gfn)]; sp; sp = sp->hash_next) {
		if (sp->gfn == gfn && !sp->role.direct &&
		    (READ_ONCE(sp->spt[idx]) & sm->fmt->present)) {
			shadow_drop_spte(sm, sp, idx);
			return true;
		}
	}
	return false;
}

static void free_page_now(struct shadow_mmu *sm, struct shadow_page *sp)
{
	u64 *spt = sp->spt, *gfns = sp->gfns;

	sp->live = false;
	sp->reached = false;
	page_pool_free(sm->pool, spt);
	if (gfns)
		page_pool_free(sm->pool, gfns);
}

static void free_page_rcu(struct rcu_head *head)
{
	struct shadow_page *sp =
		(struct shadow_page *)((u8 *)head - __builtin_offsetof(struct shadow_page, rcu));
	struct shadow_mmu *sm = sp->sm;
	u64 pages = 1 + !!sp->gfns; /* read first: once freed, @sp may be reused at once */

	/* Runs outside the MMU lock, on whichever CPU ends the grace period. */
	__atomic_fetch_add(&sm->stats.pages_freed_rcu, 1, __ATOMIC_RELAXED);
	free_page_now(sm, sp);
	__atomic_fetch_sub(&sm->rcu_pending, pages, __ATOMIC_RELEASE);
}

void shadow_commit_zap(struct shadow_mmu *sm)
{
	shadow_zap_orphans(sm, NULL, NULL);
	shadow_flush_and_free(sm);
}

void shadow_flush_and_free(struct shadow_mmu *sm)
{
	struct shadow_page *sp;

	if (sm->tlb_owed) {
		sm->ops->tlb_flush(sm->vm);
		sm->tlb_owed = false;
		sm->stats.tlb_flushes++;
	}
	while ((sp = sm->zapped)) {
		sm->zapped = sp->zap_next;
		sp->zap_next = NULL;
		/* The freeing rule of shadow.h: a loaded root may still lead a reader here. */
		if (sm->rcu && sm->loaded_roots && (!sm->reach_known || sp->reached)) {
			__atomic_fetch_add(&sm->rcu_pending, 1 + !!sp->gfns, __ATOMIC_RELAXED);
			call_rcu(sm->rcu, mmu_this_cpu(), &sp->rcu, free_page_rcu);
		} else {
			sm->stats.pages_freed++;
			free_page_now(sm, sp);
		}
	}
}

/* Mark every page below @sp (depth first: three levels at most). */
static void mark_reached(struct shadow_mmu *sm, struct shadow_page *sp)
{
	struct shadow_page *child;
	unsigned int idx;
	u64 spte;

	if (sp->role.level == shadow_last_level(sm->fmt))
		return;
	for (idx = 0; idx < 1u << sm->fmt->level_bits; idx++) {
		spte = READ_ONCE(sp->spt[idx]);
		if (!(spte & sm->fmt->present))
			continue;
		child = child_of(sm, spte);
		if (child->reached)
			continue;
		child->reached = true;
		mark_reached(sm, child);
	}
}

void shadow_zap_all(struct shadow_mmu *sm)
{
	u64 freed;
	struct shadow_page *sp;

	write_lock(&sm->lock);
	/*
	 * Only what a loaded root reaches can be under a walker now (the
	 * freeing rule): mark it while the tables still link it, so that the
	 * rest goes back to the pool at once.  Loaded roots themselves stay
	 * (root_count), and stay off this walk's account.
	 */
	for (sp = sm->active.next; sp != &sm->active; sp = sp->next)
		if (sp->root_count)
			mark_reached(sm, sp);
	sm->reach_known = true;
	freed = sm->stats.pages_freed;
	/* Each zap takes its page (and any orphaned children) off the active list. */
	while (sm->active.next != &sm->active)
		shadow_zap_page(sm, sm->active.next);
	shadow_commit_zap(sm);
	/*
	 * Every rmap and parent list is empty now: the descriptor pages go
	 * back too (only the MMU lock's holder reads descriptors), or a pool
	 * once filled with descriptors would stay short of table pages.
	 */
	if (!sm->descs.in_use)
		rmap_pool_destroy(&sm->descs);
	sm->reach_known = false;
	sm->stats.zap_alls++;
	sm->stats.pages_freed_at_zap_all += sm->stats.pages_freed - freed;
	write_unlock(&sm->lock);
}

/*
 * The cache's top-up and a page of rmap descriptors; per vCPU a pinned root
 * and what its last fault linked under it (which a zap hands to RCU).
 */
u64 shadow_pool_min_pages(unsigned int nr_vcpus)
{
	return SHADOW_FAULT_PAGES + 1 + (u64)nr_vcpus * (1 + SHADOW_FAULT_PAGES);
}

u64 shadow_destroy(struct shadow_mmu *sm)
{
	shadow_zap_all(sm);
	mmu_cache_drain(&sm->cache, sm->pool);
	return rmap_pool_destroy(&sm->descs);
}

void shadow_vcpu_init(struct shadow_vcpu *v, struct shadow_mmu *sm, unsigned int cpu,
		      const struct shadow_format *fmt, bool wp, bool nx)
{
	memset(v, 0, sizeof(*v));
	v->sm = sm;
	v->fmt = fmt;
	v->cpu = cpu;
	v->wp = wp;
	v->nx = nx;
}

/* Drop @v's pin on its root; a zapped root goes when its last user lets go. MMU lock (write). */
static void put_root_locked(struct shadow_mmu *sm, struct shadow_vcpu *v)
{
	struct shadow_page *root = v->root;

	if (!root)
		return;
	v->root = NULL;
	sm->loaded_roots--;
	if (--root->root_count || !root->invalid)
		return;
	root->zap_next = sm->zapped;
	sm->zapped = root;
}

/* Load (or reload after a zap) the root for v->root_gpa.  MMU lock (write), cache topped up. */
int shadow_load_root(struct shadow_mmu *sm, struct shadow_vcpu *v)
{
	union shadow_role role = { .word = 0 };
	struct shadow_page *root;

	/* The first root fixes the shadow tables' format: the pages do not record theirs. */
	if (!sm->fmt)
		sm->fmt = v->fmt;
	if (v->fmt != sm->fmt)
		return -EINVAL;
	role.level = 0;
	role.wp = v->wp;
	role.nx = v->nx;
	root = shadow_get_page(sm, (v->root_gpa & sm->fmt->addr) >> PAGE_SHIFT, role);
	if (!root)
		return -ENOSPC;
	put_root_locked(sm, v);
	root->root_count++;
	sm->loaded_roots++;
	v->root = root;
	return 0;
}

int shadow_prepare(struct shadow_mmu *sm)
{
	int rc;

	/* sm->cache is shared by every vCPU of the VM: filled under the lock, before any change. */
	rc = mmu_cache_topup(&sm->cache, sm->pool, SHADOW_FAULT_PAGES);
	if (!rc)
		rc = rmap_pool_topup(&sm->descs, SHADOW_FAULT_DESCS);
	return rc ? -ENOSPC : 0; /* the pool, not the host, ran dry */
}

hpa_t shadow_new_root(struct shadow_vcpu *v, gpa_t guest_root, int *err)
{
	struct shadow_mmu *sm = v->sm;
	hpa_t root = hpa(0);
	int rc;

	write_lock(&sm->lock);
	v->root_gpa = guest_root.val;
	rc = shadow_prepare(sm);
	if (!rc)
		rc = shadow_load_root(sm, v);
	if (!rc)
		root = sm->ops->virt_to_phys(v->root->spt);
	shadow_commit_zap(sm);
	write_unlock(&sm->lock);
	if (err)
		*err = rc;
	return root;
}

bool shadow_make_room(struct shadow_mmu *sm)
{
	/*
	 * Pages a zap handed to RCU come back at the end of the grace period:
	 * when they are enough for a fault, zapping again would only throw
	 * away what the vCPUs rebuilt since (each zap invalidates every root,
	 * and vCPUs zapping in turn would keep each other from ever running).
	 */
	if (__atomic_load_n(&sm->rcu_pending, __ATOMIC_ACQUIRE) > SHADOW_FAULT_PAGES)
		return false;
	shadow_zap_all(sm);
	return true;
}

int shadow_load_root_or_zap(struct shadow_vcpu *v, gpa_t guest_root)
{
	int err = 0;

	shadow_new_root(v, guest_root, &err);
	/* What no loaded root reaches is back in the pool after a zap (see shadow_zap_all). */
	if (err == -ENOSPC && shadow_make_room(v->sm))
		shadow_new_root(v, guest_root, &err);
	return err;
}

bool shadow_root_valid(const struct shadow_vcpu *v)
{
	/* Only this vCPU's thread changes v->root; invalid is set under the lock, read as a hint. */
	return v->root && !READ_ONCE(v->root->invalid);
}

void shadow_put_root(struct shadow_vcpu *v)
{
	struct shadow_mmu *sm = v->sm;

	write_lock(&sm->lock);
	put_root_locked(sm, v);
	shadow_commit_zap(sm);
	write_unlock(&sm->lock);
}

int shadow_translate_lockless(struct shadow_mmu *sm, hpa_t root, u64 gva, hpa_t *pa, u8 *acc)
{
	const struct shadow_format *fmt = sm->fmt; /* set: @root exists */
	u64 *table = sm->ops->phys_to_virt(root), spte = 0;
	unsigned int level, last = shadow_last_level(fmt);
	u8 granted = SH_ACC_ALL;

	for (level = 0; level <= last; level++) {
		spte = READ_PTE(table[shadow_index(fmt, gva, level)]);
		if (spte == PAGE_POISON)
			return -EFAULT;
		if (!(spte & fmt->present))
			return -ENOENT;
		granted &= (spte & fmt->write ? SH_ACC_W : 0) | (spte & fmt->user ? SH_ACC_U : 0) |
			   (spte & fmt->nx ? 0 : SH_ACC_X);
		if (level < last)
			table = sm->ops->phys_to_virt(hpa(spte & fmt->addr));
	}
	if (pa)
		*pa = hpa((spte & fmt->addr) | (gva & (PAGE_SIZE - 1)));
	if (acc)
		*acc = granted;
	return 0;
}
