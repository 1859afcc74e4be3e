/*
 * test_abi.c - the ABI's generated forms match its definition.
 *
 * shared/abi/abi.def is the one source of hypercall numbers and error
 * codes; tools/abigen.c writes the NASM include from it. This test
 * assembles a file that emits every %define of that include as a dword,
 * and compares each with the value C sees through hv_abi.h; it also checks
 * that numbers are unique and dense, and the shared page's layout.
 * (docs/abi.md is compared with a fresh one by tests/run.)
 *
 * Environment: build host; needs nasm and build/gen/hv_abi.inc.
 */
/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "abi/hv_abi.h"
#include "check.h"

#define INC "build/gen/hv_abi.inc"

struct entry {
	const char *name;
	long value;
};

static const struct entry hypercalls[] = {
#define HYPERCALL(nr, name, nargs, what) { "HC_" #name, HC_##name },
#include "abi/abi.def"
};
static const struct entry errors[] = {
#define HV_ERROR(nr, name, what) { "HV_" #name, HV_##name },
#include "abi/abi.def"
};
static const struct entry limits[] = {
	{ "HV_CONSOLE_WRITE_MAX", HV_CONSOLE_WRITE_MAX },
};

/* Assemble "dd NAME" for each entry with the include; read them back. */
static int nasm_values(const struct entry *e, size_t n, long *out)
{
	FILE *f = fopen("build/host/test_abi.asm", "w");
	unsigned char buf[4 * 64];
	size_t i, got;

	if (!f || n > 64)
		return -1;
	fprintf(f, "%%include \"" INC "\"\n");
	for (i = 0; i < n; i++)
		fprintf(f, "dd %s\n", e[i].name);
	fclose(f);
	if (system("nasm -f bin -o build/host/test_abi.bin build/host/test_abi.asm"))
		return -1;
	f = fopen("build/host/test_abi.bin", "rb");
	if (!f)
		return -1;
	got = fread(buf, 4, n, f);
	fclose(f);
	if (got != n)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (long)(buf[4 * i] | buf[4 * i + 1] << 8 | buf[4 * i + 2] << 16 |
				(unsigned long)buf[4 * i + 3] << 24);
	return 0;
}

static void same(const char *what, const struct entry *e, size_t n)
{
	long v[64];
	size_t i, j;

	TEST(what) {
		CHECK(nasm_values(e, n, v) == 0, "nasm could not assemble the include (%s)", INC);
		for (i = 0; i < n; i++)
			CHECK(v[i] == e[i].value, "%s: NASM says %ld, C says %ld", e[i].name,
			      v[i], e[i].value);
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				CHECK(e[i].value != e[j].value, "%s and %s share %ld",
				      e[i].name, e[j].name, e[i].value);
	}
}

int main(void)
{
	size_t i;

	same("hypercall numbers: NASM include == hv_abi.h, unique", hypercalls,
	     sizeof(hypercalls) / sizeof(hypercalls[0]));
	same("error codes: NASM include == hv_abi.h, unique", errors,
	     sizeof(errors) / sizeof(errors[0]));
	TEST("limits: NASM include == hv_abi.h") {
		long v[1];

		CHECK(nasm_values(limits, 1, v) == 0, "nasm could not assemble the include (%s)", INC);
		CHECK(v[0] == limits[0].value, "%s: NASM says %ld, C says %ld", limits[0].name,
		      v[0], limits[0].value);
	}
	TEST("hypercall numbers are dense from 0 (a table indexes them)") {
		for (i = 0; i < sizeof(hypercalls) / sizeof(hypercalls[0]); i++)
			CHECK(hypercalls[i].value == (long)i, "%s is %ld at position %zu",
			      hypercalls[i].name, hypercalls[i].value, i);
		CHECK(HC_COUNT == sizeof(hypercalls) / sizeof(hypercalls[0]), "HC_COUNT %d", HC_COUNT);
	}
	TEST("shared page layout: one page, the halves as documented") {
		CHECK(sizeof(struct hv_shared_page) == 4096, "size %zu", sizeof(struct hv_shared_page));
		CHECK(offsetof(struct hv_shared_page, cpuid) == 8, "cpuid at %zu",
		      offsetof(struct hv_shared_page, cpuid));
		CHECK(offsetof(struct hv_shared_page, pv_eoi) == 0x308, "pv_eoi at %zu",
		      offsetof(struct hv_shared_page, pv_eoi));
		CHECK(offsetof(struct hv_shared_page, guest_features) == 2048, "guest half at %zu",
		      offsetof(struct hv_shared_page, guest_features));
		CHECK(HV_ABI_VERSION == (HV_ABI_VERSION_MAJOR << 16 | HV_ABI_VERSION_MINOR),
		      "version word");
	}
	return check_summary();
}
