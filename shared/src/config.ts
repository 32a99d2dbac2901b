import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type ZodType, z } from "zod";
import { assertTimeZone } from "./time.js";

export const TimeZone = z.string().refine(
  (tz) => {
    try {
      assertTimeZone(tz);
      return true;
    } catch {
      return false;
    }
  },
  { message: "must be an IANA time zone, e.g. Asia/Almaty", params: { code: "invalid_time_zone" } },
);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface ConfigSpec {
  /** Only environment variables with this prefix are read. */
  prefix: string;
  /** Keys that may come from `KEY_FILE` and whose values are never shown. */
  secretKeys: readonly string[];
  /** An example value per key, shown with its problem. */
  examples: Record<string, string>;
}

/**
 * Validates one app's configuration: a YAML/JSON file (optional) under the environment, which wins;
 * `KEY_FILE` reads a secret from a file (systemd LoadCredential). Every problem names its key, says what
 * is wrong, shows the value unless it is a secret, and gives an example.
 */
export function loadConfig<S extends ZodType>(
  schema: S,
  spec: ConfigSpec,
  env: Record<string, string | undefined>,
  fileText?: string,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): z.infer<S> {
  const merged: Record<string, unknown> = fileText
    ? { ...((parseYaml(fileText) as Record<string, unknown> | null) ?? {}) }
    : {};
  for (const [k, v] of Object.entries(env))
    if (k.startsWith(spec.prefix) && v !== undefined && v !== "") merged[k] = v;
  const problems: string[] = [];
  for (const key of spec.secretKeys) {
    const file = merged[`${key}_FILE`];
    if (typeof file === "string" && merged[key] === undefined) {
      try {
        merged[key] = readFile(file).trim();
      } catch (e) {
        problems.push(`${key}_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
      }
    }
  }
  const r = schema.safeParse(merged);
  if (!r.success) {
    for (const i of r.error.issues) {
      const key = i.path.join(".");
      const top = String(i.path[0] ?? "");
      const nested = i.path.length > 1;
      const value = merged[top];
      const problem = value === undefined && i.code === "invalid_type" ? "is required (not set)" : i.message;
      // A nested problem names its path; the value (a whole list, perhaps with paths to secrets) is not shown.
      const shown =
        value === undefined || nested || spec.secretKeys.includes(key)
          ? ""
          : ` (got ${JSON.stringify(value)})`;
      const example = spec.examples[key] ? `; example: ${spec.examples[key]}` : "";
      problems.push(`${key}: ${problem}${shown}${example}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return r.data as z.infer<S>;
}
