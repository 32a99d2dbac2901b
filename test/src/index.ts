export { AgentProcess } from "./agent-process.js";
export { agentPassage, seedAgentDatabase } from "./agent-seed.js";
export { ControlPlaneProcess } from "./control-plane-process.js";
export { FakeControlPlane } from "./fake-control-plane.js";
export { freePort } from "./ports.js";
export { type ReceivedMail, type SmtpSink, startSmtpSink } from "./smtp-sink.js";
export { type Stack, type StackOptions, startStack } from "./stack.js";
export { grantCommand, startStandaloneAgent } from "./standalone-agent.js";
export { eventually, tempDir } from "./support.js";
