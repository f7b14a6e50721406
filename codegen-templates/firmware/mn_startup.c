/*
 * Vector table, reset handler and fault handlers for micronets firmware on QEMU's MPS2 Cortex-M boards.
 *
 * Reset: enable the FPU when the code is built for one, guard the stack with the MPU, copy .data from
 * flash to RAM, zero .bss, fill the unused stack with a pattern, run constructors, then main(), and end
 * the emulation with main's return value as the exit status. Any fault or unexpected exception prints
 * its exception number (or "stack overflow") and ends the emulation with status 1 (semihosting reason
 * "run-time error"). The handlers are weak, so firmware may define its own SysTick_Handler etc.
 * Only the 16 core exception vectors are present: add device IRQ vectors before enabling an interrupt.
 */
#include <stdint.h>

#include "mn_firmware.h"

int main(void);

/* Symbols defined by mps2.ld. */
extern uint32_t __mn_stack_bottom[], __mn_stack_top[];
extern uint32_t __mn_data_load[], __mn_data_start[], __mn_data_end[];
extern uint32_t __mn_bss_start[], __mn_bss_end[];
extern void (*const __mn_init_array_start[])(void);
extern void (*const __mn_init_array_end[])(void);

void Reset_Handler(void);
void mn_default_handler(void);
__attribute__((noreturn)) void mn_report_fault(void);
void NMI_Handler(void) __attribute__((weak, alias("mn_default_handler")));
void HardFault_Handler(void) __attribute__((weak, alias("mn_default_handler")));
void MemManage_Handler(void) __attribute__((weak, alias("mn_default_handler")));
void BusFault_Handler(void) __attribute__((weak, alias("mn_default_handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("mn_default_handler")));
void SVC_Handler(void) __attribute__((weak, alias("mn_default_handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("mn_default_handler")));
void PendSV_Handler(void) __attribute__((weak, alias("mn_default_handler")));
void SysTick_Handler(void) __attribute__((weak, alias("mn_default_handler")));

/* Fill word for the unused stack: words still holding it were never written. */
#define STACK_PAINT 0x5AA5C33Cu

/* System control and MPU registers (ARMv7-M). */
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_MMFAR (*(volatile uint32_t *)0xE000ED34u)
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define MPU_CTRL (*(volatile uint32_t *)0xE000ED94u)
#define MPU_RNR (*(volatile uint32_t *)0xE000ED98u)
#define MPU_RBAR (*(volatile uint32_t *)0xE000ED9Cu)
#define MPU_RASR (*(volatile uint32_t *)0xE000EDA0u)

/*
 * Stack guard: the stack starts at the bottom of RAM (0x20000000, asserted by mps2.ld) and grows down
 * into a reserved region that reads as zero and ignores writes, where an overflow would go unnoticed
 * and corrupt results. MPU region 0 forbids all access to the 256 MB below RAM, so an overflow faults.
 */
#define GUARD_BASE 0x10000000u
#define GUARD_SIZE_LOG2 28u

/* Entry 0 is the initial stack pointer, the others are handler addresses. */
typedef union {
  void (*handler)(void);
  void *stack_top;
} mn_vector_t;

__attribute__((section(".vectors"), used)) const mn_vector_t mn_vectors[16] = {
    {.stack_top = __mn_stack_top},
    {.handler = Reset_Handler},
    {.handler = NMI_Handler},
    {.handler = HardFault_Handler},
    {.handler = MemManage_Handler},
    {.handler = BusFault_Handler},
    {.handler = UsageFault_Handler},
    {.handler = 0},
    {.handler = 0},
    {.handler = 0},
    {.handler = 0},
    {.handler = SVC_Handler},
    {.handler = DebugMon_Handler},
    {.handler = 0},
    {.handler = PendSV_Handler},
    {.handler = SysTick_Handler},
};

void Reset_Handler(void) {
#if defined(__ARM_FP)
  /* Full access to coprocessors 10 and 11 (the FPU), before any floating-point instruction. */
  SCB_CPACR |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  /* MPU region 0 = the stack guard: no access (AP 0), never executable (XN), size 2^(SIZE+1). The
   * background map stays in force for everything else (PRIVDEFENA). MemManage is enabled so that a
   * fault while stacking an exception frame into the guard is taken as MemManage, not a lockup. */
  MPU_RNR = 0u;
  MPU_RBAR = GUARD_BASE;
  MPU_RASR = (1u << 28) | ((GUARD_SIZE_LOG2 - 1u) << 1) | 1u;
  MPU_CTRL = (1u << 2) | 1u;
  SCB_SHCSR |= 1u << 16;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
  /* The linker script aligns these regions to 16 bytes, so whole words can be copied. */
  const uint32_t *src = __mn_data_load;
  for (uint32_t *dst = __mn_data_start; dst < __mn_data_end; dst++) *dst = *src++;
  for (uint32_t *dst = __mn_bss_start; dst < __mn_bss_end; dst++) *dst = 0u;
  /* Paint the stack below this function's frame (keeping a 64-byte margin) for mn_stack_used. */
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *p = __mn_stack_bottom; p < sp - 16; p++) *p = STACK_PAINT;
  /* Constructors (__attribute__((constructor))), if the firmware has any. */
  for (void (*const *ctor)(void) = __mn_init_array_start; ctor < __mn_init_array_end; ctor++) (*ctor)();
  mn_exit(main());
}

size_t mn_stack_used(void) {
  const uint32_t *p = __mn_stack_bottom;
  while (p < __mn_stack_top && *p == STACK_PAINT) p++;
  return (size_t)(__mn_stack_top - p) * sizeof(uint32_t);
}

/*
 * Every unexpected exception lands here. The stack pointer is reset to the top of the stack first:
 * after a stack overflow it points into the guard, where the report could not run. Never returns.
 */
__attribute__((naked)) void mn_default_handler(void) {
  __asm__ volatile(
      "ldr r0, =__mn_stack_top\n\t"
      "msr msp, r0\n\t"
      "b mn_report_fault\n\t"
      ".ltorg");
}

__attribute__((used)) void mn_report_fault(void) {
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  /* A MemManage fault from stacking (MSTKERR) or from an access inside the guard is an overflow. */
  uint32_t cfsr = SCB_CFSR;
  uint32_t address = SCB_MMFAR;
  int in_guard = (cfsr & (1u << 7)) != 0 && address >= GUARD_BASE && address - GUARD_BASE < (1u << GUARD_SIZE_LOG2);
  if ((cfsr & (1u << 4)) != 0 || in_guard) mn_fail("mn: stack overflow (raise __mn_stack_size)");
  /* "mn: fault: exception N", N = the active exception number (3 HardFault, 4 MemManage, 5 BusFault,
   * 6 UsageFault, ...). */
  static const char prefix[] = "mn: fault: exception ";
  char message[sizeof prefix + 3];
  uint32_t number = ipsr & 0x1ffu;
  size_t pos = 0;
  while (prefix[pos] != '\0') {
    message[pos] = prefix[pos];
    pos++;
  }
  if (number >= 100u) message[pos++] = (char)('0' + number / 100u);
  if (number >= 10u) message[pos++] = (char)('0' + (number / 10u) % 10u);
  message[pos++] = (char)('0' + number % 10u);
  message[pos] = '\0';
  mn_fail(message);
}
