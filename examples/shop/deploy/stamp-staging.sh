#!/bin/sh
# Re-sync the staging database after a restore from the production snapshot.
set -e
cd "$(dirname "$0")/.."
alembic stamp 3e4f5a6b7c8d
alembic upgrade head
# The restore of March used this revision; it was squashed away since.
alembic stamp 9a8b7c6d5e4f
