// SPDX-License-Identifier: MIT
/*
 * The build's payload check: kvm/loader.c's header and segment checks, run on the host on
 * every guest image before it is embedded (tools/payloads.sh).  The rules live in one
 * place, the loader; an image it would refuse at run time, inside QEMU, stops the build
 * instead, with the loader's reason on one line.
 *
 *   payload-check <arm64|x86_64> <file.elf>      exit 0: the loader would take it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

struct memslot;
struct memslot *vm_find_slot(struct vm *vm, u64 gpa, u64 size);

#define EM_AARCH64 183
#define EM_X86_64 62

static int refuse(const char *file, const char *why)
{
	fprintf(stderr, "error: payload image %s: %s: refusing to embed it\n", file, why);
	return 1;
}

int main(int argc, char **argv)
{
	const char *why;
	long size;
	u16 machine;
	u8 *image;
	FILE *f;
	int ret;

	if (argc != 3 || (strcmp(argv[1], "arm64") && strcmp(argv[1], "x86_64"))) {
		fprintf(stderr, "usage: %s arm64|x86_64 file.elf\n", argv[0]);
		return 2;
	}
	machine = strcmp(argv[1], "arm64") ? EM_X86_64 : EM_AARCH64;
	f = fopen(argv[2], "rb");
	if (!f)
		return refuse(argv[2], "missing");
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		return refuse(argv[2], "unreadable");
	image = malloc(size ? size : 1);
	if (!image || fread(image, 1, size, f) != (size_t)size)
		return refuse(argv[2], "unreadable");
	fclose(f);
	ret = loader_check_image(image, size, machine, &why);
	free(image);
	return ret ? refuse(argv[2], why) : 0;
}

/* loader.c's segment check asks for a memslot only when it has a VM; here it never does. */
struct memslot *vm_find_slot(struct vm *vm, u64 gpa, u64 size)
{
	(void)vm, (void)gpa, (void)size;
	return NULL;
}
