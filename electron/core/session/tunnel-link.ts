/**
 * Links the two legs of one proxy tunnel (client <-> proxy, proxy <-> server)
 * in a saved capture: the proxy writes a pcapng packet comment on the first
 * packet (the SYN) of each leg, and readers that see it put
 * `tunnel: {id, leg}` on the session of that connection. Wireshark shows the
 * comment as `frame.comment`; nothing else depends on it.
 */

/** `client`: the client's connection to the proxy; `upstream`: the proxy's connection onwards. */
export type TunnelLeg = 'client' | 'upstream';

export interface TunnelLink {
  id: number;
  leg: TunnelLeg;
}

const PREFIX = 'tlswb tunnel ';

export function tunnelComment(id: number, leg: TunnelLeg): string {
  return `${PREFIX}${id} ${leg} leg`;
}

/** The link a packet comment states, or null for any other comment. */
export function parseTunnelComment(text: string): TunnelLink | null {
  const m = /^tlswb tunnel (\d{1,9}) (client|upstream) leg$/.exec(text);
  if (!m) return null;
  return { id: Number(m[1]), leg: m[2] as TunnelLeg };
}
