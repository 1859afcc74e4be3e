/*
 * test_acpi.c - host tests of the MADT reader (shared/lib/acpi.c).
 *
 * Built from the real source. Physical memory is a 2 MiB heap buffer the
 * map function hands out exactly (AddressSanitizer sees a read past what
 * was asked for); the tables are written into it as firmware would: the
 * EBDA's segment at 0x40e, an RSDP, an RSDT or XSDT, a FACP stand-in and
 * the MADT, each with its checksum.
 */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include "acpi.h"
#include "check.h"

#define MEM_SIZE        0x200000u
#define EBDA            0x9fc00u
#define BIOS_RSDP       0xf5a10u        /* a 16-byte boundary */
#define ROOT            0x100000u
#define FACP            0x101000u
#define MADT            0x102000u

static uint8_t *mem;

/* len bytes at pa, as the kernel's map would give them; NULL outside. */
static const void *map(uint64_t pa, size_t len)
{
	return pa <= MEM_SIZE && len <= MEM_SIZE - pa ? mem + pa : NULL;
}

static void put32(uint32_t pa, uint32_t v)
{
	memcpy(mem + pa, &v, 4);
}

static void put64(uint32_t pa, uint64_t v)
{
	memcpy(mem + pa, &v, 8);
}

/* Make len bytes at pa sum to 0 mod 256 through the byte at sum. */
static void fix_sum(uint32_t pa, uint32_t len, uint32_t sum)
{
	uint8_t s = 0;

	mem[sum] = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + mem[pa + i]);
	mem[sum] = (uint8_t)-s;
}

static void header(uint32_t pa, const char *sig, uint32_t len)
{
	memcpy(mem + pa, sig, 4);
	put32(pa + 4, len);
	mem[pa + 8] = 1;
	memcpy(mem + pa + 10, "TESTID", 6);
	fix_sum(pa, len, pa + 9);
}

/* An MADT at MADT with n entries of the given bytes (each e[i][1] long). */
static uint32_t madt(const uint8_t (*e)[16], unsigned n)
{
	uint32_t len = 44;

	memset(mem + MADT, 0, 4096);
	put32(MADT + 36, 0xfee00000u);
	put32(MADT + 40, 1);                    /* PC-AT compatible */
	for (unsigned i = 0; i < n; i++) {
		memcpy(mem + MADT + len, e[i], e[i][1]);
		len += e[i][1];
	}
	header(MADT, "APIC", len);
	return len;
}

/* The RSDP at pa, revision 0 (RSDT) or 2 (XSDT), and its root of tables. */
static void firmware(uint32_t rsdp, int xsdt)
{
	memset(mem, 0, MEM_SIZE);
	mem[0x40e] = (uint8_t)(EBDA >> 4);
	mem[0x40f] = (uint8_t)(EBDA >> 12);
	memcpy(mem + rsdp, "RSD PTR ", 8);
	mem[rsdp + 15] = xsdt ? 2 : 0;
	put32(rsdp + 16, xsdt ? 0 : ROOT);
	if (xsdt) {
		put32(rsdp + 20, 36);
		put64(rsdp + 24, ROOT);
		fix_sum(rsdp, 36, rsdp + 32);
	}
	fix_sum(rsdp, 20, rsdp + 8);
	if (xsdt)
		fix_sum(rsdp, 36, rsdp + 32);
	header(FACP, "FACP", 36);
	if (xsdt) {
		put64(ROOT + 36, FACP);
		put64(ROOT + 44, MADT);
		header(ROOT, "XSDT", 52);
	} else {
		put32(ROOT + 36, FACP);
		put32(ROOT + 40, MADT);
		header(ROOT, "RSDT", 44);
	}
}

static const uint8_t lapic0[16] = { 0, 8, 0, 0, 1, 0, 0, 0 };
static const uint8_t lapic1[16] = { 0, 8, 1, 1, 1, 0, 0, 0 };
static const uint8_t lapic2_off[16] = { 0, 8, 2, 2, 0, 0, 0, 0 };     /* not enabled */
static const uint8_t lapic3_hot[16] = { 0, 8, 3, 3, 2, 0, 0, 0 };     /* online capable */
static const uint8_t ioapic[16] = { 1, 12, 0, 0, 0, 0, 0xc0, 0xfe };
static const uint8_t x2apic300[16] = { 9, 16, 0, 0, 0x2c, 1, 0, 0, 1, 0, 0, 0 };
static const uint8_t x2apic1[16] = { 9, 16, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 };
static const uint8_t override[16] = { 5, 12, 0, 0, 0, 0, 0xd0, 0xfe, 0, 0, 0, 0 };

static void test_found(void)
{
	struct acpi_cpus c;
	const char *why = "";

	TEST("acpi: RSDT in the BIOS area: the enabled local APICs, in order") {
		uint8_t list[5][16];

		memcpy(list[0], lapic0, 16);
		memcpy(list[1], ioapic, 16);
		memcpy(list[2], lapic1, 16);
		memcpy(list[3], lapic2_off, 16);
		memcpy(list[4], lapic3_hot, 16);
		firmware(BIOS_RSDP, 0);
		madt((const uint8_t (*)[16])list, 5);
		CHECK(!acpi_find_cpus(map, &c, &why), "failed: %s", why);
		CHECK(c.count == 2 && c.apic_id[0] == 0 && c.apic_id[1] == 1,
		      "count %u ids %u %u", c.count, c.apic_id[0], c.apic_id[1]);
		CHECK(c.lapic_base == 0xfee00000u && c.madt_pa == MADT, "base 0x%lx at 0x%lx",
		      (unsigned long)c.lapic_base, (unsigned long)c.madt_pa);
	}
	TEST("acpi: XSDT from an RSDP in the EBDA; x2APIC ids; one CPU listed twice") {
		uint8_t list[4][16];

		memcpy(list[0], lapic0, 16);
		memcpy(list[1], lapic1, 16);
		memcpy(list[2], x2apic1, 16);
		memcpy(list[3], x2apic300, 16);
		firmware(EBDA + 0x40, 1);
		madt((const uint8_t (*)[16])list, 4);
		CHECK(!acpi_find_cpus(map, &c, &why), "failed: %s", why);
		CHECK(c.count == 3 && c.apic_id[2] == 300, "count %u, third id %u", c.count,
		      c.apic_id[2]);
	}
	TEST("acpi: the local APIC address override wins") {
		uint8_t list[2][16];

		memcpy(list[0], override, 16);
		memcpy(list[1], lapic0, 16);
		firmware(BIOS_RSDP, 0);
		madt((const uint8_t (*)[16])list, 2);
		CHECK(!acpi_find_cpus(map, &c, &why), "failed: %s", why);
		CHECK(c.lapic_base == 0xfed00000u, "base 0x%lx", (unsigned long)c.lapic_base);
	}
	TEST("acpi: past ACPI_MAX_CPUS the rest are counted, not kept") {
		static uint8_t list[ACPI_MAX_CPUS + 6][16];

		for (unsigned i = 0; i < ACPI_MAX_CPUS + 6; i++) {
			memcpy(list[i], lapic0, 16);
			list[i][2] = list[i][3] = (uint8_t)i;
		}
		firmware(BIOS_RSDP, 0);
		madt((const uint8_t (*)[16])list, ACPI_MAX_CPUS + 6);
		CHECK(!acpi_find_cpus(map, &c, &why), "failed: %s", why);
		CHECK(c.count == ACPI_MAX_CPUS && c.dropped == 6, "count %u dropped %u", c.count,
		      c.dropped);
	}
}

/* acpi_find_cpus fails, and why contains want. */
static int fails_with(const char *want)
{
	struct acpi_cpus c;
	const char *why = NULL;

	return acpi_find_cpus(map, &c, &why) == -1 && why && strstr(why, want);
}

static void test_refused(void)
{
	uint8_t list[2][16];

	memcpy(list[0], lapic0, 16);
	memcpy(list[1], lapic1, 16);
	TEST("acpi: no RSDP, or one whose checksum is wrong") {
		memset(mem, 0, MEM_SIZE);
		CHECK(fails_with("no RSDP"), "empty memory");
		firmware(BIOS_RSDP, 0);
		mem[BIOS_RSDP + 8] ^= 1;
		CHECK(fails_with("no RSDP"), "a bad RSDP checksum was taken");
		firmware(EBDA, 1);
		mem[EBDA + 32] ^= 1;                    /* the extended checksum */
		CHECK(fails_with("no RSDP"), "a bad extended checksum was taken");
	}
	TEST("acpi: a broken MADT is an error, never a fault or a loop") {
		uint32_t len;

		firmware(BIOS_RSDP, 0);
		len = madt((const uint8_t (*)[16])list, 2);
		mem[MADT + 20] ^= 1;
		CHECK(fails_with("checksum"), "bad checksum");
		len = madt((const uint8_t (*)[16])list, 2);
		mem[MADT + 44 + 1] = 0;                 /* an entry of length 0 */
		fix_sum(MADT, len, MADT + 9);
		CHECK(fails_with("entry's length"), "length 0");
		len = madt((const uint8_t (*)[16])list, 2);
		mem[MADT + 52 + 1] = 200;               /* past the table */
		fix_sum(MADT, len, MADT + 9);
		CHECK(fails_with("entry's length"), "length past the end");
		len = madt((const uint8_t (*)[16])list, 2);
		put32(MADT + 4, MEM_SIZE);              /* a length past memory */
		CHECK(fails_with("length"), "table length past memory");
		(void)len;
	}
	TEST("acpi: no enabled CPU, no MADT, a root outside memory") {
		uint8_t off[1][16];

		memcpy(off[0], lapic2_off, 16);
		firmware(BIOS_RSDP, 0);
		madt((const uint8_t (*)[16])off, 1);
		CHECK(fails_with("no enabled local APIC"), "no enabled CPU");
		firmware(BIOS_RSDP, 0);                 /* the MADT's signature left 0 */
		CHECK(fails_with("no MADT"), "no MADT");
		firmware(BIOS_RSDP, 0);
		put32(BIOS_RSDP + 16, 0xfffff000u);
		fix_sum(BIOS_RSDP, 20, BIOS_RSDP + 8);
		CHECK(fails_with("outside memory"), "root outside memory");
	}
	TEST("acpi: an unreadable table before the MADT is passed over") {
		firmware(BIOS_RSDP, 0);
		put32(ROOT + 36, 0xfffff000u);          /* FACP's slot: nowhere */
		fix_sum(ROOT, 44, ROOT + 9);
		madt((const uint8_t (*)[16])list, 2);
		struct acpi_cpus c;
		const char *why = "";

		CHECK(!acpi_find_cpus(map, &c, &why) && c.count == 2, "failed: %s", why);
	}
}

/* What the hypervisor writes into its guest's memory, read back. */
static void test_built(void)
{
	static const uint32_t ids[4] = { 0, 1, 2, 7 };
	struct acpi_cpus c;
	const char *why = "";

	TEST("acpi: acpi_build_cpus writes what acpi_find_cpus reads") {
		memset(mem, 0, MEM_SIZE);
		CHECK(acpi_build_cpus(mem + 0xe0000, 0xe0000, 0x20000, ids, 4, 0xfee00000u) ==
		      ACPI_BUILD_SIZE(4), "size");
		CHECK(!acpi_find_cpus(map, &c, &why), "failed: %s", why);
		CHECK(c.count == 4 && c.apic_id[3] == 7 && c.lapic_base == 0xfee00000u &&
		      c.madt_pa == 0xe0000 + 72, "count %u, id %u, base 0x%lx, MADT at 0x%lx",
		      c.count, c.apic_id[3], (unsigned long)c.lapic_base, (unsigned long)c.madt_pa);
		memset(mem, 0, MEM_SIZE);
		CHECK(acpi_build_cpus(mem + 0xe0000, 0xe0000, 0x20000, ids, 1, 0xfee00000u) &&
		      !acpi_find_cpus(map, &c, &why) && c.count == 1 && c.apic_id[0] == 0,
		      "one CPU: %s", why);
		CHECK(!acpi_build_cpus(mem, 0, ACPI_BUILD_SIZE(4) - 1, ids, 4, 0), "too small taken");
		CHECK(!acpi_build_cpus(mem, 0, 0x1000, ids, 0, 0), "no CPU taken");
	}
}

int main(void)
{
	mem = malloc(MEM_SIZE);
	if (!mem)
		return 2;
	test_found();
	test_refused();
	test_built();
	free(mem);
	return check_summary();
}
