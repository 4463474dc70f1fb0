import { LinkType } from '../electron/core/capture/packet';

/**
 * cap 0.2.1 names the handful of link types it knows and says
 * "Unknown linktype N" (the DLT_ number) for the rest. LINKTYPE_ numbers are
 * what pcapng files carry (tcpdump.org/linktypes.html); they equal the DLT_
 * numbers except where a platform's DLT differed (DLT_RAW is 12 or 14 on some
 * systems, LINKTYPE_RAW is 101).
 */
const BY_CAP_NAME: Readonly<Record<string, number>> = {
  NULL: LinkType.NULL,
  ETHERNET: LinkType.ETHERNET,
  IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: LinkType.LINUX_SLL,
  LINUX_SLL: LinkType.LINUX_SLL,
  LINUX_SLL2: LinkType.LINUX_SLL2,
  RAW: LinkType.RAW,
};

/** DLT_ numbers that differ from their LINKTYPE_ number (pcap-common.c's dlt_to_linktype). */
const DLT_TO_LINKTYPE: ReadonlyMap<number, number> = new Map([
  [12, LinkType.RAW], // DLT_RAW on Linux/most BSDs
  [14, LinkType.RAW], // DLT_RAW on OpenBSD
]);

/** The LINKTYPE_ number for a link type name cap returned, or null when it cannot say. */
export function linkTypeFromCapName(name: string): number | null {
  const known = BY_CAP_NAME[name];
  if (known !== undefined) return known;
  const unknown = /^Unknown linktype (\d+)$/.exec(name);
  if (!unknown) return null;
  const dlt = Number(unknown[1]);
  return DLT_TO_LINKTYPE.get(dlt) ?? dlt;
}
