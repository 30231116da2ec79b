// Every word a person reads comes from here: one catalogue per language (static/locales/*.json,
// key -> ICU MessageFormat text), numbers, dates and lists formatted by the browser's Intl API.
// docs/i18n.md says how to add a message or a language.
//
// The messages use the part of ICU MessageFormat a product's UI needs, parsed here (about a
// hundred lines, no build step and no dependency): {name}; {n, number}; {d, date, short|medium|
// long}; {d, time, short}; {n, plural, =0 {…} one {# idea} other {# ideas}} (# is n, formatted);
// {x, select, owner {…} other {…}}; '' for an apostrophe next to a brace and '{…}' for literal
// braces. Plural categories are the browser's (Intl.PluralRules), so "0 ideias" and "1 idea"
// follow each language's rules.

/** What a browser that asks for none of LOCALES gets. */
export const FALLBACK_LOCALE = 'en'

/**
 * The languages the server has catalogues for, each named in itself (never translated: people
 * look for their own). The server writes them into the page (index.html's dttools-languages
 * meta), so adding a language adds catalogues and no code (docs/i18n.md).
 * @returns {Readonly<Record<string, string>>}
 */
function declaredLanguages() {
  const meta = globalThis.document?.querySelector('meta[name="dttools-languages"]')
  try {
    const declared = JSON.parse(meta?.getAttribute('content') || '{}')
    if (declared && typeof declared === 'object' && Object.keys(declared).length) {
      return Object.freeze({ ...declared })
    }
  } catch {
    // a page served without the list: English alone still works
  }
  return Object.freeze({ [FALLBACK_LOCALE]: 'English' })
}

/** Each language's name in that language, in the order the language menu lists them. */
export const LOCALE_NAMES = declaredLanguages()
/** The languages there is a catalogue for (BCP 47 tags). */
export const LOCALES = Object.freeze(Object.keys(LOCALE_NAMES))

const STORAGE_KEY = 'dttools.locale'

let current = FALLBACK_LOCALE
/** @type {Record<string, string>} */
let messages = {}
/** @type {Map<string, Part[]>} parsed messages of the current locale */
let parsed = new Map()
/** @type {Set<(locale: string) => void>} */
const listeners = new Set()
/** @type {((key: string) => void) | null} */
let onMissing = null

/**
 * @typedef {string | {arg: string, type?: string, style?: string, options?: Record<string, Part[]>,
 *   pound?: boolean}} Part
 */

/**
 * The catalogue language closest to what the browser (or person) prefers: an exact tag, else
 * the first with the same language (pt-PT finds pt-BR), as the server matches Accept-Language.
 * @param {readonly string[]} preferred
 * @param {readonly string[]} [available]
 */
export function pickLocale(preferred, available = LOCALES) {
  for (const tag of preferred) {
    const exact = available.find((l) => l.toLowerCase() === tag.toLowerCase())
    if (exact) return exact
    const language = tag.split('-')[0].toLowerCase()
    const close = available.find((l) => l.split('-')[0].toLowerCase() === language)
    if (close) return close
  }
  return FALLBACK_LOCALE
}

/** The language to start in: the one chosen on this browser before, else the browser's. */
export function initialLocale() {
  let stored = null
  try {
    stored = localStorage.getItem(STORAGE_KEY)
  } catch {
    // storage disabled: the browser's language it is
  }
  if (stored && LOCALES.includes(stored)) return stored
  return pickLocale(navigator.languages?.length ? navigator.languages : [navigator.language])
}

/** The language shown now (a BCP 47 tag from LOCALES). */
export function locale() {
  return current
}

/**
 * Show the product in `tag`: load its catalogue, relabel the page's static text, remember the
 * choice on this browser, and tell every listener (views re-render their labels, not their data).
 * @param {string} tag
 */
export async function setLocale(tag) {
  const next = LOCALES.includes(tag) ? tag : pickLocale([tag])
  if (next === current && Object.keys(messages).length) return
  const response = await fetch(`/static/locales/${next}.json`, { cache: 'no-cache' })
  if (!response.ok) throw new Error(`catalogue ${next}: HTTP ${response.status}`)
  useCatalogue(next, await response.json())
  try {
    localStorage.setItem(STORAGE_KEY, next)
  } catch {
    // not remembered on this browser; the account still remembers it
  }
  document.documentElement.lang = next
  relabel(document)
  for (const fn of listeners) fn(next)
}

/**
 * Use `catalogue` as the messages of `tag` (setLocale fetches it; tests pass one in).
 * @param {string} tag
 * @param {Record<string, string>} catalogue
 */
export function useCatalogue(tag, catalogue) {
  messages = catalogue
  parsed = new Map()
  current = tag
}

/** Call `fn` after every change of language. @param {(locale: string) => void} fn */
export function onLocaleChange(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/** Report keys that have no message (the browser tests fail on them). @param {(key: string) => void} fn */
export function reportMissing(fn) {
  onMissing = fn
}

/**
 * The message `key` in the current language, with `values` put in.
 * @param {string} key
 * @param {Record<string, unknown>} [values]
 * @returns {string}
 */
export function t(key, values = {}) {
  let parts = parsed.get(key)
  if (!parts) {
    const text = messages[key]
    if (text === undefined) {
      onMissing?.(key)
      console.error(`i18n: no message ${key} in ${current}`)
      return key
    }
    parts = parse(text)
    parsed.set(key, parts)
  }
  return render(parts, values, null)
}

/** Set the text of every `[data-i18n]` element under `root` (static HTML). @param {ParentNode} root */
export function relabel(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n || '')
  }
}

/** A number as people here write it. @param {number} n @param {Intl.NumberFormatOptions} [options] */
export function formatNumber(n, options) {
  return new Intl.NumberFormat(current, options).format(n)
}

/** A date and/or time as people here write it. @param {Date | number | string} when @param {Intl.DateTimeFormatOptions} [options] */
export function formatDate(when, options = { dateStyle: 'medium' }) {
  return new Intl.DateTimeFormat(current, options).format(new Date(when))
}

/** "a, b and c" / "a, b e c". @param {string[]} items */
export function formatList(items) {
  return new Intl.ListFormat(current, { type: 'conjunction' }).format(items)
}

/** "in 5 minutes", "há 2 dias". @param {number} value @param {Intl.RelativeTimeFormatUnit} unit */
export function formatRelative(value, unit) {
  return new Intl.RelativeTimeFormat(current, { numeric: 'auto' }).format(value, unit)
}

// -- the MessageFormat subset

/**
 * @param {Part[]} parts
 * @param {Record<string, unknown>} values
 * @param {number | null} pound the number `#` stands for (inside a plural)
 * @returns {string}
 */
function render(parts, values, pound) {
  let out = ''
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part
    } else if (part.pound) {
      out += pound === null ? '#' : formatNumber(pound)
    } else {
      out += renderArg(part, values)
    }
  }
  return out
}

/** @param {Exclude<Part, string>} part @param {Record<string, unknown>} values */
function renderArg(part, values) {
  const value = values[part.arg]
  switch (part.type) {
    case 'plural': {
      const n = Number(value)
      const options = part.options || {}
      const chosen =
        options[`=${n}`] || options[new Intl.PluralRules(current).select(n)] || options.other
      return render(chosen || [], values, n)
    }
    case 'select': {
      const options = part.options || {}
      return render(options[String(value)] || options.other || [], values, null)
    }
    case 'number':
      return formatNumber(
        Number(value),
        part.style === 'percent' ? { style: 'percent' } : undefined
      )
    case 'date':
      return formatDate(/** @type {any} */ (value), {
        dateStyle: /** @type {any} */ (part.style || 'medium')
      })
    case 'time':
      return formatDate(/** @type {any} */ (value), {
        timeStyle: /** @type {any} */ (part.style || 'short')
      })
    default:
      if (typeof value === 'number') return formatNumber(value)
      return value === undefined || value === null ? '' : String(value)
  }
}

/**
 * Parse ICU text into literal strings and arguments.
 * @param {string} text
 * @returns {Part[]}
 */
export function parse(text) {
  let at = 0
  /** @param {boolean} inPlural @returns {Part[]} */
  const parts = (inPlural) => {
    /** @type {Part[]} */
    const out = []
    let literal = ''
    while (at < text.length) {
      const c = text[at]
      if (c === "'") {
        const next = text[at + 1]
        if (next === "'") {
          literal += "'"
          at += 2
        } else if (next === '{' || next === '}' || (inPlural && next === '#')) {
          const end = text.indexOf("'", at + 1)
          literal += text.slice(at + 1, end === -1 ? text.length : end)
          at = end === -1 ? text.length : end + 1
        } else {
          literal += "'"
          at += 1
        }
      } else if (c === '{') {
        if (literal) out.push(literal)
        literal = ''
        at += 1
        out.push(argument())
      } else if (c === '}') {
        break
      } else if (c === '#' && inPlural) {
        if (literal) out.push(literal)
        literal = ''
        out.push({ arg: '', pound: true })
        at += 1
      } else {
        literal += c
        at += 1
      }
    }
    if (literal) out.push(literal)
    return out
  }
  const word = () => {
    const match = /^\s*([^\s,{}]+)\s*/.exec(text.slice(at))
    if (!match) throw new SyntaxError(`i18n: expected a name at ${at} in ${JSON.stringify(text)}`)
    at += match[0].length
    return match[1]
  }
  const expect = (/** @type {string} */ c) => {
    while (text[at] === ' ') at += 1
    if (text[at] !== c) {
      throw new SyntaxError(`i18n: expected ${c} at ${at} in ${JSON.stringify(text)}`)
    }
    at += 1
  }
  /** @returns {Part} */
  const argument = () => {
    const arg = word()
    if (text[at] === '}') {
      at += 1
      return { arg }
    }
    expect(',')
    const type = word()
    if (type === 'plural' || type === 'select') {
      expect(',')
      /** @type {Record<string, Part[]>} */
      const options = {}
      while (true) {
        while (text[at] === ' ') at += 1
        if (text[at] === '}') break
        const selector = word()
        expect('{')
        options[selector] = parts(type === 'plural')
        expect('}')
      }
      if (!options.other) {
        throw new SyntaxError(`i18n: ${arg} needs an "other" case in ${JSON.stringify(text)}`)
      }
      at += 1
      return { arg, type, options }
    }
    let style
    if (text[at] === ',') {
      at += 1
      style = word()
    }
    expect('}')
    return { arg, type, style }
  }
  const result = parts(false)
  if (at < text.length) {
    throw new SyntaxError(`i18n: unmatched } at ${at} in ${JSON.stringify(text)}`)
  }
  return result
}

/**
 * The name shown for the author `id` of a deleted account ("removed-participant-7", the
 * pseudonym the server writes in its place), or null for any other id.
 * @param {unknown} id
 * @returns {string | null}
 */
export function removedParticipant(id) {
  const found = typeof id === 'string' ? /^removed-participant-(\d{1,18})$/.exec(id) : null
  return found ? t('board.removed_participant', { n: found[1] }) : null
}
