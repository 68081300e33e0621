import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/integration/**"],
    testTimeout: 60000,
    pool: "threads",
    // The CLI's header cache (src/header-cache.ts) stays out of the home directory.
    env: { ALEMBIC_LINT_CACHE_DIR: path.join(os.tmpdir(), "alembic-lint-test-cache") },
  },
});
