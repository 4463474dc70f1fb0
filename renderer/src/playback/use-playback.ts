/**
 * Playback state and its clock: `position` is the step that has arrived last
 * (null: not playing back, the whole timeline shows), `playing` whether the
 * clock runs. The clock is one timer to the next arrival at the recorded pace
 * times the speed; stepping pauses it. Every arrival calls `onArrive` with the
 * message index, so the detail and explanation panes follow.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { delayToNext, type PlaybackSpeed, type PlaybackStep } from './playback-steps';

export interface Playback {
  position: number | null;
  playing: boolean;
  speed: PlaybackSpeed;
  stepCount: number;
  /** Index of the last message that has arrived (null: everything shows). */
  arrivedThrough: number | null;
  toggle(): void;
  play(): void;
  pause(): void;
  forward(): void;
  back(): void;
  /** Leave playback: the whole timeline shows again. */
  stop(): void;
  setSpeed(speed: PlaybackSpeed): void;
}

export function usePlayback(steps: readonly PlaybackStep[], onArrive: (messageIndex: number) => void): Playback {
  const [position, setPosition] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<PlaybackSpeed>(1);
  const arrive = useRef(onArrive);
  arrive.current = onArrive;
  const last = steps.length - 1;

  // Another session (other steps): start over, showing everything.
  useEffect(() => {
    setPosition(null);
    setPlaying(false);
  }, [steps]);

  const moveTo = useCallback(
    (p: number) => {
      setPosition(p);
      const step = steps[p];
      if (step) arrive.current(step.first);
    },
    [steps],
  );

  useEffect(() => {
    if (!playing || position === null) return;
    if (position >= last) {
      setPlaying(false);
      return;
    }
    const timer = setTimeout(() => moveTo(position + 1), delayToNext(steps, position, speed));
    return () => clearTimeout(timer);
  }, [playing, position, speed, steps, last, moveTo]);

  const play = useCallback(() => {
    if (steps.length === 0) return;
    // From the start when not yet playing back or already at the end.
    if (position === null || position >= last) moveTo(0);
    setPlaying(true);
  }, [steps, position, last, moveTo]);

  const pause = useCallback(() => setPlaying(false), []);
  const toggle = useCallback(() => (playing ? pause() : play()), [playing, pause, play]);
  const forward = useCallback(() => {
    if (steps.length === 0) return;
    setPlaying(false);
    moveTo(position === null ? 0 : Math.min(last, position + 1));
  }, [steps, position, last, moveTo]);
  const back = useCallback(() => {
    if (steps.length === 0) return;
    setPlaying(false);
    moveTo(position === null ? 0 : Math.max(0, position - 1));
  }, [steps, position, moveTo]);
  const stop = useCallback(() => {
    setPlaying(false);
    setPosition(null);
  }, []);

  const arrivedThrough = position === null ? null : (steps[position]?.last ?? null);
  return { position, playing, speed, stepCount: steps.length, arrivedThrough, toggle, play, pause, forward, back, stop, setSpeed };
}
