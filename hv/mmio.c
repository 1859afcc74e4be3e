/*
 * mmio.c - guest accesses to memory-mapped devices: the guest's local APIC
 * (apic.c) and absent MMIO, the rest of the MMIO window, which behaves as
 * on a machine with no device there: reads return all ones, writes
 * vanish, and the guest goes on after the instruction.
 *
 * The EPT leaves the window unmapped, so each access is an EPT violation.
 * The instruction is fetched through the guest's own page tables, from
 * guest RAM only (guest_paging.c), and decoded (mmio_decode.c) in the mode
 * the guest's code runs in. What cannot be fetched or decoded stops the
 * guest with a reason that names the bytes; what the CPU itself would
 * have refused before touching memory (LOCK on a move, an instruction
 * over 15 bytes) gets the fault the CPU raises, as bytes changed behind
 * the CPU's back (a stale TLB entry) can make it.
 *
 * Environment: hypervisor, root mode, from the EPT-violation handler.
 */
/* SPDX-License-Identifier: MIT */
#include "guest_paging.h"
#include "hv.h"
#include "lib.h"
#include "mmio_decode.h"

int mmio_absent_gpa(uint64_t gpa)
{
	return gpa >= HV_MMIO_WINDOW && gpa < (1ul << 32);
}

static int absent_read(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t *val)
{
	(void)v, (void)gpa, (void)size;
	*val = ~0ul;                            /* no device drives the bus */
	v->stats.mmio_absent++;
	return 0;
}

static int absent_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
	(void)v, (void)gpa, (void)size, (void)val;
	v->stats.mmio_absent++;
	return 0;
}

const struct mmio_device mmio_absent = { "absent MMIO", absent_read, absent_write };

/* "8b 05 00 00" for the n bytes at code. */
static const char *hex_bytes(char *buf, size_t size, const uint8_t *code, unsigned n)
{
	unsigned i, at = 0;

	buf[0] = 0;
	for (i = 0; i < n && at + 4 <= size; i++)
		at += (unsigned)snprintf(buf + at, size - at, i ? " %02x" : "%02x", code[i]);
	return buf;
}

/*
 * The instruction's bytes at CS:RIP: as many as the CPU can have run
 * (up to 15; outside 64-bit mode none past the CS limit), through the
 * guest's paging. Fewer than asked fills *stop.
 */
static unsigned fetch_insn(struct vcpu *v, enum mmio_mode mode, uint8_t *code,
			   struct guest_fetch_stop *stop)
{
	struct guest_paging pg = {
		.cr0 = vmread(GUEST_CR0), .cr3 = vmread(GUEST_CR3),
		.cr4 = vmread(GUEST_CR4), .efer = vmread(GUEST_IA32_EFER),
	};
	struct guest_ram ram = { guest_mem.base, guest_mem.size };
	uint64_t n = MMIO_INSN_MAX, la_mask = ~0ul, la = v->rip;

	/* PAE paging walks from the PDPTEs the CPU loaded, which a VM exit
	 * saves in the VMCS when EPT is on (vol. 3C, 28.3.4). */
	if ((pg.cr0 & CR0_PG) && (pg.cr4 & CR4_PAE) && !(pg.efer & EFER_LMA)) {
		pg.pdpte[0] = vmread(GUEST_PDPTE0);
		pg.pdpte[1] = vmread(GUEST_PDPTE1);
		pg.pdpte[2] = vmread(GUEST_PDPTE2);
		pg.pdpte[3] = vmread(GUEST_PDPTE3);
	}
	*stop = (struct guest_fetch_stop){ GUEST_XLATE_OK, 0, 0 };
	if (mode != MMIO_MODE_64) {
		uint64_t ip = v->rip & 0xffffffffu, limit = vmread(GUEST_CS_LIMIT) & 0xffffffffu;

		/* Linear addresses are 32 bits outside IA-32e mode (vol. 3A,
		 * 3.4), and no code is fetched past the CS limit (3.4.5). */
		la_mask = 0xffffffffu;
		la = vmread(GUEST_CS_BASE) + ip;
		n = ip > limit ? 0 : limit - ip + 1 < n ? limit - ip + 1 : n;
	}
	return guest_fetch(&pg, &ram, la, la_mask, code, (unsigned)n, stop);
}

void mmio_access(struct vcpu *v, uint64_t gpa, const struct mmio_device *dev)
{
	uint64_t vec = vmread(IDT_VECTORING_INFO), qual = v->qual, data;
	const char *what = dev->name;
	enum mmio_mode mode = mmio_cpu_mode(vmread(GUEST_CR0), vmread(GUEST_IA32_EFER),
					    vmread(GUEST_RFLAGS), (uint32_t)vmread(GUEST_CS_AR));
	uint8_t code[MMIO_INSN_MAX];
	char hex[3 * MMIO_INSN_MAX + 1];
	struct guest_fetch_stop stop;
	struct mmio_insn in;
	unsigned n;

	/*
	 * Only the instruction's own data access is one to complete. An
	 * access while delivering an event (IDT-vectoring information valid,
	 * 28.2.4: a descriptor table or stack there), one with no linear
	 * address, or one to a paging-structure entry (qualification bits 7
	 * and 8, table 28-7) is not what the bytes at RIP say.
	 */
	if (vec & INTR_INFO_VALID) {
		guest_kill(v, HV_STATUS_GUEST_FAULT, "%s at gpa 0x%lx: touched while "
			   "delivering vector %lu (the IDT, GDT, TSS or stack is not RAM), "
			   "at rip 0x%lx", what, gpa, vec & 0xff, v->rip);
		return;
	}
	if (!(qual & EPT_QUAL_GLA_VALID) || !(qual & EPT_QUAL_GLA_TRANSLATED)) {
		guest_kill(v, HV_STATUS_GUEST_FAULT, "%s at gpa 0x%lx: %s at rip 0x%lx",
			   what, gpa, qual & EPT_QUAL_GLA_VALID ? "a guest page-table entry is there" :
			   "an access with no linear address", v->rip);
		return;
	}

	n = fetch_insn(v, mode, code, &stop);
	switch (mmio_decode(code, n, mode, &in)) {
	case MMIO_DECODED:
		break;
	case MMIO_TRUNCATED:
		if (stop.why == GUEST_XLATE_OK)
			guest_kill(v, HV_STATUS_GUEST_FAULT, "%s at gpa 0x%lx: cannot read "
				   "the instruction at rip 0x%lx: it runs past the CS limit "
				   "(bytes: %s)", what, gpa, v->rip, hex_bytes(hex, sizeof(hex), code, n));
		else
			guest_kill(v, HV_STATUS_GUEST_FAULT, "%s at gpa 0x%lx: cannot read "
				   "the instruction at rip 0x%lx: linear 0x%lx is %s (bytes: %s)",
				   what, gpa, v->rip, stop.la, guest_xlate_name(stop.why),
				   hex_bytes(hex, sizeof(hex), code, n));
		return;
	case MMIO_TOO_LONG:                     /* over 15 bytes (vol. 3A, 6.15) */
		/* #GP(0); in real mode without the error code, which VM
		 * entry would refuse there (vcpu_inject_fault). */
		vcpu_inject_gp(v);
		return;
	case MMIO_LOCKED:                       /* LOCK MOV (vol. 2A, LOCK) */
		vcpu_inject_ud(v);
		return;
	case MMIO_UNKNOWN:
	default:
		guest_kill(v, HV_STATUS_GUEST_FAULT, "%s at gpa 0x%lx: cannot decode "
			   "instruction %s at rip 0x%lx", what, gpa, hex_bytes(hex, sizeof(hex), code, n),
			   v->rip);
		return;
	}
	/* A move reads or writes, as the qualification must say (28.2.1). */
	if (!(qual & (in.store ? EPT_QUAL_WRITE : EPT_QUAL_READ))) {
		guest_kill(v, HV_STATUS_GUEST_FAULT, "%s at gpa 0x%lx: instruction %s at "
			   "rip 0x%lx %s, but the CPU reported a %s", what, gpa,
			   hex_bytes(hex, sizeof(hex), code, in.len), v->rip,
			   in.store ? "stores" : "loads", in.store ? "read" : "write");
		return;
	}

	if (in.store) {
		data = mmio_store_value(&in, in.reg < 0 ? 0 : vcpu_gpr_read(v, (unsigned)in.reg));
		if (dev->write(v, gpa, in.mem_size, data))
			return;
	} else {
		if (dev->read(v, gpa, in.mem_size, &data))
			return;
		vcpu_gpr_write(v, (unsigned)in.reg,
			       mmio_load_result(&in, vcpu_gpr_read(v, (unsigned)in.reg), data));
	}
	vcpu_complete_insn(v, mmio_next_rip(v->rip, in.len, mode));
}
