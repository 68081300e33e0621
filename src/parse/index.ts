// Source text → Migration: decode, parse, extract. The syntax tree never leaves this call.
import type { ParsedModule } from "./ast.js";
import { extractMigration } from "./extract.js";
import { normalizeSource, parsePython } from "./syntax.js";
import { readModuleText } from "./textreader.js";
import type { Migration } from "../model.js";

export { loadParser, normalizeSource } from "./syntax.js";

/**
 * A module's syntax: read from its text when the text reader is sure (most migrations,
 * and the WebAssembly parser is then not even loaded), else parsed by tree-sitter.
 */
export async function parseModule(source: string): Promise<ParsedModule> {
  return readModuleText(source) ?? (await parsePython(source));
}

export async function parseMigration(text: string, path: string, absPath = path): Promise<Migration> {
  const mod = await parseModule(normalizeSource(text));
  return extractMigration(mod, { path, absPath });
}
