/*
 * console.c - the hypervisor's console, on two serial ports, and panic(),
 * its last words.
 *
 *   COM1  what people read: the hypervisor's lines and the guest's bytes,
 *         in the order they came, unmarked
 *   COM2  the hypervisor's lines alone: the channel a run is judged by
 *         (tools/run). The guest cannot write it: its port I/O all exits,
 *         and io.c gives it 0x2f8-0x2ff as absent hardware (reads all
 *         ones, writes dropped); no hypercall writes there either.
 *
 * Every kprintf line goes to both, a byte to each in turn (the UARTs send
 * at once); the guest's bytes (io.c, the console_write hypercall) go to
 * COM1 only. A guest that prints "hv: ..." or "exit: status=0" prints it
 * on COM1, where it counts for nothing.
 *
 * Every CPU writes here: one lock keeps a line (or a guest's write)
 * whole. It is the CPU's own to take again (a panic in the middle of a
 * line still says its words).
 *
 * Environment: hypervisor, root mode, any CPU.
 */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include "hv.h"
#include "lib.h"

static const uint16_t hv_ports[] = { UART_COM1, UART_COM2 };

static volatile uint32_t lock_owner = ~0u;
static unsigned lock_depth;

static void console_lock(void)
{
	uint32_t me, free = ~0u;

	if (hv_nr_vcpus < 2)
		return;                 /* one CPU: nothing to keep apart */
	me = smp_this_cpu();
	if (__atomic_load_n(&lock_owner, __ATOMIC_ACQUIRE) == me) {
		lock_depth++;
		return;
	}
	while (!__atomic_compare_exchange_n(&lock_owner, &free, me, 0, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		free = ~0u;
		cpu_relax();
	}
	lock_depth = 1;
}

static void console_unlock(void)
{
	if (hv_nr_vcpus < 2)
		return;
	if (--lock_depth == 0)
		__atomic_store_n(&lock_owner, ~0u, __ATOMIC_RELEASE);
}

static void hv_write(const char *buf, size_t len)
{
	uart_write_ports(hv_ports, ARRAY_SIZE(hv_ports), buf, len);
}

void console_init(void)
{
	uart_init();
	uart_port_init(UART_COM2);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	console_lock();
	va_start(ap, fmt);
	n = kvprintf(hv_write, fmt, ap);
	va_end(ap);
	console_unlock();
	return n;
}

/* The guest's bytes, COM1 only. */
void console_guest_write(const char *buf, size_t len)
{
	if (hv_nr_vcpus < 2) {
		uart_write(buf, len);   /* the hot case: a console_write hypercall */
		return;
	}
	console_lock();
	uart_write(buf, len);
	console_unlock();
}

void console_putc_raw(char c)
{
	console_guest_write(&c, 1);
}

void console_flush(void)
{
	uart_port_flush(UART_COM2);
	uart_flush();
}

/*
 * The hypervisor's own failure, on any CPU: its reason, then what every
 * CPU had done (the statistics, each CPU's state as the others last left
 * it: a panic waits for no one), and the machine ends. A panic in the
 * middle of that report ends it at once.
 */
void panic_at(void *caller, const char *fmt, ...)
{
	static int panicking;
	va_list ap;

	console_lock();
	kprintf("hv: panic on CPU %u (called from %p): ", smp_this_cpu(), caller);
	va_start(ap, fmt);
	kvprintf(hv_write, fmt, ap);
	va_end(ap);
	kprintf("\n");
	if (!panicking++ && hv_nr_vcpus) {
		smp_report_states(1);
		stats_print();
		apic_stats_print(hv_vcpus, hv_nr_vcpus);
	}
	hv_exit(HV_STATUS_PANIC);
}
