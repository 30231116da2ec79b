// Define: point-of-view statements ("user needs need because insight", the user picked from
// the personas) and how-might-we questions framed by a POV.
import { h, newId } from '../dom.js'
import { createForm, fillOptions } from '../forms.js'
import { boundText, boundSelect, refreshBound } from '../fields.js'
import { addArtifact, entries, setFields, str, LIMITS } from '../schema.js'
import {
  artifactSection,
  card,
  deleteButton,
  optionsOf,
  onRootChange,
  povSentence,
  truncate
} from './common.js'

/** The personas' names, for the POV user field's suggestions and picker. */
const personaNames = (live) =>
  entries(live.doc, 'personas')
    .map(([, p]) => str(p, 'name'))
    .filter(Boolean)

function povCard(ctx, id, map, listId, hooks) {
  const { live } = ctx
  const user = boundText(live, map, 'user', {
    label: 'User',
    required: true,
    maxLength: LIMITS.user
  })
  user.input.setAttribute('list', listId)
  const pick = h('select', { 'aria-label': 'Pick a persona as the user' })
  const fillPick = () =>
    fillOptions(pick, [['', 'Pick a persona…'], ...personaNames(live).map((n) => [n, n])])
  fillPick()
  pick.addEventListener('change', () => {
    if (pick.value) live.write(() => setFields(map, { user: pick.value }))
    pick.value = ''
  })
  const need = boundText(live, map, 'need', {
    label: 'Needs',
    multiline: true,
    rows: 2,
    required: true,
    maxLength: LIMITS.need
  })
  const insight = boundText(live, map, 'insight', {
    label: 'Because (insight)',
    multiline: true,
    rows: 2,
    maxLength: LIMITS.insight
  })
  const link = h('p', { class: 'persona-link' })
  const hmws = h('ul', {
    class: 'linked',
    'aria-label': 'How-might-we questions from this point of view'
  })
  const renderLinks = () => {
    const who = str(map, 'user')
    link.replaceChildren(
      personaNames(live).includes(who)
        ? h('span', { class: 'badge persona-badge', text: `Persona: ${who}` })
        : ''
    )
    hmws.replaceChildren(
      ...entries(live.doc, 'hmwQuestions')
        .filter(([, q]) => q.get('povId') === id)
        .map(([, q]) => h('li', { text: str(q, 'question') }))
    )
  }
  renderLinks()
  const hook = () => {
    fillPick()
    renderLinks()
  }
  hooks.add(hook)
  const name = () => truncate(povSentence(map), 80)
  const c = card('Point of view', name)
  c.el.append(
    h(
      'header',
      { class: 'card-head' },
      c.title,
      deleteButton(live, 'povStatements', id, () => `point of view ${name()}`)
    ),
    h('div', { class: 'user-row' }, user.el, pick),
    link,
    need.el,
    insight.el,
    h('h4', { text: 'How might we…' }),
    hmws
  )
  const bound = [user, need, insight]
  return {
    el: c.el,
    update(keys) {
      refreshBound(bound, keys)
      c.rename()
      renderLinks()
    },
    destroy() {
      hooks.delete(hook)
    }
  }
}

function hmwCard(ctx, id, map, hooks) {
  const { live } = ctx
  const question = boundText(live, map, 'question', {
    label: 'Question',
    multiline: true,
    rows: 2,
    required: true,
    maxLength: LIMITS.question
  })
  const pov = boundSelect(live, map, 'povId', {
    label: 'From point of view',
    emptyLabel: '(none)',
    options: () => optionsOf(live, 'povStatements', povSentence)
  })
  const hook = () => pov.refresh()
  hooks.add(hook)
  const name = () => truncate(str(map, 'question'), 80)
  const c = card('How might we', name)
  c.el.append(
    h(
      'header',
      { class: 'card-head' },
      c.title,
      deleteButton(live, 'hmwQuestions', id, () => `question ${name()}`)
    ),
    question.el,
    pov.el
  )
  return {
    el: c.el,
    update(keys) {
      refreshBound([question, pov], keys)
      c.rename()
    },
    destroy() {
      hooks.delete(hook)
    }
  }
}

/** @param {{live: import('../live.js').LiveProject, user: {id: string}}} ctx */
export function defineView(ctx) {
  const { live, user } = ctx
  const listId = newId('personas')
  const suggestions = h('datalist', { id: listId })
  const hooks = new Set()
  const povForm = createForm({
    title: 'New point of view',
    submit: 'Add point of view',
    fields: [
      { name: 'user', label: 'User (who)', required: true, maxLength: LIMITS.user },
      {
        name: 'need',
        label: 'Needs (what)',
        type: 'textarea',
        required: true,
        maxLength: LIMITS.need
      },
      { name: 'insight', label: 'Because (insight)', type: 'textarea', maxLength: LIMITS.insight }
    ],
    onSubmit: ({ user: who, need, insight }) => {
      live.write(() =>
        addArtifact(live.doc, 'povStatements', { user: who, need, insight }, user.id)
      )
    }
  })
  povForm.inputs.user.setAttribute('list', listId)
  const hmwForm = createForm({
    title: 'New how-might-we question',
    submit: 'Add question',
    fields: [
      {
        name: 'question',
        label: 'New question (how might we…)',
        type: 'textarea',
        required: true,
        maxLength: LIMITS.question
      },
      {
        name: 'povId',
        label: 'From point of view',
        type: 'select',
        options: () => [['', '(none)'], ...optionsOf(live, 'povStatements', povSentence)]
      }
    ],
    onSubmit: ({ question, povId }) => {
      live.write(() =>
        addArtifact(live.doc, 'hmwQuestions', { question, povId: povId || null }, user.id)
      )
    }
  })
  const povs = artifactSection({
    title: 'Points of view',
    form: povForm.form,
    emptyText: 'No points of view yet.',
    root: live.doc.getMap('povStatements'),
    makeCard: (id, map) => povCard(ctx, id, map, listId, hooks)
  })
  const questions = artifactSection({
    title: 'How might we…',
    form: hmwForm.form,
    emptyText: 'No questions yet.',
    root: live.doc.getMap('hmwQuestions'),
    makeCard: (id, map) => hmwCard(ctx, id, map, hooks)
  })
  const refreshLinks = () => {
    suggestions.replaceChildren(...personaNames(live).map((n) => h('option', { value: n })))
    fillOptions(hmwForm.inputs.povId, [
      ['', '(none)'],
      ...optionsOf(live, 'povStatements', povSentence)
    ])
    for (const hook of hooks) hook()
  }
  refreshLinks()
  const stops = ['personas', 'povStatements', 'hmwQuestions'].map((root) =>
    onRootChange(live.doc.getMap(root), refreshLinks)
  )
  return {
    el: h('div', { class: 'phase phase-define' }, suggestions, povs.el, questions.el),
    destroy() {
      stops.forEach((s) => s())
      povs.destroy()
      questions.destroy()
      hooks.clear()
    }
  }
}
