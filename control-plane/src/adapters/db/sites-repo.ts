import type { AgentStatus } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { Row } from "@libsql/client";
import type { OpeningHours } from "../../domain/incidents.js";
import { hashPassword } from "../secrets.js";
import { type Actor, auditStatement } from "./audit.js";

export type SiteLanguage = "en" | "ru";

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
  /** Where security incidents are emailed. */
  securityEmail: string | null;
  /** A guest inside longer than this is an incident. */
  maxStayMinutes: number;
  /** Entries outside these hours (site time) are incidents; none: any time. */
  openingHours: OpeningHours | null;
  /** HikCentral lets guests in this long before their visit starts. */
  earlyArrivalMinutes: number;
  /** The longest a visit may last, validFrom to validUntil. */
  maxVisitDays: number;
  /** The language of the site's emails: a new host's (unless the visit names one) and security incidents'. */
  language: SiteLanguage;
  agentUsername: string;
  /** The login before the last rotation, good until the agent uses the new one or this time passes. */
  previousAgentLogin: { username: string; validUntil: string } | null;
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
  securityEmail: r.security_email === null ? null : String(r.security_email),
  maxStayMinutes: Number(r.max_stay_minutes),
  openingHours: r.opening_hours === null ? null : (JSON.parse(String(r.opening_hours)) as OpeningHours),
  earlyArrivalMinutes: Number(r.early_arrival_minutes),
  maxVisitDays: Number(r.max_visit_days),
  language: r.language === "ru" ? "ru" : "en",
  agentUsername: String(r.agent_username),
  previousAgentLogin:
    r.previous_agent_username === null || r.previous_agent_username === undefined
      ? null
      : { username: String(r.previous_agent_username), validUntil: String(r.previous_agent_valid_until) },
  agentState: String(r.agent_state),
  agentStatus: r.agent_status === null ? null : (JSON.parse(String(r.agent_status)) as AgentStatus),
  agentSeenAt: r.agent_seen_at === null ? null : String(r.agent_seen_at),
  createdAt: String(r.created_at),
});

/** The first login is `agent-<site>`; each rotation numbers the next (a dot: site ids cannot hold one). */
export const agentUsername = (site: string, generation = 1) =>
  generation === 1 ? `agent-${site}` : `agent-${site}.${generation}`;

/** What an admin may set on a site after creating it. */
export interface SiteSettings {
  name?: string | undefined;
  timeZone?: string | undefined;
  kinds?: Record<string, KindConfig> | undefined;
  fallbackEmail?: string | null | undefined;
  securityEmail?: string | null | undefined;
  maxStayMinutes?: number | undefined;
  openingHours?: OpeningHours | null | undefined;
  earlyArrivalMinutes?: number | undefined;
  maxVisitDays?: number | undefined;
  language?: SiteLanguage | undefined;
}

const settingsOf = (s: Site) => ({
  name: s.name,
  timeZone: s.timeZone,
  kinds: s.kinds,
  fallbackEmail: s.fallbackEmail,
  securityEmail: s.securityEmail,
  maxStayMinutes: s.maxStayMinutes,
  openingHours: s.openingHours,
  earlyArrivalMinutes: s.earlyArrivalMinutes,
  maxVisitDays: s.maxVisitDays,
  language: s.language,
});

export class SitesRepo {
  constructor(private readonly db: Database) {}

  async create(
    s: SiteSettings & { id: string; name: string; timeZone: string; kinds: Record<string, KindConfig> },
    agentPassword: string,
    actor: Actor,
  ): Promise<Site | "exists"> {
    const passwordHash = await hashPassword(agentPassword);
    return this.db.exclusive(async () => {
      if (await this.get(s.id)) return "exists";
      const now = new Date().toISOString();
      await this.db.writeNow([
        {
          sql: `INSERT INTO sites (id, name, time_zone, kinds, fallback_email, security_email, max_stay_minutes,
                  opening_hours, early_arrival_minutes, max_visit_days, language, agent_username, agent_password_hash,
                  created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          args: [
            s.id,
            s.name,
            s.timeZone,
            JSON.stringify(s.kinds),
            s.fallbackEmail ?? null,
            s.securityEmail ?? null,
            s.maxStayMinutes ?? 480,
            s.openingHours ? JSON.stringify(s.openingHours) : null,
            s.earlyArrivalMinutes ?? 0,
            s.maxVisitDays ?? 366,
            s.language ?? "en",
            agentUsername(s.id),
            passwordHash,
            now,
          ],
        },
        auditStatement({
          actor,
          action: "site.create",
          entity: "site",
          entityId: s.id,
          site: s.id,
          after: s,
          at: now,
        }),
      ]);
      return (await this.get(s.id))!;
    });
  }

  /** Changes a site's settings; the audit keeps the settings before and after. */
  async update(id: string, change: SiteSettings, actor: Actor): Promise<Site | undefined> {
    return this.db.exclusive(async () => {
      const before = await this.get(id);
      if (!before) return undefined;
      const next = { ...before };
      for (const [k, v] of Object.entries(change)) if (v !== undefined) Object.assign(next, { [k]: v });
      const now = new Date().toISOString();
      await this.db.writeNow([
        {
          sql: `UPDATE sites SET name = ?, time_zone = ?, kinds = ?, fallback_email = ?, security_email = ?,
                  max_stay_minutes = ?, opening_hours = ?, early_arrival_minutes = ?, max_visit_days = ?,
                  language = ?
                WHERE id = ?`,
          args: [
            next.name,
            next.timeZone,
            JSON.stringify(next.kinds),
            next.fallbackEmail,
            next.securityEmail,
            next.maxStayMinutes,
            next.openingHours ? JSON.stringify(next.openingHours) : null,
            next.earlyArrivalMinutes,
            next.maxVisitDays,
            next.language,
            id,
          ],
        },
        auditStatement({
          actor,
          action: "site.update",
          entity: "site",
          entityId: id,
          site: id,
          before: settingsOf(before),
          after: settingsOf(next),
          at: now,
        }),
      ]);
      return next;
    });
  }

  async get(id: string): Promise<Site | undefined> {
    const r = await this.db.read("SELECT * FROM sites WHERE id = ?", [id]);
    return r.rows[0] ? toSite(r.rows[0]) : undefined;
  }

  async list(): Promise<Site[]> {
    return (await this.db.read("SELECT * FROM sites ORDER BY id")).rows.map(toSite);
  }

  /**
   * An agent login by username: the site's current one, or the one before a rotation while it is still good.
   * `current` says which, so that a login with the new one retires the old.
   */
  async agentLogin(
    username: string,
    now = new Date(),
  ): Promise<{ site: string; hash: string; current: boolean } | undefined> {
    const r = await this.db.read(
      `SELECT id, agent_username, agent_password_hash, previous_agent_password_hash FROM sites
        WHERE agent_username = ?1 OR (previous_agent_username = ?1 AND previous_agent_valid_until > ?2)`,
      [username, now.toISOString()],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    const current = String(row.agent_username) === username;
    return {
      site: String(row.id),
      hash: String(current ? row.agent_password_hash : row.previous_agent_password_hash),
      current,
    };
  }

  /** The username the site's agent gets at its next rotation, and that rotation's number. */
  async nextAgentLogin(id: string): Promise<{ generation: number; username: string } | undefined> {
    const r = await this.db.read("SELECT agent_generation FROM sites WHERE id = ?", [id]);
    if (!r.rows[0]) return undefined;
    const generation = Number(r.rows[0].agent_generation) + 1;
    return { generation, username: agentUsername(id, generation) };
  }

  /**
   * Makes `next` (from `nextAgentLogin`) the site's agent login; the current one stays good until `graceUntil`
   * or until the agent logs in with the new one. "conflict" when another rotation came first. A login rotated
   * before and still in its grace is retired: its username comes back as `retired`.
   */
  async rotateAgentLogin(
    id: string,
    next: { generation: number; username: string },
    password: string,
    graceUntil: string,
    actor: Actor,
  ): Promise<{ previous: string; retired: string | null } | "conflict"> {
    const hash = await hashPassword(password);
    return this.db.exclusive(async () => {
      const r = await this.db.read(
        "SELECT agent_generation, agent_username, agent_password_hash, previous_agent_username FROM sites WHERE id = ?",
        [id],
      );
      const row = r.rows[0];
      if (!row || Number(row.agent_generation) !== next.generation - 1) return "conflict";
      const previous = String(row.agent_username);
      const now = new Date().toISOString();
      await this.db.writeNow([
        {
          sql: `UPDATE sites SET agent_generation = ?, agent_username = ?, agent_password_hash = ?,
                  previous_agent_username = ?, previous_agent_password_hash = ?, previous_agent_valid_until = ?
                WHERE id = ?`,
          args: [
            next.generation,
            next.username,
            hash,
            previous,
            String(row.agent_password_hash),
            graceUntil,
            id,
          ],
        },
        auditStatement({
          actor,
          action: "site.rotate_agent_login",
          entity: "site",
          entityId: id,
          site: id,
          before: { agentUsername: previous },
          after: { agentUsername: next.username, previousValidUntil: graceUntil },
          at: now,
        }),
      ]);
      return {
        previous,
        retired: row.previous_agent_username === null ? null : String(row.previous_agent_username),
      };
    });
  }

  /**
   * Ends a site's previous agent login; with `inUse`, only when that is the site's current login (the agent
   * logged in with, or reported, the new one). The retired username, or null when nothing was retired.
   */
  async retirePreviousAgentLogin(site: string, inUse?: string): Promise<string | null> {
    // Asked at every agent login and status: mostly there is nothing to retire, and one read says so.
    const r = await this.db.read("SELECT agent_username, previous_agent_username FROM sites WHERE id = ?", [
      site,
    ]);
    const row = r.rows[0];
    if (!row || row.previous_agent_username === null) return null;
    if (inUse !== undefined && String(row.agent_username) !== inUse) return null;
    const previous = String(row.previous_agent_username);
    // Only if nothing changed since the read: a rotation in between keeps its own previous login.
    const w = await this.db.write([
      {
        sql: `UPDATE sites SET previous_agent_username = NULL, previous_agent_password_hash = NULL,
                previous_agent_valid_until = NULL
              WHERE id = ? AND previous_agent_username = ? AND agent_username = ?`,
        args: [site, previous, String(row.agent_username)],
      },
    ]);
    return w[0]!.rowsAffected > 0 ? previous : null;
  }

  /** Previous agent logins whose grace has ended: (site, username) to retire. */
  async expiredAgentLogins(now = new Date()): Promise<Array<{ site: string; username: string }>> {
    const r = await this.db.read(
      "SELECT id, previous_agent_username FROM sites WHERE previous_agent_valid_until <= ?",
      [now.toISOString()],
    );
    return r.rows.map((row) => ({ site: String(row.id), username: String(row.previous_agent_username) }));
  }

  async recordStatus(site: string, status: AgentStatus): Promise<void> {
    await this.db.write([
      {
        sql: "UPDATE sites SET agent_state = ?, agent_status = ?, agent_seen_at = ? WHERE id = ?",
        args: [status.state, JSON.stringify(status), new Date().toISOString(), site],
      },
    ]);
  }

  /** Sites whose agent has reported a status, and whether it said online. */
  async agentStates(): Promise<Array<{ site: string; online: boolean }>> {
    const r = await this.db.read("SELECT id, agent_state FROM sites WHERE agent_state IS NOT NULL");
    return r.rows.map((row) => ({ site: String(row.id), online: row.agent_state === "online" }));
  }

  /** Every site's commands not answered yet (none is a zero), for the metrics. */
  async allQueueStats(): Promise<Array<{ site: string; pending: number; oldestPendingAt: string | null }>> {
    const r = await this.db.read(
      `SELECT s.id AS site, count(c.id) AS n, min(c.created_at) AS oldest FROM sites s
         LEFT JOIN commands c ON c.site_id = s.id AND c.status IN ('pending', 'received')
        GROUP BY s.id`,
    );
    return r.rows.map((row) => ({ site: String(row.site), ...queueOf(row) }));
  }

  async queueStats(site: string): Promise<{ pending: number; oldestPendingAt: string | null }> {
    const r = await this.db.read(
      "SELECT count(*) AS n, min(created_at) AS oldest FROM commands WHERE site_id = ? AND status IN ('pending', 'received')",
      [site],
    );
    return queueOf(r.rows[0]!);
  }
}

const queueOf = (row: Row) => ({
  pending: Number(row.n),
  oldestPendingAt: row.oldest === null ? null : String(row.oldest),
});
