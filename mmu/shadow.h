/* SPDX-License-Identifier: MIT */
/*
 * Shadow MMU: for a CPU without nested paging (SVM without NPT), the tables
 * the hardware walks are built by the hypervisor by composing the guest's own
 * tables (gva -> gpa), read through a guest-format descriptor (struct
 * shadow_format), with the VM's memslots (gpa -> hpa).
 *
 * Shadow pages.  Each shadow table page shadows one guest table page at one
 * level, and is keyed by (guest table frame gfn, role) in a hash table; the
 * role says how the page was reached (level, direct, access, dirty, the
 * guest's supervisor-write-protect and no-execute modes) so that one guest table reached two ways that need different
 * shadow entries gets two shadow pages.  A guest 2M/1G page has no guest
 * table under it: it is shadowed by "direct" shadow pages keyed by the first
 * frame they map, holding 4K entries (the shadow maps everything in 4K pages,
 * so every shadow leaf is at the last level and every guest frame has 4K rmap
 * entries only).  Levels are numbered from the root (struct shadow_format):
 * in x86 long mode 0 = PML4 ... 3 = PT.
 *
 * Shadow entries use the guest format's layout (for x86 long mode AMD APM
 * vol. 2, 5.3-5.4; Intel SDM vol. 3A, 4.5), because under SVM without NPT the
 * CPU walks them in place of the guest's own tables:
 *  - table entries copy the guest table entry's R/W, U/S and NX: permissions
 *    are the most restrictive along the walk (APM 5.6, SDM 4.6), so a shadow
 *    page is the same whichever guest entry points at it;
 *  - leaves carry the permissions accumulated along the guest walk (direct
 *    pages) or the guest PTE's own (indirect pages), except that R/W is set
 *    only when the guest's D bit is set (the first write faults so that we set
 *    D, as the CPU would), the memslot is writable, and the frame is not a
 *    guest table page that some shadow page shadows (write protection);
 *  - A and D are preset in shadow entries: the guest's A/D bits are the ones
 *    that matter, and shadow_page_fault() sets those.
 *
 * Write protection.  While a shadow page shadows guest table frame G, every
 * shadow leaf mapping G is read-only, so a guest store to its own tables
 * faults: shadow_page_fault() returns SHADOW_FAULT_EMULATE, and the caller
 * emulates the store through shadow_guest_pte_write() (which zaps the shadow
 * entries derived from the old guest entry) or gives up on shadowing G with
 * shadow_write_fault().  Shadow pages are thus always in sync with the guest
 * tables, and INVLPG has nothing to resynchronise (it drops the leaf anyway).
 *
 * Locking.  Every shadow_ entry point takes the MMU lock (sm->lock) for
 * writing itself (callers hold no MMU lock); shadow page faults are
 * exclusive, like KVM's shadow MMU.  rmap_zap_range() is the exception: its
 * caller holds sm->lock for writing, because the caller owns the
 * rescheduling points where it is dropped (mmu/resched.h).  Readers that hold no lock are the
 * hardware walkers of vCPUs in guest mode and lockless software walks
 * (shadow_translate_lockless()) inside an RCU read-side section.
 *
 * Freeing (the rule).  A zapped shadow page is unlinked under the lock, then
 * the TLB is flushed (ops->tlb_flush: complete on every CPU on return), then:
 *  - a root (level 0) page some vCPU has loaded (root_count > 0) is only
 *    marked invalid and emptied; its last user frees it (shadow_put_root);
 *  - any other page is visible only through roots.  If some root is loaded
 *    (sm->loaded_roots > 0), a vCPU that entered with that cached root, or a
 *    lockless walk from it, may still be reading the page: it goes through
 *    call_rcu and is freed after every CPU passed a quiescent state (guest
 *    entry/exit).  If no root is loaded nobody can reach it: freed at once.
 *    shadow_zap_all() is more precise: it marks what the loaded roots reach
 *    before it unlinks anything, and frees everything else at once (a root
 *    nobody has loaded has no walker, hardware or lockless), so a full pool
 *    has room for a root again before the grace period ends.
 * Root pages themselves are pinned by root_count, never by RCU alone.
 *
 * Errors.  -ENOSPC: the VM's shadow pool is empty (its pages are all in
 * shadow tables, or waiting for a grace period): recoverable by zapping
 * (shadow_zap_all) and retrying.  -ENOMEM: the host has no memory to back a
 * guest frame (gfn_lookup): not recoverable by the shadow MMU.
 */
#ifndef MMU_SHADOW_H
#define MMU_SHADOW_H

#include "page_pool.h"
#include "pte_format.h"
#include "rcu.h"
#include "resched.h"
#include "rmap.h"
#include "sync.h"
#include "types.h"

/*
 * A guest paging format: the layout of a paging-structure entry and the
 * walk's rules, for one paging mode of one architecture (mmu/shadow_x86.c:
 * x86 4-level long mode).  The shadow MMU reads the guest's tables with it,
 * and builds the shadow tables in it too: under SVM without NPT the CPU walks
 * the shadow tables in the guest's own paging mode, so the two layouts are
 * the same.  Levels are numbered from the root: 0 ... levels - 1, the last
 * holding 4K leaves.  The walk's rules, which every format here shares:
 *  - an entry without @present ends the walk (not-present fault);
 *  - @write, @user and (with no-execute enabled) "not @nx" grant W, U, X, and
 *    what a walk grants is what every level along it grants (APM vol. 2 5.6,
 *    SDM vol. 3A 4.6); a supervisor write obeys W only with write-protect on;
 *  - at a level of @large_levels, @large makes the entry a leaf mapping the
 *    level's whole size (its address bits from @large_rsvd_lsb up to that
 *    size are reserved); at any other level but the last, @large is reserved;
 *  - @nx is reserved while no-execute is not enabled;
 *  - the walk sets @accessed in every entry it used and @dirty in the leaf on
 *    a write, with a compare-and-swap, as the CPU does (SDM 4.8, APM 5.4.2).
 * The fault code is the hardware's: the access comes in as it and a guest
 * fault is reported in it (the ec_ bits), because that is what the CPU
 * reports on an intercepted fault and what the guest expects injected.
 */
struct shadow_format {
	const char *name;
	u8 levels;	   /* levels walked: at most SHADOW_MAX_LEVELS */
	u8 level_bits;	   /* index bits per level: a table has 1 << level_bits entries */
	u8 large_levels;   /* BIT(level) for each level whose entry may map a large page */
	u8 large_rsvd_lsb; /* lowest reserved address bit of a large leaf */
	u64 addr;	   /* the entry's address field */
	u64 present, write, user, accessed, dirty, large, nx;
	u32 ec_present, ec_write, ec_user, ec_rsvd, ec_fetch;
};

#define SHADOW_MAX_LEVELS 4

static inline unsigned int shadow_last_level(const struct shadow_format *fmt)
{
	return fmt->levels - 1u;
}

static inline unsigned int shadow_level_shift(const struct shadow_format *fmt, unsigned int level)
{
	return PAGE_SHIFT + fmt->level_bits * (fmt->levels - 1u - level);
}

static inline unsigned int shadow_index(const struct shadow_format *fmt, u64 addr,
					unsigned int level)
{
	return (addr >> shadow_level_shift(fmt, level)) & ((1u << fmt->level_bits) - 1);
}

/* Accumulated guest permissions (role.access). */
#define SH_ACC_W   1
#define SH_ACC_U   2
#define SH_ACC_X   4
#define SH_ACC_ALL 7

union shadow_role {
	u32 word;
	struct {
		u32 level : 2;	/* 0 ... SHADOW_MAX_LEVELS - 1 */
		u32 direct : 1; /* shadows a guest 2M/1G page, not a guest table */
		u32 access : 3; /* direct: the guest leaf's accumulated permissions */
		u32 dirty : 1;	/* direct: the guest leaf's D bit (W granted only then) */
		u32 wp : 1;	/* supervisor writes obey read-only entries */
		u32 nx : 1;	/* no-execute enabled: NX bits mean something */
	};
};

struct shadow_mmu;

struct shadow_page {
	struct shadow_page *hash_next;
	struct shadow_page *next, *prev; /* every live page (sm->active) */
	u64 gfn;			 /* guest table frame, or first frame mapped (direct) */
	union shadow_role role;
	u32 root_count;		      /* vCPUs that loaded this root */
	bool live;		      /* allocated and not yet freed */
	bool invalid;		      /* zapped root kept for its users */
	bool reached;		      /* shadow_zap_all: a loaded root reaches it (RCU free) */
	u64 *spt;		      /* the shadow table page */
	u64 *gfns;		      /* indirect level-3 pages: the gfn each leaf maps */
	struct rmap_head parents;     /* shadow entries pointing here */
	struct shadow_page *zap_next; /* awaiting the TLB flush before it is freed */
	/* Lost its last parent: queued to be zapped (sm->orphans), see shadow_zap_orphans(). */
	struct shadow_page *orphan_next, *orphan_prev;
	bool orphan_queued;
	struct rcu_head rcu;
	struct shadow_mmu *sm;
};

/* What gfn_lookup reports about one guest frame. */
struct shadow_gfn {
	u64 pfn;		/* host frame */
	bool writable;		/* memslot allows writes (not read-only, not logging) */
	struct rmap_head *rmap; /* the frame's rmap head; heads are consecutive in a slot */
	u64 contig;		/* frames from this one to the end of its slot (or the next slot) */
};

/* What the environment provides: the VM's guest memory and memslots, TLB. */
struct shadow_ops {
	void *(*phys_to_virt)(hpa_t pa);
	hpa_t (*virt_to_phys)(void *va);
	/* Guest memory: 0 or -EFAULT (no memslot there).  @gpa is 8-byte aligned. */
	int (*read_gpa)(void *vm, gpa_t gpa, u64 *val);
	int (*write_gpa)(void *vm, gpa_t gpa, u64 val);
	/*
	 * Atomic update of a guest entry (A/D bits, an emulated locked
	 * read-modify-write): 0 when it held @old and now holds @new, 1 when it
	 * held something else (nothing written), or -EFAULT (no memslot),
	 * -EAGAIN (being given back), -ENOMEM (no host memory to back it).
	 */
	int (*cmpxchg_gpa)(void *vm, gpa_t gpa, u64 old, u64 new);
	/*
	 * Memslot lookup: 0; -ENOENT for a hole (out->contig then counts the
	 * hole); -EAGAIN for a frame inside a slot that cannot be mapped just
	 * now (being given back): out->rmap and out->contig are valid, out->pfn
	 * is not, and a fault retries; -ENOMEM (rmap and contig valid too) when
	 * the host has no memory to back it: the fault fails with -ENOMEM.
	 */
	int (*gfn_lookup)(void *vm, u64 gfn, struct shadow_gfn *out);
	/* Invalidate every translation cached from the shadow tables, all CPUs, complete on return. */
	void (*tlb_flush)(void *vm);
};

#define SHADOW_HASH_BUCKETS 1024

struct shadow_stats {
	u64 faults, faults_fixed, pages_created, pages_zapped, pages_freed, pages_freed_rcu;
	u64 leaves_installed, leaves_zapped, wrprot_entries, emulated_writes;
	u64 resched_points, tlb_flushes, rmap_missing;
	u64 zap_alls, pages_freed_at_zap_all;
};

struct shadow_mmu {
	const struct shadow_ops *ops;
	/* The shadow tables' format: set by the first root load (MMU lock), fixed after. */
	const struct shadow_format *fmt;
	void *vm;
	struct page_pool *pool;
	struct rcu_state *rcu; /* NULL: never any lockless reader, free at once */
	struct rwlock lock;    /* the MMU lock */
	struct rmap_desc_pool descs;
	struct shadow_page *meta; /* one per pool page, indexed like the pool */
	struct shadow_page *hash[SHADOW_HASH_BUCKETS];
	struct shadow_page active;   /* list head of live pages */
	struct shadow_page *zapped;  /* unlinked, waiting for the TLB flush */
	struct shadow_page *orphans; /* unreachable non-root pages still to zap */
	struct mmu_page_cache cache; /* pages for one operation, filled before the lock */
	u64 nr_indirect;	     /* live pages that shadow a guest table */
	u64 loaded_roots;	     /* sum of root_count */
	u64 rcu_pending;	     /* pool pages handed to call_rcu, not yet back */
	bool reach_known;	     /* sp->reached is up to date (inside shadow_zap_all) */
	bool tlb_owed;
	struct shadow_stats stats;
};

struct shadow_vcpu {
	struct shadow_mmu *sm;
	const struct shadow_format *fmt; /* the guest's paging format */
	unsigned int cpu;		 /* for call_rcu */
	u64 root_gpa;			 /* the guest root: its top-level table's gpa */
	bool wp;			 /* supervisor writes obey read-only entries */
	bool nx;			 /* no-execute enabled (else the NX bit is reserved) */
	struct shadow_page *root;	 /* pinned: root_count */
};

enum shadow_fault_result {
	SHADOW_FAULT_FIXED,   /* shadow entry built: re-enter the guest */
	SHADOW_FAULT_INJECT,  /* guest mapping absent or forbids: inject #PF(error_code) */
	SHADOW_FAULT_EMULATE, /* write to a write-protected guest table at gpa */
	SHADOW_FAULT_MMIO,    /* gpa is in no memslot */
	SHADOW_FAULT_RETRY,   /* guest entry changed, or frame not mappable now: retry */
};

struct shadow_fault {
	u32 error_code; /* for INJECT: the #PF error code to inject */
	gpa_t gpa;	/* for EMULATE / MMIO */
};

/*
 * Set up @sm over @pool.  @meta holds pool->nr_pages descriptors (zeroed).
 * @rcu may be NULL (see "Freeing").  0 or -EINVAL.
 */
int shadow_init(struct shadow_mmu *sm, const struct shadow_ops *ops, void *vm,
		struct page_pool *pool, struct shadow_page *meta, struct rcu_state *rcu);
/* Zap everything; every vCPU must have dropped its root.  Returns pool pages still out. */
u64 shadow_destroy(struct shadow_mmu *sm);
/*
 * Zap every shadow page (the pool ran dry: rebuild from scratch, as KVM does
 * when it reclaims shadow pages).  Loaded roots become invalid and are
 * replaced at their vCPU's next fault.  Pages no loaded root reaches are back
 * in the pool on return; the others after the next grace period.
 */
void shadow_zap_all(struct shadow_mmu *sm);
/*
 * Pages a pool must have for @nr_vcpus vCPUs to get a root in the end: each
 * may pin a zapped root until it loads another, with the pages its last
 * fault linked under it waiting for a grace period, plus what one fault
 * tops up.  A smaller pool could fail root loads for ever.
 */
u64 shadow_pool_min_pages(unsigned int nr_vcpus);

/*
 * @fmt: the guest's paging format, chosen by the arch from the guest's modes.
 * Every vCPU of a VM uses one format today (a root load in another returns
 * -EINVAL): shadow pages of two formats would need the format in the role.
 */
void shadow_vcpu_init(struct shadow_vcpu *v, struct shadow_mmu *sm, unsigned int cpu,
		      const struct shadow_format *fmt, bool wp, bool nx);

/*
 * The guest switched roots: load the shadow root for the top-level table at
 * @guest_root (cached roots are reused with their subtrees), drop the old
 * one.  Returns the root's host address to run the guest on, or 0 with
 * -ENOSPC in *@err (the pool is empty: v->root is then still the old root,
 * or NULL).
 */
hpa_t shadow_new_root(struct shadow_vcpu *v, gpa_t guest_root, int *err);
/* Drop the vCPU's root (vCPU going away). */
void shadow_put_root(struct shadow_vcpu *v);
/*
 * The pool is empty (-ENOSPC from a fault or a root load): shadow_zap_all(),
 * unless enough pages for a fault are already on their way back through RCU
 * (false: then zapping again would only undo the other vCPUs' work; pass a
 * quiescent state and retry).
 */
bool shadow_make_room(struct shadow_mmu *sm);
/*
 * shadow_new_root(), and when the pool is empty shadow_make_room() and once
 * more.  0, or -ENOSPC: no root to run on yet (the pages still under loaded
 * roots come back after a grace period): the caller must not enter the
 * guest on anything but a valid root, passes a quiescent state and retries.
 */
int shadow_load_root_or_zap(struct shadow_vcpu *v, gpa_t guest_root);
/* The vCPU holds a root that is still in use (not zapped): safe and useful to run on. */
bool shadow_root_valid(const struct shadow_vcpu *v);

/*
 * A page fault intercepted at @gva with hardware fault code @ec (the format's ec_ bits).  Walks
 * the guest tables, sets guest A (and D on a write) bits like the CPU, and
 * builds the shadow path.  Negative errno on failure (-ENOSPC: the pool is
 * empty, zap and retry; -ENOMEM: no host memory for the guest frame;
 * -EFAULT: a guest table lies outside every memslot).
 */
int shadow_page_fault(struct shadow_vcpu *v, u64 gva, u32 ec, struct shadow_fault *out);

/*
 * Emulated guest store of @val to the guest table entry at @gpa: writes guest
 * memory and zaps the shadow entries derived from that entry.  0 or -EFAULT.
 */
int shadow_guest_pte_write(struct shadow_vcpu *v, gpa_t gpa, u64 val);
/*
 * Emulated atomic update of the guest table entry at @gpa (8-byte aligned)
 * from @old to @new, as a locked read-modify-write does it: other vCPUs may
 * store to the entry meanwhile, so it is a compare-and-swap, and the shadow
 * entries derived from the old value go with it.  0 done (also when @old ==
 * @new: nothing to write); 1 the entry no longer held @old (nothing changed:
 * read it again and recompute); -EFAULT, -EAGAIN, -ENOMEM from cmpxchg_gpa.
 */
int shadow_guest_pte_update(struct shadow_vcpu *v, gpa_t gpa, u64 old, u64 new);
/* Stop shadowing the guest table at @gpa (zap its shadow pages): its writes no longer trap. */
void shadow_write_fault(struct shadow_vcpu *v, gpa_t gpa);
/* Guest INVLPG: drop the shadow leaf for @gva in the current root. */
void shadow_invlpg(struct shadow_vcpu *v, u64 gva);

/*
 * Walk the shadow tables from @root like the CPU.  0 with the host address
 * and the SH_ACC_* permissions granted, -ENOENT when not present.  Lockless:
 * caller holds the MMU lock or is inside an RCU read-side section with the
 * root pinned; -EFAULT when it met a poisoned (freed) table.
 */
int shadow_translate_lockless(struct shadow_mmu *sm, hpa_t root, u64 gva, hpa_t *pa, u8 *acc);

/* rmap_zap_range flags */
enum rmap_zap_flags {
	RMAP_ZAP_WRPROT = BIT(0),     /* clear W only (dirty logging, read-only slot) */
	RMAP_ZAP_NO_RESCHED = BIT(1), /* no rescheduling points (measured in make bench-rmap) */
};

/*
 * Remove every shadow mapping of guest frames [@gfn, @gfn + @count) found
 * through the rmap, and the shadow pages of guest tables in that range (give
 * back, memslot removal); or with RMAP_ZAP_WRPROT only make them read-only.
 * The caller holds sm->lock for writing.  Rescheduling points (mmu/resched.h)
 * after each frame and every RMAP_ZAP_BATCH entries of one frame, unless @rs
 * is NULL or RMAP_ZAP_NO_RESCHED: at one that is due it pays its TLB debt and
 * returns MMU_RESCHED with the frame it stopped at in @rs->resume: called
 * again with the same arguments it goes on from there.  0 when done.  Adds the
 * number of entries zapped or write-protected to *@done (if not NULL).
 */
int rmap_zap_range(struct shadow_mmu *sm, u64 gfn, u64 count, unsigned int flags,
		   struct mmu_resched *rs, u64 *done);

/* --- internals shared by shadow*.c and rmap_zap.c; not an interface ---------------------- */

struct shadow_page *shadow_page_of(struct shadow_mmu *sm, const void *spt_or_sptep);
/* Top up sm->cache and the rmap descriptors for one fault.  MMU lock (write). */
int shadow_prepare(struct shadow_mmu *sm);
struct shadow_page *shadow_get_page(struct shadow_mmu *sm, u64 gfn, union shadow_role role);
int shadow_load_root(struct shadow_mmu *sm, struct shadow_vcpu *v);
/* Clear the entry at @sp->spt[idx] with its rmap/parent link; zaps orphaned children. */
void shadow_drop_spte(struct shadow_mmu *sm, struct shadow_page *sp, unsigned int idx);
void shadow_drop_leaf(struct shadow_mmu *sm, struct shadow_page *sp, unsigned int idx,
		      struct rmap_head *head);
void shadow_zap_page(struct shadow_mmu *sm, struct shadow_page *sp);
void shadow_zap_gfn(struct shadow_mmu *sm, u64 gfn); /* every indirect page of @gfn */
bool shadow_drop_gfn_entry(struct shadow_mmu *sm, u64 gfn, unsigned int idx);
bool shadow_gfn_write_tracked(struct shadow_mmu *sm, u64 gfn);
/* Zap every queued orphan, flush the TLB if owed, then free (or hand to RCU) the zapped pages. */
void shadow_commit_zap(struct shadow_mmu *sm);
/* The same without the orphans: what a zap pays before it yields with orphans still queued. */
void shadow_flush_and_free(struct shadow_mmu *sm);
/*
 * Zap queued orphans one page at a time (each may queue its own children);
 * after each, stop early when @stop(@ctx) says so.  true when none is left.
 */
bool shadow_zap_orphans(struct shadow_mmu *sm, bool (*stop)(void *ctx), void *ctx);
u64 shadow_leaf_gfn(const struct shadow_page *sp, unsigned int idx);

#endif
