// The one generic harness: every fixture folder against its rule, exhaustively.
import { describe, expect, it } from "vitest";
import { lintSources } from "../src/index.js";
import { casesIn, ruleFolders } from "./fixtures-harness.js";

for (const folder of ruleFolders()) {
  const code = folder.slice(0, 6).toUpperCase();
  describe(folder, () => {
    const cases = casesIn(folder);
    it("has flagged and clean cases", () => {
      expect(cases.some((c) => c.expected.some((e) => e.endsWith(code))), "a case where the rule fires").toBe(true);
      expect(cases.some((c) => !c.expected.some((e) => e.endsWith(code))), "a case where it stays silent").toBe(true);
    });
    for (const c of cases) {
      it(c.name, async () => {
        const { diagnostics } = await lintSources(c.files, { select: [code, ...c.extendSelect] });
        const actual = diagnostics
          .filter((d) => d.code === code || d.code === "ALM900")
          .filter((d) => !d.suppressed)
          .map((d) => `${d.path}:${d.span.line}:${d.code}`)
          .sort();
        const expected = c.expected.filter((e) => e.endsWith(code) || e.endsWith("ALM900")).sort();
        expect(actual, diagnostics.map((d) => `${d.path}:${d.span.line} ${d.code} ${d.message}`).join("\n")).toEqual(expected);
      });
    }
  });
}
