// Writing a fixed migration back byte for byte: the BOM, the encoding of the coding cookie,
// line breaks and every untouched byte stay as they were; permissions are kept; the write
// is atomic (temp file in the same directory + rename).
import { chmodSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ExitError } from "../errors.js";
import { sourceEncoding } from "../load.js";


export interface Decoded {
  /** The text without the BOM, exactly as decoded (lone CRs kept). */
  text: string;
  bom: boolean;
  /** WHATWG label of the encoding ("utf-8" unless a cookie says otherwise). */
  encoding: string;
  encode: (text: string) => Buffer | null;
}

/** An encoder for a single-byte encoding, from the decoder's own table; null for other encodings. */
function singleByteEncoder(label: string): ((s: string) => Buffer | null) | null {
  let dec: TextDecoder;
  try {
    dec = new TextDecoder(label, { fatal: true });
  } catch {
    return null;
  }
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    let ch: string;
    try {
      ch = dec.decode(Uint8Array.of(b));
    } catch {
      continue;
    }
    if (ch.length !== 1) continue;
    if (!table.has(ch)) table.set(ch, b);
  }
  return (s) => {
    const out = Buffer.alloc(s.length);
    for (let i = 0; i < s.length; i++) {
      const b = table.get(s[i]!);
      if (b === undefined) return null;
      out[i] = b;
    }
    return out;
  };
}

/**
 * Decodes a migration for rewriting. Returns an error message when the file cannot be
 * written back byte for byte (an encoding without an exact round trip).
 */
export function decodeForFix(bytes: Uint8Array): Decoded | { error: string } {
  const { bom, encoding } = sourceEncoding(bytes);
  const body = bytes.subarray(bom ? 3 : 0);
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return { error: `cannot decode it as ${encoding}` };
  }
  const encode = encoding === "utf-8" ? (s: string) => Buffer.from(s, "utf8") : singleByteEncoder(encoding);
  if (!encode) return { error: `cannot write ${encoding} back byte for byte` };
  const again = encode(text);
  if (!again || !again.equals(Buffer.from(body))) return { error: `cannot write ${encoding} back byte for byte` };
  return { text, bom, encoding, encode };
}

/** Encodes the fixed text like the original; null when a character has no byte in the file's encoding. */
export function encodeLike(d: Decoded, text: string): Buffer | null {
  const b = d.encode(text);
  if (!b) return null;
  return d.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]) : b;
}

/** Temp file + rename next to the real file (symlinks are followed), with the original permissions. */
export function writeBytesAtomically(file: string, bytes: Buffer): void {
  let target = file;
  try {
    target = realpathSync(file);
  } catch {
    // a new file: write where asked
  }
  let mode: number | undefined;
  try {
    mode = statSync(target).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.fix.tmp`);
  try {
    writeFileSync(tmp, bytes, { flag: "wx" });
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, target);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw new ExitError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function readBytes(file: string): Buffer {
  return readFileSync(file);
}
