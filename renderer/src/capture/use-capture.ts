/**
 * The live capture's state for the toolbar and the status bar: the
 * interfaces, the chosen one and the filter, and the status the engine pushes
 * as `captureStats`. Sessions need nothing here: while a capture runs it is
 * the open capture, and its sessions arrive through `sessionsChanged`.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CaptureInterfaceDto, CaptureStatus } from '../../../electron/api/contract';
import type { ApiClient } from '../api/api-client';

export const DEFAULT_FILTER = 'tcp';

export interface CaptureState {
  interfaces: CaptureInterfaceDto[];
  /** Why there are none to choose from (capture not built, no permission to list), or null. */
  unavailable: string | null;
  iface: string;
  setIface(name: string): void;
  filter: string;
  setFilter(text: string): void;
  status: CaptureStatus | null;
  busy: boolean;
  start(): void;
  stop(): void;
}

/** An interface worth offering first: up, not loopback, with an address; else the first listed. */
function preferred(list: readonly CaptureInterfaceDto[]): string {
  const good = list.find((i) => i.up !== false && !i.loopback && i.addresses.length > 0);
  return (good ?? list[0])?.name ?? '';
}

/** `confirmReplace`: false when the person keeps the open unsaved recording (a new capture would replace it). */
export function useCapture(api: ApiClient, onError: (message: string) => void, confirmReplace: () => boolean = () => true): CaptureState {
  const [interfaces, setInterfaces] = useState<CaptureInterfaceDto[]>([]);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [iface, setIface] = useState('');
  const [filter, setFilter] = useState(DEFAULT_FILTER);
  const [status, setStatus] = useState<CaptureStatus | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.listInterfaces().then(
      (list) => {
        if (!live) return;
        setInterfaces(list);
        setIface((cur) => cur || preferred(list));
      },
      (e: Error) => live && setUnavailable(e.message),
    );
    const off = api.on('captureStats', (s) => {
      setStatus(s);
      // Another window (or a reconnect) started one: show what runs.
      if (s.running && s.interface) setIface(s.interface);
    });
    return () => {
      live = false;
      off();
    };
  }, [api]);

  const start = useCallback(() => {
    if (!iface || !confirmReplace()) return;
    setBusy(true);
    api.startCapture({ interface: iface, filter }).then(setStatus, (e: Error) => onError(e.message)).finally(() => setBusy(false));
  }, [api, iface, filter, onError, confirmReplace]);

  const stop = useCallback(() => {
    setBusy(true);
    api.stopCapture().then(setStatus, (e: Error) => onError(e.message)).finally(() => setBusy(false));
  }, [api, onError]);

  return { interfaces, unavailable, iface, setIface, filter, setFilter, status, busy, start, stop };
}
