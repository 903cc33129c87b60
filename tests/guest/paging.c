// SPDX-License-Identifier: MIT
/*
 * The guest's own page tables (x86-64 only): two address spaces built in
 * free RAM next to the runtime's, MOV CR3 between them, PTE stores made
 * visible by INVLPG, #PF from not-present and read-only entries (error
 * code and CR2), and the accessed/dirty bits the walk sets.  Only what the
 * architecture guarantees (Intel SDM vol. 3A, chapter 4 "Paging", 4.7 and
 * 4.8, 4.10.4 "Invalidation of TLBs"; AMD APM vol. 2, chapter 5), so it
 * passes on bare hardware and under nested paging, where the CPU walks
 * these tables itself.  What it is for: the shadow MMU (SVM without nested
 * paging) intercepts MOV CR3, INVLPG and #PF and write-protects these
 * tables, so every PTE store below traps and is emulated, every #PF must
 * reach the guest with the guest's own error code and CR2, and A/D must
 * land in the guest's entries.
 *
 * Each space: PML4 entry 0 = the runtime's (its PDPT of 1 GiB identity
 * pages: code, data, stacks, these tables and the data pages stay where
 * they are), entry WIN_L4 -> PDPT -> PD -> PT mapping the window, N_WIN
 * 4 KiB pages at WIN_VA, onto data pages of its own.  The window's index
 * is non-zero at every level, so a walker that takes one level's index
 * wrong lands on an empty entry.  The runtime's PML4 leaves WIN_L4 empty:
 * back in it, the window must fault.
 *
 * Data pages hold pattern(page, off) at the pat_offs offsets (checked
 * through the window) and a scratch word at SCRATCH (written through it).
 * Between a PTE store and its INVLPG the CPU may use the old entry or the
 * new one: nothing here reads in that gap.  No PCID and no global pages,
 * so MOV CR3 flushes every translation of the space left.  Each change is
 * made right after an access through the old entry, with no hypercall in
 * between (an exit may flush the whole TLB, QEMU's nested SVM does): a
 * missing or ineffective INVLPG / MOV CR3 leaves that stale translation
 * to be seen.
 */
#if !defined(__x86_64__)
#error "paging.c is x86-64 only (GUEST_SKIP_arm64 in arch/arm64/arch.mk)"
#endif

#include <stdio.h>
#include <string.h>

#include "guest.h"

#define PTE_P	 (1ULL << 0)
#define PTE_RW	 (1ULL << 1)
#define PTE_A	 (1ULL << 5)
#define PTE_D	 (1ULL << 6)
#define PTE_ADDR 0x000ffffffffff000ULL

#define PF_P	   (1ULL << 0) /* 0: not present, 1: protection */
#define PF_W	   (1ULL << 1)
#define X86_VEC_PF 14

#define WIN_L4 1
#define WIN_L3 3
#define WIN_L2 5
#define WIN_L1 16
#define WIN_VA                                                                         \
	((uintptr_t)WIN_L4 << 39 | (uintptr_t)WIN_L3 << 30 | (uintptr_t)WIN_L2 << 21 | \
	 (uintptr_t)WIN_L1 << 12)
#define N_WIN 4
/* 0-3 space A, 4-5 remap targets, 6-9 space B. */
#define N_DATA	10
#define SCRATCH 0x400

static const unsigned int pat_offs[] = { 0, 0x808, 0xff8 };
#define N_PAT (sizeof(pat_offs) / sizeof(pat_offs[0]))

struct space {
	const char *name;
	volatile uint64_t *pml4, *pdpt, *pd, *pt;
	unsigned int map[N_WIN]; /* the data page window page i maps */
};

static uintptr_t next_free;
static uintptr_t data_page[N_DATA];
static struct space space_a = { .name = "a" }, space_b = { .name = "b" };

static uint64_t pattern(unsigned int page, unsigned int off)
{
	return 0x9a6e000000000000ULL | (uint64_t)page << 32 | off;
}

static uintptr_t win(unsigned int i)
{
	return WIN_VA + i * GUEST_PAGE_SIZE;
}

static uint64_t rd(uintptr_t va)
{
	return *(volatile uint64_t *)va;
}

static void wr(uintptr_t va, uint64_t val)
{
	*(volatile uint64_t *)va = val;
}

/* "memory": no load or store moves across a translation change. */
static uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v) : : "memory");
	return v;
}

static void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Zeroed by us: the tables must not depend on what fresh memory reads. */
static uintptr_t alloc_page(void)
{
	uintptr_t p = next_free;

	next_free += GUEST_PAGE_SIZE;
	memset((void *)p, 0, GUEST_PAGE_SIZE);
	return p;
}

static volatile uint64_t *pte(struct space *s, unsigned int i)
{
	return &s->pt[WIN_L1 + i];
}

/* Point window page i of s at data page d (no INVLPG: the caller's choice). */
static void map(struct space *s, unsigned int i, unsigned int d)
{
	*pte(s, i) = data_page[d] | PTE_P | PTE_RW;
	s->map[i] = d;
}

/* Built before it is loaded: no translation to invalidate yet. */
static void space_build(struct space *s, uint64_t ident_pml4e, unsigned int first_data)
{
	s->pml4 = (volatile uint64_t *)alloc_page();
	s->pdpt = (volatile uint64_t *)alloc_page();
	s->pd = (volatile uint64_t *)alloc_page();
	s->pt = (volatile uint64_t *)alloc_page();
	s->pml4[0] = ident_pml4e;
	s->pml4[WIN_L4] = (uintptr_t)s->pdpt | PTE_P | PTE_RW;
	s->pdpt[WIN_L3] = (uintptr_t)s->pd | PTE_P | PTE_RW;
	s->pd[WIN_L2] = (uintptr_t)s->pt | PTE_P | PTE_RW;
	for (unsigned int i = 0; i < N_WIN; i++)
		map(s, i, first_data + i);
}

static void load(struct space *s)
{
	write_cr3((uintptr_t)s->pml4);
}

/* Every window page of s (the current space) shows its data page's pattern. */
static bool window_ok(const struct space *s)
{
	for (unsigned int i = 0; i < N_WIN; i++) {
		for (unsigned int k = 0; k < N_PAT; k++) {
			uint64_t got = rd(win(i) + pat_offs[k]);
			uint64_t want = pattern(s->map[i], pat_offs[k]);

			if (got != want) {
				printf("paging: space %s: %#lx reads %#llx, want %#llx (page %u)\n",
				       s->name, (unsigned long)(win(i) + pat_offs[k]),
				       (unsigned long long)got, (unsigned long long)want,
				       s->map[i]);
				return false;
			}
		}
	}
	return true;
}

/* A #PF at va (CR2, offset in the page included), CPL 0 data access, error code exactly err. */
static bool pf_ok(bool seen, const struct guest_abort *a, uintptr_t va, uint64_t err)
{
	bool ok = seen && a->vector == X86_VEC_PF && a->kind == GUEST_ABORT_DATA && a->addr_valid &&
		  a->addr == va && a->syndrome == err;

	if (!seen)
		printf("paging: %#lx: no fault\n", (unsigned long)va);
	else if (!ok)
		printf("paging: %#lx: vector %u, error code %#llx (want %#llx), CR2 %#llx\n",
		       (unsigned long)va, a->vector, (unsigned long long)a->syndrome,
		       (unsigned long long)err, (unsigned long long)a->addr);
	return ok;
}

static void remap(void)
{
	struct space *s = &space_a;
	static const unsigned int to[][2] = { { 0, 4 }, { 1, 5 }, { 2, 0 } };
	uint64_t v = 0x5c4a7c4000000001ULL;

	for (unsigned int r = 0; r < sizeof(to) / sizeof(to[0]); r++) {
		(void)rd(win(to[r][0]));
		map(s, to[r][0], to[r][1]);
		invlpg(win(to[r][0]));
		checkf(window_ok(s), "remap-w%u-to-page%u-invlpg", to[r][0], to[r][1]);
	}
	wr(win(0) + SCRATCH, v);
	check("window-write-seen-in-identity-map", rd(data_page[s->map[0]] + SCRATCH) == v);
	wr(data_page[s->map[1]] + SCRATCH, ~v);
	check("identity-write-seen-in-window", rd(win(1) + SCRATCH) == ~v);
}

static void not_present(void)
{
	struct space *s = &space_a;
	uintptr_t va = win(1) + SCRATCH, phys = data_page[s->map[1]] + SCRATCH;
	uint64_t before = rd(phys);
	struct guest_abort a;
	bool seen;

	(void)rd(va);
	*pte(s, 1) &= ~PTE_P;
	invlpg(win(1));
	seen = guest_probe_read(va, &a);
	check("not-present-read-pf-p0-w0", pf_ok(seen, &a, va, 0));
	seen = guest_probe_write(va, 0xdeadULL, &a);
	check("not-present-write-pf-p0-w1", pf_ok(seen, &a, va, PF_W));
	check("not-present-write-stored-nothing", rd(phys) == before);
	*pte(s, 1) |= PTE_P;
	invlpg(win(1));
	seen = guest_probe_write(va, before + 1, &a);
	check("present-again-works", !seen && window_ok(s) && rd(phys) == before + 1);
}

static void read_only(void)
{
	struct space *s = &space_a;
	uintptr_t va = win(2) + SCRATCH, phys = data_page[s->map[2]] + SCRATCH;
	uint64_t before = rd(phys), got = 0;
	struct guest_abort a;
	bool seen;

	/* CR0.WP is set (start_x86_64.S): CPL 0 stores obey R/W too. */
	wr(va, before);
	*pte(s, 2) &= ~PTE_RW;
	invlpg(win(2));
	seen = guest_probe_write(va, 0xdeadULL, &a);
	check("read-only-write-pf-p1-w1", pf_ok(seen, &a, va, PF_P | PF_W));
	seen = guest_probe_read(va, &a);
	if (!seen)
		got = rd(va);
	check("read-only-read-works", !seen && got == before && window_ok(s));
	check("read-only-write-stored-nothing", rd(phys) == before);
	*pte(s, 2) |= PTE_RW;
	invlpg(win(2));
	seen = guest_probe_write(va, before + 1, &a);
	check("writable-again-write-works", !seen && rd(phys) == before + 1);

	/*
	 * R/W clear in the PD entry: the page is read-only whatever its PTE
	 * says.  INVLPG drops the paging-structure caches too (SDM 4.10.4.1).
	 */
	va = win(0) + SCRATCH;
	phys = data_page[s->map[0]] + SCRATCH;
	before = rd(phys);
	wr(va, before);
	s->pd[WIN_L2] &= ~PTE_RW;
	invlpg(win(0));
	seen = guest_probe_write(va, 0xdeadULL, &a);
	check("pde-read-only-write-pf-p1-w1", pf_ok(seen, &a, va, PF_P | PF_W));
	seen = guest_probe_read(va, &a);
	check("pde-read-only-read-works", !seen && rd(va) == before && rd(phys) == before);
	s->pd[WIN_L2] |= PTE_RW;
	invlpg(win(0));
	seen = guest_probe_write(va, before + 1, &a);
	check("pde-writable-again-write-works", !seen && rd(phys) == before + 1);
}

static void accessed_dirty(void)
{
	struct space *s = &space_a;
	uintptr_t va = win(3);
	uint64_t e;

	(void)rd(va);
	*pte(s, 3) &= ~(PTE_A | PTE_D);
	s->pd[WIN_L2] &= ~PTE_A;
	invlpg(va);
	(void)rd(va);
	e = *pte(s, 3);
	check("read-sets-accessed", e & PTE_A);
	check("read-leaves-dirty-clear", !(e & PTE_D));
	check("read-sets-pde-accessed", s->pd[WIN_L2] & PTE_A);
	/* The TLB now holds a clean entry: the store must still reach D. */
	wr(va + SCRATCH, 0xd1e7ULL);
	check("write-sets-dirty", *pte(s, 3) & PTE_D);
	check("dirty-write-landed", rd(data_page[s->map[3]] + SCRATCH) == 0xd1e7ULL);
}

static void two_spaces(void)
{
	struct space *cur = &space_b;
	uint64_t v = 0xb0b0b0b0b0b0b0b0ULL, a_scratch;
	bool ok[4];

	load(&space_b);
	check("space-b-window", window_ok(&space_b));
	/*
	 * a, b, a, b: each load must drop the window translations the
	 * previous round's reads left.  Reported afterwards: no exit between.
	 */
	for (unsigned int r = 0; r < 4; r++) {
		cur = cur == &space_a ? &space_b : &space_a;
		load(cur);
		ok[r] = window_ok(cur) && (read_cr3() & PTE_ADDR) == (uintptr_t)cur->pml4;
	}
	for (unsigned int r = 0; r < 4; r++)
		checkf(ok[r], "cr3-switch-%u-to-space-%s", r, r % 2 ? "b" : "a");

	/* Now in b.  A store through b's window lands in b's page only. */
	a_scratch = rd(data_page[space_a.map[1]] + SCRATCH);
	wr(win(1) + SCRATCH, v);
	check("space-b-write-in-b-page", rd(data_page[space_b.map[1]] + SCRATCH) == v);
	load(&space_a);
	check("space-a-does-not-see-b-write",
	      rd(win(1) + SCRATCH) == a_scratch && a_scratch != v && window_ok(&space_a));

	/* b's tables change while a is loaded: loading b again must show it. */
	map(&space_b, 0, 5);
	map(&space_b, 2, 3);
	load(&space_b);
	check("inactive-space-edit-seen-after-cr3-load", window_ok(&space_b));
	load(&space_a);
	check("space-a-unchanged", window_ok(&space_a));
}

void test_main(void)
{
	uint64_t orig_cr3 = read_cr3();
	volatile uint64_t *orig_pml4 = (volatile uint64_t *)(uintptr_t)(orig_cr3 & PTE_ADDR);
	static volatile uint64_t canary = 0xca4a7;
	struct guest_abort a;
	bool seen;

	next_free = guest_free_start();
	for (unsigned int d = 0; d < N_DATA; d++) {
		data_page[d] = alloc_page();
		for (unsigned int k = 0; k < N_PAT; k++)
			wr(data_page[d] + pat_offs[k], pattern(d, pat_offs[k]));
	}
	space_build(&space_a, orig_pml4[0], 0);
	space_build(&space_b, orig_pml4[0], 6);

	load(&space_a);
	canary++;
	check("space-a-loaded-identity-map-works",
	      (read_cr3() & PTE_ADDR) == (uintptr_t)space_a.pml4 && canary == 0xca4a8);
	check("space-a-window", window_ok(&space_a));
	remap();
	not_present();
	read_only();
	accessed_dirty();
	two_spaces();

	write_cr3(orig_cr3);
	canary++;
	check("runtime-cr3-back-identity-map-works",
	      read_cr3() == orig_cr3 && canary == 0xca4a9 &&
		      rd(data_page[9] + pat_offs[1]) == pattern(9, pat_offs[1]));
	seen = guest_probe_read(win(0), &a);
	check("window-unmapped-in-runtime-space", pf_ok(seen, &a, win(0), 0));
}
