/** `npm run bench`: prints the project's performance figures, each measured in this one run. */
import { benchSimulator } from "../src/sim/bench.js";
import { benchAnalyze, printAnalyzeBench } from "./analyze.js";
import { printSimBench } from "./sim-bench.js";
import { benchSample, printSampleBench } from "./sample.js";
import { benchIncrementalBuild, printIncrementalBuildBench } from "./build.js";

async function main(): Promise<void> {
  console.log(`micronets benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  console.log("");
  printAnalyzeBench(benchAnalyze());
  console.log("");
  printSimBench(await benchSimulator());
  console.log("");
  printSampleBench(benchSample());
  console.log("");
  printIncrementalBuildBench(benchIncrementalBuild());
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
