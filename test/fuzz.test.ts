// Fuzzing: mutated real-world-shaped migrations and random text through parse,
// extract and every rule. No exception, no hang (per-test timeout), and the same
// input always gives the same findings. `npm run fuzz` runs a longer campaign.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintSources } from "../src/index.js";
import { rng } from "./bench/corpus.js";
import { mutate, randomSource, seedSources } from "./fuzz/mutate.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 3);

async function findings(text: string, name: string): Promise<string[]> {
  const { diagnostics } = await lintSources([{ path: `versions/${name}`, text }], { select: ["ALL"] });
  return diagnostics.map((d) => `${d.code}:${d.span.line}:${d.span.column}:${d.message}`);
}

describe("fuzz", () => {
  const seeds = seedSources(ROOT);

  it(`survives ${ROUNDS} seeded mutations of each of ${seeds.length} migrations, deterministically`, async () => {
    const random = rng(20261121);
    let cases = 0;
    for (const seed of seeds) {
      let text = seed.text;
      for (let r = 0; r < ROUNDS; r++) {
        text = mutate(text, random);
        const name = path.basename(seed.name);
        let first: string[];
        try {
          first = await findings(text, name);
        } catch (err) {
          throw new Error(`${seed.name} after ${r + 1} mutations crashed: ${(err as Error).stack}\n--- input ---\n${text}`);
        }
        expect(await findings(text, name), `${seed.name}: same input, same findings`).toEqual(first);
        cases++;
      }
    }
    expect(cases).toBe(seeds.length * ROUNDS);
  }, 600_000);

  it("survives random text", async () => {
    const random = rng(42);
    for (let i = 0; i < 50 * ROUNDS; i++) await findings(randomSource(random), `random-${i}.py`);
  }, 120_000);

  it("survives pathological but valid shapes", async () => {
    const many = Array.from({ length: 3000 }, (_, i) => `    op.add_column("t", sa.Column("c${i}", sa.Integer()))`).join("\n");
    const longLine = `    op.execute("${"x".repeat(200_000)}")`;
    const deepIf = Array.from({ length: 150 }, (_, i) => `${"    ".repeat(i + 1)}if x${i}:`).join("\n") + `\n${"    ".repeat(151)}op.drop_table("t")`;
    const helpers = Array.from({ length: 12 }, (_, i) => `def h${i}():\n    h${i + 1}()\n    h${i + 1}()\n`).join("\n") + "def h12():\n    op.drop_table('t')\n";
    const recursive = "def a():\n    b()\n\ndef b():\n    a()\n    op.drop_table('t')\n";
    const bigLoop = `def upgrade():\n    for t in [${Array.from({ length: 900 }, (_, i) => `"t${i}"`).join(", ")}]:\n        for u in [${Array.from({ length: 900 }, (_, i) => `"u${i}"`).join(", ")}]:\n            op.drop_column(t, u)\n`;
    for (const [name, body] of [
      ["many.py", `def upgrade():\n${many}\n\ndef downgrade():\n    pass\n`],
      ["long_line.py", `def upgrade():\n${longLine}\n`],
      ["deep_if.py", `def upgrade():\n${deepIf}\n`],
      ["helpers.py", `${helpers}\ndef upgrade():\n    h0()\n`],
      ["recursive.py", `${recursive}\ndef upgrade():\n    a()\n`],
      ["big_loop.py", bigLoop],
    ] as const) {
      const text = `"""x\n\nRevision ID: abc\nRevises:\n"""\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = "abc"\ndown_revision = None\n\n${body}`;
      await expect(findings(text, name), name).resolves.toBeDefined();
    }
  }, 300_000);
});
