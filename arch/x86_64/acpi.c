// SPDX-License-Identifier: MIT
/*
 * The few ACPI tables the boot path reads (ACPI 6.5 specification):
 *   RSDP (5.2.5) -> XSDT (5.2.8), or the RSDT (5.2.7) for ACPI 1.0;
 *   MADT (5.2.12): the local APIC IDs of the CPUs, the LAPIC and IOAPIC addresses;
 *   FADT (5.2.9): PM1a/PM1b control blocks, and the DSDT, whose \_S5 object
 *   gives the SLP_TYP values for soft-off (7.4.2 "\_Sx (System States)").
 * Every table's checksum is verified; a bad one is ignored with a message.
 */
#include <stdio.h>
#include <string.h>

#include "arch_priv.h"
#include "platform.h"
#include "x86.h"

struct acpi_info acpi_info;

struct rsdp {
	char sig[8]; /* "RSD PTR " */
	u8 checksum; /* the first 20 bytes */
	char oem[6];
	u8 revision; /* 0: ACPI 1.0, 2: 2.0+ (XSDT) */
	u32 rsdt;
	u32 length;
	u64 xsdt;
	u8 xchecksum; /* all length bytes */
	u8 reserved[3];
} __attribute__((packed));

struct sdt_header {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_revision, creator, creator_revision;
} __attribute__((packed));

/* FADT fields we read, by byte offset (ACPI 6.5, Table 5.9). */
#define FADT_DSDT	40
#define FADT_PM1A_CNT	64
#define FADT_PM1B_CNT	68
#define FADT_X_DSDT	140
#define FADT_X_PM1A_CNT 172 /* Generic Address Structure, 12 bytes */
#define FADT_X_PM1B_CNT 184
#define GAS_SPACE_IO	1

/* MADT entry types (ACPI 6.5, Table 5.44). */
#define MADT_LAPIC	    0
#define MADT_IOAPIC	    1
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC	    9
#define MADT_ENABLED	    (1 << 0)
#define MADT_ONLINE_CAPABLE (1 << 1)

static bool checksum_ok(const void *p, u32 len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

static const struct sdt_header *check_table(u64 pa)
{
	const struct sdt_header *t = (const void *)pa;

	if (!pa || t->length < sizeof(*t) || !checksum_ok(t, t->length)) {
		printf("hyp: ACPI table at 0x%llx has a bad checksum; ignored\n",
		       (unsigned long long)pa);
		return NULL;
	}
	return t;
}

static const struct sdt_header *find_table(const struct rsdp *rsdp, const char *sig)
{
	bool x = rsdp->revision >= 2 && rsdp->xsdt;
	const struct sdt_header *root = check_table(x ? rsdp->xsdt : rsdp->rsdt);
	unsigned int width = x ? 8 : 4, n;
	const u8 *entries;

	if (!root)
		return NULL;
	entries = (const u8 *)(root + 1);
	n = (root->length - sizeof(*root)) / width;
	for (unsigned int i = 0; i < n; i++) {
		u64 pa = 0;
		const struct sdt_header *t;

		memcpy(&pa, entries + i * width, width); /* unaligned in the RSDT/XSDT */
		t = (const void *)pa;
		if (pa && !memcmp(t->sig, sig, 4))
			return check_table(pa);
	}
	return NULL;
}

static void parse_madt(const struct sdt_header *madt)
{
	const u8 *p = (const u8 *)madt + sizeof(*madt) + 8, *end = (const u8 *)madt + madt->length;
	u32 lapic32;

	memcpy(&lapic32, (const u8 *)madt + sizeof(*madt), 4);
	acpi_info.lapic_pa = lapic32;
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		u32 flags, id, addr;
		u64 addr64;

		switch (p[0]) {
		case MADT_LAPIC:  /* uid u8, apic id u8, flags u32 */
		case MADT_X2APIC: /* reserved u16, x2apic id u32, flags u32, uid u32 */
			if (p[0] == MADT_LAPIC) {
				id = p[3];
				memcpy(&flags, p + 4, 4);
			} else {
				memcpy(&id, p + 4, 4);
				memcpy(&flags, p + 8, 4);
			}
			if (!(flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)))
				break;
			if (acpi_info.nr_cpus < ACPI_MAX_CPUS)
				acpi_info.apic_id[acpi_info.nr_cpus++] = id;
			break;
		case MADT_IOAPIC: /* id u8, reserved u8, address u32, GSI base u32 */
			memcpy(&addr, p + 4, 4);
			if (!acpi_info.ioapic_pa)
				acpi_info.ioapic_pa = addr;
			break;
		case MADT_LAPIC_OVERRIDE: /* reserved u16, address u64 */
			memcpy(&addr64, p + 4, 8);
			acpi_info.lapic_pa = addr64;
			break;
		}
	}
}

/*
 * \_S5 in the DSDT's AML: NameOp "_S5_" then a PackageOp (0x12), a
 * PkgLength (1-4 bytes: the top two bits of the first say how many follow),
 * NumElements, and the elements: SLP_TYPa, SLP_TYPb as ZeroOp (0x00), OneOp
 * (0x01) or BytePrefix (0x0a) + byte (ACPI 6.5, 20.2 "AML Grammar
 * Definition").  A full AML interpreter is not needed for this one name.
 */
static bool aml_int(const u8 **pp, const u8 *end, u8 *out)
{
	const u8 *p = *pp;

	if (p >= end)
		return false;
	if (*p == 0x00 || *p == 0x01) {
		*out = *p;
		*pp = p + 1;
		return true;
	}
	if (*p == 0x0a && p + 1 < end) {
		*out = p[1];
		*pp = p + 2;
		return true;
	}
	return false;
}

static void parse_s5(const struct sdt_header *dsdt)
{
	const u8 *p = (const u8 *)(dsdt + 1), *end = (const u8 *)dsdt + dsdt->length;

	for (; p + 8 < end; p++) {
		const u8 *q;

		if (memcmp(p, "_S5_", 4) || p[4] != 0x12)
			continue;
		q = p + 5;
		q += 1 + (*q >> 6); /* PkgLength */
		q++;		    /* NumElements */
		if (aml_int(&q, end, &acpi_info.slp_typ_s5a) &&
		    aml_int(&q, end, &acpi_info.slp_typ_s5b)) {
			acpi_info.have_s5 = true;
			return;
		}
	}
}

static u16 fadt_port(const struct sdt_header *fadt, unsigned int off32, unsigned int off_gas)
{
	u32 port32 = 0;
	u64 addr = 0;

	if (fadt->length >= off_gas + 12 && ((const u8 *)fadt)[off_gas] == GAS_SPACE_IO)
		memcpy(&addr, (const u8 *)fadt + off_gas + 4, 8);
	if (!addr && fadt->length >= off32 + 4) {
		memcpy(&port32, (const u8 *)fadt + off32, 4);
		addr = port32;
	}
	return addr <= 0xffff ? (u16)addr : 0;
}

static void parse_fadt(const struct sdt_header *fadt)
{
	u64 dsdt = 0;
	u32 dsdt32 = 0;
	const struct sdt_header *t;

	acpi_info.pm1a_cnt = fadt_port(fadt, FADT_PM1A_CNT, FADT_X_PM1A_CNT);
	acpi_info.pm1b_cnt = fadt_port(fadt, FADT_PM1B_CNT, FADT_X_PM1B_CNT);
	if (fadt->length >= FADT_X_DSDT + 8)
		memcpy(&dsdt, (const u8 *)fadt + FADT_X_DSDT, 8);
	if (!dsdt) {
		memcpy(&dsdt32, (const u8 *)fadt + FADT_DSDT, 4);
		dsdt = dsdt32;
	}
	t = check_table(dsdt);
	if (t && !memcmp(t->sig, "DSDT", 4))
		parse_s5(t);
}

void acpi_init(u64 rsdp_pa)
{
	const struct rsdp *rsdp = (const void *)rsdp_pa;
	const struct sdt_header *t;

	if (!rsdp || memcmp(rsdp->sig, "RSD PTR ", 8) || !checksum_ok(rsdp, 20)) {
		printf("hyp: no valid ACPI RSDP (0x%llx): one CPU, no power-off\n",
		       (unsigned long long)rsdp_pa);
		return;
	}
	t = find_table(rsdp, "APIC");
	if (t)
		parse_madt(t);
	else
		printf("hyp: no ACPI MADT: one CPU\n");
	t = find_table(rsdp, "FACP");
	if (t)
		parse_fadt(t);
	if (!acpi_info.pm1a_cnt || !acpi_info.have_s5)
		printf("hyp: no ACPI S5 (PM1a_CNT 0x%x, \\_S5 %s): exit() will only halt\n",
		       acpi_info.pm1a_cnt, acpi_info.have_s5 ? "found" : "not found");
}

/*
 * Soft-off (ACPI 6.5, 16.1.7 "Transitioning from the Working to the Soft Off
 * State"; 4.8.3.2.1 "PM1 Control Registers"): SLP_TYP in bits 12:10 and
 * SLP_EN (bit 13) of PM1a_CNT (and PM1b_CNT if there is one).
 */
void x86_power_off(void)
{
	__asm__ volatile("cli" : : : "memory");
	if (acpi_info.pm1a_cnt && acpi_info.have_s5) {
		if (acpi_info.pm1b_cnt)
			outw(acpi_info.pm1b_cnt, (acpi_info.slp_typ_s5b & 7) << 10 | 1 << 13);
		outw(acpi_info.pm1a_cnt, (acpi_info.slp_typ_s5a & 7) << 10 | 1 << 13);
		udelay(100000);
	}
	static const char msg[] = "hyp: power-off failed; halting\n";

	console_write(msg, sizeof(msg) - 1);
	arch_cpu_stop();
}
