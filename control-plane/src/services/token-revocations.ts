/**
 * Says that a token stopped being good (revoked, or expired): its live streams end and its MQTT connections
 * are closed, so a leaked token stops working within the second, not at its next login.
 */
export class TokenRevocations {
  private readonly listeners = new Set<(tokenId: string) => void>();

  on(f: (tokenId: string) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  revoked(tokenId: string): void {
    for (const f of this.listeners) f(tokenId);
  }
}
