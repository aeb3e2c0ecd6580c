export { renderOfdToPdf, type RenderOptions } from './render';
export { loadCjkFont, CjkFontMissingError, CJK_FONT_CANDIDATES } from './font';
export { arcToBeziers } from './render';
