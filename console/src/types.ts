// What the console reads of the API's JSON (the OpenAPI document at /openapi.json is the full description).

export type Role = "viewer" | "operator" | "admin";

export interface Me {
  name: string;
  role: Role;
}

export interface Command {
  id: string;
  seq: number;
  type: string;
  status: string;
  error: { code: string; message: string } | null;
  createdAt: string;
  sentAt: string | null;
  ackedAt: string | null;
}

export interface Notification {
  kind: string;
  recipient: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

export interface Visit {
  id: string;
  site: string;
  kind: string;
  personCode: string;
  guest: { name: string; email: string | null; phone: string | null; documentNumber: string | null };
  host: { name: string; email: string | null; language: string };
  validFrom: string;
  validUntil: string;
  note: string | null;
  status: string;
  access: "pending" | "granted" | "failed" | "revoked";
  accessError: string | null;
  inside: boolean;
  entryCount: number;
  exitCount: number;
  eventId: string | null;
  heldReason: string | null;
  endedAt: string | null;
  createdAt: string;
  updatedAt: string;
  commands?: Command[];
  notifications?: Notification[];
}

/** A passage as the console shows it, from the REST list or the live stream. */
export interface PassageRow {
  id: string;
  site: string;
  visitId: string | null;
  personCode: string | null;
  guestName: string | null;
  hostName: string | null;
  door: string;
  direction: "entry" | "exit" | "unknown";
  result: "granted" | "denied";
  reasonCode: string | null;
  /** How the person verified (face, card, …), when the terminal said. */
  verifyMode: string | null;
  occurredAt: string;
  /** The camera's picture is stored (it may also arrive later, as a `picture` event). */
  hasPicture: boolean;
}

export interface SourceHealth {
  name: string;
  state: "up" | "down" | "unknown";
  error?: string;
}

export interface AgentStatus {
  site: string;
  state: "online" | "offline";
  since: string;
  version?: string;
  queues?: { inbox: number; outbox: number };
  sources?: SourceHealth[];
}

export interface Site {
  id: string;
  name: string;
  timeZone: string;
  language: "en" | "ru";
  kinds: Record<string, { accessGroups: string[]; revokeOnExit: boolean }>;
  agent: { state: string; seenAt: string | null; status: AgentStatus | null };
  commands: { pending: number; oldestPendingAt: string | null };
}

export interface Occupancy {
  site: string;
  count: number;
  at: string;
  inside: Array<{
    visitId: string;
    guestName: string;
    hostName: string;
    since: string | null;
    /** A checked-out (or otherwise ended) visit whose guest has not passed an exit yet is still inside. */
    visitStatus: string;
    endedAt: string | null;
  }>;
}

export interface Incident {
  id: string;
  site: string;
  type: string;
  severity: "warning" | "critical";
  visitId: string | null;
  guestName: string | null;
  doorName: string | null;
  /** The facts the console words the incident from (the message is the server's English). */
  params: Record<string, string | number>;
  message: string;
  occurredAt: string;
}

export interface GroupEvent {
  id: string;
  site: string;
  name: string;
  kind: string;
  organizer: { name: string; email: string | null };
  startsAt: string;
  endsAt: string;
  capacity: number;
  registered: number;
  registrationDeadline: string;
  state: "open" | "closed";
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
