// SPDX-License-Identifier: MIT
/*
 * The system calls newlib expects of its environment (it is built with
 * --disable-newlib-supplied-syscalls, see tools/README.md), for the
 * hypervisor and for its guest payloads alike.  No file system: fds 0, 1
 * and 2 are the console (newlib_syscalls.h), everything else is EBADF.
 * stdout is line buffered because _isatty() says the console is a terminal,
 * so lines reach it whole.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "arch/common/newlib_syscalls.h"

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

extern char __heap_start[], __heap_end[];
static char *heap_top = __heap_start;

static bool is_console(int fd)
{
	return fd >= 0 && fd <= 2;
}

_ssize_t _write(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	while (done < n) {
		long r = newlib_console_write(p + done, n - done);

		if (r <= 0) {
			errno = EIO;
			return done ? (_ssize_t)done : -1;
		}
		done += r;
	}
	return done;
}

_ssize_t _read(int fd, void *buf, size_t n)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	return newlib_console_read(buf, n);
}

/* Lock-free: newlib calls it under its malloc lock or not, from any CPU. */
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

void _exit(int status)
{
	newlib_exit(status);
}

int _close(int fd)
{
	if (is_console(fd))
		return 0;
	errno = EBADF;
	return -1;
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

/* abort() raises SIGABRT: the end of the program. */
int _kill(int pid, int sig)
{
	(void)pid;
	_exit(128 + sig);
}

int _getpid(void)
{
	return 1;
}

#ifdef __x86_64__
/*
 * newlib's configure.host builds x86_64-*-elf with MISSING_SYSCALL_NAMES:
 * its reentrant wrappers (_write_r, ...) call write(), sbrk(), ... rather
 * than the underscored names aarch64 uses.  Answer to both.
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
#endif
