// What every reporter receives.
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

export type Reporter = (input: ReportInput) => string | Promise<string>;

export const FORMATS = ["friendly", "json", "sarif", "github"] as const;
export type Format = (typeof FORMATS)[number];

/** Reporters load lazily: a pre-commit run pays only for the one it uses. */
export async function loadReporter(format: Format): Promise<Reporter> {
  switch (format) {
    case "friendly":
      return (await import("./friendly.js")).default;
    case "json":
      return (await import("./json.js")).default;
    case "sarif":
      return (await import("./sarif.js")).default;
    case "github":
      return (await import("./github.js")).default;
  }
}
