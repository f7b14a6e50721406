/**
 * The simulator benchmark's printout (for `npm run bench`, via bench/run.ts) and a direct entry point:
 * `node dist/bench/sim-bench.js` prints the same figures on their own.
 */
import { pathToFileURL } from "node:url";
import { benchSimulator, type SimBenchResult } from "../src/sim/bench.js";

export function printSimBench(r: SimBenchResult): void {
  const line = (name: string, perS: number, t: SimBenchResult["reference"]): string =>
    `  ${name.padEnd(22)} ${perS.toFixed(1).padStart(9)} inf/s   median ${t.medianMs.toFixed(3)} ms (min ${t.minMs.toFixed(3)}, max ${t.maxMs.toFixed(3)}, ${t.runs} runs)`;
  console.log(`WebAssembly simulator vs reference interpreter — person_detect, golden input, bit-exact outputs checked`);
  console.log(line("reference interpreter", r.referenceInfPerS, r.reference));
  console.log(line("WebAssembly simulator", r.wasmInfPerS, r.wasm));
  console.log(`  ratio ${r.ratio.toFixed(1)}× (goal ≥ 10×)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchSimulator().then(printSimBench, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
