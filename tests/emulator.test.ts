/**
 * The emulated Cortex-M harness: firmware built for M4 and M7 runs on QEMU, talks through semihosting,
 * reports failures through its exit status, and instruction counts are exact (deterministic and
 * linear, with per-iteration costs derived by hand from the instructions in the loop).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MicronetsError } from "../src/errors.js";
import {
  buildFirmware,
  firmwareSize,
  markDeltas,
  parseCountReport,
  probeToolchain,
  runOnQemu,
  symbolAddress,
  toolchainProblem,
  type CortexCore,
} from "../src/emulator/index.js";

const problem = toolchainProblem();
const CORES: CortexCore[] = ["cortex-m4", "cortex-m7"];

/** FNV-1a, 32 bit: offset basis 2166136261, prime 16777619 (written here independently of the C). */
function fnv1a32(bytes: Uint8Array): number {
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

// Reads the input through semihosting, hashes it, and checks that .data was copied and .bss zeroed
// and that the FPU works (0.5 · (0 + 1 + … + 99) = 2475).
const CHECKSUM_C = `
#include <stdint.h>
#include "mn_firmware.h"
static uint8_t input[4096];
static uint32_t initialised[4] = {11u, 22u, 33u, 44u};
static uint32_t zeroed[64];
static volatile float half = 0.5f;
int main(void) {
  long n = mn_read_file(MN_INPUT_FILE, input, sizeof input);
  if (n < 0) mn_fail("cannot read the input");
  uint32_t h = 2166136261u;
  for (long i = 0; i < n; i++) { h ^= input[i]; h *= 16777619u; }
  uint32_t data_sum = 0, bss_sum = 0;
  for (int i = 0; i < 4; i++) data_sum += initialised[i];
  for (int i = 0; i < 64; i++) bss_sum += zeroed[i];
  float f = 0.0f;
  for (int i = 0; i < 100; i++) f += half * (float)i;
  mn_print("len="); mn_print_int(n);
  mn_print(" fnv="); mn_print_int((long)h);
  mn_print(" data="); mn_print_int((long)data_sum);
  mn_print(" bss="); mn_print_int((long)bss_sum);
  mn_print(" float="); mn_print_int((long)f);
  mn_print(" neg="); mn_print_int(-42);
  mn_print("\\n");
  return 0;
}
`;

// Work whose instruction cost is known by hand: spin(n) runs the two-instruction loop "subs; bne" n
// times; work(n) is a C loop whose per-iteration cost the compiler decides (only linearity is known).
const COUNT_C = `
#include <stdint.h>
#include "mn_firmware.h"
__attribute__((noipa)) void spin(uint32_t n) {
  __asm__ volatile("1: subs %0, %0, #1\\n\\tbne 1b" : "+r"(n) : : "cc");
}
__attribute__((noipa)) uint32_t work(uint32_t n) {
  uint32_t s = 0;
  for (uint32_t i = 0; i < n; i++) s = s * 31u + (i ^ (s >> 3));
  return s;
}
int main(void) {
  uint8_t in[4] = {0, 0, 0, 0};
  if (mn_read_file(MN_INPUT_FILE, in, sizeof in) != 4) mn_fail("need a 4-byte input");
  uint32_t n = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
  mn_mark();
  mn_mark();
  spin(n);
  mn_mark();
  uint32_t r = work(n);
  mn_mark();
  mn_print_int((long)r);
  mn_print("\\n");
  return 0;
}
`;

const RETURN3_C = `int main(void) { return 3; }\n`;
const FAULT_C = `int main(void) { __asm__ volatile("udf #0"); return 0; }\n`;
const HANG_C = `int main(void) { for (;;) { __asm__ volatile(""); } }\n`;
const SIZES_C = `
#include <stdint.h>
#include "mn_firmware.h"
uint8_t table[256] = {1, 2, 3};
uint8_t buffer[1024];
int main(void) {
  buffer[table[0]] = 5;
  mn_print_int(buffer[1] + table[2]);
  return 0;
}
`;

function u32le(n: number): Uint8Array {
  return new Uint8Array([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255]);
}

describe("emulator harness without QEMU", () => {
  it("names the Debian packages when the tools are missing", () => {
    const empty = mkdtempSync(join(tmpdir(), "micronets-nopath-"));
    vi.stubEnv("PATH", empty);
    try {
      const probe = probeToolchain();
      expect(probe.toolchain).toBeUndefined();
      expect(probe.problem).toMatch(/arm-none-eabi-gcc/);
      expect(probe.problem).toMatch(/qemu-system-arm/);
      expect(probe.problem).toMatch(/gcc-arm-none-eabi/);
      expect(probe.problem).toMatch(/libnewlib-arm-none-eabi/);
    } finally {
      vi.unstubAllEnvs();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("parses the plugin report and rejects a truncated one", () => {
    expect(parseCountReport("total 120\nmark 10\nmark 50\nend\n")).toEqual({ total: 120, marks: [10, 50] });
    expect(() => parseCountReport("total 120\nmark 10\n")).toThrow(MicronetsError);
    expect(() => parseCountReport("total 12x\nend\n")).toThrow(/bad number/);
    expect(markDeltas([10, 50, 56])).toEqual([40, 6]);
  });

  it("fails the run when CI lacks the toolchain", () => {
    // CI installs the toolchain; there a missing tool must fail rather than skip the QEMU tests.
    if (process.env.CI) expect(problem).toBeUndefined();
  });
});

describe.skipIf(problem !== undefined)(`emulated Cortex-M${problem ? ` (skipped: ${problem})` : ""}`, () => {
  let dir: string;
  const source = (name: string, text: string): string => {
    const path = join(dir, "src", name);
    writeFileSync(path, text);
    return path;
  };
  const build = (name: string, text: string, core: CortexCore, extra: { optimize?: "O0" | "O2"; stackBytes?: number } = {}): string =>
    buildFirmware({ sources: [source(`${name}.c`, text)], core, outDir: join(dir, "out", core), name, ...extra });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "micronets-emu-test-"));
    mkdirSync(join(dir, "src"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const core of CORES) {
    it(`${core}: reads input through semihosting and prints the checksum`, () => {
      const elf = build("checksum", CHECKSUM_C, core);
      const input = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) % 256);
      const inputFile = join(dir, `input-${core}.bin`);
      writeFileSync(inputFile, input);
      const run = runOnQemu(elf, { core, inputFile, timeoutMs: 10_000 });
      const h = fnv1a32(input);
      // mn_print_int prints the uint32 hash cast to (32-bit) long.
      const printed = h > 0x7fffffff ? h - 2 ** 32 : h;
      expect(run.stdout).toBe(`len=1000 fnv=${printed} data=110 bss=0 float=2475 neg=-42\n`);
      expect(run.exitCode).toBe(0);
    });

    it(`${core}: main returning 3 and a fault give nonzero exits`, () => {
      expect(runOnQemu(build("return3", RETURN3_C, core), { core, timeoutMs: 10_000 }).exitCode).toBe(3);
      const fault = runOnQemu(build("fault", FAULT_C, core), { core, timeoutMs: 10_000 });
      expect(fault.exitCode).toBe(1);
      // UDF is a UsageFault, escalated to HardFault (exception 3) since UsageFault is not enabled.
      expect(fault.stderr).toContain("mn: fault: exception 3");
    });

    it(`${core}: instruction counts are deterministic and exactly linear`, () => {
      const elf = build("count", COUNT_C, core);
      const N = 1000;
      const runs = [N, 2 * N, 3 * N].map((n) => runOnQemu(elf, { core, inputBytes: u32le(n), countInstructions: true, timeoutMs: 10_000 }));
      const again = runOnQemu(elf, { core, inputBytes: u32le(N), countInstructions: true, timeoutMs: 10_000 });
      expect(again.instructions).toEqual(runs[0]?.instructions);
      const deltas = runs.map((r) => {
        expect(r.exitCode).toBe(0);
        const marks = r.instructions?.marks ?? [];
        expect(marks).toHaveLength(4);
        expect(r.instructions?.total).toBeGreaterThan(marks[3] ?? Infinity);
        return markDeltas(marks);
      });
      // Two back-to-back marks cost the call (bl) and the marker's return (bx lr).
      for (const d of deltas) expect(d[0]).toBe(2);
      // spin(n) executes "subs; bne" n times: exactly 2 instructions per iteration.
      expect((deltas[1]?.[1] ?? 0) - (deltas[0]?.[1] ?? 0)).toBe(2 * N);
      expect((deltas[2]?.[1] ?? 0) - (deltas[1]?.[1] ?? 0)).toBe(2 * N);
      // work(n): a·n + b with a constant whole a per iteration.
      const step = (deltas[1]?.[2] ?? 0) - (deltas[0]?.[2] ?? 0);
      expect((deltas[2]?.[2] ?? 0) - (deltas[1]?.[2] ?? 0)).toBe(step);
      expect(step % N).toBe(0);
      expect(step / N).toBeGreaterThanOrEqual(3);
    });
  }

  it("reports a hang as a timeout", () => {
    const elf = build("hang", HANG_C, "cortex-m4");
    expect(() => runOnQemu(elf, { core: "cortex-m4", timeoutMs: 1500 })).toThrow(/did not finish within 1500 ms/);
  });

  it("reports a stack overflow instead of computing on with a corrupt stack", () => {
    const RECURSE_C = `
#include "mn_firmware.h"
__attribute__((noipa)) int down(int n) { volatile char pad[64]; pad[0] = (char)n; return n == 0 ? 0 : down(n - 1) + pad[0]; }
int main(void) { mn_print_int(down(1000)); return 0; }
`;
    // 1000 frames of over 64 bytes do not fit a 4 KB stack; at -O0 the frames have unwritten holes.
    for (const core of CORES) {
      for (const optimize of ["O0", "O2"] as const) {
        const elf = build(`recurse-${optimize}`, RECURSE_C, core, { optimize, stackBytes: 4096 });
        const run = runOnQemu(elf, { core, timeoutMs: 10_000 });
        expect(run.stdout).toBe("");
        expect(run.exitCode).toBe(1);
        expect(run.stderr).toContain("mn: stack overflow");
      }
    }
  });

  it("reports flash and SRAM from the section sizes", () => {
    const elf = build("sizes", SIZES_C, "cortex-m7", { stackBytes: 8192 });
    const size = firmwareSize(elf);
    expect(size.stack).toBe(8192);
    expect(size.data).toBeGreaterThanOrEqual(256); // table[256]
    expect(size.bss).toBeGreaterThanOrEqual(1024); // buffer[1024]
    expect(size.bss).toBeLessThan(8192); // the stack is not counted as .bss
    expect(size.text).toBeGreaterThan(64); // at least the 16-entry vector table and code
    expect(size.flash).toBe(size.text + size.data);
    expect(size.sram).toBe(size.data + size.bss);
    expect(symbolAddress(elf, "main")).toBeGreaterThan(0);
    expect(symbolAddress(elf, "no_such_symbol")).toBeUndefined();
    expect(runOnQemu(elf, { core: "cortex-m7", timeoutMs: 10_000 }).stdout).toBe("8");
  });

  it("turns compile errors and bad options into MicronetsErrors", () => {
    expect(() => build("broken", "int main(void) { return undefined_name; }\n", "cortex-m4")).toThrow(/undefined_name/);
    expect(() => buildFirmware({ sources: [source("ok.c", RETURN3_C)], core: "cortex-m0" as CortexCore, outDir: dir })).toThrow(
      /unsupported core 'cortex-m0'/,
    );
    expect(() => runOnQemu(join(dir, "missing.elf"), { core: "cortex-m4" })).toThrow(MicronetsError);
  });
});
