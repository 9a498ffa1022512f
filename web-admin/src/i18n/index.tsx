// The i18n layer: every visible string goes through `t(key)`. English is the reference
// dictionary (en.ts, whose keys type-check every call); zh.ts must have every key
// (test/i18n.test.ts fails on a missing or extra key in either language). English ships with
// the app shell; Chinese is a chunk of its own, loaded before the first render when it is the
// chosen language (main.tsx) or when someone switches to it — nobody downloads both.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Locale } from '../lib/format';
import { en, type MessageKey } from './en';

export type Lang = 'en' | 'zh';
export const LANGS: { lang: Lang; label: string }[] = [
    { lang: 'en', label: 'English' },
    { lang: 'zh', label: '简体中文' },
];
const DICTS: Partial<Record<Lang, Record<MessageKey, string>>> = { en };
const STORAGE_KEY = 'helium.admin.lang';

export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

export function interpolate(text: string, vars?: Vars): string {
    if (!vars) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** Loads a language's dictionary (once); `translator` falls back to English until it is in. */
export async function loadLang(lang: Lang): Promise<void> {
    if (DICTS[lang]) return;
    if (lang === 'zh') DICTS.zh = (await import('./zh')).zh;
}

export function translator(lang: Lang): Translate {
    const dict = DICTS[lang] ?? en;
    return (key, vars) => interpolate(dict[key] ?? en[key] ?? key, vars);
}

/** Whether `key` exists (for keys built at run time, e.g. `role.${role}`). */
export function hasKey(key: string): key is MessageKey {
    return Object.prototype.hasOwnProperty.call(en, key);
}

/** The saved language, else the browser's. */
export function initialLang(): Lang {
    try {
        const saved = localStorage.getItem(STORAGE_KEY);
        if (saved === 'en' || saved === 'zh') return saved;
    } catch {
        // storage unavailable: fall through to the browser language
    }
    return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

interface I18n {
    lang: Lang;
    locale: Locale;
    t: Translate;
    /** A run-time key when it exists, else `fallback` (e.g. the raw enum value). */
    tx: (key: string, fallback: string, vars?: Vars) => string;
    setLang: (lang: Lang) => void;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
    // main.tsx loads the initial language first; should that have failed, start in English.
    const [lang, setLangState] = useState<Lang>(() => {
        const l = initialLang();
        return DICTS[l] ? l : 'en';
    });
    const setLang = useCallback((l: Lang) => {
        try {
            localStorage.setItem(STORAGE_KEY, l);
        } catch {
            // not persisted; the choice still applies to this page
        }
        loadLang(l).then(
            () => setLangState(l),
            () => undefined, // the chunk could not be fetched: stay in the current language
        );
    }, []);
    useEffect(() => {
        document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    }, [lang]);
    const value = useMemo<I18n>(() => {
        const t = translator(lang);
        return {
            lang,
            locale: lang === 'zh' ? 'zh-CN' : 'en-US',
            t,
            tx: (key, fallback, vars) => (hasKey(key) ? t(key, vars) : fallback),
            setLang,
        };
    }, [lang, setLang]);
    return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
    const v = useContext(Ctx);
    if (!v) throw new Error('useI18n outside I18nProvider');
    return v;
}
