import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support.js";

const unit = (name: string) => fileURLToPath(new URL(`../../../deploy/systemd/${name}`, import.meta.url));
const analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((p) => existsSync(p));
if (!analyze) console.warn("SKIP systemd-analyze verify: no systemd-analyze on this machine");

describe("the systemd units in deploy/", () => {
  for (const name of ["gatehouse.service", "gatehouse-agent.service"]) {
    it(`${name} runs as a dedicated user with its state directory, hardened, restarted on failure`, () => {
      const text = readFileSync(unit(name), "utf8");
      const settings = new Map(
        text
          .split("\n")
          .filter((l) => /^[A-Za-z]+=/.test(l))
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const),
      );
      const user = name === "gatehouse.service" ? "gatehouse" : "gatehouse-agent";
      expect(settings.get("User")).toBe(user);
      expect(settings.get("StateDirectory")).toBe(user);
      expect(settings.get("ProtectSystem")).toBe("strict");
      expect(settings.get("NoNewPrivileges")).toBe("yes");
      expect(settings.get("CapabilityBoundingSet")).toBe("");
      expect(settings.get("Restart")).toBe("on-failure");
      if (!analyze) return;
      // verify checks that ExecStart's program exists: point it at this machine's node.
      const copy = join(tempDir("units"), name);
      writeFileSync(copy, text.replaceAll("/usr/bin/node", process.execPath));
      const r = spawnSync(analyze, ["verify", "--man=no", copy], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
    });
  }
});
