// Small forms: "create an artifact" forms with required fields, and error messages.
import { h, field, newId } from './dom.js'
import { t } from './i18n.js'

/**
 * @typedef {{name: string, label: string, type?: 'text'|'textarea'|'select'|'url'|'email'|'password'|'number',
 *   required?: boolean, maxLength?: number, options?: () => Array<[string, string]>,
 *   validate?: (value: string) => string, value?: string, autocomplete?: string, minLength?: number}} FieldSpec
 */

/** Build a control for a field spec. @param {FieldSpec} spec */
export function control(spec) {
  let input
  if (spec.type === 'textarea') {
    input = h('textarea', { name: spec.name, rows: 2 })
  } else if (spec.type === 'select') {
    input = h('select', { name: spec.name })
    fillOptions(input, spec.options ? spec.options() : [])
  } else {
    input = h('input', { name: spec.name, type: spec.type || 'text' })
  }
  if (spec.maxLength) input.maxLength = spec.maxLength
  if (spec.minLength) input.minLength = spec.minLength
  if (spec.required) input.required = true
  if (spec.autocomplete) input.autocomplete = spec.autocomplete
  if (spec.value !== undefined) input.value = spec.value
  return input
}

/** Replace a select's options, keeping its value when still offered. */
export function fillOptions(select, options) {
  const value = select.value
  select.replaceChildren(...options.map(([v, text]) => h('option', { value: v, text })))
  if (options.some(([v]) => v === value)) select.value = value
}

/**
 * A form that collects `fields` and calls `onSubmit(values)`; required fields are checked
 * first, and an error thrown by onSubmit is shown in the form (role=alert).
 * @param {{title?: string, fields: FieldSpec[], submit: string, className?: string,
 *   onSubmit: (values: Record<string, string>) => any, reset?: boolean}} opts
 */
export function createForm(opts) {
  const inputs = opts.fields.map((spec) => ({ spec, input: control(spec) }))
  // What each field held when the form was built: after a submit, fields go back to it, so the
  // next entry does not silently inherit the last one's persona, fidelity or rating.
  const initial = new Map(inputs.map(({ spec, input }) => [spec.name, input.value]))
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const button = h('button', { type: 'submit', class: 'primary', text: opts.submit })
  const titleId = opts.title ? newId('form') : null
  const form = h(
    'form',
    { class: `create-form ${opts.className || ''}`, 'aria-labelledby': titleId, novalidate: true },
    opts.title ? h('h3', { id: titleId, text: opts.title }) : null,
    h(
      'div',
      { class: 'form-fields' },
      inputs.map(({ spec, input }) => field(spec.label, input))
    ),
    error,
    h('div', { class: 'form-actions' }, button)
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    /** @type {Record<string, string>} */
    const values = {}
    for (const { spec, input } of inputs) {
      const value = spec.type === 'password' ? input.value : input.value.trim()
      let problem = ''
      if (spec.required && !value) {
        problem = t('common.field_required', { label: spec.label })
      } else if (value && spec.minLength && value.length < spec.minLength) {
        problem = t('common.field_too_short', { label: spec.label, n: spec.minLength })
      } else if (value && spec.validate) {
        problem = spec.validate(value)
      }
      input.setAttribute('aria-invalid', problem ? 'true' : 'false')
      if (problem) {
        showError(form, problem)
        input.focus()
        return
      }
      values[spec.name] = value
    }
    showError(form, '')
    button.disabled = true
    try {
      await opts.onSubmit(values)
      if (opts.reset !== false) {
        for (const { spec, input } of inputs) {
          input.value = spec.type === 'select' ? initial.get(spec.name) || '' : ''
        }
      }
    } catch (err) {
      showError(form, err instanceof Error ? err.message : String(err))
    } finally {
      button.disabled = false
    }
  })
  return { form, inputs: Object.fromEntries(inputs.map(({ spec, input }) => [spec.name, input])) }
}

/** Show (or clear) the error line of a form built by createForm. */
export function showError(form, message) {
  const line = form.querySelector('.form-error')
  if (!line) return
  line.textContent = message
  line.hidden = !message
}

/**
 * Say under `input` why its form did nothing (empty, say), visibly; it goes when the person
 * types again.
 * @param {HTMLInputElement} input
 * @param {string} text
 */
export function nudge(input, text) {
  let note = /** @type {HTMLElement | null} */ (
    input.parentElement?.querySelector('.nudge') || null
  )
  if (!note) {
    note = h('small', { class: 'field-error nudge', role: 'alert' })
    input.parentElement?.append(note)
    const shown = note
    input.addEventListener('input', () => {
      shown.hidden = true
      input.removeAttribute('aria-invalid')
    })
  }
  note.textContent = text
  note.hidden = false
  input.setAttribute('aria-invalid', 'true')
  input.focus()
}
