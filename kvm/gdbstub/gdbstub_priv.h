/* SPDX-License-Identifier: MIT */
/* Between gdbstub.c (transport, stopping and resuming) and gdbstub_cmds.c (the packets). */
#ifndef KVM_GDBSTUB_PRIV_H
#define KVM_GDBSTUB_PRIV_H

#include "gdbstub.h"

/* The largest packet we take (qSupported PacketSize, hex): data between '$' and '#'. */
#define GDB_PACKET_SIZE 4096
/*
 * Room the transmit queue must have before another input byte is taken: a
 * whole reply ($, data, #, checksum), the ack before it and a stop reply.
 */
#define GDB_TX_RESERVE (GDB_PACKET_SIZE + 64)
/* The reserve twice: a reply and a resend of the last packet queued at once. */
#define GDB_TXQ_SIZE (2 * GDB_TX_RESERVE)
/* A packet that arrived damaged this often will not arrive: later '-' for it are ignored. */
#define GDB_MAX_RESENDS 8
#define GDB_MAX_SW_BP	64
#define GDB_SIGINT	2
#define GDB_SIGTRAP	5

/* Error replies "Enn": two digits, our errno values in decimal (E14: bad address). */
#define GDB_EPERM  1
#define GDB_EFAULT 14
#define GDB_EBUSY  16
#define GDB_EINVAL 22
#define GDB_ENOSPC 28

enum gdb_rx {
	RX_IDLE,  /* between packets: '+', '-', Ctrl-C or '$' */
	RX_DATA,  /* after '$' */
	RX_CSUM1, /* after '#' */
	RX_CSUM2,
};

enum gdb_action {
	ACT_STAY, /* vCont named nothing for it: stays stopped */
	ACT_CONT,
	ACT_STEP,
};

/*
 * A software breakpoint: inserted at guest-virtual @addr (how the debugger
 * names it), which then translated to guest-physical @gpa.  Removal writes
 * @saved back at @gpa, not at whatever @addr translates to by then (the
 * guest may have switched tables or given the page back), and only if the
 * breakpoint instruction is still there.
 */
struct gdb_sw_bp {
	u64 addr;
	u64 gpa;
	u32 saved; /* the instruction the breakpoint replaced */
	bool used;
};

struct gdbstub {
	u32 busy;      /* someone is in gdbstub_poll() */
	bool chan;     /* the channel exists */
	struct vm *vm; /* the debugged VM, NULL between VMs */

	/* receiving: the packet being read, and one complete packet waiting for a stop */
	enum gdb_rx rx;
	u32 rx_len;
	bool rx_overflow;
	u8 rx_sum, rx_csum;
	bool pending; /* rx[] holds a packet to run once every vCPU is parked */
	char rx_buf[GDB_PACKET_SIZE + 1];

	/*
	 * sending: the last packet (again on '-', once however many '-' came
	 * while a resend was owed), and what the transmitter has not taken yet
	 */
	u32 tx_len;
	u8 tx[GDB_PACKET_SIZE + 4];
	bool resend;
	u32 resends; /* of the last packet */
	u32 txq_head, txq_len;
	u8 txq[GDB_TXQ_SIZE];
	u64 tx_dropped;		     /* packets the queue had no room for (a client not reading) */
	u64 poll_deadline_ns;	     /* the channel work of this poll stops here */
	char reply[GDB_PACKET_SIZE]; /* the reply being built (data only) */
	u32 reply_len;
	bool no_ack; /* QStartNoAckMode */

	/* the VM as GDB sees it */
	bool connected;	  /* a debugger talks to us (until D or k) */
	bool running;	  /* resumed: a stop reply is owed */
	bool stopping;	  /* every vCPU was asked to park */
	bool quiet_stop;  /* stopped for a (re)connecting GDB: no stop reply */
	bool debug_on;	  /* debug exceptions of the guest come to us */
	u32 interrupt;	  /* Ctrl-C */
	u32 event_thread; /* first vCPU (index + 1) that hit a breakpoint or stepped */
	unsigned int stop_thread, stop_signal; /* what '?' reports */
	unsigned int g_thread, c_thread;       /* Hg / Hc: vCPU index */
	u64 last_poll_ns;

	struct gdb_sw_bp sw[GDB_MAX_SW_BP];
	unsigned int nr_hw;
	u64 hw[ARCH_MAX_HW_BREAKPOINTS];
};

extern struct gdbstub gdb_stub;

/* gdbstub.c for gdbstub_cmds.c */
void gdb_put_packet(struct gdbstub *s, const char *data, u32 len);
bool gdb_all_parked(struct gdbstub *s);
void gdb_stop_all(struct gdbstub *s);
void gdb_resume(struct gdbstub *s, const enum gdb_action *act);
void gdb_stop_reply(struct gdbstub *s);
long gdb_read_mem(struct gdbstub *s, u64 gva, void *buf, u64 len);
int gdb_write_mem(struct gdbstub *s, u64 gva, const void *buf, u64 len);
int gdb_translate(struct gdbstub *s, u64 gva, u64 *gpa, u64 *len);
void gdb_remove_all_breakpoints(struct gdbstub *s);
void gdb_end_session(struct gdbstub *s);

/* gdbstub_cmds.c: act on the packet in s->rx_buf (s->rx_len bytes); false: needs a stopped VM */
bool gdb_handle_packet(struct gdbstub *s, bool stopped);
/* Append to s->reply (truncated at its end, which callers size against). */
void gdb_reply_str(struct gdbstub *s, const char *str);
void gdb_reply_fmt(struct gdbstub *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gdb_reply_hex(struct gdbstub *s, const void *data, u32 len);

#endif
