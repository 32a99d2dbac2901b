/**
 * HikCentral access event codes (shared/hikcentral-openapi.md §5) and what each means for a passage.
 * 197151 is a *denied* face: several public clients get that wrong.
 */
export interface AccessEventMeaning {
  result: "granted" | "denied";
  verifyMode: string;
  reasonCode?: string;
}

const granted = (verifyMode: string): AccessEventMeaning => ({ result: "granted", verifyMode });
const denied = (verifyMode: string, reasonCode: string): AccessEventMeaning => ({
  result: "denied",
  verifyMode,
  reasonCode,
});

export const ACCESS_EVENTS: Record<number, AccessEventMeaning> = {
  196893: granted("face"),
  198914: granted("card"),
  198915: granted("card+pin"),
  197127: granted("fingerprint"),
  196885: granted("card+fingerprint"),
  196886: granted("card+fingerprint+pin"),
  196887: granted("fingerprint+pin"),
  196888: granted("face+fingerprint"),
  196889: granted("face+pin"),
  196890: granted("face+card"),
  196891: granted("face+pin+fingerprint"),
  196892: granted("face+card+fingerprint"),
  197151: denied("face", "FACE_NOT_RECOGNISED"),
  197128: denied("fingerprint", "FINGERPRINT_NOT_RECOGNISED"),
  197160: denied("face", "FACE_NOT_RECOGNISED"),
  197161: denied("face", "LIVENESS_FAILED"),
  197633: denied("card", "EXPIRED"),
  197634: denied("card", "CARD_UNKNOWN"),
  197635: denied("unknown", "NO_ACCESS_LEVEL"),
  197377: denied("unknown", "NO_PERMISSION"),
  197384: denied("unknown", "OUTSIDE_VALIDITY"),
  197383: denied("unknown", "ANTI_PASSBACK"),
};

/** The codes the agent subscribes to. */
export const SUBSCRIBED_EVENT_TYPES = Object.keys(ACCESS_EVENTS).map(Number);
