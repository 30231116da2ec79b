// Prototype: what the team builds to test ideas, with a description, fidelity, links and the
// ideas it embodies (linkedIdeaIds).
import { h } from '../dom.js'
import { createForm, fillOptions } from '../forms.js'
import { boundText, boundSelect, refreshBound } from '../fields.js'
import { listEditor } from '../lists.js'
import {
  addArtifact,
  list,
  listArray,
  setFields,
  str,
  isLink,
  FIDELITIES,
  LIMITS,
  MAX_LIST_ENTRIES,
  fieldLabel,
  entryLabel,
  valueLabel
} from '../schema.js'
import { t } from '../i18n.js'
import { artifactSection, card, deleteButton, optionsOf, onRootChange, truncate } from './common.js'

/** The fidelities, named in the current language. @returns {Array<[string, string]>} */
const fidelityOptions = () => FIDELITIES.map((f) => [f, valueLabel('fidelity', f)])
const linkProblem = (text) => (isLink(text) ? '' : t('prototype.link_problem'))
/** A label of a prototype's field. @param {string} name */
const label = (name) => fieldLabel('prototypes', name)

/** The ideas a prototype links: chips with a remove button, and a picker to link one more. */
function linkedIdeas(live, map, hooks) {
  const chips = h('ul', { class: 'chips', 'aria-label': label('linkedIdeaIds') })
  const picker = h('select', { 'aria-label': t('prototype.idea_to_link') })
  const link = h('button', { type: 'button', class: 'small', text: t('prototype.link_idea') })
  const ideaText = (id) => {
    const idea = live.doc.getMap('ideas').get(id)
    return idea && idea.get ? truncate(str(idea, 'text'), 50) : t('prototype.deleted_idea')
  }
  const render = () => {
    const ids = list(map, 'linkedIdeaIds')
    chips.replaceChildren(
      ...ids.map((id) => {
        const remove = h('button', {
          type: 'button',
          class: 'icon',
          text: '×',
          'aria-label': t('prototype.unlink_idea', { idea: ideaText(id) })
        })
        remove.addEventListener('click', () =>
          live.write(() => {
            const array = listArray(map, 'linkedIdeaIds')
            const at = array.toArray().indexOf(id)
            if (at >= 0) array.delete(at, 1)
            setFields(map, {})
          })
        )
        return h('li', { class: 'chip' }, h('span', { text: ideaText(id) }), remove)
      })
    )
    const linked = new Set(ids)
    fillOptions(picker, [
      ['', t('prototype.choose_idea')],
      ...optionsOf(live, 'ideas', (i) => str(i, 'text')).filter(([id]) => !linked.has(id))
    ])
  }
  link.addEventListener('click', () => {
    const id = picker.value
    if (!id) return
    live.write(() => {
      const array = listArray(map, 'linkedIdeaIds')
      if (!array.toArray().includes(id) && array.length < MAX_LIST_ENTRIES) array.push([id])
      setFields(map, {})
    })
  })
  render()
  hooks.add(render)
  return {
    el: h(
      'section',
      { class: 'list-field' },
      h('h4', { text: label('linkedIdeaIds') }),
      chips,
      h('div', { class: 'add-note' }, picker, link)
    ),
    key: 'linkedIdeaIds',
    refresh: render,
    destroy: () => hooks.delete(render)
  }
}

function prototypeCard(ctx, id, map, hooks) {
  const { live } = ctx
  const title = boundText(live, map, 'title', {
    label: label('title'),
    required: true,
    maxLength: LIMITS.title
  })
  const fidelity = boundSelect(live, map, 'fidelity', {
    label: label('fidelity'),
    emptyLabel: t('prototype.fidelity_not_set'),
    options: fidelityOptions
  })
  const description = boundText(live, map, 'description', {
    label: label('description'),
    multiline: true,
    rows: 4,
    maxLength: LIMITS.description
  })
  const links = listEditor(live, map, 'links', {
    label: label('links'),
    item: entryLabel('links'),
    maxLength: LIMITS.link,
    validate: linkProblem,
    render: (url) => h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: url })
  })
  const ideas = linkedIdeas(live, map, hooks)
  const name = () => str(map, 'title')
  const c = card('Prototype', name, () => t('prototype.untitled'))
  c.el.append(
    h(
      'header',
      { class: 'card-head' },
      c.title,
      deleteButton(live, 'prototypes', id, () => t('prototype.delete_label', { name: name() }))
    ),
    h('div', { class: 'card-fields two' }, title.el, fidelity.el),
    description.el,
    links.el,
    ideas.el
  )
  const bound = [title, fidelity, description, links, ideas]
  return {
    el: c.el,
    update(keys) {
      refreshBound(bound, keys)
      c.rename()
    },
    destroy: ideas.destroy
  }
}

/** @param {{live: import('../live.js').LiveProject, user: {id: string}}} ctx */
export function prototypeView(ctx) {
  const { live, user } = ctx
  const hooks = new Set()
  const { form } = createForm({
    title: t('prototype.new'),
    submit: t('prototype.add'),
    fields: [
      { name: 'title', label: t('prototype.form_title'), required: true, maxLength: LIMITS.title },
      {
        name: 'description',
        label: t('prototype.form_description'),
        type: 'textarea',
        maxLength: LIMITS.description
      },
      {
        name: 'fidelity',
        label: t('prototype.form_fidelity'),
        type: 'select',
        options: () => [['', t('prototype.fidelity_not_set')], ...fidelityOptions()]
      }
    ],
    onSubmit: ({ title, description, fidelity }) => {
      live.write(() =>
        addArtifact(
          live.doc,
          'prototypes',
          {
            title,
            description,
            fidelity: fidelity || null,
            linkedIdeaIds: [],
            links: []
          },
          user.id
        )
      )
    }
  })
  const section = artifactSection({
    title: t('prototype.prototypes'),
    form,
    emptyText: t('prototype.none_yet'),
    root: live.doc.getMap('prototypes'),
    makeCard: (id, map) => prototypeCard(ctx, id, map, hooks)
  })
  const stop = onRootChange(live.doc.getMap('ideas'), () => {
    for (const hook of hooks) hook()
  })
  return {
    el: h('div', { class: 'phase phase-prototype' }, section.el),
    destroy() {
      stop()
      section.destroy()
      hooks.clear()
    }
  }
}
