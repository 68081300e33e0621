// `npm run docs`: regenerates the README's rule table and rule reference from rule metadata.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { allRules } from "../engine/registry.js";
import { renderReadme } from "../docs.js";

const readmePath = fileURLToPath(new URL("../../../README.md", import.meta.url));
const before = readFileSync(readmePath, "utf8");
const after = renderReadme(before, allRules);
if (after !== before) {
  writeFileSync(readmePath, after);
  process.stdout.write("README.md updated\n");
} else {
  process.stdout.write("README.md already up to date\n");
}
