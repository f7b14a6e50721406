/*
 * micronets bare-metal firmware support for QEMU's MPS2 Cortex-M boards (mps2-an386 = Cortex-M4,
 * mps2-an500 = Cortex-M7).
 *
 * Link mn_startup.c, mn_semihost.c and mn_mark.c with the linker script mps2.ld; the reset handler in
 * mn_startup.c calls the application's `int main(void)` and ends the emulator with main's return value
 * as QEMU's exit status. All I/O goes through ARM semihosting, so QEMU must run with
 * `-semihosting-config enable=on,target=native`.
 */
#ifndef MN_FIRMWARE_H
#define MN_FIRMWARE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Instruction marker. Calling it costs a constant two instructions (the call and the return); the
 * emulator's instruction-count plugin snapshots its running count each time mn_mark starts, so the
 * instructions spent between two calls are the difference of consecutive snapshots.
 * `noipa` keeps GCC from treating it as a pure no-op it could drop or move calls around.
 * Note: the compiler may still move register-only arithmetic across the call; put the work to be
 * measured in a function of its own (also `noipa`) when exact attribution matters.
 */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noipa, noinline))
#else
__attribute__((noinline))
#endif
void mn_mark(void);

/* Writes the NUL-terminated string `s` to the host's standard output (no newline is added). */
void mn_print(const char *s);

/* Writes `len` bytes to the host's standard output. */
void mn_write(const void *data, size_t len);

/* Writes `value` in decimal to the host's standard output. */
void mn_print_int(long value);

/*
 * Reads the host file `path` (relative paths are relative to QEMU's working directory) into `buf`.
 * Returns the number of bytes read, -1 if the file cannot be opened or read, -2 if it is longer than
 * `capacity` bytes (nothing useful is read then).
 */
long mn_read_file(const char *path, void *buf, size_t capacity);

/* The file name under which the test harness (runOnQemu's `inputFile`) places the input bytes. */
#define MN_INPUT_FILE "input.bin"

/*
 * Bytes of stack used so far (the high-water mark since reset, found from the pattern the reset
 * handler paints on the unused stack; includes under 100 bytes used by the reset code itself).
 */
size_t mn_stack_used(void);

/* Ends the emulation; QEMU exits with status `code` (the host keeps its low 8 bits). */
__attribute__((noreturn)) void mn_exit(int code);

/* Writes `message` and a newline to the host's standard error and exits with status 1. */
__attribute__((noreturn)) void mn_fail(const char *message);

#ifdef __cplusplus
}
#endif

#endif /* MN_FIRMWARE_H */
