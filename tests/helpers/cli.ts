import { spawnSync } from "node:child_process";
import { main } from "../../src/cli/main.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process (from the TypeScript sources) and captures its output. */
export async function runCli(...argv: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    out: (t) => { stdout += t.endsWith("\n") ? t : `${t}\n`; },
    err: (t) => { stderr += t.endsWith("\n") ? t : `${t}\n`; },
  });
  return { code, stdout, stderr };
}

/** Runs the built CLI as a real process (bin/micronets.js → dist/), as users and CI do. */
export function runCliProcess(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [`${process.cwd()}/bin/micronets.js`, ...argv], { encoding: "utf8", cwd: opts.cwd, env: opts.env ?? process.env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
