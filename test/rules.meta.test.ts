// Invariants over the rule registry: codes, names, files, fixtures, docs that are tests too.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../src/engine/registry.js";
import { lintSources } from "../src/index.js";
import { renderReadme } from "../src/docs.js";
import { FIXTURES } from "./fixtures-harness.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const catalog = readFileSync(path.join(ROOT, "..", "shared", "spec", "rules.md"), "utf8");

function examplesOf(example: string | Record<string, string>): { path: string; text: string }[] {
  return typeof example === "string" ? [{ path: "docs_example.py", text: example }] : Object.entries(example).map(([p, text]) => ({ path: `versions/${p}`, text }));
}

describe("rule registry", () => {
  it("has unique, well-formed codes and names, sorted by code", () => {
    const codes = allRules.map((r) => r.meta.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(codes);
    for (const r of allRules) {
      expect(r.meta.code).toMatch(/^ALM\d{3}$/);
      expect(r.meta.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.meta.docs.summary).not.toMatch(/\.$/);
      expect(r.meta.docs.rationale.length).toBeGreaterThan(40);
      expect(Object.keys(r.meta.messages).length).toBeGreaterThan(0);
      expect(typeof r.check === "function" || typeof r.checkProject === "function" || r.meta.code === "ALM902").toBe(true);
    }
  });

  it("matches the catalog's codes, names and default severities", () => {
    for (const r of allRules) {
      const row = new RegExp(`\\|\\s*${r.meta.code}\\s*\\|\\s*${r.meta.name}\\s*\\|\\s*([a-z]+)`).exec(catalog);
      expect(row, `${r.meta.code} ${r.meta.name} is in spec/rules.md`).not.toBeNull();
      expect(r.meta.severity).toBe(row![1]);
    }
  });

  it("has one file per rule, named after it, and every rule file is registered", () => {
    const files = readdirSync(path.join(ROOT, "rules")).filter((f) => /^alm\d{3}-.*\.ts$/.test(f)).sort();
    const expected = allRules.map((r) => `${r.meta.code.toLowerCase()}-${r.meta.name}.ts`).sort();
    expect(files).toEqual(expected);
  });

  it("has a fixture folder for every rule", () => {
    for (const r of allRules) {
      const dir = path.join(FIXTURES, `${r.meta.code.toLowerCase()}-${r.meta.name}`);
      expect(existsSync(dir), dir).toBe(true);
    }
  });
});

describe("rule docs examples are tests too", () => {
  for (const r of allRules) {
    const { bad, good } = r.meta.docs;
    it(`${r.meta.code}: docs.bad fires, docs.good does not`, async () => {
      expect(bad, "docs.bad").toBeDefined();
      expect(good, "docs.good").toBeDefined();
      const select = ["ALL"];
      const badFindings = (await lintSources(examplesOf(bad!), { select })).diagnostics.filter((d) => d.code === r.meta.code);
      expect(badFindings.length, `docs.bad of ${r.meta.code} must trigger it`).toBeGreaterThan(0);
      const goodFindings = (await lintSources(examplesOf(good!), { select })).diagnostics.filter((d) => d.code === r.meta.code);
      expect(goodFindings.map((d) => d.message), `docs.good of ${r.meta.code} must not trigger it`).toEqual([]);
    });
  }
});

describe("README", () => {
  it("has an up-to-date rule table and rule reference (run `npm run docs`)", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(renderReadme(readme, allRules) === readme, "README.md is stale: run `npm run docs`").toBe(true);
  });
});
