// Seeded mutations of migration sources: byte-range deletions, duplications and swaps,
// truncations, random bytes and pathological shapes. Deterministic per seed.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { generateMigration, rng } from "../bench/corpus.js";

export function mutate(text: string, random: () => number): string {
  const n = text.length;
  const at = () => Math.floor(random() * (n + 1));
  const range = (): [number, number] => {
    const a = at();
    return [a, Math.min(n, a + 1 + Math.floor(random() * 80))];
  };
  switch (Math.floor(random() * 9)) {
    case 0: {
      const [a, b] = range();
      return text.slice(0, a) + text.slice(b);
    }
    case 1: {
      const [a, b] = range();
      return text.slice(0, b) + text.slice(a, b) + text.slice(b);
    }
    case 2: {
      const [a, b] = range();
      const [c, d] = range();
      if (b <= c) return text.slice(0, a) + text.slice(c, d) + text.slice(b, c) + text.slice(a, b) + text.slice(d);
      return text.slice(0, c) + text.slice(a, b) + text.slice(d);
    }
    case 3:
      return text.slice(0, at());
    case 4: {
      const junk = Array.from({ length: 1 + Math.floor(random() * 20) }, () => String.fromCharCode(Math.floor(random() * 0x2ff))).join("");
      const a = at();
      return text.slice(0, a) + junk + text.slice(a);
    }
    case 5: {
      const a = at();
      const tokens = ["(", ")", "[", "]", "{", "}", ":", '"""', "'", "\\", "\n    ", "\t", "with ", "as ", "def ", "if ", "op.", "batch_op.", "=", ",", "*", "**", "#", "\r", "\uFEFF", "🚀"];
      return text.slice(0, a) + tokens[Math.floor(random() * tokens.length)] + text.slice(a);
    }
    case 6:
      return text.replace(/\n/g, random() < 0.5 ? "\r\n" : "\r");
    case 7: {
      // Re-indent a random line: indentation errors are the commonest real corruption.
      const lines = text.split("\n");
      const i = Math.floor(random() * lines.length);
      lines[i] = " ".repeat(Math.floor(random() * 9)) + lines[i]!.trimStart();
      return lines.join("\n");
    }
    default: {
      const [a, b] = range();
      return text.slice(0, a) + text.slice(a, b).split("").reverse().join("") + text.slice(b);
    }
  }
}

/** Realistic seeds: every fixture migration plus generated ones. */
export function seedSources(root: string, generated = 20): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const full = path.join(dir, e);
      if (statSync(full).isDirectory()) walk(full);
      else if (e.endsWith(".py")) out.push({ name: path.relative(root, full), text: readFileSync(full, "utf8") });
    }
  };
  walk(path.join(root, "fixtures"));
  const random = rng(7);
  for (let i = 0; i < generated; i++) out.push({ name: `generated-${i}.py`, text: generateMigration(i + 1, random) });
  return out;
}

export function randomSource(random: () => number): string {
  const len = Math.floor(random() * 2000);
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(random() < 0.8 ? 32 + Math.floor(random() * 95) : Math.floor(random() * 0xffff));
  return s;
}
