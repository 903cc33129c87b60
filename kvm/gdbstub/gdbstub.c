// SPDX-License-Identifier: MIT
/*
 * The GDB stub's transport and its control of the VM (the contract is in
 * gdbstub.h; the packets are in gdbstub_cmds.c).
 *
 * Framing (GDB manual E.1 "Overview"): $data#cs, cs = the sum of the data
 * bytes modulo 256 in two hex digits; the receiver answers '+' or '-'
 * (ask again) until QStartNoAckMode; a 0x03 byte outside a packet is an
 * interrupt request (E.12 "Interrupts").  Bytes outside packets are
 * ignored, a '$' inside one starts over, a packet longer than our buffer is
 * read to its end, counted in the checksum and answered with an error: no
 * input can make us write past a buffer or wait for more than is there.
 *
 * Sending never waits for the client: everything goes through a queue the
 * transmitter drains as fast as it takes bytes, and input is read only
 * while the queue has room for a whole reply.  A client that stops reading
 * therefore stops being served, nothing more: its '-' flood costs one flag
 * each (the last packet is resent once per drained queue, not once per
 * '-', and at most GDB_MAX_RESENDS times), and no poll ever spins on a full
 * transmitter.
 *
 * Stopping: gdb_stop_all() marks every vCPU held and kicks it out of the
 * guest; a vCPU notices at its next entry (gdbstub_vcpu_enter) and parks,
 * polling the stub while it waits.  GDB gets its stop reply once every
 * vCPU is parked (or off), so that registers are never read from a vCPU
 * still running.  Resuming clears the marks of the vCPUs the packet names.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gdbstub_priv.h"
#include "kvm/arch/debug.h"

/* After an exit the debugged VM's vCPUs look for Ctrl-C at most this often. */
#define GDB_EXIT_POLL_NS 1000000ULL
/* A parked vCPU polls the channel every tick. */
#define GDB_PARK_POLL_NS 1000000ULL
/*
 * Time one poll may spend on the channel.  Every byte in or out is a device
 * register access (two for input), slow under emulation: the work is
 * bounded by time, not bytes, so that a poll from a thread that shares its
 * CPU with vCPUs stays well inside a tick; what is left waits for the next.
 */
#define GDB_POLL_NS 1000000ULL
/* Bytes between two looks at the clock. */
#define GDB_POLL_STRIDE 32

struct gdbstub gdb_stub;

static const char hexdigits[] = "0123456789abcdef";

/* ---- sending ------------------------------------------------------------------------ */

static bool poll_time_left(const struct gdbstub *s)
{
	return arch_time_ns() < s->poll_deadline_ns;
}

/* Hand the transmitter what it takes now; the rest waits for the next poll. */
static void tx_drain(struct gdbstub *s)
{
	while (s->txq_len && poll_time_left(s)) {
		u32 first = GDB_TXQ_SIZE - s->txq_head;
		u32 n = s->txq_len < first ? s->txq_len : first;

		n = arch_debug_chan_write(s->txq + s->txq_head,
					  n < GDB_POLL_STRIDE ? n : GDB_POLL_STRIDE);
		if (!n)
			return;
		s->txq_head = (s->txq_head + n) % GDB_TXQ_SIZE;
		s->txq_len -= n;
	}
}

static u32 tx_room(const struct gdbstub *s)
{
	return GDB_TXQ_SIZE - s->txq_len;
}

/* All of @p or, when the client let the queue fill up, none of it. */
static bool tx_queue(struct gdbstub *s, const u8 *p, u32 len)
{
	u32 i, tail;

	if (tx_room(s) < len) {
		s->tx_dropped++;
		return false;
	}
	tail = (s->txq_head + s->txq_len) % GDB_TXQ_SIZE;
	for (i = 0; i < len; i++)
		s->txq[(tail + i) % GDB_TXQ_SIZE] = p[i];
	s->txq_len += len;
	tx_drain(s);
	return true;
}

/* A '-' asked for the last packet again: queue it once the queue has gone out. */
static void tx_resend(struct gdbstub *s)
{
	if (s->resend && s->tx_len && !s->txq_len) {
		s->resend = false;
		if (++s->resends > GDB_MAX_RESENDS)
			return;
		tx_queue(s, s->tx, s->tx_len);
	}
}

/* Frame @data (already escaped where it must be) and send it; kept for a '-'. */
void gdb_put_packet(struct gdbstub *s, const char *data, u32 len)
{
	u8 sum = 0;
	u32 i;

	if (len > GDB_PACKET_SIZE)
		len = GDB_PACKET_SIZE;
	s->tx[0] = '$';
	for (i = 0; i < len; i++) {
		s->tx[1 + i] = data[i];
		sum += (u8)data[i];
	}
	s->tx[1 + len] = '#';
	s->tx[2 + len] = hexdigits[sum >> 4];
	s->tx[3 + len] = hexdigits[sum & 15];
	s->tx_len = len + 4;
	s->resend = false; /* a '-' from now on is about this packet */
	s->resends = 0;
	tx_queue(s, s->tx, s->tx_len);
}

static void put_str(struct gdbstub *s, const char *str)
{
	gdb_put_packet(s, str, strlen(str));
}

static void put_ack(struct gdbstub *s, bool good)
{
	u8 c = good ? '+' : '-';

	if (!s->no_ack)
		tx_queue(s, &c, 1);
}

/* ---- the VM's vCPUs ------------------------------------------------------------------- */

static struct vcpu *vcpu_at(struct gdbstub *s, unsigned int i)
{
	return s->vm && i < s->vm->nr_vcpus ? s->vm->vcpus[i] : NULL;
}

/* Off vCPUs sleep in their power wait and never enter the guest: they count as parked. */
static bool vcpu_stopped(struct vcpu *v)
{
	return __atomic_load_n(&v->dbg_parked, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_OFF;
}

bool gdb_all_parked(struct gdbstub *s)
{
	unsigned int i;
	struct vcpu *v;

	for (i = 0; (v = vcpu_at(s, i)); i++)
		if (!__atomic_load_n(&v->dbg_hold, __ATOMIC_ACQUIRE) || !vcpu_stopped(v))
			return false;
	return true;
}

void gdb_stop_all(struct gdbstub *s)
{
	unsigned int i;
	struct vcpu *v;

	s->stopping = true;
	for (i = 0; (v = vcpu_at(s, i)); i++) {
		__atomic_store_n(&v->dbg_hold, 1, __ATOMIC_RELEASE);
		if (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_OFF)
			continue;
		/* Out of a WFI wait, or out of the guest. */
		sched_wake(&v->thread);
		arch_cpu_kick(v->thread.cpu);
	}
}

void gdb_resume(struct gdbstub *s, const enum gdb_action *act)
{
	unsigned int i;
	struct vcpu *v;

	__atomic_store_n(&s->event_thread, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&s->interrupt, 0, __ATOMIC_RELEASE);
	s->running = true;
	s->stopping = false;
	s->quiet_stop = false;
	for (i = 0; (v = vcpu_at(s, i)); i++) {
		if (act[i] == ACT_STAY)
			continue;
		v->dbg_step = act[i] == ACT_STEP;
		__atomic_store_n(&v->dbg_hold, 0, __ATOMIC_RELEASE);
		if (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_OFF)
			sched_wake(&v->thread);
	}
}

void gdb_stop_reply(struct gdbstub *s)
{
	char buf[32];

	if (!s->vm) {
		put_str(s, "W00");
		return;
	}
	snprintf(buf, sizeof(buf), "T%02xthread:%x;", s->stop_signal, s->stop_thread + 1);
	put_str(s, buf);
}

/* The debugger is gone (D, k): no breakpoints, nothing held, guest debug exceptions its own. */
void gdb_end_session(struct gdbstub *s)
{
	enum gdb_action act[VM_MAX_VCPUS];
	unsigned int i;

	gdb_remove_all_breakpoints(s);
	s->nr_hw = 0;
	s->debug_on = false;
	s->connected = false;
	s->no_ack = false;
	for (i = 0; i < VM_MAX_VCPUS; i++)
		act[i] = ACT_CONT;
	gdb_resume(s, act);
	s->running = false;
}

/* ---- guest memory by virtual address ---------------------------------------------------- */

static int read_phys64(void *ctx, u64 gpa, u64 *val)
{
	return vm_read_guest(ctx, gpa, val, sizeof(*val));
}

/* The vCPU whose page tables translate: the one Hg selected. */
static struct vcpu *mem_vcpu(struct gdbstub *s)
{
	struct vcpu *v = vcpu_at(s, s->g_thread);

	return v ? v : vcpu_at(s, 0);
}

/*
 * Up to @len bytes at guest-virtual @gva: how many could be read (stops at
 * the first page that does not translate or is not RAM), -EFAULT if none.
 */
long gdb_read_mem(struct gdbstub *s, u64 gva, void *buf, u64 len)
{
	struct vcpu *v = mem_vcpu(s);
	u64 done = 0, gpa, plen, n;

	if (!v)
		return -EFAULT;
	while (done < len) {
		if (arch_vcpu_translate(&v->arch, gva + done, &gpa, &plen, read_phys64, s->vm))
			break;
		n = len - done < plen ? len - done : plen;
		if (vm_read_guest(s->vm, gpa, (u8 *)buf + done, n))
			break;
		done += n;
	}
	return done ? (long)done : -EFAULT;
}

/* Guest-physical address of @gva through the Hg vCPU's tables; *@len bytes to its page's end. */
int gdb_translate(struct gdbstub *s, u64 gva, u64 *gpa, u64 *len)
{
	struct vcpu *v = mem_vcpu(s);

	if (!v || arch_vcpu_translate(&v->arch, gva, gpa, len, read_phys64, s->vm))
		return -EFAULT;
	return 0;
}

/* All of [@gva, @gva + @len) or nothing: every page is translated before a byte is written. */
int gdb_write_mem(struct gdbstub *s, u64 gva, const void *buf, u64 len)
{
	struct vcpu *v = mem_vcpu(s);
	u64 done, gpa, plen, n;
	int pass;

	if (!v)
		return -EFAULT;
	for (pass = 0; pass < 2; pass++)
		for (done = 0; done < len; done += n) {
			if (arch_vcpu_translate(&v->arch, gva + done, &gpa, &plen, read_phys64,
						s->vm))
				return -EFAULT;
			n = len - done < plen ? len - done : plen;
			if (!pass && !vm_find_slot(s->vm, gpa, n))
				return -EFAULT;
			if (pass && vm_write_guest(s->vm, gpa, (const u8 *)buf + done, n))
				return -EFAULT;
		}
	return 0;
}

/* ---- receiving -------------------------------------------------------------------------- */

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

static bool vm_stopped(struct gdbstub *s)
{
	return !s->running && gdb_all_parked(s);
}

/* Run the complete packet in rx_buf, or keep it until the VM has stopped. */
static void run_packet(struct gdbstub *s)
{
	s->rx_buf[s->rx_len] = 0;
	s->connected = true;
	if (gdb_handle_packet(s, vm_stopped(s))) {
		s->pending = false;
		return;
	}
	/*
	 * All-stop GDB sends nothing but Ctrl-C while the VM runs, except when
	 * it (re)connects to a running VM: stop it quietly, answer afterwards.
	 */
	s->pending = true;
	if (!s->stopping) {
		s->quiet_stop = true;
		s->debug_on = true;
		gdb_stop_all(s);
	}
}

static void rx_byte(struct gdbstub *s, u8 c)
{
	int h;

	switch (s->rx) {
	case RX_IDLE:
		if (c == '$') {
			s->rx = RX_DATA;
			s->rx_len = 0;
			s->rx_sum = 0;
			s->rx_overflow = false;
		} else if (c == 0x03) {
			__atomic_store_n(&s->interrupt, 1, __ATOMIC_RELEASE);
		} else if (c == '-' && !s->no_ack && s->tx_len) {
			s->resend = true;
		}
		/* '+' and noise: nothing to do */
		break;
	case RX_DATA:
		if (c == '$') { /* the sender gave up on the last one: resynchronise */
			s->rx_len = 0;
			s->rx_sum = 0;
			s->rx_overflow = false;
		} else if (c == '#') {
			s->rx = RX_CSUM1;
		} else {
			s->rx_sum += c;
			if (s->rx_len < GDB_PACKET_SIZE)
				s->rx_buf[s->rx_len++] = c;
			else
				s->rx_overflow = true;
		}
		break;
	case RX_CSUM1:
	case RX_CSUM2:
		h = hexval(c);
		if (h < 0) {
			s->rx = RX_IDLE;
			put_ack(s, false);
			break;
		}
		if (s->rx == RX_CSUM1) {
			s->rx_csum = h << 4;
			s->rx = RX_CSUM2;
			break;
		}
		s->rx_csum |= h;
		s->rx = RX_IDLE;
		/* In no-ack mode a damaged packet is dropped: nobody would resend it. */
		if (s->rx_csum != s->rx_sum) {
			put_ack(s, false);
			break;
		}
		put_ack(s, true);
		if (s->rx_overflow) {
			char err[8];

			snprintf(err, sizeof(err), "E%02d", GDB_EINVAL);
			put_str(s, err);
			break;
		}
		run_packet(s);
		break;
	}
}

/* A stop is due: every vCPU is parked and GDB waits for it (or a reconnect wanted it). */
static void check_stopped(struct gdbstub *s)
{
	u32 ev = __atomic_load_n(&s->event_thread, __ATOMIC_ACQUIRE);
	bool intr = __atomic_load_n(&s->interrupt, __ATOMIC_ACQUIRE);

	if (!s->vm)
		return;
	if (s->running && (ev || intr) && !s->stopping)
		gdb_stop_all(s);
	if (!s->stopping || !gdb_all_parked(s))
		return;
	if (s->running) {
		s->running = false;
		if (ev) {
			s->stop_thread = ev - 1;
			s->stop_signal = GDB_SIGTRAP;
		} else {
			s->stop_thread = s->g_thread < s->vm->nr_vcpus ? s->g_thread : 0;
			s->stop_signal = intr ? GDB_SIGINT : GDB_SIGTRAP;
		}
		/* Later register packets are about the vCPU that stopped (as gdbserver does). */
		s->g_thread = s->stop_thread;
		if (!s->quiet_stop)
			gdb_stop_reply(s);
	}
	s->stopping = false;
}

void gdbstub_poll(void)
{
	struct gdbstub *s = &gdb_stub;
	unsigned int stride = 0;
	int c;

	if (!s->chan || __atomic_exchange_n(&s->busy, 1, __ATOMIC_ACQUIRE))
		return;
	s->poll_deadline_ns = arch_time_ns() + GDB_POLL_NS;
	tx_drain(s);
	tx_resend(s);
	check_stopped(s);
	if (s->pending && vm_stopped(s) && tx_room(s) >= GDB_TX_RESERVE)
		run_packet(s);
	/* No input while a reply might not fit: a client that does not read waits, we do not. */
	while (!s->pending && tx_room(s) >= GDB_TX_RESERVE &&
	       (++stride % GDB_POLL_STRIDE || poll_time_left(s)) &&
	       (c = arch_debug_chan_getc()) >= 0) {
		rx_byte(s, c);
		if (__atomic_load_n(&s->interrupt, __ATOMIC_ACQUIRE))
			check_stopped(s);
	}
	tx_resend(s);
	check_stopped(s);
	__atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
}

/* ---- attaching and the vCPU hooks -------------------------------------------------------- */

bool gdbstub_attach(struct vm *vm)
{
	struct gdbstub *s = &gdb_stub;
	unsigned int i;

	if (arch_debug_chan_open()) {
		printf("gdb: no debug channel (its serial port, README \"make debug\"): "
		       "vm %s runs undebugged\n",
		       vm->name);
		return false;
	}
	if (s->vm) {
		printf("gdb: vm %s is debugged already: vm %s runs undebugged\n", s->vm->name,
		       vm->name);
		return false;
	}
	s->chan = true;
	/* It starts stopped at its first instruction, as if a step had just ended there. */
	for (i = 0; i < vm->nr_vcpus; i++)
		__atomic_store_n(&vm->vcpus[i]->dbg_hold, 1, __ATOMIC_RELEASE);
	s->g_thread = s->c_thread = 0;
	s->stop_thread = 0;
	s->stop_signal = GDB_SIGTRAP;
	s->running = false;
	s->stopping = true;
	s->quiet_stop = true;
	s->debug_on = true;
	s->nr_hw = 0;
	memset(s->sw, 0, sizeof(s->sw));
	__atomic_store_n(&s->vm, vm, __ATOMIC_RELEASE);
	vm->gdb = s;
	printf("gdb: vm %s waits for the debugger on the debug channel\n", vm->name);
	return true;
}

void gdbstub_detach_vm(struct vm *vm)
{
	struct gdbstub *s = &gdb_stub;
	char buf[8];

	if (!vm->gdb)
		return;
	while (__atomic_exchange_n(&s->busy, 1, __ATOMIC_ACQUIRE))
		mmu_cpu_relax();
	s->poll_deadline_ns = arch_time_ns() + GDB_POLL_NS;
	if (s->connected) {
		/* "W": the process exited with this status (GDB manual E.3 "Stop Reply Packets"). */
		snprintf(buf, sizeof(buf), "W%02x", vm->exit_status & 0xff);
		put_str(s, buf);
	}
	s->vm = NULL;
	s->running = false;
	s->stopping = false;
	s->pending = false;
	s->connected = false;
	vm->gdb = NULL;
	__atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
}

void gdbstub_vcpu_enter(struct vcpu *v)
{
	struct gdbstub *s = v->vm->gdb;

	if (__atomic_load_n(&v->dbg_hold, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&v->dbg_parked, 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&v->dbg_hold, __ATOMIC_ACQUIRE) &&
		       !__atomic_load_n(&v->vm->ending, __ATOMIC_ACQUIRE)) {
			gdbstub_poll();
			sched_block_until(arch_time_ns() + GDB_PARK_POLL_NS);
		}
		__atomic_store_n(&v->dbg_parked, 0, __ATOMIC_RELEASE);
	}
	/* After a PSCI reset too: the arch forgets the debug state with the rest. */
	arch_vcpu_set_debug(&v->arch, s->debug_on);
	arch_vcpu_set_single_step(&v->arch, s->debug_on && v->dbg_step);
	arch_vcpu_set_hw_breakpoints(&v->arch, s->hw, s->debug_on ? s->nr_hw : 0);
}

/* The first vCPU to stop for a debug reason is the one reported; the others stay where they are. */
static void vcpu_event(struct vcpu *v)
{
	struct gdbstub *s = v->vm->gdb;
	u32 none = 0;

	v->dbg_step = false;
	arch_vcpu_set_single_step(&v->arch, false);
	__atomic_compare_exchange_n(&s->event_thread, &none, v->index + 1, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_RELAXED);
	/* Parks at its next entry; the stop reply is sent by whoever polls once all are parked. */
	__atomic_store_n(&v->dbg_hold, 1, __ATOMIC_RELEASE);
}

void gdbstub_vcpu_exit(struct vcpu *v, const struct vcpu_exit *exit, u64 pc_before)
{
	struct gdbstub *s = v->vm->gdb;
	u64 now;

	if (exit->reason == EXIT_DEBUG) {
		vcpu_event(v);
	} else if (v->dbg_step && arch_vcpu_pc(&v->arch) != pc_before) {
		/* The stepped instruction was emulated here (HVC, MMIO, WFI): the step is done. */
		vcpu_event(v);
	}
	now = arch_time_ns();
	if (__atomic_load_n(&v->dbg_hold, __ATOMIC_ACQUIRE) ||
	    now - READ_ONCE(s->last_poll_ns) >= GDB_EXIT_POLL_NS) {
		WRITE_ONCE(s->last_poll_ns, now);
		gdbstub_poll();
	}
}
