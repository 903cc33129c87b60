// SPDX-License-Identifier: MIT
/*
 * Flattened device tree reader (see fdt.h).  The structure block is a stream
 * of big-endian 32-bit tokens (Devicetree Specification v0.4, 5.4 "Structure
 * Block"): BEGIN_NODE + name, PROP + len + name offset + value, END_NODE,
 * NOP, END; everything padded to 4 bytes.
 */
#include <string.h>

#include "fdt.h"

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP	       4
#define FDT_END	       9

/* Header fields (Devicetree Specification 5.2), all big-endian u32. */
#define HDR_MAGIC	 0
#define HDR_TOTALSIZE	 4
#define HDR_OFF_STRUCT	 8
#define HDR_OFF_STRINGS	 12
#define HDR_VERSION	 20
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT	 36
#define HDR_LEN		 40

struct fdt_blob {
	const u8 *strct;
	u32 strct_size;
	const char *strings;
	u32 strings_size;
};

static u32 be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static u32 align4(u32 v)
{
	return (v + 3) & ~3u;
}

int fdt_check(const void *dtb, u32 *size)
{
	const u8 *h = dtb;
	u32 total, off_struct, size_struct, off_strings, size_strings;

	if (!dtb || ((uintptr_t)dtb & 7) || be32(h + HDR_MAGIC) != FDT_MAGIC)
		return -1;
	total = be32(h + HDR_TOTALSIZE);
	off_struct = be32(h + HDR_OFF_STRUCT);
	size_struct = be32(h + HDR_SIZE_STRUCT);
	off_strings = be32(h + HDR_OFF_STRINGS);
	size_strings = be32(h + HDR_SIZE_STRINGS);
	/* size_dt_struct exists from version 17 on; older blobs are not worth it. */
	if (be32(h + HDR_VERSION) < 17 || total < HDR_LEN || off_struct > total ||
	    size_struct > total - off_struct || off_strings > total ||
	    size_strings > total - off_strings)
		return -1;
	if (size)
		*size = total;
	return 0;
}

static int blob_init(struct fdt_blob *b, const void *dtb)
{
	const u8 *h = dtb;

	if (fdt_check(dtb, NULL))
		return -1;
	b->strct = h + be32(h + HDR_OFF_STRUCT);
	b->strct_size = be32(h + HDR_SIZE_STRUCT);
	b->strings = (const char *)h + be32(h + HDR_OFF_STRINGS);
	b->strings_size = be32(h + HDR_SIZE_STRINGS);
	return 0;
}

/* Length of the NUL-terminated name at @off in the structure block, or -1. */
static int name_len(const struct fdt_blob *b, u32 off)
{
	const u8 *end;

	if (off >= b->strct_size)
		return -1;
	end = memchr(b->strct + off, 0, b->strct_size - off);
	return end ? (int)(end - (b->strct + off)) : -1;
}

static u32 token_at(const struct fdt_blob *b, u32 off)
{
	if (off > b->strct_size - 4 || b->strct_size < 4)
		return 0; /* not a token: callers treat it as corruption */
	return be32(b->strct + off);
}

/*
 * Offset just past the PROP at @off, or 0 if it is malformed.  On success
 * @name, @val and @len describe it.
 */
static u32 prop_at(const struct fdt_blob *b, u32 off, const char **name, const void **val, u32 *len)
{
	u32 l, nameoff;

	if (off > b->strct_size - 12 || b->strct_size < 12)
		return 0;
	l = be32(b->strct + off + 4);
	nameoff = be32(b->strct + off + 8);
	if (l > b->strct_size - off - 12 || nameoff >= b->strings_size ||
	    !memchr(b->strings + nameoff, 0, b->strings_size - nameoff))
		return 0;
	*name = b->strings + nameoff;
	*val = b->strct + off + 12;
	*len = l;
	return align4(off + 12 + l);
}

const void *fdt_getprop(const struct fdt_node *node, const char *name, u32 *len)
{
	const struct fdt_blob *b = node->blob;
	int nl = name_len(b, node->off + 4);
	u32 off;

	if (nl < 0)
		return NULL;
	off = align4(node->off + 4 + nl + 1);
	for (;;) {
		u32 tok = token_at(b, off);
		const char *pname;
		const void *val;
		u32 plen;

		if (tok == FDT_NOP) {
			off += 4;
			continue;
		}
		if (tok != FDT_PROP)
			return NULL; /* children or the end of the node: not here */
		off = prop_at(b, off, &pname, &val, &plen);
		if (!off)
			return NULL;
		if (!strcmp(pname, name)) {
			if (len)
				*len = plen;
			return val;
		}
	}
}

const char *fdt_getprop_str(const struct fdt_node *node, const char *name)
{
	u32 len;
	const char *s = fdt_getprop(node, name, &len);

	if (!s || !len || !memchr(s, 0, len))
		return NULL;
	return s;
}

bool fdt_is_compatible(const struct fdt_node *node, const char *compat)
{
	u32 len;
	const char *s = fdt_getprop(node, "compatible", &len);

	while (s && len) {
		const char *end = memchr(s, 0, len);
		u32 n;

		if (!end)
			return false;
		n = end - s + 1;
		if (!strcmp(s, compat))
			return true;
		s += n;
		len -= n;
	}
	return false;
}

bool fdt_is_enabled(const struct fdt_node *node)
{
	const char *st = fdt_getprop_str(node, "status");

	return !st || !strcmp(st, "okay") || !strcmp(st, "ok");
}

static u64 read_cells(const u8 *p, u32 cells)
{
	u64 v = 0;

	for (u32 i = 0; i < cells; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

bool fdt_reg(const struct fdt_node *node, unsigned int idx, u64 *addr, u64 *size)
{
	u32 ac = node->addr_cells, sc = node->size_cells, len;
	const u8 *reg = fdt_getprop(node, "reg", &len);
	u32 stride = 4 * (ac + sc);

	if (!reg || ac < 1 || ac > 2 || sc > 2 || len / stride <= idx)
		return false;
	reg += idx * stride;
	*addr = read_cells(reg, ac);
	if (size)
		*size = read_cells(reg + 4 * ac, sc);
	return true;
}

bool fdt_path_is(const struct fdt_node *node, const char *path, size_t len)
{
	const struct fdt_node *chain[FDT_MAX_DEPTH];
	unsigned int n = 0;
	size_t pos = 0;

	if (!node->parent)
		return len == 1 && path[0] == '/';
	for (const struct fdt_node *p = node; p->parent && n < FDT_MAX_DEPTH; p = p->parent)
		chain[n++] = p;
	while (n--) {
		size_t l = strlen(chain[n]->name);

		if (pos >= len || path[pos] != '/' || len - pos - 1 < l ||
		    memcmp(path + pos + 1, chain[n]->name, l))
			return false;
		pos += 1 + l;
	}
	return pos == len;
}

static u32 prop_u32(const struct fdt_node *node, const char *name, u32 dflt)
{
	u32 len;
	const u8 *v = fdt_getprop(node, name, &len);

	return v && len == 4 ? be32(v) : dflt;
}

int fdt_for_each_node(const void *dtb, fdt_node_fn fn, void *ctx)
{
	struct fdt_blob b;
	struct fdt_node stack[FDT_MAX_DEPTH];
	int depth = -1;
	u32 off = 0;

	if (blob_init(&b, dtb))
		return -1;
	for (;;) {
		u32 tok = token_at(&b, off);
		struct fdt_node *n;
		const char *pname;
		const void *val;
		u32 plen;
		int nl, ret;

		switch (tok) {
		case FDT_BEGIN_NODE:
			nl = name_len(&b, off + 4);
			if (nl < 0 || ++depth >= FDT_MAX_DEPTH)
				return -1;
			n = &stack[depth];
			n->blob = &b;
			n->parent = depth ? &stack[depth - 1] : NULL;
			n->name = (const char *)b.strct + off + 4;
			n->off = off;
			n->depth = depth;
			/* Devicetree Specification 2.3.5: defaults 2 and 1. */
			n->addr_cells = n->parent ? n->parent->child_addr_cells : 2;
			n->size_cells = n->parent ? n->parent->child_size_cells : 1;
			n->child_addr_cells = prop_u32(n, "#address-cells", 2);
			n->child_size_cells = prop_u32(n, "#size-cells", 1);
			ret = fn(n, ctx);
			if (ret)
				return ret;
			off = align4(off + 4 + nl + 1);
			break;
		case FDT_END_NODE:
			if (depth < 0)
				return -1;
			depth--;
			off += 4;
			break;
		case FDT_PROP:
			off = prop_at(&b, off, &pname, &val, &plen);
			if (!off)
				return -1;
			break;
		case FDT_NOP:
			off += 4;
			break;
		case FDT_END:
			return depth == -1 ? 0 : -1;
		default:
			return -1;
		}
	}
}

/* Pass 1: where /chosen/stdout-path points, through /aliases if need be. */
struct stdout_ctx {
	const char *path; /* as given: a path or an alias, maybe ":options" */
	size_t len;
	const char *alias_target;
};

static int find_stdout(const struct fdt_node *n, void *arg)
{
	struct stdout_ctx *c = arg;

	if (n->depth != 1)
		return 0;
	if (!strcmp(n->name, "chosen")) {
		const char *p = fdt_getprop_str(n, "stdout-path");

		if (p) {
			c->path = p;
			c->len = strcspn(p, ":");
		}
	}
	return 0;
}

static int find_alias(const struct fdt_node *n, void *arg)
{
	struct stdout_ctx *c = arg;
	char alias[32];

	if (n->depth != 1 || strcmp(n->name, "aliases") || c->len >= sizeof(alias))
		return 0;
	memcpy(alias, c->path, c->len);
	alias[c->len] = 0;
	c->alias_target = fdt_getprop_str(n, alias);
	return 0;
}

struct platform_ctx {
	struct fdt_platform *p;
	const char *stdout_path;
	size_t stdout_len;
	bool uart_from_stdout;
};

static void add_memory(const struct fdt_node *n, struct fdt_platform *p)
{
	u64 base, size;

	for (unsigned int i = 0; fdt_reg(n, i, &base, &size); i++) {
		if (size && p->nr_mem < FDT_MAX_MEM) {
			p->mem[p->nr_mem].base = base;
			p->mem[p->nr_mem].size = size;
			p->nr_mem++;
		}
	}
}

static void add_cpu(const struct fdt_node *n, struct fdt_platform *p)
{
	u64 mpidr;

	if (p->nr_cpus < FDT_MAX_CPUS && fdt_reg(n, 0, &mpidr, NULL))
		p->cpu_mpidr[p->nr_cpus++] = mpidr;
}

static void add_uart(const struct fdt_node *n, struct platform_ctx *c)
{
	bool is_stdout = c->stdout_path && fdt_path_is(n, c->stdout_path, c->stdout_len);
	u64 base;

	if (c->uart_from_stdout || !fdt_reg(n, 0, &base, NULL))
		return;
	if (is_stdout || !c->p->uart_base) {
		c->p->uart_base = base;
		c->uart_from_stdout = is_stdout;
	}
}

static void add_psci(const struct fdt_node *n, struct fdt_platform *p)
{
	const char *m = fdt_getprop_str(n, "method");

	if (m && strlen(m) < sizeof(p->psci_method))
		strcpy(p->psci_method, m);
}

/* GICv3 (Arm IHI 0069, "arm,gic-v3" binding): reg[0] GICD, reg[1] the GICR region. */
static void add_gic(const struct fdt_node *n, struct fdt_platform *p)
{
	u64 size;

	if (p->gicd_base || !fdt_reg(n, 0, &p->gicd_base, &size))
		return;
	if (!fdt_reg(n, 1, &p->gicr_base, &p->gicr_size))
		p->gicd_base = 0;
}

static bool is_device_type(const struct fdt_node *n, const char *type)
{
	const char *t = fdt_getprop_str(n, "device_type");

	return t && !strcmp(t, type);
}

static int collect(const struct fdt_node *n, void *arg)
{
	struct platform_ctx *c = arg;

	if (!fdt_is_enabled(n))
		return 0;
	if (n->depth == 1 && is_device_type(n, "memory"))
		add_memory(n, c->p);
	else if (n->depth == 2 && !strcmp(n->parent->name, "cpus") && is_device_type(n, "cpu"))
		add_cpu(n, c->p);
	else if (fdt_is_compatible(n, "arm,pl011"))
		add_uart(n, c);
	else if (fdt_is_compatible(n, "arm,psci-1.0") || fdt_is_compatible(n, "arm,psci-0.2"))
		add_psci(n, c->p);
	else if (fdt_is_compatible(n, "arm,gic-v3"))
		add_gic(n, c->p);
	else if (n->depth == 1 && !strcmp(n->name, "chosen"))
		c->p->bootargs = fdt_getprop_str(n, "bootargs");
	return 0;
}

int fdt_parse_platform(const void *dtb, struct fdt_platform *plat)
{
	struct stdout_ctx so = { 0 };
	struct platform_ctx pc = { .p = plat };

	memset(plat, 0, sizeof(*plat));
	if (fdt_check(dtb, &plat->dtb_size) || fdt_for_each_node(dtb, find_stdout, &so))
		return -1;
	if (so.path && so.path[0] != '/') {
		if (fdt_for_each_node(dtb, find_alias, &so))
			return -1;
		so.path = so.alias_target;
		so.len = so.path ? strlen(so.path) : 0;
	}
	pc.stdout_path = so.path;
	pc.stdout_len = so.len;
	return fdt_for_each_node(dtb, collect, &pc) ? -1 : 0;
}
