// SPDX-License-Identifier: MIT
/*
 * Guest images as QEMU's -kernel takes them on arm64, checked as hostile
 * input: every header field is validated, every address computed with
 * overflow in mind, before a byte is copied.
 *
 * Layout of the guest's RAM (arm64 boot protocol, Documentation/arm64/booting.rst):
 *
 *   RAM base (2 MiB aligned) + text_offset   the Image, image_size bytes with its BSS
 *   ...                                      free
 *   below the DTB, page aligned              the initrd
 *   top of RAM - 2 MiB (2 MiB aligned)       the device tree (booting.rst: 8-byte
 *                                            aligned, at most 2 MiB, not crossing a
 *                                            2 MiB boundary; this is all three)
 *
 * The primary vCPU enters at EL1h with the MMU and caches off, interrupts
 * masked (arch_vcpu_reset()), x0 = the device tree, x1-x3 = 0.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt_gen.h"
#include "guest_image.h"
#include "guest_platform.h"
#include "loader.h"
#include "vm.h"

/* The arm64 Image header (booting.rst, "Call the kernel image"), little-endian. */
#define IMAGE_HDR_SIZE	      64
#define IMAGE_OFF_TEXT_OFFSET 8
#define IMAGE_OFF_IMAGE_SIZE  16
#define IMAGE_OFF_FLAGS	      24
#define IMAGE_OFF_MAGIC	      56
#define IMAGE_MAGIC	      0x644d5241U /* "ARM\x64" */
#define IMAGE_FLAG_BE	      BIT(0)
/* image_size 0 means a kernel older than 3.17: text_offset is then 0x80000. */
#define IMAGE_LEGACY_TEXT_OFFSET 0x80000ULL

/* An EFI-stub Image is also a PE/COFF file ("MZ" at 0, "PE\0\0" at [0x3c]). */
#define PE_OFF_LFANEW	 0x3c
#define PE_COFF_HDR_SIZE 24 /* "PE\0\0" + the COFF file header */
#define PE_SECTION_SIZE	 40
#define PE_MAX_SECTIONS	 96

/* Where QEMU (and U-Boot's booti for old kernels) puts a raw binary: RAM + 0x80000. */
#define RAW_LOAD_OFFSET 0x80000ULL

#define DTB_ALIGN    SZ_2M
#define DTB_MAX_SIZE 0x10000U

#define ELF_PT_LOAD 1

static const u8 elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

static u32 le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static u64 le64(const u8 *p)
{
	return le32(p) | (u64)le32(p + 4) << 32;
}

static u16 le16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

static bool is_image(const struct guest_boot *b)
{
	return b->kernel_size >= IMAGE_OFF_MAGIC + 4 &&
	       le32(b->kernel + IMAGE_OFF_MAGIC) == IMAGE_MAGIC;
}

/*
 * An EFI-stub Image says in its PE section table how much file it has; a
 * file shorter than that was cut short.  (A kernel without the stub carries
 * no such record; its truncation shows only when it runs.)
 */
static int image_check_pe(const struct guest_boot *b, const char **why)
{
	const u8 *k = b->kernel;
	u64 size = b->kernel_size, pe, sec;
	unsigned int i, n;

	if (k[0] != 'M' || k[1] != 'Z')
		return 0;
	pe = le32(k + PE_OFF_LFANEW);
	*why = "truncated: its PE/COFF header lies past the end of the file";
	if (pe > size || size - pe < PE_COFF_HDR_SIZE || memcmp(k + pe, "PE\0\0", 4))
		return -ENOEXEC;
	n = le16(k + pe + 6);
	sec = pe + PE_COFF_HDR_SIZE + le16(k + pe + 20);
	*why = "malformed PE/COFF section table";
	if (n > PE_MAX_SECTIONS || sec > size || (size - sec) / PE_SECTION_SIZE < n)
		return -ENOEXEC;
	for (i = 0; i < n; i++) {
		const u8 *s = k + sec + i * PE_SECTION_SIZE;
		u64 end = (u64)le32(s + 20) + le32(s + 16); /* PointerToRawData + SizeOfRawData */

		*why = "truncated: its PE/COFF sections extend past the end of the file";
		if (end > size)
			return -ENOEXEC;
	}
	return 0;
}

static int layout_image(const struct guest_boot *b, u64 ram_base, u64 room, struct guest_layout *l,
			const char **why)
{
	const u8 *k = b->kernel;
	u64 text_offset, image_size, flags;
	int ret;

	*why = "truncated arm64 Image header (shorter than 64 bytes)";
	if (b->kernel_size < IMAGE_HDR_SIZE)
		return -ENOEXEC;
	text_offset = le64(k + IMAGE_OFF_TEXT_OFFSET);
	image_size = le64(k + IMAGE_OFF_IMAGE_SIZE);
	flags = le64(k + IMAGE_OFF_FLAGS);
	*why = "big-endian arm64 Image (the guest starts little-endian)";
	if (image_size && (flags & IMAGE_FLAG_BE))
		return -ENOEXEC;
	if (!image_size) {
		text_offset = IMAGE_LEGACY_TEXT_OFFSET;
		image_size = b->kernel_size;
	}
	*why = "arm64 Image larger than its header's image_size";
	if (b->kernel_size > image_size)
		return -ENOEXEC;
	*why = "arm64 Image text_offset not 4 KiB aligned";
	if (text_offset & (SZ_4K - 1))
		return -ENOEXEC;
	ret = image_check_pe(b, why);
	if (ret)
		return ret;
	/* The base is RAM's start, 2 MiB aligned as booting.rst wants (any placement flag). */
	*why = "arm64 Image (text_offset + image_size) does not fit below the initrd and DTB";
	if (text_offset > room || image_size > room - text_offset)
		return -ENOSPC;
	l->kind = GUEST_IMAGE_ARM64;
	l->kernel_load = ram_base + text_offset;
	l->kernel_end = l->kernel_load + image_size;
	l->entry = l->kernel_load;
	return 0;
}

/*
 * Where an ELF's segments end: the loader checks everything when it loads;
 * here only the extent, so the initrd and DTB can be kept clear of it.
 */
static int layout_elf(const struct guest_boot *b, u64 ram_base, u64 room, struct guest_layout *l,
		      const char **why)
{
	const u8 *k = b->kernel;
	u64 phoff, start = ~0ULL, end = 0, i;
	u16 phentsize, phnum;

	*why = "truncated ELF header";
	if (b->kernel_size < 64)
		return -ENOEXEC;
	phoff = le64(k + 32);
	phentsize = le16(k + 54);
	phnum = le16(k + 56);
	*why = "malformed ELF program header table";
	if (phentsize != 56 || !phnum || phoff > b->kernel_size ||
	    (b->kernel_size - phoff) / phentsize < phnum)
		return -ENOEXEC;
	for (i = 0; i < phnum; i++) {
		const u8 *ph = k + phoff + i * phentsize;
		u64 paddr = le64(ph + 24), memsz = le64(ph + 40);

		if (le32(ph) != ELF_PT_LOAD)
			continue;
		*why = "ELF segment outside guest RAM or over the initrd and DTB";
		if (paddr < ram_base || paddr - ram_base > room ||
		    memsz > room - (paddr - ram_base))
			return -ENOSPC;
		if (paddr + memsz > end)
			end = paddr + memsz;
		if (paddr < start)
			start = paddr;
	}
	*why = "ELF without a loadable segment";
	if (!end)
		return -ENOEXEC;
	l->kind = GUEST_IMAGE_ELF;
	l->kernel_load = start;
	l->kernel_end = end;
	l->entry = le64(k + 24); /* loader_load() checks it lies in an executable segment */
	return 0;
}

int guest_image_layout(const struct guest_boot *b, u64 ram_base, u64 ram_size,
		       struct guest_layout *l, const char **why)
{
	u64 ram_end = ram_base + ram_size, room;

	memset(l, 0, sizeof(*l));
	*why = "empty kernel image";
	if (!b->kernel || !b->kernel_size)
		return -ENOEXEC;
	*why = "gzip-compressed kernel (Image.gz): decompress it first (gunzip)";
	if (b->kernel_size >= 2 && b->kernel[0] == 0x1f && b->kernel[1] == 0x8b)
		return -ENOEXEC;
	*why = "guest RAM too small or misaligned for a device tree";
	if ((ram_base | ram_size) & (DTB_ALIGN - 1) || ram_size < 2 * DTB_ALIGN)
		return -ENOSPC;
	l->dtb = ram_end - DTB_ALIGN;
	l->initrd_end = l->dtb;
	if (b->initrd_size) {
		*why = "initrd does not fit in guest RAM";
		if (!b->initrd || b->initrd_size > l->dtb - ram_base)
			return -ENOSPC;
		l->initrd_start = (l->dtb - b->initrd_size) & ~(SZ_4K - 1);
		l->initrd_end = l->initrd_start + b->initrd_size;
	} else {
		l->initrd_start = l->initrd_end;
	}
	room = l->initrd_start - ram_base; /* what the kernel may use from RAM base */

	if (is_image(b))
		return layout_image(b, ram_base, room, l, why);
	if (b->kernel_size >= 4 && !memcmp(b->kernel, elf_magic, 4))
		return layout_elf(b, ram_base, room, l, why);
	*why = "PE/COFF file without an arm64 Image header (not a Linux kernel Image)";
	if (b->kernel[0] == 'M' && b->kernel_size >= 2 && b->kernel[1] == 'Z')
		return -ENOEXEC;
	*why = "raw binary does not fit at RAM base + 0x80000 below the initrd and DTB";
	if (RAW_LOAD_OFFSET > room || b->kernel_size > room - RAW_LOAD_OFFSET)
		return -ENOSPC;
	l->kind = GUEST_IMAGE_RAW;
	l->kernel_load = ram_base + RAW_LOAD_OFFSET;
	l->kernel_end = l->kernel_load + b->kernel_size;
	l->entry = l->kernel_load;
	return 0;
}

static const char *const kind_names[] = { "arm64 Image", "ELF", "raw binary" };

int guest_image_load(struct vm *vm, const struct guest_boot *b, u64 *entry, u64 *arg)
{
	struct memslot *slot = vm_find_slot(vm, VM_RAM_BASE, 1);
	struct guest_layout l;
	struct fdt_guest g;
	const char *why;
	void *dtb;
	int ret;

	if (!slot) {
		printf("vm %s: guest image refused: no RAM at %#llx\n", vm->name, VM_RAM_BASE);
		return -EFAULT;
	}
	ret = guest_image_layout(b, slot->base, slot->size, &l, &why);
	if (ret) {
		printf("vm %s: guest image refused: %s\n", vm->name, why);
		return ret;
	}
	if (l.kind == GUEST_IMAGE_ELF)
		ret = loader_load(vm, b->kernel, b->kernel_size, &l.entry);
	else
		ret = vm_write_guest(vm, l.kernel_load, b->kernel, b->kernel_size);
	if (!ret && l.initrd_end > l.initrd_start)
		ret = vm_write_guest(vm, l.initrd_start, b->initrd, b->initrd_size);
	if (ret) {
		printf("vm %s: guest image refused: loading failed (error %d)\n", vm->name, ret);
		return ret;
	}

	g = (struct fdt_guest){
		.ram_base = slot->base,
		.ram_size = slot->size,
		.nr_cpus = vm->nr_vcpus,
		.bootargs = b->cmdline,
		.initrd_start = l.initrd_start,
		.initrd_end = l.initrd_end,
	};
	dtb = memalign(8, DTB_MAX_SIZE);
	ret = dtb ? fdt_gen_guest(&g, dtb, DTB_MAX_SIZE) : -ENOMEM;
	if (ret > 0)
		ret = vm_write_guest(vm, l.dtb, dtb, ret);
	free(dtb);
	if (ret) {
		printf("vm %s: device tree: error %d\n", vm->name, ret);
		return ret;
	}
	printf("vm %s: %s of %llu KiB at %#llx (up to %#llx), entry %#llx; initrd %llu KiB at "
	       "%#llx; DTB at %#llx; \"%s\"\n",
	       vm->name, kind_names[l.kind], (unsigned long long)b->kernel_size >> 10,
	       (unsigned long long)l.kernel_load, (unsigned long long)l.kernel_end,
	       (unsigned long long)l.entry, (unsigned long long)b->initrd_size >> 10,
	       (unsigned long long)l.initrd_start, (unsigned long long)l.dtb,
	       b->cmdline ? b->cmdline : "");
	*entry = l.entry;
	*arg = l.dtb;
	return 0;
}

/* ---- self-test: what must be refused, and where good images go ---------------------------- */

#define TEST_RAM_BASE	 VM_RAM_BASE
#define TEST_RAM_SIZE	 (64 * SZ_2M)
#define TEST_IMAGE_SIZE	 0x2000U
#define TEST_INITRD_SIZE 0x1234U

/* A small EFI-stub Image: header, "PE\0\0" at 0x40, one section ending at the file's end. */
static void make_image(u8 *k)
{
	memset(k, 0, TEST_IMAGE_SIZE);
	k[0] = 'M';
	k[1] = 'Z';
	k[IMAGE_OFF_IMAGE_SIZE + 2] = 0x01; /* image_size 0x10000 */
	k[IMAGE_OFF_FLAGS] = 0x0a;	    /* 4K pages, anywhere */
	memcpy(k + IMAGE_OFF_MAGIC, "ARM\x64", 4);
	k[PE_OFF_LFANEW] = 0x40;
	memcpy(k + 0x40, "PE\0\0", 4);
	k[0x40 + 6] = 1; /* one section */
	/* no optional header: the section table follows the COFF header */
	k[0x40 + PE_COFF_HDR_SIZE + 16 + 1] = 0x10; /* SizeOfRawData 0x1000 */
	k[0x40 + PE_COFF_HDR_SIZE + 20 + 1] = 0x10; /* PointerToRawData 0x1000 */
}

enum gi_case {
	GI_EMPTY,
	GI_HDR_TRUNCATED,
	GI_PE_TRUNCATED,
	GI_BIG_ENDIAN,
	GI_ABOVE_IMAGE_SIZE,
	GI_TOO_BIG,
	GI_TEXT_OFFSET,
	GI_GZIP,
	GI_PE_ONLY,
	GI_INITRD_TOO_BIG,
	GI_RAW_TOO_BIG,
	GI_ELF_OUTSIDE,
	GI_COUNT,
};

static const char *const gi_case_names[GI_COUNT] = {
	"empty",
	"image-header-truncated",
	"image-truncated",
	"image-big-endian",
	"image-above-image-size",
	"image-too-big-for-ram",
	"image-text-offset-unaligned",
	"gzip-compressed",
	"pe-without-image-header",
	"initrd-too-big",
	"raw-too-big",
	"elf-outside-ram",
};

/* Break a good Image (or boot description) the way @c says; the RAM base to check against. */
static u64 gi_corrupt(enum gi_case c, struct guest_boot *b, u8 *k, const void *elf, u64 elf_size)
{
	switch (c) {
	case GI_EMPTY:
		b->kernel_size = 0;
		break;
	case GI_HDR_TRUNCATED:
		b->kernel_size = IMAGE_OFF_MAGIC + 6;
		break;
	case GI_PE_TRUNCATED:
		b->kernel_size = TEST_IMAGE_SIZE / 2;
		break;
	case GI_BIG_ENDIAN:
		k[IMAGE_OFF_FLAGS] |= IMAGE_FLAG_BE;
		break;
	case GI_ABOVE_IMAGE_SIZE:
		k[IMAGE_OFF_IMAGE_SIZE + 2] = 0;
		k[IMAGE_OFF_IMAGE_SIZE + 1] = 0x10; /* 0x1000 < the file */
		break;
	case GI_TOO_BIG:
		k[IMAGE_OFF_IMAGE_SIZE + 3] = 0x10; /* 256 MiB */
		break;
	case GI_TEXT_OFFSET:
		k[IMAGE_OFF_TEXT_OFFSET] = 0x10;
		break;
	case GI_GZIP:
		k[0] = 0x1f;
		k[1] = 0x8b;
		break;
	case GI_PE_ONLY:
		memset(k + IMAGE_OFF_MAGIC, 0, 4);
		break;
	case GI_INITRD_TOO_BIG:
		b->initrd_size = TEST_RAM_SIZE;
		break;
	case GI_RAW_TOO_BIG:
		k[0] = 0; /* no longer MZ: a raw binary */
		memset(k + IMAGE_OFF_MAGIC, 0, 4);
		b->kernel_size = TEST_RAM_SIZE; /* (only the first bytes are looked at) */
		break;
	default:
		b->kernel = elf;
		b->kernel_size = elf_size;
		return TEST_RAM_BASE + SZ_1G; /* the payload links below this RAM */
	}
	return TEST_RAM_BASE;
}

static bool gi_verdict(const char *what, bool ok, const char *detail, unsigned int *passed)
{
	printf("%s hyp/guest-image-%s%s%s%s\n", ok ? "PASS" : "FAIL", what, *detail ? " (" : "",
	       detail, *detail ? ")" : "");
	*passed += ok;
	return !ok;
}

/* Good images: where the kernel, initrd and DTB land. */
static unsigned int gi_accepts(const void *elf, u64 elf_size, u8 *k, u8 *initrd,
			       unsigned int *passed)
{
	struct guest_boot b = { k, TEST_IMAGE_SIZE, initrd, TEST_INITRD_SIZE, "" };
	u64 top = TEST_RAM_BASE + TEST_RAM_SIZE;
	struct guest_layout l;
	const char *why = "";
	unsigned int failed = 0;
	bool ok;

	make_image(k);
	ok = !guest_image_layout(&b, TEST_RAM_BASE, TEST_RAM_SIZE, &l, &why) &&
	     l.kind == GUEST_IMAGE_ARM64 && l.kernel_load == TEST_RAM_BASE &&
	     l.kernel_end == TEST_RAM_BASE + 0x10000 && l.entry == TEST_RAM_BASE &&
	     l.dtb == top - SZ_2M && !(l.initrd_start & (SZ_4K - 1)) &&
	     l.initrd_end == l.initrd_start + TEST_INITRD_SIZE && l.initrd_end <= l.dtb &&
	     l.initrd_start >= l.kernel_end;
	failed += gi_verdict("accepts-image", ok, ok ? "" : why, passed);

	k[0] = 0;
	memset(k + IMAGE_OFF_MAGIC, 0, 4);
	b.initrd_size = 0;
	ok = !guest_image_layout(&b, TEST_RAM_BASE, TEST_RAM_SIZE, &l, &why) &&
	     l.kind == GUEST_IMAGE_RAW && l.entry == TEST_RAM_BASE + RAW_LOAD_OFFSET &&
	     l.initrd_start == l.initrd_end;
	failed += gi_verdict("accepts-raw", ok, ok ? "" : why, passed);

	b.kernel = elf;
	b.kernel_size = elf_size;
	ok = !guest_image_layout(&b, TEST_RAM_BASE, TEST_RAM_SIZE, &l, &why) &&
	     l.kind == GUEST_IMAGE_ELF;
	failed += gi_verdict("accepts-elf", ok, ok ? "" : why, passed);
	return failed;
}

unsigned int guest_image_selftest(struct vm *vm, const void *elf, u64 elf_size,
				  unsigned int *passed)
{
	u8 *k = malloc(TEST_IMAGE_SIZE); /* layouts read headers only: sizes may lie */
	static u8 initrd[TEST_INITRD_SIZE];
	unsigned int failed, i;

	(void)vm;
	if (!k)
		return gi_verdict("selftest", false, "out of memory", passed);
	failed = gi_accepts(elf, elf_size, k, initrd, passed);
	for (i = 0; i < GI_COUNT; i++) {
		struct guest_boot b = { k, TEST_IMAGE_SIZE, initrd, TEST_INITRD_SIZE, "" };
		struct guest_layout l;
		const char *why = "";
		char what[48];
		u64 base;
		int ret;

		make_image(k);
		base = gi_corrupt(i, &b, k, elf, elf_size);
		ret = guest_image_layout(&b, base, TEST_RAM_SIZE, &l, &why);
		snprintf(what, sizeof(what), "refuses-%s", gi_case_names[i]);
		failed += gi_verdict(what, ret != 0, ret ? why : "accepted", passed);
	}
	free(k);
	return failed;
}
