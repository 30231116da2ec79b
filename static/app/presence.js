// Who is in the project now, and on which phase (from Yjs awareness).
import { h, initials, colorFor, batched } from './dom.js'
import { phaseName } from './router.js'
import { t, formatList, locale, onLocaleChange } from './i18n.js'

/** Avatars shown in the strip; past that, "+N" opens everyone, grouped by phase. */
export const SHOWN = 8

/**
 * A list of the people here: one entry per person (several tabs count once), with the phases
 * they are on. The strip shows the first {@link SHOWN} (you first); with more, a "+N" button
 * opens a panel listing everyone under the phase they are on, so a workshop of 50 fits the bar.
 * @param {import('./live.js').LiveProject} live
 */
export function presenceList(live) {
  const list = h('ul', { class: 'presence' })
  const more = h('button', {
    type: 'button',
    class: 'ghost presence-more',
    'aria-expanded': 'false',
    hidden: true
  })
  const all = h('div', { class: 'presence-all', hidden: true })
  const el = h('div', { class: 'presence-wrap' }, list, more, all)
  more.addEventListener('click', () => {
    all.hidden = !all.hidden
    more.setAttribute('aria-expanded', all.hidden ? 'false' : 'true')
    if (!all.hidden) render()
  })
  /** @param {KeyboardEvent} event */
  const onKey = (event) => {
    if (event.key === 'Escape' && !all.hidden) {
      all.hidden = true
      more.setAttribute('aria-expanded', 'false')
    }
  }
  document.addEventListener('keydown', onKey)
  const render = () => {
    list.setAttribute('aria-label', t('presence.people'))
    /** @type {Map<string, {name: string, color: string, phases: Set<string>, self: boolean}>} */
    const people = new Map()
    for (const state of live.people()) {
      const id = state.user.id
      const person = people.get(id) || {
        name: String(state.user.name || '?'),
        color: state.user.color || colorFor(id),
        phases: new Set(),
        self: false
      }
      if (state.phase) person.phases.add(phaseName(state.phase))
      person.self = person.self || state.self
      people.set(id, person)
    }
    const items = Array.from(people.entries())
      .sort(
        ([, a], [, b]) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name, locale())
      )
      .map(([id, person]) => {
        const who = person.self ? t('presence.you', { name: person.name }) : person.name
        const label = person.phases.size
          ? t('presence.where', { who, phases: formatList(Array.from(person.phases)) })
          : who
        const badge = h('span', {
          class: 'avatar small',
          'aria-hidden': 'true',
          text: initials(person.name)
        })
        badge.style.setProperty('--avatar', person.color)
        return h(
          'li',
          { class: 'person', title: label, dataset: { user: id } },
          badge,
          h('span', { class: 'visually-hidden', text: label })
        )
      })
    list.replaceChildren(...items)
    items.forEach((item, index) => {
      item.hidden = index >= SHOWN // still in the list for screen readers: see the panel
    })
    const extra = items.length - SHOWN
    more.hidden = extra <= 0
    more.textContent = t('presence.more', { n: String(Math.max(extra, 0)) })
    more.setAttribute('aria-label', t('presence.show_all', { n: String(items.length) }))
    if (extra <= 0) all.hidden = true
    if (!all.hidden) all.replaceChildren(...grouped(people))
  }
  const onChange = batched(render)
  live.awareness.on('change', onChange)
  const stopRelabel = onLocaleChange(onChange)
  render()
  return {
    el,
    destroy: () => {
      live.awareness.off('change', onChange)
      document.removeEventListener('keydown', onKey)
      stopRelabel()
    }
  }
}

/**
 * Everyone, under the phase they are on (someone on several phases is under each), the
 * busiest phase first.
 * @param {Map<string, {name: string, phases: Set<string>, self: boolean}>} people
 */
function grouped(people) {
  /** @type {Map<string, string[]>} */
  const byPhase = new Map()
  for (const person of people.values()) {
    const name = person.self ? t('presence.you', { name: person.name }) : person.name
    const phases = person.phases.size ? Array.from(person.phases) : [t('presence.no_phase')]
    for (const phase of phases) byPhase.set(phase, [...(byPhase.get(phase) || []), name])
  }
  return Array.from(byPhase.entries())
    .sort(([, a], [, b]) => b.length - a.length)
    .map(([phase, names]) =>
      h(
        'section',
        { class: 'presence-group', 'aria-label': phase },
        h('h3', { text: t('presence.group', { phase, n: String(names.length) }) }),
        h(
          'ul',
          {},
          names.sort((a, b) => a.localeCompare(b, locale())).map((name) => h('li', { text: name }))
        )
      )
    )
}
