/*
 * fuzz_acpi.c - libFuzzer target: the firmware's ACPI tables as
 * shared/lib/acpi.c reads them (the MADT's local APICs).
 *
 * Input: byte 0 picks the entry point. Even: acpi_madt_cpus() on the rest
 * as an MADT. Odd: acpi_find_cpus() on a physical memory where the rest
 * lies both at 0xe0000 (where the RSDP is looked for) and at 0x100000
 * (where its tables may point), through a map that hands out exact-length
 * views (AddressSanitizer sees a read past them); the BDA and everything
 * else are outside memory.
 * Invariants:
 *   - the result is 0 or -1, and -1 always comes with a reason;
 *   - on 0: 1 to ACPI_MAX_CPUS CPUs, no APIC ID twice, the same answer
 *     on a second call; the MADT found lies in memory.
 * Environment: build host, clang with libFuzzer.
 */
/* SPDX-License-Identifier: MIT */
#include "acpi.h"
#include "fuzz.h"

static const uint8_t *mem;
static size_t mem_size;

static const void *map(uint64_t pa, size_t len)
{
	uint64_t base = pa >= 0x100000 ? 0x100000 : pa >= 0xe0000 ? 0xe0000 : UINT64_MAX;

	if (base == UINT64_MAX || pa - base > mem_size || len > mem_size - (pa - base))
		return NULL;
	return mem + (pa - base);
}

static void check_cpus(const struct acpi_cpus *c)
{
	FUZZ_ASSERT(c->count >= 1 && c->count <= ACPI_MAX_CPUS, "count %u", c->count);
	for (unsigned i = 0; i < c->count; i++)
		for (unsigned j = i + 1; j < c->count; j++)
			FUZZ_ASSERT(c->apic_id[i] != c->apic_id[j], "APIC ID %u twice",
				    c->apic_id[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_cpus a, b;
	const char *why = NULL, *why2 = NULL;
	uint8_t *copy;
	int r, r2;

	if (size < 1)
		return 0;
	copy = fuzz_dup(data + 1, size - 1);
	mem = copy;
	mem_size = size - 1;
	if (!(data[0] & 1)) {
		r = acpi_madt_cpus(copy, size - 1, &a, &why);
		r2 = acpi_madt_cpus(copy, size - 1, &b, &why2);
	} else {
		r = acpi_find_cpus(map, &a, &why);
		r2 = acpi_find_cpus(map, &b, &why2);
	}
	FUZZ_ASSERT(r == 0 || r == -1, "result %d", r);
	FUZZ_ASSERT(r == r2, "two calls, two results: %d then %d", r, r2);
	if (r) {
		FUZZ_ASSERT(why && why[0], "refused without a reason");
	} else {
		check_cpus(&a);
		FUZZ_ASSERT(!memcmp(&a, &b, sizeof(a)), "two calls, two lists");
		if (data[0] & 1)
			FUZZ_ASSERT(map(a.madt_pa, 44), "the MADT at 0x%llx is outside memory",
				    (unsigned long long)a.madt_pa);
	}
	free(copy);
	return 0;
}
