// SPDX-License-Identifier: MIT
/*
 * Shadow MMU fault path: the guest walk, guest A/D bits, building the shadow
 * path; and the other guest events that change it (emulated stores to guest
 * tables, unprotecting a guest table, INVLPG).
 */
#include <errno.h>

#include "shadow.h"

/* One walk of the guest's tables (AMD APM vol. 2, 5.3.3; Intel SDM vol. 3A, 4.5.4). */
struct guest_walk {
	u64 gpte[SHADOW_MAX_LEVELS];
	gpa_t gpte_gpa[SHADOW_MAX_LEVELS];
	unsigned int leaf_level;
	u8 acc;	 /* SH_ACC_* accumulated over every level */
	u64 gfn; /* 4K guest frame of the address */
	u32 ec;	 /* fault code to inject when the walk fails */
};

/*
 * Reserved bits we check (a fault with ec_rsvd, APM 5.3.3 / SDM 4.7): the
 * large bit where no large page may be, NX while no-execute is not enabled,
 * and the low address bits of a large leaf (in long mode [20:13] / [29:13],
 * bit 12 being PAT).  Bits above MAXPHYADDR are not checked: the VM's
 * memslots stop well below any MAXPHYADDR.
 */
static bool gpte_reserved(const struct shadow_format *fmt, u64 nx_rsvd, u64 gpte,
			  unsigned int level)
{
	if (gpte & nx_rsvd)
		return true;
	if (level == shadow_last_level(fmt) || !(gpte & fmt->large))
		return false;
	if (!(fmt->large_levels & BIT(level)))
		return true;
	return gpte & GENMASK(shadow_level_shift(fmt, level) - 1, fmt->large_rsvd_lsb);
}

/*
 * Walk the guest tables for @gva with the access of fault code @ec.
 * 0: translated; 1: the guest forbids it or nothing is mapped (w->ec to
 * inject); -EFAULT: a guest table is outside every memslot.  The format's
 * fields are read into locals once: this is the fault path.
 */
static int guest_walk(struct shadow_mmu *sm, const struct shadow_vcpu *v, u64 gva, u32 ec,
		      struct guest_walk *w)
{
	const struct shadow_format *fmt = v->fmt;
	const u64 present = fmt->present, rw = fmt->write, us = fmt->user, addr = fmt->addr;
	const u64 large = fmt->large, nx = v->nx ? fmt->nx : 0, nx_rsvd = v->nx ? 0 : fmt->nx;
	const u32 ec_w = fmt->ec_write, ec_u = fmt->ec_user, ec_i = v->nx ? fmt->ec_fetch : 0;
	const unsigned int last = shadow_last_level(fmt), large_levels = fmt->large_levels;
	u32 access = ec & (ec_w | ec_u | ec_i);
	u64 table = v->root_gpa & addr, gpte = 0, size;
	unsigned int level;
	u8 acc = SH_ACC_ALL;

	for (level = 0; level <= last; level++) {
		w->gpte_gpa[level] = gpa(table + shadow_index(fmt, gva, level) * sizeof(u64));
		if (sm->ops->read_gpa(sm->vm, w->gpte_gpa[level], &gpte))
			return -EFAULT;
		w->gpte[level] = gpte;
		if (!(gpte & present)) {
			w->ec = access;
			return 1;
		}
		if (gpte_reserved(fmt, nx_rsvd, gpte, level)) {
			w->ec = access | fmt->ec_present | fmt->ec_rsvd;
			return 1;
		}
		acc &= (gpte & rw ? SH_ACC_W : 0) | (gpte & us ? SH_ACC_U : 0) |
		       (gpte & nx ? 0 : SH_ACC_X);
		if (level == last || ((large_levels & BIT(level)) && (gpte & large)))
			break;
		table = gpte & addr;
	}
	size = 1ULL << shadow_level_shift(fmt, level);
	w->leaf_level = level;
	w->acc = acc;
	w->gfn = ((gpte & addr & ~(size - 1)) | (gva & (size - 1))) >> PAGE_SHIFT;

	/* Permission checks of SDM 4.6 / APM 5.6, without SMEP/SMAP/PKE. */
	w->ec = access | fmt->ec_present;
	if ((ec & ec_u) && !(acc & SH_ACC_U))
		return 1;
	if ((ec & ec_w) && !(acc & SH_ACC_W) && ((ec & ec_u) || v->wp))
		return 1;
	if ((ec & ec_i) && !(acc & SH_ACC_X))
		return 1;
	return 0;
}

/*
 * Set A in every entry walked, and D in the leaf on a write, as the CPU does
 * (SDM 4.8, APM 5.4.2), with a compare-and-swap like the CPU's locked update.
 * 0; 1 when the guest changed an entry meanwhile (the fault is retried);
 * -ENOMEM when the host cannot back the table's frame (it was given back
 * since the walk read it), -EAGAIN while it is being given back.
 */
static int guest_set_ad(struct shadow_mmu *sm, const struct shadow_format *fmt,
			struct guest_walk *w, bool write)
{
	unsigned int level;
	u64 old, new;
	int rc;

	for (level = 0; level <= w->leaf_level; level++) {
		old = w->gpte[level];
		new = old | fmt->accessed | (write && level == w->leaf_level ? fmt->dirty : 0);
		if (new == old)
			continue;
		rc = sm->ops->cmpxchg_gpa ?
			     sm->ops->cmpxchg_gpa(sm->vm, w->gpte_gpa[level], old, new) :
			     1;
		if (rc)
			return rc == -ENOMEM ? rc : 1;
		w->gpte[level] = new;
	}
	return 0;
}

/* Shadow table entry for @child, with the permissions of guest entry @gpte (see shadow.h). */
static u64 make_table_spte(struct shadow_mmu *sm, struct shadow_page *child, u64 gpte)
{
	const struct shadow_format *fmt = sm->fmt;

	return fmt->present | fmt->accessed | (gpte & (fmt->write | fmt->user | fmt->nx)) |
	       sm->ops->virt_to_phys(child->spt).val;
}

/*
 * Point entry @idx of @sp at the page (@gfn, @role) with permissions from
 * @gpte, replacing whatever else was there.  NULL when out of pages.
 */
static struct shadow_page *link_child(struct shadow_mmu *sm, struct shadow_page *sp,
				      unsigned int idx, u64 gfn, union shadow_role role, u64 gpte)
{
	u64 spte = READ_ONCE(sp->spt[idx]);
	struct shadow_page *child;

	if (spte & sm->fmt->present) {
		child = shadow_page_of(sm, sm->ops->phys_to_virt(hpa(spte & sm->fmt->addr)));
		if (child->gfn == gfn && child->role.word == role.word)
			return child;
		/* Drop first: the drop may zap pages the lookup below would otherwise return. */
		shadow_drop_spte(sm, sp, idx);
	}
	child = shadow_get_page(sm, gfn, role);
	if (!child)
		return NULL;
	if (rmap_add(&sm->descs, &child->parents, &sp->spt[idx])) {
		if (rmap_empty(&child->parents))
			shadow_zap_page(sm, child);
		return NULL;
	}
	/* Release: a hardware or lockless walker following the entry sees the zeroed table. */
	__atomic_store_n(&sp->spt[idx], make_table_spte(sm, child, gpte), __ATOMIC_RELEASE);
	return child;
}

/* Install the 4K shadow leaf @idx of @sp for guest frame @gfn.  Returns a fault result. */
static int install_leaf(struct shadow_mmu *sm, const struct shadow_vcpu *v, struct shadow_page *sp,
			unsigned int idx, u64 gfn, u8 acc, bool dirty, u64 gva, u32 ec,
			struct shadow_fault *out)
{
	const struct shadow_format *fmt = sm->fmt;
	u64 old = READ_ONCE(sp->spt[idx]), spte;
	bool tracked = shadow_gfn_write_tracked(sm, gfn);
	struct shadow_gfn g;
	int rc;

	rc = sm->ops->gfn_lookup(sm->vm, gfn, &g);
	if (rc == -EAGAIN || rc == -ENOMEM) {
		shadow_drop_spte(sm, sp, idx);
		return rc == -EAGAIN ? SHADOW_FAULT_RETRY : -ENOMEM;
	}
	if (rc) {
		shadow_drop_spte(sm, sp, idx);
		out->gpa = gpa((gfn << PAGE_SHIFT) | (gva & (PAGE_SIZE - 1)));
		return SHADOW_FAULT_MMIO;
	}
	spte = fmt->present | fmt->accessed | (g.pfn << PAGE_SHIFT);
	spte |= acc & SH_ACC_U ? fmt->user : 0;
	spte |= v->nx && !(acc & SH_ACC_X) ? fmt->nx : 0;
	if ((acc & SH_ACC_W) && dirty && g.writable && !tracked)
		spte |= fmt->write | fmt->dirty;
	if ((old & fmt->present) && shadow_leaf_gfn(sp, idx) == gfn) {
		if ((old & fmt->write) && !(spte & fmt->write))
			sm->tlb_owed = true;
		WRITE_ONCE(sp->spt[idx], spte);
	} else {
		shadow_drop_spte(sm, sp, idx);
		if (rmap_add(&sm->descs, g.rmap, &sp->spt[idx]))
			return -ENOSPC;
		if (sp->gfns)
			sp->gfns[idx] = gfn;
		WRITE_ONCE(sp->spt[idx], spte);
		sm->stats.leaves_installed++;
	}
	if ((ec & fmt->ec_write) && (acc & SH_ACC_W) && tracked) {
		out->gpa = gpa((gfn << PAGE_SHIFT) | (gva & (PAGE_SIZE - 1)));
		return SHADOW_FAULT_EMULATE;
	}
	return SHADOW_FAULT_FIXED;
}

/* Build the shadow path for a successful guest walk.  MMU lock (write), prepared. */
static int build_path(struct shadow_mmu *sm, struct shadow_vcpu *v, u64 gva, u32 ec,
		      struct guest_walk *w, struct shadow_fault *out)
{
	const struct shadow_format *fmt = sm->fmt;
	const unsigned int last = shadow_last_level(fmt);
	struct shadow_page *sp = v->root;
	union shadow_role role = sp->role;
	unsigned int level, idx;
	u64 gpte, frames;

	/* The guest's own tables: one indirect shadow page per guest table. */
	for (level = 0; level < w->leaf_level; level++) {
		gpte = w->gpte[level];
		role.level = level + 1;
		sp = link_child(sm, sp, shadow_index(fmt, gva, level),
				(gpte & fmt->addr) >> PAGE_SHIFT, role, gpte);
		if (!sp)
			return -ENOSPC;
	}
	if (w->leaf_level == last)
		return install_leaf(sm, v, sp, shadow_index(fmt, gva, level), w->gfn, w->acc,
				    w->gpte[level] & fmt->dirty, gva, ec, out);

	/*
	 * A guest 2M/1G page: direct pages below, keyed by the first frame each
	 * maps, with the walk's permissions and the leaf's D bit in the role.
	 * The table entry to them grants everything; their leaves restrict.
	 */
	gpte = w->gpte[level];
	role.direct = 1;
	role.access = w->acc;
	role.dirty = !!(gpte & fmt->dirty);
	frames = 1ULL << (shadow_level_shift(fmt, level) - PAGE_SHIFT);
	for (; level < last; level++) {
		u64 base = w->gfn & ~(frames - 1);

		role.level = level + 1;
		idx = shadow_index(fmt, gva, level);
		sp = link_child(sm, sp, idx, base, role, fmt->write | fmt->user);
		if (!sp)
			return -ENOSPC;
		frames >>= fmt->level_bits;
	}
	return install_leaf(sm, v, sp, shadow_index(fmt, gva, level), w->gfn, w->acc, role.dirty,
			    gva, ec, out);
}

int shadow_page_fault(struct shadow_vcpu *v, u64 gva, u32 ec, struct shadow_fault *out)
{
	struct shadow_mmu *sm = v->sm;
	struct guest_walk w = { .ec = 0 };
	bool write;
	int rc;

	write_lock(&sm->lock);
	sm->stats.faults++;
	rc = shadow_prepare(sm);
	if (!rc && (!v->root || v->root->invalid))
		rc = shadow_load_root(sm, v);
	if (rc)
		goto out;
	rc = guest_walk(sm, v, gva, ec, &w);
	if (rc) {
		out->error_code = w.ec;
		rc = rc > 0 ? SHADOW_FAULT_INJECT : rc;
		goto out;
	}
	/* Supervisor write-protect off: a supervisor write to a read-only page would need a W, !U/S shadow. */
	write = ec & v->fmt->ec_write;
	if (write && !(ec & v->fmt->ec_user) && !(w.acc & SH_ACC_W)) {
		rc = -ENOTSUP;
		goto out;
	}
	rc = guest_set_ad(sm, v->fmt, &w, write);
	if (rc) {
		rc = rc > 0 ? SHADOW_FAULT_RETRY : rc;
		goto out;
	}
	rc = build_path(sm, v, gva, ec, &w, out);
	if (rc == SHADOW_FAULT_FIXED)
		sm->stats.faults_fixed++;
out:
	shadow_commit_zap(sm);
	write_unlock(&sm->lock);
	return rc;
}

int shadow_guest_pte_write(struct shadow_vcpu *v, gpa_t gpa, u64 val)
{
	struct shadow_mmu *sm = v->sm;
	unsigned int idx = (gpa.val & (PAGE_SIZE - 1)) / sizeof(u64);
	int rc;

	if (gpa.val & (sizeof(u64) - 1))
		return -EINVAL;
	write_lock(&sm->lock);
	rc = sm->ops->write_gpa(sm->vm, gpa, val);
	sm->stats.emulated_writes++;
	/*
	 * Every page shadowing this guest table loses the entry derived from
	 * the old value; the next fault rebuilds it from the new one.  Zapping
	 * rather than resynchronising keeps one path that builds entries.
	 */
	while (!rc && shadow_drop_gfn_entry(sm, gpa.val >> PAGE_SHIFT, idx))
		;
	shadow_commit_zap(sm);
	write_unlock(&sm->lock);
	return rc;
}

int shadow_guest_pte_update(struct shadow_vcpu *v, gpa_t gpa, u64 old, u64 new)
{
	struct shadow_mmu *sm = v->sm;
	unsigned int idx = (gpa.val & (PAGE_SIZE - 1)) / sizeof(u64);
	int rc;

	if (gpa.val & (sizeof(u64) - 1))
		return -EINVAL;
	if (old == new)
		return 0; /* the read that found @old was the atomic access: nothing to write */
	write_lock(&sm->lock);
	rc = sm->ops->cmpxchg_gpa ? sm->ops->cmpxchg_gpa(sm->vm, gpa, old, new) : -EFAULT;
	if (!rc) {
		sm->stats.emulated_writes++;
		/* As shadow_guest_pte_write: the entries made from @old go, the next fault uses @new. */
		while (shadow_drop_gfn_entry(sm, gpa.val >> PAGE_SHIFT, idx))
			;
	}
	shadow_commit_zap(sm);
	write_unlock(&sm->lock);
	return rc;
}

void shadow_write_fault(struct shadow_vcpu *v, gpa_t gpa)
{
	struct shadow_mmu *sm = v->sm;

	write_lock(&sm->lock);
	shadow_zap_gfn(sm, gpa.val >> PAGE_SHIFT);
	shadow_commit_zap(sm);
	write_unlock(&sm->lock);
}

void shadow_invlpg(struct shadow_vcpu *v, u64 gva)
{
	struct shadow_mmu *sm = v->sm;
	const struct shadow_format *fmt;
	struct shadow_page *sp;
	unsigned int level;
	u64 spte;

	write_lock(&sm->lock);
	sp = v->root && !v->root->invalid ? v->root : NULL;
	fmt = sm->fmt; /* set when there is a root */
	for (level = 0; sp && level < shadow_last_level(fmt); level++) {
		spte = READ_ONCE(sp->spt[shadow_index(fmt, gva, level)]);
		sp = spte & fmt->present ?
			     shadow_page_of(sm, sm->ops->phys_to_virt(hpa(spte & fmt->addr))) :
			     NULL;
	}
	/*
	 * Shadow pages are kept in sync by write protection, so there is nothing
	 * stale to fix; dropping the leaf makes the next access re-read the
	 * guest entry, which is what INVLPG promises the guest.
	 */
	if (sp)
		shadow_drop_spte(sm, sp, shadow_index(fmt, gva, shadow_last_level(fmt)));
	shadow_commit_zap(sm);
	write_unlock(&sm->lock);
}
