/** A short paragraph on what a message does and why, in the UI language (or the one given). */
import { useI18n } from '../../i18n/i18n-context';
import type { Lang } from '../../i18n/language';
import { explainMessage } from '../../i18n/message-explanations';
import { translate } from '../../i18n/ui-strings';
import type { ContractMessage } from '../../../../electron/api/contract';
import './explanation.css';

export interface ExplanationProps {
  type: ContractMessage['type'];
  /** Overrides the UI language (e.g. to show both side by side). */
  lang?: Lang;
}

export function Explanation({ type, lang }: ExplanationProps) {
  const i18n = useI18n();
  const useLang = lang ?? i18n.lang;
  const entry = explainMessage(type, useLang);
  return (
    <section className="tlswb-explanation" lang={useLang} aria-label={entry?.title ?? type}>
      <h3 className="tlswb-explanation__title">{entry?.title ?? type}</h3>
      <p className="tlswb-explanation__text">{entry?.text ?? translate(useLang, 'explain.unknown')}</p>
    </section>
  );
}
