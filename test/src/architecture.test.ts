import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The "nevers" of ARCHITECTURE.md, read off the imports of every TypeScript source: each rule lists the
 * files that break it, so a failure says where.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PACKAGES = ["shared", "agent", "control-plane", "simulator", "console", "test", "bench"];

interface Source {
  /** Path from the repository root, e.g. `agent/src/domain/replica.ts`. */
  file: string;
  /** Every module specifier it imports or re-exports from. */
  imports: string[];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === "node_modules" || e.name === "dist") return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

const all: Source[] = PACKAGES.flatMap((pkg) =>
  sources(join(root, pkg, "src")).map((abs) => {
    const text = readFileSync(abs, "utf8");
    return {
      file: relative(root, abs),
      imports: [...text.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2])!),
    };
  }),
);

/** Where a relative specifier points, from the repository root. */
const target = (s: Source, spec: string) =>
  spec.startsWith(".") ? relative(root, resolve(root, dirname(s.file), spec)) : spec;

const isTest = (f: string) => f.endsWith(".test.ts");
const breaking = (files: Source[], bad: (s: Source, spec: string) => boolean) =>
  files.flatMap((s) => s.imports.filter((spec) => bad(s, spec)).map((spec) => `${s.file} imports ${spec}`));

/** Imports, from the files under `from`, of any of these packages (by name, or by a relative path into it). */
const reaching = (from: string, packages: string[]) =>
  breaking(
    all.filter((s) => s.file.startsWith(from)),
    (s, spec) =>
      packages.some((p) => spec.startsWith(`@gatehouse/${p}`) || target(s, spec).startsWith(`${p}/`)),
  );

describe("architecture", () => {
  it("reads the sources (the rules below are not vacuous)", () => {
    expect(all.length).toBeGreaterThan(200);
    expect(all.find((s) => s.file === "agent/src/main.ts")?.imports).toContain("./services/inbox.js");
  });

  it("keeps the domain pure: no node: modules, no I/O libraries, nothing outside domain/ but shared", () => {
    const domain = all.filter((s) => /\/src\/domain\//.test(s.file) && !isTest(s.file));
    expect(domain.length).toBeGreaterThan(15);
    expect(
      breaking(domain, (s, spec) => {
        if (spec.startsWith("node:")) return true;
        if (spec.startsWith(".")) return !target(s, spec).includes("/src/domain/");
        return spec !== "@gatehouse/shared";
      }),
    ).toEqual([]);
  });

  it("lets the agent and the control plane meet only through shared", () => {
    expect(reaching("agent/", ["control-plane"])).toEqual([]);
    expect(reaching("control-plane/", ["agent"])).toEqual([]);
  });

  it("never lets the simulator use the agent's signer or digest (or anything else of the agent's)", () => {
    expect(reaching("simulator/", ["agent", "control-plane"])).toEqual([]);
  });

  it("keeps shared free of the apps, and the console free of the server", () => {
    expect(
      breaking(
        all.filter((s) => s.file.startsWith("shared/")),
        (s, spec) =>
          (spec.startsWith("@gatehouse/") && !spec.startsWith("@gatehouse/shared")) ||
          !target(s, spec).match(/^(shared\/|[^.])/),
      ),
    ).toEqual([]);
    expect(
      breaking(
        all.filter((s) => s.file.startsWith("console/") && !isTest(s.file)),
        (s, spec) => !spec.startsWith(".") || !target(s, spec).startsWith("console/"),
      ),
    ).toEqual([]);
  });

  it("lets adapters depend on ports, domain and shared, never on the services that use them", () => {
    const adapters = all.filter(
      (s) => /^(agent|control-plane)\/src\/adapters\//.test(s.file) && !isTest(s.file),
    );
    expect(
      breaking(adapters, (s, spec) => {
        const t = target(s, spec);
        return /\/src\/(services|http)\//.test(t) && !t.endsWith("/services/ports.js");
      }),
    ).toEqual([]);
  });

  it("builds each app in one composition root: only main.ts constructs the app's database", () => {
    for (const app of ["agent", "control-plane"]) {
      const opening = all
        .filter((s) => s.file.startsWith(`${app}/src/`) && !isTest(s.file))
        .filter((s) => readFileSync(join(root, s.file), "utf8").includes("Database.open("))
        .map((s) => s.file);
      // The CLIs open the database for their one-shot commands (export, import, token); the services never do.
      expect(opening.filter((f) => !/\/src\/(main|cli)\.ts$/.test(f))).toEqual([]);
    }
  });
});
