/**
 * The playback controls above the timeline: back, play/pause, forward, the
 * speed (0.1×, 1×, 10× the recorded pace), where playback is, and "show all"
 * to leave it. `playbackKeys` gives the pane its keyboard: Space plays or
 * pauses, ← and → step by message.
 */
import type { KeyboardEvent } from 'react';
import { useCompareText } from '../compare/compare-strings';
import { PLAYBACK_SPEEDS, type PlaybackSpeed } from './playback-steps';
import type { Playback } from './use-playback';
import './playback.css';

export function PlaybackBar({ playback: p }: { playback: Playback }) {
  const t = useCompareText();
  const disabled = p.stepCount === 0;
  return (
    <div className="playback-bar" role="toolbar" aria-label={t('playback.keys')} title={t('playback.keys')} data-testid="playback-bar" data-playing={p.playing} data-position={p.position ?? ''}>
      <button type="button" className="btn" onClick={p.back} disabled={disabled} aria-label={t('playback.back')} title={`${t('playback.back')} (←)`} data-testid="playback-back">
        ‹
      </button>
      <button type="button" className="btn playback-play" onClick={p.toggle} disabled={disabled} title={`${t(p.playing ? 'playback.pause' : 'playback.play')} (Space)`} data-testid="playback-toggle">
        {p.playing ? t('playback.pause') : `▶ ${t('playback.play')}`}
      </button>
      <button type="button" className="btn" onClick={p.forward} disabled={disabled} aria-label={t('playback.forward')} title={`${t('playback.forward')} (→)`} data-testid="playback-forward">
        ›
      </button>
      <select aria-label={t('playback.speed')} value={String(p.speed)} onChange={(e) => p.setSpeed(Number(e.target.value) as PlaybackSpeed)} data-testid="playback-speed">
        {PLAYBACK_SPEEDS.map((s) => (
          <option key={s} value={String(s)}>
            {s}×
          </option>
        ))}
      </select>
      {p.position !== null && (
        <>
          <span className="playback-position" data-testid="playback-position">
            {t('playback.position', { at: p.position + 1, count: p.stepCount })}
          </span>
          <button type="button" className="btn" onClick={p.stop} data-testid="playback-stop">
            {t('playback.stop')}
          </button>
        </>
      )}
    </div>
  );
}

/**
 * Space: play/pause; ←/→: step. Keys typed into a field or a list are left
 * alone, and Space on a button is the button's own click.
 */
export function playbackKeys(p: Playback): (e: KeyboardEvent<HTMLElement>) => void {
  return (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement;
    const tag = target.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    if (e.key === ' ') {
      if (tag === 'BUTTON') return;
      e.preventDefault();
      p.toggle();
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      p.forward();
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      p.back();
    }
  };
}
