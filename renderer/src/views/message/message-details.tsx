/**
 * A message's decoded fields beside its raw bytes. Selecting a field
 * highlights its bytes; clicking a byte selects the deepest field that
 * contains it (and opens the branches above it), as in Wireshark.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FieldNode } from '../../../../electron/api/contract';
import { useI18n } from '../../i18n/i18n-context';
import type { FieldPath } from './field-paths';
import { ancestorPaths, deepestFieldAt, fieldAt } from './field-paths';
import { FieldTree } from './field-tree';
import { HexView } from './hex-view';
import './message-details.css';

export interface MessageDetailsProps {
  fields: readonly FieldNode[];
  /** The message's bytes; field offsets are relative to them. */
  raw: Uint8Array;
  /** Told when the selected field changes (e.g. to show its explanation). */
  onFieldSelect?: (path: FieldPath | null, field: FieldNode | null) => void;
}

const NO_EXPANDED: ReadonlySet<FieldPath> = new Set();

export function MessageDetails({ fields, raw, onFieldSelect }: MessageDetailsProps) {
  const { t } = useI18n();
  const [selected, setSelected] = useState<FieldPath | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<FieldPath>>(NO_EXPANDED);

  // A new message starts with nothing selected and every branch closed.
  useEffect(() => {
    setSelected(null);
    setExpanded(NO_EXPANDED);
  }, [fields, raw]);

  const field = useMemo(() => (selected === null ? null : fieldAt(fields, selected)), [fields, selected]);
  const highlight = useMemo(() => {
    if (!field || field.length <= 0) return null;
    // Clamp: a field that claims bytes beyond the message highlights only what exists.
    const offset = Math.max(0, Math.min(field.offset, raw.length));
    const end = Math.max(offset, Math.min(field.offset + field.length, raw.length));
    return end > offset ? { offset, length: end - offset } : null;
  }, [field, raw.length]);

  const select = useCallback(
    (path: FieldPath | null) => {
      setSelected(path);
      onFieldSelect?.(path, path === null ? null : fieldAt(fields, path));
    },
    [fields, onFieldSelect],
  );

  const onToggle = useCallback((path: FieldPath, open: boolean) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open) next.add(path);
      else next.delete(path);
      return next;
    });
  }, []);

  const onByteClick = useCallback(
    (offset: number) => {
      const path = deepestFieldAt(fields, offset);
      if (path === null) return;
      setExpanded((prev) => {
        const missing = ancestorPaths(path).filter((p) => !prev.has(p));
        if (missing.length === 0) return prev;
        const next = new Set(prev);
        for (const p of missing) next.add(p);
        return next;
      });
      select(path);
    },
    [fields, select],
  );

  return (
    <div className="tlswb-message-frame">
      <div className="tlswb-message">
        <div className="tlswb-message__pane tlswb-message__pane--fields">
          <div className="tlswb-message__heading">{t('message.fields')}</div>
          {fields.length === 0 ? (
            <p className="tlswb-message__empty">{t('message.noFields')}</p>
          ) : (
            <FieldTree fields={fields} selected={selected} expanded={expanded} onSelect={select} onToggle={onToggle} label={t('message.fields')} />
          )}
        </div>
        <div className="tlswb-message__pane tlswb-message__pane--bytes">
          <div className="tlswb-message__heading">
            {t('message.bytes')}
            <span className="tlswb-message__selection" aria-live="polite">
              {field && highlight ? t('message.selection', { name: field.name, offset: highlight.offset, length: highlight.length }) : `${raw.length} B`}
            </span>
          </div>
          {raw.length === 0 ? (
            <p className="tlswb-message__empty">{t('message.noBytes')}</p>
          ) : (
            <HexView bytes={raw} highlight={highlight} onByteClick={onByteClick} label={t('message.bytes')} />
          )}
        </div>
      </div>
    </div>
  );
}
