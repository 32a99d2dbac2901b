import { describe, expect, it } from "vitest";
import { incidentMail } from "../adapters/mail/templates.js";
import { incidentSentence } from "./incident-words.js";
import { incidentsForPassage, overstay } from "./incidents.js";

const visit = {
  guestName: "Ann Lee",
  status: "active" as const,
  access: "granted" as const,
  endedAt: null,
  firstEntryAt: null,
};
const rules = { timeZone: "Asia/Almaty", openingHours: { from: "08:00", to: "18:00" }, maxStayMinutes: 480 };

describe("incidents as facts, worded per reader", () => {
  it("keeps each finding's facts, and its English sentence made from them", () => {
    const [exit] = incidentsForPassage(
      { direction: "exit", result: "granted", occurredAt: "2026-12-03T05:00:00Z", doorName: "Gate 2" },
      visit,
      rules,
    );
    expect(exit).toMatchObject({
      type: "exit_without_entry",
      params: { guest: "Ann Lee", door: "Gate 2" },
      message: "Ann Lee went out through Gate 2 with no entry before it (tailgating or a second way in?)",
    });
    const denied = incidentsForPassage(
      {
        direction: "entry",
        result: "denied",
        occurredAt: "2026-12-03T05:00:00Z",
        doorName: "Gate 1",
        reasonCode: "FACE_NOT_RECOGNISED",
      },
      visit,
      rules,
    );
    expect(denied[0]!.params).toEqual({ guest: "Ann Lee", door: "Gate 1", reason: "FACE_NOT_RECOGNISED" });
    const stay = overstay(
      { guestName: "Ann Lee", inside: true, since: "2026-12-03T00:00:00Z" },
      480,
      new Date("2026-12-03T09:30:00Z"),
    );
    expect(stay!.params).toEqual({ guest: "Ann Lee", hours: 9, minutes: 30, allowedHours: 8 });
    expect(incidentSentence("overstay", stay!.params, "ru")).toBe(
      "Ann Lee внутри уже 9 ч 30 мин (объект разрешает 8 ч)",
    );
  });

  it("writes the security email in the site's language, and an incident stored without facts in English", () => {
    const incident = {
      id: "i1",
      site: "north",
      type: "turnstile_alarm" as const,
      severity: "critical" as const,
      visitId: null,
      passageId: null,
      guestName: null,
      doorName: "Gate 1",
      occurredAt: "2026-12-03T05:00:00Z",
      detectedAt: "2026-12-03T05:00:01Z",
      params: { alarm: "forced_passage", door: "Gate 1" },
      message: "The turnstile was forced at Gate 1",
    };
    const ru = incidentMail(incident, "Северный кампус", "Asia/Almaty", "ru");
    expect(ru.subject).toBe("[КРИТИЧНО] Тревога турникета — Северный кампус");
    expect(ru.text).toContain("Турникет взломан: «Gate 1».");
    expect(ru.text).toContain("Когда: 2026-12-03 10:00 (UTC+05:00)");
    const en = incidentMail(incident, "North", "Asia/Almaty", "en");
    expect(en.subject).toBe("[CRITICAL] Turnstile alarm at North");
    // Stored before incidents carried their facts: the English message is all there is.
    const old = incidentMail({ ...incident, params: {} }, "Север", "Asia/Almaty", "ru");
    expect(old.text).toContain("The turnstile was forced at Gate 1.");
  });
});
