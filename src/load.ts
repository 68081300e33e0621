// Reading migration files: bytes → text as Python would decode them → Migration.
// Synchronous reads: a file is needed whole before anything else can happen, and
// fs/promises' readFile (open, fstat, chunked reads, each a thread-pool round trip)
// cost more than the parse of a small file.
import { closeSync, openSync, readSync } from "node:fs";
import { normalizeSource, parseMigration } from "./parse/index.js";
import { readHeaderOnly } from "./parse/header.js";
import type { Migration } from "./model.js";

export type Loaded =
  | { kind: "migration"; migration: Migration; /** read by the header reader alone (no syntax tree) */ headerOnly?: true }
  | { kind: "error"; path: string; absPath: string; message: string; line?: number }
  | { kind: "skipped"; path: string; absPath: string; reason: string };

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** A UTF-8 BOM, and the PEP 263 coding cookie on line 1 or 2 (UTF-8 without one). */
export function sourceEncoding(bytes: Uint8Array): { bom: boolean; encoding: string } {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const start = bom ? 3 : 0;
  const head = Buffer.from(bytes.subarray(start, Math.min(bytes.length, start + 400))).toString("latin1").split(/\r\n|\r|\n/, 2);
  for (const line of head) {
    const m = COOKIE.exec(line);
    if (m) return { bom, encoding: normalizeEncoding(m[1]!) };
    if (!/^[ \t\f]*(#.*)?$/.test(line)) break;
  }
  return { bom, encoding: "utf-8" };
}

/** Source text as Python decodes it (PEP 263). */
export function decodePython(bytes: Uint8Array): { text: string } | { error: string; line?: number } {
  const { bom, encoding } = sourceEncoding(bytes);
  const start = bom ? 3 : 0;
  if (bom && encoding !== "utf-8") return { error: `BOM says UTF-8 but the coding cookie says ${encoding}` };
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    return { error: `unknown source encoding ${JSON.stringify(encoding)} in the coding cookie`, line: 1 };
  }
  try {
    return { text: decoder.decode(bytes.subarray(start)) };
  } catch {
    const { offset, line } = firstBadUtf8(bytes, start);
    return { error: `file is not valid ${encoding} (undecodable byte at offset ${offset}); add a PEP 263 coding cookie or re-save it as UTF-8`, line };
  }
}

function normalizeEncoding(name: string): string {
  const n = name.toLowerCase().replace(/_/g, "-");
  if (n === "utf8" || n === "utf-8" || n.startsWith("utf-8-")) return "utf-8";
  if (n === "latin-1" || n === "latin1" || n === "iso-8859-1" || n === "iso8859-1" || n === "l1") return "latin1";
  if (n === "cp1252") return "windows-1252";
  if (n === "ascii" || n === "us-ascii") return "utf-8";
  return n;
}

function firstBadUtf8(bytes: Uint8Array, start: number): { offset: number; line: number } {
  const dec = new TextDecoder("utf-8", { fatal: true });
  let lo = start;
  let hi = bytes.length;
  // Binary search for the shortest prefix that fails to decode.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      dec.decode(bytes.subarray(start, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  let line = 1;
  for (let i = start; i < lo; i++) if (bytes[i] === 0x0a) line++;
  return { offset: lo, line };
}

// One buffer for every read: readFileSync stats each file and allocates a fresh backing
// store for it (6-8 µs vs 2-5 µs per 3 KB file here, and less garbage). A larger file
// gets a buffer of its own, so a huge file does not pin its size for the whole run.
const sharedBuffer = Buffer.allocUnsafeSlow(1 << 16);

/** The file's bytes: a view into the shared buffer, valid until the next call. */
function readWhole(absPath: string): Uint8Array {
  const fd = openSync(absPath, "r");
  try {
    let buffer = sharedBuffer;
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafeSlow(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) return buffer.subarray(0, length);
      length += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads and decodes a file; a problem ends as a per-file error or skip, never a throw. */
function readSource(absPath: string, path: string): { text: string } | Exclude<Loaded, { kind: "migration" }> {
  let bytes: Uint8Array;
  try {
    bytes = readWhole(absPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file vanished while reading" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : (err as Error).message;
    return { kind: "error", path, absPath, message: `cannot read file: ${why}` };
  }
  if (bytes.includes(0)) return { kind: "skipped", path, absPath, reason: "binary file (contains NUL bytes)" };
  const decoded = decodePython(bytes);
  if ("error" in decoded) return { kind: "error", path, absPath, message: decoded.error, ...(decoded.line ? { line: decoded.line } : {}) };
  return decoded;
}

/**
 * Reads a file for the revision-graph rules only: its header, without a syntax tree
 * when the header reader is sure, else through the full parse of the same text.
 */
export async function loadHeader(absPath: string, path: string): Promise<Loaded> {
  const source = readSource(absPath, path);
  if (!("text" in source)) return source;
  const m = readHeaderOnly(normalizeSource(source.text), path, absPath);
  if (m) return { kind: "migration", migration: m, headerOnly: true };
  return { kind: "migration", migration: await parseMigration(source.text, path, absPath) };
}

/** A file's text as the parser sees it, for a cached reading asked for its source; "" if unreadable. */
export function readSourceText(absPath: string): string {
  const source = readSource(absPath, absPath);
  return "text" in source ? normalizeSource(source.text) : "";
}

export async function loadMigration(absPath: string, path: string): Promise<Loaded> {
  const source = readSource(absPath, path);
  if (!("text" in source)) return source;
  return { kind: "migration", migration: await parseMigration(source.text, path, absPath) };
}
