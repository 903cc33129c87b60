// SPDX-License-Identifier: MIT
/*
 * The system calls newlib expects (it is built with
 * --disable-newlib-supplied-syscalls).  No file system: fds 0, 1 and 2 are
 * the console, everything else is EBADF.  stdout is line buffered because
 * _isatty() says the console is a terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "arch_priv.h"
#include "platform.h"

/* Prototypes as newlib's headers give them (only under _COMPILING_NEWLIB). */
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _getpid(void);
int _isatty(int fd);
int _kill(int pid, int sig);
_off_t _lseek(int fd, _off_t off, int whence);
_ssize_t _read(int fd, void *buf, size_t n);
_ssize_t _write(int fd, const void *buf, size_t n);
void *_sbrk(ptrdiff_t incr);
void _exit(int status) __attribute__((noreturn));

/* [__heap_start, __heap_end) comes from linker/x86_64-hyp.ld. */
extern char __heap_start[], __heap_end[];
static char *heap_top = __heap_start;

static bool is_console(int fd)
{
	return fd >= 0 && fd <= 2;
}

_ssize_t _write(int fd, const void *buf, size_t n)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	console_write(buf, n);
	return n;
}

/* Whatever has arrived, without waiting: 0 (end of file) when nothing has. */
_ssize_t _read(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;
	int c;

	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	while (got < n && (c = uart_getc()) >= 0)
		p[got++] = c;
	return got;
}

/* Lock-free, so it does not depend on newlib's malloc lock. */
void *_sbrk(ptrdiff_t incr)
{
	char *old = __atomic_load_n(&heap_top, __ATOMIC_RELAXED);

	do {
		if (incr > __heap_end - old || incr < __heap_start - old) {
			errno = ENOMEM;
			return (void *)-1;
		}
	} while (!__atomic_compare_exchange_n(&heap_top, &old, old + incr, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return old;
}

/*
 * exit() ends here after flushing stdio.  The status line comes first: it
 * is what tools/qemu-run.sh turns into its exit status, since QEMU itself
 * exits 0 on an ACPI power-off whatever we meant.
 */
void _exit(int status)
{
	char line[48];
	int n = snprintf(line, sizeof(line), "hyp: exit status %d\n", status);

	console_write(line, n);
	x86_power_off();
}

int _close(int fd)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

int _fstat(int fd, struct stat *st)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){ .st_mode = S_IFCHR };
	return 0;
}

int _isatty(int fd)
{
	if (is_console(fd))
		return 1;
	errno = EBADF;
	return 0;
}

_off_t _lseek(int fd, _off_t off, int whence)
{
	(void)off;
	(void)whence;
	errno = is_console(fd) ? ESPIPE : EBADF;
	return -1;
}

/* abort() raises SIGABRT: treat it as the end of the run. */
int _kill(int pid, int sig)
{
	(void)pid;
	_exit(128 + sig);
}

int _getpid(void)
{
	return 1;
}

/*
 * newlib's configure.host builds x86_64-*-elf with MISSING_SYSCALL_NAMES:
 * its reentrant wrappers (_write_r, ...) call write(), sbrk(), ... instead
 * of the underscored names aarch64 uses.  Answer to both.
 */
int close(int fd) __attribute__((alias("_close")));
int fstat(int fd, struct stat *st) __attribute__((alias("_fstat")));
int getpid(void) __attribute__((alias("_getpid")));
int isatty(int fd) __attribute__((alias("_isatty")));
int kill(int pid, int sig) __attribute__((alias("_kill")));
_off_t lseek(int fd, _off_t off, int whence) __attribute__((alias("_lseek")));
_ssize_t read(int fd, void *buf, size_t n) __attribute__((alias("_read")));
_ssize_t write(int fd, const void *buf, size_t n) __attribute__((alias("_write")));
void *sbrk(ptrdiff_t incr) __attribute__((alias("_sbrk")));
