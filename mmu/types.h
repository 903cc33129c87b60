/* SPDX-License-Identifier: MIT */
/*
 * Fixed-width integers and the address-space types used across mmu/ and kvm/.
 *
 * A hypervisor juggles guest-physical and host-physical addresses; each is a
 * one-field struct so that passing one where the other belongs does not
 * compile.  Guest-virtual addresses get the same treatment in kvm/.
 *
 * Also the one CPU-count limit of the hypervisor, RCU and the locks; usable
 * from assembly (the constant only).
 */
#ifndef MMU_TYPES_H
#define MMU_TYPES_H

/*
 * Logical CPUs: arch/ brings up at most this many (more are left off, with a
 * warning); RCU, the MMU lock's reader slots and the per-CPU counters have a
 * slot for each.  CPU numbers are below it.  The host tests play up to nine.
 */
#define MAX_CPUS 16

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

typedef struct {
	u64 val;
} gpa_t; /* guest-physical (stage-2 input) address */
typedef struct {
	u64 val;
} hpa_t; /* host-physical (stage-2 output) address */

static inline gpa_t gpa(u64 v)
{
	return (gpa_t){ v };
}
static inline hpa_t hpa(u64 v)
{
	return (hpa_t){ v };
}

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ULL << PAGE_SHIFT)
#define SZ_4K	   0x1000ULL
#define SZ_2M	   0x200000ULL
#define SZ_1G	   0x40000000ULL

#define BIT(n)		(1ULL << (n))
#define GENMASK(hi, lo) ((~0ULL >> (63 - (hi))) & ~((1ULL << (lo)) - 1))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Single-copy-atomic accesses to memory other walkers (or the hardware) read. */
#define READ_ONCE(x)	 __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
/*
 * Load an entry that may point to a table another walker just published with
 * a release store: acquire, so the new table's contents are seen before it
 * is followed (free on x86; LDAR on arm64 where dependency ordering would do,
 * but C gives no portable "consume").
 */
#define READ_PTE(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)

#endif /* !__ASSEMBLER__ */

#endif
