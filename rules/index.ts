// Every rule, one import line each, sorted by code.
import type { Rule } from "../src/engine/rule.js";
import alm001 from "./alm001-multiple-heads.js";
import alm002 from "./alm002-dangling-reference.js";
import alm003 from "./alm003-duplicate-revision.js";
import alm004 from "./alm004-revision-cycle.js";
import alm005 from "./alm005-not-a-revision.js";
import alm006 from "./alm006-header-mismatch.js";
import alm007 from "./alm007-duplicate-branch-label.js";
import alm008 from "./alm008-multiple-bases.js";
import alm009 from "./alm009-filename-revision-mismatch.js";
import alm010 from "./alm010-unknown-revision-reference.js";
import alm101 from "./alm101-missing-downgrade.js";
import alm102 from "./alm102-empty-downgrade.js";
import alm103 from "./alm103-irreversible-downgrade.js";
import alm104 from "./alm104-unreversed-operation.js";
import alm105 from "./alm105-unmatched-downgrade-operation.js";
import alm106 from "./alm106-incomplete-inverse.js";
import alm107 from "./alm107-alter-without-existing.js";
import alm108 from "./alm108-opaque-sql-without-inverse.js";
import alm109 from "./alm109-unnamed-constraint.js";
import alm110 from "./alm110-enum-type-leak.js";
import alm201 from "./alm201-use-before-create.js";
import alm202 from "./alm202-use-after-drop.js";
import alm203 from "./alm203-drop-parent-before-child.js";
import alm204 from "./alm204-drop-column-before-dependents.js";
import alm205 from "./alm205-batch-execute-timing.js";
import alm206 from "./alm206-tighten-before-backfill.js";
import alm301 from "./alm301-drop-table.js";
import alm302 from "./alm302-drop-column.js";
import alm303 from "./alm303-narrowing-type-change.js";
import alm304 from "./alm304-not-null-without-default.js";
import alm305 from "./alm305-destructive-sql.js";
import alm306 from "./alm306-downgrade-loses-data.js";
import alm307 from "./alm307-drop-and-add-column.js";
import alm401 from "./alm401-non-concurrent-index.js";
import alm402 from "./alm402-concurrent-index-in-transaction.js";
import alm403 from "./alm403-rename-column.js";
import alm404 from "./alm404-rename-table.js";
import alm405 from "./alm405-changing-column-type.js";
import alm406 from "./alm406-set-not-null.js";
import alm407 from "./alm407-unique-constraint-locks.js";
import alm408 from "./alm408-foreign-key-locks.js";
import alm409 from "./alm409-non-concurrent-index-drop.js";
import alm900 from "./alm900-parse-error.js";
import alm901 from "./alm901-partial-analysis.js";
import alm902 from "./alm902-unused-suppression.js";

export const allRules: Rule[] = [
  alm001,
  alm002,
  alm003,
  alm004,
  alm005,
  alm006,
  alm007,
  alm008,
  alm009,
  alm010,
  alm101,
  alm102,
  alm103,
  alm104,
  alm105,
  alm106,
  alm107,
  alm108,
  alm109,
  alm110,
  alm201,
  alm202,
  alm203,
  alm204,
  alm205,
  alm206,
  alm301,
  alm302,
  alm303,
  alm304,
  alm305,
  alm306,
  alm307,
  alm401,
  alm402,
  alm403,
  alm404,
  alm405,
  alm406,
  alm407,
  alm408,
  alm409,
  alm900,
  alm901,
  alm902,
] as Rule[];
