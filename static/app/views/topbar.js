// The bar at the top of signed-in pages: brand, extra content, the language, the account and
// sign out. The language menu also sits on the signed-out pages (auth.js).
import { h, initials, colorFor, newId, toast } from '../dom.js'
import { currentUser, signOut, chooseLocale } from '../session.js'
import { navigate } from '../router.js'
import { LOCALES, LOCALE_NAMES, locale, t } from '../i18n.js'

/**
 * A menu of the languages, each named in itself. Picking one shows the product in it at once
 * (main.js relabels the page) and remembers it on this browser and on the account.
 */
export function languageMenu() {
  const select = h(
    'select',
    { id: newId('language'), class: 'language-select' },
    LOCALES.map((tag) => h('option', { value: tag, lang: tag, text: LOCALE_NAMES[tag] }))
  )
  select.value = locale()
  select.addEventListener('change', async () => {
    try {
      await chooseLocale(select.value)
    } catch (error) {
      toast(error instanceof Error ? error.message : String(error), 'error')
    }
    // The page was rebuilt in the new language: the focus goes back to the (new) menu.
    const menu = /** @type {HTMLSelectElement | null} */ (
      document.querySelector('select.language-select')
    )
    if (menu) {
      menu.value = locale()
      if (menu !== document.activeElement) menu.focus()
    }
  })
  return h(
    'div',
    { class: 'language' },
    h('label', { for: select.id, class: 'visually-hidden', text: t('topbar.language') }),
    select
  )
}

/** @param {...(Node|string|null)} middle what goes between the brand and the account */
export function topbar(...middle) {
  const user = currentUser()
  const out = h('button', { type: 'button', class: 'ghost', text: t('topbar.sign_out') })
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
      'aria-label': t('topbar.home')
    }),
    h('div', { class: 'topbar-middle' }, ...middle),
    languageMenu(),
    h(
      'div',
      { class: 'account' },
      badge,
      h('span', { class: 'account-name', text: user ? user.name : '' }),
      out
    )
  )
}
