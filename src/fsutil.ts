// Small file-system helpers.
import { renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ExitError } from "./errors.js";

/**
 * Temp file in the same directory + rename: a reader never sees a half-written file, and
 * a failed write leaves the previous file untouched. Throws ExitError (exit 2) on failure.
 */
export function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw new ExitError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
