import { type BlockList, isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { contains } from "../address-list.js";

/** An IPv4 peer seen through an IPv6 socket (`::ffff:10.0.0.1`) is that IPv4 address. */
function plain(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

/**
 * Who is calling: the socket's peer, unless the peer is a trusted proxy — then the nearest address in
 * X-Forwarded-For that is not a trusted proxy (the right-most ones were added by our own proxies; anything
 * left of the first stranger was written by the client and proves nothing).
 */
export function clientAddress(c: Context, trustedProxies?: BlockList): string {
  let peer: string;
  try {
    peer = plain(getConnInfo(c).remote.address ?? "unknown");
  } catch {
    return "unknown"; // app.request() in tests has no socket
  }
  if (!trustedProxies || !contains(trustedProxies, peer)) return peer;
  const hops = (c.req.header("x-forwarded-for") ?? "")
    .split(",")
    .map((h) => plain(h.trim()))
    .filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) if (!contains(trustedProxies, hops[i]!)) return hops[i]!;
  return hops[0] ?? peer;
}
