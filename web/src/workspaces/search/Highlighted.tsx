import { Fragment } from 'react';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]);

/** Renders a server fragment (escaped text, <em> around matches) as text and <mark>, never as HTML. */
export function Highlighted({ fragment }: { fragment: string }) {
  const parts = fragment.split(/(<em>[\s\S]*?<\/em>)/);
  return (
    <>
      {parts.map((p, i) =>
        p.startsWith('<em>') ? <mark key={i}>{unescape(p.slice(4, -5))}</mark> : <Fragment key={i}>{unescape(p)}</Fragment>,
      )}
    </>
  );
}
