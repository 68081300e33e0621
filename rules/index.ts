// Every rule, one import line each, sorted by code.
import type { Rule } from "../src/engine/rule.js";
import alm900 from "./alm900-parse-error.js";
import alm901 from "./alm901-partial-analysis.js";
import alm902 from "./alm902-unused-suppression.js";

export const allRules: Rule[] = [
  alm900,
  alm901,
  alm902,
] as Rule[];
