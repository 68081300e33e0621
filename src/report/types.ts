// What every reporter receives, and how a report is written out.
import type { Diagnostic } from "../engine/rule.js";
import type { ActiveRule } from "../engine/registry.js";
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
