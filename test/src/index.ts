export { type ReceivedMail, type SmtpSink, startSmtpSink } from "./smtp-sink.js";
export { type Stack, type StackOptions, startStack } from "./stack.js";
