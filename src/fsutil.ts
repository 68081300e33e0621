// Small file-system helpers.
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { ExitError } from "./errors.js";

/**
 * Temp file in the same directory + rename: a reader never sees a half-written file, and
 * a failed write leaves the previous file untouched. The content may come in pieces (a
 * large report is written as it is made). A file-system failure throws ExitError (exit 2);
 * an error from the pieces themselves is rethrown as it is, after the cleanup.
 */
export function writeAtomically(file: string, content: string | Iterable<string>): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fsStep = <T>(step: () => T): T => {
    try {
      return step();
    } catch (err) {
      throw new ExitError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  let fd: number | null = null;
  try {
    fd = fsStep(() => openSync(tmp, "w"));
    // Pieces are encoded into one reused buffer (a report is written in ~64 KB pieces;
    // a Buffer per piece doubled what a 50 MB report allocated); larger ones get their own.
    const buffer = Buffer.allocUnsafe(1 << 18);
    for (const piece of typeof content === "string" ? [content] : content) {
      const bytes = piece.length * 3 <= buffer.length ? buffer.subarray(0, buffer.write(piece, 0, "utf8")) : Buffer.from(piece, "utf8");
      for (let done = 0; done < bytes.length; ) done += fsStep(() => writeSync(fd!, bytes, done, bytes.length - done));
    }
    const open = fd;
    fd = null;
    fsStep(() => closeSync(open));
    fsStep(() => renameSync(tmp, file));
  } catch (err) {
    try {
      if (fd !== null) closeSync(fd);
    } catch {
      // already failing
    }
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw err;
  }
}
