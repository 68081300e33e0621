// Alembic operation signatures (alembic/operations/ops.py), used to bind positional
// arguments to parameter names. Positional lists follow the pre-1.11 order, so old
// calls such as `op.drop_table("t", "schema")` bind as Alembic bound them then;
// from 1.11 on only the leading required parameters may be positional, which is a
// prefix of these lists.

export interface Signature {
  positional: string[];
  /** Name that collects extra positional arguments (`*columns`, `*elements`). */
  varargs?: string;
  /** Legacy keyword names (removed in Alembic 1.5) → current names. */
  legacy?: Record<string, string>;
}

const ALTER_COLUMN_POSITIONAL = [
  "table_name", "column_name", "nullable", "comment", "server_default", "new_column_name", "type_",
  "existing_type", "existing_server_default", "existing_nullable", "existing_comment", "schema",
];

export const OP_SIGNATURES: Record<string, Signature> = {
  create_table: { positional: ["table_name"], varargs: "columns", legacy: { name: "table_name" } },
  drop_table: { positional: ["table_name", "schema"], legacy: { name: "table_name" } },
  rename_table: { positional: ["old_table_name", "new_table_name", "schema"] },
  add_column: { positional: ["table_name", "column", "schema"] },
  drop_column: { positional: ["table_name", "column_name", "schema"] },
  alter_column: { positional: ALTER_COLUMN_POSITIONAL, legacy: { name: "new_column_name" } },
  create_index: {
    positional: ["index_name", "table_name", "columns", "schema", "unique"],
    legacy: { name: "index_name" },
  },
  drop_index: { positional: ["index_name", "table_name", "schema"], legacy: { name: "index_name", tablename: "table_name" } },
  create_unique_constraint: {
    positional: ["constraint_name", "table_name", "columns", "schema"],
    legacy: { name: "constraint_name", source: "table_name", local_cols: "columns" },
  },
  create_primary_key: {
    positional: ["constraint_name", "table_name", "columns", "schema"],
    legacy: { name: "constraint_name", cols: "columns" },
  },
  create_foreign_key: {
    positional: [
      "constraint_name", "source_table", "referent_table", "local_cols", "remote_cols", "onupdate", "ondelete",
      "deferrable", "initially", "match", "source_schema", "referent_schema",
    ],
    legacy: { name: "constraint_name", source: "source_table", referent: "referent_table" },
  },
  create_check_constraint: {
    positional: ["constraint_name", "table_name", "condition", "schema"],
    legacy: { name: "constraint_name", source: "table_name" },
  },
  create_exclude_constraint: { positional: ["constraint_name", "table_name"], varargs: "elements" },
  drop_constraint: {
    positional: ["constraint_name", "table_name", "type_", "schema"],
    legacy: { name: "constraint_name", type: "type_" },
  },
  create_table_comment: { positional: ["table_name", "comment", "existing_comment", "schema"] },
  drop_table_comment: { positional: ["table_name", "existing_comment", "schema"] },
  bulk_insert: { positional: ["table", "rows", "multiinsert"] },
  execute: { positional: ["sqltext", "execution_options"], legacy: { sql: "sqltext" } },
};

/** `batch_op.*` forms: table and schema come from the `with op.batch_alter_table(...)` header. */
export const BATCH_SIGNATURES: Record<string, Signature> = {
  add_column: { positional: ["column", "insert_before", "insert_after"] },
  alter_column: { positional: ALTER_COLUMN_POSITIONAL.slice(1, -1), legacy: { name: "new_column_name" } },
  drop_column: { positional: ["column_name"] },
  create_index: { positional: ["index_name", "columns"], legacy: { name: "index_name" } },
  drop_index: { positional: ["index_name"], legacy: { name: "index_name" } },
  create_unique_constraint: { positional: ["constraint_name", "columns"], legacy: { name: "constraint_name" } },
  create_primary_key: { positional: ["constraint_name", "columns"] },
  create_foreign_key: {
    positional: ["constraint_name", "referent_table", "local_cols", "remote_cols"],
    legacy: { name: "constraint_name", referent: "referent_table" },
  },
  create_check_constraint: { positional: ["constraint_name", "condition"], legacy: { name: "constraint_name" } },
  create_exclude_constraint: { positional: ["constraint_name"], varargs: "elements" },
  drop_constraint: { positional: ["constraint_name", "type_"], legacy: { name: "constraint_name", type: "type_" } },
  create_table_comment: { positional: ["comment", "existing_comment"] },
  drop_table_comment: { positional: ["existing_comment"] },
  execute: { positional: ["sqltext", "execution_options"] },
};

/** Members of `op` / `batch_op` that are not migration operations. */
export const NON_OPERATIONS = new Set([
  "f", "get_bind", "get_context", "inline_literal", "batch_alter_table", "register_operation", "implementation_for",
  "context", "impl", "migration_context",
]);

/** Members whose effect cannot be known statically. */
export const OPAQUE_OPERATIONS = new Set(["invoke", "run_async"]);

/** `ops.<Class>` operation objects passed to `op.invoke(...)`, by op name. */
export const OPERATION_CLASSES: Record<string, string> = {
  CreateTableOp: "create_table", DropTableOp: "drop_table", RenameTableOp: "rename_table",
  AddColumnOp: "add_column", DropColumnOp: "drop_column", AlterColumnOp: "alter_column",
  CreateIndexOp: "create_index", DropIndexOp: "drop_index", CreateUniqueConstraintOp: "create_unique_constraint",
  CreatePrimaryKeyOp: "create_primary_key", CreateForeignKeyOp: "create_foreign_key",
  CreateCheckConstraintOp: "create_check_constraint", DropConstraintOp: "drop_constraint",
  ExecuteSQLOp: "execute", BulkInsertOp: "bulk_insert",
};

/** The argument that names an op's table (before batch resolution). */
export const TABLE_ARG: Record<string, string> = {
  create_table: "table_name", drop_table: "table_name", rename_table: "old_table_name", add_column: "table_name",
  drop_column: "table_name", alter_column: "table_name", create_index: "table_name", drop_index: "table_name",
  create_unique_constraint: "table_name", create_primary_key: "table_name", create_foreign_key: "source_table",
  create_check_constraint: "table_name", create_exclude_constraint: "table_name", drop_constraint: "table_name",
  create_table_comment: "table_name", drop_table_comment: "table_name",
};

export const SCHEMA_ARG: Record<string, string> = { create_foreign_key: "source_schema" };
