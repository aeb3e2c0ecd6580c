import type { MessageKey } from './zh-CN';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** `t` over one dictionary: `{name}` placeholders take `params[name]`; an unknown placeholder stays as written. */
export function makeTranslate(dict: Record<MessageKey, string>): Translate {
  return (key, params) => {
    const template = dict[key] ?? key;
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };
}
