export { simulatePassage } from "./control/passages.js";
export { EVENT } from "./hikcentral/event-codes.js";
export { stringToSign, verifySignature } from "./hikcentral/signature.js";
export { HikState } from "./hikcentral/state.js";
export { DigestGuard, expectedResponse, parseDigestHeader } from "./isapi/digest-guard.js";
export {
  SimTerminal,
  type SimTerminalEvent,
  type TerminalOptions,
  type TerminalUser,
} from "./isapi/terminal.js";
export { type Simulator, type SimulatorOptions, startSimulator } from "./server.js";
export { type SimCertificate, selfSignedCertificate } from "./tls.js";
