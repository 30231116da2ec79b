// Define: point-of-view statements ("user needs need because insight", the user picked from
// the personas) and how-might-we questions framed by a POV.
import { h, newId } from '../dom.js'
import { createForm, fillOptions } from '../forms.js'
import { boundText, boundSelect, refreshBound } from '../fields.js'
import { addArtifact, entries, setFields, str, LIMITS, fieldLabel } from '../schema.js'
import { t } from '../i18n.js'
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
/** The "(none)" choice of the point-of-view selects. @returns {[string, string]} */
const noPov = () => ['', t('common.none')]

function povCard(ctx, id, map, listId, hooks) {
  const { live } = ctx
  const user = boundText(live, map, 'user', {
    label: fieldLabel('povStatements', 'user'),
    required: true,
    maxLength: LIMITS.user
  })
  user.input.setAttribute('list', listId)
  const pick = h('select', { 'aria-label': t('define.pick_persona_label') })
  const fillPick = () =>
    fillOptions(pick, [['', t('define.pick_persona')], ...personaNames(live).map((n) => [n, n])])
  fillPick()
  pick.addEventListener('change', () => {
    if (pick.value) live.write(() => setFields(map, { user: pick.value }))
    pick.value = ''
  })
  const need = boundText(live, map, 'need', {
    label: fieldLabel('povStatements', 'need'),
    multiline: true,
    rows: 2,
    required: true,
    maxLength: LIMITS.need
  })
  const insight = boundText(live, map, 'insight', {
    label: fieldLabel('povStatements', 'insight'),
    multiline: true,
    rows: 2,
    maxLength: LIMITS.insight
  })
  const link = h('p', { class: 'persona-link' })
  const hmws = h('ul', {
    class: 'linked',
    'aria-label': t('define.pov_questions')
  })
  const renderLinks = () => {
    const who = str(map, 'user')
    link.replaceChildren(
      personaNames(live).includes(who)
        ? h('span', {
            class: 'badge persona-badge',
            text: t('define.persona_badge', { name: who })
          })
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
  const c = card('Point of view', name, () => t('define.untitled_pov'))
  c.el.append(
    h(
      'header',
      { class: 'card-head' },
      c.title,
      deleteButton(live, 'povStatements', id, () => t('define.delete_pov', { name: name() }))
    ),
    h('div', { class: 'user-row' }, user.el, pick),
    link,
    need.el,
    insight.el,
    h('h4', { text: t('define.hmw') }),
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
    label: fieldLabel('hmwQuestions', 'question'),
    multiline: true,
    rows: 2,
    required: true,
    maxLength: LIMITS.question
  })
  const pov = boundSelect(live, map, 'povId', {
    label: fieldLabel('hmwQuestions', 'povId'),
    emptyLabel: noPov()[1],
    options: () => optionsOf(live, 'povStatements', povSentence)
  })
  const hook = () => pov.refresh()
  hooks.add(hook)
  const name = () => truncate(str(map, 'question'), 80)
  const c = card('How might we', name, () => t('define.untitled_hmw'))
  c.el.append(
    h(
      'header',
      { class: 'card-head' },
      c.title,
      deleteButton(live, 'hmwQuestions', id, () => t('define.delete_hmw', { name: name() }))
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
    title: t('define.new_pov'),
    submit: t('define.add_pov'),
    fields: [
      { name: 'user', label: t('define.pov_user'), required: true, maxLength: LIMITS.user },
      {
        name: 'need',
        label: t('define.pov_need'),
        type: 'textarea',
        required: true,
        maxLength: LIMITS.need
      },
      {
        name: 'insight',
        label: fieldLabel('povStatements', 'insight'),
        type: 'textarea',
        maxLength: LIMITS.insight
      }
    ],
    onSubmit: ({ user: who, need, insight }) => {
      live.write(() =>
        addArtifact(live.doc, 'povStatements', { user: who, need, insight }, user.id)
      )
    }
  })
  povForm.inputs.user.setAttribute('list', listId)
  const hmwForm = createForm({
    title: t('define.new_hmw'),
    submit: t('define.add_hmw'),
    fields: [
      {
        name: 'question',
        label: t('define.hmw_question'),
        type: 'textarea',
        required: true,
        maxLength: LIMITS.question
      },
      {
        name: 'povId',
        label: fieldLabel('hmwQuestions', 'povId'),
        type: 'select',
        options: () => [noPov(), ...optionsOf(live, 'povStatements', povSentence)]
      }
    ],
    onSubmit: ({ question, povId }) => {
      live.write(() =>
        addArtifact(live.doc, 'hmwQuestions', { question, povId: povId || null }, user.id)
      )
    }
  })
  const povs = artifactSection({
    title: t('define.povs'),
    form: povForm.form,
    emptyText: t('define.no_povs'),
    root: live.doc.getMap('povStatements'),
    makeCard: (id, map) => povCard(ctx, id, map, listId, hooks)
  })
  const questions = artifactSection({
    title: t('define.hmw'),
    form: hmwForm.form,
    emptyText: t('define.no_hmws'),
    root: live.doc.getMap('hmwQuestions'),
    makeCard: (id, map) => hmwCard(ctx, id, map, hooks)
  })
  const refreshLinks = () => {
    suggestions.replaceChildren(...personaNames(live).map((n) => h('option', { value: n })))
    fillOptions(hmwForm.inputs.povId, [noPov(), ...optionsOf(live, 'povStatements', povSentence)])
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
