/** What every CLI command provides; main.ts dispatches on `name`. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  name: string;
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}
