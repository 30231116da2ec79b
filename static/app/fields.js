// Form controls bound to one field of an artifact's Y.Map: they write through the live
// project (so edits are undoable and synced) and refresh when Yjs says the field changed.
// Free-text fields (a Y.Text since schema 2) are bound by text-binding.js: edits merge
// character by character, and others' carets show.
import { h, field } from './dom.js'
import { str, setFields, rootOf, isTextField } from './schema.js'
import { bindText } from './text-binding.js'
import { t } from './i18n.js'

/** Put `value` into a control without losing the caret of someone typing in it. */
function setValue(input, value) {
  if (input.value === value) return
  if (document.activeElement === input && typeof input.selectionStart === 'number') {
    const { selectionStart, selectionEnd } = input
    input.value = value
    input.setSelectionRange(
      Math.min(selectionStart, value.length),
      Math.min(selectionEnd, value.length)
    )
  } else {
    input.value = value
  }
}

/**
 * A text input or textarea bound to `map[key]` (to its Y.Text for a free-text field).
 * @param {import('./live.js').LiveProject} live
 * @param {any} map
 * @param {string} key
 * @param {{label: string, multiline?: boolean, rows?: number, maxLength?: number,
 *   required?: boolean, validate?: (text: string) => string, toValue?: (text: string) => any,
 *   normalize?: (text: string) => string,
 *   type?: string, placeholder?: string, className?: string, hideLabel?: boolean}} opts
 *   validate returns an error message ('' when fine); toValue maps text to the stored value.
 */
export function boundText(live, map, key, opts) {
  const input = opts.multiline
    ? h('textarea', { rows: opts.rows || 3 })
    : h('input', { type: opts.type || 'text' })
  if (opts.maxLength) input.maxLength = opts.maxLength
  if (opts.placeholder) input.placeholder = opts.placeholder
  if (opts.required) input.required = true
  // The reason a value is refused, under the field: visible, not only in a tooltip.
  const message = h('small', { class: 'field-error', role: 'alert', hidden: true })
  const normalize = opts.normalize || ((text) => text)
  const problem = (text) => {
    if (opts.required && !text.trim()) return t('field.required', { field: opts.label })
    return opts.validate ? opts.validate(normalize(text)) : ''
  }
  const show = (error) => {
    input.setAttribute('aria-invalid', error ? 'true' : 'false')
    message.textContent = error
    message.hidden = !error
  }
  const root = rootOf(map)
  const binding =
    isTextField(root, key) && !opts.toValue
      ? bindText(input, {
          map,
          key,
          origin: live.origin,
          write: (fn) => live.write(fn),
          // a refused value stays on screen until it is fixed (see 'change')
          keep: () => input.getAttribute('aria-invalid') === 'true',
          presence: { live, root, id: str(map, 'id') }
        })
      : null
  input.addEventListener('input', () => {
    const error = problem(input.value)
    // while typing, say so only once the text is refused at the end (see 'change')
    if (!error) show('')
    if (error) return
    const text = normalize(input.value)
    if (binding) {
      binding.write(text)
      return
    }
    const value = opts.toValue ? opts.toValue(text) : text
    if (map.get(key) === value) return
    live.write(() => setFields(map, { [key]: value }))
  })
  input.addEventListener('change', () => {
    const error = problem(input.value)
    if (error) {
      // What was typed stays, with the reason beside it; the stored value is unchanged.
      show(t('field.kept_previous', { error }))
      return
    }
    const completed = normalize(input.value)
    if (completed !== input.value) setValue(input, completed) // https:// added, shown
  })
  const refresh = () => {
    if (binding) return binding.refresh() // keeps what was typed too (keep)
    if (input.getAttribute('aria-invalid') === 'true') return // keep what was typed
    setValue(input, str(map, key))
  }
  refresh()
  let el
  if (opts.hideLabel) {
    input.setAttribute('aria-label', opts.label)
    if (opts.className) input.classList.add(opts.className)
    el = opts.validate ? h('span', { class: 'bound-field' }, input, message) : input
  } else {
    el = field(opts.label, input, { className: opts.className })
    el.append(message)
  }
  return { el, input, refresh, key }
}

/**
 * A select bound to `map[key]`; the empty option stores null.
 * @param {import('./live.js').LiveProject} live
 * @param {any} map
 * @param {string} key
 * @param {{label: string, options: () => Array<[string, string]>, emptyLabel?: string,
 *   toValue?: (text: string) => any, hideLabel?: boolean, className?: string}} opts
 */
export function boundSelect(live, map, key, opts) {
  const select = h('select')
  const fill = () => {
    const choices = opts.options()
    const stored = map.get(key)
    const wanted = stored === null || stored === undefined ? '' : String(stored)
    const rows = []
    if (opts.emptyLabel !== undefined) rows.push(['', opts.emptyLabel])
    rows.push(...choices)
    // keep a stored value that is not among the choices (a dangling reference) visible
    if (wanted && !rows.some(([value]) => value === wanted)) {
      rows.push([wanted, t('field.missing_option', { id: wanted.slice(0, 8) })])
    }
    const same =
      select.options.length === rows.length &&
      rows.every(
        ([value, text], i) => select.options[i].value === value && select.options[i].text === text
      )
    if (!same) {
      select.replaceChildren(...rows.map(([value, text]) => h('option', { value, text })))
    }
    select.value = wanted
  }
  select.addEventListener('change', () => {
    const value = opts.toValue
      ? opts.toValue(select.value)
      : select.value === ''
        ? null
        : select.value
    live.write(() => setFields(map, { [key]: value }))
  })
  fill()
  let el
  if (opts.hideLabel) {
    select.setAttribute('aria-label', opts.label)
    el = select
  } else {
    el = field(opts.label, select, { className: opts.className })
  }
  return { el, input: select, refresh: fill, key }
}

/**
 * Refresh the bound controls whose field is among `keys` (all of them when keys is null).
 * @param {Array<{key: string, refresh: () => void}>} bound
 * @param {Set<string> | null} keys
 */
export function refreshBound(bound, keys) {
  for (const control of bound) {
    if (!keys || keys.has(control.key)) control.refresh()
  }
}
