// SPDX-License-Identifier: GPL-3.0-or-later
// The words of every page come from the site's message catalogs
// (ui/i18n/LANG.json), through GET /api/catalog: the page's namespaces in one
// language, the site's main language filling any gap.
//
//   const t = await i18n("kiosk", "vuoro-kiosk-lang");
//   t("ahead_n", { n })        "kiosk.ahead_n" with "{n}" replaced
//   t("identity.no_card")      a key of another namespace, named in full
//   t.lang(), t.dir(), t.main(), t.languages()  [{code, name, dir}] for
//   this page, t.siteLanguages() all the site's (a test ticket's language)
//   await t.setLang("ar")      loads it, sets <html lang dir>, calls onLang()
//
// The language is remembered per page in localStorage under @key; the
// languages offered are the site's ([site] languages) that carry the page's
// strings — the staff pages' only where a catalog translates them.

let mainLang = "fi";

async function load(namespaces, lang, extra) {
  const q = new URLSearchParams({ ...extra, ns: namespaces.join(",") });
  if (lang) q.set("lang", lang);
  const r = await fetch("/api/catalog?" + q, { cache: "no-cache" });
  if (!r.ok) throw new Error(`GET /api/catalog: HTTP ${r.status}`);
  return r.json();
}

// The page waits for its words: retried until the service point answers.
async function loadRetrying(namespaces, lang, extra) {
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await load(namespaces, lang, extra);
    } catch (e) {
      console.warn("catalog:", e.message, "— retrying");
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

//   i18n("follow", key, { site: "s1" })   more of the catalog's query: at
//   the hub, the languages of that site
export async function i18n(ns, key = "vuoro-lang", extra = {}) {
  const namespaces = Array.isArray(ns) ? ns : [ns];
  const own = namespaces[0];
  const listeners = [];
  let cat = await loadRetrying(namespaces, localStorage.getItem(key) || "", extra);
  mainLang = cat.main;

  const apply = () => {
    document.documentElement.lang = cat.lang;
    document.documentElement.dir = cat.dir;
  };
  const t = (id, vars = {}) => {
    const s = cat.strings[id.includes(".") ? id : `${own}.${id}`] ?? id;
    return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ""));
  };
  t.lang = () => cat.lang;
  t.dir = () => cat.dir;
  t.main = () => cat.main;
  t.languages = () => cat.languages;
  t.siteLanguages = () => cat.site_languages;
  t.setLang = async (l) => {
    if (l === cat.lang) return true;
    if (!cat.languages.some((x) => x.code === l)) return false;
    try {
      cat = await load(namespaces, l, extra);
    } catch (e) {
      console.warn("catalog:", e.message);
      return false; // the page stays in the language it has
    }
    localStorage.setItem(key, cat.lang);
    apply();
    listeners.forEach((f) => f(cat.lang));
    return true;
  };
  t.onLang = (f) => listeners.push(f);
  apply();
  return t;
}

// Every language's words of @ns at once, for screens that speak to whoever
// comes (a booth's idle screen): {code: (id, vars) => text}.
export async function i18nEvery(ns, languages) {
  const out = {};
  await Promise.all(languages.map(async (l) => {
    const cat = await loadRetrying([ns], l.code);
    out[l.code] = (id, vars = {}) =>
      (cat.strings[`${ns}.${id}`] ?? id).replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ""));
  }));
  return out;
}

// "A service's name in the chosen language": names = {fi, sv, …}, every
// language of the site (the API fills the gaps with the main language's).
export const pick = (names, lang) => names?.[lang] || names?.[mainLang] || Object.values(names || {})[0] || "";

// The site's name, "Kuohun yhteispalvelupiste / Samservicepunkt Kuohu / …":
// the part in the page's language, or the main language's when it has none.
export function siteNameIn(name, t) {
  const parts = (name || "").split(" / ");
  const i = t.siteLanguages().findIndex((l) => l.code === t.lang());
  if (parts.length < 2) return name || "";
  return parts[i >= 0 && i < parts.length ? i : 0]; // else the main language's
}

// A <select> of the page's languages, each in its own name.
export function fillLangSelect(select, t) {
  select.replaceChildren(...t.languages().map((l) => {
    const o = document.createElement("option");
    o.value = l.code;
    o.lang = l.code;
    o.dir = l.dir;
    o.textContent = l.name;
    return o;
  }));
  select.value = t.lang();
}

// Minutes as people say them: "about 15 min".
export function minutes(seconds) {
  return Math.max(1, Math.round((seconds || 0) / 60));
}
