import { isIP, Socket } from "node:net";
import { type PeerCertificate, connect as tlsConnect } from "node:tls";

/** Whether a TCP connection to host:port opens within `timeoutMs`. */
export function tcpCheck(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    s.once("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
    s.connect(port, host, () => {
      clearTimeout(t);
      s.end();
      resolve();
    });
  });
}

/** The certificate a TLS server shows, whether this box trusts it (with `ca`), and why not. */
export function peerCertificate(host: string, port: number, ca: string | undefined) {
  return new Promise<{ cert: PeerCertificate; authorized: boolean; error: string | undefined }>(
    (resolve, reject) => {
      const s = tlsConnect({
        host,
        port,
        servername: isIP(host) ? undefined : host,
        rejectUnauthorized: false,
        ...(ca ? { ca } : {}),
      });
      s.setTimeout(5000, () => {
        s.destroy();
        reject(new Error("TLS handshake timed out"));
      });
      s.once("secureConnect", () => {
        const cert = s.getPeerCertificate();
        resolve({
          cert,
          authorized: s.authorized,
          error: s.authorizationError ? String(s.authorizationError) : undefined,
        });
        s.end();
      });
      s.once("error", reject);
    },
  );
}
