import { randomUUID } from "node:crypto";

export interface SimPerson {
  personId: string;
  personCode: string;
  personFamilyName: string;
  personGivenName: string;
  gender: number;
  orgIndexCode: string;
  phoneNo?: string;
  email?: string;
  remark?: string;
  beginTime?: string;
  endTime?: string;
  picUri: string;
  /** Changes not yet downloaded to the terminals (cleared by reapplication). */
  pendingDownload: boolean;
  /** Per terminal (acsDevIndexCode): the result of the last download of this person. */
  downloads?: Map<string, { status: "0" | "1" | "2"; errorCode: string; readyAt: number }>;
}

export interface SimGroup {
  privilegeGroupId: string;
  privilegeGroupName: string;
  type: 1 | 2;
  description: string;
  doors: string[];
  members: Set<string>;
}

export interface SimDoor {
  doorIndexCode: string;
  doorName: string;
  acsDevIndexCode: string;
  /** Terminals are physically entry or exit; HCP reports it as inAndOutType 1 (in) / 0 (out). */
  direction: "entry" | "exit";
}

export interface SimEvent {
  eventId: string;
  eventType: number;
  happenTime: Date;
  receiveTime: Date;
  doorIndexCode: string;
  personId?: string;
  personCode?: string;
  personName?: string;
  cardNo?: string;
  inAndOutType: 1 | 0 | -1;
  picUri?: string;
  seq: number;
}

export interface SimSubscription {
  eventTypes: Set<number>;
  eventDest: string;
  token?: string;
}

export interface SimOrg {
  orgIndexCode: string;
  orgName: string;
  parentOrgIndexCode: string;
}

/** Everything HikCentral holds, in memory. Seeded like the university deployment the old system ran against. */
export class HikState {
  persons = new Map<string, SimPerson>();
  groups = new Map<string, SimGroup>();
  doors = new Map<string, SimDoor>();
  orgs: SimOrg[] = [
    { orgIndexCode: "1", orgName: "All Persons", parentOrgIndexCode: "" },
    { orgIndexCode: "65", orgName: "Visitor Management", parentOrgIndexCode: "1" },
  ];
  readonly events: SimEvent[] = [];
  /** The pictures events name, looked up on every download: a scan of `events` grew with every passage. */
  private readonly pictureUris = new Set<string>();
  subscriptions = new Map<number, SimSubscription>();
  private nextPersonId = 1;
  private nextSeq = 1;

  constructor() {
    const doors: SimDoor[] = [
      { doorIndexCode: "1", doorName: "Turnstile Entry", acsDevIndexCode: "1", direction: "entry" },
      { doorIndexCode: "2", doorName: "Turnstile Exit", acsDevIndexCode: "2", direction: "exit" },
      { doorIndexCode: "3", doorName: "Parking Entry", acsDevIndexCode: "3", direction: "entry" },
      { doorIndexCode: "4", doorName: "Parking Exit", acsDevIndexCode: "4", direction: "exit" },
    ];
    for (const d of doors) this.doors.set(d.doorIndexCode, d);
    const groups: Array<[string, string]> = [
      ["7", "Visitors"],
      ["8", "Students"],
      ["9", "Contractors"],
    ];
    for (const [id, name] of groups) {
      this.groups.set(id, {
        privilegeGroupId: id,
        privilegeGroupName: name,
        type: 1,
        description: `${name} (09:00-22:00)`,
        doors: ["1", "2"],
        members: new Set(),
      });
    }
  }

  allocatePersonId(): string {
    return String(this.nextPersonId++);
  }

  /** personCode → personId of the last lookup's answer; checked on use, since persons change in place. */
  private readonly byCode = new Map<string, string>();

  personByCode(code: string): SimPerson | undefined {
    const known = this.byCode.get(code);
    const hit = known === undefined ? undefined : this.persons.get(known);
    if (hit?.personCode === code) return hit;
    for (const p of this.persons.values())
      if (p.personCode === code) {
        this.byCode.set(code, p.personId);
        return p;
      }
    return undefined;
  }

  groupsOf(personId: string): SimGroup[] {
    return [...this.groups.values()].filter((g) => g.members.has(personId));
  }

  addEvent(e: Omit<SimEvent, "eventId" | "seq" | "receiveTime">): SimEvent {
    const event: SimEvent = {
      ...e,
      eventId: randomUUID().toUpperCase(),
      seq: this.nextSeq++,
      receiveTime: new Date(),
    };
    this.events.push(event);
    if (event.picUri) this.pictureUris.add(event.picUri);
    return event;
  }

  /** Whether an event names this picture. */
  hasPicture(uri: string): boolean {
    return this.pictureUris.has(uri);
  }
}

export const personName = (p: SimPerson) => `${p.personGivenName} ${p.personFamilyName}`.trim();
