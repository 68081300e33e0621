// Source text → Migration: decode, parse, extract. The syntax tree never leaves this call.
import { extractMigration } from "./extract.js";
import { normalizeSource, parsePython } from "./syntax.js";
import type { Migration } from "../model.js";

export { loadParser, normalizeSource } from "./syntax.js";

export async function parseMigration(text: string, path: string, absPath = path): Promise<Migration> {
  const source = normalizeSource(text);
  const mod = await parsePython(source);
  return extractMigration(mod, { path, absPath });
}
