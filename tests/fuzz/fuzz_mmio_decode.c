/*
 * fuzz_mmio_decode.c - libFuzzer target for the absent-MMIO decoder
 * (hv/mmio_decode.c): the only code in the hypervisor that parses bytes a
 * guest chose as an instruction.
 *
 * Input: byte 0 picks the mode (16-, 32- or 64-bit) and seeds the register
 * values; the rest are the instruction bytes, handed over in a heap
 * buffer of exactly their count so that AddressSanitizer stops any read
 * past it. Invariants, each an abort when broken:
 *   - the result is one of the five;
 *   - accepted: length 1..15 and <= count; operand and address size in
 *     {2, 4, 8} (no 8 outside 64-bit mode); memory and register size in
 *     {1, 2, 4, 8}, the register at least as wide as memory; register
 *     -1..15, -1 only for a store of an immediate; AH..BH only as bytes;
 *   - the decoder reads nothing past the instruction: the same bytes cut
 *     to its length decode the same; "too long" needs only 15 bytes;
 *     "truncated" only happens with fewer than 15;
 *   - a load's register keeps exactly the bits its width says; the next
 *     RIP stays inside the mode's IP width;
 *   - mmio_cpu_mode gives one of the three modes for any register values.
 *
 * Build and run (clang, libclang-rt):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ihv -Ishared/lib -Ishared \
 *     tests/fuzz/fuzz_mmio_decode.c hv/mmio_decode.c -o build/fuzz/fuzz_mmio_decode
 *   build/fuzz/fuzz_mmio_decode -max_total_time=10
 *
 * Environment: build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmio_decode.h"

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

static int size_ok(unsigned s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdul;
	x ^= x >> 33;
	return x;
}

static void check_insn(const struct mmio_insn *in, unsigned count, enum mmio_mode mode,
		       uint64_t seed)
{
	uint64_t old = mix(seed), data = mix(seed + 1), r, keep;

	REQUIRE(in->len >= 1 && in->len <= MMIO_INSN_MAX && in->len <= count);
	REQUIRE(in->op_size == 2 || in->op_size == 4 || in->op_size == 8);
	REQUIRE(in->addr_size == 2 || in->addr_size == 4 || in->addr_size == 8);
	REQUIRE(mode == MMIO_MODE_64 || (in->op_size != 8 && in->addr_size != 8));
	REQUIRE(size_ok(in->mem_size) && size_ok(in->reg_size));
	REQUIRE(in->reg_size >= in->mem_size);
	REQUIRE(in->reg >= -1 && in->reg < 16);
	REQUIRE(in->reg >= 0 || in->store);
	REQUIRE(!in->high_byte || (in->reg >= 0 && in->reg < 4 && in->reg_size == 1));
	REQUIRE(in->ext == MMIO_EXT_NONE || in->ext == MMIO_EXT_ZERO ||
		in->ext == MMIO_EXT_SIGN);
	REQUIRE(in->store == 0 || in->store == 1);

	r = mmio_load_result(in, old, data);
	if (in->store) {
		REQUIRE(r == old);
		return;
	}
	/* The bits a load must not touch, by the destination's width. */
	keep = in->high_byte ? ~0xff00ul : in->reg_size == 1 ? ~0xfful :
	       in->reg_size == 2 ? ~0xfffful : 0;
	REQUIRE((r & keep) == (old & keep));
	if (in->reg_size == 4)
		REQUIRE(r >> 32 == 0);
	/* The loaded bytes land unchanged in the low end. */
	if (!in->high_byte)
		REQUIRE(((r ^ data) & ((in->mem_size == 8 ? 0 : 1ul << (8 * in->mem_size)) - 1)) == 0);
	/* All ones in: all ones out over the register's width. */
	r = mmio_load_result(in, 0, ~0ul);
	if (in->ext != MMIO_EXT_ZERO || in->mem_size == in->reg_size)
		REQUIRE(r == (in->high_byte ? 0xff00ul : in->reg_size == 8 ? ~0ul :
			      (1ul << (8 * in->reg_size)) - 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum mmio_mode modes[] = { MMIO_MODE_16, MMIO_MODE_32, MMIO_MODE_64 };
	struct mmio_insn in, again;
	enum mmio_decode_result r, r2;
	enum mmio_mode mode, m;
	unsigned count;
	uint64_t seed, rip;
	uint8_t *code;

	if (size < 1)
		return 0;
	mode = modes[data[0] % 3];
	seed = mix(data[0] | (uint64_t)size << 8);
	count = (unsigned)(size - 1);
	code = malloc(count ? count : 1);
	memcpy(code, data + 1, count);

	memset(&in, 0, sizeof(in));
	r = mmio_decode(code, count, mode, &in);
	REQUIRE(r == MMIO_DECODED || r == MMIO_UNKNOWN || r == MMIO_TRUNCATED ||
		r == MMIO_TOO_LONG || r == MMIO_LOCKED);
	if (r == MMIO_TRUNCATED)
		REQUIRE(count < MMIO_INSN_MAX);
	if (r == MMIO_TOO_LONG)
		REQUIRE(mmio_decode(code, MMIO_INSN_MAX, mode, &again) == MMIO_TOO_LONG);
	if (r == MMIO_DECODED) {
		check_insn(&in, count, mode, seed);
		r2 = mmio_decode(code, in.len, mode, &again);
		REQUIRE(r2 == MMIO_DECODED && !memcmp(&in, &again, sizeof(in)));
		if (in.len > 1)
			REQUIRE(mmio_decode(code, in.len - 1, mode, &again) == MMIO_TRUNCATED);
	}
	/* The same count, a different claim: more than there is is never read
	 * when the answer needs no more (a count past 15 changes nothing). */
	if (count >= MMIO_INSN_MAX) {
		r2 = mmio_decode(code, MMIO_INSN_MAX, mode, &again);
		REQUIRE(r2 == r);
	}

	rip = mix(seed + 2);
	rip = mmio_next_rip(rip, data[0] & 15, mode);
	REQUIRE(mode == MMIO_MODE_64 || rip >> (mode == MMIO_MODE_16 ? 16 : 32) == 0);
	m = mmio_cpu_mode(mix(seed + 3), mix(seed + 4), mix(seed + 5), (uint32_t)mix(seed + 6));
	REQUIRE(m == MMIO_MODE_16 || m == MMIO_MODE_32 || m == MMIO_MODE_64);

	free(code);
	return 0;
}
