import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  raw: string;
}

/** A real SMTP server on a free port that keeps what it receives (the demo's sink, the tests' host inbox). */
export async function startSmtpSink(
  opts: {
    port?: number;
    onMail?: (m: ReceivedMail) => void;
    /** Require this login, as a real relay does. */
    auth?: { user: string; pass: string };
  } = {},
) {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: !opts.auth,
    // Loopback only: no STARTTLS here, so allow the login in the clear.
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (!opts.auth || (auth.username === opts.auth.user && auth.password === opts.auth.pass))
        return callback(null, { user: auth.username ?? "anonymous" });
      callback(new Error("Invalid username or password"));
    },
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw)
          .then((parsed: ParsedMail) => {
            const mail: ReceivedMail = {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              html: typeof parsed.html === "string" ? parsed.html : "",
              messageId: parsed.messageId ?? "",
              raw,
            };
            mails.push(mail);
            opts.onMail?.(mail);
            callback();
          })
          .catch((e: Error) => callback(e));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: opts.auth
      ? `smtp://${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.pass)}@127.0.0.1:${port}`
      : `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;
