"""Multi-database round-trip driver for test/integration/fix-roundtrip.test.ts.

Usage: python3 fix-roundtrip.py CASE_DIR WORK_DIR

Like roundtrip.py (whose snapshot code it reuses), for revisions written for Alembic's
`multidb` template: `upgrade(engine_name)` dispatching to `upgrade_<name>()`. CASE_DIR holds
`base.py` (multi-db base revision) and `target.py` (the revision under test). The env.py here
runs every revision against two SQLite databases, engine1 and engine2, as the template does:

    upgrade <base>   -> snapshot "before" (both databases)
    upgrade head     -> snapshot "after_upgrade"
    downgrade -1     -> snapshot "after_downgrade"   (error recorded if it fails)
    upgrade head     -> error recorded if re-applying the revision fails

and prints one JSON document; `roundtrip` is true when the downgrade succeeded and restored
the "before" schema of both databases exactly.
"""
import json
import os
import shutil
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config
    from roundtrip import revision_of, snapshot
except ImportError as exc:  # the test must fail, not skip, without alembic
    print(json.dumps({"fatal": "missing dependency: %s (pip install alembic sqlalchemy)" % exc}))
    sys.exit(3)

NAMES = ["engine1", "engine2"]

ENV_PY = '''
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
names = [n.strip() for n in config.get_main_option("databases").split(",")]


def run_migrations_online():
    recs = {}
    for name in names:
        engine = engine_from_config(config.get_section(name), prefix="sqlalchemy.", poolclass=pool.NullPool)
        conn = engine.connect()
        recs[name] = (engine, conn, conn.begin())
    try:
        for name, (engine, conn, trans) in recs.items():
            context.configure(connection=conn, upgrade_token="%s_upgrades" % name, downgrade_token="%s_downgrades" % name, target_metadata=None)
            context.run_migrations(engine_name=name)
        for engine, conn, trans in recs.values():
            trans.commit()
    except Exception:
        for engine, conn, trans in recs.values():
            trans.rollback()
        raise
    finally:
        for engine, conn, trans in recs.values():
            conn.close()
            engine.dispose()


run_migrations_online()
'''


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
    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(work, "migrations"))
    cfg.set_main_option("databases", ", ".join(NAMES))
    engines = {}
    for name in NAMES:
        url = "sqlite:///" + os.path.join(work, name + ".sqlite")
        cfg.set_section_option(name, "sqlalchemy.url", url)
        engines[name] = sa.create_engine(url)

    def snap():
        out = {}
        for name, engine in engines.items():
            out[name] = snapshot(engine)
            engine.dispose()
        return out

    def err(exc):
        return "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")

    result = {"case": os.path.basename(os.path.normpath(case_dir))}
    command.upgrade(cfg, base_rev)
    result["before"] = snap()
    try:
        command.upgrade(cfg, "head")
    except Exception as exc:
        result["upgrade_error"] = err(exc)
        result["roundtrip"] = False
        print(json.dumps(result))
        return
    result["after_upgrade"] = snap()
    result["downgrade_error"] = None
    try:
        command.downgrade(cfg, "-1")
    except Exception as exc:
        result["downgrade_error"] = err(exc)
    result["after_downgrade"] = snap()
    result["reupgrade_error"] = None
    if result["downgrade_error"] is None:
        try:
            command.upgrade(cfg, "head")
        except Exception as exc:
            result["reupgrade_error"] = err(exc)
    result["roundtrip"] = (
        result["downgrade_error"] is None
        and result["reupgrade_error"] is None
        and result["after_downgrade"] == result["before"]
        and result["after_upgrade"] != result["before"]
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
