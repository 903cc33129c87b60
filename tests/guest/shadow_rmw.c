// SPDX-License-Identifier: MIT
/*
 * Read-modify-write stores to the guest's own live page-table entries
 * (x86-64 only), LOCK-prefixed and not, as a kernel updates its PTEs
 * (Linux: lock cmpxchg, lock or/and, xchg, lock btr/bts): OR, AND, XOR,
 * ADD, SUB, BTS/BTR/BTC (an immediate bit, and a register bit offset that
 * reaches the next entry), XCHG, CMPXCHG (success and failure), XADD,
 * CMPXCHG8B, and a string store (MOVSQ) no emulator decodes.  Each checks
 * the entry's new value, the register results and RFLAGS the instruction
 * defines (Intel SDM vol. 2, AMD APM vol. 3), and that the translation
 * changed accordingly (after INVLPG, SDM vol. 3A 4.10.4): a cleared R/W
 * makes a store fault, a cleared P a read, a new address shows the other
 * page.  Last, the same from code that runs through the table it changes.
 *
 * What it is for: under the shadow MMU (SVM without nested paging) the
 * table is write-protected while it is shadowed, so every one of these
 * stores faults and must be emulated atomically; with only MOV emulated
 * they livelocked (the table unshadowed, re-shadowed by the retry).  The
 * checks are architectural, so it passes under nested paging too.
 *
 * Layout (as paging.c): PML4[0] = the runtime's identity map, PML4[1] ->
 * PDPT -> PD -> PT mapping N_WIN window pages at WIN_VA onto data pages.
 */
#if !defined(__x86_64__)
#error "shadow_rmw is x86-64 only (GUEST_SKIP_arm64 in arch/arm64/arch.mk)"
#endif

#include <stdio.h>
#include <string.h>

#include "guest.h"

#define PTE_P	   (1ULL << 0)
#define PTE_RW	   (1ULL << 1)
#define PTE_A	   (1ULL << 5)
#define PTE_D	   (1ULL << 6)
#define PF_P	   (1ULL << 0)
#define PF_W	   (1ULL << 1)
#define X86_VEC_PF 14

#define F_CF (1ULL << 0)
#define F_PF (1ULL << 2)
#define F_ZF (1ULL << 6)
#define F_SF (1ULL << 7)
#define F_OF (1ULL << 11)

#define WIN_VA ((uintptr_t)1 << 39 | (uintptr_t)2 << 30 | (uintptr_t)3 << 21 | (uintptr_t)4 << 12)
#define N_WIN  8
#define N_DATA 10

static uintptr_t next_free, data_page[N_DATA];
static volatile uint64_t *pml4, *pdpt, *pd, *pt;

static uint64_t pattern(unsigned int d)
{
	return 0x5a3d000000000000ULL | d;
}

static uintptr_t alloc_page(void)
{
	uintptr_t p = next_free;

	next_free += GUEST_PAGE_SIZE;
	memset((void *)p, 0, GUEST_PAGE_SIZE);
	return p;
}

static uintptr_t win(unsigned int i)
{
	return WIN_VA + i * GUEST_PAGE_SIZE;
}

static volatile uint64_t *pte(unsigned int i)
{
	return &pt[4 + i];
}

static uint64_t entry_for(unsigned int d)
{
	return data_page[d] | PTE_P | PTE_RW | PTE_A | PTE_D;
}

static void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Window page i shows data page d (read through the window). */
static bool shows(unsigned int i, unsigned int d)
{
	struct guest_abort a;
	uint64_t got;

	invlpg(win(i));
	if (guest_probe_read(win(i), &a))
		return false;
	got = *(volatile uint64_t *)win(i);
	if (got != pattern(d))
		printf("shadow_rmw: window %u reads %#llx, want page %u\n", i,
		       (unsigned long long)got, d);
	return got == pattern(d);
}

/* A store through window page i faults with error code @err (and stores nothing). */
static bool store_faults(unsigned int i, uint64_t err)
{
	struct guest_abort a;

	invlpg(win(i));
	return guest_probe_write(win(i) + 8, 0x1234, &a) && a.vector == X86_VEC_PF &&
	       a.addr == win(i) + 8 && a.syndrome == err;
}

static bool read_faults(unsigned int i)
{
	struct guest_abort a;

	invlpg(win(i));
	return guest_probe_read(win(i), &a) && a.vector == X86_VEC_PF && a.syndrome == 0;
}

/* Run @insn with its flags captured; %0 flags, %1 the entry, %2 rax/the register operand. */
#define RMW(insn, e, r)                                            \
	({                                                         \
		uint64_t fl_;                                      \
		__asm__ volatile(insn "\n\tpushfq\n\tpopq %0"      \
				 : "=&r"(fl_), "+m"(*(e)), "+a"(r) \
				 :                                 \
				 : "memory", "cc");                \
		fl_;                                               \
	})

static void bit_ops(void)
{
	volatile uint64_t *e = pte(0);
	uint64_t r = 0, fl;

	fl = RMW("lock btrq $1, %1", e, r);
	check("lock-btr-cf-was-set", fl & F_CF);
	check("lock-btr-rw-cleared", *e == (entry_for(0) & ~PTE_RW));
	check("lock-btr-store-faults", store_faults(0, PF_P | PF_W));
	fl = RMW("btsq $1, %1", e, r);
	check("bts-cf-was-clear", !(fl & F_CF));
	check("bts-store-works", !store_faults(0, PF_P | PF_W) && shows(0, 0));
	fl = RMW("lock btcq $1, %1", e, r);
	check("lock-btc-cf-and-rw-flipped", (fl & F_CF) && !(*e & PTE_RW));
	fl = RMW("btcq $1, %1", e, r);
	check("btc-rw-back", !(fl & F_CF) && (*e & PTE_RW) && !store_faults(0, PF_P | PF_W));
	/* A register offset of 64 + 0 is bit 0 (P) of the next entry: Linux's clear_bit() form. */
	r = 64;
	fl = RMW("lock btrq %2, %1", e, r);
	check("lock-btr-reg-offset-next-entry",
	      (fl & F_CF) && !(*pte(1) & PTE_P) && *e == entry_for(0));
	check("lock-btr-reg-offset-read-faults", read_faults(1));
	fl = RMW("lock btsq %2, %1", e, r);
	check("lock-bts-reg-offset-present-again", !(fl & F_CF) && shows(1, 1));
}

static void alu_ops(void)
{
	volatile uint64_t *e = pte(2);
	uint64_t r = 0, fl;

	fl = RMW("lock andq $-2, %1", e, r); /* clear P */
	check("lock-and-flags", !(fl & (F_CF | F_OF | F_ZF)) && (*e & 1) == 0);
	check("lock-and-read-faults", read_faults(2));
	fl = RMW("orq $1, %1", e, r);
	check("or-present-again", !(fl & (F_CF | F_OF | F_ZF)) && shows(2, 2));
	fl = RMW("andb $0xfd, %1", e, r); /* the low byte: clear R/W */
	check("and-byte-store-faults", !(fl & F_ZF) && store_faults(2, PF_P | PF_W));
	fl = RMW("lock orb $2, %1", e, r);
	check("lock-or-byte-writable", !store_faults(2, PF_P | PF_W) && shows(2, 2));
	fl = RMW("lock xorq $2, %1", e, r);
	check("lock-xor-store-faults", !(fl & (F_CF | F_OF)) && store_faults(2, PF_P | PF_W));
	fl = RMW("xorq $2, %1", e, r);
	check("xor-writable-again", !store_faults(2, PF_P | PF_W));
	/* Data pages are consecutive: + 4096 maps the next one. */
	fl = RMW("lock addq $0x1000, %1", e, r);
	check("lock-add-next-page", !(fl & (F_CF | F_OF | F_ZF | F_SF)) && shows(2, 3));
	fl = RMW("subq $0x1000, %1", e, r);
	check("sub-page-back", !(fl & (F_CF | F_OF | F_ZF | F_SF)) && shows(2, 2));
	r = 0x2000;
	fl = RMW("lock xaddq %2, %1", e, r);
	check("lock-xadd-old-value-and-page",
	      r == entry_for(2) && *e == entry_for(4) && !(fl & (F_CF | F_ZF)) && shows(2, 4));
	r = 0x2000;
	fl = RMW("lock subq %2, %1", e, r);
	check("lock-sub-back", *e == entry_for(2) && !(fl & (F_CF | F_ZF)) && shows(2, 2));
}

static void exchange_ops(void)
{
	volatile uint64_t *e = pte(3);
	uint64_t r = entry_for(5), fl, before = *e;

	fl = RMW("xchgq %2, %1", e, r);
	(void)fl;
	check("xchg-old-value-returned", r == before && *e == entry_for(5));
	check("xchg-translation-changed", shows(3, 5));
	/* lock cmpxchg %rsi,(pte): Linux's try_cmpxchg of a pte.  Success: ZF, the new page. */
	r = entry_for(5);
	{
		uint64_t new = entry_for(6);

		__asm__ volatile("lock cmpxchgq %3, %1\n\tpushfq\n\tpopq %0"
				 : "=&r"(fl), "+m"(*e), "+a"(r)
				 : "r"(new)
				 : "memory", "cc");
		check("lock-cmpxchg-success-zf", (fl & F_ZF) && r == entry_for(5));
		check("lock-cmpxchg-success-maps", *e == new &&shows(3, 6));
		/* Failure: ZF clear, RAX = the entry, the entry unchanged. */
		r = entry_for(5);
		new = entry_for(7);
		__asm__ volatile("cmpxchgq %3, %1\n\tpushfq\n\tpopq %0"
				 : "=&r"(fl), "+m"(*e), "+a"(r)
				 : "r"(new)
				 : "memory", "cc");
		check("cmpxchg-failure-zf-clear-rax-loaded", !(fl & F_ZF) && r == entry_for(6));
		check("cmpxchg-failure-entry-unchanged", *e == entry_for(6) && shows(3, 6));
	}
	/* CMPXCHG8B: EDX:EAX against the entry, ECX:EBX stored. */
	{
		uint64_t cur = *e, want = entry_for(3);
		uint32_t lo = (uint32_t)cur, hi = (uint32_t)(cur >> 32);

		__asm__ volatile("lock cmpxchg8b %1\n\tpushfq\n\tpopq %0"
				 : "=&r"(fl), "+m"(*e), "+a"(lo), "+d"(hi)
				 : "b"((uint32_t)want), "c"((uint32_t)(want >> 32))
				 : "memory", "cc");
		check("lock-cmpxchg8b-success", (fl & F_ZF) && *e == want && shows(3, 3));
	}
}

/* MOVSQ: not a form the shadow MMU decodes; unshadowing the table lets it complete. */
static void string_store(void)
{
	uint64_t val = entry_for(8);
	volatile uint64_t *e = pte(4);
	const uint64_t *src = &val;

	__asm__ volatile("movsq" : "+S"(src), "+D"(e) : : "memory");
	check("movsq-to-pte-completes", *pte(4) == entry_for(8) && shows(4, 8));
}

/*
 * The table changed is the one the code runs through: window page 5 maps a
 * data page holding "lock btsq $1,(%rdi); ret" and "mov %rdx,%rax; lock
 * cmpxchg %rsi,(%rdi); ret", called through the window.
 */
static void code_through_table(void)
{
	static const uint8_t code[] = { 0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x01, 0xc3, 0x48,
					0x89, 0xd0, 0xf0, 0x48, 0x0f, 0xb1, 0x37, 0xc3 };
	uint8_t *page = (uint8_t *)data_page[9];
	volatile uint64_t *e = pte(6);
	uint64_t old;

	memcpy(page, code, sizeof(code));
	*pte(5) = entry_for(9);
	invlpg(win(5));
	*e &= ~PTE_RW;
	invlpg(win(6));
	((void (*)(volatile uint64_t *))win(5))(e);
	check("bts-from-code-through-the-table", (*e & PTE_RW) && !store_faults(6, PF_P | PF_W));
	old = *e;
	/* SysV: rdi = the entry, rsi = the new value, rdx = the expected one; rax returned. */
	old = ((uint64_t(*)(volatile uint64_t *, uint64_t, uint64_t))(win(5) + 7))(e, entry_for(7),
										   old);
	check("cmpxchg-from-code-through-the-table", *e == entry_for(7) && shows(6, 7));
}

void test_main(void)
{
	uint64_t orig_cr3, *orig_pml4;

	__asm__ volatile("mov %%cr3, %0" : "=r"(orig_cr3));
	orig_pml4 = (uint64_t *)(uintptr_t)(orig_cr3 & ~0xfffULL);
	next_free = guest_free_start();
	for (unsigned int d = 0; d < N_DATA; d++) {
		data_page[d] = alloc_page();
		*(volatile uint64_t *)data_page[d] = pattern(d);
	}
	pml4 = (volatile uint64_t *)alloc_page();
	pdpt = (volatile uint64_t *)alloc_page();
	pd = (volatile uint64_t *)alloc_page();
	pt = (volatile uint64_t *)alloc_page();
	pml4[0] = orig_pml4[0];
	pml4[1] = (uintptr_t)pdpt | PTE_P | PTE_RW;
	pdpt[2] = (uintptr_t)pd | PTE_P | PTE_RW;
	pd[3] = (uintptr_t)pt | PTE_P | PTE_RW;
	for (unsigned int i = 0; i < N_WIN; i++)
		*pte(i) = entry_for(i);
	__asm__ volatile("mov %0, %%cr3" : : "r"((uintptr_t)pml4) : "memory");
	check("window-maps-data", shows(0, 0) && shows(1, 1) && shows(2, 2) && shows(3, 3));
	bit_ops();
	alu_ops();
	exchange_ops();
	string_store();
	code_through_table();
	__asm__ volatile("mov %0, %%cr3" : : "r"(orig_cr3) : "memory");
}
