/*
 * Example firmware: runs the two models micronets generated from micronets.config.json once each and prints
 * their outputs through semihosting (QEMU's standard output):
 *
 *   kws out=<12 output bytes in hex> class=<index of the largest score>
 *   hello out=<1 output byte in hex>
 *
 * The input is the fill the TFLite Micro goldens use (byte i = ((i * 7 + 3) mod 256) - 128), so the printed
 * bytes can be compared with TFLite Micro's own outputs for the same models.
 */
#include <stdint.h>

#include "hello_model.h"
#include "kws_model.h"
#include "mn_firmware.h"

static int8_t kws_in[KWS_INPUT_BYTES];
static int8_t kws_out[KWS_OUTPUT_BYTES];
static int8_t hello_in[HELLO_INPUT_BYTES];
static int8_t hello_out[HELLO_OUTPUT_BYTES];

static void fill_input(int8_t *p, long n) {
  for (long i = 0; i < n; i++) p[i] = (int8_t)(((i * 7 + 3) % 256) - 128);
}

static void print_hex(const int8_t *p, long n) {
  static const char digits[] = "0123456789abcdef";
  char pair[3] = {0, 0, 0};
  for (long i = 0; i < n; i++) {
    const unsigned v = (unsigned)(uint8_t)p[i];
    pair[0] = digits[v >> 4];
    pair[1] = digits[v & 15u];
    mn_print(pair);
  }
}

static long argmax(const int8_t *p, long n) {
  long best = 0;
  for (long i = 1; i < n; i++)
    if (p[i] > p[best]) best = i;
  return best;
}

int main(void) {
  fill_input(kws_in, KWS_INPUT_BYTES);
  if (kws_invoke(kws_in, kws_out) != 0) mn_fail("kws_invoke failed");
  mn_print("kws out=");
  print_hex(kws_out, KWS_OUTPUT_BYTES);
  mn_print(" class=");
  mn_print_int(argmax(kws_out, KWS_OUTPUT_BYTES));
  mn_print("\n");

  fill_input(hello_in, HELLO_INPUT_BYTES);
  if (hello_invoke(hello_in, hello_out) != 0) mn_fail("hello_invoke failed");
  mn_print("hello out=");
  print_hex(hello_out, HELLO_OUTPUT_BYTES);
  mn_print("\n");
  return 0;
}
