// An editor for a list field (a Y.Array of strings): entries as sticky notes, add, edit,
// delete. Concurrent appends from two people both survive (Y.Array semantics).
import { h, newId, announce } from './dom.js'
import { list, listArray, setFields, MAX_LIST_ENTRIES, LIMITS } from './schema.js'
import { t, locale } from './i18n.js'

/**
 * @param {import('./live.js').LiveProject} live
 * @param {any} map the artifact
 * @param {string} key the list field
 * @param {{label: string, item: string, className?: string, validate?: (text: string) => string,
 *   normalize?: (text: string) => string,
 *   render?: (text: string) => HTMLElement, maxLength?: number}} opts
 *   label and item are in the current language (fieldLabel, entryLabel of schema.js).
 *   item: what one entry is called ("Goal"), used in control labels.
 *   render: show entries read-only with this (links), instead of editable notes.
 */
export function listEditor(live, map, key, opts) {
  const headingId = newId('list')
  const items = h('ul', { class: 'notes', 'aria-labelledby': headingId })
  const maxLength = opts.maxLength || LIMITS.entry
  const names = { item: opts.item.toLocaleLowerCase(locale()), list: opts.label }
  const addInput = h('input', {
    type: 'text',
    maxlength: maxLength,
    'aria-label': t('lists.new_entry', names)
  })
  const addButton = h('button', {
    type: 'submit',
    class: 'small',
    text: t('common.add'),
    'aria-label': t('lists.add_entry', names)
  })
  // Why an entry was not added, visible under the field (what was typed stays).
  const message = h('small', { class: 'field-error', role: 'alert', hidden: true })
  const form = h('form', { class: 'add-note' }, addInput, addButton, message)
  /** @param {string} error */
  const refuse = (error) => {
    addInput.setAttribute('aria-invalid', error ? 'true' : 'false')
    message.textContent = error
    message.hidden = !error
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = opts.normalize ? opts.normalize(addInput.value) : addInput.value.trim()
    if (!text) {
      refuse(t('lists.empty_entry', names))
      addInput.focus()
      return
    }
    const error = opts.validate ? opts.validate(text) : ''
    if (error) {
      refuse(error)
      announce(error)
      return
    }
    refuse('')
    if (list(map, key).length >= MAX_LIST_ENTRIES) {
      announce(t('lists.full', { list: opts.label, max: MAX_LIST_ENTRIES }))
      return
    }
    if (
      live.write(() => {
        listArray(map, key).push([text])
        setFields(map, {})
      })
    ) {
      addInput.value = ''
    }
  })

  /** Replace the entry that was `before` (found by value: others may have moved it). */
  const replace = (index, before, after) => {
    live.write(() => {
      const array = listArray(map, key)
      const values = array.toArray()
      const at = values[index] === before ? index : values.indexOf(before)
      if (at < 0) return
      array.delete(at, 1)
      if (after) array.insert(at, [after])
      setFields(map, {})
    })
  }

  const render = () => {
    const values = list(map, key)
    // keep the caret of someone editing an entry (focus on an entry's textarea or delete button)
    const active = /** @type {HTMLTextAreaElement | HTMLButtonElement} */ (document.activeElement)
    const focusIndex = items.contains(active) ? Number(active.dataset.index) : -1
    const focusKind = focusIndex >= 0 ? active.dataset.role : ''
    const draft = focusKind === 'entry' ? active.value : null
    items.replaceChildren(
      ...values.map((text, i) => {
        const entry = { list: opts.label, item: opts.item, n: i + 1 }
        let body
        if (opts.render) {
          body = opts.render(text)
        } else {
          body = h('textarea', {
            rows: 2,
            maxlength: maxLength,
            'aria-label': t('lists.entry', entry),
            dataset: { index: i, role: 'entry' }
          })
          body.value = text
          body.addEventListener('change', () => replace(i, text, body.value.trim()))
          body.addEventListener('keydown', (event) => {
            if (event.key === 'Enter' && !event.shiftKey) {
              event.preventDefault()
              body.blur()
            }
          })
        }
        const remove = h('button', {
          type: 'button',
          class: 'icon',
          text: '×',
          'aria-label': t('lists.delete_entry', entry),
          dataset: { index: i, role: 'delete' }
        })
        remove.addEventListener('click', () => replace(i, text, ''))
        return h('li', { class: 'note-item' }, body, remove)
      })
    )
    if (focusIndex >= 0) {
      /** @type {HTMLTextAreaElement | HTMLButtonElement | null} */
      const target = items.querySelector(`[data-index="${focusIndex}"][data-role="${focusKind}"]`)
      if (target) {
        target.focus()
        if (draft !== null && target.value !== draft) target.value = draft
      }
    }
  }
  render()
  const el = h(
    'section',
    { class: `list-field ${opts.className || ''}` },
    h('h4', { id: headingId, text: opts.label }),
    items,
    form
  )
  return { el, key, refresh: render }
}
