// SPDX-License-Identifier: MIT
/*
 * ELF64 loader.  The image comes from the hypervisor's own binary today, but
 * it is treated as hostile input all the same: every offset and size is
 * checked against the file and the memslots, with overflow in mind, before
 * a single byte is copied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "vm.h"

#define ELF_CLASS64   2
#define ELF_DATA_LE   1
#define ELF_TYPE_EXEC 2
#define ELF_PT_LOAD   1
#define ELF_PF_X      1
#define ELF_MAX_PHDRS 64

struct elf64_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};

static const u8 elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

/* [off, off + len) lies inside a buffer of @size bytes. */
static bool in_file(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

static int loader_check_header(const struct elf64_ehdr *eh, u64 size, u16 machine, const char **why)
{
	*why = "not an ELF image";
	if (memcmp(eh->ident, elf_magic, sizeof(elf_magic)))
		return -ENOEXEC;
	*why = "not ELF64 little-endian";
	if (eh->ident[4] != ELF_CLASS64 || eh->ident[5] != ELF_DATA_LE)
		return -ENOEXEC;
	*why = "not an executable";
	if (eh->type != ELF_TYPE_EXEC || eh->version != 1)
		return -ENOEXEC;
	*why = "built for another machine";
	if (eh->machine != machine)
		return -ENOEXEC;
	*why = "bad program header table";
	if (eh->phentsize != sizeof(struct elf64_phdr) || !eh->phnum || eh->phnum > ELF_MAX_PHDRS ||
	    !in_file(eh->phoff, (u64)eh->phnum * sizeof(struct elf64_phdr), size))
		return -ENOEXEC;
	return 0;
}

static int loader_check_segment(struct vm *vm, const struct elf64_phdr *ph, u64 size,
				const char **why)
{
	*why = "segment file size above its memory size";
	if (ph->filesz > ph->memsz)
		return -ENOEXEC;
	*why = "segment data beyond the end of the file";
	if (!in_file(ph->offset, ph->filesz, size))
		return -ENOEXEC;
	/* No VM (the build's check): memslots are the run's matter. */
	*why = "segment outside guest memory";
	if (!ph->memsz || (vm && !vm_find_slot(vm, ph->paddr, ph->memsz)))
		return -EFAULT;
	return 0;
}

/* Everything the copy relies on, checked before it starts. */
static int loader_check(struct vm *vm, const u8 *image, u64 size, u16 machine, u64 *entry,
			const char **why)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	bool entry_ok = false, any = false;
	unsigned int i;
	int ret;

	*why = "image too small for an ELF header";
	if (!image || size < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, image, sizeof(eh)); /* the image need not be aligned */
	ret = loader_check_header(&eh, size, machine, why);
	for (i = 0; !ret && i < eh.phnum; i++) {
		memcpy(&ph, image + eh.phoff + i * sizeof(ph), sizeof(ph));
		if (ph.type != ELF_PT_LOAD)
			continue;
		ret = loader_check_segment(vm, &ph, size, why);
		any = true;
		if ((ph.flags & ELF_PF_X) && eh.entry >= ph.paddr && eh.entry - ph.paddr < ph.memsz)
			entry_ok = true;
	}
	if (ret)
		return ret;
	*why = "no loadable segment";
	if (!any)
		return -ENOEXEC;
	*why = "entry point outside every executable segment";
	if (!entry_ok)
		return -ENOEXEC;
	*entry = eh.entry;
	return 0;
}

int loader_check_image(const void *image, u64 size, u16 machine, const char **why)
{
	u64 entry;

	return loader_check(NULL, image, size, machine, &entry, why);
}

static int loader_zero(struct vm *vm, u64 gpa, u64 len)
{
	static const u8 zeroes[4096];
	int ret = 0;

	while (len && !ret) {
		u64 n = len < sizeof(zeroes) ? len : sizeof(zeroes);

		ret = vm_write_guest(vm, gpa, zeroes, n);
		gpa += n;
		len -= n;
	}
	return ret;
}

int loader_load_machine(struct vm *vm, const void *image, u64 size, u16 machine, u64 *entry)
{
	const u8 *img = image;
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	const char *why;
	unsigned int i;
	int ret;

	ret = loader_check(vm, img, size, machine, entry, &why);
	if (ret) {
		printf("vm %s: payload refused: %s\n", vm->name, why);
		return ret;
	}
	memcpy(&eh, img, sizeof(eh));
	for (i = 0; !ret && i < eh.phnum; i++) {
		memcpy(&ph, img + eh.phoff + i * sizeof(ph), sizeof(ph));
		if (ph.type != ELF_PT_LOAD)
			continue;
		ret = vm_write_guest(vm, ph.paddr, img + ph.offset, ph.filesz);
		if (!ret)
			ret = loader_zero(vm, ph.paddr + ph.filesz, ph.memsz - ph.filesz);
	}
	return ret;
}

/* ---- self-test: malformed images must be refused ------------------------------------------ */

enum loader_case {
	LC_TRUNCATED,
	LC_MAGIC,
	LC_CLASS32,
	LC_MACHINE,
	LC_PHOFF,
	LC_PHOFF_WRAP,
	LC_OUTSIDE,
	LC_WRAPS,
	LC_FILESZ,
	LC_OFFSET,
	LC_OFFSET_WRAP,
	LC_ENTRY,
	LC_COUNT,
};

static const char *const loader_case_names[LC_COUNT] = {
	"truncated",	       "bad-magic",	    "elf32",
	"wrong-machine",       "phdrs-past-end",    "phdrs-offset-wraps",
	"segment-outside-ram", "segment-wraps",	    "filesz-above-memsz",
	"data-past-end",       "data-offset-wraps", "entry-outside",
};

static struct elf64_phdr *first_load(u8 *img)
{
	struct elf64_ehdr *eh = (struct elf64_ehdr *)img;
	struct elf64_phdr *ph = (struct elf64_phdr *)(img + eh->phoff);
	unsigned int i;

	for (i = 0; i < eh->phnum; i++)
		if (ph[i].type == ELF_PT_LOAD)
			return &ph[i];
	return ph;
}

/* Break a copy of a good image the way case @c says. */
static void loader_corrupt(u8 *img, u64 *size, enum loader_case c)
{
	struct elf64_ehdr *eh = (struct elf64_ehdr *)img;
	struct elf64_phdr *ph = first_load(img);

	switch (c) {
	case LC_TRUNCATED:
		*size = 40;
		break;
	case LC_MAGIC:
		img[1] = 'X';
		break;
	case LC_CLASS32:
		img[4] = 1;
		break;
	case LC_MACHINE:
		eh->machine ^= 0x55;
		break;
	case LC_PHOFF:
		eh->phoff = *size - 8;
		break;
	case LC_PHOFF_WRAP:
		eh->phoff = ~0ULL - 16;
		break;
	case LC_OUTSIDE:
		ph->paddr = 0x1000;
		break;
	case LC_WRAPS:
		ph->paddr = ~0ULL - 0xfff;
		ph->memsz = 0x10000;
		break;
	case LC_FILESZ:
		ph->filesz = ph->memsz + 1;
		break;
	case LC_OFFSET:
		ph->offset = *size;
		break;
	case LC_OFFSET_WRAP:
		ph->offset = ~0ULL - 8;
		break;
	default:
		eh->entry = 0x8;
		break;
	}
}

static bool loader_case_refused(struct vm *vm, enum loader_case c, u8 *copy, const void *good,
				u64 size)
{
	const char *why = "";
	u64 entry, sz = size;
	int ret;

	memcpy(copy, good, size);
	loader_corrupt(copy, &sz, c);
	ret = loader_check(vm, copy, sz, ARCH_ELF_MACHINE, &entry, &why);
	printf("%s hyp/loader-refuses-%s (%s)\n", ret ? "PASS" : "FAIL", loader_case_names[c],
	       ret ? why : "accepted");
	return ret != 0;
}

unsigned int loader_selftest(struct vm *vm, const void *good, u64 size, unsigned int *passed)
{
	const char *why = "";
	unsigned int i, failed = 0;
	u8 *copy = malloc(size);
	u64 entry;
	bool ok;

	if (!copy || size < sizeof(struct elf64_ehdr)) {
		free(copy);
		printf("FAIL hyp/loader-selftest (no image)\n");
		return 1;
	}
	ok = !loader_check(vm, good, size, ARCH_ELF_MACHINE, &entry, &why);
	printf("%s hyp/loader-accepts-good-image%s%s\n", ok ? "PASS" : "FAIL", ok ? "" : ": ",
	       ok ? "" : why);
	failed += !ok;
	*passed += ok;
	for (i = 0; i < LC_COUNT; i++) {
		ok = loader_case_refused(vm, i, copy, good, size);
		failed += !ok;
		*passed += ok;
	}
	free(copy);
	return failed;
}
