// The informational header of a migration's module docstring.
import type { Header } from "../model.js";

const LEADING_QUOTES = /^\s*(?:[rRuU]?"""|[rRuU]?''')?/;
const REVISION_ID = /^\s*Revision ID:\s*(\S*)/;
const REVISES = /^\s*Revises:\s*(.*?)\s*(?:"""|''')?\s*$/;

/** `Revision ID: x` / `Revises: a, b` lines of the module docstring. */
export function parseDocstringHeader(doc: string, docLine: number, src: string, docStart: number): Header["docstring"] {
  // Line numbers: count newlines in the raw source from the docstring start. Only the
  // docstring's own lines (+1) are looked at: not the whole rest of the file split.
  let limit = 2; // doc.split("\n").length + 1
  for (let i = doc.indexOf("\n"); i >= 0; i = doc.indexOf("\n", i + 1)) limit++;
  let revision: string | null = null;
  let revisionLine: number | null = null;
  let revises: string[] | null = null;
  let revisesLine: number | null = null;
  // Only a line holding "Revision ID:" or "Revises:" can match: the next occurrence of
  // each is found once, and the other lines are neither sliced nor matched.
  let nextRevision = src.indexOf("Revision ID:", docStart);
  let nextRevises = src.indexOf("Revises:", docStart);
  for (let at = docStart, i = 0; i < limit; i++) {
    const nl = src.indexOf("\n", at);
    const end = nl < 0 ? src.length : nl;
    if (nextRevision >= 0 && nextRevision < at) nextRevision = src.indexOf("Revision ID:", at);
    if (nextRevises >= 0 && nextRevises < at) nextRevises = src.indexOf("Revises:", at);
    if ((revision === null && nextRevision >= 0 && nextRevision < end) || (revises === null && nextRevises >= 0 && nextRevises < end)) {
      const line = src.slice(at, end).replace(LEADING_QUOTES, "");
      let m = REVISION_ID.exec(line);
      if (m && revision === null) {
        revision = m[1]!.replace(/["']+$/, "");
        revisionLine = docLine + i;
      } else {
        m = REVISES.exec(line);
        if (m && revises === null) {
          const v = m[1]!.trim();
          revises = v === "" || v === "None" ? [] : v.split(/[,\s]+/).map((x) => x.replace(/^[("'[]+|[)"'\]]+$/g, "")).filter((x) => x !== "");
          revisesLine = docLine + i;
        }
      }
    }
    if (nl < 0 || (revision !== null && revises !== null)) break;
    at = nl + 1;
  }
  if (revision === null && revises === null) return null;
  return { revision, revisionLine, revises, revisesLine };
}
