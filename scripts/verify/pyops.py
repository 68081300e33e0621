#!/usr/bin/env python3
"""pyops.py - independent reader of Alembic operation calls (stdlib `ast` only).

Usage:
    python3 pyops.py FILE_OR_DIR [FILE_OR_DIR ...] [--unroll=helpers|all|none] [--via]
                     [--extended-imports]   (also accept `import alembic.op as Y`; outside the brief)

For each .py file (directories are walked recursively, sorted) prints one JSON line:
    {"path": P, "ops": [{"section": S, "op": NAME, "line": N}, ...]}
or  {"path": P, "error": "..."} when ast.parse fails.

Rules implemented (see README in this folder):
  * sections: module-level (async) defs named upgrade / downgrade / upgrade_* / downgrade_*.
  * op aliases: every `from alembic import op [as Y]` anywhere in the module, plus a
    parameter named `op` of the function being read (quay style `def upgrade(op, tables, tester)`).
  * batch aliases: `with <op>.batch_alter_table(...) as ALIAS:` -> ALIAS inside that with-body.
  * an operation = call `X.name(...)` with X an op alias or batch alias, name not in
    EXCLUDED.  Also `.execute(...)` / `.exec_driver_sql(...)` on a name assigned from
    `<op>.get_bind()` in the same function (flow-insensitive), or directly on
    `<op>.get_bind()`  -> reported as op "execute".
  * calls "directly" inside the section: nested def / lambda / class bodies are NOT read.
  * helpers: call `name(...)` where name is a module-level def that is not a section
    function -> the helper's ops are inlined at the call site (helper line numbers),
    once per call site; transitive; recursion guarded.
  * `for x in <literal list/tuple/set, or Name of a module-level literal list/tuple/set>:`
    body is read once per element.  --unroll=helpers (default) unrolls only loops whose
    body contains a call to a local helper; --unroll=all unrolls every literal loop;
    --unroll=none never unrolls.  Non-literal loops are read once.
  * line = line of the start of the call's callee attribute (the `op`/alias token line).
"""
import ast
import json
import os
import sys

EXCLUDED = {"f", "get_bind", "get_context", "inline_literal", "batch_alter_table",
            "invoke", "run_async"}
BIND_METHODS = {"execute", "exec_driver_sql"}


def is_section(name):
    return (name in ("upgrade", "downgrade") or name.startswith("upgrade_")
            or name.startswith("downgrade_"))


class FileReader:
    def __init__(self, tree, unroll="helpers", via=False, extended_imports=False):
        self.tree = tree
        self.unroll = unroll
        self.via = via
        self.op_aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "alembic" and not node.level:
                for a in node.names:
                    if a.name == "op":
                        self.op_aliases.add(a.asname or "op")
            elif extended_imports and isinstance(node, ast.Import):
                # NOT part of the brief's rules: `import alembic.op as Y`
                for a in node.names:
                    if a.name == "alembic.op" and a.asname:
                        self.op_aliases.add(a.asname)
        self.funcs = {}      # module-level defs, last definition wins
        self.literals = {}   # module-level NAME = [..] / (..) / {..}
        for st in tree.body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.funcs[st.name] = st
            elif isinstance(st, ast.Assign) and isinstance(st.value, (ast.List, ast.Tuple, ast.Set)):
                for t in st.targets:
                    if isinstance(t, ast.Name):
                        self.literals[t.id] = len(st.value.elts)
            elif (isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name)
                  and isinstance(st.value, (ast.List, ast.Tuple, ast.Set))):
                self.literals[st.target.id] = len(st.value.elts)
            elif isinstance(st, ast.Assign) or isinstance(st, ast.AugAssign):
                # a later non-literal rebinding makes the name non-literal
                targets = st.targets if isinstance(st, ast.Assign) else [st.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        self.literals.pop(t.id, None)
        self.helpers = {n for n in self.funcs if not is_section(n)}

    # ---------------------------------------------------------------- helpers
    def _func_ctx(self, fn):
        ops = set(self.op_aliases)
        args = fn.args
        for a in list(getattr(args, "posonlyargs", [])) + list(args.args) + list(args.kwonlyargs):
            if a.arg == "op":
                ops.add("op")
        binds = set()
        for node in self._walk_direct(fn):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
                    and self._is_get_bind(node.value, ops):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        binds.add(t.id)
            elif isinstance(node, ast.NamedExpr) and self._is_get_bind(node.value, ops):
                binds.add(node.target.id)
        return ops, binds

    def _walk_direct(self, fn):
        """ast.walk over fn body without entering nested defs/lambdas/classes."""
        stack = list(reversed(fn.body))
        while stack:
            node = stack.pop()
            yield node
            for child in reversed(list(ast.iter_child_nodes(node))):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                      ast.ClassDef)):
                    continue
                stack.append(child)

    @staticmethod
    def _is_get_bind(expr, ops):
        return (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
                and expr.func.attr == "get_bind" and isinstance(expr.func.value, ast.Name)
                and expr.func.value.id in ops)

    def _literal_len(self, it):
        if isinstance(it, (ast.List, ast.Tuple, ast.Set)):
            return len(it.elts)
        if isinstance(it, ast.Name) and it.id in self.literals:
            return self.literals[it.id]
        return None

    def _contains_helper_call(self, nodes):
        for st in nodes:
            for node in [st] + list(ast.walk(st)):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in self.helpers):
                    return True
        return False

    # ---------------------------------------------------------------- reading
    def read_function(self, fn, section, stack):
        ops, binds = self._func_ctx(fn)
        out = []
        self._visit_body(fn.body, out, section, ops, binds, set(), stack, fn.name)
        return out

    def _visit_body(self, stmts, out, section, ops, binds, batch, stack, fname):
        for st in stmts:
            self._visit(st, out, section, ops, binds, batch, stack, fname)

    def _visit(self, node, out, section, ops, binds, batch, stack, fname):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return
        if isinstance(node, (ast.With, ast.AsyncWith)):
            new_batch = set(batch)
            for item in node.items:
                self._visit(item.context_expr, out, section, ops, binds, batch, stack, fname)
                ce = item.context_expr
                if (isinstance(ce, ast.Call) and isinstance(ce.func, ast.Attribute)
                        and ce.func.attr == "batch_alter_table"
                        and isinstance(ce.func.value, ast.Name) and ce.func.value.id in ops
                        and isinstance(item.optional_vars, ast.Name)):
                    new_batch.add(item.optional_vars.id)
                elif isinstance(item.optional_vars, ast.Name):
                    new_batch.discard(item.optional_vars.id)
            self._visit_body(node.body, out, section, ops, binds, new_batch, stack, fname)
            return
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self._visit(node.iter, out, section, ops, binds, batch, stack, fname)
            n = self._literal_len(node.iter)
            times = 1
            if n is not None:
                if self.unroll == "all" or (self.unroll == "helpers"
                                            and self._contains_helper_call(node.body)):
                    times = n
            for _ in range(times):
                self._visit_body(node.body, out, section, ops, binds, batch, stack, fname)
            self._visit_body(node.orelse, out, section, ops, binds, batch, stack, fname)
            return
        if isinstance(node, ast.Call):
            self._visit_call(node, out, section, ops, binds, batch, stack, fname)
            return
        for child in ast.iter_child_nodes(node):
            self._visit(child, out, section, ops, binds, batch, stack, fname)

    def _emit(self, out, section, name, line, fname):
        rec = {"section": section, "op": name, "line": line}
        if self.via:
            rec["in"] = fname
        out.append(rec)

    def _visit_call(self, call, out, section, ops, binds, batch, stack, fname):
        f = call.func
        if isinstance(f, ast.Attribute):
            v = f.value
            line = v.lineno if hasattr(v, "lineno") else call.lineno
            if isinstance(v, ast.Name) and (v.id in ops or v.id in batch):
                if f.attr not in EXCLUDED:
                    self._emit(out, section, f.attr, line, fname)
            elif f.attr in BIND_METHODS and (
                    (isinstance(v, ast.Name) and v.id in binds) or self._is_get_bind(v, ops)):
                self._emit(out, section, "execute", line, fname)
        # callee expression first (chains like op.get_bind().execute), then arguments
        self._visit(f, out, section, ops, binds, batch, stack, fname)
        for a in call.args:
            self._visit(a, out, section, ops, binds, batch, stack, fname)
        for k in call.keywords:
            self._visit(k.value, out, section, ops, binds, batch, stack, fname)
        if isinstance(f, ast.Name) and f.id in self.helpers and f.id not in stack:
            helper = self.funcs[f.id]
            out.extend(self.read_function(helper, section, stack | {f.id}))

    def read(self):
        result = []
        for st in self.tree.body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_section(st.name):
                if self.funcs.get(st.name) is not st:
                    continue  # redefined later; last definition wins
                result.extend(self.read_function(st, st.name, frozenset({st.name})))
        return result


def read_path(path, unroll="helpers", via=False, extended_imports=False):
    try:
        with open(path, "rb") as fh:
            src = fh.read()
        tree = ast.parse(src, filename=path)
    except (SyntaxError, ValueError, UnicodeDecodeError) as e:
        return {"path": path, "error": f"{type(e).__name__}: {e}"}
    return {"path": path, "ops": FileReader(tree, unroll, via, extended_imports).read()}


def iter_files(args):
    for a in args:
        if os.path.isdir(a):
            for root, dirs, files in os.walk(a):
                dirs.sort()
                for fn in sorted(files):
                    if fn.endswith(".py"):
                        yield os.path.join(root, fn)
        else:
            yield a


def main(argv):
    unroll, via, ext, paths = "helpers", False, False, []
    for a in argv:
        if a.startswith("--unroll="):
            unroll = a.split("=", 1)[1]
            assert unroll in ("helpers", "all", "none"), unroll
        elif a == "--via":
            via = True
        elif a == "--extended-imports":
            ext = True
        else:
            paths.append(a)
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    for p in iter_files(paths):
        print(json.dumps(read_path(p, unroll, via, ext)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
