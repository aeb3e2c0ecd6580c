/** The one way dates are typed and shown in the app, whatever the browser's own locale (a native date input would follow it: mm/dd/yyyy). */
export const DATE_FORMAT = 'YYYY-MM-DD';
