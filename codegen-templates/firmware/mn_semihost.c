/*
 * ARM semihosting I/O for micronets firmware: console output, reading host files, exit.
 *
 * A semihosting call is `bkpt 0xab` with the operation number in r0 and the argument (usually the
 * address of a block of 32-bit words) in r1; the result comes back in r0. QEMU serves these calls
 * when run with `-semihosting-config enable=on,target=native`: the ":tt" console opened for writing
 * is QEMU's standard output, SYS_WRITE0 goes to its standard error.
 */
#include <stdint.h>

#include "mn_firmware.h"

enum {
  SYS_OPEN = 0x01,
  SYS_CLOSE = 0x02,
  SYS_WRITE0 = 0x04,
  SYS_WRITE = 0x05,
  SYS_READ = 0x06,
  SYS_FLEN = 0x0c,
  SYS_EXIT = 0x18,
  SYS_EXIT_EXTENDED = 0x20
};

/* SYS_OPEN modes (ISO C fopen modes by index): 1 = "rb", 4 = "w", 8 = "a". On ":tt", "w" is the
 * console's standard output and "a" its standard error. */
enum { OPEN_READ_BINARY = 1, OPEN_WRITE = 4, OPEN_APPEND = 8 };

/* SYS_EXIT reasons: application exit (status 0 / the given code), run-time error (status 1). */
enum { ADP_STOPPED_APPLICATION_EXIT = 0x20026, ADP_STOPPED_RUNTIME_ERROR = 0x20023 };

static int semihost_call(int op, uintptr_t arg) {
  register int r0 __asm__("r0") = op;
  register uintptr_t r1 __asm__("r1") = arg;
  /* "memory": the host reads and writes the argument block and the buffers it points to. */
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static size_t string_length(const char *s) {
  size_t n = 0;
  while (s[n] != '\0') n++;
  return n;
}

static int open_file(const char *path, uint32_t mode) {
  uint32_t block[3] = {(uint32_t)(uintptr_t)path, mode, (uint32_t)string_length(path)};
  return semihost_call(SYS_OPEN, (uintptr_t)block);
}

static void close_file(int handle) {
  uint32_t block[1] = {(uint32_t)handle};
  (void)semihost_call(SYS_CLOSE, (uintptr_t)block);
}

/* Console handles for standard output and error, opened on first use (-1 = not open yet). */
static int stdout_handle = -1;
static int stderr_handle = -1;

static void write_handle(int handle, const void *data, size_t len) {
  if (len == 0 || handle < 0) return;
  uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)data, (uint32_t)len};
  (void)semihost_call(SYS_WRITE, (uintptr_t)block);
}

void mn_write(const void *data, size_t len) {
  if (stdout_handle < 0) stdout_handle = open_file(":tt", OPEN_WRITE);
  write_handle(stdout_handle, data, len);
}

void mn_print(const char *s) { mn_write(s, string_length(s)); }

void mn_print_int(long value) {
  char text[24];
  size_t pos = sizeof text;
  /* Work on the magnitude as unsigned so LONG_MIN does not overflow. */
  unsigned long magnitude = value < 0 ? 0ul - (unsigned long)value : (unsigned long)value;
  do {
    text[--pos] = (char)('0' + magnitude % 10u);
    magnitude /= 10u;
  } while (magnitude != 0u);
  if (value < 0) text[--pos] = '-';
  mn_write(text + pos, sizeof text - pos);
}

long mn_read_file(const char *path, void *buf, size_t capacity) {
  int handle = open_file(path, OPEN_READ_BINARY);
  if (handle < 0) return -1;
  uint32_t flen_block[1] = {(uint32_t)handle};
  long length = semihost_call(SYS_FLEN, (uintptr_t)flen_block);
  long result;
  if (length < 0) {
    result = -1;
  } else if ((unsigned long)length > capacity) {
    result = -2;
  } else {
    uint32_t read_block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, (uint32_t)length};
    /* SYS_READ returns the number of bytes it could NOT read. */
    result = semihost_call(SYS_READ, (uintptr_t)read_block) == 0 ? length : -1;
  }
  close_file(handle);
  return result;
}

void mn_exit(int code) {
  /* SYS_EXIT_EXTENDED carries the status code; plain SYS_EXIT is the fallback (0 or 1 only). */
  uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
  (void)semihost_call(SYS_EXIT_EXTENDED, (uintptr_t)block);
  (void)semihost_call(SYS_EXIT, code == 0 ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR);
  for (;;) {
  }
}

void mn_fail(const char *message) {
  /* SYS_WRITE0 needs no open handle, so it also works from a fault handler. */
  (void)semihost_call(SYS_WRITE0, (uintptr_t)message);
  (void)semihost_call(SYS_WRITE0, (uintptr_t)"\n");
  (void)semihost_call(SYS_EXIT, ADP_STOPPED_RUNTIME_ERROR);
  for (;;) {
  }
}

/*
 * newlib hooks (used only when the firmware calls printf/puts/exit from the C library): route
 * standard output/error to the console and exit() to the emulator's exit.
 */
int _write(int fd, const char *data, int len);
void _exit(int code);

int _write(int fd, const char *data, int len) {
  if (len <= 0) return 0;
  if (fd == 2) {
    if (stderr_handle < 0) stderr_handle = open_file(":tt", OPEN_APPEND);
    write_handle(stderr_handle, data, (size_t)len);
  } else {
    mn_write(data, (size_t)len);
  }
  return len;
}

void _exit(int code) { mn_exit(code); }
