"""Round-trip driver for test/integration/roundtrip.test.ts.

Usage: python3 roundtrip.py CASE_DIR WORK_DIR

CASE_DIR holds `base.py` (revision creating the tables) and `target.py` (the revision
under test, whose down_revision is the base). The driver builds a throwaway Alembic
environment in WORK_DIR with a SQLite database, then runs, with the real Alembic:

    upgrade <base>   -> snapshot "before"
    upgrade head     -> snapshot "after_upgrade"
    downgrade -1     -> snapshot "after_downgrade"   (error recorded if it fails)
    upgrade head     -> error recorded if re-applying the revision fails

and prints one JSON document with the snapshots, the errors and `roundtrip`
(true when the downgrade succeeded and restored the "before" schema exactly).
Snapshots use SQLAlchemy inspection: tables, columns (type, nullability, server
default), primary key, indexes, unique constraints and foreign keys.
"""
import json
import os
import re
import shutil
import sys
import traceback

try:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config
except ImportError as exc:  # the test must fail, not skip, without alembic
    print(json.dumps({"fatal": "missing dependency: %s (pip install alembic sqlalchemy)" % exc}))
    sys.exit(3)

ENV_PY = '''
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
'''


def revision_of(path):
    with open(path, encoding="utf-8") as f:
        m = re.search(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", f.read(), re.M)
    if not m:
        raise SystemExit("no revision in %s" % path)
    return m.group(1)


def norm_default(d):
    if d is None:
        return None
    return re.sub(r"\s+", " ", str(d)).strip().strip("()").strip()


def snapshot(engine):
    insp = sa.inspect(engine)
    out = {}
    for t in sorted(insp.get_table_names()):
        if t == "alembic_version":
            continue
        cols = [
            {
                "name": c["name"],
                "type": str(c["type"]),
                "nullable": bool(c["nullable"]),
                "default": norm_default(c.get("default")),
            }
            for c in insp.get_columns(t)
        ]
        pk = insp.get_pk_constraint(t) or {}
        out[t] = {
            "columns": cols,
            "pk": sorted(pk.get("constrained_columns") or []),
            "indexes": sorted(
                [{"name": i["name"], "columns": list(i["column_names"]), "unique": bool(i["unique"])} for i in insp.get_indexes(t)],
                key=lambda i: str(i["name"]),
            ),
            "uniques": sorted(
                [{"name": u["name"], "columns": list(u["column_names"])} for u in insp.get_unique_constraints(t)],
                key=lambda u: (str(u["name"]), u["columns"]),
            ),
            "fks": sorted(
                [
                    {
                        "name": fk.get("name"),
                        "columns": list(fk["constrained_columns"]),
                        "referred_table": fk["referred_table"],
                        "referred_columns": list(fk["referred_columns"]),
                    }
                    for fk in insp.get_foreign_keys(t)
                ],
                key=lambda f: (str(f["name"]), f["columns"]),
            ),
        }
    return out


def main():
    case_dir, work = sys.argv[1], sys.argv[2]
    if os.path.exists(work):
        shutil.rmtree(work)
    versions = os.path.join(work, "migrations", "versions")
    os.makedirs(versions)
    with open(os.path.join(work, "migrations", "env.py"), "w") as f:
        f.write(ENV_PY)
    for name in ("base.py", "target.py"):
        shutil.copy(os.path.join(case_dir, name), os.path.join(versions, name))
    base_rev = revision_of(os.path.join(case_dir, "base.py"))
    db = os.path.join(work, "db.sqlite")
    url = "sqlite:///" + db
    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(work, "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    engine = sa.create_engine(url)

    result = {"case": os.path.basename(os.path.normpath(case_dir))}
    command.upgrade(cfg, base_rev)
    result["before"] = snapshot(engine)
    try:
        command.upgrade(cfg, "head")
    except Exception as exc:  # the revision under test must at least upgrade
        result["upgrade_error"] = "%s: %s" % (type(exc).__name__, exc)
        result["roundtrip"] = False
        print(json.dumps(result))
        return
    result["after_upgrade"] = snapshot(engine)
    result["downgrade_error"] = None
    try:
        command.downgrade(cfg, "-1")
    except Exception as exc:
        result["downgrade_error"] = "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
    engine.dispose()
    result["after_downgrade"] = snapshot(engine)
    result["reupgrade_error"] = None
    if result["downgrade_error"] is None:
        try:
            command.upgrade(cfg, "head")
        except Exception as exc:
            result["reupgrade_error"] = "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
    engine.dispose()
    result["roundtrip"] = (
        result["downgrade_error"] is None
        and result["reupgrade_error"] is None
        and result["after_downgrade"] == result["before"]
    )
    print(json.dumps(result))


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception:
        print(json.dumps({"fatal": traceback.format_exc()}))
        sys.exit(4)
