/*
 * io.c - the guest's port I/O: every port exits (both I/O bitmaps all
 * ones) and lands here.
 *
 *   0x3f8-0x3ff  COM1, a minimal 16550: what the guest sends goes out on
 *                the machine's own COM1; it never has input; its
 *                transmitter is always empty
 *   0x80         the POST port (I/O delay): writes ignored
 *   0xf4         isa-debug-exit: the guest's status; its run ends here
 *   0x8900       Bochs shutdown: "Shutdown" ends the guest's run, failed
 *   others       absent hardware: reads return all ones, writes vanish;
 *                among them COM2 (0x2f8-0x2ff), the hypervisor's own
 *                channel (console.c), which no guest byte may reach
 *
 * Absent hardware, the common case, is answered inline (io.h); the
 * devices here. Exit qualification for I/O instructions: SDM vol. 3C,
 * 28.2.1, table 28-5.
 * Environment: hypervisor, root mode.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "io.h"
#include "lib.h"

#define UART_LSR_IDLE   0x60    /* THRE | TEMT: ready, nothing queued */
#define UART_MSR_IDLE   0xb0    /* DCD, DSR, CTS */
#define UART_IIR_NONE   0xc1    /* FIFOs on, no interrupt pending */

static struct {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
} uart;
static unsigned shutdown_seen;

void io_init(uint8_t *bitmap_a, uint8_t *bitmap_b)
{
	/* 25.6.4: a set bit makes its port exit; A covers 0-0x7fff, B the rest. */
	memset(bitmap_a, 0xff, 4096);
	memset(bitmap_b, 0xff, 4096);
}

static uint32_t uart_in(unsigned reg)
{
	int dlab = uart.lcr & 0x80;

	switch (reg) {
	case 0: return dlab ? uart.dll : 0;     /* RBR: nothing received */
	case 1: return dlab ? uart.dlm : uart.ier;
	case 2: return UART_IIR_NONE;
	case 3: return uart.lcr;
	case 4: return uart.mcr;
	case 5: return UART_LSR_IDLE;
	case 6: return UART_MSR_IDLE;
	default: return uart.scr;
	}
}

static void uart_out(unsigned reg, uint8_t val)
{
	int dlab = uart.lcr & 0x80;

	switch (reg) {
	case 0:
		if (dlab)
			uart.dll = val;
		else
			console_putc_raw((char)val);
		break;
	case 1:
		if (dlab)
			uart.dlm = val;
		else
			uart.ier = val;
		break;
	case 3: uart.lcr = val; break;
	case 4: uart.mcr = val; break;
	case 7: uart.scr = val; break;
	default: break;                         /* FCR: FIFOs are implicit */
	}
}

static uint32_t port_in(uint16_t port)
{
	if (port >= COM1 && port < COM1 + 8)
		return uart_in(port - COM1);
	return 0xffffffffu;                     /* absent hardware */
}

static void port_out(struct vcpu *v, uint16_t port, uint32_t val)
{
	if (port >= COM1 && port < COM1 + 8) {
		uart_out(port - COM1, (uint8_t)val);
	} else if (port == 0xf4) {
		guest_exit_request(v, val & 0xff, "isa-debug-exit port 0xf4");
	} else if (port == 0x8900) {
		/* Count the bytes of "Shutdown" as Bochs does. */
		shutdown_seen = (uint8_t)val == (uint8_t)"Shutdown"[shutdown_seen] ?
				shutdown_seen + 1 : 0;
		if (shutdown_seen == 8)
			guest_exit_request(v, 1, "Bochs shutdown port 0x8900");
	}
	/* 0x80 and every absent port: the write vanishes. */
}

/* The rest of io_exit (io.h): a device's port, or string I/O. */
void io_exit_device(struct vcpu *v, uint64_t q, uint16_t port)
{
	unsigned size = IOQ_SIZE(q);

	if (q & IOQ_STRING) {
		guest_kill(v, HV_STATUS_GUEST_FAULT,
			   "string I/O (INS/OUTS) on port 0x%x is not emulated, at rip 0x%lx",
			   port, v->rip);
		return;
	}
	if (q & IOQ_IN)
		v->regs.rax = io_in_result(v->regs.rax, size, port_in(port));
	else
		port_out(v, port, (uint32_t)v->regs.rax & io_size_mask(size));
	vcpu_skip_insn(v);
}

/* The exit table's entry; vmexit.c runs io_exit_inline() itself. */
void io_exit(struct vcpu *v)
{
	io_exit_inline(v);
}
