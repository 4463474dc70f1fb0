// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MessageDetails } from '../../../renderer/src/views/message/message-details';
import { deepestFieldAt, fieldAt } from '../../../renderer/src/views/message/field-paths';
import { HEX_ROW_BYTES } from '../../../renderer/src/views/message/hex-view';
import { loadFields } from './session-fixtures';

afterEach(cleanup);

/** Offsets of the highlighted bytes in the hex column. */
function highlighted(container: HTMLElement): number[] {
  return [...container.querySelectorAll<HTMLElement>('.tlswb-hex__bytes .tlswb-hex__byte--on')].map((e) => Number(e.dataset.offset));
}

/** A tree row's text without its ▸/▾ twisty. */
function label(el: HTMLElement): string {
  return (el.textContent ?? '').replace(/^[▸▾]/, '');
}

function treeRow(name: RegExp) {
  return screen.getAllByRole('treeitem').find((el) => name.test(label(el)));
}

describe('MessageDetails (tshark field tree of the https-connect ClientHello, frame 8)', () => {
  it('highlights the bytes of the field selected in the tree', () => {
    const { raw, fields } = loadFields('client-hello');
    const { container } = render(<MessageDetails fields={fields} raw={raw} />);
    fireEvent.click(treeRow(/^Cipher Suites \(86 suites\)/)!);
    const on = highlighted(container);
    // 86 suites x 2 bytes after the 4-byte header, version, random, session id and the length (tshark: pos 100 - 59 = 41).
    expect(on).toHaveLength(172);
    expect(on[0]).toBe(41);
    expect(on[171]).toBe(212);
    expect(container.querySelector('.tlswb-message__selection')?.textContent).toBe('Cipher Suites (86 suites): offset 41, 172 bytes');
    // the first suite is 0xc030 (TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)
    expect(container.querySelector('.tlswb-hex__bytes [data-offset="41"]')?.textContent).toBe('c0');
    expect(container.querySelector('.tlswb-hex__bytes [data-offset="42"]')?.textContent).toBe('30');
  });

  it('selects the deepest field containing a clicked byte and opens the branches above it', () => {
    const { raw, fields } = loadFields('client-hello');
    const onFieldSelect = vi.fn();
    const { container } = render(<MessageDetails fields={fields} raw={raw} onFieldSelect={onFieldSelect} />);
    expect(treeRow(/Supported Group: secp384r1/)).toBeUndefined();
    fireEvent.click(container.querySelector('.tlswb-hex__bytes [data-offset="236"]')!);
    const selected = screen.getByRole('treeitem', { selected: true });
    expect(label(selected)).toBe('Supported Group: secp384r1 (0x0018)');
    expect(selected.getAttribute('aria-level')).toBe('3');
    expect(highlighted(container)).toEqual([235, 236]);
    expect(onFieldSelect).toHaveBeenLastCalledWith('11.3.2', expect.objectContaining({ name: 'Supported Group', offset: 235, length: 2 }));
    // clicking the ASCII column works the same way: byte 6 is in the Random, whose deepest field is GMT Unix Time
    fireEvent.click(container.querySelector('.tlswb-hex__ascii [data-offset="6"]')!);
    expect(label(screen.getByRole('treeitem', { selected: true }))).toMatch(/^GMT Unix Time: /);
  });

  it('walks the tree with the keyboard: ↓ moves, → opens, ← closes', () => {
    const { raw, fields } = loadFields('client-hello');
    const { container } = render(<MessageDetails fields={fields} raw={raw} />);
    const tree = screen.getByRole('tree');
    fireEvent.click(treeRow(/^Version: /)!);
    fireEvent.keyDown(tree, { key: 'ArrowDown' });
    const random = screen.getByRole('treeitem', { selected: true });
    expect(label(random)).toMatch(/^Random: a3073873/);
    expect(random.getAttribute('aria-expanded')).toBe('false');
    fireEvent.keyDown(tree, { key: 'ArrowRight' });
    expect(screen.getByRole('treeitem', { selected: true }).getAttribute('aria-expanded')).toBe('true');
    fireEvent.keyDown(tree, { key: 'ArrowRight' });
    expect(label(screen.getByRole('treeitem', { selected: true }))).toMatch(/^GMT Unix Time/);
    expect(highlighted(container)).toEqual([6, 7, 8, 9]);
    fireEvent.keyDown(tree, { key: 'ArrowLeft' });
    fireEvent.keyDown(tree, { key: 'ArrowLeft' });
    expect(treeRow(/^GMT Unix Time/)).toBeUndefined();
  });

  it('renders only the rows in view of a 2.9 KB Certificate message, and scrolls to a field far down', () => {
    const { raw, fields } = loadFields('certificate');
    expect(raw.length).toBe(2915);
    const { container } = render(<MessageDetails fields={fields} raw={raw} />);
    const grid = screen.getByRole('grid');
    expect(grid.getAttribute('aria-rowcount')).toBe(String(Math.ceil(2915 / HEX_ROW_BYTES)));
    const rows = within(grid).getAllByRole('row');
    expect(rows.length).toBeLessThan(70);
    expect(container.querySelector('[data-offset="2914"]')).toBeNull();
    // The second certificate of the chain (tshark: "Certificate: 308204b1..."), bytes 1710.. of the message.
    fireEvent.click(treeRow(/^Certificates \(2908 bytes\)/)!.querySelector('.tlswb-fields__twisty')!);
    fireEvent.click(treeRow(/^Certificate: 308204b1/)!);
    expect(highlighted(container)[0]).toBe(1710);
    expect(container.querySelector('.tlswb-hex__bytes [data-offset="1710"]')?.textContent).toBe('30');
  });

  it('clamps a field that claims bytes beyond the message instead of failing', () => {
    const raw = new Uint8Array([1, 2, 3, 4]);
    const fields = [{ name: 'bogus', offset: 2, length: 1000 }, { name: 'outside', offset: 50, length: 2 }];
    const { container } = render(<MessageDetails fields={fields} raw={raw} />);
    fireEvent.click(treeRow(/^bogus/)!);
    expect(highlighted(container)).toEqual([2, 3]);
    fireEvent.click(treeRow(/^outside/)!);
    expect(highlighted(container)).toEqual([]);
  });
});

describe('field paths', () => {
  it('finds the narrowest, deepest field at an offset, and none outside every field', () => {
    const { fields } = loadFields('client-hello');
    const path = deepestFieldAt(fields, 41)!;
    expect(fieldAt(fields, path)).toMatchObject({ name: 'Cipher Suite', value: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030)', offset: 41, length: 2 });
    expect(deepestFieldAt(fields, 10_000)).toBeNull();
    expect(fieldAt(fields, '99.1')).toBeNull();
  });
});
