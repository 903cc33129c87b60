// SPDX-License-Identifier: MIT
/*
 * The UEFI stub: OVMF starts it from EFI/BOOT/BOOTX64.EFI (UEFI 2.10, 3.5.1.1
 * removable media boot path).  It carries the hypervisor image (payload.S),
 * places it at its link address, learns what only boot services can tell
 * (memory map, ACPI RSDP, load options), reserves a page below 1 MiB for the
 * AP start-up code, exits boot services and jumps into the image.
 *
 * Built with gnu-efi as position-independent code (crt0-efi-x86_64.o
 * relocates it, then calls efi_main() with the System V ABI); the firmware's
 * services are called through gnu-efi's EFIAPI (ms_abi) prototypes.  No
 * newlib here, and nothing that outlives ExitBootServices() but the handoff.
 */
#include <efi.h>

#include "boot/x86_64/handoff.h"

/* payload.S: the hypervisor image (build/x86_64/hyp.bin). */
extern const uint8_t hyp_payload[], hyp_payload_end[];

/* ExitBootServices() attempts before giving up (each needs a fresh map key). */
#define EXIT_TRIES 8
/* Spare descriptors in the map buffer: allocating it may split a range. */
#define MAP_SLACK 16

static EFI_SYSTEM_TABLE *systab;
static struct x86_handoff handoff;

/* The compiler may emit calls to these for struct copies; there is no libc. */
void *memcpy(void *dst, const void *src, UINTN n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, UINTN n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

/* Console output through boot services: ASCII in, UCS-2 out, \n as \r\n. */
static void say(const char *s)
{
	CHAR16 buf[128];
	UINTN n = 0;

	for (; *s; s++) {
		if (n > sizeof(buf) / sizeof(buf[0]) - 4) {
			buf[n] = 0;
			systab->ConOut->OutputString(systab->ConOut, buf);
			n = 0;
		}
		if (*s == '\n')
			buf[n++] = '\r';
		buf[n++] = (CHAR16)(uint8_t)*s;
	}
	buf[n] = 0;
	systab->ConOut->OutputString(systab->ConOut, buf);
}

static void say_hex(uint64_t v)
{
	char buf[19] = "0x";
	int i;

	for (i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	buf[18] = 0;
	say(buf);
}

static EFI_STATUS fail(const char *what, EFI_STATUS status)
{
	say("hyp-efi: ");
	say(what);
	say(" failed: status ");
	say_hex(status);
	say("\n");
	return status;
}

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;

	for (UINTN i = 0; i < sizeof(EFI_GUID); i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/*
 * The RSDP from the configuration table (UEFI 2.10, 4.6): the ACPI 2.0+
 * entry (which leads to the XSDT) if there is one, else the ACPI 1.0 one.
 */
static uint64_t find_rsdp(void)
{
	static const EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	uint64_t v1 = 0;

	for (UINTN i = 0; i < systab->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &systab->ConfigurationTable[i];

		if (guid_eq(&t->VendorGuid, &acpi20))
			return (uint64_t)(UINTN)t->VendorTable;
		if (guid_eq(&t->VendorGuid, &acpi10))
			v1 = (uint64_t)(UINTN)t->VendorTable;
	}
	return v1;
}

/*
 * Load options become the command line, if they are printable text: a boot
 * manager entry may carry binary optional data instead (UEFI 2.10, 3.1.3).
 */
static void get_load_options(EFI_HANDLE image)
{
	static const EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *li;
	const CHAR16 *opt;
	UINTN n, i;

	if (systab->BootServices->HandleProtocol(image, (EFI_GUID *)&li_guid, (void **)&li) !=
	    EFI_SUCCESS)
		return;
	handoff.stub_base = (uint64_t)(UINTN)li->ImageBase;
	handoff.stub_size = li->ImageSize;
	opt = li->LoadOptions;
	n = li->LoadOptionsSize / sizeof(CHAR16);
	if (!opt)
		return;
	for (i = 0; i < n && opt[i]; i++)
		if (opt[i] < 0x20 || opt[i] > 0x7e)
			return;
	if (i >= X86_CMDLINE_MAX) {
		memcpy(handoff.cmdline, X86_CMDLINE_TOO_LONG, sizeof(X86_CMDLINE_TOO_LONG));
		return;
	}
	for (UINTN j = 0; j < i; j++)
		handoff.cmdline[j] = (char)opt[j];
	handoff.cmdline[i] = 0;
}

/* After a failed AllocateAddress: who has the range (UEFI 2.10, 7.2 GetMemoryMap). */
static void say_owners(uint64_t base, uint64_t size)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	UINTN msize = 0, key, dsize;
	UINT32 dver;
	uint8_t *map = NULL;

	if (bs->GetMemoryMap(&msize, NULL, &key, &dsize, &dver) != EFI_BUFFER_TOO_SMALL)
		return;
	msize += 4 * dsize;
	if (bs->AllocatePool(EfiLoaderData, msize, (void **)&map) != EFI_SUCCESS)
		return;
	if (bs->GetMemoryMap(&msize, (EFI_MEMORY_DESCRIPTOR *)map, &key, &dsize, &dver) ==
	    EFI_SUCCESS) {
		for (UINTN off = 0; off + dsize <= msize; off += dsize) {
			EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(map + off);
			uint64_t end = d->PhysicalStart + (d->NumberOfPages << 12);

			if (d->Type == EfiConventionalMemory || end <= base ||
			    d->PhysicalStart >= base + size)
				continue;
			say("hyp-efi:   in use: ");
			say_hex(d->PhysicalStart);
			say("-");
			say_hex(end);
			say(" memory type ");
			say_hex(d->Type);
			say("\n");
		}
	}
	bs->FreePool(map);
}

static const struct x86_image_header *check_payload(void)
{
	const struct x86_image_header *h = (const void *)hyp_payload;
	uint64_t size = hyp_payload_end - hyp_payload;

	if (size < sizeof(*h) || h->magic != X86_IMAGE_MAGIC || h->version != X86_IMAGE_VERSION) {
		say("hyp-efi: the payload is not a hypervisor image (bad magic or version)\n");
		return NULL;
	}
	/* objcopy -O binary may drop alignment padding at the end: size <= load_size. */
	if (size > h->load_size || h->image_size < h->load_size || h->load_addr & 0xfff ||
	    h->entry < h->load_addr || h->entry >= h->load_addr + h->load_size) {
		say("hyp-efi: the payload's header is inconsistent\n");
		return NULL;
	}
	return h;
}

/*
 * Exit boot services (UEFI 2.10, 7.4.6): the map key must be that of the
 * latest GetMemoryMap().  Anything may allocate memory between the two calls
 * (a timer event, a driver), which makes the key stale and the call fail
 * with EFI_INVALID_PARAMETER; then fetch the map again and retry.  After a
 * first failed call only GetMemoryMap() may be used, so the buffer is sized
 * with slack beforehand and never reallocated.
 */
static EFI_STATUS exit_boot_services(EFI_HANDLE image)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	UINTN size = 0, key, dsize, cap;
	UINT32 dver;
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	EFI_STATUS st;

	st = bs->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return fail("GetMemoryMap (size)", st);
	/* Say it now: console output between GetMemoryMap() and ExitBootServices() may allocate. */
	say("hyp-efi: exiting boot services\n");
	cap = size + MAP_SLACK * dsize;
	st = bs->AllocatePool(EfiLoaderData, cap, (void **)&map);
	if (st != EFI_SUCCESS)
		return fail("AllocatePool (memory map)", st);

	for (uint32_t tries = 1; tries <= EXIT_TRIES; tries++) {
		size = cap;
		st = bs->GetMemoryMap(&size, map, &key, &dsize, &dver);
		if (st != EFI_SUCCESS)
			return tries == 1 ? fail("GetMemoryMap", st) : st;
		st = bs->ExitBootServices(image, key);
		if (st == EFI_SUCCESS) {
			handoff.memmap = (uint64_t)(UINTN)map;
			handoff.memmap_size = size;
			handoff.desc_size = dsize;
			handoff.desc_version = dver;
			handoff.exit_tries = tries;
			return EFI_SUCCESS;
		}
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	/* The console may be gone by now; the caller stops the CPU. */
	return st;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st_in)
{
	EFI_BOOT_SERVICES *bs;
	const struct x86_image_header *h;
	EFI_PHYSICAL_ADDRESS addr;
	EFI_STATUS st;

	systab = st_in;
	bs = systab->BootServices;
	say("hyp-efi: UEFI stub, hypervisor image ");
	say_hex(hyp_payload_end - hyp_payload);
	say(" bytes\n");
	h = check_payload();
	if (!h)
		return EFI_LOAD_ERROR;

	/* The image is linked for one address: it must get exactly that one. */
	addr = h->load_addr;
	st = bs->AllocatePages(AllocateAddress, EfiLoaderData, (h->image_size + 0xfff) >> 12,
			       &addr);
	if (st != EFI_SUCCESS) {
		say("hyp-efi: [");
		say_hex(h->load_addr);
		say(", +");
		say_hex(h->image_size);
		say(") is not free; relink with another HYP_LOAD_ADDR\n");
		say_owners(h->load_addr, h->image_size);
		return fail("AllocatePages (image)", st);
	}
	memcpy((void *)(UINTN)addr, h, hyp_payload_end - hyp_payload);
	memset((void *)(UINTN)(addr + (hyp_payload_end - hyp_payload)), 0,
	       h->load_size - (hyp_payload_end - hyp_payload));

	/*
	 * A STARTUP IPI starts an AP in real mode at vector << 12 (Intel SDM
	 * vol. 3A, "Interrupt Command Register", Start-Up delivery mode; AMD
	 * APM vol. 2, 16.5 "Interprocessor Interrupts"): a 4 KiB page below
	 * 1 MiB, kept clear of the EBDA and VGA area from 0x9f000 on.
	 */
	addr = 0x9efff;
	st = bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &addr);
	if (st != EFI_SUCCESS)
		return fail("AllocatePages (AP trampoline below 1 MiB)", st);
	handoff.trampoline = addr;

	handoff.magic = X86_HANDOFF_MAGIC;
	handoff.rsdp = find_rsdp();
	get_load_options(image);

	st = exit_boot_services(image);
	if (st != EFI_SUCCESS) {
		/* Boot services may be half torn down: nothing safe to return to. */
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	/* Our interrupt handlers are not in place yet; the firmware's are gone. */
	__asm__ volatile("cli" : : : "memory");
	((void (*)(struct x86_handoff *))(UINTN)h->entry)(&handoff);
	for (;;)
		__asm__ volatile("hlt");
}
