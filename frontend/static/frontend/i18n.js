// The modules' words and formats in the page's language. The strings come from Django's
// JavaScript catalogue (/jsi18n/, a classic script loaded before the modules: it defines the
// globals gettext, ngettext, pgettext and interpolate); without it, English as written.
// Dates and numbers follow <html lang> through Intl.
//
// `makemessages -d djangojs` extracts the first argument of gettext / pgettext and both of
// ngettext: they must be string literals (a template literal with ${} is not extracted), and a
// variable goes in through interpolate("… %(name)s …", {name}, true).

const catalogue = globalThis;

/** The translation of `msgid`. */
export function gettext(msgid) {
  return typeof catalogue.gettext === "function" ? catalogue.gettext(msgid) : msgid;
}

/** The singular or the plural (the language's plural rule picks) for `count`. */
export function ngettext(singular, plural, count) {
  if (typeof catalogue.ngettext === "function") return catalogue.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

/** The translation of `msgid` in `context` (the same English word can need two Spanish ones). */
export function pgettext(context, msgid) {
  return typeof catalogue.pgettext === "function" ? catalogue.pgettext(context, msgid) : msgid;
}

/** "%(name)s" from `values` (named), or "%s" in order from a list, as Django's interpolate. */
export function interpolate(format, values, named = false) {
  if (typeof catalogue.interpolate === "function") return catalogue.interpolate(format, values, named);
  if (named) return format.replace(/%\(\w+\)s/g, (match) => String(values[match.slice(2, -2)]));
  let i = 0;
  return format.replace(/%s/g, () => String(values[i++]));
}

// --- Dates and numbers ----------------------------------------------------------------------------

const language = document.documentElement.lang || "en";
// The desk's English is British: "2 Dec 14:02", not "Dec 2, 02:02 PM".
const LOCALE = language === "en" ? "en-GB" : language;

const DAY_MONTH = new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short" });
const DAY_MONTH_YEAR = new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short", year: "numeric" });
const TIME = new Intl.DateTimeFormat(LOCALE, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

function asDate(value) {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "3 Mar 2026" / "3 mar 2026"; "" for no date, the value itself when it is not one. */
export function formatDate(value) {
  if (!value) return "";
  const date = asDate(value);
  return date ? DAY_MONTH_YEAR.format(date) : String(value);
}

/** "2 Dec 14:02" / "2 dic 14:02", with the year when it is not this year. */
export function formatDateTime(value) {
  if (!value) return "";
  const date = asDate(value);
  if (!date) return String(value);
  const day = date.getFullYear() === new Date().getFullYear() ? DAY_MONTH : DAY_MONTH_YEAR;
  return `${day.format(date)} ${TIME.format(date)}`;
}

/** A number as the language writes it (12,345.5 / 12.345,5); `options` as Intl.NumberFormat's. */
export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(LOCALE, options).format(value);
}
