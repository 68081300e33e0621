// Names the rules suggest for constraints created without one (`op.create_foreign_key(None, ...)`),
// so that every rule proposes the SAME name for the same constraint (ALM109 asks to name it,
// ALM408 shows the `postgresql_not_valid=True` call with a name and the later VALIDATE CONSTRAINT).
//
// The form is SQLAlchemy's usual naming convention, with every column of a multi-column
// constraint (`%(column_0_N_name)s`, which equals `%(column_0_name)s` for one column):
//   foreign key  fk_<table>_<col>[_<col>...]_<referred table>
//   unique       uq_<table>_<col>[_<col>...]
//   check        ck_<table>            (the convention's ck_ needs a name of its own)
//   primary key  pk_<table>
// The schema is not part of the name. Columns that are not a literal list of strings are left
// out; a missing table becomes "table".

export type ConstraintKind = "foreignkey" | "unique" | "check" | "primary";

const PREFIX: Record<ConstraintKind, string> = { foreignkey: "fk", unique: "uq", check: "ck", primary: "pk" };

/** The suggested bare name (not quoted) for an unnamed constraint. */
export function suggestedConstraintName(
  kind: ConstraintKind,
  table: string | null | undefined,
  columns?: unknown,
  referent?: unknown,
): string {
  const parts = [PREFIX[kind], table ?? "table"];
  if (kind === "foreignkey" || kind === "unique") {
    if (Array.isArray(columns) && columns.length > 0 && columns.every((c) => typeof c === "string")) parts.push(...(columns as string[]));
  }
  if (kind === "foreignkey" && typeof referent === "string") parts.push(referent);
  return parts.join("_");
}
