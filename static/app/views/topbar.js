// The bar at the top of signed-in pages: brand, extra content, the account and sign out.
import { h, initials, colorFor } from '../dom.js'
import { currentUser, signOut } from '../session.js'
import { navigate } from '../router.js'

/** @param {...(Node|string|null)} middle what goes between the brand and the account */
export function topbar(...middle) {
  const user = currentUser()
  const out = h('button', { type: 'button', class: 'ghost', text: 'Sign out' })
  out.addEventListener('click', async () => {
    out.disabled = true
    try {
      await signOut()
    } finally {
      navigate({ name: 'login' })
    }
  })
  const badge = h('span', {
    class: 'avatar small',
    'aria-hidden': 'true',
    text: initials(user ? user.name : '?')
  })
  if (user) badge.style.setProperty('--avatar', colorFor(user.id))
  return h(
    'header',
    { class: 'topbar' },
    h('a', {
      class: 'brand',
      href: '#/projects',
      text: 'DTTools',
      'aria-label': 'DTTools: your projects'
    }),
    h('div', { class: 'topbar-middle' }, ...middle),
    h(
      'div',
      { class: 'account' },
      badge,
      h('span', { class: 'account-name', text: user ? user.name : '' }),
      out
    )
  )
}
