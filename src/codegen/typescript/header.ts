/**
 * How every generated binding begins. `micronets compile -o` replaces an existing folder only when it holds
 * nothing but earlier outputs; a `.ts` file counts as one only when it starts with this text.
 * Kept apart from the generator so the check does not load ts-morph.
 */
export const TS_HEADER = "/**\n * TypeScript binding for the model '";
