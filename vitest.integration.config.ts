import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/integration/**/*.test.ts"],
    testTimeout: 600000,
    hookTimeout: 600000,
    pool: "forks",
    fileParallelism: false,
    env: { ALEMBIC_LINT_CACHE_DIR: path.join(os.tmpdir(), "alembic-lint-test-cache") },
  },
});
