// What every reporter receives, and how a report is written out.
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../engine/rule.js";
import type { ActiveRule } from "../engine/registry.js";
import { ExitError } from "../errors.js";
import { writeAtomically } from "../fsutil.js";
import type { LintedFile } from "../lint.js";

export interface ReportInput {
  diagnostics: Diagnostic[];
  files: LintedFile[];
  rules: ActiveRule[];
  cwd: string;
  /** Colour decided by the CLI (flags, NO_COLOR, FORCE_COLOR, TTY). */
  color: boolean;
  /** Writing to a file rather than a terminal. */
  toFile: boolean;
  toolVersion: string;
  /** SARIF `automationDetails.id`. */
  sarifCategory?: string;
  /** Whether the run as a whole succeeded (no internal errors). */
  executionSuccessful: boolean;
  /** Warnings the reporter wants printed on stderr (e.g. truncation). */
  warn: (message: string) => void;
}

/**
 * A report: one string, or pieces to write one after the other as they are made (the
 * friendly report on a huge run would otherwise hold hundreds of MB of text at once).
 */
export type Report = string | Iterable<string>;

export type Reporter = (input: ReportInput) => Report | Promise<Report>;

/** Writes a report piece by piece; with `quiet`, one that is only whitespace writes nothing. */
export function writeReport(report: Report, write: (s: string) => void, quiet = false): void {
  if (typeof report === "string") {
    if (!(quiet && report.trim() === "")) write(report);
    return;
  }
  let held: string[] | null = quiet ? [] : null; // whitespace so far, while quiet
  for (const piece of report) {
    if (held) {
      if (piece.trim() === "") {
        held.push(piece);
        continue;
      }
      for (const h of held) write(h);
      held = null;
    }
    write(piece);
  }
}

/**
 * Writes a report to a file atomically, as writeAtomically (same temp file + rename, same
 * error), piece by piece. An error from the report itself is rethrown as it is.
 */
export function writeReportFile(file: string, report: Report): void {
  if (typeof report === "string") return writeAtomically(file, report);
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
    for (const piece of report) {
      const bytes = Buffer.from(piece, "utf8");
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

export const FORMATS = ["friendly", "json", "sarif", "github"] as const;
export type Format = (typeof FORMATS)[number];

/** Reporters load lazily: a pre-commit run pays only for the one it uses. */
export async function loadReporter(format: Format): Promise<Reporter> {
  switch (format) {
    case "friendly":
      return (await import("./friendly.js")).friendlyChunks;
    case "json":
      return (await import("./json.js")).jsonChunks;
    case "sarif":
      return (await import("./sarif.js")).default;
    case "github":
      return (await import("./github.js")).default;
  }
}
