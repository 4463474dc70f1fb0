import type { CaptureHandlers, CaptureInterface } from './capture-handlers';
import { CaptureDamageError } from './capture-errors';
import { MAX_INTERFACES } from './capture-limits';
import { CapturedPacket } from './captured-packet';

/**
 * An exception thrown by a handler, carried through the parsers untouched so
 * that the reader rethrows it instead of mistaking it for damage in the file.
 */
export class HandlerFailure {
  constructor(readonly cause: unknown) {}
}

/**
 * The one place that numbers frames and calls the handlers, shared by the
 * pcap and pcapng parsers so both number frames the way Wireshark does: 1, 2,
 * 3, ... over every packet record of the file.
 */
export class CaptureEmitter {
  /** Packet records delivered so far (= the last frame number). */
  packets = 0;
  readonly linkTypes: number[] = [];
  private readonly interfaceLinkTypes: number[] = [];
  /** Per interface: has a packet of it been seen (its link type counted). */
  private readonly interfaceUsed: boolean[] = [];
  private interfaceCount = 0;
  private readonly current = new CapturedPacket();

  constructor(private readonly handlers: CaptureHandlers) {}

  get wantsComments(): boolean {
    return this.handlers.onComment !== undefined;
  }

  /** Declares the next interface and returns its file-wide id. */
  addInterface(info: Omit<CaptureInterface, 'id'>): number {
    if (this.interfaceCount >= MAX_INTERFACES) {
      throw new CaptureDamageError(`more than ${MAX_INTERFACES} interface description blocks`);
    }
    const id = this.interfaceCount++;
    this.interfaceLinkTypes.push(info.linkType);
    this.interfaceUsed.push(false);
    try {
      this.handlers.onInterface?.({ id, ...info });
    } catch (cause) {
      throw new HandlerFailure(cause);
    }
    return id;
  }

  /** A packet whose captured bytes are `bytes[start, end)`; returns its frame number. */
  packet(
    interfaceId: number,
    linkType: number,
    timestampNs: bigint,
    bytes: Uint8Array,
    start: number,
    end: number,
    originalLength: number,
  ): number {
    const frame = ++this.packets;
    if (!this.interfaceUsed[interfaceId]) {
      this.interfaceUsed[interfaceId] = true;
      if (!this.linkTypes.includes(linkType)) this.linkTypes.push(linkType);
    }
    // One object for every packet (Packet's contract: only valid during the call).
    const p = this.current;
    p.frame = frame;
    p.interfaceId = interfaceId;
    p.linkType = linkType;
    p.timestampNs = timestampNs;
    p.setBytes(bytes, start, end);
    p.originalLength = originalLength;
    try {
      this.handlers.onPacket(p);
    } catch (cause) {
      throw new HandlerFailure(cause);
    }
    return frame;
  }

  /**
   * A record Wireshark numbers as a frame although it is no network packet
   * (custom block, systemd journal entry, sysdig event): it takes a frame
   * number, so that later packets keep tshark's numbers, but is not delivered.
   */
  nonPacketFrame(): void {
    this.packets++;
  }

  secrets(secretsType: number, data: Uint8Array): void {
    try {
      this.handlers.onSecrets?.(secretsType, data.slice());
    } catch (cause) {
      throw new HandlerFailure(cause);
    }
  }

  comment(text: string, frame: number | null): void {
    try {
      this.handlers.onComment?.(text, frame);
    } catch (cause) {
      throw new HandlerFailure(cause);
    }
  }

  /** Link types for the summary: of the packets, or of the interfaces when there were none. */
  summaryLinkTypes(): number[] {
    if (this.packets > 0) return [...this.linkTypes];
    return [...new Set(this.interfaceLinkTypes)];
  }
}
