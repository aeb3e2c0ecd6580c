// `node web/e2e/tour.cjs [--out docs/tour] [--port 47310]`: takes the README tour's screenshots (see tour.ts).
// web is an ES-module package, so the TypeScript is loaded through swc's CommonJS hook from this entry.
process.env.SWCRC = 'true';
require('@swc-node/register');
require('./tour.ts');
