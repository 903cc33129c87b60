// SPDX-License-Identifier: MIT
/*
 * The GDB stub's packets (GDB manual E.2 "Packets", E.3 "Stop Reply
 * Packets", E.4 "General Query Packets").  Every parser checks its input
 * against the packet's length and answers a malformed packet "E22"; a
 * packet we do not know gets the empty reply, which GDB reads as "not
 * supported".  Thread ids are vCPU index + 1, in hex.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gdbstub_priv.h"
#include "kvm/arch/debug.h"

static const char hexdigits[] = "0123456789abcdef";

/* ---- building the reply ------------------------------------------------------------------ */

void gdb_reply_str(struct gdbstub *s, const char *str)
{
	while (*str && s->reply_len < sizeof(s->reply))
		s->reply[s->reply_len++] = *str++;
}

void gdb_reply_fmt(struct gdbstub *s, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gdb_reply_str(s, buf);
}

void gdb_reply_hex(struct gdbstub *s, const void *data, u32 len)
{
	const u8 *p = data;
	u32 i;

	for (i = 0; i < len && s->reply_len + 2 <= sizeof(s->reply); i++) {
		s->reply[s->reply_len++] = hexdigits[p[i] >> 4];
		s->reply[s->reply_len++] = hexdigits[p[i] & 15];
	}
}

/* Binary data (qXfer): '#', '$', '}' and '*' go as '}' + (byte ^ 0x20) (GDB manual E.1). */
static void reply_binary(struct gdbstub *s, const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i < len && s->reply_len + 2 <= sizeof(s->reply); i++) {
		if (p[i] == '#' || p[i] == '$' || p[i] == '}' || p[i] == '*') {
			s->reply[s->reply_len++] = '}';
			s->reply[s->reply_len++] = p[i] ^ 0x20;
		} else {
			s->reply[s->reply_len++] = p[i];
		}
	}
}

static void reply_error(struct gdbstub *s, int err)
{
	s->reply_len = 0;
	gdb_reply_fmt(s, "E%02d", err);
}

/* ---- parsing ------------------------------------------------------------------------------- */

/* A cursor over the packet: @p .. @end, never past it. */
struct cur {
	const char *p, *end;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A hex number of at most 16 digits; false if there is none or it is longer. */
static bool get_hex(struct cur *c, u64 *out)
{
	unsigned int n = 0;
	u64 v = 0;
	int h;

	while (c->p < c->end && (h = hexval(*c->p)) >= 0) {
		if (++n > 16)
			return false;
		v = v << 4 | h;
		c->p++;
	}
	*out = v;
	return n > 0;
}

static bool get_char(struct cur *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* Exactly @len bytes from hex digits. */
static bool get_hex_bytes(struct cur *c, u8 *out, u64 len)
{
	u64 i;

	if ((u64)(c->end - c->p) < len * 2)
		return false;
	for (i = 0; i < len; i++) {
		int hi = hexval(c->p[0]), lo = hexval(c->p[1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = hi << 4 | lo;
		c->p += 2;
	}
	return true;
}

/* A thread id: -1 (all), 0 (any) or a vCPU; false if malformed or no such vCPU. */
static bool get_thread(struct gdbstub *s, struct cur *c, int *tid)
{
	u64 v;

	if (get_char(c, '-')) {
		if (!get_char(c, '1'))
			return false;
		*tid = -1;
		return true;
	}
	if (!get_hex(c, &v) || v > s->vm->nr_vcpus)
		return false;
	*tid = (int)v;
	return true;
}

static bool starts(const struct cur *c, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(c->end - c->p) >= n && !memcmp(c->p, prefix, n);
}

static bool is(const struct cur *c, const char *word)
{
	return (size_t)(c->end - c->p) == strlen(word) && starts(c, word);
}

/* ---- registers ------------------------------------------------------------------------------ */

static struct vcpu *g_vcpu(struct gdbstub *s)
{
	return s->vm->vcpus[s->g_thread < s->vm->nr_vcpus ? s->g_thread : 0];
}

static void cmd_read_regs(struct gdbstub *s)
{
	u8 buf[ARCH_GDB_REG_MAX];
	unsigned int n, size;

	for (n = 0; n < arch_gdb_nr_regs(); n++) {
		size = arch_gdb_get_reg(&g_vcpu(s)->arch, n, buf);
		gdb_reply_hex(s, buf, size);
	}
}

/*
 * G: every register in the packet, all or nothing.  Each value is parsed
 * and checked (arch_gdb_check_reg) before any is set, so a malformed tail
 * or one value the hardware would refuse answers E22 and changes nothing.
 * The values are staged here, not in a copy of the vCPU: the vCPU's state
 * may live outside its struct (x86: the VMCB), which a copy would alias.
 */
static void cmd_write_regs(struct gdbstub *s, struct cur *c)
{
	static u8 staged[ARCH_GDB_MAX_REGS][ARCH_GDB_REG_MAX];
	struct arch_vcpu *v = &g_vcpu(s)->arch;
	unsigned int n, nr, size;

	for (nr = 0; nr < arch_gdb_nr_regs() && nr < ARCH_GDB_MAX_REGS && c->p < c->end; nr++) {
		size = arch_gdb_get_reg(v, nr, staged[nr]);
		if (!get_hex_bytes(c, staged[nr], size) || arch_gdb_check_reg(v, nr, staged[nr])) {
			reply_error(s, GDB_EINVAL);
			return;
		}
	}
	if (c->p != c->end) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	for (n = 0; n < nr; n++)
		arch_gdb_set_reg(v, n, staged[n]);
	gdb_reply_str(s, "OK");
}

static void cmd_reg(struct gdbstub *s, struct cur *c, bool write)
{
	u8 buf[ARCH_GDB_REG_MAX];
	unsigned int size;
	u64 n;

	if (!get_hex(c, &n) || n >= arch_gdb_nr_regs() || (write && !get_char(c, '='))) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	size = arch_gdb_get_reg(&g_vcpu(s)->arch, n, buf);
	if (!write) {
		gdb_reply_hex(s, buf, size);
		return;
	}
	if (!get_hex_bytes(c, buf, size) || c->p != c->end ||
	    arch_gdb_check_reg(&g_vcpu(s)->arch, n, buf)) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	arch_gdb_set_reg(&g_vcpu(s)->arch, n, buf);
	gdb_reply_str(s, "OK");
}

/* ---- memory --------------------------------------------------------------------------------- */

/* "addr,length" */
static bool get_range(struct cur *c, u64 *addr, u64 *len)
{
	return get_hex(c, addr) && get_char(c, ',') && get_hex(c, len);
}

static void cmd_read_mem(struct gdbstub *s, struct cur *c)
{
	static u8 buf[GDB_PACKET_SIZE / 2];
	u64 addr, len;
	long got;

	if (!get_range(c, &addr, &len) || c->p != c->end) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	/* A shorter reply is allowed (GDB manual "m addr,length"): cap it at what fits. */
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (!len)
		return; /* the empty reply: zero bytes read */
	got = gdb_read_mem(s, addr, buf, len);
	if (got < 0) {
		reply_error(s, GDB_EFAULT);
		return;
	}
	gdb_reply_hex(s, buf, got);
}

/* M addr,len:hex and X addr,len:binary (escaped: '}' then the byte ^ 0x20). */
static void cmd_write_mem(struct gdbstub *s, struct cur *c, bool binary)
{
	static u8 buf[GDB_PACKET_SIZE];
	u64 addr, len, i;

	if (!get_range(c, &addr, &len) || !get_char(c, ':') || len > sizeof(buf)) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	if (!binary) {
		if (!get_hex_bytes(c, buf, len) || c->p != c->end) {
			reply_error(s, GDB_EINVAL);
			return;
		}
	} else {
		for (i = 0; i < len && c->p < c->end; i++) {
			u8 b = *c->p++;

			if (b == '}') {
				if (c->p == c->end)
					break;
				b = *c->p++ ^ 0x20;
			}
			buf[i] = b;
		}
		if (i != len || c->p != c->end) {
			reply_error(s, GDB_EINVAL);
			return;
		}
	}
	if (len && gdb_write_mem(s, addr, buf, len)) {
		reply_error(s, GDB_EFAULT);
		return;
	}
	gdb_reply_str(s, "OK");
}

/* ---- breakpoints ---------------------------------------------------------------------------- */

static struct gdb_sw_bp *find_sw(struct gdbstub *s, u64 addr)
{
	unsigned int i;

	for (i = 0; i < GDB_MAX_SW_BP; i++)
		if (s->sw[i].used && s->sw[i].addr == addr)
			return &s->sw[i];
	return NULL;
}

static int sw_insert(struct gdbstub *s, u64 addr)
{
	struct gdb_sw_bp *bp = NULL;
	unsigned int i, size;
	u32 insn = arch_sw_breakpoint_insn(&size), saved = 0;
	u64 gpa, len;

	if (find_sw(s, addr))
		return 0;
	for (i = 0; i < GDB_MAX_SW_BP && !bp; i++)
		if (!s->sw[i].used)
			bp = &s->sw[i];
	if (!bp)
		return -ENOSPC;
	/* One page: the instruction is 1 byte (x86) or 4 aligned bytes (arm64). */
	if (gdb_translate(s, addr, &gpa, &len) || len < size ||
	    vm_read_guest(s->vm, gpa, &saved, size) || vm_write_guest(s->vm, gpa, &insn, size))
		return -EFAULT;
	arch_sync_icache();
	bp->addr = addr;
	bp->gpa = gpa;
	bp->saved = saved;
	bp->used = true;
	return 0;
}

/*
 * Put the saved instruction back where it was taken from, by guest-physical
 * address: the guest may since have mapped other memory at @addr (a new
 * address space, a page given back and reused), and writing there would
 * corrupt it.  If the breakpoint instruction is no longer at @gpa either,
 * the guest (or a give-back, which leaves a zeroed page) has replaced it:
 * nothing to restore.  Used while the VM is stopped, except at a detach
 * of a running VM, where a guest write between the check and the restore
 * can still be overwritten.
 */
static int sw_remove(struct gdbstub *s, struct gdb_sw_bp *bp)
{
	unsigned int size;
	u32 insn = arch_sw_breakpoint_insn(&size), cur = 0;
	int ret = 0;

	bp->used = false;
	if (vm_read_guest(s->vm, bp->gpa, &cur, size))
		return -EFAULT;
	if (memcmp(&cur, &insn, size))
		return 0;
	ret = vm_write_guest(s->vm, bp->gpa, &bp->saved, size);
	arch_sync_icache();
	return ret;
}

void gdb_remove_all_breakpoints(struct gdbstub *s)
{
	unsigned int i;

	for (i = 0; i < GDB_MAX_SW_BP; i++)
		if (s->sw[i].used)
			sw_remove(s, &s->sw[i]);
	s->nr_hw = 0;
}

static int hw_insert(struct gdbstub *s, u64 addr)
{
	unsigned int i;

	for (i = 0; i < s->nr_hw; i++)
		if (s->hw[i] == addr)
			return 0;
	if (s->nr_hw >= arch_hw_breakpoint_slots())
		return -ENOSPC;
	s->hw[s->nr_hw++] = addr;
	return 0;
}

static void hw_remove(struct gdbstub *s, u64 addr)
{
	unsigned int i;

	for (i = 0; i < s->nr_hw; i++)
		if (s->hw[i] == addr) {
			s->hw[i] = s->hw[--s->nr_hw];
			return;
		}
}

/* Z/z type,addr,kind: 0 software, 1 hardware; watchpoints (2-4) are not supported. */
static void cmd_breakpoint(struct gdbstub *s, struct cur *c, bool insert)
{
	struct gdb_sw_bp *bp;
	u64 type, addr, kind;
	int ret = 0;

	if (!get_hex(c, &type) || !get_char(c, ',') || !get_hex(c, &addr) || !get_char(c, ',') ||
	    !get_hex(c, &kind)) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	if (type > 1)
		return; /* empty: not supported */
	if (type == 0 && insert)
		ret = sw_insert(s, addr);
	else if (type == 0 && (bp = find_sw(s, addr)))
		ret = sw_remove(s, bp);
	else if (type == 1 && insert)
		ret = hw_insert(s, addr);
	else if (type == 1)
		hw_remove(s, addr);
	if (ret)
		reply_error(s, ret == -ENOSPC ? GDB_ENOSPC : GDB_EFAULT);
	else
		gdb_reply_str(s, "OK");
}

/* ---- resuming -------------------------------------------------------------------------------- */

/* c/s/C/S [sig;][addr]: the Hc thread (or all for c) resumes; the signal is not delivered. */
static void cmd_legacy_resume(struct gdbstub *s, struct cur *c, bool step, bool sig)
{
	enum gdb_action act[VM_MAX_VCPUS];
	unsigned int i, t = s->c_thread < s->vm->nr_vcpus ? s->c_thread : s->g_thread;
	u64 v;

	if (sig && (!get_hex(c, &v) || (c->p < c->end && !get_char(c, ';')))) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	if (c->p < c->end) {
		if (!get_hex(c, &v) || c->p != c->end) {
			reply_error(s, GDB_EINVAL);
			return;
		}
		arch_vcpu_set_pc(&s->vm->vcpus[t]->arch, v); /* "c addr" */
	}
	for (i = 0; i < VM_MAX_VCPUS; i++)
		act[i] = step ? (i == t ? ACT_STEP : ACT_STAY) : ACT_CONT;
	gdb_resume(s, act);
	s->reply_len = 0;
	s->reply[0] = 0;
}

/* vCont;action[:thread]...: the leftmost action naming a thread is its action (E.2 "vCont"). */
static void cmd_vcont(struct gdbstub *s, struct cur *c)
{
	enum gdb_action act[VM_MAX_VCPUS];
	bool set[VM_MAX_VCPUS] = { false };
	unsigned int i;
	bool any = false;

	for (i = 0; i < VM_MAX_VCPUS; i++)
		act[i] = ACT_STAY;
	while (get_char(c, ';')) {
		enum gdb_action a;
		int tid = -1;
		u64 sig;

		if (get_char(c, 'c')) {
			a = ACT_CONT;
		} else if (get_char(c, 's')) {
			a = ACT_STEP;
		} else if (get_char(c, 'C') && get_hex(c, &sig)) {
			a = ACT_CONT;
		} else if (get_char(c, 'S') && get_hex(c, &sig)) {
			a = ACT_STEP;
		} else {
			reply_error(s, GDB_EINVAL);
			return;
		}
		if (get_char(c, ':') && !get_thread(s, c, &tid)) {
			reply_error(s, GDB_EINVAL);
			return;
		}
		for (i = 0; i < s->vm->nr_vcpus; i++)
			if (!set[i] && (tid <= 0 || (unsigned int)tid == i + 1)) {
				set[i] = true;
				act[i] = a;
				any = true;
			}
	}
	if (c->p != c->end || !any) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	gdb_resume(s, act);
}

/* ---- queries ------------------------------------------------------------------------------- */

/* qXfer:features:read:annex:offset,length */
static void cmd_xfer_features(struct gdbstub *s, struct cur *c)
{
	const char *xml = arch_gdb_target_xml();
	u64 off, len, size = strlen(xml);

	if (!starts(c, "target.xml:")) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	c->p += strlen("target.xml:");
	if (!get_range(c, &off, &len) || c->p != c->end) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	if (off >= size) {
		gdb_reply_str(s, "l");
		return;
	}
	/* Escaping may double a byte: half the reply buffer is always enough. */
	if (len > sizeof(s->reply) / 2 - 1)
		len = sizeof(s->reply) / 2 - 1;
	if (len > size - off)
		len = size - off;
	gdb_reply_str(s, off + len < size ? "m" : "l");
	reply_binary(s, (const u8 *)xml + off, len);
}

static void cmd_thread_info(struct gdbstub *s)
{
	unsigned int i;

	for (i = 0; i < s->vm->nr_vcpus; i++)
		gdb_reply_fmt(s, "%s%x", i ? "," : "m", i + 1);
}

static void cmd_extra_info(struct gdbstub *s, struct cur *c)
{
	char text[48];
	u64 t;
	struct vcpu *v;

	if (!get_char(c, ',') || !get_hex(c, &t) || !t || t > s->vm->nr_vcpus) {
		reply_error(s, GDB_EINVAL);
		return;
	}
	v = s->vm->vcpus[t - 1];
	snprintf(text, sizeof(text), "vCPU %u%s", v->index,
		 __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_OFF ? " (off)" : "");
	gdb_reply_hex(s, text, strlen(text));
}

/* Packets that need no VM, or at least not a stopped one; true if it was one of them. */
static bool cmd_general(struct gdbstub *s, struct cur *c)
{
	if (starts(c, "qSupported")) {
		gdb_reply_fmt(s, "PacketSize=%x;", GDB_PACKET_SIZE);
		gdb_reply_str(s, "qXfer:features:read+;vContSupported+;QStartNoAckMode+");
	} else if (is(c, "QStartNoAckMode")) {
		gdb_reply_str(s, "OK");
	} else if (starts(c, "qXfer:features:read:")) {
		c->p += strlen("qXfer:features:read:");
		cmd_xfer_features(s, c);
	} else if (is(c, "vCont?")) {
		gdb_reply_str(s, "vCont;c;C;s;S");
	} else if (is(c, "qAttached")) {
		gdb_reply_str(s, "1");
	} else if (c->p < c->end && (*c->p == 'D' || *c->p == 'k' || starts(c, "vKill"))) {
		bool kill = *c->p != 'D';

		if (s->vm && kill)
			vm_end(s->vm, -1, "killed by the debugger");
		gdb_end_session(s);
		if (*c->p != 'k') /* 'k' has no reply (E.2 "k") */
			gdb_reply_str(s, "OK");
	} else if (!s->vm && c->p < c->end && *c->p == '?') {
		gdb_reply_str(s, "W00");
	} else if (!s->vm) {
		/* Between VMs nothing else makes sense; known or not, no VM: an error. */
		reply_error(s, GDB_EPERM);
	} else {
		return false;
	}
	return true;
}

/* Packets about the stopped VM. */
static void cmd_stopped(struct gdbstub *s, struct cur *c)
{
	char op = *c->p++;
	int tid;

	switch (op) {
	case '?':
		gdb_stop_reply(s);
		s->reply_len = ~0u; /* sent */
		return;
	case 'g':
		if (c->p != c->end)
			reply_error(s, GDB_EINVAL);
		else
			cmd_read_regs(s);
		return;
	case 'G':
		cmd_write_regs(s, c);
		return;
	case 'p':
	case 'P':
		cmd_reg(s, c, op == 'P');
		return;
	case 'm':
		cmd_read_mem(s, c);
		return;
	case 'M':
	case 'X':
		cmd_write_mem(s, c, op == 'X');
		return;
	case 'Z':
	case 'z':
		cmd_breakpoint(s, c, op == 'Z');
		return;
	case 'c':
	case 's':
	case 'C':
	case 'S':
		cmd_legacy_resume(s, c, op == 's' || op == 'S', op == 'C' || op == 'S');
		if (!s->reply_len)
			s->reply_len = ~0u; /* no reply now: the stop reply comes later */
		return;
	case 'H':
		if (c->p < c->end && (*c->p == 'g' || *c->p == 'c')) {
			char which = *c->p++;

			if (get_thread(s, c, &tid) && c->p == c->end) {
				if (tid > 0)
					*(which == 'g' ? &s->g_thread : &s->c_thread) = tid - 1;
				else if (which == 'c')
					s->c_thread = ~0u; /* all: c resumes everyone */
				gdb_reply_str(s, "OK");
				return;
			}
		}
		reply_error(s, GDB_EINVAL);
		return;
	case 'T':
		if (get_thread(s, c, &tid) && tid > 0 && c->p == c->end)
			gdb_reply_str(s, "OK");
		else
			reply_error(s, GDB_EINVAL);
		return;
	case 'q':
		c->p--;
		if (is(c, "qfThreadInfo"))
			cmd_thread_info(s);
		else if (is(c, "qsThreadInfo"))
			gdb_reply_str(s, "l");
		else if (is(c, "qC"))
			gdb_reply_fmt(s, "QC%x", s->g_thread + 1);
		else if (starts(c, "qThreadExtraInfo")) {
			c->p += strlen("qThreadExtraInfo");
			cmd_extra_info(s, c);
		}
		return;
	case 'v':
		c->p--;
		if (starts(c, "vCont;")) {
			c->p += strlen("vCont");
			cmd_vcont(s, c);
			if (!s->reply_len)
				s->reply_len = ~0u;
		}
		return;
	default:
		return; /* unknown: the empty reply */
	}
}

/* Packets that are the same whether or not the VM runs: everything here is harmless. */
static bool no_stop_needed(const struct cur *c)
{
	return starts(c, "qSupported") || is(c, "QStartNoAckMode") ||
	       starts(c, "qXfer:features:read:") || is(c, "vCont?") || is(c, "qAttached") ||
	       (c->p < c->end && (*c->p == 'D' || *c->p == 'k')) || starts(c, "vKill") ||
	       is(c, "vMustReplyEmpty");
}

bool gdb_handle_packet(struct gdbstub *s, bool stopped)
{
	struct cur c = { s->rx_buf, s->rx_buf + s->rx_len };
	bool was_no_ack = s->no_ack;

	if (s->vm && !stopped && c.p < c.end && !no_stop_needed(&c))
		return false;
	s->reply_len = 0;
	if (c.p == c.end) {
		/* "$#00": nothing to do, the empty reply */
	} else if (!cmd_general(s, &c)) {
		cmd_stopped(s, &c);
	}
	if (s->reply_len != ~0u)
		gdb_put_packet(s, s->reply, s->reply_len);
	/* After its OK went out with an ack still expected (E.11 "Packet Acknowledgment"). */
	if (!was_no_ack && is(&(struct cur){ s->rx_buf, s->rx_buf + s->rx_len }, "QStartNoAckMode"))
		s->no_ack = true;
	return true;
}
