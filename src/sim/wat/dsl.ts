/**
 * A few helpers for writing WebAssembly text in folded S-expression form from TypeScript: locals, param-block
 * loads and counted loops. They only build strings; wabt checks the result when the module is assembled.
 */

/** `(local.get $name)`. */
export const get = (name: string): string => `(local.get $${name})`;
/** `(local.set $name value)`. */
export const set = (name: string, value: string): string => `(local.set $${name} ${value})`;
export const i32 = (v: number): string => `(i32.const ${v})`;
export const add = (a: string, b: string): string => `(i32.add ${a} ${b})`;
export const sub = (a: string, b: string): string => `(i32.sub ${a} ${b})`;
export const mul = (a: string, b: string): string => `(i32.mul ${a} ${b})`;
/** `name += value` (i32). */
export const inc = (name: string, value: string): string => set(name, add(get(name), value));

/** Local declarations of one type. */
export function locals(type: "i32" | "v128", names: readonly string[]): string {
  return names.map((n) => `(local $${n} ${type})`).join(" ");
}

/**
 * Loads every field of a parameter block (an i32 array at `$pb`, field k at byte 4k) into a local of the
 * field's name. The field lists live in param-layout.ts, shared with the TypeScript that writes the blocks.
 */
export function loadFields(fields: readonly string[], pb = "pb"): string {
  return fields.map((f, k) => set(f, `(i32.load offset=${4 * k} ${get(pb)})`)).join("\n");
}

let labelCounter = 0;

/** `for (v = from; v < to; v += step) body` with signed comparison; `to` is re-evaluated every iteration. */
export function forRange(v: string, from: string, to: string, body: string, step = 1): string {
  const l = `${v}_${labelCounter++}`;
  return `${set(v, from)}
(block $${l}_end (loop $${l}_top
  (br_if $${l}_end (i32.ge_s ${get(v)} ${to}))
  ${body}
  ${inc(v, i32(step))}
  (br $${l}_top)))`;
}

/** `while (cond) body`. */
export function whileLoop(cond: string, body: string): string {
  const l = `w_${labelCounter++}`;
  return `(block $${l}_end (loop $${l}_top
  (br_if $${l}_end (i32.eqz ${cond}))
  ${body}
  (br $${l}_top)))`;
}

