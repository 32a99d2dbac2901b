import { randomUUID } from "node:crypto";
import type { Incident } from "@gatehouse/shared";
import type { InStatement } from "@libsql/client";
import { incidentMail } from "../mail/templates.js";

/** What an incident's email needs of its site; `language` words it for the site's security staff. */
export interface IncidentSite {
  securityEmail: string | null;
  siteName: string;
  timeZone: string;
  language: string;
}

/**
 * The incident row and its email to the site's security contact, for the same batch as what revealed it.
 * Both are keyed by `dedupKey`, so the same finding is recorded and mailed once however often it is found.
 */
export function incidentStatements(i: Incident, dedupKey: string, site: IncidentSite): InStatement[] {
  const mail = incidentMail(i, site.siteName, site.timeZone, site.language);
  return [
    {
      sql: `INSERT INTO incidents (id, dedup_key, site_id, type, severity, visit_id, passage_id, guest_name, door_name,
              occurred_at, detected_at, message, params)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`,
      args: [
        i.id,
        dedupKey,
        i.site,
        i.type,
        i.severity,
        i.visitId,
        i.passageId,
        i.guestName,
        i.doorName,
        i.occurredAt,
        i.detectedAt,
        i.message,
        JSON.stringify(i.params),
      ],
    },
    {
      sql: `INSERT INTO mail_outbox (id, dedup_key, kind, recipient, subject, text_body, html_body, status,
              next_attempt_at, created_at)
            VALUES (?, ?, 'incident', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`,
      args: [
        randomUUID(),
        `incident:${dedupKey}`,
        site.securityEmail,
        mail.subject,
        mail.text,
        mail.html,
        site.securityEmail ? "pending" : "no_recipient",
        i.detectedAt,
        i.detectedAt,
      ],
    },
  ];
}
