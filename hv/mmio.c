/*
 * mmio.c - absent MMIO: guest accesses to the MMIO window that nothing
 * backs behave as on a machine with no device there. Reads return all
 * ones, writes vanish, and the guest goes on after the instruction.
 *
 * The EPT leaves the window unmapped, so each access is an EPT violation;
 * the instruction is fetched through the guest's own page tables and
 * decoded (mmio_decode.c) to learn its register, size and length.
 *
 * Environment: hypervisor, root mode, from the EPT-violation handler.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "mmio_decode.h"

#define PTE_P           BIT(0)
#define PTE_PS          BIT(7)
#define PTE_ADDR        0x000ffffffffff000ul
#define CR4_PAE_BIT     BIT(5)
#define CS_AR_L         BIT(13)         /* 64-bit code segment (25.4.1) */

int mmio_absent_gpa(uint64_t gpa)
{
	return gpa >= HV_MMIO_WINDOW && gpa < (1ul << 32);
}

/* A pointer to guest-physical RAM, or NULL outside it. */
static uint8_t *gpa_ptr(uint64_t gpa)
{
	return gpa < guest_mem.size ? guest_mem.base + gpa : 0;
}

/*
 * Guest linear -> guest physical through the guest's paging structures
 * (SDM vol. 3A, 5.4 PAE and 5.5 4-level paging); ~0 when not present.
 */
static uint64_t guest_translate(uint64_t la)
{
	uint64_t cr0 = vmread(GUEST_CR0), cr3 = vmread(GUEST_CR3);
	uint64_t cr4 = vmread(GUEST_CR4), efer = vmread(GUEST_IA32_EFER);
	uint64_t table, e;
	int level;

	if (!(cr0 & CR0_PG))
		return la & 0xffffffffu;
	if (!(cr4 & CR4_PAE_BIT))
		return ~0ul;                    /* 32-bit paging: not ours to walk */
	if (efer & EFER_LMA) {
		table = cr3 & PTE_ADDR;
		level = 3;
	} else {
		uint64_t *pdpte = (uint64_t *)gpa_ptr((cr3 & 0xffffffe0u) + ((la >> 30) & 3) * 8);
		if (!pdpte || !(*pdpte & PTE_P))
			return ~0ul;
		table = *pdpte & PTE_ADDR;
		level = 1;
	}
	for (; level >= 0; level--) {
		uint64_t *pe = (uint64_t *)gpa_ptr(table + ((la >> (12 + 9 * level)) & 511) * 8);

		if (!pe || !((e = *pe) & PTE_P))
			return ~0ul;
		if (level == 0 || (level <= 2 && (e & PTE_PS))) {
			uint64_t span = 1ul << (12 + 9 * level);
			return ((e & PTE_ADDR) & ~(span - 1)) | (la & (span - 1));
		}
		table = e & PTE_ADDR;
	}
	return ~0ul;
}

/* Copy up to n bytes of guest code at linear la; returns how many. */
static unsigned fetch_code(uint64_t la, uint8_t *buf, unsigned n)
{
	unsigned got = 0;

	while (got < n) {
		uint64_t gpa = guest_translate(la + got);
		uint8_t *p = gpa == ~0ul ? 0 : gpa_ptr(gpa);
		unsigned chunk = 4096 - (unsigned)((la + got) & 4095);

		if (!p)
			break;
		if (chunk > n - got)
			chunk = n - got;
		memcpy(buf + got, p, chunk);
		got += chunk;
	}
	return got;
}

int mmio_absent_access(struct vcpu *v)
{
	uint8_t code[15];
	struct mmio_insn in;
	uint64_t la = vmread(GUEST_CS_BASE) + v->rip, ones, *r;
	int long_mode = !!(vmread(GUEST_CS_AR) & CS_AR_L);
	unsigned n = fetch_code(la, code, sizeof(code));

	if (mmio_decode(code, n, long_mode, &in))
		return -1;
	if (!in.write) {
		/* Loads read all ones (absent hardware); 32-bit destinations
		 * zero-extend, 8- and 16-bit ones keep the rest (SDM vol. 1, 3.4.1.1). */
		ones = in.size == 8 ? ~0ul : (1ul << (8 * in.size)) - 1;
		r = in.reg == 4 ? 0 : vcpu_gpr(v, (unsigned)in.reg);
		if (!r)
			return -1;              /* RSP as a destination: not ours */
		if (in.high_byte)
			*r = (*r & ~0xff00ul) | 0xff00ul;
		else if (in.dst_size >= 4)
			*r = in.dst_size == 4 ? (uint32_t)ones : ones;
		else
			*r = (*r & ~((1ul << (8 * in.dst_size)) - 1)) | ones;
	}
	vmcs_write(GUEST_RIP, v->rip + in.len);
	hv_stats.mmio_absent++;
	return 0;
}
