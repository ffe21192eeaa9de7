/** The panel's look (inline styles: the panel brings no stylesheet into OHIF) and its buttons. */
import { h } from './dom';

export const STYLE = {
  panel: 'display:flex;flex-direction:column;gap:10px;padding:10px;color:#d8e1ea;font-size:13px;',
  section: 'display:flex;flex-direction:column;gap:6px;border-bottom:1px solid #2b3a4a;padding-bottom:8px;',
  title: 'font-weight:600;color:#5acce6;',
  row: 'display:flex;gap:6px;align-items:center;flex-wrap:wrap;',
  button:
    'background:#163047;color:#e6f2ff;border:1px solid #35506b;border-radius:4px;padding:4px 8px;cursor:pointer;',
  primary:
    'background:#0f5f8f;color:#fff;border:1px solid #2b8bc6;border-radius:4px;padding:4px 10px;cursor:pointer;',
  error: 'color:#ff8a8a;white-space:pre-wrap;word-break:break-word;',
  note: 'color:#9fb3c8;',
  badge: 'background:#8a2be2;color:#fff;border-radius:3px;padding:1px 6px;font-weight:700;',
  input: 'background:#0b1a29;color:#e6f2ff;border:1px solid #35506b;border-radius:3px;padding:2px 4px;',
  warning: 'color:#f0c060;',
  track: 'height:8px;background:#0b1a29;border-radius:4px;overflow:hidden;',
};

export interface ButtonOptions {
  readonly disabled?: boolean;
  readonly primary?: boolean;
  /** Why a disabled button cannot be used (its tooltip). */
  readonly why?: string;
}

/** A button with a data-cy id; a button that cannot be used says why on hover. */
export function button(cy: string, label: string, onClick: () => unknown, opts: ButtonOptions = {}) {
  return h(
    'button',
    {
      'data-cy': cy,
      type: 'button',
      style: opts.primary ? STYLE.primary : STYLE.button,
      disabled: opts.disabled,
      title: opts.disabled ? opts.why : undefined,
      onclick: () => void onClick(),
    },
    label,
  );
}
