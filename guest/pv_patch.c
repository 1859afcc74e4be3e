/*
 * pv_patch.c - the boot-time patcher of pv call sites.
 *
 * Linux apply_paravirt() in miniature: for each site, the chosen bytes,
 * then one NOP over the rest. Writes go through a scratch buffer so that a
 * site is either rewritten whole or not at all.
 *
 * Environment: guest kernel at boot, interrupts off; pure logic, also built
 * into the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "pv_patch.h"

/*
 * The recommended multi-byte NOPs, 0F 1F /0 with growing ModRM forms
 * (Intel SDM vol. 2B, NOP: "Recommended Multi-Byte Sequence of NOP
 * Instruction"); longer ones add operand-size prefixes to the 8-byte form,
 * up to the 15-byte limit of one instruction.
 */
static const uint8_t nop_forms[10][9] = {
	[1] = { 0x90 },
	[2] = { 0x66, 0x90 },
	[3] = { 0x0f, 0x1f, 0x00 },
	[4] = { 0x0f, 0x1f, 0x40, 0x00 },
	[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	[6] = { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	[7] = { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	[8] = { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	[9] = { 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

void pv_nop_fill(uint8_t *p, unsigned len)
{
	unsigned i, prefixes = 0;

	if (len == 0 || len > PV_NOP_MAX)
		return;
	if (len > 9) {
		prefixes = len - 8;
		for (i = 0; i < prefixes; i++)
			p[i] = 0x66;
		len = 8;
	}
	for (i = 0; i < len; i++)
		p[prefixes + i] = nop_forms[len][i];
}

uint64_t pv_slot_target(const struct pv_ops *ops, unsigned op)
{
	const uint8_t *base = (const uint8_t *)ops;
	const void *slot;

	if (op >= PV_NR_OPS)
		return 0;
	slot = base + pv_op_info[op].offset;
	return (uint64_t)*(const void *const *)slot;
}

const char *pv_choice_name(enum pv_choice c)
{
	switch (c) {
	case PV_CHOICE_INLINE: return "inline";
	case PV_CHOICE_CALL:   return "call";
	case PV_CHOICE_KEEP:   return "indirect";
	}
	return "?";
}

static int keep(struct pv_patch_result *res, int err, const char *why)
{
	res->choice = PV_CHOICE_KEEP;
	res->written = 0;
	res->why = why;
	return err;
}

int pv_patch_site(uint8_t *mem, const struct pv_site *site,
		  const struct pv_template *t, uint64_t call_target,
		  struct pv_patch_result *res)
{
	uint8_t buf[32];
	unsigned n, i;

	if (site->op >= PV_NR_OPS)
		return keep(res, PV_PATCH_EOP, "bad op number");
	if (site->len < PV_CALL_INDIRECT_LEN || site->len > sizeof(buf))
		return keep(res, PV_PATCH_ELEN, "bad site length");
	if (t->clobbers & ~site->clobbers)
		return keep(res, PV_PATCH_ECLOB, "template clobbers more than the site allows");

	if (t->bytes) {
		n = (unsigned)(t->end - t->bytes);
		if (n > site->len)
			return keep(res, PV_PATCH_ELEN, "template longer than the site");
		for (i = 0; i < n; i++)
			buf[i] = t->bytes[i];
		res->choice = PV_CHOICE_INLINE;
	} else {
		/* E8 cd: rel32 counts from the end of the call (SDM vol. 2A, CALL). */
		int64_t rel = (int64_t)(call_target - (site->addr + PV_CALL_DIRECT_LEN));

		if (rel != (int32_t)rel)
			return keep(res, PV_PATCH_ERANGE, "call target out of rel32 reach");
		n = PV_CALL_DIRECT_LEN;
		buf[0] = 0xe8;
		for (i = 0; i < 4; i++)
			buf[1 + i] = (uint8_t)((uint64_t)rel >> (8 * i));
		res->choice = PV_CHOICE_CALL;
	}
	if (site->len - n > PV_NOP_MAX)
		return keep(res, PV_PATCH_ELEN, "padding longer than one NOP");
	pv_nop_fill(buf + n, site->len - n);

	for (i = 0; i < site->len; i++)
		mem[i] = buf[i];
	res->written = n;
	res->why = t->why;
	return PV_PATCH_OK;
}
