// `alembic-lint rules [--json]` and `alembic-lint explain CODE|NAME`.
import { allRules, findRule } from "../engine/registry.js";
import { ruleText } from "../docs.js";
import { ruleHelpUri } from "../meta.js";
import { ExitError, type IO } from "../errors.js";

export function rulesCommand(json: boolean, io: Pick<IO, "stdout">): number {
  if (json) {
    const doc = allRules.map((r) => ({
      code: r.meta.code,
      name: r.meta.name,
      severity: r.meta.severity,
      category: r.meta.category,
      enabledByDefault: !r.meta.optIn,
      fixable: r.meta.fixable === true,
      summary: r.meta.docs.summary,
      helpUri: ruleHelpUri(r.meta.code, r.meta.name),
      options: r.meta.options ?? {},
    }));
    io.stdout(JSON.stringify(doc, null, 2) + "\n");
    return 0;
  }
  const width = Math.max(...allRules.map((r) => r.meta.name.length));
  const lines = allRules.map((r) => `${r.meta.code}  ${r.meta.name.padEnd(width)}  ${(r.meta.severity + (r.meta.optIn ? "*" : "")).padEnd(8)}  ${r.meta.docs.summary}`);
  io.stdout(lines.join("\n") + "\n\n* off by default; enable with --extend-select CODE\n");
  return 0;
}

export function explainCommand(args: string[], io: Pick<IO, "stdout">): number {
  if (args.length !== 1) throw new ExitError("explain takes one rule code or name, e.g. `alembic-lint explain ALM104`");
  const rule = findRule(args[0]!);
  if (!rule) throw new ExitError(`unknown rule ${JSON.stringify(args[0])}; \`alembic-lint rules\` lists them`);
  io.stdout(ruleText(rule));
  return 0;
}
