// A project's team in a dialog: list, add by e-mail, change roles, remove (owners and admins).
import { h, toast, announce } from '../dom.js'
import { createForm } from '../forms.js'
import * as api from '../api.js'
import { currentUser } from '../session.js'

/** @type {Array<[string, string]>} */
const ROLES = [
  ['owner', 'Owner'],
  ['member', 'Member'],
  ['viewer', 'Viewer']
]

/**
 * Open the members dialog of `project` ({id, name, role}).
 * @param {{id: string, name: string, role: string}} project
 * @param {{onLeft?: () => void}} [opts]
 */
export function openMembers(project, opts = {}) {
  const manage = project.role === 'owner' || project.role === 'admin'
  const me = currentUser()
  const rows = h('tbody')
  const table = h(
    'table',
    { class: 'members' },
    h('caption', { class: 'visually-hidden', text: `Members of ${project.name}` }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', text: 'Name' }),
        h('th', { scope: 'col', text: 'E-mail' }),
        h('th', { scope: 'col', text: 'Role' }),
        h('th', { scope: 'col', text: 'Actions' })
      )
    ),
    rows
  )
  const base = `/v1/projects/${project.id}/members`

  const load = async () => {
    try {
      const members = await api.get(base)
      rows.replaceChildren(...members.map(memberRow))
    } catch (error) {
      toast(error.message, 'error')
    }
  }

  const memberRow = (member) => {
    const self = me && member.user_id === me.id
    let role
    if (manage) {
      role = h(
        'select',
        { 'aria-label': `Role of ${member.name}` },
        ...ROLES.map(([value, text]) => h('option', { value, text }))
      )
      role.value = member.role
      role.addEventListener('change', async () => {
        try {
          await api.put(`${base}/${member.user_id}`, { role: role.value })
          announce(`${member.name} is now ${role.value}`)
        } catch (error) {
          role.value = member.role
          toast(error.message, 'error')
        }
        await load()
      })
    } else {
      role = h('span', { text: member.role })
    }
    const actions = h('td', {})
    if (manage || self) {
      const remove = h('button', {
        type: 'button',
        class: 'ghost danger',
        text: self ? 'Leave' : 'Remove',
        'aria-label': self ? `Leave ${project.name}` : `Remove ${member.name}`
      })
      remove.addEventListener('click', async () => {
        try {
          await api.del(`${base}/${member.user_id}`)
          announce(self ? `You left ${project.name}` : `${member.name} removed`)
          if (self) {
            dialog.close()
            if (opts.onLeft) opts.onLeft()
            return
          }
        } catch (error) {
          toast(error.message, 'error')
        }
        await load()
      })
      actions.append(remove)
    }
    return h(
      'tr',
      {},
      h('td', { text: member.name + (self ? ' (you)' : '') }),
      h('td', { text: member.email }),
      h('td', {}, role),
      actions
    )
  }

  const add = manage
    ? createForm({
        title: 'Add someone',
        className: 'inline',
        submit: 'Add member',
        fields: [
          { name: 'email', label: 'E-mail of the person to add', type: 'email', required: true },
          {
            name: 'role',
            label: 'Role',
            type: 'select',
            options: () => ROLES.slice(1).concat([ROLES[0]])
          }
        ],
        onSubmit: async ({ email, role }) => {
          try {
            await api.post(base, { email, role })
          } catch (error) {
            if (error.status === 404) {
              throw new Error(`No account uses ${email}. Ask them to sign up first.`, {
                cause: error
              })
            }
            throw error
          }
          announce(`${email} added as ${role}`)
          await load()
        }
      }).form
    : null

  const close = h('button', { type: 'button', class: 'ghost', text: 'Close' })
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': 'members-title' },
    h(
      'div',
      { class: 'dialog-head' },
      h('h2', { id: 'members-title', text: `Members of ${project.name}` }),
      close
    ),
    table,
    add
  )
  close.addEventListener('click', () => dialog.close())
  dialog.addEventListener('close', () => dialog.remove())
  document.body.append(dialog)
  dialog.showModal()
  load()
  return dialog
}
