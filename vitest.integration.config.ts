import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/integration/**/*.test.ts"],
    testTimeout: 600000,
    hookTimeout: 600000,
    pool: "forks",
    fileParallelism: false,
  },
});
