// One suggested name per unnamed constraint, whichever rule suggests it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lintSources } from "../src/index.js";
import { suggestedConstraintName } from "../src/analysis/names.js";

describe("suggestedConstraintName", () => {
  it("follows fk_<table>_<columns>_<referred table>", () => {
    expect(suggestedConstraintName("foreignkey", "service_queue", ["record_id"], "base_record")).toBe("fk_service_queue_record_id_base_record");
    expect(suggestedConstraintName("foreignkey", "task", ["job_id", "job_site"], "job")).toBe("fk_task_job_id_job_site_job");
  });
  it("leaves out what is not literal", () => {
    expect(suggestedConstraintName("foreignkey", "task", { expr: "cols" }, "job")).toBe("fk_task_job");
    expect(suggestedConstraintName("foreignkey", "task", ["job_id"], { expr: "REF" })).toBe("fk_task_job_id");
    expect(suggestedConstraintName("foreignkey", "task", [], "job")).toBe("fk_task_job");
    expect(suggestedConstraintName("unique", undefined, ["slug"])).toBe("uq_table_slug");
  });
  it("unique, check and primary key forms", () => {
    expect(suggestedConstraintName("unique", "category", ["tenant_id", "slug"])).toBe("uq_category_tenant_id_slug");
    expect(suggestedConstraintName("check", "category", ["slug"])).toBe("ck_category");
    expect(suggestedConstraintName("primary", "category", ["id"])).toBe("pk_category");
  });
});

describe("ALM109 and ALM408 suggest the same name for one unnamed foreign key", () => {
  const quoted = (message: string) => [...message.matchAll(/"(fk_[\w$]+)"/g)].map((m) => m[1]!);
  for (const file of [
    "fixtures/alm408-foreign-key-locks/unnamed_fk_recreated_with_cascade.py",
    "fixtures/alm109-unnamed-constraint/unnamed_fk_recreated_with_cascade.py",
  ]) {
    it(file, async () => {
      const { diagnostics } = await lintSources([{ path: file, text: readFileSync(file, "utf8") }], { select: ["ALM109", "ALM408"] });
      const create = diagnostics.filter((d) => d.span.line === 20);
      expect(create.map((d) => d.code).sort()).toEqual(["ALM109", "ALM408"]);
      const names = new Set(create.flatMap((d) => quoted(d.message)));
      expect(names.size).toBe(1);
      expect([...names][0]).toMatch(/^fk_(job_queue_record_id_base_record|task_job_id_job_site_job)$/);
    });
  }
});
