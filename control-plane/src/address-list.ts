import { BlockList, isIP } from "node:net";

/** A list of addresses and CIDR ranges (`10.0.0.0/8`, `::1`); throws naming the entry that is neither. */
export function addressList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const [address, bits] = raw.trim().split("/");
    const type = isIP(address ?? "");
    if (!address || type === 0) throw new Error(`'${raw}' is not an IP address or CIDR range`);
    const family = type === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, family);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 4 ? 32 : 128))
        throw new Error(`'${raw}' has a prefix length that is not 0-${type === 4 ? 32 : 128}`);
      list.addSubnet(address, prefix, family);
    }
  }
  return list;
}

export function contains(list: BlockList, address: string): boolean {
  const type = isIP(address);
  return type !== 0 && list.check(address, type === 4 ? "ipv4" : "ipv6");
}
