// Invite links in the team dialog (owners and admins): make one for a role, copy its URL, see
// how often each was used, revoke one (which also removes the guests who came with it).
import { h, toast, announce } from '../dom.js'
import { createForm } from '../forms.js'
import * as api from '../api.js'
import { t } from '../i18n.js'

/**
 * The invite-link section of a project's team dialog.
 * @param {{id: string, name: string}} project
 * @param {() => Promise<void>} onChange reload the team (revoking removes guests)
 * @returns {{el: HTMLElement, load: () => Promise<void>}} the section, and what lists its links
 *   (called by the dialog after the team is read, so that one expired session costs one
 *   refresh, not two at once)
 */
export function invitePanel(project, onChange) {
  const base = `/v1/projects/${project.id}/invites`
  const list = h('ul', { class: 'invite-list', 'aria-label': t('invites.list') })
  const made = h('div', { class: 'invite-made', hidden: true })

  const load = async () => {
    try {
      const links = await api.getAll(base)
      const active = links.filter((link) => link.status === 'active')
      list.replaceChildren(...active.map(linkRow))
      if (!active.length) list.append(h('li', { class: 'empty', text: t('invites.none') }))
    } catch (error) {
      toast(error.message, 'error')
    }
  }

  const linkRow = (link) => {
    const revoke = h('button', {
      type: 'button',
      class: 'ghost danger',
      text: t('invites.revoke'),
      'aria-label': t('invites.revoke_named', { role: t('common.role', { role: link.role }) })
    })
    revoke.addEventListener('click', async () => {
      try {
        await api.del(`${base}/${link.id}`)
        announce(t('invites.revoked'))
      } catch (error) {
        toast(error.message, 'error')
      }
      await load()
      await onChange()
    })
    const uses =
      link.max_uses === null
        ? t('invites.uses', { n: String(link.uses) })
        : t('invites.uses_of', { n: String(link.uses), max: String(link.max_uses) })
    const until = new Date(link.expires_at).toLocaleString()
    return h(
      'li',
      {},
      h('span', {
        text: t('invites.summary', { role: t('common.role', { role: link.role }), uses, until })
      }),
      revoke
    )
  }

  const { form } = createForm({
    title: t('invites.title'),
    className: 'inline',
    submit: t('invites.create'),
    reset: false,
    fields: [
      {
        name: 'role',
        label: t('invites.role'),
        type: 'select',
        options: () =>
          ['member', 'viewer'].map(
            (value) => /** @type {[string, string]} */ ([value, t('common.role', { role: value })])
          )
      },
      {
        name: 'max_uses',
        label: t('invites.max_uses'),
        type: 'number',
        validate: (value) => (/^[1-9][0-9]{0,3}$/.test(value) ? '' : t('invites.max_uses_bad'))
      }
    ],
    onSubmit: async ({ role, max_uses }) => {
      const link = await api.post(base, { role, max_uses: max_uses ? Number(max_uses) : null })
      const url = h('input', {
        type: 'text',
        readonly: true,
        value: link.url,
        'aria-label': t('invites.url')
      })
      const copy = h('button', { type: 'button', class: 'ghost', text: t('invites.copy') })
      copy.addEventListener('click', async () => {
        url.select()
        try {
          await navigator.clipboard.writeText(link.url)
          announce(t('invites.copied'))
          copy.textContent = t('invites.copied')
        } catch {
          // no clipboard permission: the selected text can be copied by hand
          toast(t('invites.copy_by_hand'), 'info')
        }
      })
      made.replaceChildren(h('p', { text: t('invites.share') }), url, copy)
      made.hidden = false
      url.select()
      await load()
    }
  })

  const el = h('section', { class: 'invites', 'aria-label': t('invites.title') }, form, made, list)
  return { el, load }
}
