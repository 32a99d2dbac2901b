import type { AgentStatus } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { Row } from "@libsql/client";
import { hashPassword } from "../secrets.js";

export interface KindConfig {
  accessGroups: string[];
  revokeOnExit: boolean;
}

export interface Site {
  id: string;
  name: string;
  timeZone: string;
  kinds: Record<string, KindConfig>;
  fallbackEmail: string | null;
  agentUsername: string;
  agentState: string;
  agentStatus: AgentStatus | null;
  agentSeenAt: string | null;
  createdAt: string;
}

const toSite = (r: Row): Site => ({
  id: String(r.id),
  name: String(r.name),
  timeZone: String(r.time_zone),
  kinds: JSON.parse(String(r.kinds)) as Record<string, KindConfig>,
  fallbackEmail: r.fallback_email === null ? null : String(r.fallback_email),
  agentUsername: String(r.agent_username),
  agentState: String(r.agent_state),
  agentStatus: r.agent_status === null ? null : (JSON.parse(String(r.agent_status)) as AgentStatus),
  agentSeenAt: r.agent_seen_at === null ? null : String(r.agent_seen_at),
  createdAt: String(r.created_at),
});

export const agentUsername = (site: string) => `agent-${site}`;

export class SitesRepo {
  constructor(private readonly db: Database) {}

  async create(
    s: {
      id: string;
      name: string;
      timeZone: string;
      kinds: Record<string, KindConfig>;
      fallbackEmail?: string;
    },
    agentPassword: string,
  ): Promise<Site | "exists"> {
    const now = new Date().toISOString();
    const r = await this.db.write([
      {
        sql: `INSERT INTO sites (id, name, time_zone, kinds, fallback_email, agent_username, agent_password_hash, created_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        args: [
          s.id,
          s.name,
          s.timeZone,
          JSON.stringify(s.kinds),
          s.fallbackEmail ?? null,
          agentUsername(s.id),
          hashPassword(agentPassword),
          now,
        ],
      },
    ]);
    if (r[0]!.rowsAffected === 0) return "exists";
    return (await this.get(s.id))!;
  }

  async get(id: string): Promise<Site | undefined> {
    const r = await this.db.read("SELECT * FROM sites WHERE id = ?", [id]);
    return r.rows[0] ? toSite(r.rows[0]) : undefined;
  }

  async list(): Promise<Site[]> {
    return (await this.db.read("SELECT * FROM sites ORDER BY id")).rows.map(toSite);
  }

  async passwordHash(username: string): Promise<{ site: string; hash: string } | undefined> {
    const r = await this.db.read("SELECT id, agent_password_hash FROM sites WHERE agent_username = ?", [
      username,
    ]);
    const row = r.rows[0];
    return row ? { site: String(row.id), hash: String(row.agent_password_hash) } : undefined;
  }

  async recordStatus(site: string, status: AgentStatus): Promise<void> {
    await this.db.write([
      {
        sql: "UPDATE sites SET agent_state = ?, agent_status = ?, agent_seen_at = ? WHERE id = ?",
        args: [status.state, JSON.stringify(status), new Date().toISOString(), site],
      },
    ]);
  }

  async queueStats(site: string): Promise<{ pending: number; oldestPendingAt: string | null }> {
    const r = await this.db.read(
      "SELECT count(*) AS n, min(created_at) AS oldest FROM commands WHERE site_id = ? AND status IN ('pending', 'received')",
      [site],
    );
    const row = r.rows[0]!;
    return { pending: Number(row.n), oldestPendingAt: row.oldest === null ? null : String(row.oldest) };
  }
}
