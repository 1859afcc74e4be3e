/*
 * io.h - a port I/O exit's hot half, inline in the exit dispatch
 * (vmexit.c): absent hardware, port 0x80 among it, is answered here; a
 * device's port (io.c's list) and string I/O go to io_exit_device().
 *
 * Exit qualification for I/O instructions: SDM vol. 3C, 28.2.1, table 28-5.
 * Environment: hypervisor, root mode, on an I/O exit.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_IO_H
#define HV_IO_H

#include "hv.h"

#define IOQ_SIZE(q)     (((q) & 7) + 1)
#define IOQ_IN          BIT(3)
#define IOQ_STRING      BIT(4)
#define IOQ_PORT(q)     ((uint16_t)((q) >> 16))

#define COM1            0x3f8

/* The ports io.c gives a device; every other one is absent hardware. */
static inline int io_port_is_device(uint16_t port)
{
	return (port >= COM1 && port < COM1 + 8) || port == 0xf4 || port == 0x8900;
}

void io_exit_device(struct vcpu *v, uint64_t q, uint16_t port);

/* The access's bytes: size 1, 2 or 4 (IOQ_SIZE). */
static inline uint32_t io_size_mask(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* RAX after an IN of size bytes that read val: to AL/AX the rest of RAX
 * is kept, to EAX it zero-extends (vol. 1, 3.4.1.1). */
static inline uint64_t io_in_result(uint64_t rax, unsigned size, uint32_t val)
{
	uint32_t mask = io_size_mask(size);

	return size == 4 ? val : (rax & ~(uint64_t)mask) | (val & mask);
}

static inline void io_exit_inline(struct vcpu *v)
{
	uint64_t q = v->qual;
	uint16_t port = IOQ_PORT(q);

	stats_count_port(&v->stats, port);
	if (__builtin_expect((q & IOQ_STRING) || io_port_is_device(port), 0)) {
		io_exit_device(v, q, port);
		return;
	}
	/* Absent: an IN reads all ones (io_in_result's rule, written out for
	 * all ones: the compiler does not fold it as short); an OUT vanishes. */
	if (q & IOQ_IN)
		v->regs.rax = IOQ_SIZE(q) == 4 ? 0xffffffffu :
			      v->regs.rax | ((1u << (8 * IOQ_SIZE(q))) - 1);
	vcpu_skip_insn(v);
}

#endif
