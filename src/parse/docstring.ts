// The informational header of a migration's module docstring.
import type { Header } from "../model.js";

/** `Revision ID: x` / `Revises: a, b` lines of the module docstring. */
export function parseDocstringHeader(doc: string, docLine: number, src: string, docStart: number): Header["docstring"] {
  // Line numbers: count newlines in the raw source from the docstring start. Only the
  // docstring's own lines (+1) are looked at: not the whole rest of the file split.
  const limit = doc.split("\n").length + 1;
  const lines: string[] = [];
  for (let at = docStart; lines.length < limit; ) {
    const nl = src.indexOf("\n", at);
    lines.push(src.slice(at, nl < 0 ? src.length : nl));
    if (nl < 0) break;
    at = nl + 1;
  }
  let revision: string | null = null;
  let revisionLine: number | null = null;
  let revises: string[] | null = null;
  let revisesLine: number | null = null;
  for (let i = 0; i < lines.length; i++) {
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
