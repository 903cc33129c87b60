/* SPDX-License-Identifier: MIT */
/*
 * A flattened device tree writer (Devicetree Specification v0.4, chapter 5
 * "Flattened Devicetree (DTB) Format") and the tree of a Linux guest.
 *
 * Architecture-free and allocation-free: builds on the host unchanged
 * (tests/host/test_fdt_gen.c checks its output with dtc).
 */
#ifndef KVM_FDT_GEN_H
#define KVM_FDT_GEN_H

/* "types.h" is mmu/types.h, through -Immu (the host build has no -I.). */
#include "types.h"

/*
 * The writer keeps the structure block and the strings block in two parts
 * of the caller's buffer and puts the blob together in fdt_finish().
 * Errors are sticky: after the first one every call does nothing and
 * fdt_finish() returns it.
 */
struct fdt_writer {
	u8 *structs; /* the caller's buffer, first 3/4 */
	u32 struct_len, struct_cap;
	char *strings; /* the last 1/4 */
	u32 strings_len, strings_cap;
	u32 depth;
	u32 next_phandle;
	int err;
};

/* Write into @buf (@size bytes, 8-byte aligned). */
void fdt_begin(struct fdt_writer *w, void *buf, u32 size);
void fdt_begin_node(struct fdt_writer *w, const char *name);
void fdt_end_node(struct fdt_writer *w);
void fdt_prop(struct fdt_writer *w, const char *name, const void *val, u32 len);
void fdt_prop_empty(struct fdt_writer *w, const char *name);
void fdt_prop_u32(struct fdt_writer *w, const char *name, u32 val);
void fdt_prop_u64(struct fdt_writer *w, const char *name, u64 val);
/* @n cells, each stored big-endian. */
void fdt_prop_cells(struct fdt_writer *w, const char *name, const u32 *cells, u32 n);
void fdt_prop_str(struct fdt_writer *w, const char *name, const char *s);
/* A string list: @list holds @len bytes of NUL-terminated strings back to back. */
void fdt_prop_strs(struct fdt_writer *w, const char *name, const char *list, u32 len);
/* A fresh phandle (1, 2, ...): the caller writes it with fdt_prop_u32(w, "phandle", ...). */
u32 fdt_alloc_phandle(struct fdt_writer *w);
/*
 * Close the tree: header, an empty memory reservation block, the structure
 * and strings blocks, moved into place at the start of the buffer.  The
 * blob's size, or a negative errno (-ENOSPC: buffer too small, -EINVAL:
 * nodes left open or a bad name).
 */
int fdt_finish(struct fdt_writer *w);

/* What a Linux guest's tree says about its VM. */
struct fdt_guest {
	u64 ram_base, ram_size;
	unsigned int nr_cpus;	      /* 1..8; MPIDR of cpu i is i */
	const char *bootargs;	      /* NULL or "" for none */
	u64 initrd_start, initrd_end; /* both 0: no initrd */
};

/*
 * The whole tree of a guest on the platform of guest_platform.h: memory,
 * CPUs (enable-method psci), PSCI over HVC, GICv3, the architected timer, the
 * PL011 and its clock, /chosen.  Into @buf (@size bytes, 8-byte aligned);
 * returns the blob's size or a negative errno.
 */
int fdt_gen_guest(const struct fdt_guest *g, void *buf, u32 size);

#endif
