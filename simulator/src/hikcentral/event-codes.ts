/** Artemis access event codes (shared/hikcentral-openapi.md §5) the simulator produces. */
export const EVENT = {
  grantedByFace: 196893,
  grantedByCard: 198914,
  grantedByFingerprint: 197127,
  deniedByFace: 197151,
  deniedByFingerprint: 197128,
  cardExpired: 197633,
  cardNotFound: 197634,
  noAccessLevel: 197635,
  invalidTimePeriod: 197384,
} as const;

export type VerifyMode = "face" | "card" | "qr" | "fingerprint";

export function grantedCode(mode: VerifyMode): number {
  if (mode === "face") return EVENT.grantedByFace;
  if (mode === "fingerprint") return EVENT.grantedByFingerprint;
  return EVENT.grantedByCard; // QR codes are reported as cards
}

export function eventName(code: number): string {
  const names: Record<number, string> = {
    [EVENT.grantedByFace]: "acs.acs.eventType.successFace",
    [EVENT.grantedByCard]: "acs.acs.eventType.successCard",
    [EVENT.grantedByFingerprint]: "acs.acs.eventType.successFingerprint",
    [EVENT.deniedByFace]: "acs.acs.eventType.failedFace",
    [EVENT.deniedByFingerprint]: "acs.acs.eventType.failedFingerprint",
    [EVENT.cardExpired]: "acs.acs.eventType.cardExpired",
    [EVENT.cardNotFound]: "acs.acs.eventType.wrongNoSuchCard",
    [EVENT.noAccessLevel]: "acs.acs.eventType.noAccessLevel",
    [EVENT.invalidTimePeriod]: "acs.acs.eventType.invalidTimePeriod",
  };
  return names[code] ?? `acs.acs.eventType.${code}`;
}
