import {
  generateSigningKeyPem,
  parsePublicKeys,
  signerFromPem,
  verifyCommandSignature,
} from "@gatehouse/shared";
import type { BenchResult } from "./results.js";

/**
 * What signing costs per command: sign at the control plane plus verify at the agent, against the
 * JSON encode + decode every command pays anyway (the baseline), for a grant-sized envelope.
 */
export function commandSigning(n: number): BenchResult[] {
  const signer = signerFromPem(generateSigningKeyPem());
  const keys = parsePublicKeys(signer.text);
  const grant = {
    id: "7f0e0a52-3a55-4bd4-9d7e-0f2c0d1e5b11",
    site: "north-campus",
    seq: 12345,
    issuedAt: "2026-11-23T09:00:00+05:00",
    expiresAt: "2026-11-24T09:00:00+05:00",
    type: "grant",
    payload: {
      visitId: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
      personCode: "GH0B1C2D3E4F50",
      person: { givenName: "Ada", familyName: "Lovelace", email: "ada@example.edu" },
      kind: "guest",
      accessGroups: ["Visitors"],
      validFrom: "2026-11-23T09:00:00+05:00",
      validUntil: "2026-11-23T18:00:00+05:00",
    },
  };
  const time = (work: () => void) => {
    for (let i = 0; i < Math.min(1000, n); i++) work(); // warm up
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) work();
    return Number(process.hrtime.bigint() - start) / 1000 / n; // µs per command
  };
  const baseline = time(() => JSON.parse(JSON.stringify(grant)));
  const signed = time(() => {
    const wire = JSON.stringify(signer.sign(grant));
    if (!verifyCommandSignature(JSON.parse(wire), keys).ok) throw new Error("signature did not verify");
  });
  return [
    {
      name: "command_sign_and_verify (per grant envelope)",
      value: Math.round(signed * 10) / 10,
      unit: "µs",
      baseline: Math.round(baseline * 10) / 10,
      ratio: Math.round((signed / baseline) * 10) / 10,
      target: null,
      met: null,
    },
  ];
}
