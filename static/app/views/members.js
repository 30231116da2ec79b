// A project's team in a dialog: list, add by e-mail (one or many; an address without an account
// is invited and joins when it signs up), pending invitations, change roles, remove (owners and
// admins).
import { h, toast, announce } from '../dom.js'
import { createForm } from '../forms.js'
import * as api from '../api.js'
import { currentUser } from '../session.js'
import { t } from '../i18n.js'
import { invitePanel } from './invites.js'

/** The roles of a project's team, in the order the role menus list them. */
const ROLES = ['owner', 'member', 'viewer']

/** A role's name in the language shown now. @param {string} role */
const roleName = (role) => t('common.role', { role })

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
    h('caption', { class: 'visually-hidden', text: t('members.of', { project: project.name }) }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', text: t('members.name') }),
        h('th', { scope: 'col', text: t('members.email') }),
        h('th', { scope: 'col', text: t('members.role') }),
        h('th', { scope: 'col', text: t('members.actions') })
      )
    ),
    rows
  )
  const base = `/v1/projects/${project.id}/members`

  const load = async () => {
    try {
      const members = await api.getAll(base)
      rows.replaceChildren(...members.map(memberRow))
    } catch (error) {
      toast(error.message, 'error')
    }
    await loadPending()
  }

  const memberRow = (member) => {
    const self = me && member.user_id === me.id
    let role
    if (manage) {
      role = h(
        'select',
        { 'aria-label': t('members.role_of', { name: member.name }) },
        ...ROLES.map((value) => h('option', { value, text: roleName(value) }))
      )
      role.value = member.role
      role.addEventListener('change', async () => {
        try {
          await api.put(`${base}/${member.user_id}`, { role: role.value })
          announce(t('members.role_changed', { name: member.name, role: role.value }))
        } catch (error) {
          role.value = member.role
          toast(error.message, 'error')
        }
        await load()
      })
    } else {
      role = h('span', { text: roleName(member.role) })
    }
    const actions = h('td', {})
    if (manage || self) {
      const remove = h('button', {
        type: 'button',
        class: 'ghost danger',
        text: self ? t('members.leave') : t('members.remove'),
        'aria-label': self
          ? t('members.leave_named', { project: project.name })
          : t('members.remove_named', { name: member.name })
      })
      remove.addEventListener('click', async () => {
        try {
          await api.del(`${base}/${member.user_id}`)
          announce(
            self
              ? t('members.left', { project: project.name })
              : t('members.removed', { name: member.name })
          )
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
      h('td', { text: self ? t('members.you', { name: member.name }) : member.name }),
      h('td', { text: member.email ?? t('members.guest') }),
      h('td', {}, role),
      actions
    )
  }

  // What the last add did, inside the dialog (a toast would sit under the modal dialog).
  const feedback = h('p', { class: 'notice', role: 'status', hidden: true })
  const say = (text) => {
    feedback.textContent = text
    feedback.hidden = false
  }

  const roleOptions = () =>
    ROLES.slice(1)
      .concat([ROLES[0]])
      .map((value) => /** @type {[string, string]} */ ([value, roleName(value)]))

  const add = manage
    ? createForm({
        title: t('members.add_title'),
        className: 'inline',
        submit: t('members.add'),
        fields: [
          { name: 'email', label: t('members.add_email'), type: 'email', required: true },
          { name: 'role', label: t('members.role'), type: 'select', options: roleOptions }
        ],
        onSubmit: async ({ email, role }) => {
          const answer = await api.post(base, { email, role })
          say(
            answer.user_id
              ? t('members.added', { email, role })
              : t('members.invited', { email: answer.email })
          )
          await load()
        }
      }).form
    : null

  const bulk = manage
    ? createForm({
        title: t('members.bulk_title'),
        className: 'bulk-add',
        submit: t('members.bulk_add'),
        fields: [
          { name: 'emails', label: t('members.bulk_emails'), type: 'textarea', required: true },
          { name: 'role', label: t('members.bulk_role'), type: 'select', options: roleOptions }
        ],
        onSubmit: async ({ emails, role }) => {
          const list = emails.split(/[\s,;]+/).filter(Boolean)
          const { results } = await api.post(`${base}/bulk`, { emails: list, role })
          const count = (outcome) => results.filter((r) => r.outcome === outcome).length
          say(
            t('members.bulk_done', {
              added: count('added'),
              invited: count('invited'),
              already: count('already_member')
            })
          )
          await load()
        }
      }).form
    : null

  // Addresses invited by e-mail that have not signed up yet, each with a Cancel button.
  const pendingList = h('ul', { class: 'pending-invitations', 'aria-labelledby': 'pending-title' })
  const pending = manage
    ? h(
        'section',
        { class: 'pending', hidden: true },
        h('h3', { id: 'pending-title', text: t('members.pending_title') }),
        pendingList
      )
    : null
  const loadPending = async () => {
    if (!pending) return
    try {
      const items = await api.getAll(`/v1/projects/${project.id}/invitations`)
      pendingList.replaceChildren(...items.map(pendingRow))
      pending.hidden = items.length === 0
    } catch (error) {
      toast(error.message, 'error')
    }
  }
  const pendingRow = (invitation) => {
    const cancel = h('button', {
      type: 'button',
      class: 'ghost danger small',
      text: t('members.cancel_invitation'),
      'aria-label': t('members.cancel_invitation_named', { email: invitation.email })
    })
    cancel.addEventListener('click', async () => {
      try {
        await api.del(`/v1/projects/${project.id}/invitations/${invitation.id}`)
        announce(t('members.invitation_cancelled', { email: invitation.email }))
      } catch (error) {
        toast(error.message, 'error')
      }
      await loadPending()
    })
    return h(
      'li',
      {},
      h('span', { class: 'pending-email', text: invitation.email }),
      h('span', {
        class: 'pending-meta',
        text: t('members.pending_meta', {
          role: roleName(invitation.role),
          until: new Date(invitation.expires_at).toLocaleDateString()
        })
      }),
      cancel
    )
  }

  const invites = manage ? invitePanel(project, load) : null
  const close = h('button', { type: 'button', class: 'ghost', text: t('common.close') })
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': 'members-title' },
    h(
      'div',
      { class: 'dialog-head' },
      h('h2', { id: 'members-title', text: t('members.of', { project: project.name }) }),
      close
    ),
    table,
    pending,
    feedback,
    add,
    bulk,
    invites ? invites.el : null
  )
  close.addEventListener('click', () => dialog.close())
  dialog.addEventListener('close', () => dialog.remove())
  document.body.append(dialog)
  dialog.showModal()
  load().then(() => invites?.load())
  return dialog
}
