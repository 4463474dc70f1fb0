/**
 * What playback walks through: the timeline's arrows in wire order (a run of
 * application data is one step, arriving with its first record), each at its
 * time since the session's first packet, and how long to wait between two
 * steps at a given speed. Pure, so the pacing is tested without timers.
 */
import { buildTimelineRows, type ArrowRow, type TimelineSession } from '../views/timeline/timeline-rows';

export interface PlaybackStep {
  /** Index of the first message the step stands for (what the detail panes show). */
  first: number;
  /** Index of the last message (a collapsed run), equal to `first` otherwise. */
  last: number;
  /** Milliseconds since the session's first packet. */
  atMs: number;
}

export const PLAYBACK_SPEEDS = [0.1, 1, 10] as const;
export type PlaybackSpeed = (typeof PLAYBACK_SPEEDS)[number];

export function playbackSteps(session: TimelineSession): PlaybackStep[] {
  return buildTimelineRows(session)
    .rows.filter((r): r is ArrowRow => r.kind === 'arrow')
    .map((r) => ({ first: r.first, last: r.last, atMs: r.atMs }));
}

/**
 * Real milliseconds between step `from` and the next at `speed` (0.1 = ten
 * times slower than recorded). Captures can hold out-of-order timestamps: a
 * negative gap waits nothing.
 */
export function delayToNext(steps: readonly PlaybackStep[], from: number, speed: PlaybackSpeed): number {
  const here = steps[from];
  const next = steps[from + 1];
  if (!here || !next) return 0;
  return Math.max(0, (next.atMs - here.atMs) / speed);
}

/** The step that holds message `index` (for following a selection made elsewhere). */
export function stepOfMessage(steps: readonly PlaybackStep[], index: number): number {
  return steps.findIndex((s) => index >= s.first && index <= s.last);
}
