/* SPDX-License-Identifier: MIT */
/*
 * x86-64 registers, bits and single-instruction helpers: control registers,
 * MSRs, port I/O, CPUID, TSC.  Constants are usable from assembly.
 *
 * References: Intel SDM = Intel 64 and IA-32 Architectures Software
 * Developer's Manual (vol. 3A: system programming); AMD APM = AMD64
 * Architecture Programmer's Manual (vol. 2: system programming).  SDM
 * section numbers are those of the editions up to 2022 (later ones
 * renumbered the chapters); the quoted titles find them in any edition.
 */
#ifndef ARCH_X86_64_X86_H
#define ARCH_X86_64_X86_H

/* CR0 (Intel SDM vol. 3A, 2.5 "Control Registers"; AMD APM vol. 2, 3.1.1) */
#define CR0_PE (1 << 0)	 /* protected mode */
#define CR0_MP (1 << 1)	 /* WAIT/FWAIT honour TS */
#define CR0_EM (1 << 2)	 /* x87 emulation: must be 0 for SSE */
#define CR0_TS (1 << 3)	 /* task switched: lazy FPU trap */
#define CR0_NE (1 << 5)	 /* native x87 error reporting */
#define CR0_WP (1 << 16) /* supervisor writes honour read-only pages */
#define CR0_PG 0x80000000

/* CR4 */
#define CR4_PAE	       (1 << 5)
#define CR4_PGE	       (1 << 7)
#define CR4_OSFXSR     (1 << 9)	 /* FXSAVE/FXRSTOR and SSE enabled */
#define CR4_OSXMMEXCPT (1 << 10) /* unmasked SSE exceptions raise #XM */
#define CR4_OSXSAVE    (1 << 18) /* XSAVE family and XSETBV/XGETBV enabled */
/* Protection keys for user pages (RDPKRU/WRPKRU); spelled as stage2_shadow.c spells it. */
#define CR4_PKE BIT(22)

/* XCR0 (Intel SDM vol. 1, 13.3 "Enabling the XSAVE Feature Set"): the state components */
#define XCR0_X87 (1 << 0)
#define XCR0_SSE (1 << 1)

/* MSRs */
#define MSR_APIC_BASE	   0x1b /* Intel SDM vol. 3A, "Local APIC Status and Location" */
#define APIC_BASE_BSP	   (1 << 8)
#define APIC_BASE_EXTD	   (1 << 10) /* x2APIC mode */
#define APIC_BASE_EN	   (1 << 11)
#define MSR_PAT		   0x277
#define MSR_EFER	   0xc0000080
#define EFER_SCE	   (1 << 0)
#define EFER_LME	   (1 << 8)
#define EFER_LMA	   (1 << 10)
#define EFER_NXE	   (1 << 11)
#define EFER_SVME	   (1 << 12) /* AMD APM vol. 2, 15.4 "Enabling SVM" */
#define MSR_FS_BASE	   0xc0000100
#define MSR_GS_BASE	   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX	   0xc0000103 /* what RDTSCP and RDPID return in ECX / the register */
#define MSR_XSS		   0xda0      /* supervisor state components of XSAVES/XRSTORS */

/*
 * The power-on PAT (Intel SDM vol. 3A, "PAT MSR" default values): index 0
 * WB, 1 WT, 2 UC-, 3 UC, repeated.  Page tables pick UC for MMIO with
 * PCD|PWT (index 3) and WB with neither (index 0).
 */
#define PAT_DEFAULT 0x0007040600070406ULL

/* RFLAGS */
#define RFLAGS_IF (1 << 9)

/* Segment selectors of our GDT (arch/x86_64/desc.c) */
#define GDT_CODE64 0x08
#define GDT_DATA   0x10
#define GDT_TSS0   0x18 /* CPU n's TSS at GDT_TSS0 + 16 * n */

#ifndef __ASSEMBLER__

#include "mmu/types.h"

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

/* The highest leaf of the range @leaf is in (0 or 0x80000000), from CPUID itself. */
static inline u32 cpuid_max(u32 leaf)
{
	return cpuid(leaf & 0x80000000, 0).eax;
}

/*
 * TSC, ordered after earlier loads and stores (LFENCE then RDTSC: Intel SDM
 * vol. 2B, RDTSC), so a timeout check is not answered early.
 */
static inline u64 rdtsc_ordered(void)
{
	u32 lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
}

#define DEFINE_CR(n)                                                       \
	static inline u64 read_cr##n(void)                                 \
	{                                                                  \
		u64 v;                                                     \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void write_cr##n(u64 v)                              \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

/* RDPKRU/WRPKRU (Intel SDM vol. 2B): need CR4.PKE; ECX (and EDX for WRPKRU) must be 0. */
static inline u32 rdpkru(void)
{
	u32 v, dx;

	__asm__ volatile("rdpkru" : "=a"(v), "=d"(dx) : "c"(0));
	return v;
}

static inline void wrpkru(u32 v)
{
	__asm__ volatile("wrpkru" : : "a"(v), "c"(0), "d"(0) : "memory");
}

/* XSETBV (Intel SDM vol. 2C): needs CR4.OSXSAVE. */
static inline void xsetbv(u32 xcr, u64 v)
{
	__asm__ volatile("xsetbv" : : "c"(xcr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 read_rflags(void)
{
	u64 v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void cpu_relax(void)
{
	/* PAUSE: a spin-wait hint (Intel SDM vol. 2B); saves power, helps SMT siblings. */
	__asm__ volatile("pause" : : : "memory");
}

#endif /* !__ASSEMBLER__ */

#endif
