import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type CommandSigner, generateSigningKeyPem, signerFromPem, type TrustedKey } from "@gatehouse/shared";

/**
 * The control plane's command keys on disk. `file` holds the key that signs; `file.next`, while a rotation
 * is staged, holds its successor, which agents are told to trust beside the current one. Promoting moves the
 * successor in and keeps the old key as `file.retired-<time>` (it signs nothing any more).
 */
export interface CommandKeys {
  signer: CommandSigner;
  /** Every key an agent should trust now: the signing key, and the staged next one if there is one. */
  trusted: TrustedKey[];
  /** `trusted` as the value of AGENT_COMMAND_PUBLIC_KEY. */
  agentSetting: string;
  created: boolean;
}

const nextFile = (file: string) => `${file}.next`;

function readOrCreate(file: string): { pem: string; created: boolean } {
  if (existsSync(file)) return { pem: readFileSync(file, "utf8"), created: false };
  mkdirSync(dirname(file), { recursive: true });
  const pem = generateSigningKeyPem();
  // wx: two instances starting at once must not each write a different key.
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
    return { pem, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST")
      return { pem: readFileSync(file, "utf8"), created: false };
    throw e;
  }
}

function parse(file: string, pem: string): CommandSigner {
  try {
    return signerFromPem(pem);
  } catch (e) {
    // The message names the file, never its contents.
    throw new Error(`${file} is not an Ed25519 private key in PEM (${(e as Error).message.split("\n")[0]})`);
  }
}

export function loadCommandKeys(file: string): CommandKeys {
  const { pem, created } = readOrCreate(file);
  const signer = parse(file, pem);
  const trusted: TrustedKey[] = [signer];
  if (existsSync(nextFile(file))) trusted.push(parse(nextFile(file), readFileSync(nextFile(file), "utf8")));
  return { signer, trusted, agentSetting: trusted.map((k) => k.text).join(","), created };
}

/** Stage a successor key (kept if one is staged already). */
export function stageNextKey(file: string): CommandKeys {
  loadCommandKeys(file);
  readOrCreate(nextFile(file));
  return loadCommandKeys(file);
}

/** Make the staged key the signing key. */
export function promoteNextKey(file: string, now = new Date()): { retired: string; keys: CommandKeys } {
  if (!existsSync(nextFile(file))) throw new Error(`no key is staged: run \`gatehouse keys stage\` first`);
  parse(nextFile(file), readFileSync(nextFile(file), "utf8"));
  const retired = `${file}.retired-${now.toISOString().replace(/[:.]/g, "-")}`;
  renameSync(file, retired);
  renameSync(nextFile(file), file);
  return { retired, keys: loadCommandKeys(file) };
}
