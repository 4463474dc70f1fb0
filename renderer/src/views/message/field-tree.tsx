/**
 * The decoded fields of a message as a collapsible tree, one row a field:
 * "name: value". Only expanded branches are rendered. Keyboard as in a file
 * tree: ↑/↓ move, → expands (or enters), ← collapses (or goes to the parent),
 * Enter/Space toggles.
 */
import { useEffect, useId, useMemo, useRef } from 'react';
import type { KeyboardEvent } from 'react';
import type { FieldNode } from '../../../../electron/api/contract';
import type { FieldPath } from './field-paths';
import { childPath } from './field-paths';

export interface FieldTreeProps {
  fields: readonly FieldNode[];
  selected: FieldPath | null;
  expanded: ReadonlySet<FieldPath>;
  onSelect: (path: FieldPath) => void;
  onToggle: (path: FieldPath, open: boolean) => void;
  label: string;
}

interface VisibleRow {
  path: FieldPath;
  node: FieldNode;
  depth: number;
  parent: FieldPath | null;
}

/** The rows currently shown: every field whose ancestors are all expanded, in tree order. */
function visibleRows(fields: readonly FieldNode[], expanded: ReadonlySet<FieldPath>): VisibleRow[] {
  const out: VisibleRow[] = [];
  // Explicit stack instead of recursion: a hostile tree cannot overflow the call stack.
  const stack: { list: readonly FieldNode[]; i: number; parent: FieldPath | null; depth: number }[] = [{ list: fields, i: 0, parent: null, depth: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    const node = top.list[top.i];
    const path = childPath(top.parent, top.i);
    top.i++;
    out.push({ path, node, depth: top.depth, parent: top.parent });
    if (node.children && node.children.length > 0 && expanded.has(path)) {
      stack.push({ list: node.children, i: 0, parent: path, depth: top.depth + 1 });
    }
  }
  return out;
}

export function FieldTree({ fields, selected, expanded, onSelect, onToggle, label }: FieldTreeProps) {
  const rows = useMemo(() => visibleRows(fields, expanded), [fields, expanded]);
  const idPrefix = useId();
  const treeRef = useRef<HTMLDivElement>(null);
  const selectedRow = selected === null ? -1 : rows.findIndex((r) => r.path === selected);
  const activeId = selectedRow >= 0 ? `${idPrefix}-${rows[selectedRow].path}` : undefined;

  useEffect(() => {
    if (!activeId) return;
    const el = treeRef.current?.ownerDocument.getElementById(activeId);
    if (el && typeof el.scrollIntoView === 'function') el.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (rows.length === 0) return;
    const cur = selectedRow >= 0 ? rows[selectedRow] : null;
    const hasKids = cur ? (cur.node.children?.length ?? 0) > 0 : false;
    const open = cur ? expanded.has(cur.path) : false;
    switch (e.key) {
      case 'ArrowDown':
        onSelect(rows[Math.min(rows.length - 1, selectedRow + 1)].path);
        break;
      case 'ArrowUp':
        onSelect(rows[Math.max(0, selectedRow < 0 ? 0 : selectedRow - 1)].path);
        break;
      case 'ArrowRight':
        if (cur && hasKids && !open) onToggle(cur.path, true);
        else if (cur && hasKids) onSelect(childPath(cur.path, 0));
        break;
      case 'ArrowLeft':
        if (cur && hasKids && open) onToggle(cur.path, false);
        else if (cur && cur.parent !== null) onSelect(cur.parent);
        break;
      case 'Enter':
      case ' ':
        if (cur && hasKids) onToggle(cur.path, !open);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  return (
    <div ref={treeRef} className="tlswb-fields" role="tree" aria-label={label} tabIndex={0} aria-activedescendant={activeId} onKeyDown={onKeyDown}>
      {rows.map(({ path, node, depth }) => {
        const hasKids = (node.children?.length ?? 0) > 0;
        const open = hasKids && expanded.has(path);
        const isSel = path === selected;
        return (
          <div
            key={path}
            id={`${idPrefix}-${path}`}
            role="treeitem"
            aria-level={depth + 1}
            aria-selected={isSel}
            aria-expanded={hasKids ? open : undefined}
            data-path={path}
            className={`tlswb-fields__row${isSel ? ' tlswb-fields__row--selected' : ''}`}
            style={{ paddingLeft: 6 + depth * 14 }}
            onClick={() => onSelect(path)}
          >
            <span
              className={`tlswb-fields__twisty${hasKids ? '' : ' tlswb-fields__twisty--leaf'}`}
              onClick={(e) => {
                if (!hasKids) return;
                e.stopPropagation();
                onToggle(path, !open);
              }}
              aria-hidden="true"
            >
              {hasKids ? (open ? '▾' : '▸') : ''}
            </span>
            <span className="tlswb-fields__name">{node.name}</span>
            {node.value !== undefined && node.value !== '' && (
              <>
                <span className="tlswb-fields__colon">: </span>
                <span className="tlswb-fields__value">{node.value}</span>
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}
