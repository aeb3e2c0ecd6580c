/**
 * Text analysis shared by both backends, so that "does this document match this term" has one answer:
 *
 * - Text is NFKC-folded (full-width Ａ１ → A1, like OpenSearch's cjk_width) and lower-cased.
 * - A run of Han characters is matched by substring. The PostgreSQL backend stores every 1- and 2-character
 *   piece of each run as a lexeme (trigrams cannot serve patterns shorter than 3, see STACK.md §2) and uses
 *   the trigram index for longer terms; OpenSearch gets the same text through cjk_bigram (phrase = substring)
 *   and a unigram sub-field. Substring semantics is what users expect from Chinese search boxes: 局 finds 财政局.
 * - A run of Latin letters/digits is matched as a whole word (invoice numbers, years, codes); both backends
 *   index the words computed here, so they split identically.
 * - jieba's cutForSearch tokens feed ranking only (a document where 财政局 is a word ranks above one where the
 *   characters merely touch), never the decision whether a document matches.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import { VOUCHER_KIND_NAMES, type VoucherKind } from '../../formats/voucher';
import { CATEGORY_NAMES, type Highlight, type QueryTerm, type SearchDocumentInput } from './search.types';

let jieba: Jieba | undefined;
/** The dictionary takes ~0.3 s to load: once per process, on first use. */
function segmenter(): Jieba {
  return (jieba ??= Jieba.withDict(dict));
}

const HAN = /\p{Script=Han}/u;
const RUNS = /(\p{Script=Han}+)|([\p{L}\p{N}]+)/gu;

export function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Han runs and word runs of already folded text, in order. */
function runs(folded: string): { han: boolean; text: string; index: number }[] {
  const out: { han: boolean; text: string; index: number }[] = [];
  for (const m of folded.matchAll(RUNS)) {
    if (m[1]) out.push({ han: true, text: m[1], index: m.index! });
    else {
      // A letter/digit run may still hold Han characters of another script class boundary; \p{L} includes Han,
      // so split it again on Han so that "发票2024" never forms one word.
      const parts = m[2].split(/(\p{Script=Han}+)/u).filter(Boolean);
      let at = m.index!;
      for (const p of parts) {
        out.push({ han: HAN.test(p), text: p, index: at });
        at += p.length;
      }
    }
  }
  return out;
}

/** The query text as terms; duplicates dropped. Empty when the text has no letters, digits or Han. */
export function queryTerms(text: string | undefined): QueryTerm[] {
  if (!text) return [];
  const seen = new Set<string>();
  const terms: QueryTerm[] = [];
  for (const r of runs(fold(text))) {
    const key = `${r.han ? 'c' : 'w'}:${r.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push({ type: r.han ? 'cjk' : 'word', text: r.text });
  }
  return terms;
}

/** jieba tokens of a query, for ranking: Han tokens and words, folded. */
export function rankTokens(text: string | undefined): string[] {
  if (!text) return [];
  const out = new Set<string>();
  for (const t of segmenter().cutForSearch(fold(text), true)) {
    if (/^(\p{Script=Han}+|[a-z0-9]+)$/u.test(t)) out.add(t);
  }
  return [...out];
}

/** What the indexer stores for one document besides its fields. */
export interface Analysed {
  /** Folded text of every searchable field, fields separated by newlines (a Han run never spans two fields). */
  haystack: string;
  /** Whole words (Latin letters/digits) of the haystack. */
  words: string[];
  /** Every Han character and every adjacent pair of each Han run (PostgreSQL lexemes for 1–2-character terms). */
  grams: string[];
  /** jieba cutForSearch tokens of the Han text (ranking). */
  jieba: string[];
}

export function haystackOf(doc: SearchDocumentInput): string {
  const kindName = doc.kind && doc.category === 'voucher' ? VOUCHER_KIND_NAMES[doc.kind as VoucherKind] : undefined;
  const parts = [
    doc.title,
    ...(doc.parties ?? []),
    doc.body ?? '',
    doc.archivalCode ?? '',
    doc.number ?? '',
    ...(doc.numbers ?? []),
    ...(doc.accounts ?? []),
    doc.date ?? (doc.year ? String(doc.year) : ''),
    kindName ?? '',
    CATEGORY_NAMES[doc.category] ?? '',
  ];
  return fold(parts.filter((p) => p && p.trim()).join('\n'));
}

export function analyse(doc: SearchDocumentInput): Analysed {
  const haystack = haystackOf(doc);
  const words = new Set<string>();
  const grams = new Set<string>();
  const hanText: string[] = [];
  for (const r of runs(haystack)) {
    if (!r.han) {
      words.add(r.text);
      continue;
    }
    hanText.push(r.text);
    const chars = [...r.text];
    for (let i = 0; i < chars.length; i++) {
      grams.add(chars[i]);
      if (i + 1 < chars.length) grams.add(chars[i] + chars[i + 1]);
    }
  }
  const jiebaTokens = new Set<string>();
  if (hanText.length) {
    for (const t of segmenter().cutForSearch(hanText.join(' '), true)) if (/^\p{Script=Han}+$/u.test(t)) jiebaTokens.add(t);
  }
  return { haystack, words: [...words], grams: [...grams], jieba: [...jiebaTokens] };
}

/** PostgreSQL tsvector lexemes: words, grams and jieba tokens (only letters, digits and Han: safe to quote). */
export function lexemes(a: Analysed): string[] {
  return [...new Set([...a.words, ...a.grams, ...a.jieba])];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Marks the terms in one field's text: Han terms wherever they occur, words only as whole words. Ranges are
 * found on the folded text; NFKC can change lengths, so text whose folded form differs in length is marked on
 * the folded form (rare: full-width Latin).
 */
export function markField(text: string, terms: QueryTerm[], window?: number): string | null {
  if (!text || !terms.length) return null;
  const base = fold(text);
  const shown = base.length === text.length ? text : base;
  const ranges: [number, number][] = [];
  for (const t of terms) {
    if (t.type === 'cjk') {
      for (let i = base.indexOf(t.text); i >= 0; i = base.indexOf(t.text, i + 1)) ranges.push([i, i + t.text.length]);
    } else {
      for (const r of runs(base)) if (!r.han && r.text === t.text) ranges.push([r.index, r.index + r.text.length]);
    }
  }
  if (!ranges.length) return null;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  let from = 0;
  let to = shown.length;
  if (window && shown.length > window) {
    from = Math.max(0, merged[0][0] - Math.floor(window / 3));
    to = Math.min(shown.length, from + window);
  }
  let out = from > 0 ? '…' : '';
  let at = from;
  for (const [s, e] of merged) {
    if (e <= from || s >= to) continue;
    const s2 = Math.max(s, from);
    const e2 = Math.min(e, to);
    out += escapeHtml(shown.slice(at, s2)) + '<em>' + escapeHtml(shown.slice(s2, e2)) + '</em>';
    at = e2;
  }
  out += escapeHtml(shown.slice(at, to)) + (to < shown.length ? '…' : '');
  return out;
}

/** Highlights of one hit, computed for the returned page only (both backends use this). */
export function highlightsFor(
  doc: { title: string; parties: string[]; body: string; number: string | null; archivalCode: string | null },
  terms: QueryTerm[],
): Highlight[] {
  const out: Highlight[] = [];
  const add = (field: Highlight['field'], text: string | null | undefined, window?: number) => {
    const f = text ? markField(text, terms, window) : null;
    if (f) out.push({ field, fragment: f });
  };
  add('title', doc.title);
  add('parties', doc.parties.join('；'));
  add('number', doc.number);
  add('archivalCode', doc.archivalCode);
  add('body', doc.body, 120);
  return out;
}
