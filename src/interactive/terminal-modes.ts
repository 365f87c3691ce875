// The DEC private mode sequences chat switches on and off: named once, so what turns a mode on and what restores it
// at exit cannot drift apart.
export const HIDE_CURSOR = '\u001B[?25l'
export const SHOW_CURSOR = '\u001B[?25h'
export const BRACKETED_PASTE_ON = '\u001B[?2004h'
export const BRACKETED_PASTE_OFF = '\u001B[?2004l'
export const ALT_SCREEN_ON = '\u001B[?1049h'
export const ALT_SCREEN_OFF = '\u001B[?1049l'
