/**
 * The project's typed error. Every failure caused by the user's input (a bad file, a bad option, a model
 * that breaks an op's rules) is a MicronetsError; the CLI prints it as one line and exits with `exitCode`.
 * Anything else reaching the CLI is a bug in micronets.
 */
export type ErrorKind =
  | "input" // unreadable / malformed / unsupported input → exit 2
  | "usage" // bad command line → exit 2
  | "limit" // input exceeds a hard limit (sizes, counts) → exit 2
  | "check" // a budget or baseline check failed → exit 1
  | "io"; // a file could not be read or written → exit 2

export interface ErrorPlace {
  /** The file the problem is in, as the user named it. */
  file?: string;
  /** Where inside it: "op 5 (TANH)", "tensor 12 'conv1'", "/layers/3/kernel", "byte 1024". */
  where?: string;
}

export class MicronetsError extends Error {
  readonly kind: ErrorKind;
  file?: string;
  where?: string;

  constructor(kind: ErrorKind, message: string, place: ErrorPlace = {}) {
    super(message);
    this.name = "MicronetsError";
    this.kind = kind;
    this.file = place.file;
    this.where = place.where;
  }

  get exitCode(): number {
    return this.kind === "check" ? 1 : 2;
  }

  /** One line: `file: where: message`. */
  format(): string {
    const parts: string[] = [];
    if (this.file) parts.push(this.file);
    if (this.where) parts.push(this.where);
    parts.push(this.message);
    return parts.join(": ");
  }

  /** Returns a copy of this error that names `file` if it did not name one yet. */
  withFile(file: string): MicronetsError {
    if (this.file) return this;
    const e = new MicronetsError(this.kind, this.message, { file, where: this.where });
    e.stack = this.stack;
    return e;
  }
}

export function inputError(message: string, where?: string, file?: string): MicronetsError {
  return new MicronetsError("input", message, { where, file });
}

export function limitError(message: string, where?: string, file?: string): MicronetsError {
  return new MicronetsError("limit", message, { where, file });
}

export function usageError(message: string): MicronetsError {
  return new MicronetsError("usage", message);
}

export function isMicronetsError(e: unknown): e is MicronetsError {
  return e instanceof MicronetsError;
}
