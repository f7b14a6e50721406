/** The `searchSpace` hint of a parsed architecture document (which latency family fits it), if usable. */
export function searchSpaceOf(doc: unknown): string | undefined {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  const s = (doc as Record<string, unknown>).searchSpace;
  return typeof s === "string" && /^[a-z0-9][a-z0-9_-]*$/.test(s) ? s : undefined;
}
