import { createServer } from "node:net";
import { join } from "node:path";
import { generateSigningKeyPem, signerFromPem, topics } from "@gatehouse/shared";
import { Database } from "@gatehouse/shared/db";
import { startSimulator } from "@gatehouse/simulator";
import { Aedes, type PublishPacket } from "aedes";
import { describe, expect, it } from "vitest";
import { startStandaloneAgent } from "../standalone-agent.js";
import { eventually, sleep, tempDir } from "../support.js";

const SITE = "north";

describe("agent stop", () => {
  it("finishes within seconds when the broker never acknowledges, and keeps what was not acknowledged", async () => {
    // A broker that takes the agent's passages and never answers them: no PUBACK, ever.
    const held: PublishPacket[] = [];
    const broker = await Aedes.createBroker({
      authorizePublish: (_client, packet, done) => {
        if (packet.topic === topics.passageEvents(SITE)) held.push(packet);
        else done(null);
      },
    });
    const server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const sim = await startSimulator({ timeZone: "Asia/Almaty" });
    const dir = tempDir("agent-stop");
    try {
      const agent = await startStandaloneAgent({
        site: SITE,
        mqttUrl: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`,
        sim,
        dir,
        commandPublicKey: signerFromPem(generateSigningKeyPem()).text,
        timeZone: "Asia/Almaty",
      });
      const r = await fetch(`${sim.url}/_sim/passages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ result: "denied", direction: "entry" }),
      });
      expect(r.status).toBe(201);
      await eventually(async () => held.length > 0, 10_000, "the passage in flight to the broker");

      const started = Date.now();
      const stopped = await Promise.race([agent.stop().then(() => true), sleep(20_000).then(() => false)]);
      expect(stopped, "agent.stop() still waiting after 20 s").toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);

      // Not acknowledged, so not deleted: it goes out again when the agent next runs.
      const db = await Database.open({ url: `file:${join(dir, "agent.db")}` });
      const left = await db.read("SELECT count(*) AS n FROM outbox WHERE topic = ?", [
        topics.passageEvents(SITE),
      ]);
      db.close();
      expect(Number(left.rows[0]!.n)).toBe(1);
    } finally {
      await sim.stop();
      for (const c of Object.values(
        (broker as unknown as { clients: Record<string, { close(): void }> }).clients,
      ))
        c.close();
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
