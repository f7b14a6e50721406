/**
 * Deep comparison of IR graphs for round-trip tests. Unlike a generic deep-equal it compares Uint8Array
 * contents byte by byte (tensor data, metadata) and reports the first differing path, e.g.
 * "graph.tensors[12].quant.scale[3]: 0.0123 vs 0.0124", so a failing round trip says where it broke.
 */

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v !== null && typeof v === "object") return "object";
  return String(v);
}

/** The first path at which `a` and `b` differ, with both values, or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = "graph"): string | null {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) return `${path}: ${describe(a)} vs ${describe(b)}`;
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `${path}[${i}]: ${a[i]} vs ${b[i]}`;
    return null;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${path}: ${describe(a)} vs ${describe(b)}`;
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    const keys = [...new Set([...ka, ...kb])].sort();
    for (const k of keys) {
      if (!(k in a)) return `${path}.${k}: missing vs ${describe((b as Record<string, unknown>)[k])}`;
      if (!(k in b)) return `${path}.${k}: ${describe((a as Record<string, unknown>)[k])} vs missing`;
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  // Object.is: NaN equals NaN, but 0 and -0 differ (a float32 field that changed sign is a real change).
  return Object.is(a, b) ? null : `${path}: ${describe(a)} vs ${describe(b)}`;
}

/** Throws an Error naming the first difference; for use inside tests. */
export function assertGraphsEqual(a: unknown, b: unknown, label = "graph"): void {
  const d = firstDifference(a, b, label);
  if (d) throw new Error(`graphs differ at ${d}`);
}
