// The project list: create, search, rename, archive / restore, and the team of each project.
import { h, clear, toast, announce } from '../dom.js'
import { createForm } from '../forms.js'
import * as api from '../api.js'
import { topbar } from './topbar.js'
import { openMembers } from './members.js'
import { PHASE_NAMES } from '../router.js'

const canManage = (project) => project.role === 'owner' || project.role === 'admin'

/** Replace a project: PUT takes the whole state (name, description, phase, archived). */
function saveProject(project, changes) {
  const body = {
    name: project.name,
    description: project.description,
    phase: project.phase,
    ...changes
  }
  return api.put(`/v1/projects/${project.id}`, body)
}

export function projectsView() {
  const listEl = h('ul', { class: 'project-list', 'aria-label': 'Projects' })
  const empty = h('p', { class: 'empty', hidden: true })
  const more = h('button', { type: 'button', class: 'ghost', text: 'Show more', hidden: true })
  const show = h(
    'select',
    { id: 'project-filter' },
    h('option', { value: 'false', text: 'Active projects' }),
    h('option', { value: 'true', text: 'Archived projects' })
  )
  const search = h('input', {
    type: 'search',
    id: 'project-search',
    maxlength: 200,
    placeholder: 'Name contains…'
  })
  let cursor = null
  let searchTimer = 0

  const load = async (append = false) => {
    const params = {
      archived: show.value,
      limit: 50,
      q: search.value.trim() || undefined,
      cursor: append ? cursor : undefined
    }
    try {
      const page = await api.get(`/v1/projects${api.query(params)}`)
      if (!append) clear(listEl)
      for (const project of page.items) listEl.append(projectRow(project))
      cursor = page.next_cursor
      more.hidden = !cursor
      empty.hidden = listEl.children.length > 0
      empty.textContent =
        show.value === 'true'
          ? 'No archived projects.'
          : 'No projects yet: create the first one above.'
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
        text: 'Members',
        'aria-label': `Members of ${project.name}`
      })
      members.addEventListener('click', () => openMembers(project))
      actions.append(members)
      if (canManage(project)) {
        const rename = h('button', {
          type: 'button',
          class: 'ghost',
          text: 'Rename',
          'aria-label': `Rename ${project.name}`
        })
        rename.addEventListener('click', () => renaming())
        const archive = h('button', {
          type: 'button',
          class: 'ghost',
          text: project.archived ? 'Restore' : 'Archive',
          'aria-label': `${project.archived ? 'Restore' : 'Archive'} ${project.name}`
        })
        archive.addEventListener('click', async () => {
          archive.disabled = true
          try {
            await saveProject(project, { archived: !project.archived })
            announce(`${project.name} ${project.archived ? 'restored' : 'archived'}`)
            row.remove()
            empty.hidden = listEl.children.length > 0
          } catch (error) {
            toast(error.message, 'error')
            archive.disabled = false
          }
        })
        actions.append(rename, archive)
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
            h('span', { class: `badge role-${project.role}`, text: project.role }),
            h('span', { class: 'badge', text: PHASE_NAMES[project.phase] || project.phase }),
            project.archived ? h('span', { class: 'badge archived', text: 'archived' }) : null,
            h('span', { text: `updated ${new Date(project.updated_at).toLocaleDateString()}` })
          )
        ),
        actions
      )
    }
    const renaming = () => {
      const { form, inputs } = createForm({
        className: 'inline',
        submit: 'Save',
        fields: [
          {
            name: 'name',
            label: 'Project name',
            required: true,
            maxLength: 200,
            value: project.name
          }
        ],
        onSubmit: async ({ name }) => {
          Object.assign(project, await saveProject(project, { name }))
          render()
          announce(`Renamed to ${project.name}`)
        },
        reset: false
      })
      const cancel = h('button', { type: 'button', class: 'ghost', text: 'Cancel' })
      cancel.addEventListener('click', render)
      form.querySelector('.form-actions').append(cancel)
      row.replaceChildren(form)
      inputs.name.focus()
      inputs.name.select()
    }
    render()
    return row
  }

  const { form } = createForm({
    title: 'New project',
    submit: 'Create project',
    fields: [
      { name: 'name', label: 'Project name', required: true, maxLength: 200 },
      { name: 'description', label: 'Description', type: 'textarea', maxLength: 5000 }
    ],
    onSubmit: async ({ name, description }) => {
      const project = await api.post('/v1/projects', { name, description })
      if (show.value !== 'false') {
        show.value = 'false'
        await load()
      } else {
        listEl.prepend(projectRow(project))
      }
      empty.hidden = true
      announce(`Created ${project.name}`)
    }
  })
  show.addEventListener('change', () => load())
  search.addEventListener('input', () => {
    clearTimeout(searchTimer)
    searchTimer = setTimeout(() => load(), 250)
  })
  more.addEventListener('click', () => load(true))
  load()
  return h(
    'div',
    { class: 'page' },
    topbar(),
    h(
      'main',
      { id: 'main', class: 'projects' },
      h('h1', { text: 'Projects' }),
      h(
        'div',
        { class: 'projects-layout' },
        h('section', { class: 'panel', 'aria-label': 'Create a project' }, form),
        h(
          'section',
          { class: 'project-section', 'aria-label': 'Your projects' },
          h(
            'div',
            { class: 'toolbar' },
            h('label', { for: 'project-filter', class: 'visually-hidden', text: 'Show' }),
            show,
            h('label', {
              for: 'project-search',
              class: 'visually-hidden',
              text: 'Search projects'
            }),
            search
          ),
          listEl,
          empty,
          more
        )
      )
    )
  )
}
