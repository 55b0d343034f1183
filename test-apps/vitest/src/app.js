// The code under test: it takes greet() from acme-greet once, when it loads, as apps do.
import { greet } from 'acme-greet'

export const welcome = (name) => `${greet(name)}, welcome`
