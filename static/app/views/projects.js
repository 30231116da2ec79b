// The project list: create, import an archive, search, rename, archive / restore, and the team
// of each project.
import { h, clear, toast, announce, newId } from '../dom.js'
import { createForm } from '../forms.js'
import * as api from '../api.js'
import { filePicker, uploadFile, uploadStatus, uploadError } from '../uploads.js'
import { topbar } from './topbar.js'
import { currentUser } from '../session.js'
import { openMembers } from './members.js'
import { phaseName, navigate } from '../router.js'
import { LOCALES, LOCALE_NAMES, locale, t } from '../i18n.js'

const canManage = (project) => project.role === 'owner' || project.role === 'admin'

/**
 * Change some fields of a project: PATCH writes only those, so a rename keeps the archive
 * flag, the language and the export setting as they are (PUT would reset the ones omitted).
 */
function saveProject(project, changes) {
  return api.patch(`/v1/projects/${project.id}`, changes)
}

/** What `accept` offers for an archive (an export in the format "archive", a .dttools.zip). */
const ACCEPT_ARCHIVE = '.zip,application/zip'

/**
 * Import a project: pick the archive of an export, watch it upload, then open the new project
 * (the server checks the archive whole first and creates nothing when it is refused).
 */
function importPanel() {
  const headingId = newId('import')
  const status = uploadStatus()
  const picker = filePicker({
    label: t('projects.import'),
    accept: ACCEPT_ARCHIVE,
    className: 'ghost',
    onFiles: async ([file]) => {
      picker.button.disabled = true
      status.start(file.name)
      try {
        const imported = /** @type {any} */ (
          await uploadFile('/v1/projects/import', file, { onProgress: status.progress })
        )
        status.done()
        const project = imported.project
        announce(t('projects.imported', { project: project.name }))
        navigate({ name: 'workspace', projectId: project.id, phase: project.phase || 'empathize' })
      } catch (error) {
        status.fail(t('projects.import_failed', { name: file.name, error: uploadError(error) }))
      } finally {
        picker.button.disabled = false
      }
    }
  })
  return h(
    'section',
    { class: 'panel import-panel', 'aria-labelledby': headingId },
    h('h3', { id: headingId, text: t('projects.import_title') }),
    h('p', { class: 'hint', text: t('projects.import_hint') }),
    picker.el,
    status.el
  )
}

export function projectsView() {
  // a guest reaches only the project it joined: no project of its own, no import
  const guest = Boolean(currentUser()?.guest_project)
  const listEl = h('ul', { class: 'project-list', 'aria-label': t('projects.list') })
  const empty = h('p', { class: 'empty', hidden: true })
  const more = h('button', {
    type: 'button',
    class: 'ghost',
    text: t('common.show_more'),
    hidden: true
  })
  const show = h(
    'select',
    { id: 'project-filter' },
    h('option', { value: 'false', text: t('projects.filter_active') }),
    h('option', { value: 'true', text: t('projects.filter_archived') })
  )
  const search = h('input', {
    type: 'search',
    id: 'project-search',
    maxlength: 200,
    placeholder: t('projects.search_placeholder')
  })
  let cursor = null
  let searchTimer = 0
  // Only the answer to the latest request is shown: the filter can change while an older
  // request is still on its way (it would show the other list).
  let latest = 0

  const load = async (append = false) => {
    const params = {
      archived: show.value,
      limit: 50,
      q: search.value.trim() || undefined,
      cursor: append ? cursor : undefined
    }
    const request = ++latest
    try {
      const page = await api.get(`/v1/projects${api.query(params)}`)
      if (request !== latest) return
      if (!append) clear(listEl)
      for (const project of page.items) listEl.append(projectRow(project))
      cursor = page.next_cursor
      more.hidden = !cursor
      empty.hidden = listEl.children.length > 0
      empty.textContent =
        show.value === 'true' ? t('projects.empty_archived') : t('projects.empty_active')
      example.hidden =
        guest || show.value === 'true' || Boolean(params.q) || listEl.children.length > 0
    } catch (error) {
      toast(error.message, 'error')
    }
  }

  const projectRow = (project) => {
    const row = h('li', {
      class: 'project-card',
      'aria-label': project.name,
      dataset: { id: project.id }
    })
    const render = () => {
      const actions = h('div', { class: 'actions' })
      const members = h('button', {
        type: 'button',
        class: 'ghost',
        text: t('projects.members'),
        'aria-label': t('members.of', { project: project.name })
      })
      members.addEventListener('click', () => openMembers(project))
      actions.append(members)
      if (canManage(project)) {
        const rename = h('button', {
          type: 'button',
          class: 'ghost',
          text: t('common.rename'),
          'aria-label': t('projects.rename_named', { project: project.name })
        })
        rename.addEventListener('click', () => renaming())
        const archive = h('button', {
          type: 'button',
          class: 'ghost',
          text: project.archived ? t('common.restore') : t('common.archive'),
          'aria-label': project.archived
            ? t('projects.restore_named', { project: project.name })
            : t('projects.archive_named', { project: project.name })
        })
        archive.addEventListener('click', async () => {
          archive.disabled = true
          try {
            await saveProject(project, { archived: !project.archived })
            announce(
              project.archived
                ? t('projects.restored', { project: project.name })
                : t('projects.archived_done', { project: project.name })
            )
            // The list shown may have been asked for before this change was made (the
            // filter changed meanwhile): ask again rather than edit it in place.
            await load()
          } catch (error) {
            toast(error.message, 'error')
            archive.disabled = false
          }
        })
        const keep = h('button', {
          type: 'button',
          class: 'ghost',
          text: t('projects.save_template'),
          'aria-label': t('projects.save_template_named', { project: project.name })
        })
        keep.addEventListener('click', async () => {
          keep.disabled = true
          try {
            const saved = await api.post('/v1/templates', {
              project_id: project.id,
              name: project.name
            })
            templates.set(saved.id, saved)
            inputs.template.append(h('option', { value: saved.id, text: saved.name }))
            announce(t('projects.template_saved', { project: project.name }))
            toast(t('projects.template_saved', { project: project.name }), 'info')
          } catch (error) {
            toast(error.message, 'error')
          } finally {
            keep.disabled = false
          }
        })
        actions.append(rename, archive, keep)
      }
      row.replaceChildren(
        h(
          'div',
          { class: 'project-main' },
          h('a', {
            class: 'project-name',
            href: `#/projects/${project.id}/${project.phase || 'empathize'}`,
            text: project.name
          }),
          project.description
            ? h('p', { class: 'project-description', text: project.description })
            : null,
          h(
            'p',
            { class: 'meta' },
            h('span', {
              class: `badge role-${project.role}`,
              text: t('common.role', { role: project.role })
            }),
            h('span', { class: 'badge', text: phaseName(project.phase) }),
            project.archived
              ? h('span', { class: 'badge archived', text: t('projects.archived_badge') })
              : null,
            h('span', { text: t('projects.updated', { when: project.updated_at }) })
          )
        ),
        actions
      )
    }
    const renaming = () => {
      const { form, inputs } = createForm({
        className: 'inline',
        submit: t('common.save'),
        fields: [
          {
            name: 'name',
            label: t('projects.name'),
            required: true,
            maxLength: 200,
            value: project.name
          }
        ],
        onSubmit: async ({ name }) => {
          Object.assign(project, await saveProject(project, { name }))
          render()
          announce(t('projects.renamed', { project: project.name }))
        },
        reset: false
      })
      const cancel = h('button', { type: 'button', class: 'ghost', text: t('common.cancel') })
      cancel.addEventListener('click', render)
      form.querySelector('.form-actions').append(cancel)
      row.replaceChildren(form)
      inputs.name.focus()
      inputs.name.select()
    }
    render()
    return row
  }

  const { form, inputs } = createForm({
    title: t('projects.new'),
    submit: t('projects.create'),
    fields: [
      { name: 'name', label: t('projects.name'), required: true, maxLength: 200 },
      { name: 'description', label: t('projects.description'), type: 'textarea', maxLength: 5000 },
      {
        // filled with GET /v1/templates once it answers; blank until then
        name: 'template',
        label: t('projects.start_from'),
        type: 'select',
        options: () => [['', t('projects.blank')]]
      },
      {
        // The language the team works in (exports and templates use it); people's own
        // language, the menu's, is theirs alone.
        name: 'language',
        label: t('projects.language'),
        type: 'select',
        options: () => LOCALES.map((tag) => [tag, LOCALE_NAMES[tag]]),
        value: locale()
      }
    ],
    onSubmit: async ({ name, description, language, template }) => {
      const project = await api.post('/v1/projects', {
        name,
        description,
        language,
        template: template || undefined
      })
      inputs.template.value = ''
      if (template) {
        // a project made from a template has content to look at: open it
        navigate({ name: 'workspace', projectId: project.id, phase: project.phase })
        return
      }
      if (show.value !== 'false') {
        show.value = 'false'
        await load()
      } else {
        listEl.prepend(projectRow(project))
      }
      empty.hidden = true
      announce(t('projects.created', { project: project.name }))
    }
  })
  const templateHint = h('p', { class: 'hint', hidden: true })
  inputs.template.after(templateHint)
  /** @type {Map<string, {description: string}>} */
  const templates = new Map()
  inputs.template.addEventListener('change', () => {
    const chosen = templates.get(inputs.template.value)
    templateHint.textContent = chosen ? chosen.description : ''
    templateHint.hidden = !chosen
  })
  if (!guest) {
    api.getAll('/v1/templates').then(
      (items) => {
        for (const item of items) {
          templates.set(item.id, item)
          inputs.template.append(h('option', { value: item.id, text: item.name }))
        }
      },
      (error) => toast(error.message, 'error')
    )
  }
  // With no project yet, the example is one click away.
  const example = h('button', { type: 'button', class: 'ghost', text: t('projects.open_example') })
  example.addEventListener('click', async () => {
    example.disabled = true
    try {
      const project = await api.post('/v1/projects', {
        name: t('projects.example_name'),
        template: 'example',
        language: locale()
      })
      navigate({ name: 'workspace', projectId: project.id, phase: project.phase })
    } catch (error) {
      toast(error.message, 'error')
      example.disabled = false
    }
  })
  const emptyBlock = h('div', { class: 'empty-block' }, empty, example)
  show.addEventListener('change', () => load())
  search.addEventListener('input', () => {
    clearTimeout(searchTimer)
    searchTimer = setTimeout(() => load(), 250)
  })
  more.addEventListener('click', () => load(true))
  // After this task: a page rebuilt in another language gets its filter and search back first.
  queueMicrotask(() => load())
  return h(
    'div',
    { class: 'page' },
    topbar(),
    h(
      'main',
      { id: 'main', class: 'projects' },
      h('h1', { text: t('projects.title') }),
      h(
        'div',
        { class: 'projects-layout' },
        h(
          'div',
          { class: 'projects-side', hidden: guest },
          guest
            ? null
            : h('section', { class: 'panel', 'aria-label': t('projects.create_section') }, form),
          guest ? null : importPanel()
        ),
        h(
          'section',
          { class: 'project-section', 'aria-label': t('projects.your_projects') },
          h(
            'div',
            { class: 'toolbar' },
            h('label', {
              for: 'project-filter',
              class: 'visually-hidden',
              text: t('projects.filter')
            }),
            show,
            h('label', {
              for: 'project-search',
              class: 'visually-hidden',
              text: t('projects.search')
            }),
            search
          ),
          listEl,
          emptyBlock,
          more
        )
      )
    )
  )
}
