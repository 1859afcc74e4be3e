/*
 * lapic.h - the local APIC timer, the guest's periodic tick.
 *
 * Registers are reached through the alias mm.c maps at APIC_ALIAS_VA; EOI
 * and the timer's initial count are pv ops (pv_apic_eoi, pv_timer_arm).
 *
 * Environment: guest kernel.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_LAPIC_H
#define GUEST_LAPIC_H

#include <stdint.h>

/* Local APIC registers, xAPIC offsets (SDM vol. 3A, 11.4.1, table 11-1). */
#define LAPIC_ID        0x020
#define LAPIC_VERSION   0x030
#define LAPIC_TPR       0x080
#define LAPIC_PPR       0x0a0
#define LAPIC_EOI       0x0b0
#define LAPIC_LDR       0x0d0
#define LAPIC_DFR       0x0e0
#define LAPIC_SVR       0x0f0
#define LAPIC_ISR       0x100   /* 8 registers, 0x10 apart: vectors 32n-32n+31 */
#define LAPIC_TMR       0x180
#define LAPIC_IRR       0x200
#define LAPIC_ESR       0x280
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PMC   0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TMICT     0x380   /* timer initial count */
#define LAPIC_TMCCT     0x390   /* timer current count */
#define LAPIC_TDCR      0x3e0   /* timer divide configuration */
#define SVR_ENABLE      (1u << 8)
#define LVT_MASKED      (1u << 16)
#define LVT_ONESHOT     (0u << 17)
#define LVT_PERIODIC    (1u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define TDCR_DIV_16     0x3
#define TDCR_DIV_1      0xb

/* The interrupt command register (SDM vol. 3A, 11.6.1, figure 11-12). */
#define ICR_DM_FIXED    (0u << 8)       /* delivery mode, bits 10:8 */
#define ICR_DM_SMI      (2u << 8)
#define ICR_DM_NMI      (4u << 8)
#define ICR_DM_INIT     (5u << 8)
#define ICR_DM_STARTUP  (6u << 8)
#define ICR_PENDING     (1u << 12)      /* delivery status: send pending */
#define ICR_ASSERT      (1u << 14)      /* level: 0 only for INIT de-assert */
#define ICR_LEVEL       (1u << 15)      /* trigger mode: level */
#define ICR_SELF        (1u << 18)      /* destination shorthand: self */
#define ICR_OTHERS      (3u << 18)      /* destination shorthand: all excluding self */
#define ICR_DEST_SHIFT  24              /* in ICR_HI: physical APIC ID */

/* Initial count of the periodic tick, at bus clock / 16. */
#define LAPIC_TIMER_COUNT 100000u

extern volatile uint64_t lapic_ticks;

/* Returns 0, or -1 (and says why) when there is no usable local APIC. */
int lapic_init(void);
/* The guest's APIC setup, as lapic_init leaves it: TPR 0, software
 * enabled, the periodic tick armed. Again after a test reset the APIC. */
void lapic_setup(void);
uint32_t lapic_read(unsigned reg);
void lapic_write(unsigned reg, uint32_t v);
void lapic_timer_tick(void);
/* A fixed IPI of vector to this CPU (11.6.1: shorthand self). */
void lapic_self_ipi(unsigned vector);
/*
 * An IPI: the destination's APIC ID, then the command (xAPIC: the write
 * of ICR_LO sends it). Interrupts off, so that no handler's IPI comes
 * between the two writes. lapic_ipi_idle: 1 once the ICR's delivery
 * status reads idle (software polls it), 0 if it stays pending.
 */
void lapic_ipi(uint32_t dest_apic_id, uint32_t icr_lo);
int lapic_ipi_idle(void);

#endif
