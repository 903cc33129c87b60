/* SPDX-License-Identifier: MIT */
/*
 * A small, read-only flattened device tree (DTB) reader.  Format: the
 * Devicetree Specification v0.4, chapter 5 "Flattened Devicetree (DTB)
 * Format"; property meanings: chapter 2 ("reg", "#address-cells",
 * "compatible", "status") and chapter 3 (/memory, /cpus, /chosen).
 *
 * Plain C with no architecture in it; it lives in arch/arm64 only because
 * arm64 is the one boot path that receives a DTB (x86-64 gets a UEFI memory
 * map), and guests that want one can compile this file as it is.
 *
 * Every read is bounds-checked against the header, so a corrupt blob makes
 * the functions fail, not fault.  "reg" addresses are taken as they are:
 * "ranges" of parent buses are not applied (QEMU virt puts its devices at
 * the root, where there is nothing to translate).
 */
#ifndef ARCH_ARM64_FDT_H
#define ARCH_ARM64_FDT_H

#include "mmu/types.h"

#define FDT_MAGIC     0xd00dfeed
#define FDT_MAX_DEPTH 16

struct fdt_blob;

/* One node during a walk; valid only inside the callback. */
struct fdt_node {
	const struct fdt_blob *blob;
	const struct fdt_node *parent; /* NULL for the root */
	const char *name;	       /* "" for the root, else "name@unit" */
	u32 off;		       /* offset of its BEGIN_NODE token */
	unsigned int depth;	       /* 0 for the root */
	u32 addr_cells, size_cells;    /* the parent's: how this node's "reg" reads */
	u32 child_addr_cells, child_size_cells;
};

/* Return non-zero to stop the walk; fdt_for_each_node() then returns it. */
typedef int (*fdt_node_fn)(const struct fdt_node *node, void *ctx);

/* 0 if @dtb has a sane header (then *@size = totalsize), else -1. */
int fdt_check(const void *dtb, u32 *size);
/* Visit every node, parents before children.  -1 if the blob is corrupt. */
int fdt_for_each_node(const void *dtb, fdt_node_fn fn, void *ctx);

/* A property's value and length, or NULL when the node has none. */
const void *fdt_getprop(const struct fdt_node *node, const char *name, u32 *len);
/* A property that is a NUL-terminated string (the first of a list), or NULL. */
const char *fdt_getprop_str(const struct fdt_node *node, const char *name);
/* Does any string in the node's "compatible" list equal @compat? */
bool fdt_is_compatible(const struct fdt_node *node, const char *compat);
/* "status" absent, "okay" or "ok". */
bool fdt_is_enabled(const struct fdt_node *node);
/* Entry @idx of "reg" (1 or 2 address cells, 0 to 2 size cells); false if none. */
bool fdt_reg(const struct fdt_node *node, unsigned int idx, u64 *addr, u64 *size);
/* Is the node's full path @path (e.g. "/pl011@9000000"), compared up to @len? */
bool fdt_path_is(const struct fdt_node *node, const char *path, size_t len);

/* What the boot path wants from the tree. */
#define FDT_MAX_MEM  8
#define FDT_MAX_CPUS 16

struct fdt_platform {
	u32 dtb_size;
	unsigned int nr_mem;
	struct {
		u64 base, size;
	} mem[FDT_MAX_MEM];
	unsigned int nr_cpus;	     /* /cpus/cpu@* nodes that are enabled */
	u64 cpu_mpidr[FDT_MAX_CPUS]; /* their "reg": MPIDR affinity fields */
	u64 uart_base;		     /* the PL011 /chosen/stdout-path names, else the
					   first "arm,pl011"; 0 if none */
	char psci_method[8];	     /* "smc" or "hvc" of a PSCI 0.2+ node, else "" */
	u64 gicd_base;		     /* "arm,gic-v3" reg[0]: distributor; 0 if none */
	u64 gicr_base, gicr_size;    /* reg[1]: the redistributor region */
	const char *bootargs;	     /* /chosen/bootargs inside the blob, or NULL */
};

/* Fill @plat from @dtb; 0 on success, -1 if the blob is unusable. */
int fdt_parse_platform(const void *dtb, struct fdt_platform *plat);

#endif
