// SPDX-License-Identifier: GPL-3.0-or-later
// Finnish, Swedish and English.  Each page passes its own strings:
//   const t = i18n({ fi: {...}, sv: {...}, en: {...} });
//   t("hello", { name })  — "{name}" in a string is replaced.
// The language is remembered per page in localStorage; setLang() re-renders
// through the callbacks given to onLang().

export const LANGS = ["fi", "sv", "en"];
export const LANG_NAMES = { fi: "Suomi", sv: "Svenska", en: "English" };

export function i18n(strings, key = "vuoro-lang") {
  let lang = localStorage.getItem(key) || "fi";
  if (!LANGS.includes(lang)) lang = "fi";
  const listeners = [];
  const t = (id, vars = {}) => {
    const s = strings[lang]?.[id] ?? strings.en?.[id] ?? id;
    return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ""));
  };
  t.lang = () => lang;
  t.setLang = (l) => {
    if (!LANGS.includes(l)) return;
    lang = l;
    localStorage.setItem(key, l);
    document.documentElement.lang = l;
    listeners.forEach((f) => f(l));
  };
  t.onLang = (f) => listeners.push(f);
  document.documentElement.lang = lang;
  return t;
}

// "A service's name in the chosen language": names = {fi, sv, en}.
export const pick = (names, lang) => names?.[lang] || names?.fi || "";

// Minutes as people say them: "about 15 min".
export function minutes(seconds) {
  return Math.max(1, Math.round((seconds || 0) / 60));
}
