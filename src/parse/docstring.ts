// The informational header of a migration's module docstring.
import type { Header } from "../model.js";

/** `Revision ID: x` / `Revises: a, b` lines of the module docstring. */
export function parseDocstringHeader(doc: string, docLine: number, src: string, docStart: number): Header["docstring"] {
  // Line numbers: count newlines in the raw source from the docstring start.
  const raw = src.slice(docStart);
  const lines = raw.split("\n");
  let revision: string | null = null;
  let revisionLine: number | null = null;
  let revises: string[] | null = null;
  let revisesLine: number | null = null;
  const limit = doc.split("\n").length + 1;
  for (let i = 0; i < Math.min(lines.length, limit); i++) {
    const line = lines[i]!.replace(/^\s*(?:[rRuU]?"""|[rRuU]?''')?/, "");
    let m = /^\s*Revision ID:\s*(\S*)/.exec(line);
    if (m && revision === null) {
      revision = m[1]!.replace(/["']+$/, "");
      revisionLine = docLine + i;
      continue;
    }
    m = /^\s*Revises:\s*(.*?)\s*(?:"""|''')?\s*$/.exec(line);
    if (m && revises === null) {
      const v = m[1]!.trim();
      revises = v === "" || v === "None" ? [] : v.split(/[,\s]+/).map((x) => x.replace(/^[("'[]+|[)"'\]]+$/g, "")).filter((x) => x !== "");
      revisesLine = docLine + i;
    }
  }
  if (revision === null && revises === null) return null;
  return { revision, revisionLine, revises, revisesLine };
}
