/** `npm run bench`: prints the project's performance figures, each measured in this one run. */
import { benchAnalyze, printAnalyzeBench } from "./analyze.js";

async function main(): Promise<void> {
  console.log(`micronets benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  console.log("");
  printAnalyzeBench(benchAnalyze());
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
