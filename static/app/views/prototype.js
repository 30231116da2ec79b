// Prototype: what the team builds to test ideas, with a description, fidelity, links, attached
// files (fileIds) and the ideas it embodies (linkedIdeaIds).
import { h, newId, announce } from '../dom.js'
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
  withScheme,
  FIDELITIES,
  LIMITS,
  MAX_LIST_ENTRIES,
  fieldLabel,
  entryLabel,
  valueLabel
} from '../schema.js'
import { t } from '../i18n.js'
import {
  ACCEPT_FILES,
  FILE_TYPES,
  acceptable,
  contentUrl,
  describeFile,
  dropZone,
  filePicker,
  formatSize,
  isFileId,
  uploadError,
  uploadFile,
  uploadStatus
} from '../uploads.js'
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

/**
 * The files attached to a prototype (`fileIds`): name, size, open, remove, and attach (a button
 * or a drop on the list) with progress. Attaching is `POST /v1/prototypes/{id}/files`: the
 * server appends the file to `fileIds` in the live document. Removing takes the id out of the
 * list (one undoable edit); the server deletes files nothing refers to after a grace period.
 */
function attachedFiles(live, id, map) {
  const headingId = newId('files')
  const items = h('ul', { class: 'file-list', 'aria-labelledby': headingId })
  const empty = h('p', { class: 'empty small', text: t('prototype.no_files') })
  const status = uploadStatus()
  /** @type {Map<string, HTMLElement>} rows by file id, kept across renders */
  const rows = new Map()
  const row = (/** @type {string} */ fileId) => {
    const name = h('span', { class: 'file-name', text: t('prototype.file_loading') })
    const size = h('span', { class: 'file-size' })
    const open = h('a', {
      href: contentUrl(fileId),
      target: '_blank',
      rel: 'noopener noreferrer',
      class: 'file-open',
      text: t('prototype.open_file')
    })
    const remove = h('button', {
      type: 'button',
      class: 'icon',
      text: '×',
      'aria-label': t('prototype.remove_file', { name: t('prototype.file_loading') })
    })
    let fileName = ''
    remove.addEventListener('click', () => {
      const what = fileName || t('prototype.file_unnamed')
      const removed = live.write(() => {
        const array = listArray(map, 'fileIds')
        const at = array.toArray().indexOf(fileId)
        if (at >= 0) array.delete(at, 1)
        setFields(map, {})
      })
      if (removed) announce(t('prototype.file_removed', { name: what }))
    })
    describeFile(fileId).then((info) => {
      fileName = info ? info.name : ''
      name.textContent = info ? info.name : t('prototype.file_missing')
      size.textContent = info ? formatSize(info.size) : ''
      const named = fileName || t('prototype.file_unnamed')
      open.setAttribute('aria-label', t('prototype.open_named', { name: named }))
      remove.setAttribute('aria-label', t('prototype.remove_file', { name: named }))
    })
    return h('li', { class: 'file-row', dataset: { fileId } }, name, size, open, remove)
  }
  const render = () => {
    const ids = list(map, 'fileIds').filter(isFileId)
    const wanted = new Set(ids)
    for (const [fileId, el] of rows) {
      if (!wanted.has(fileId)) {
        el.remove()
        rows.delete(fileId)
      }
    }
    items.replaceChildren(
      ...ids.map((fileId) => {
        let el = rows.get(fileId)
        if (!el) {
          el = row(fileId)
          rows.set(fileId, el)
        }
        return el
      })
    )
    empty.hidden = ids.length > 0
  }
  const attach = async (/** @type {File[]} */ files) => {
    if (live.readOnly) return
    for (const file of files) {
      if (!acceptable(file, FILE_TYPES)) {
        status.fail(t('upload.not_attachable', { name: file.name }))
        continue
      }
      if (list(map, 'fileIds').length >= MAX_LIST_ENTRIES) {
        status.fail(t('prototype.files_full', { count: MAX_LIST_ENTRIES }))
        return
      }
      status.start(file.name)
      try {
        await uploadFile(`/v1/prototypes/${encodeURIComponent(id)}/files`, file, {
          onProgress: status.progress
        })
        status.done()
        announce(t('prototype.file_attached', { name: file.name }))
      } catch (error) {
        status.fail(t('upload.failed', { name: file.name, error: uploadError(error) }))
      }
    }
  }
  const picker = filePicker({
    label: t('prototype.attach_file'),
    accept: ACCEPT_FILES,
    multiple: true,
    onFiles: attach
  })
  const el = h(
    'section',
    { class: 'list-field files-field' },
    h('h4', { id: headingId, text: label('fileIds') }),
    empty,
    items,
    h('div', { class: 'add-note' }, picker.el),
    h('p', { class: 'hint', text: t('prototype.files_hint') }),
    status.el
  )
  dropZone(el, attach, () => !live.readOnly)
  render()
  return { el, key: 'fileIds', refresh: render }
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
    normalize: withScheme,
    render: (url) => h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: url })
  })
  const ideas = linkedIdeas(live, map, hooks)
  const files = attachedFiles(live, id, map)
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
    files.el,
    ideas.el
  )
  const bound = [title, fidelity, description, links, files, ideas]
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
            links: [],
            fileIds: []
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
