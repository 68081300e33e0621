// --fix over mutated real-world-shaped migrations (the fuzz seeds): whatever it writes parses
// cleanly, the findings it counts as fixed are gone, and a second run writes nothing more (idempotence).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintSources } from "../src/index.js";
import { planFile } from "../src/fix/plan.js";
import { applyEdits } from "../src/fix/text.js";
import { rng } from "./bench/corpus.js";
import { mutate, seedSources } from "./fuzz/mutate.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 2);

async function plan(text: string, name: string) {
  const { diagnostics, migrations } = await lintSources([{ path: `versions/${name}`, text }], { select: ["ALM1"] });
  const m = migrations[0]!;
  return { m, diagnostics, plan: await planFile(m, diagnostics) };
}

describe("fix fuzz", () => {
  const seeds = seedSources(ROOT);

  it(`fixed text parses and a second fix changes nothing (${seeds.length} seeds, ${ROUNDS} mutation rounds)`, async () => {
    const random = rng(20261121);
    let fixedFiles = 0;
    for (const seed of seeds) {
      let text = seed.text;
      for (let r = 0; r <= ROUNDS; r++) {
        if (r > 0) text = mutate(text, random);
        const name = path.basename(seed.name);
        const first = await plan(text, name);
        if (first.plan.edits.length === 0) continue;
        expect(first.m.parseError, `${seed.name} round ${r}: planned a fix for a file with a parse error`).toBeNull();
        const fixed = applyEdits(first.m.source, first.plan.edits);
        const second = await plan(fixed, name);
        expect(second.m.parseError, `${seed.name} round ${r}: the fixed text does not parse:\n${fixed}`).toBeNull();
        expect(second.m.errorRegions).toEqual([]);
        expect(second.plan.edits, `${seed.name} round ${r}: a second fix changes more:\n${fixed}`).toEqual([]);
        // What the first run counted as fixed is gone.
        for (const d of first.plan.fixed) {
          const left = second.diagnostics.filter((x) => x.code === d.code && x.fingerprint === d.fingerprint);
          expect(left.map((x) => `${x.span.line} ${x.code} ${x.message}`), `${seed.name} round ${r}: still there after the fix:\n${fixed}`).toEqual([]);
        }
        fixedFiles++;
      }
    }
    expect(fixedFiles).toBeGreaterThan(10);
  }, 300_000);
});
