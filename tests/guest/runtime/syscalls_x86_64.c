// SPDX-License-Identifier: MIT
/*
 * newlib's x86_64-elf build calls the system calls by their plain names
 * (write, sbrk, ...), not the underscored ones syscalls.c defines: forward.
 */
#include <sys/stat.h>
#include <sys/types.h>

int _close(int fd);
int _fstat(int fd, struct stat *st);
int _getpid(void);
int _isatty(int fd);
int _kill(int pid, int sig);
_off_t _lseek(int fd, _off_t off, int whence);
_ssize_t _read(int fd, void *buf, size_t n);
_ssize_t _write(int fd, const void *buf, size_t n);
void *_sbrk(ptrdiff_t incr);

int close(int fd);
int fstat(int fd, struct stat *st);
int getpid(void);
int isatty(int fd);
int kill(int pid, int sig);
_off_t lseek(int fd, _off_t off, int whence);
_ssize_t read(int fd, void *buf, size_t n);
_ssize_t write(int fd, const void *buf, size_t n);
void *sbrk(ptrdiff_t incr);

int close(int fd)
{
	return _close(fd);
}

int fstat(int fd, struct stat *st)
{
	return _fstat(fd, st);
}

int getpid(void)
{
	return _getpid();
}

int isatty(int fd)
{
	return _isatty(fd);
}

int kill(int pid, int sig)
{
	return _kill(pid, sig);
}

_off_t lseek(int fd, _off_t off, int whence)
{
	return _lseek(fd, off, whence);
}

_ssize_t read(int fd, void *buf, size_t n)
{
	return _read(fd, buf, n);
}

_ssize_t write(int fd, const void *buf, size_t n)
{
	return _write(fd, buf, n);
}

void *sbrk(ptrdiff_t incr)
{
	return _sbrk(incr);
}
