/*
 * acpi.c - the local APICs the firmware's MADT lists (acpi.h).
 *
 * Layouts (ACPI 6.5): RSDP 5.2.5.3 (20 bytes for revision 0, 36 from
 * revision 2 with the XSDT's address and an extended checksum); every
 * other table starts with the 36-byte header of 5.2.6 (signature, length,
 * ..., checksum: all its bytes sum to 0 mod 256); RSDT 5.2.7 (32-bit
 * addresses) and XSDT 5.2.8 (64-bit); MADT 5.2.12: the local APIC's
 * address at 36, flags at 40, entries from 44, each "type, length, ...":
 * type 0 processor local APIC (8 bytes: ACPI id, APIC id, flags), type 5
 * local APIC address override (12: its 64-bit address at 4), type 9
 * processor local x2APIC (16: x2APIC id at 4, flags at 8). Flags bit 0:
 * enabled; bit 1 (online capable) names a CPU that is off now, not
 * counted here.
 *
 * Environment: either kernel at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "acpi.h"
#include "lib.h"

#define HDR_LEN         36
#define TABLE_MAX       (1u << 20)      /* larger is not a table of these */
#define MADT_ENTRIES    44

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int sum_ok(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s == 0;
}

const uint8_t *acpi_rsdp_scan(const uint8_t *area, size_t len)
{
	size_t off;

	for (off = 0; off + 20 <= len; off += 16) {
		const uint8_t *p = area + off;

		if (memcmp(p, "RSD PTR ", 8) || !sum_ok(p, 20))
			continue;
		/* Revision 2 and up: the extended checksum covers its length. */
		if (p[15] >= 2 && (off + 36 > len || get32(p + 20) < 36 ||
				   get32(p + 20) > len - off || !sum_ok(p, get32(p + 20))))
			continue;
		return p;
	}
	return NULL;
}

static void add_cpu(struct acpi_cpus *out, uint32_t id)
{
	unsigned i;

	for (i = 0; i < out->count; i++)
		if (out->apic_id[i] == id)
			return;                 /* listed twice (xAPIC and x2APIC) */
	if (out->count < ACPI_MAX_CPUS)
		out->apic_id[out->count++] = id;
	else
		out->dropped++;
}

int acpi_madt_cpus(const uint8_t *madt, size_t len, struct acpi_cpus *out, const char **why)
{
	uint32_t tlen;
	size_t off;

	memset(out, 0, sizeof(*out));
	if (len < MADT_ENTRIES || memcmp(madt, "APIC", 4)) {
		*why = "the MADT's header is not an MADT's";
		return -1;
	}
	tlen = get32(madt + 4);
	if (tlen < MADT_ENTRIES || tlen > len || !sum_ok(madt, tlen)) {
		*why = tlen < MADT_ENTRIES || tlen > len ? "the MADT's length is out of range" :
							    "the MADT's checksum is wrong";
		return -1;
	}
	out->lapic_base = get32(madt + 36);
	for (off = MADT_ENTRIES; off < tlen; off += madt[off + 1]) {
		const uint8_t *e = madt + off;

		if (tlen - off < 2 || e[1] < 2 || e[1] > tlen - off) {
			*why = "an MADT entry's length runs past the table (or is below 2)";
			return -1;
		}
		if (e[0] == 0 && e[1] >= 8 && (get32(e + 4) & 1))
			add_cpu(out, e[3]);
		else if (e[0] == 9 && e[1] >= 16 && (get32(e + 8) & 1))
			add_cpu(out, get32(e + 4));
		else if (e[0] == 5 && e[1] >= 12)
			out->lapic_base = get64(e + 4);
	}
	if (!out->count) {
		*why = "the MADT lists no enabled local APIC";
		return -1;
	}
	return 0;
}

/*
 * The table at pa if its signature is sig: 1 with *table and *len when
 * it checks out, 0 when it is another table, -1 when it is sig's but
 * broken or its header cannot be read (*why says which).
 */
static int table_at(acpi_map_fn *map, uint64_t pa, const char *sig,
		    const uint8_t **table, uint32_t *len, const char **why)
{
	const uint8_t *h = map(pa, HDR_LEN);

	if (!h) {
		*why = "a table lies outside memory this kernel can read";
		return -1;
	}
	if (memcmp(h, sig, 4))
		return 0;
	*len = get32(h + 4);
	if (*len < HDR_LEN || *len > TABLE_MAX || !(*table = map(pa, *len))) {
		*why = "a table's length is out of range";
		return -1;
	}
	if (!sum_ok(*table, *len)) {
		*why = "a table's checksum is wrong";
		return -1;
	}
	return 1;
}

int acpi_find_cpus(acpi_map_fn *map, struct acpi_cpus *out, const char **why)
{
	const uint8_t *bda = map(0x40e, 2), *rsdp = NULL, *root, *madt;
	const char *skipped = NULL;
	uint64_t root_pa, ebda;
	uint32_t root_len, madt_len, i, step;
	int x;

	memset(out, 0, sizeof(*out));
	/* The EBDA's segment at 0x40e; its first KiB, then the BIOS area. */
	ebda = bda ? (uint64_t)(bda[0] | bda[1] << 8) << 4 : 0;
	if (ebda >= 0x400 && map(ebda, 1024))
		rsdp = acpi_rsdp_scan(map(ebda, 1024), 1024);
	if (!rsdp && map(0xe0000, 0x20000))
		rsdp = acpi_rsdp_scan(map(0xe0000, 0x20000), 0x20000);
	if (!rsdp) {
		*why = "no RSDP in the EBDA or at 0xe0000-0xfffff";
		return -1;
	}
	x = rsdp[15] >= 2 && get64(rsdp + 24);
	root_pa = x ? get64(rsdp + 24) : get32(rsdp + 16);
	switch (table_at(map, root_pa, x ? "XSDT" : "RSDT", &root, &root_len, why)) {
	case 0:
		*why = x ? "the RSDP's XSDT is not one" : "the RSDP's RSDT is not one";
		/* fall through */
	case -1:
		return -1;
	}
	step = x ? 8 : 4;
	for (i = HDR_LEN; i + step <= root_len; i += step) {
		uint64_t pa = x ? get64(root + i) : get32(root + i);
		const char *w = NULL;

		switch (table_at(map, pa, "APIC", &madt, &madt_len, &w)) {
		case 1:
			if (acpi_madt_cpus(madt, madt_len, out, why))
				return -1;
			out->madt_pa = pa;
			return 0;
		case -1:
			if (map(pa, HDR_LEN) && !memcmp(map(pa, HDR_LEN), "APIC", 4)) {
				*why = w;       /* the MADT itself is broken */
				return -1;
			}
			skipped = w;            /* another table we cannot read */
			break;
		}
	}
	*why = skipped ? skipped : "no MADT among the firmware's tables";
	return -1;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Bytes [0, len) of a table sum to 0 through the byte at sum. */
static void set_sum(uint8_t *p, size_t len, size_t sum)
{
	uint8_t s = 0;
	size_t i;

	p[sum] = 0;
	for (i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	p[sum] = (uint8_t)-s;
}

static void header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;                               /* revision */
	memcpy(t + 10, "MINVMX", 6);            /* OEM ID */
	memcpy(t + 16, "MINIVMX ", 8);          /* OEM table ID */
	set_sum(t, len, 9);
}

size_t acpi_build_cpus(uint8_t *area, uint32_t pa, size_t len, const uint32_t *apic_ids,
		       unsigned n, uint32_t lapic_base)
{
	uint8_t *rsdp = area, *rsdt = area + 32, *madt = area + 32 + 40;
	uint32_t madt_len = MADT_ENTRIES + 8 * n;
	unsigned i;

	if (len < ACPI_BUILD_SIZE(n) || n == 0)
		return 0;
	memset(area, 0, ACPI_BUILD_SIZE(n));
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "MINVMX", 6);
	put32(rsdp + 16, pa + 32);              /* revision 0: the RSDT only */
	set_sum(rsdp, 20, 8);
	put32(rsdt + HDR_LEN, pa + 32 + 40);
	header(rsdt, "RSDT", 40);
	put32(madt + 36, lapic_base);
	for (i = 0; i < n; i++) {
		uint8_t *e = madt + MADT_ENTRIES + 8 * i;

		e[0] = 0;                       /* processor local APIC */
		e[1] = 8;
		e[2] = (uint8_t)i;              /* ACPI processor UID */
		e[3] = (uint8_t)apic_ids[i];
		put32(e + 4, 1);                /* enabled */
	}
	header(madt, "APIC", madt_len);
	return ACPI_BUILD_SIZE(n);
}
