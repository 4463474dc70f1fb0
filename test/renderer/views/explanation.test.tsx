// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Explanation } from '../../../renderer/src/views/explain/explanation';
import { EXPLAINED_TYPES, MESSAGE_EXPLANATIONS, explainMessage } from '../../../renderer/src/i18n/message-explanations';
import { I18nProvider } from '../../../renderer/src/i18n/i18n-context';
import { LanguageSwitch } from '../../../renderer/src/i18n/language-switch';
import { detectLanguage } from '../../../renderer/src/i18n/language';
import { UI_STRINGS } from '../../../renderer/src/i18n/ui-strings';

afterEach(cleanup);

/** Every message type of ../shared/contracts/analysis-json.md ("type is one of: ..."). */
const CONTRACT_TYPES = [
  'hello_request', 'client_hello', 'server_hello', 'hello_retry_request', 'hello_verify_request', 'new_session_ticket',
  'end_of_early_data', 'encrypted_extensions', 'certificate', 'server_key_exchange', 'certificate_request',
  'server_hello_done', 'certificate_verify', 'client_key_exchange', 'finished', 'certificate_status', 'key_update',
  'message_hash', 'encrypted_handshake', 'change_cipher_spec', 'alert', 'application_data', 'heartbeat',
  'connect_request', 'connect_response',
];
const HAN = /[\u4e00-\u9fff]/;

describe('message explanations', () => {
  it('explain every message type of the contract in English and 简体中文', () => {
    for (const type of CONTRACT_TYPES) {
      const en = explainMessage(type, 'en');
      const zh = explainMessage(type, 'zh-CN');
      expect(en, type).not.toBeNull();
      expect(zh, type).not.toBeNull();
      expect(en!.text.length, type).toBeGreaterThan(60);
      expect(HAN.test(en!.text), `${type} en`).toBe(false);
      expect(HAN.test(zh!.text), `${type} zh`).toBe(true);
      expect(zh!.title).toBe(en!.title);
    }
    expect(new Set(EXPLAINED_TYPES).size).toBe(Object.keys(MESSAGE_EXPLANATIONS).length);
  });

  it('render in the language of the provider, and switch when the user picks another', () => {
    render(
      <I18nProvider choice="en">
        <LanguageSwitch />
        <Explanation type="server_key_exchange" />
      </I18nProvider>,
    );
    expect(screen.getByRole('heading').textContent).toBe('Server Key Exchange');
    expect(screen.getByText(/forward secrecy/)).toBeTruthy();
    act(() => {
      fireEvent.change(screen.getByRole('combobox'), { target: { value: 'zh-CN' } });
    });
    expect(screen.getByText(/前向保密/)).toBeTruthy();
    expect(document.documentElement.lang).toBe('zh-CN');
  });

  it('say plainly when a type is not described (unknown_<n>) instead of rendering nothing', () => {
    render(<Explanation type="unknown_99" lang="zh-CN" />);
    expect(screen.getByText('本版本未说明的握手消息类型。')).toBeTruthy();
  });
});

describe('language', () => {
  it('follows the OS: any Chinese tag gives 简体中文, anything else English', () => {
    expect(detectLanguage(['zh-CN', 'en-US'])).toBe('zh-CN');
    expect(detectLanguage(['zh-Hans-CN'])).toBe('zh-CN');
    expect(detectLanguage(['en-GB', 'zh-CN'])).toBe('en');
    expect(detectLanguage(['de-DE', 'zh-TW'])).toBe('zh-CN');
    expect(detectLanguage(['fr-FR'])).toBe('en');
    expect(detectLanguage([])).toBe('en');
  });

  it('has every UI string in both languages', () => {
    const keys = Object.keys(UI_STRINGS.en);
    expect(Object.keys(UI_STRINGS['zh-CN']).sort()).toEqual([...keys].sort());
    for (const k of keys) expect(UI_STRINGS['zh-CN'][k as keyof typeof UI_STRINGS.en].length, k).toBeGreaterThan(0);
  });
});
